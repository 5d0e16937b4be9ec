"""Bulk upserts of pricing inputs by natural key, one result per item (the API's
`/costs/bulk-upsert/` and `/competitor-offers/bulk-upsert/`).

- Costs: SKU (+ store) → the product's unit cost (written by catalog's set-based
  `product_unit_costs_set_many`: catalog owns products) and the listing's cost profile
  (first-leg freight, other costs, fulfilment-fee override, price ceiling), upserted in one
  `INSERT … ON CONFLICT DO UPDATE … WHERE … IS DISTINCT FROM …`. Fields an item does not name
  keep their stored value.
- Competitor offers: SKU + store + seller + observation time → one observation (the table's
  unique key), upserted in one statement that answers created / updated / unchanged per item;
  the competitor summaries of the touched pairs are refreshed in the same transaction.

SKUs, stores and listings are looked up within the organization only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.selectors import listing_list, product_list, store_list
from apps.catalog.services import product_unit_costs_set_many
from apps.core.bulk import Outcome, duplicates, upsert_statuses

from .competitors import refresh_competitor_latest
from .models import CostProfile

if TYPE_CHECKING:
    from apps.accounts.models import Organization

PROFILE_FIELDS = ("first_leg_per_unit", "other_per_unit", "fulfilment_fee", "price_ceiling")
NEW_PROFILE = {"first_leg_per_unit": Decimal(0), "other_per_unit": Decimal(0),
               "fulfilment_fee": None, "price_ceiling": None}  # fmt: skip


def _listings(org: Organization, items: list[dict[str, Any]]) -> tuple[dict, set[int]]:
    """{(sku, store id): (listing id, listing currency)} and the organization's store ids among
    those named: two queries whatever the number of items."""
    store_ids = {i["store"] for i in items if i.get("store") is not None}
    stores = set(store_list(org=org).filter(pk__in=store_ids).values_list("pk", flat=True))
    rows = (
        listing_list(org=org)
        .filter(store_id__in=stores, product__sku__in={i["sku"] for i in items})
        .values_list("product__sku", "store_id", "pk", "currency")
    )
    return {(sku, store): (pk, currency) for sku, store, pk, currency in rows}, stores


def _refuse(
    items: list[dict[str, Any]], outcomes: list, listings: dict, stores: set[int], key
) -> None:
    """Per-item errors found against the database: repeats, unknown stores and listings."""
    for index, first in duplicates([key(i) for i in items]).items():
        outcomes[index] = Outcome.error(
            "sku", _("Repeats item %(index)s of this request.") % {"index": first}
        )
    for index, item in enumerate(items):
        if outcomes[index] is not None or item.get("store") is None:
            continue
        if item["store"] not in stores:
            outcomes[index] = Outcome.error("store", _("Unknown store."))
        elif (item["sku"], item["store"]) not in listings:
            outcomes[index] = Outcome.error("sku", _("No listing of this SKU in that store."))


# --- costs -------------------------------------------------------------------------------------

_PROFILES = """
WITH incoming AS (
    SELECT * FROM unnest(%(listing)s::bigint[], %(store)s::bigint[], %(currency)s::varchar[],
                         %(first_leg)s::numeric[], %(other)s::numeric[], %(fee)s::numeric[],
                         %(ceiling)s::numeric[])
        WITH ORDINALITY AS t(listing_id, store_id, currency, first_leg, other, fee, ceiling, ord)
), before AS (
    SELECT c.id, c.listing_id FROM pricing_costprofile c JOIN incoming i USING (listing_id)
), u AS (
    INSERT INTO pricing_costprofile AS c (created_at, updated_at, organization_id, store_id,
        category, listing_id, currency, first_leg_per_unit, other_per_unit, fulfilment_fee,
        price_ceiling)
    SELECT %(ts)s, %(ts)s, %(org)s, i.store_id, '', i.listing_id, i.currency, i.first_leg,
           i.other, i.fee, i.ceiling
    FROM incoming i ORDER BY i.listing_id
    ON CONFLICT (listing_id) WHERE listing_id IS NOT NULL DO UPDATE SET
        currency = EXCLUDED.currency, first_leg_per_unit = EXCLUDED.first_leg_per_unit,
        other_per_unit = EXCLUDED.other_per_unit, fulfilment_fee = EXCLUDED.fulfilment_fee,
        price_ceiling = EXCLUDED.price_ceiling, updated_at = EXCLUDED.updated_at
    WHERE c.organization_id = EXCLUDED.organization_id
      AND (c.currency, c.first_leg_per_unit, c.other_per_unit, c.fulfilment_fee,
           c.price_ceiling)
          IS DISTINCT FROM (EXCLUDED.currency, EXCLUDED.first_leg_per_unit,
                            EXCLUDED.other_per_unit, EXCLUDED.fulfilment_fee,
                            EXCLUDED.price_ceiling)
    RETURNING c.id, c.listing_id, (c.xmax = 0) AS inserted
)
SELECT b.id, b.listing_id, NULL::boolean FROM before b
UNION ALL
SELECT u.id, u.listing_id, u.inserted FROM u
"""


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b) if isinstance(a, Decimal | int) else a == b


def _unit_costs(org: Organization, items: list[dict], outcomes: list) -> dict[int, str]:
    """Write changed unit costs; returns {item index: "updated" | "unchanged"} for the items
    naming a unit cost, and sets the unknown SKUs' errors."""
    products = {
        sku: (pk, cost, currency)
        for pk, sku, cost, currency in product_list(org=org)
        .filter(sku__in={i["sku"] for i in items})
        .values_list("pk", "sku", "unit_cost", "cost_currency")
    }
    status: dict[int, str] = {}
    ids, costs, currencies = [], [], []
    for index, item in enumerate(items):
        if outcomes[index] is not None:
            continue
        if item["sku"] not in products:
            outcomes[index] = Outcome.error("sku", _("Unknown SKU."))
            continue
        if "unit_cost" not in item:
            continue
        pk, cost, currency = products[item["sku"]]
        new_currency = item.get("cost_currency") or currency
        if _same(cost, item["unit_cost"]) and new_currency == currency:
            status[index] = "unchanged"
            continue
        status[index] = "updated"
        ids.append(pk)
        costs.append(item["unit_cost"])
        currencies.append(new_currency)
    product_unit_costs_set_many(org=org, product_ids=ids, unit_costs=costs, currencies=currencies)
    return status


