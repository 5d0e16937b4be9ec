"""`manage.py reprice --store ID [--full] [--dry-run]`: reprice one store now, in this process.

Incremental by default (only listings whose inputs changed since their last run; a store-wide
change makes it full anyway); --full prices every offer."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.catalog.models import Store
from apps.core.tenancy import unscoped
from apps.pricing.engine.run import reprice_store


class Command(BaseCommand):
    help = "Reprice every active offer of a store (one vectorised pass per chunk of offers)."

    def add_arguments(self, parser):
        parser.add_argument("--store", type=int, required=True, help="store id")
        parser.add_argument("--dry-run", action="store_true", help="compute, write nothing")
        parser.add_argument("--full", action="store_true", help="price every offer")
        parser.add_argument("--chunk", type=int, default=None, help="offers per chunk")

    def handle(self, *args, store: int, dry_run: bool, full: bool, chunk: int | None, **options):
        with unscoped():
            obj = Store.objects.select_related("organization", "marketplace").filter(pk=store)
            found = obj.first()
        if found is None:
            raise CommandError(f"No store with id {store}.")
        kwargs = {"chunk_size": chunk} if chunk else {}
        out = reprice_store(
            org=found.organization,
            store=found,
            dry_run=dry_run,
            incremental=not full,
            **kwargs,
        )
        c = out.counts
        self.stdout.write(
            f"{'Dry run: ' if dry_run else ''}{c['offers']} offers, {c['changed']} changed "
            f"({c['raised']} up, {c['lowered']} down), {c['applied']} applied, "
            f"{c['drafted']} sent to review; at floor {c['at_floor']}, raised to floor "
            f"{c['raised_to_floor']}, ceiling below floor {c['ceiling_below_floor']}, "
            f"bad input {c['bad_input']}; {out.timings['load']:.2f}s load, "
            f"{out.timings['compute']:.2f}s compute, {out.timings['write']:.2f}s write"
            + (f"; run #{out.run_id}" if out.run_id else "")
            + f"; {out.report_mode} run, {c['skipped']} unchanged offers skipped"
        )
        for entry in out.report["bad_input"][:20]:
            self.stderr.write(f"listing {entry['listing_id']}: {entry['reason']}")
