from rest_framework.routers import SimpleRouter

from . import api

app_name = "logistics_api"

router = SimpleRouter()
router.register("warehouses", api.WarehouseViewSet, basename="warehouse")
router.register("inventory", api.InventoryViewSet, basename="inventory")
router.register("inbound-shipments", api.InboundShipmentViewSet, basename="inbound-shipment")
router.register("parcels", api.ParcelViewSet, basename="parcel")
router.register("plan-runs", api.PlanRunViewSet, basename="plan-run")
router.register("restock-suggestions", api.SuggestionViewSet, basename="restock-suggestion")

urlpatterns = router.urls
