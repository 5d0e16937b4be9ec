"""Bulk upserts of logistics by natural key, one result per item (the API's
`/inventory/bulk-upsert/` and `/tracking-events/bulk-upsert/`).

- Inventory: SKU + warehouse code → one Inventory row. One statement writes every row
  (`INSERT … ON CONFLICT DO UPDATE … WHERE … IS DISTINCT FROM …`) and answers, per item,
  created / updated / unchanged with the row id (a CTE reads the rows as they were). Stock-out
  days and the warehouse's store listings' stock follow, as for the FBA report import.
- Tracking events: carrier + tracking number + time + status + description → one event (the
  table's unique key); parcels are created on first sight (as the tracking import does), an
  event sent again with another location or UTC offset is updated, and each touched parcel's
  status is refreshed from its latest event.

SKUs and warehouses are looked up within the organization only: another organization's are
"unknown", an error for that item.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.selectors import product_list
from apps.core.bulk import Outcome, duplicates, upsert_statuses

from .imports import _PARCEL_REFRESH, _PARCEL_UPSERT, _listing_stock_sync, _stockout_days_record
from .models import Warehouse

if TYPE_CHECKING:
    from apps.accounts.models import Organization

_INVENTORY = """
WITH incoming AS (
    SELECT * FROM unnest(%(products)s::bigint[], %(warehouses)s::bigint[], %(fulfillable)s::int[],
                         %(reserved)s::int[], %(unsellable)s::int[], %(inbound)s::int[],
                         %(vol)s::numeric[])
        WITH ORDINALITY AS t(product_id, warehouse_id, fulfillable, reserved, unsellable,
                             inbound, vol, ord)
), before AS (
    SELECT inv.id, inv.product_id, inv.warehouse_id FROM logistics_inventory inv
    JOIN incoming i USING (product_id, warehouse_id) WHERE inv.organization_id = %(org)s
), u AS (
    INSERT INTO logistics_inventory AS inv (created_at, updated_at, organization_id, product_id,
        warehouse_id, fulfillable, reserved, unsellable, inbound, unit_volume_ft3, reported_at)
    SELECT %(ts)s, %(ts)s, %(org)s, i.product_id, i.warehouse_id, i.fulfillable, i.reserved,
           i.unsellable, i.inbound, i.vol, %(ts)s
    FROM incoming i ORDER BY i.product_id, i.warehouse_id
    ON CONFLICT (product_id, warehouse_id) DO UPDATE SET
        fulfillable = EXCLUDED.fulfillable, reserved = EXCLUDED.reserved,
        unsellable = EXCLUDED.unsellable, inbound = EXCLUDED.inbound,
        unit_volume_ft3 = COALESCE(EXCLUDED.unit_volume_ft3, inv.unit_volume_ft3),
        reported_at = EXCLUDED.reported_at, updated_at = EXCLUDED.updated_at
    WHERE inv.organization_id = EXCLUDED.organization_id
      AND (inv.fulfillable, inv.reserved, inv.unsellable, inv.inbound,
           COALESCE(EXCLUDED.unit_volume_ft3, inv.unit_volume_ft3))
          IS DISTINCT FROM (EXCLUDED.fulfillable, EXCLUDED.reserved, EXCLUDED.unsellable,
                            EXCLUDED.inbound, inv.unit_volume_ft3)
    RETURNING inv.id, inv.product_id, inv.warehouse_id, (inv.xmax = 0) AS inserted
)
SELECT b.id, b.product_id, b.warehouse_id, NULL::boolean FROM before b
UNION ALL
SELECT u.id, u.product_id, u.warehouse_id, u.inserted FROM u
"""


def _sku_ids(org: Organization, skus: set[str]) -> dict[str, int]:
    return dict(product_list(org=org).filter(sku__in=skus).values_list("sku", "pk"))


@transaction.atomic
def inventory_upsert_many(*, org: Organization, items: list[dict[str, Any]]) -> list[Outcome]:
    """Upsert validated inventory items (`sku`, `warehouse` code, the quantities, optional
    `unit_volume_ft3`) of `org`; one outcome per item, in order."""
    outcomes: list[Outcome | None] = [None] * len(items)
    products = _sku_ids(org, {i["sku"] for i in items})
    warehouses = dict(
        Warehouse.objects.for_org(org)
        .filter(code__in={i["warehouse"] for i in items})
        .values_list("code", "pk")
    )
    repeated = duplicates([(i["sku"], i["warehouse"]) for i in items])
    good: list[tuple[int, int, int, dict]] = []
    for index, item in enumerate(items):
        if index in repeated:
            outcomes[index] = Outcome.error(
                "sku", _("Repeats item %(index)s of this request.") % {"index": repeated[index]}
            )
        elif item["sku"] not in products:
            outcomes[index] = Outcome.error("sku", _("Unknown SKU."))
        elif item["warehouse"] not in warehouses:
            outcomes[index] = Outcome.error("warehouse", _("Unknown warehouse code."))
        else:
            good.append((index, products[item["sku"]], warehouses[item["warehouse"]], item))
    if not good:
        return outcomes  # type: ignore[return-value]
    params = {
        "ts": timezone.now(),
        "org": org.pk,
        "products": [g[1] for g in good],
        "warehouses": [g[2] for g in good],
        "fulfillable": [g[3]["fulfillable"] for g in good],
        "reserved": [g[3].get("reserved", 0) for g in good],
        "unsellable": [g[3].get("unsellable", 0) for g in good],
        "inbound": [g[3].get("inbound", 0) for g in good],
        "vol": [g[3].get("unit_volume_ft3") for g in good],
    }
    with connection.cursor() as cursor:
        cursor.execute(_INVENTORY, params)
        rows = [(pk, (product, warehouse), inserted)
                for pk, product, warehouse, inserted in cursor.fetchall()]  # fmt: skip
    answers = upsert_statuses(rows, [(g[1], g[2]) for g in good])
    changed: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for (index, product_id, warehouse_id, item), (status, pk) in zip(good, answers, strict=True):
        outcomes[index] = Outcome(status, pk)
        if status != "unchanged":
            changed[warehouse_id][0].append(product_id)
            changed[warehouse_id][1].append(item["fulfillable"])
    for warehouse in Warehouse.objects.for_org(org).filter(pk__in=list(changed)):
        product_ids, stocks = changed[warehouse.pk]
        _stockout_days_record(
            org=org,
            warehouse=warehouse,
            params={"ts": params["ts"], "org": org.pk, "wh": warehouse.pk,
                    "products": product_ids, "fulfillable": stocks},
        )  # fmt: skip
        _listing_stock_sync(org=org, warehouse=warehouse, product_ids=product_ids, stocks=stocks)
    return outcomes  # type: ignore[return-value]


# --- tracking events ---------------------------------------------------------------------------

_EVENTS = """
WITH incoming AS (
    SELECT e.*, p.id AS parcel_id
    FROM unnest(%(nums)s::varchar[], %(carriers)s::varchar[], %(ats)s::timestamptz[],
                %(offs)s::smallint[], %(statuses)s::varchar[], %(locs)s::varchar[],
                %(descrs)s::varchar[])
         WITH ORDINALITY AS e(num, carrier, at, off, status, loc, descr, ord)
    JOIN logistics_parcel p ON p.organization_id = %(org)s AND p.carrier = e.carrier
         AND p.tracking_number = e.num
), before AS (
    SELECT ev.id, ev.parcel_id, ev.at, ev.status, ev.description
    FROM logistics_trackingevent ev
    JOIN incoming i ON ev.parcel_id = i.parcel_id AND ev.at = i.at AND ev.status = i.status
         AND ev.description = i.descr
), u AS (
    INSERT INTO logistics_trackingevent AS ev (created_at, updated_at, organization_id,
        parcel_id, at, utc_offset_min, status, location, description)
    SELECT %(ts)s, %(ts)s, %(org)s, i.parcel_id, i.at, i.off, i.status, i.loc, i.descr
    FROM incoming i ORDER BY i.parcel_id, i.at, i.status, i.descr
    ON CONFLICT (parcel_id, at, status, description) DO UPDATE SET
        location = EXCLUDED.location, utc_offset_min = EXCLUDED.utc_offset_min,
        updated_at = EXCLUDED.updated_at
    WHERE ev.organization_id = EXCLUDED.organization_id
      AND (ev.location, ev.utc_offset_min)
          IS DISTINCT FROM (EXCLUDED.location, EXCLUDED.utc_offset_min)
    RETURNING ev.id, ev.parcel_id, ev.at, ev.status, ev.description, (ev.xmax = 0) AS inserted
)
SELECT b.id, p.carrier, p.tracking_number, b.at, b.status, b.description, NULL::boolean,
       b.parcel_id
