from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api
from .bulk_api import CompetitorOfferBulkViewSet, CostBulkViewSet
from .run_api import RepriceViewSet, SimulationViewSet

app_name = "pricing_api"

router = SimpleRouter()
router.register("competitor-offers", api.CompetitorOfferViewSet, basename="competitor-offer")
router.register("costs", api.CostViewSet, basename="cost")
router.register("price-changes", api.PriceChangeViewSet, basename="price-change")
router.register("strategies", api.StrategyViewSet, basename="strategy")
router.register("strategy-assignments", api.AssignmentViewSet, basename="strategy-assignment")

urlpatterns = [
    path(
        "costs/bulk-upsert/", CostBulkViewSet.as_view({"post": "create"}), name="cost-bulk-upsert"
    ),
    path(
        "competitor-offers/bulk-upsert/",
        CompetitorOfferBulkViewSet.as_view({"post": "create"}),
        name="competitor-offer-bulk-upsert",
    ),
    path("reprice-runs/", RepriceViewSet.as_view({"post": "create"}), name="reprice-run"),
    path(
        "price-simulations/",
        SimulationViewSet.as_view({"post": "create"}),
        name="price-simulation",
    ),
    *router.urls,
]
