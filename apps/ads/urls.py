from django.urls import path

from . import views

app_name = "ads"
urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/approve/", views.approve_campaign, name="approve_campaign"),
    path("search-terms/", views.search_terms, name="search_terms"),
    path("waste/", views.waste, name="waste"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path("recommendations/refresh/", views.recommendations_refresh, name="recommendations_refresh"),
    path("imports/", views.imports, name="imports"),
    path("bulk/", views.bulk, name="bulk"),
    path("bulk/uploaded/", views.bulk_mark_uploaded, name="bulk_uploaded"),
]
