from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.index, name="index"),
    path("export/<slug:table>.<slug:fmt>", views.export, name="export"),
    path("traffic/import/", views.traffic_upload, name="traffic_import"),
    path("selection/", views.selection, name="selection"),
    path("selection/import/", views.selection_upload, name="selection_import"),
]
