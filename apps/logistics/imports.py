"""Stock and tracking imports: files on the shared pipeline (apps.integrations.file_import) and
API rows through the same parsers, written set-based.

- FBA inventory report → Inventory rows of one warehouse (upsert per product × warehouse) and
  the stock of the warehouse's store listings through catalog's `listing_stock_set_many`, which
  moves only the listings' stock aspect (open content drafts are not superseded).
- Tracking events → parcels (upsert by carrier + number), events (insert, duplicates ignored),
  then each touched parcel's status and last scan from its latest event by instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.selectors import product_list
from apps.core.errors import ValidationFailed
from apps.integrations.fba_inventory import parser as fba
from apps.integrations.services import ChunkOutcome, FileImportOutcome, file_import
from apps.integrations.tabular.errors import LineError
from apps.integrations.tracking_csv import parser as tracking

from .models import Warehouse

if TYPE_CHECKING:
    from apps.accounts.models import Organization


@dataclass
class RowsOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)


# --- inventory -------------------------------------------------------------------------------

_INVENTORY_UPSERT = """
INSERT INTO logistics_inventory AS inv (created_at, updated_at, organization_id, product_id,
    warehouse_id, fulfillable, reserved, unsellable, inbound, unit_volume_ft3, reported_at)
SELECT %(ts)s, %(ts)s, %(org)s, r.product_id, %(wh)s, r.fulfillable, r.reserved, r.unsellable,
       r.inbound, r.vol, %(ts)s
FROM unnest(%(products)s::bigint[], %(fulfillable)s::int[], %(reserved)s::int[],
            %(unsellable)s::int[], %(inbound)s::int[], %(vol)s::numeric[])
     AS r(product_id, fulfillable, reserved, unsellable, inbound, vol)
ON CONFLICT (product_id, warehouse_id) DO UPDATE SET
    fulfillable = EXCLUDED.fulfillable, reserved = EXCLUDED.reserved,
    unsellable = EXCLUDED.unsellable, inbound = EXCLUDED.inbound,
    unit_volume_ft3 = COALESCE(EXCLUDED.unit_volume_ft3, inv.unit_volume_ft3),
    reported_at = EXCLUDED.reported_at, updated_at = EXCLUDED.updated_at
WHERE (inv.fulfillable, inv.reserved, inv.unsellable, inv.inbound)
      IS DISTINCT FROM (EXCLUDED.fulfillable, EXCLUDED.reserved, EXCLUDED.unsellable,
                        EXCLUDED.inbound)
   OR inv.unit_volume_ft3 IS DISTINCT FROM COALESCE(EXCLUDED.unit_volume_ft3, inv.unit_volume_ft3)
