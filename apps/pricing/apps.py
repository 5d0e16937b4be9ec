from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "apps.pricing"
    label = "pricing"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (registers the competitor summary receiver)
