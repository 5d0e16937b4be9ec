"""Set-based bulk writes of pricing inputs: competitor observations and costs.

Used by the competitor-file importer, the bulk API endpoints and the demo seeder. Each call is
a handful of statements whatever the number of rows (arrays unnested in PostgreSQL), never one
query per row. Validation of shape happens before (parser, serializers); rows here are clean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection, transaction

from apps.catalog.services import product_unit_costs_set_many

from .competitors import refresh_competitor_latest
from .models import CompetitorOffer, CostProfile

if TYPE_CHECKING:
    from apps.accounts.models import Organization

CHUNK = 20_000


@dataclass(frozen=True)
class OfferValues:
    listing_id: int
    seller_id: str
    seller_name: str
    price: Decimal
    shipping: Decimal
    currency: str
    fulfilment: str
    rating: Decimal | None
    is_buy_box: bool
    observed_at: datetime


@dataclass(frozen=True)
class UpsertCounts:
    created: int
    updated: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


_OFFERS_SQL = """
WITH incoming AS (
    SELECT * FROM unnest(%(listing)s::bigint[], %(seller_id)s::varchar[],
        %(seller_name)s::varchar[], %(price)s::numeric[], %(shipping)s::numeric[],
        %(currency)s::varchar[], %(fulfilment)s::varchar[], %(rating)s::numeric[],
        %(buy_box)s::boolean[], %(observed_at)s::timestamptz[])
    AS t(listing_id, seller_id, seller_name, price, shipping, currency, fulfilment, rating,
         is_buy_box, observed_at)
), upserted AS (
    -- In key order, so two concurrent calls take the rows' locks in the same order.
    INSERT INTO {table} AS o (created_at, updated_at, organization_id, listing_id, seller_id,
        seller_name, price, shipping, currency, fulfilment, rating, is_buy_box, observed_at,
        source)
    SELECT now(), now(), %(org)s, i.listing_id, i.seller_id, i.seller_name, i.price, i.shipping,
        i.currency, i.fulfilment, i.rating, i.is_buy_box, i.observed_at, %(source)s
    FROM incoming i
    ORDER BY i.listing_id, i.seller_id, i.observed_at
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
    -- xmax is 0 on a freshly inserted row version, set on one the conflict updated.
    RETURNING (o.xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
"""


@transaction.atomic
def competitor_offers_upsert(
    *, org: Organization, offers: Iterable[OfferValues], source: str = "api"
) -> UpsertCounts:
    """Store competitor observations; one row per (listing, seller, observed_at).

    Every observation is kept (history for charts); re-sending the same observation updates
    it instead of duplicating it: an INSERT ... ON CONFLICT on the table's unique key, so
    concurrent calls with the same rows store each once (the second waits, then updates
    nothing). The listings must already be known to belong to `org`
    (the callers resolve them within the organization). Later duplicates in `offers` win.
    Each chunk also refreshes the competitor summary of the pairs it wrote (same transaction).
    """
    unique = {(o.listing_id, o.seller_id, o.observed_at): o for o in offers}
    items = list(unique.values())
    table = CompetitorOffer._meta.db_table
    sql = _OFFERS_SQL.format(table=table)
    created = updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            cursor.execute(
                sql,
                {
                    "org": org.pk,
                    "source": source[:32],
                    "listing": [o.listing_id for o in chunk],
                    "seller_id": [o.seller_id for o in chunk],
                    "seller_name": [o.seller_name for o in chunk],
                    "price": [o.price for o in chunk],
                    "shipping": [o.shipping for o in chunk],
                    "currency": [o.currency for o in chunk],
                    "fulfilment": [o.fulfilment for o in chunk],
                    "rating": [o.rating for o in chunk],
                    "buy_box": [o.is_buy_box for o in chunk],
                    "observed_at": [o.observed_at for o in chunk],
                },
            )
            inserted, changed = cursor.fetchone()
            created += inserted
            updated += changed
            if inserted or changed:
                refresh_competitor_latest(
                    org_id=org.pk, pairs=[(o.listing_id, o.seller_id) for o in chunk]
                )
    return UpsertCounts(created, updated, len(items) - created - updated)


# --- costs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCostValues:
    product_id: int
    unit_cost: Decimal
    cost_currency: str


@transaction.atomic
def product_unit_costs_update(*, org: Organization, rows: Iterable[UnitCostValues]) -> UpsertCounts:
    """Set products' unit cost through catalog's set-based service (catalog owns products);
    only products whose cost moved are written. Ids of other organizations match nothing."""
    unique = {r.product_id: r for r in rows}
    items = list(unique.values())
    updated = 0
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        updated += product_unit_costs_set_many(
            org=org,
            product_ids=[r.product_id for r in chunk],
            unit_costs=[r.unit_cost for r in chunk],
            currencies=[r.cost_currency for r in chunk],
        )
    return UpsertCounts(0, updated, len(items) - updated)


@dataclass(frozen=True)
class CostProfileValues:
    store_id: int
    category: str
    listing_id: int | None
    currency: str
    first_leg_per_unit: Decimal
    other_per_unit: Decimal
    fulfilment_fee: Decimal | None
    price_ceiling: Decimal | None


COST_PROFILE_FIELDS = ("currency", "first_leg_per_unit", "other_per_unit", "fulfilment_fee",
                       "price_ceiling")  # fmt: skip


@transaction.atomic
def cost_profiles_upsert(*, org: Organization, rows: Iterable[CostProfileValues]) -> UpsertCounts:
    """Create or replace cost profiles keyed by (store, category) or by listing.

    Reads the existing profiles of the stores concerned in one query, then one bulk_create
    and one bulk_update: three statements for any number of rows."""
    unique = {(r.store_id, r.category if r.listing_id is None else "", r.listing_id): r
              for r in rows}  # fmt: skip
    store_ids = {key[0] for key in unique}
    existing = {
        (p.store_id, p.category if p.listing_id is None else "", p.listing_id): p
        for p in CostProfile.objects.for_org(org).filter(store_id__in=store_ids)
    }
    create, update = [], []
    for key, row in unique.items():
        profile = existing.get(key)
        values = {f: getattr(row, f) for f in COST_PROFILE_FIELDS}
        if profile is None:
            create.append(
                CostProfile(
                    organization=org,
                    store_id=row.store_id,
                    category=row.category if row.listing_id is None else "",
                    listing_id=row.listing_id,
                    **values,
                )
            )
        elif any(getattr(profile, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(profile, f, v)
            update.append(profile)
    CostProfile.objects.bulk_create(create, batch_size=5000)
    CostProfile.objects.for_org(org).bulk_update(update, COST_PROFILE_FIELDS, batch_size=5000)
    return UpsertCounts(len(create), len(update), len(unique) - len(create) - len(update))
