from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"

    def ready(self) -> None:
        from django.urls import reverse

        from apps.catalog.content import (
            display,
            generation,  # registers the catalog's generation kinds
        )
        from apps.catalog.exports.listings import EXPORT_KIND
        from apps.catalog.exports.marketplace import MARKETPLACE_EXPORT_KIND
        from apps.catalog.listings import drafts  # noqa: F401 - registers the catalog's review-queue handlers
        from apps.catalog.photos import generation as photo_generation  # noqa: F401 - photo_facts
        from apps.core.jobs import JobLink, job_kind_register
        from apps.review import display as review_display

        review_display.register_labels(display.LABELS)
        review_display.hide_evidence("back_translation")  # its own panel shows it
        review_display.register_rationale(display.rationale)

        def download(job, request):
            # An Amazon feed with no message writes no document: nothing to download.
            if job.status == "succeeded" and (job.result or {}).get("download_url", "-"):
                url = reverse("exports:download", args=[job.pk])
                yield JobLink(_("Download the file"), url, "export-download")
            yield JobLink(_("Listings"), reverse("catalog:listings"))

        job_kind_register(
            EXPORT_KIND,
            label=_("Listings export (CSV)"),
            cancellable=True,
            links=download,
            title=lambda job: str(_("Listings export (CSV)")),
        )

        def queue(job, request):
            yield JobLink(_("Open the review queue"), reverse("review:index"), "review-queue")

        job_kind_register(
            generation.TRANSLATION_JOB,
            label=_("Listing translation"),
            cancellable=True,
            links=queue,
            title=display.translation_job_title,
        )
        job_kind_register(
            MARKETPLACE_EXPORT_KIND,
            label=_("Marketplace file export"),
            cancellable=True,
            links=download,
            result_template="catalog/_export_job_result.html",
        )
