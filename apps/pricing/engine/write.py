"""Writing a chunk back set-based: the temporary tables, the owners' services, the markers.

The changed offers are copied into a temporary table and handed to catalog's and review's
set-based services (the owners of those tables) before pricing inserts its PriceChange rows;
then the priced offers are marked for incremental runs (apps.pricing.incremental).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from apps.catalog.models import Listing
from apps.catalog.services import listing_prices_apply_many
from apps.core.copy import frame_csv
from apps.core.money import ZERO_DECIMAL_CURRENCIES
from apps.review import batch as review_batch
from apps.review.models import Policy
from apps.review.policies import changes_within_limit
from apps.review.services import Provenance

from .. import incremental as I
from .. import strategies as S
from ..models import RepricingRun

if TYPE_CHECKING:
    from apps.accounts.models import Organization

log = logging.getLogger(__name__)
PRICE_KIND = "price_change"

TMP_COLUMNS = [
    "listing_id",
    "price_version",
    "old_u",
    "new_u",
    "currency",
    "dp",
    "apply",
    "strategy_id",
    "binding",
    "reason",
    "comp_u",
    "comp_offer_id",
    "floor_u",
    "ceiling_u",
    "break_even_u",
    "margin",
    "profit_u",
    "cover_source",
    "cover_days",
    "stockout_day",
    "arrival_day",
]
# Dropped first: a caller's outer transaction (the demo seeder, a test) may write several chunks
# or stores before anything commits. The views hand rows to catalog's and review's set-based
# services (which own those tables); they are dropped before commit (TMP_DROP_VIEWS).
TMP_VIEWS = (
    "pricing_tmp_all_targets",
    "pricing_tmp_price_src",
    "pricing_tmp_candidates",
    "pricing_tmp_replaced",
    "pricing_tmp_draft_src",
)
TMP_DROP_VIEWS = f"DROP VIEW IF EXISTS {', '.join(TMP_VIEWS)};"
TMP_SQL = f"""
{TMP_DROP_VIEWS}
DROP TABLE IF EXISTS pricing_tmp_changes, pricing_tmp_applied, pricing_tmp_drafts,
    pricing_tmp_proposed;
CREATE TEMP TABLE pricing_tmp_changes (
    listing_id bigint, price_version bigint, old_u bigint, new_u bigint NOT NULL,
    currency varchar(3), dp int, apply boolean, strategy_id bigint, binding varchar(16),
    reason varchar(300), comp_u bigint, comp_offer_id bigint, floor_u bigint, ceiling_u bigint,
    break_even_u bigint, margin numeric(9, 3), profit_u bigint, cover_source varchar(12),
    cover_days numeric(10, 1), stockout_day int, arrival_day int
) ON COMMIT DROP;
CREATE TEMP TABLE pricing_tmp_applied (listing_id bigint) ON COMMIT DROP;
CREATE TEMP TABLE pricing_tmp_drafts (id bigint, target_id bigint) ON COMMIT DROP;
CREATE TEMP TABLE pricing_tmp_proposed (target_id bigint) ON COMMIT DROP;
CREATE TEMP VIEW pricing_tmp_all_targets AS
    SELECT listing_id AS target_id FROM pricing_tmp_changes;
CREATE TEMP VIEW pricing_tmp_price_src AS
    SELECT listing_id, new_u::numeric / 10000 AS price, old_u::numeric / 10000 AS old_price,
           price_version
    FROM pricing_tmp_changes WHERE apply;
CREATE TEMP VIEW pricing_tmp_candidates AS
    SELECT listing_id AS target_id,
           jsonb_build_object('price', round(new_u::numeric / 10000, dp)::text) AS proposed
    FROM pricing_tmp_changes WHERE NOT apply;
CREATE TEMP VIEW pricing_tmp_replaced AS
    SELECT listing_id AS target_id FROM pricing_tmp_changes WHERE NOT apply
    UNION ALL SELECT listing_id FROM pricing_tmp_applied;
