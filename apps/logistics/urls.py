from django.urls import path

from . import views

app_name = "logistics"
urlpatterns = [
    path("", views.index, name="index"),
    path("inventory/import/", views.import_inventory, name="import_inventory"),
    path("plan/", views.plan, name="plan"),
    path("plan/run/", views.plan_run, name="plan_run"),
    path("plan/export.<str:fmt>", views.plan_export, name="plan_export"),
    path("at-risk/", views.at_risk, name="at_risk"),
    path("at-risk/draft/", views.at_risk_draft, name="at_risk_draft"),
    path("tracking/import/", views.import_tracking, name="import_tracking"),
    path("lanes/", views.lanes, name="lanes"),
    path("shipments/", views.shipments, name="shipments"),
    path("shipments/export.<str:fmt>", views.shipments_export, name="shipments_export"),
    path("shipments/<int:shipment_id>/", views.shipment_detail, name="shipment_detail"),
]
