from django.urls import path

from apps.catalog.exports import views as export_views
from apps.core.views import job_detail

app_name = "exports"
urlpatterns = [
    path("listings/", export_views.listings_export, name="listings"),
    path("<int:job_id>/download/", export_views.export_download, name="download"),
    path("marketplace/", export_views.marketplace_export, name="marketplace"),
    path("<int:job_id>/", job_detail, name="job"),  # the one generic job page
    path("<int:job_id>/excluded/", export_views.export_excluded, name="excluded"),
]
