from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list_view, name="list"),
    path("import/", views.order_import, name="import"),
    path("export.<str:fmt>", views.order_export, name="export"),
    path("risk/", views.order_risk_list, name="risk"),
    path("risk/export.<str:fmt>", views.order_risk_export, name="risk_export"),
    path("fx-exposure/", views.fx_exposure_view, name="exposure"),
    path("<int:order_id>/", views.order_detail, name="detail"),
]
