from rest_framework.routers import SimpleRouter

from . import api

app_name = "orders_api"

router = SimpleRouter()
router.register("orders", api.OrderViewSet, basename="order")
router.register("exchange-rates", api.ExchangeRateViewSet, basename="exchange-rate")
router.register("risk-destinations", api.RiskDestinationViewSet, basename="risk-destination")

urlpatterns = router.urls
