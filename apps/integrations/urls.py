from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("<int:run_id>/errors.csv", views.import_errors_csv, name="errors_csv"),
    path("webhooks/", views.webhooks_page, name="webhooks"),
]