"""
# The drafts for the changes outside the policy, in the columns review.batch.drafts_create_many
# takes. target_version is the price version the proposal was computed from (loaded with the
# offers), not the listing's version now: approval supersedes it if the price moved since.
DRAFT_SRC_SQL = """
CREATE TEMP VIEW pricing_tmp_draft_src AS
SELECT t.listing_id AS target_id, t.price_version AS target_version,
       %(store)s::bigint AS store_id, %(marketplace)s::text AS marketplace, l.language,
       p.category, p.sku || ' · ' || %(store_name)s::text AS title,
       jsonb_build_object('price', round(t.old_u::numeric / 10000, t.dp)::text,
                          'currency', t.currency) AS current,
       jsonb_strip_nulls(jsonb_build_object(
           'price', round(t.new_u::numeric / 10000, t.dp)::text, 'currency', t.currency,
           'floor', round(t.floor_u::numeric / 10000, t.dp)::text,
           'ceiling', round(t.ceiling_u::numeric / 10000, t.dp)::text)) AS proposed,
       'Repricer: ' || t.reason || ' (limited by ' || t.binding || ')' AS rationale,
       jsonb_build_array(
           jsonb_build_object('field', 'floor', 'source', 'repricer',
                              'value', round(t.floor_u::numeric / 10000, t.dp)::text),
           jsonb_build_object('field', 'ceiling', 'source', 'repricer',
                              'value', round(t.ceiling_u::numeric / 10000, t.dp)::text),
           jsonb_build_object('field', 'lowest_competitor', 'source', 'competitors',
                              'value', round(t.comp_u::numeric / 10000, t.dp)::text),
           jsonb_build_object('field', 'margin_pct', 'source', 'repricer',
                              'value', t.margin::text)
       ) || CASE WHEN t.cover_source IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(
           jsonb_build_object('field', 'cover_days', 'source', t.cover_source,
                              'value', t.cover_days::text)) END
         || CASE WHEN t.stockout_day IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(
           jsonb_build_object('field', 'stockout_date', 'source', t.cover_source,
                              'value', (DATE '1970-01-01' + t.stockout_day)::text)) END
         || CASE WHEN t.arrival_day IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(
           jsonb_build_object('field', 'next_inbound', 'source', t.cover_source,
                              'value', (DATE '1970-01-01' + t.arrival_day)::text)) END
       AS evidence,
       0 AS priority
FROM pricing_tmp_changes t
JOIN catalog_listing l ON l.id = t.listing_id AND l.organization_id = %(org)s
JOIN catalog_product p ON p.id = l.product_id
WHERE NOT t.apply
"""
# A change outside the policy that an open draft already proposes is not proposed again.
PENDING_SQL = """
DELETE FROM pricing_tmp_changes t USING pricing_tmp_proposed p
WHERE NOT t.apply AND t.listing_id = p.target_id
"""
CHANGES_SQL = """
INSERT INTO pricing_pricechange
    (created_at, updated_at, organization_id, run_id, listing_id, strategy_id, old_price,
     new_price, currency, binding, reason, competitor_price, competitor_seller, floor, ceiling,
     break_even, margin_pct, profit, outcome, policy_id, policy_run_id, draft_id)
SELECT %(ts)s, %(ts)s, %(org)s, %(run)s, t.listing_id, t.strategy_id, t.old_u::numeric / 10000,
       t.new_u::numeric / 10000, t.currency, t.binding, t.reason, t.comp_u::numeric / 10000,
       coalesce(c.seller_id, ''), t.floor_u::numeric / 10000, t.ceiling_u::numeric / 10000,
       t.break_even_u::numeric / 10000, t.margin, t.profit_u::numeric / 10000,
       CASE WHEN a.listing_id IS NOT NULL THEN 'applied' ELSE 'drafted' END,
       CASE WHEN a.listing_id IS NOT NULL THEN %(policy)s::bigint END,
       CASE WHEN a.listing_id IS NOT NULL THEN %(policy_run)s::bigint END, d.id
