"""`manage.py import_ecb_rates eurofxref-hist.zip`: load ECB reference rates as public rates.

Get the file from https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip. The one-day
eurofxref.zip has another date format and is not supported: import the history file daily.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.integrations.ecb.parser import EcbFormatError
from apps.orders.ecb_import import ecb_rates_import


class Command(BaseCommand):
    help = "Import ECB euro reference rates (eurofxref-hist.csv or .zip) as public rates."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="eurofxref-hist.csv or eurofxref-hist.zip")
        parser.add_argument(
            "--show-errors", type=int, default=20, help="how many line errors to print"
        )

    def handle(self, *args, path: Path, show_errors: int, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = ecb_rates_import(source=path)
        except EcbFormatError as exc:
            raise CommandError(f"{path} is not an ECB history file: {exc}") from exc
        except (ValueError, UnicodeError) as exc:  # a damaged file: a message, no traceback
            raise CommandError(f"{path} could not be read ({exc}); download it again.") from exc
        if result.rates == 0:
            raise CommandError(
                f"{path} holds no rates (cut off after {len(result.errors)} bad lines?); "
                "download it again."
            )
        counts = result.counts
        span = f" ({result.first} … {result.last})" if result.first else ""
        self.stdout.write(
            f"Read {result.rates} rates on {result.days} days{span} from {path.name}: "
            f"{counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged."
        )
        if result.errors:
            self.stderr.write(
                self.style.WARNING(f"{len(result.errors)} malformed entries skipped:")
            )
            for error in result.errors[:show_errors]:
                self.stderr.write(f"  {error}")
            if len(result.errors) > show_errors:
                self.stderr.write(f"  … and {len(result.errors) - show_errors} more")