@transaction.atomic
def costs_upsert_many(*, org: Organization, items: list[dict[str, Any]]) -> list[Outcome]:
    """Upsert validated cost items of `org` (`sku`; `unit_cost`/`cost_currency` for the product;
    with `store`, the listing's profile fields); one outcome per item. The id answered is the
    cost profile's (the product's when the item sets only its unit cost)."""
    outcomes: list[Outcome | None] = [None] * len(items)
    listings, stores = _listings(org, items)
    _refuse(items, outcomes, listings, stores, key=lambda i: (i["sku"], i.get("store")))
    unit = _unit_costs(org, items, outcomes)
    profile_items = [
        (index, item)
        for index, item in enumerate(items)
        if outcomes[index] is None
        and item.get("store") is not None
        and any(f in item for f in ("currency", *PROFILE_FIELDS))
    ]
    existing = {
        p["listing_id"]: p
        for p in CostProfile.objects.for_org(org)
        .filter(listing_id__in=[listings[(i["sku"], i["store"])][0] for _n, i in profile_items])
        .values("listing_id", "currency", *PROFILE_FIELDS)
    }
    rows = []
    for _index, item in profile_items:
        listing_id, listing_currency = listings[(item["sku"], item["store"])]
        stored = existing.get(listing_id) or {**NEW_PROFILE, "currency": listing_currency}
        merged = {f: item.get(f, stored[f]) for f in ("currency", *PROFILE_FIELDS)}
        rows.append((listing_id, item["store"], merged))
    profile_status: dict[int, tuple[int, str]] = {}
    if rows:
        with connection.cursor() as cursor:
            cursor.execute(_PROFILES, {
                "ts": timezone.now(), "org": org.pk,
                "listing": [r[0] for r in rows], "store": [r[1] for r in rows],
                "currency": [r[2]["currency"] for r in rows],
                "first_leg": [r[2]["first_leg_per_unit"] for r in rows],
                "other": [r[2]["other_per_unit"] for r in rows],
                "fee": [r[2]["fulfilment_fee"] for r in rows],
                "ceiling": [r[2]["price_ceiling"] for r in rows],
            })  # fmt: skip
            answers = upsert_statuses(cursor.fetchall(), [r[0] for r in rows])
            for (index, _item), (status, pk) in zip(profile_items, answers, strict=True):
                profile_status[index] = (pk, status)
    product_ids = dict(
        product_list(org=org).filter(sku__in={i["sku"] for i in items}).values_list("sku", "pk")
    )
    for index, item in enumerate(items):
        if outcomes[index] is not None:
            continue
        pk, profile = profile_status.get(index, (product_ids.get(item["sku"]), None))
        statuses = {unit.get(index), profile}
        status = next((s for s in ("created", "updated") if s in statuses), "unchanged")
        outcomes[index] = Outcome(status, pk)
    return outcomes  # type: ignore[return-value]


# --- competitor offers -------------------------------------------------------------------------