FROM pricing_tmp_changes t
LEFT JOIN pricing_tmp_applied a ON a.listing_id = t.listing_id
LEFT JOIN pricing_tmp_drafts d ON d.target_id = t.listing_id
LEFT JOIN pricing_competitoroffer c ON c.id = t.comp_offer_id AND c.organization_id = %(org)s
WHERE a.listing_id IS NOT NULL OR d.id IS NOT NULL
"""


def _nullable(values: np.ndarray, missing: np.ndarray) -> pd.Series:
    return pd.Series(pd.array(np.where(missing, 0, values), dtype="Int64")).mask(missing)


def _change_rows(res: pd.DataFrame, offers: pd.DataFrame, policy: Policy | None) -> pd.DataFrame:
    """The changed offers as rows of pricing_tmp_changes; `apply` = inside the policy, decided
    by review's one auto-approve rule (its array form)."""
    changed = res["changed"].to_numpy()
    ch = res[changed]
    cur = offers["currency"].to_numpy(dtype=object)[changed]
    old = ch["old"].to_numpy()
    new = ch["new"].to_numpy()
    has_old = old > 0
    apply = changes_within_limit(
        max_change_pct=policy.max_change_pct if policy is not None else None, old=old, new=new
    )
    comp = ch["comp_low"].to_numpy()
    sid = ch["strategy_id"].to_numpy()
    return pd.DataFrame(
        {
            "listing_id": ch["listing_id"].to_numpy(),
            "price_version": offers["price_version"].to_numpy()[changed],
            "old_u": _nullable(old, ~has_old),
            "new_u": new,
            "currency": cur,
            "dp": np.where(np.isin(cur, list(ZERO_DECIMAL_CURRENCIES)), 0, 2),
            "apply": np.where(apply, "t", "f"),
            "strategy_id": _nullable(sid, sid <= 0),
            "binding": ch["binding"].to_numpy(),
            "reason": ch["reason"].to_numpy(),
            "comp_u": _nullable(comp, comp <= 0),
            "comp_offer_id": _nullable(ch["comp_offer_id"].to_numpy(), comp <= 0),
            "floor_u": ch["floor"].to_numpy(),
            "ceiling_u": ch["ceiling"].to_numpy(),
            "break_even_u": ch["break_even"].to_numpy(),
            "margin": np.clip(ch["margin_new"].to_numpy(), -999_999, 999_999).round(3),
            "profit_u": _nullable(
                np.rint(np.nan_to_num(ch["profit_new"].to_numpy())).astype(np.int64),
                np.isnan(ch["profit_new"].to_numpy()),
            ),
            **_cover_rows(ch),
        }
    )


def _cover_rows(ch: pd.DataFrame) -> dict[str, pd.Series]:
    """The low-cover rule's evidence columns (NULL where it did not raise, or where the
    frame comes from a caller without them)."""
    n = len(ch)
    if "cover_source" not in ch.columns:
        none = pd.Series([None] * n, dtype=object)
        return {"cover_source": none, "cover_days": none, "stockout_day": none,
                "arrival_day": none}  # fmt: skip
    source = ch["cover_source"].to_numpy(dtype=object)
    days = ch["cover_days"].to_numpy(dtype=np.float64)
    out_day = ch["stockout_day"].to_numpy(dtype=np.int64)
    arrival = ch["arrival_day"].to_numpy(dtype=np.int64)
    return {
        "cover_source": pd.Series(np.where(source == "", None, source), dtype=object),
        "cover_days": pd.Series(np.round(np.clip(days, -1e8, 1e8), 1)),  # NaN → NULL
        "stockout_day": _nullable(out_day, out_day < 0),
        "arrival_day": _nullable(arrival, arrival < 0),
    }


