from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "apps.logistics"
    label = "logistics"
