from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "apps.pricing"
    label = "pricing"

    def ready(self) -> None:
        from django.urls import reverse

        from apps.core.jobs import JobLink, job_kind_register
        from apps.review import display as review_display

        from . import (
            reasons,
            signals,  # noqa: F401  (registers the competitor summary receiver)
        )

        def price_changes(job, request):
            yield JobLink(_("See the price changes"), reverse("pricing:changes"), "price-changes")

        review_display.register_labels(reasons.EVIDENCE_LABELS)
        review_display.register_rationale(lambda draft: reasons.rationale_label(draft.rationale))
        job_kind_register(
            "reprice_store",
            label=_("Repricing"),
            links=price_changes,
            title=reasons.job_title,
            result_template="pricing/_reprice_job_result.html",
        )

        from apps.catalog.listings.price_bounds import price_bounds_provider_register

        from .selectors import listing_price_bounds

        price_bounds_provider_register(listing_price_bounds)
