from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("jobs/widget/", views.jobs_widget, name="jobs_widget"),
    path("jobs/<int:job_id>/cancel/", views.job_cancel_view, name="job_cancel"),
]
