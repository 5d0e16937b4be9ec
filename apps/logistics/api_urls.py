from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api
from .bulk_api import InventoryBulkViewSet, TrackingEventBulkViewSet

app_name = "logistics_api"

router = SimpleRouter()
router.register("warehouses", api.WarehouseViewSet, basename="warehouse")
router.register("inventory", api.InventoryViewSet, basename="inventory")
router.register("inbound-shipments", api.InboundShipmentViewSet, basename="inbound-shipment")
router.register("parcels", api.ParcelViewSet, basename="parcel")
router.register("plan-runs", api.PlanRunViewSet, basename="plan-run")
router.register("restock-suggestions", api.SuggestionViewSet, basename="restock-suggestion")

urlpatterns = [
    path(
        "inventory/bulk-upsert/",
        InventoryBulkViewSet.as_view({"post": "create"}),
        name="inventory-bulk-upsert",
    ),
    path(
        "tracking-events/bulk-upsert/",
        TrackingEventBulkViewSet.as_view({"post": "create"}),
        name="tracking-event-bulk-upsert",
    ),
    *router.urls,
]
