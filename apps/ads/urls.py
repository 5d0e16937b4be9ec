from django.urls import path

from . import views

app_name = "ads"
urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
]
