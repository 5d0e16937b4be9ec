from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.catalog import api
from apps.catalog.bulk_api import ProductBulkViewSet
from apps.catalog.content import api as studio_api
from apps.catalog.exports import api as export_api
from apps.catalog.images import api as image_api
from apps.catalog.photos import api as photo_api
from apps.catalog.rules import api as rules_api

app_name = "catalog_api"

router = SimpleRouter()
router.register("marketplaces", api.MarketplaceViewSet, basename="marketplace")
router.register("stores", api.StoreViewSet, basename="store")
router.register("products", api.ProductViewSet, basename="product")
router.register("listings", api.ListingViewSet, basename="listing")
router.register("protected-terms", rules_api.ProtectedTermViewSet, basename="protected-term")

studio = studio_api.ListingStudioViewSet
reviews = studio_api.ProductReviewViewSet
urlpatterns = [
    path("products/bulk/", ProductBulkViewSet.as_view({"post": "create"}), name="product-bulk"),
    path("listings/validate/", rules_api.ListingValidateViewSet.as_view({"post": "create"}),
         name="listing-validate"),
    path("listings/generate/", studio.as_view({"post": "generate"}), name="listing-generate"),
    path("listings/<int:pk>/translate/", studio.as_view({"post": "translate"}),
         name="listing-translate"),
    path("products/<int:pk>/reviews/",
         reviews.as_view({"get": "list_reviews", "post": "upload"}), name="product-reviews"),
    path("exports/listings/", export_api.ListingsExportViewSet.as_view({"post": "create"}),
         name="listings-export"),
    path("exports/listings/<int:pk>/file/",
         export_api.ListingsExportViewSet.as_view({"get": "file"}), name="listings-export-file"),
    path("exports/", export_api.MarketplaceExportViewSet.as_view({"post": "create"}),
         name="marketplace-export"),
    path("exports/<int:pk>/file/", export_api.MarketplaceExportViewSet.as_view({"get": "file"}),
         name="marketplace-export-file"),
    path("products/<int:pk>/review-insights/", reviews.as_view({"get": "insights"}),
         name="product-review-insights"),
    path("products/<int:pk>/photos/",
         photo_api.ProductPhotosViewSet.as_view({"get": "list_photos", "post": "upload"}),
         name="product-photos"),
    path("products/<int:pk>/photo-facts/",
         photo_api.ProductPhotosViewSet.as_view({"post": "facts"}), name="product-photo-facts"),
    path("photos/<int:pk>/", photo_api.PhotoViewSet.as_view({"get": "retrieve"}), name="photo"),
    path("photos/<int:pk>/images/", photo_api.PhotoViewSet.as_view({"post": "images"}),
         name="photo-images"),
    path("listings/<int:pk>/readiness/",
         photo_api.ReadinessViewSet.as_view({"get": "listing"}), name="listing-readiness"),
    path("listings/<int:pk>/readiness/proposal/",
         photo_api.ReadinessViewSet.as_view({"post": "proposal"}),
         name="listing-readiness-proposal"),
    path("listings/<int:pk>/images/",
         image_api.ListingImageUploadViewSet.as_view({"post": "upload"}), name="listing-images"),
    path("listings/<int:pk>/images/draft/",
         image_api.ListingImageDraftViewSet.as_view({"post": "draft"}),
         name="listing-images-draft"),
    path("readiness/", photo_api.ReadinessViewSet.as_view({"get": "stores"}), name="readiness"),
    *router.urls,
]  # fmt: skip
