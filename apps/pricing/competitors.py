"""The competitor summary: each seller's latest observation per listing, and per-listing totals.

Why: the engine used to pick each seller's latest observation out of the whole observation
history (DISTINCT ON over millions of rows) on every run. Keeping that pick up to date when
observations arrive costs a few index look-ups per incoming row, and lets a run read five rows
per listing, and only for the listings whose market moved (`CompetitorSummary.version`).

Every function here is set-based: one statement per call, whatever the number of rows.
Writers of `CompetitorOffer` call `refresh_competitor_latest` with the (listing, seller) pairs
they wrote: `bulk.competitor_offers_upsert` (imports, bulk API, demo) does it per chunk, and a
post_save signal covers single ORM saves (admin, shell, tests). Bulk loads that bypass both
(COPY, raw SQL) call `rebuild_competitor_summary` afterwards, as migration 0005 did.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

# Each touched pair's newest observation (same order as the engine's old DISTINCT ON: latest
# observed_at, then highest id), upserted only where it differs; returns the listings changed.
_LATEST_SQL = """
WITH pairs AS (
    SELECT DISTINCT p.listing_id, p.seller_id
    FROM unnest(%(listing)s::bigint[], %(seller)s::varchar[]) AS p(listing_id, seller_id)
    JOIN catalog_listing cl ON cl.id = p.listing_id AND cl.organization_id = %(org)s
), fresh AS (
    SELECT c.* FROM pairs p CROSS JOIN LATERAL (
        SELECT c.id, c.listing_id, c.seller_id, c.price + c.shipping AS total, c.currency,
               c.fulfilment, c.rating, c.is_buy_box, c.observed_at
        FROM pricing_competitoroffer c
        WHERE c.organization_id = %(org)s AND c.listing_id = p.listing_id
          AND c.seller_id = p.seller_id
        ORDER BY c.observed_at DESC, c.id DESC LIMIT 1
    ) c
), up AS (
    INSERT INTO pricing_competitorlatest AS l (created_at, updated_at, organization_id,
        listing_id, seller_id, offer_id, total, currency, fulfilment, rating, is_buy_box,
        observed_at)
    SELECT now(), now(), %(org)s, listing_id, seller_id, id, total, currency, fulfilment, rating,
           is_buy_box, observed_at
    FROM fresh
    ON CONFLICT (listing_id, seller_id) DO UPDATE SET
        offer_id = EXCLUDED.offer_id, total = EXCLUDED.total, currency = EXCLUDED.currency,
        fulfilment = EXCLUDED.fulfilment, rating = EXCLUDED.rating,
        is_buy_box = EXCLUDED.is_buy_box, observed_at = EXCLUDED.observed_at, updated_at = now()
    WHERE (l.offer_id, l.total, l.currency, l.fulfilment, l.rating, l.is_buy_box, l.observed_at)
          IS DISTINCT FROM (EXCLUDED.offer_id, EXCLUDED.total, EXCLUDED.currency,
          EXCLUDED.fulfilment, EXCLUDED.rating, EXCLUDED.is_buy_box, EXCLUDED.observed_at)
      AND l.organization_id = %(org)s
    RETURNING l.listing_id
)
SELECT DISTINCT listing_id FROM up
"""

# Per-listing aggregates of the latest rows; `version` + 1 on every refresh of an existing row
# (only listings whose latest rows changed are refreshed).
SUMMARY_SQL = """
INSERT INTO pricing_competitorsummary AS s (created_at, updated_at, organization_id, listing_id,
    sellers, fba, fbm, other, lowest_total, lowest_currency, lowest_seller, buy_box_total,
    buy_box_seller, latest_observed_at, version)
SELECT now(), now(), a.organization_id, a.listing_id, a.sellers, a.fba, a.fbm, a.other,
       lo.total, coalesce(lo.currency, ''), coalesce(lo.seller_id, ''), bb.total,
       coalesce(bb.seller_id, ''), a.latest, 1
