from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "apps.pricing"
    label = "pricing"

    def ready(self) -> None:
        from django.urls import reverse

        from apps.core.jobs import JobLink, job_kind_register

        from . import signals  # noqa: F401  (registers the competitor summary receiver)

        def price_changes(job, request):
            yield JobLink(_("See the price changes"), reverse("pricing:changes"), "price-changes")

        job_kind_register("reprice_store", label=_("Repricing"), links=price_changes)

        from apps.catalog.listings.price_bounds import price_bounds_provider_register

        from .selectors import listing_price_bounds

        price_bounds_provider_register(listing_price_bounds)
