from rest_framework.routers import SimpleRouter

from . import api

app_name = "catalog_api"

router = SimpleRouter()
router.register("marketplaces", api.MarketplaceViewSet, basename="marketplace")
router.register("stores", api.StoreViewSet, basename="store")
router.register("products", api.ProductViewSet, basename="product")
router.register("listings", api.ListingViewSet, basename="listing")

urlpatterns = router.urls
