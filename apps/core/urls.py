from django.urls import path

from . import views

# The overview (`dashboard:overview`, `/`) is analytics's page: crossborder/urls.py adds it to
# this namespace, so core imports no domain app.
app_name = "dashboard"
urlpatterns = [
    path("jobs/", views.jobs_page, name="jobs"),
    path("jobs/widget/", views.jobs_widget, name="jobs_widget"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/cancel/", views.job_cancel_view, name="job_cancel"),
]