RETURNING (xmax = 0) AS inserted
"""


def _warehouse_check(org: Organization, warehouse: Warehouse) -> None:
    if warehouse.organization_id != org.id:
        raise ValidationFailed(_("No such warehouse."), field="warehouse")


@transaction.atomic
def stock_rows_write(
    *, org: Organization, warehouse: Warehouse, rows: list[fba.StockRow]
) -> RowsOutcome:
    """Upsert stock rows of one warehouse; unknown SKUs are line errors, good rows are kept."""
    _warehouse_check(org, warehouse)
    out = RowsOutcome()
    if not rows:
        return out
    skus = {r.sku.upper() for r in rows}
    ids = {
        sku.upper(): pk
        for pk, sku in product_list(org=org)
        .filter(sku__in=_case_variants(rows))
        .values_list("pk", "sku")
    }
    known = []
    for r in rows:
        pk = ids.get(r.sku.upper())
        if pk is None:
            out.errors.append(LineError(r.line, _("unknown SKU %(sku)s") % {"sku": r.sku}))
        else:
            known.append((pk, r))
    del skus
    if not known:
        return out
    params = {
        "ts": timezone.now(),
        "org": org.pk,
        "wh": warehouse.pk,
        "products": [pk for pk, _r in known],
        "fulfillable": [r.fulfillable for _pk, r in known],
        "reserved": [r.reserved for _pk, r in known],
        "unsellable": [r.unsellable for _pk, r in known],
        "inbound": [r.inbound for _pk, r in known],
        "vol": [r.unit_volume_ft3 for _pk, r in known],
    }
    with connection.cursor() as cursor:
        cursor.execute(_INVENTORY_UPSERT, params)
        flags = [row[0] for row in cursor.fetchall()]
    out.created = sum(flags)
    out.updated = len(flags) - out.created
    out.unchanged = len(known) - len(flags)
    _stockout_days_record(org=org, warehouse=warehouse, params=params)
    _listing_stock_sync(
        org=org, warehouse=warehouse, product_ids=params["products"], stocks=params["fulfillable"]
    )
    return out


def _stockout_days_record(*, org: Organization, warehouse: Warehouse, params: dict) -> None:
    """Today is a stock-out day for every product reported with nothing fulfillable (the
    forecast excludes such days)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO logistics_stockoutday (created_at, updated_at, organization_id,
                                               product_id, warehouse_id, day)
            SELECT %(ts)s, %(ts)s, %(org)s, r.product_id, %(wh)s, %(day)s
            FROM unnest(%(products)s::bigint[], %(fulfillable)s::int[]) AS r(product_id, f)
            WHERE r.f = 0
            ON CONFLICT (product_id, warehouse_id, day) DO NOTHING
            """,
            {**params, "day": timezone.localdate()},
        )


def _case_variants(rows: list[fba.StockRow]) -> list[str]:
    return list({v for r in rows for v in (r.sku, r.sku.upper(), r.sku.lower())})


def _listing_stock_sync(
    *, org: Organization, warehouse: Warehouse, product_ids: list[int], stocks: list[int]
) -> int:
    """The warehouse's store listings show its fulfillable units (catalog's set-based service:
    only the stock aspect moves)."""
    if warehouse.store_id is None:
        return 0
    from apps.catalog.selectors import listing_list
    from apps.catalog.services import listing_stock_set_many

    by_product = dict(zip(product_ids, stocks, strict=True))
    pairs = (
        listing_list(org=org)
        .filter(store_id=warehouse.store_id, product_id__in=product_ids)
        .values_list("pk", "product_id")
    )
    listing_ids = [pk for pk, _p in pairs]
    return listing_stock_set_many(
        org=org, listing_ids=listing_ids, stocks=[by_product[p] for _pk, p in pairs]
    )


def fba_inventory_import(
    *, org: Organization, warehouse: Warehouse, source, filename: str = "", actor=None
) -> FileImportOutcome:
    """Import an FBA inventory report into `warehouse`; the same bytes twice are a no-op."""
    _warehouse_check(org, warehouse)

    def apply_chunk(chunk) -> ChunkOutcome:
        fba.check_stock(chunk)
        written = stock_rows_write(org=org, warehouse=warehouse, rows=fba.stock_rows(chunk.good()))
        return ChunkOutcome(written.created, written.updated, written.unchanged, written.errors)

    return file_import(
        org=org,
        kind=fba.KIND,
        source=source,
        filename=filename,
        open_reader=fba.open_report,
        apply_chunk=apply_chunk,
        actor=actor,
        target=f"warehouse:{warehouse.pk}",
    )


def inventory_records_import(
    *, org: Organization, warehouse: Warehouse, records: list[dict[str, Any]]
) -> RowsOutcome:
    """API rows with the report's column names, through the report's rules."""
    rows, errors = fba.parse_records(records)
    out = stock_rows_write(org=org, warehouse=warehouse, rows=rows)
    out.errors = sorted([*errors, *out.errors], key=lambda e: e.line)
    return out


# --- tracking --------------------------------------------------------------------------------

_PARCEL_UPSERT = """
INSERT INTO logistics_parcel (created_at, updated_at, organization_id, tracking_number, carrier,
    origin_country, destination_country, mode, status)
SELECT DISTINCT %(ts)s, %(ts)s, %(org)s, t.num, t.carrier, '', '', 'express', 'Pending'
FROM unnest(%(nums)s::varchar[], %(carriers)s::varchar[]) AS t(num, carrier)
ON CONFLICT (organization_id, carrier, tracking_number) DO NOTHING
"""
_EVENT_INSERT = """
INSERT INTO logistics_trackingevent (created_at, updated_at, organization_id, parcel_id, at,
    utc_offset_min, status, location, description)
SELECT %(ts)s, %(ts)s, %(org)s, p.id, e.at, e.off, e.status, e.loc, e.descr
FROM unnest(%(nums)s::varchar[], %(carriers)s::varchar[], %(ats)s::timestamptz[],
            %(offs)s::smallint[], %(statuses)s::varchar[], %(locs)s::varchar[],
            %(descrs)s::varchar[]) AS e(num, carrier, at, off, status, loc, descr)
