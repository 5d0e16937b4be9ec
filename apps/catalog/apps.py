from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"

    def ready(self) -> None:
        from apps.core.services import job_kind_cancellable

        from . import drafts  # noqa: F401 - registers the catalog's review-queue handlers
        from .content import generation  # noqa: F401 - registers the catalog's generation kinds
        from .exports import EXPORT_KIND

        job_kind_cancellable(EXPORT_KIND)
        job_kind_cancellable("catalog.marketplace_export")
