from django.urls import path

app_name = "core_api"
urlpatterns: list = []