_OFFERS = """
WITH incoming AS (
    SELECT * FROM unnest(%(listing)s::bigint[], %(seller_id)s::varchar[],
        %(seller_name)s::varchar[], %(price)s::numeric[], %(shipping)s::numeric[],
        %(currency)s::varchar[], %(fulfilment)s::varchar[], %(rating)s::numeric[],
        %(buy_box)s::boolean[], %(observed_at)s::timestamptz[])
        WITH ORDINALITY AS t(listing_id, seller_id, seller_name, price, shipping, currency,
                             fulfilment, rating, is_buy_box, observed_at, ord)
), before AS (
    SELECT o.id, o.listing_id, o.seller_id, o.observed_at FROM pricing_competitoroffer o
    JOIN incoming i USING (listing_id, seller_id, observed_at)
), u AS (
    INSERT INTO pricing_competitoroffer AS o (created_at, updated_at, organization_id,
        listing_id, seller_id, seller_name, price, shipping, currency, fulfilment, rating,
        is_buy_box, observed_at, source)
    SELECT %(ts)s, %(ts)s, %(org)s, i.listing_id, i.seller_id, i.seller_name, i.price,
           i.shipping, i.currency, i.fulfilment, i.rating, i.is_buy_box, i.observed_at, 'api'
    FROM incoming i ORDER BY i.listing_id, i.seller_id, i.observed_at
    ON CONFLICT (listing_id, seller_id, observed_at) DO UPDATE
    SET seller_name = EXCLUDED.seller_name, price = EXCLUDED.price,
        shipping = EXCLUDED.shipping, currency = EXCLUDED.currency,
        fulfilment = EXCLUDED.fulfilment, rating = EXCLUDED.rating,
        is_buy_box = EXCLUDED.is_buy_box, source = EXCLUDED.source, updated_at = now()
    WHERE o.organization_id = EXCLUDED.organization_id
      AND (o.seller_name, o.price, o.shipping, o.currency, o.fulfilment, o.rating, o.is_buy_box)
          IS DISTINCT FROM
          (EXCLUDED.seller_name, EXCLUDED.price, EXCLUDED.shipping, EXCLUDED.currency,
           EXCLUDED.fulfilment, EXCLUDED.rating, EXCLUDED.is_buy_box)
    RETURNING o.id, o.listing_id, o.seller_id, o.observed_at, (o.xmax = 0) AS inserted
)
SELECT b.id, b.listing_id, b.seller_id, b.observed_at, NULL::boolean FROM before b
UNION ALL
SELECT u.id, u.listing_id, u.seller_id, u.observed_at, u.inserted FROM u
"""


@transaction.atomic
def competitor_offers_upsert_many(
    *, org: Organization, items: list[dict[str, Any]]
) -> list[Outcome]:
    """Upsert validated observations of `org` (`sku`, `store`, `seller_id`, `price`,
    `observed_at`, optional `seller_name`, `shipping`, `currency` (default: the listing's),
    `fulfilment`, `rating`, `is_buy_box`); one outcome per item."""
    outcomes: list[Outcome | None] = [None] * len(items)
    listings, stores = _listings(org, items)
    _refuse(items, outcomes, listings, stores,
            key=lambda i: (i["sku"], i["store"], i["seller_id"], i["observed_at"]))  # fmt: skip
    good = [(n, i) for n, i in enumerate(items) if outcomes[n] is None]
    if not good:
        return outcomes  # type: ignore[return-value]
    resolved = [listings[(i["sku"], i["store"])] for _n, i in good]
    currencies = [i.get("currency") or listings[(i["sku"], i["store"])][1] for _n, i in good]
    with connection.cursor() as cursor:
        cursor.execute(_OFFERS, {
            "ts": timezone.now(), "org": org.pk,
            "listing": [pk for pk, _c in resolved],
            "seller_id": [i["seller_id"] for _n, i in good],
            "seller_name": [i.get("seller_name", "") for _n, i in good],
            "price": [i["price"] for _n, i in good],
            "shipping": [i.get("shipping", Decimal(0)) for _n, i in good],
            "currency": currencies,
            "fulfilment": [i.get("fulfilment", "fbm") for _n, i in good],
            "rating": [i.get("rating") for _n, i in good],
            "buy_box": [i.get("is_buy_box", False) for _n, i in good],
            "observed_at": [i["observed_at"] for _n, i in good],
        })  # fmt: skip
        rows = [(pk, (listing, seller, at), inserted)
                for pk, listing, seller, at, inserted in cursor.fetchall()]  # fmt: skip
    keys = [(pk, i["seller_id"], i["observed_at"]) for (_n, i), (pk, _c) in
            zip(good, resolved, strict=True)]  # fmt: skip
    answers = upsert_statuses(rows, keys)
    touched = set()
    for (index, item), (listing_id, _c), (status, pk) in zip(good, resolved, answers, strict=True):
        outcomes[index] = Outcome(status, pk)
        if status != "unchanged":
            touched.add((listing_id, item["seller_id"]))
    if touched:
        refresh_competitor_latest(org_id=org.pk, pairs=sorted(touched))
    return outcomes  # type: ignore[return-value]
