from django.urls import path

from apps.catalog import views
from apps.catalog.content import views as studio_views
from apps.catalog.listings import views as listing_views

app_name = "catalog"
urlpatterns = [
    path("products/", views.products, name="products"),
    path("products/<int:product_id>/", views.product_detail, name="product_detail"),
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
