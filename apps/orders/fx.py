"""Exchange rates: look-up, conversion, and the set-based upsert importers write through.

Rates are "units of quote per one base" on a date. Public reference rates (ECB) have no
organization and are EUR-based; an organization may add its own (its bank's, its ERP's), which
win for it alone. Everything is Decimal: a float never touches money here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When

from apps.accounts.models import Organization
from apps.core.errors import NotFound, ValidationFailed
from apps.core.money import quantize

from .models import ExchangeRate

PIVOT = "EUR"  # ECB publishes every rate against the euro
UPSERT_CHUNK = 20_000


class Rate(NamedTuple):
    date: date
    base: str
    quote: str
    rate: Decimal


@dataclass(frozen=True)
class UpsertCounts:
    created: int
    updated: int
    unchanged: int


def rate_on(*, org: Organization, base: str, quote: str, on_date: date) -> Decimal:
    """Units of `quote` for one `base` on `on_date`.

    Takes the latest rate on or before the date (ECB publishes none on weekends and TARGET
    holidays), preferring the organization's own rates to public ones, a direct pair (or its
    inverse) to a cross rate through EUR. Raises NotFound when no path exists.
    """
    base, quote = _code(base), _code(quote)
    if base == quote:
        return Decimal(1)
    direct = _leg(org, base, quote, on_date)
    if direct is not None:
        return direct
    if PIVOT not in (base, quote):
        via_base = _leg(org, PIVOT, base, on_date)
        via_quote = _leg(org, PIVOT, quote, on_date)
        if via_base is not None and via_quote is not None:
            return via_quote / via_base
    raise NotFound(
        f"No exchange rate from {base} to {quote} on or before {on_date.isoformat()} "
        f"(looked for {base}/{quote}, {quote}/{base} and a cross rate through {PIVOT}).",
        code="exchange_rate_missing",
    )


def convert(
    *, org: Organization, amount: Decimal, from_currency: str, to_currency: str, on_date: date
) -> Decimal:
    """`amount` in `to_currency`, rounded half-up to that currency's minor unit."""
    if isinstance(amount, float) or not isinstance(amount, (Decimal, int)):
        raise TypeError(f"convert() takes a Decimal amount, not {type(amount).__name__}")
    rate = rate_on(org=org, base=from_currency, quote=to_currency, on_date=on_date)
    return quantize(Decimal(amount) * rate, _code(to_currency))


