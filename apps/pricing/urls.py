from django.urls import path

from apps.core.views import job_detail

from . import views

app_name = "pricing"
urlpatterns = [
    path("", views.index, name="index"),
    path("strategies/", views.strategies, name="strategies"),
    path("strategies/new/", views.strategy_edit, name="strategy_new"),
    path("strategies/<int:strategy_id>/", views.strategy_edit, name="strategy"),
    path("strategies/<int:strategy_id>/enable/", views.strategy_enable, name="strategy_enable"),
    path("strategies/<int:strategy_id>/assign/", views.strategy_assign, name="strategy_assign"),
    path(
        "assignments/<int:assignment_id>/delete/",
        views.assignment_delete,
        name="assignment_delete",
    ),
    path("changes/", views.changes, name="changes"),
    path("listings/<int:listing_id>/", views.listing_chart, name="listing"),
    path("at-floor/", views.at_floor, name="at_floor"),
    path("simulator/", views.simulator, name="simulator"),
    path("reprice/", views.reprice_now, name="reprice"),
    path("jobs/<int:job_id>/", job_detail, name="job"),  # the one generic job page
    path("competitors/", views.competitors, name="competitors"),
    path("competitors/template.csv", views.competitors_template, name="competitors_template"),
]
