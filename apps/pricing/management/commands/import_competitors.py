"""`manage.py import_competitors ORG FILE [--store ID]`: load competitor offers from a file.

CSV, TSV or XLSX as repricer tools and scrapers export them (see
apps/integrations/competitor_csv/columns.yaml for the columns). Bad lines are listed with their
line numbers; every good line is imported.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Organization
from apps.core.tenancy import tenant_scope
from apps.integrations.competitor_csv.parser import CompetitorFormatError
from apps.pricing.competitor_import import competitor_file_import


class Command(BaseCommand):
    help = "Import competitor offers (CSV, TSV or XLSX) for an organization's listings."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="organization slug")
        parser.add_argument("path", type=Path)
        parser.add_argument("--store", type=int, help="only listings of this store id")
        parser.add_argument("--show-errors", type=int, default=20)

    def handle(self, *args, organization: str, path: Path, store, show_errors: int, **options):
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"No organization with slug {organization!r}.")
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with tenant_scope(org):
                result = competitor_file_import(
                    org=org, data=path.read_bytes(), filename=path.name, store_id=store
                )
        except CompetitorFormatError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        if result.duplicate_of:
            self.stdout.write(f"{path.name}: {result.message}")
            return
        c = result.counts
        self.stdout.write(
            f"Read {result.rows} lines from {path.name}: {result.imported} imported "
            f"({c.created} new, {c.updated} updated, {c.unchanged} unchanged), "
            f"{len(result.errors)} with errors."
        )
        for error in result.errors[:show_errors]:
            self.stderr.write(f"  {error}")
        if len(result.errors) > show_errors:
            self.stderr.write(f"  … and {len(result.errors) - show_errors} more")
