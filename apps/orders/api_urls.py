from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api
from .bulk_api import OrderBulkViewSet

app_name = "orders_api"

router = SimpleRouter()
router.register("orders", api.OrderViewSet, basename="order")
router.register("exchange-rates", api.ExchangeRateViewSet, basename="exchange-rate")
router.register("risk-destinations", api.RiskDestinationViewSet, basename="risk-destination")

urlpatterns = [
    path(
        "orders/bulk-upsert/",
        OrderBulkViewSet.as_view({"post": "create"}),
        name="order-bulk-upsert",
    ),
    *router.urls,
]
