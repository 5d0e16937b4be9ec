from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"

    def ready(self) -> None:
        from . import drafts  # noqa: F401 - registers the catalog's review-queue handlers
