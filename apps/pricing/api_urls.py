from rest_framework.routers import SimpleRouter

from . import api

app_name = "pricing_api"

router = SimpleRouter()
router.register("competitor-offers", api.CompetitorOfferViewSet, basename="competitor-offer")
router.register("costs", api.CostViewSet, basename="cost")
router.register("price-changes", api.PriceChangeViewSet, basename="price-change")
router.register("strategies", api.StrategyViewSet, basename="strategy")
router.register("strategy-assignments", api.AssignmentViewSet, basename="strategy-assignment")

urlpatterns = router.urls