FROM (
    SELECT organization_id, listing_id, count(*) AS sellers,
           count(*) FILTER (WHERE fulfilment = 'fba') AS fba,
           count(*) FILTER (WHERE fulfilment = 'fbm') AS fbm,
           count(*) FILTER (WHERE fulfilment NOT IN ('fba', 'fbm')) AS other,
           max(observed_at) AS latest
    FROM pricing_competitorlatest
    WHERE {where}
    GROUP BY organization_id, listing_id
) a
LEFT JOIN LATERAL (
    SELECT x.total, x.currency, x.seller_id FROM pricing_competitorlatest x
    WHERE x.listing_id = a.listing_id ORDER BY x.total, x.offer_id LIMIT 1
) lo ON true
LEFT JOIN LATERAL (
    SELECT x.total, x.seller_id FROM pricing_competitorlatest x
    WHERE x.listing_id = a.listing_id AND x.is_buy_box
    ORDER BY x.observed_at DESC, x.offer_id DESC LIMIT 1
) bb ON true
ON CONFLICT (listing_id) DO UPDATE SET
    sellers = EXCLUDED.sellers, fba = EXCLUDED.fba, fbm = EXCLUDED.fbm, other = EXCLUDED.other,
    lowest_total = EXCLUDED.lowest_total, lowest_currency = EXCLUDED.lowest_currency,
    lowest_seller = EXCLUDED.lowest_seller, buy_box_total = EXCLUDED.buy_box_total,
    buy_box_seller = EXCLUDED.buy_box_seller, latest_observed_at = EXCLUDED.latest_observed_at,
    version = s.version + 1, updated_at = now()
WHERE s.organization_id = EXCLUDED.organization_id
"""

# Whole organizations (or everything): the backfill of migration 0005 and bulk loads.
REBUILD_LATEST_SQL = """
INSERT INTO pricing_competitorlatest (created_at, updated_at, organization_id, listing_id,
    seller_id, offer_id, total, currency, fulfilment, rating, is_buy_box, observed_at)
SELECT DISTINCT ON (c.listing_id, c.seller_id)
       now(), now(), c.organization_id, c.listing_id, c.seller_id, c.id, c.price + c.shipping,
       c.currency, c.fulfilment, c.rating, c.is_buy_box, c.observed_at
FROM pricing_competitoroffer c
WHERE {where}
ORDER BY c.listing_id, c.seller_id, c.observed_at DESC, c.id DESC
"""


def refresh_competitor_latest(*, org_id: int, pairs: Iterable[tuple[int, str]]) -> list[int]:
    """Bring the latest rows of these (listing, seller) pairs up to date; then the summaries of
    the listings whose latest rows changed (their version moves). Returns those listing ids.

    Call it in the transaction that wrote the observations, with pairs of `org_id` only."""
    items = list(pairs)
    if not items:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _LATEST_SQL,
            {
                "org": org_id,
                "listing": [p[0] for p in items],
                "seller": [p[1] for p in items],
            },
        )
        changed = [row[0] for row in cursor.fetchall()]
        if changed:
            cursor.execute(
                SUMMARY_SQL.format(
                    where="organization_id = %(org)s AND listing_id = ANY(%(ids)s::bigint[])"
                ),
                {"org": org_id, "ids": changed},
            )
    return changed


def rebuild_competitor_summary(*, org_id: int | None = None) -> int:
    """Rebuild the latest rows and summaries from the observations (one org, or all of them).

    For data loaded behind the services' back (COPY, raw SQL) and the migration's backfill."""
    where = "TRUE" if org_id is None else "organization_id = %(org)s"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM pricing_competitorsummary WHERE {where}", {"org": org_id})
        cursor.execute(f"DELETE FROM pricing_competitorlatest WHERE {where}", {"org": org_id})
        cursor.execute(
            REBUILD_LATEST_SQL.format(where="TRUE" if org_id is None else "c." + where),
            {"org": org_id},
        )
        rows = cursor.rowcount
        cursor.execute(SUMMARY_SQL.format(where=where), {"org": org_id})
    return rows
