from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "apps.logistics"
    label = "logistics"

    def ready(self) -> None:
        from . import drafts  # noqa: F401  (registers the restock and delay-message kinds)