FROM before b JOIN logistics_parcel p ON p.id = b.parcel_id
UNION ALL
SELECT u.id, p.carrier, p.tracking_number, u.at, u.status, u.description, u.inserted,
       u.parcel_id
FROM u JOIN logistics_parcel p ON p.id = u.parcel_id
"""


@transaction.atomic
def tracking_events_upsert_many(*, org: Organization, items: list[dict[str, Any]]) -> list[Outcome]:
    """Upsert validated tracking events (`carrier`, `tracking_number`, `at`, `status`,
    optional `description`, `location`, `utc_offset_min`) of `org`; one outcome per item."""
    outcomes: list[Outcome | None] = [None] * len(items)
    keys = [(i["carrier"], i["tracking_number"], i["at"], i["status"], i.get("description", ""))
            for i in items]  # fmt: skip
    repeated = duplicates(keys)
    for index, first in repeated.items():
        outcomes[index] = Outcome.error(
            "tracking_number", _("Repeats item %(index)s of this request.") % {"index": first}
        )
    good = [(index, item) for index, item in enumerate(items) if index not in repeated]
    ts = timezone.now()
    params: dict[str, Any] = {
        "ts": ts,
        "org": org.pk,
        "nums": [i["tracking_number"] for _n, i in good],
        "carriers": [i["carrier"] for _n, i in good],
        "ats": [i["at"] for _n, i in good],
        "offs": [i.get("utc_offset_min", 0) for _n, i in good],
        "statuses": [i["status"] for _n, i in good],
        "locs": [i.get("location", "") for _n, i in good],
        "descrs": [i.get("description", "") for _n, i in good],
    }
    with connection.cursor() as cursor:
        cursor.execute(_PARCEL_UPSERT, params)
        cursor.execute(_EVENTS, params)
        rows = cursor.fetchall()
        touched = sorted({row[7] for row in rows if row[6] is not None})
        if touched:
            cursor.execute(_PARCEL_REFRESH, {"ts": ts, "org": org.pk, "ids": touched})
    answers = upsert_statuses(
        [(row[0], row[1:6], row[6]) for row in rows], [keys[index] for index, _i in good]
    )
    for (index, _item), (status, pk) in zip(good, answers, strict=True):
        outcomes[index] = Outcome(status, pk)
    return outcomes  # type: ignore[return-value]
