"""Writes of analytics — only to its own tables: imported traffic and candidate products."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from apps.catalog.models import Listing, Marketplace, Product
from apps.core.errors import ValidationFailed
from apps.core.money import CURRENCIES
from apps.integrations.tabular.errors import LineError

from .models import Candidate, TrafficDay

MAX_REPORT_DAYS = 366


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[LineError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "errors": [e.as_dict() for e in self.errors],
        }


def _spread(total: int, days: int) -> list[int]:
    """`total` split over `days` whole numbers that add up to it (the remainder on the first)."""
    share, rest = divmod(total, days)
    return [share + (1 if n < rest else 0) for n in range(days)]


@transaction.atomic
def traffic_import(
    *,
    org,
    store,
    start: date,
    end: date,
    data: bytes = b"",
    filename: str = "",
    records: list[dict] | None = None,
):
    """A business report for `store` covering `start`..`end`: sessions and page views per child
    ASIN (or SKU) spread evenly over the days (the report has no daily split), replacing what
    the days held. Rows naming no product of the store are line errors; the others are kept."""
    from apps.integrations.amazon_business_report.parser import parse, parse_records

    if store.organization_id != org.pk:
        raise ValidationFailed(_("No such store."), field="store")
    if end < start or (end - start).days >= MAX_REPORT_DAYS:
        raise ValidationFailed(_("The report's period must be 1 to 366 days."), field="end")
    parsed = parse_records(records) if records is not None else parse(data, filename)
    filename = filename or "api"
    result = ImportResult(errors=list(parsed.errors))
    listings = (
        Listing.objects.for_org(org)
        .filter(store=store)
        .values_list("external_id", "product_id", "product__sku")
    )
    by_asin = {a.upper(): p for a, p, _s in listings if a}
    by_sku = {s: p for _a, p, s in listings}
    by_sku.update(dict(Product.objects.for_org(org).values_list("sku", "id")))
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    totals: dict[int, list[int]] = {}
    for row in parsed.rows:
        product = by_asin.get(row.child_asin) or by_sku.get(row.sku)
        if product is None:
            result.errors.append(
                LineError(
                    row.line,
                    _("no product in this store has ASIN/SKU %(key)s")
                    % {"key": row.child_asin or row.sku},
                )
            )
            continue
        acc = totals.setdefault(product, [0, 0])
        acc[0] += row.sessions
        acc[1] += row.page_views
    existing = set(
        TrafficDay.objects.for_org(org)
        .filter(store=store, day__gte=start, day__lte=end, product_id__in=totals)
        .values_list("product_id", "day")
    )
    TrafficDay.objects.for_org(org).filter(
        store=store, day__gte=start, day__lte=end, product_id__in=totals
    ).delete()
    rows = []
    for product, (sessions, views) in totals.items():
        for day, s, v in zip(
            days, _spread(sessions, len(days)), _spread(views, len(days)), strict=True
        ):
            rows.append(
                TrafficDay(
                    organization=org,
                    store=store,
                    product_id=product,
                    day=day,
                    sessions=s,
                    page_views=v,
                    source=filename[:200],
                )
            )
    TrafficDay.objects.bulk_create(rows, batch_size=5000)
    result.updated = len(existing)
    result.created = len(rows) - len(existing)
    result.errors.sort(key=lambda e: e.line)
    _refresh_on_commit(org)
    return result


def _refresh_on_commit(org) -> None:
    from .tasks import profit_refresh_task

    transaction.on_commit(lambda: profit_refresh_task.delay(org.pk))


@transaction.atomic
def candidates_import(
    *, org, source: str, data: bytes = b"", filename: str = "", records: list[dict] | None = None
) -> ImportResult:
    """Candidate products with their market data, keyed on (source, name): importing the same
    file again updates them."""
    from apps.integrations.candidate_products.parser import parse, parse_records

    source = (source or "").strip()
    if not source:
        raise ValidationFailed(_("Name the source of the market data."), field="source")
    if len(source) > 200:
        raise ValidationFailed(
            _("The source name is too long (200 characters at most)."), field="source"
        )
    parsed = parse_records(records) if records is not None else parse(data, filename)
    result = ImportResult(errors=list(parsed.errors))
    markets = {m.code: m for m in Marketplace.objects.all()}
    existing = {c.name: c for c in Candidate.objects.for_org(org).filter(source=source)}
    for row in parsed.rows:
        market = markets.get(row["marketplace"]) if row["marketplace"] else None
        if row["marketplace"] and market is None:
            result.errors.append(
                LineError(
                    row["line"], _("unknown marketplace %(code)s") % {"code": row["marketplace"]}
                )
            )
            continue
        currency = row["currency"] or (market.currency if market else "USD")
        if currency not in CURRENCIES or (row["cost_currency"] or "CNY") not in CURRENCIES:
            result.errors.append(LineError(row["line"], _("unknown currency")))
            continue
        values = {
            k: row[k]
            for k in (
                "category",
                "price",
                "unit_cost",
                "monthly_sales",
                "reviews",
                "rating",
                "sellers",
                "trend_pct",
                "weight_g",
                "length_mm",
                "width_mm",
                "height_mm",
                "estimated",
            )
        }
        values.update(
            marketplace=market,
            currency=currency,
            cost_currency=row["cost_currency"] or "CNY",
            line=row["line"],
        )
        for key in ("price", "unit_cost"):
            if values[key] is not None and values[key] >= Decimal(10) ** 10:
                values[key] = None
        candidate = existing.get(row["name"][:300])
        if candidate is None:
            candidate = Candidate(organization=org, source=source, name=row["name"][:300])
            existing[candidate.name] = candidate
            result.created += 1
        else:
            result.updated += 1
        for key, value in values.items():
            setattr(candidate, key, value)
        candidate.save()
    result.errors.sort(key=lambda e: e.line)
    return result
