from django.urls import path

from apps.catalog import views
from apps.catalog.content import views as studio_views
from apps.catalog.listings import views as listing_views
from apps.catalog.photos import views as photo_views
from apps.catalog.readiness import views as readiness_views

app_name = "catalog"
urlpatterns = [
    path("products/", views.products, name="products"),
    path("products/<int:product_id>/", views.product_detail, name="product_detail"),
    path("products/<int:product_id>/photos/", photo_views.photos, name="photos"),
    path(
        "products/<int:product_id>/photos/facts/", photo_views.photos_extract, name="photos_extract"
    ),
    path(
        "products/<int:product_id>/photos/image/",
        photo_views.photo_image_draft,
        name="photo_image_draft",
    ),
    path("readiness/", readiness_views.readiness, name="readiness"),
    path("listings/", views.listings, name="listings"),
    path("listings/<int:listing_id>/", listing_views.listing_detail, name="listing_detail"),
    path("listings/<int:listing_id>/save/", listing_views.listing_save, name="listing_save"),
    path("listings/<int:listing_id>/images/", listing_views.image_upload, name="image_upload"),
    path("listings/<int:listing_id>/images/draft/", listing_views.image_draft, name="image_draft"),
    path("images/<path:path>", listing_views.image, name="image"),
    path("listings/generate/", views.generate_content, name="generate_content"),
    path("products/generate/", studio_views.generate_listings, name="generate_listings"),
    path("products/<int:product_id>/reviews/", studio_views.upload_reviews, name="upload_reviews"),
    path(
        "listings/<int:listing_id>/translate/",
        studio_views.translate_listing,
        name="translate_listing",
    ),
]