def write_chunk(
    *,
    org: Organization,
    store,
    run: RepricingRun,
    rows: pd.DataFrame,
    policy: Policy | None,
    job_id,
) -> dict:
    """Write one chunk's changes set-based; returns {"applied", "drafted", "conflicts"}.

    Everything goes through the owners' set-based services, in review's lock order: lock the
    open price drafts of these listings (review), update the prices inside the policy
    (catalog), supersede the drafts they replace and create the new ones (review), record the
    policy batch (review), then the PriceChange rows (pricing's own table).
    """
    if rows.empty:
        return {"applied": 0, "drafted": 0, "already_proposed": 0, "conflicts": 0, "steps": {}}
    started = time.perf_counter()
    buf = frame_csv(rows[TMP_COLUMNS])
    ct = ContentType.objects.get_for_model(Listing).id
    params = {
        "org": org.id,
        "store": store.id,
        "marketplace": store.marketplace.code,
        "store_name": store.name,
        "run": run.pk,
        "policy": policy.pk if policy is not None else None,
        "policy_run": None,
        "ts": timezone.now(),
    }
    drafts = {"org": org, "kind": PRICE_KIND, "target_type_id": ct}
    steps: dict[str, tuple[int, float]] = {"csv": (0, time.perf_counter() - started)}

    def step(name: str, func, *args, **kwargs) -> int:
        t0 = time.perf_counter()
        n = func(*args, **kwargs)
        steps[name] = (n, time.perf_counter() - t0)
        return n

    def sql(cursor, statement: str) -> int:
        cursor.execute(statement, params)
        return cursor.rowcount

    with transaction.atomic(), connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute(TMP_SQL)
        cursor.cursor.copy_expert(
            f"COPY pricing_tmp_changes ({', '.join(TMP_COLUMNS)}) FROM STDIN WITH (FORMAT csv)",
            buf,
        )
        cursor.execute("ANALYZE pricing_tmp_changes")
        cursor.execute(DRAFT_SRC_SQL, params)
        steps["copy"] = (0, time.perf_counter() - t0)
        step("lock", review_batch.drafts_lock_open, **drafts, targets="pricing_tmp_all_targets")
        step(
            "proposed",
            review_batch.drafts_open_proposing_into,
            **drafts,
            candidates="pricing_tmp_candidates",
            into="pricing_tmp_proposed",
        )
        step("pending", sql, cursor, PENDING_SQL)
        applied = step(
            "update",
            listing_prices_apply_many,
            org=org,
            store_id=store.id,
            source="pricing_tmp_price_src",
            into="pricing_tmp_applied",
            change_source="repricer",
        )
        step(
            "supersede",
            review_batch.drafts_supersede_open,
            **drafts,
            targets="pricing_tmp_replaced",
            note="Replaced by a newer draft.",
        )
        step(
            "drafts",
            review_batch.drafts_create_many,
            **drafts,
            source="pricing_tmp_draft_src",
            provenance=Provenance(provider="repricer", prompt_version="engine@v1", job_id=job_id),
            into="pricing_tmp_drafts",
        )
        if applied:
            params["policy_run"] = review_batch.policy_run_record(
                org=org,
                policy=policy,
                kind=PRICE_KIND,
                source="repricer",
                count=applied,
                summary={"repricing_run": run.pk, "store": store.pk},
            ).pk
        step("changes", sql, cursor, CHANGES_SQL)
        cursor.execute(TMP_DROP_VIEWS)
        t0 = time.perf_counter()
    steps["commit"] = (0, time.perf_counter() - t0)
    log.debug("write steps: %s", steps)
    return {
        "applied": steps["update"][0],
        "drafted": steps["drafts"][0],
        "already_proposed": steps["pending"][0],
        "conflicts": len(rows) - steps["pending"][0] - steps["changes"][0],
        "steps": {k: round(v[1], 3) for k, v in steps.items()},
    }


def _write_markers(org, now, offers, comps, res, rows) -> None:
    """Mark the priced offers with what they were priced from (apps.pricing.incremental).

    An applied change is marked with its new price when pricing again at that price would not
    move it (one more vectorised pass over those offers), so the engine's own write does not
    make the listing due; a step-limited climb stays due."""
    if offers.empty:
        return
    price_u = offers["old"].to_numpy(dtype=np.int64).copy()
    applied = rows["listing_id"].to_numpy()[rows["apply"].to_numpy() == "t"] if len(rows) else []
    if len(applied):
        idx = np.flatnonzero(np.isin(offers["listing_id"].to_numpy(), applied))
        again = offers.iloc[idx].reset_index(drop=True)
        new = res["new"].to_numpy()[idx]
        again["old"] = new
        again["changes_today"] = again["changes_today"].to_numpy() + 1
        sub = comps[np.isin(comps["listing_id"].to_numpy(), applied)] if len(comps) else comps
        res2 = S.compute(again, sub)
        settled = ~res2["changed"].to_numpy() & (
            res2["status"].to_numpy(dtype=object) != S.DAILY_LIMIT
        )
        price_u[idx[settled]] = new[settled]
    I.write_markers(
        org=org,
        now=now,
        ts=timezone.now(),
        frame=pd.DataFrame(
            {
                "listing_id": offers["listing_id"].to_numpy(),
                "inputs": offers["inputs"].to_numpy(dtype=np.int64),
                "price_u": price_u,
                "comp_version": offers["comp_version"].to_numpy(dtype=np.int64),
                "hours": I.due_hours(offers, comps, res),
            }
        ),
    )
