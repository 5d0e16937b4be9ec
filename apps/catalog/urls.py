from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("products/", views.products, name="products"),
    path("products/<int:product_id>/", views.product_detail, name="product_detail"),
    path("listings/", views.listings, name="listings"),
    path("listings/<int:listing_id>/", views.listing_detail, name="listing_detail"),
    path("listings/generate/", views.generate_content, name="generate_content"),
]
