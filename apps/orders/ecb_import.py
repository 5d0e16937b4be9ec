"""Import ECB reference rates as public exchange rates (organization NULL, base EUR).

The file is parsed by the integrations pipeline (`apps/integrations/ecb`); the rates are
written here, by the app that owns them. Public rates belong to no organization, so there is
no ImportRun (a tenant record): re-importing is idempotent through the upsert itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction

from apps.integrations.ecb.parser import LineError, parse, read_source

from .fx import Rate, UpsertCounts, rates_upsert

SOURCE = "ecb"


@dataclass(frozen=True)
class EcbImportResult:
    rates: int
    days: int
    first: date | None
    last: date | None
    counts: UpsertCounts
    errors: list[LineError] = field(default_factory=list)


@transaction.atomic
def ecb_rates_import(*, source: str | bytes | Path) -> EcbImportResult:
    """Parse an eurofxref-hist file (CSV or the ECB's zip) and upsert every good rate at once.

    Re-importing the same file changes nothing; a newer file adds the new days and corrects
    any revised value. Malformed lines are returned as errors, never half-imported.
    """
    parsed = parse(read_source(source))
    counts = rates_upsert(
        org=None,
        rates=(Rate(r.date, "EUR", r.currency, r.rate) for r in parsed.rates),
        source=SOURCE,
    )
    days = parsed.dates
    return EcbImportResult(
        rates=len(parsed.rates),
        days=len(days),
        first=days[0] if days else None,
        last=days[-1] if days else None,
        counts=counts,
        errors=parsed.errors,
    )
