from django.urls import path

from apps.core.views import job_detail

from . import edit_views, policy_views, views

app_name = "review"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:draft_id>/", views.detail, name="detail"),
    path("<int:draft_id>/approve/", views.approve, name="approve"),
    path("<int:draft_id>/reject/", views.reject, name="reject"),
    path("<int:draft_id>/edit/", edit_views.edit, name="edit"),
    path("<int:draft_id>/back-translate/", edit_views.back_translate, name="back_translate"),
    path("<int:draft_id>/regenerate/", views.regenerate, name="regenerate"),
    path("bulk/", views.bulk, name="bulk"),
    path("jobs/<int:job_id>/", job_detail, name="job"),  # the one generic job page
    path("policies/", policy_views.policies, name="policies"),
    path("metrics/", policy_views.metrics, name="metrics"),
]
