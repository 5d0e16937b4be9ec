from django.urls import path

app_name = "orders_api"
urlpatterns: list = []