def _leg(org: Organization, base: str, quote: str, on_date: date) -> Decimal | None:
    """The best stored rate for the pair in either direction, or None."""
    owners = Q(organization__isnull=True)
    if org is not None:
        owners |= Q(organization=org)
    row = (
        ExchangeRate.objects.filter(owners, date__lte=on_date)
        .filter(Q(base=base, quote=quote) | Q(base=quote, quote=base))
        .annotate(
            inverse=Case(
                When(base=base, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by(F("organization_id").asc(nulls_last=True), "-date", "inverse")
        .values_list("rate", "inverse")
        .first()
    )
    if row is None:
        return None
    rate, inverse = row
    return Decimal(1) / rate if inverse else rate


# One statement for every (currency, day) asked: per pair, the direct leg (either direction)
# and the two legs through EUR, each "the latest on or before the day, the organization's own
# first, the direct direction before the inverse" exactly as `_leg` picks them.
_LEG = """
LEFT JOIN LATERAL (
    SELECT r.rate, (r.base <> {b})::int AS inverse FROM orders_exchangerate r
    WHERE (r.organization_id IS NULL OR r.organization_id = %(org)s) AND r.date <= w.day
      AND ((r.base = {b} AND r.quote = {q}) OR (r.base = {q} AND r.quote = {b}))
    ORDER BY r.organization_id NULLS LAST, r.date DESC, inverse LIMIT 1
) AS {alias} ON true"""
_RATES_SQL = (
    """
SELECT w.cur, w.day, d.rate, d.inverse, vb.rate, vb.inverse, vq.rate, vq.inverse
FROM unnest(%(cur)s::varchar[], %(day)s::date[]) AS w(cur, day)"""
    + _LEG.format(b="w.cur", q="%(to)s", alias="d")
    + _LEG.format(b="%(pivot)s", q="w.cur", alias="vb")
    + _LEG.format(b="%(pivot)s", q="%(to)s", alias="vq")
)


def rates_to(
    *, org: Organization, to_currency: str, pairs: Iterable[tuple[str, date]]
) -> dict[tuple[str, date], Decimal | None]:
    """`rate_on(base=currency, quote=to_currency, on_date=day)` for every (currency, day) in
    `pairs` at once: one query whatever the number of pairs; None where `rate_on` would raise
    NotFound (a missing rate is reported, never taken as 1:1)."""
    to = _code(to_currency)
    wanted = {(_code(c), d) for c, d in pairs}
    out: dict[tuple[str, date], Decimal | None] = {k: Decimal(1) for k in wanted if k[0] == to}
    ask = sorted(k for k in wanted if k[0] != to)
    if not ask:
        return out
    with connection.cursor() as cursor:
        cursor.execute(
            _RATES_SQL,
            {"org": getattr(org, "pk", None), "to": to, "pivot": PIVOT,
             "cur": [c for c, _d in ask], "day": [d for _c, d in ask]},
        )  # fmt: skip
        rows = cursor.fetchall()
    for cur, day, d, d_inv, vb, vb_inv, vq, vq_inv in rows:
        rate = None
        if d is not None:
            rate = Decimal(1) / d if d_inv else d
        elif PIVOT not in (cur, to) and vb is not None and vq is not None:
            via_base = Decimal(1) / vb if vb_inv else vb
            via_quote = Decimal(1) / vq if vq_inv else vq
            rate = via_quote / via_base
        out[(cur, day)] = rate
    return out


def missing_rate_message(currency: str, day: date) -> str:
    """How a missing rate is shown (pages, API, exports)."""
    from django.utils.translation import gettext

    return gettext("no rate for %(currency)s on %(day)s") % {
        "currency": currency, "day": day.isoformat()}  # fmt: skip


def _code(currency: str) -> str:
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValidationFailed(f"{currency!r} is not an ISO 4217 currency code.", field="currency")
    return code


_UPSERT_SQL = """
WITH incoming AS (
    SELECT * FROM unnest(%(dates)s::date[], %(bases)s::varchar[], %(quotes)s::varchar[],
                         %(rates)s::numeric[]) AS t(date, base, quote, rate)
), written AS (
    INSERT INTO {table} (created_at, updated_at, organization_id, base, quote, rate, date, source)
    SELECT now(), now(), %(org_id)s, base, quote, rate, date, %(source)s FROM incoming
    ON CONFLICT ON CONSTRAINT {constraint} {action}
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
"""

_OVERWRITE = """DO UPDATE SET rate = EXCLUDED.rate, source = EXCLUDED.source,
    updated_at = EXCLUDED.updated_at
    WHERE ({table}.rate, {table}.source) IS DISTINCT FROM (EXCLUDED.rate, EXCLUDED.source)"""


@transaction.atomic
def rates_upsert(
    *, org=None, rates: Iterable[Rate], source: str, overwrite: bool = True
) -> UpsertCounts:
    """Store rates with one INSERT … ON CONFLICT per chunk (no per-row ORM round trips).

    `org=None` writes public rates. With `overwrite`, a stored rate for the same day and pair
    takes the new value (a corrected ECB file); without, stored rates win (the demo's invented
    rates must never replace real ones). Later duplicates of a key in `rates` are dropped.
    """
    unique = {(r.date, _code(r.base), _code(r.quote)): r.rate for r in rates}
    if any(rate <= 0 for rate in unique.values()):
        raise ValidationFailed("Exchange rates must be positive.", field="rate")
    table = ExchangeRate._meta.db_table
    action = _OVERWRITE.format(table=table) if overwrite else "DO NOTHING"
    sql = _UPSERT_SQL.format(table=table, constraint="exchangerate_unique_day", action=action)
    items = list(unique.items())
    created = updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(items), UPSERT_CHUNK):
            chunk = items[start : start + UPSERT_CHUNK]
            cursor.execute(
                sql,
                {
                    "dates": [key[0] for key, _ in chunk],
                    "bases": [key[1] for key, _ in chunk],
                    "quotes": [key[2] for key, _ in chunk],
                    "rates": [rate for _, rate in chunk],
                    "org_id": getattr(org, "pk", None),
                    "source": source,
                },
            )
            inserted, changed = cursor.fetchone()
            created += inserted
            updated += changed
    return UpsertCounts(created=created, updated=updated, unchanged=len(items) - created - updated)