JOIN logistics_parcel p ON p.organization_id = %(org)s AND p.carrier = e.carrier
     AND p.tracking_number = e.num
WHERE e.at IS NOT NULL
ON CONFLICT (parcel_id, at, status, description) DO NOTHING
"""
# Each touched parcel takes its latest event's status (by instant); first scan = shipped.
_PARCEL_REFRESH = """
UPDATE logistics_parcel p SET status = last.status, last_event_at = last.at,
    shipped_at = COALESCE(p.shipped_at, first.at),
    delivered_at = CASE WHEN last.status = 'Delivered' THEN last.at ELSE NULL END,
    origin_country = COALESCE(NULLIF(p.origin_country, ''),
                              substring(first.location from ',\\s*([A-Z]{2})$'), ''),
    destination_country = CASE WHEN last.status = 'Delivered' AND p.destination_country = ''
        THEN COALESCE(substring(last.location from ',\\s*([A-Z]{2})$'), '')
        ELSE p.destination_country END,
    updated_at = %(ts)s
FROM (SELECT DISTINCT ON (parcel_id) parcel_id, status, at, location
      FROM logistics_trackingevent
      WHERE organization_id = %(org)s AND parcel_id = ANY(%(ids)s::bigint[])
      ORDER BY parcel_id, at DESC, id DESC) last,
     (SELECT DISTINCT ON (parcel_id) parcel_id, at, location FROM logistics_trackingevent
      WHERE organization_id = %(org)s AND parcel_id = ANY(%(ids)s::bigint[])
      ORDER BY parcel_id, at, id) first
WHERE p.id = last.parcel_id AND p.id = first.parcel_id AND p.organization_id = %(org)s
"""


@transaction.atomic
def tracking_rows_write(*, org: Organization, rows: list[tracking.EventRow]) -> RowsOutcome:
    """Parcels upserted, events inserted (an event seen before is ignored), statuses refreshed.
    A row without a carrier is refused (a number is unique per carrier only)."""
    out = RowsOutcome()
    good = []
    for r in rows:
        if not r.carrier:
            out.errors.append(LineError(r.line, _("the carrier (slug) is empty")))
        else:
            good.append(r)
    if not good:
        return out
    ts = timezone.now()
    nums = [r.tracking_number for r in good]
    carriers = [r.carrier for r in good]
    params: dict[str, Any] = {"ts": ts, "org": org.pk, "nums": nums, "carriers": carriers}
    with connection.cursor() as cursor:
        cursor.execute(_PARCEL_UPSERT, params)
        params.update(
            ats=[r.at for r in good],
            offs=[r.utc_offset_min for r in good],
            statuses=[r.status for r in good],
            locs=[r.location[:200] for r in good],
            descrs=[r.description[:500] for r in good],
        )
        cursor.execute(_EVENT_INSERT, params)
        out.created = cursor.rowcount
        out.unchanged = sum(1 for r in good if r.at is not None) - out.created
        cursor.execute(
            "SELECT id FROM logistics_parcel WHERE organization_id = %s AND "
            "(carrier, tracking_number) IN (SELECT * FROM unnest(%s::varchar[], %s::varchar[]))",
            [org.pk, carriers, nums],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(_PARCEL_REFRESH, {"ts": ts, "org": org.pk, "ids": ids})
        out.updated = cursor.rowcount
    return out


def tracking_import(
    *, org: Organization, source, filename: str = "", actor=None
) -> FileImportOutcome:
    def apply_chunk(chunk) -> ChunkOutcome:
        tracking.check_events(chunk)
        written = tracking_rows_write(org=org, rows=tracking.event_rows(chunk.good()))
        return ChunkOutcome(written.created, written.updated, written.unchanged, written.errors)

    return file_import(
        org=org,
        kind=tracking.KIND,
        source=source,
        filename=filename,
        open_reader=tracking.open_events,
        apply_chunk=apply_chunk,
        actor=actor,
    )


def tracking_records_import(*, org: Organization, records: list[dict[str, Any]]) -> RowsOutcome:
    rows, errors = tracking.parse_records(records)
    out = tracking_rows_write(org=org, rows=rows)
    out.errors = sorted([*errors, *out.errors], key=lambda e: e.line)
    return out


def local_time(at: datetime, offset_min: int) -> datetime:
    """An event's instant in the local time it was scanned in."""
    from datetime import timedelta
    from datetime import timezone as dt_tz

    return at.astimezone(dt_tz(timedelta(minutes=offset_min)))
