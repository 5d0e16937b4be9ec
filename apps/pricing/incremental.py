"""Incremental repricing: which listings' inputs changed since the engine last priced them.

A scheduled run prices only the listings that are due:
  - no marker yet (new, reactivated or never priced listing);
  - their own inputs moved: `RepriceMarker.inputs` is a hash, computed by PostgreSQL as it
    reads the offers, of stock, currency, product category / cost / cost currency /
    dimensions and inventory; `price_u` is the price it was priced at;
  - their market moved: the competitor summary's version differs from the one the run saw;
  - time alone changes the answer (`due_at`): the freshest counted competitor observation ages
    past the strategy's max age, or a daily change limit may have lapsed.
Any change of a store-wide input (strategies and assignments, fee tiers, referral fees, VAT,
cost profiles, own sellers, the auto-approve policy, the exchange rates the last run used)
changes `RepricingState.fingerprint` and makes the run a full one, as are manual runs
("Reprice now", `manage.py reprice --full`), the simulator and dry runs.

The due listings are selected in the query that reads the offers (`DUE_SQL`, with the markers
and the competitor summary joined there), so a regular run reads, computes and writes only
them: the other 95 % of a big store never leave PostgreSQL.

A listing whose change was applied is marked with its new price when pricing it again at that
price would not move it (checked by computing once more): it is not repriced next time for the
engine's own write, while a step-limited climb (not settled yet) stays due.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.forms.models import model_to_dict

from apps.core.copy import copy_frame_into

from . import strategies as S
from .models import RepricingState

if TYPE_CHECKING:
    from apps.accounts.models import Organization

# The listing's own inputs, hashed by PostgreSQL where the offers are read (`inputs`): a
# scheduled run selects the due listings in SQL and ships only those. The price is compared
# on its own (`price_u`), so a listing the engine itself moved to a settled price is marked with
# the new price without re-reading it.
INPUTS_HASH_SQL = """hashtextextended(ROW(l.currency, l.stock, p.category, p.unit_cost,
    p.cost_currency, p.weight_g, p.length_mm, p.width_mm, p.height_mm, inv.units_per_day,
    inv.stock_age_days, inv.lead_time_days)::text, 0)"""
# The price in the engine's integer units (strategies.UNITS; NO_PRICE when there is none).
PRICE_UNITS_SQL = f"coalesce(round(l.price * {S.UNITS})::bigint, {S.NO_PRICE})"
# A listing is due when it has no marker, or its inputs, price or competitor summary version
# differ from what its last run saw, or time alone changes its answer.
DUE_SQL = f"""(m.listing_id IS NULL OR m.inputs <> h.inputs OR m.price_u <> {PRICE_UNITS_SQL}
    OR m.comp_version <> coalesce(s.version, 0) OR m.due_at <= %(now)s)"""

_MARKER_WRITE_SQL = """
DROP TABLE IF EXISTS pricing_tmp_markers;
CREATE TEMP TABLE pricing_tmp_markers (
    listing_id bigint, inputs bigint, price_u bigint, comp_version bigint, due_in float8
) ON COMMIT DROP;
"""
_MARKER_UPSERT_SQL = """
INSERT INTO pricing_repricemarker AS m (created_at, updated_at, organization_id, listing_id,
    inputs, price_u, comp_version, due_at, repriced_at)
SELECT %(ts)s, %(ts)s, %(org)s, listing_id, inputs, price_u, comp_version,
       %(now)s::timestamptz + make_interval(secs => due_in), %(ts)s
FROM pricing_tmp_markers
ON CONFLICT (listing_id) DO UPDATE SET inputs = EXCLUDED.inputs, price_u = EXCLUDED.price_u,
    comp_version = EXCLUDED.comp_version, due_at = EXCLUDED.due_at,
    repriced_at = EXCLUDED.repriced_at, updated_at = EXCLUDED.updated_at
"""
# A listing that left the active set loses its marker: back in it, it is due again.
_DROP_INACTIVE_SQL = """
DELETE FROM pricing_repricemarker m USING catalog_listing l
WHERE m.listing_id = l.id AND m.organization_id = %(org)s AND l.store_id = %(store)s
  AND l.status <> 'active'
"""


# --------------------------------------------------------------------------- store-wide inputs


def _dicts(objs) -> list:
    return [
        {k: str(v) for k, v in sorted(model_to_dict(obj).items())}
        for obj in sorted(objs, key=lambda o: o.pk or 0)
    ]


def _rows(queryset) -> list:
    return _dicts(queryset)


def store_fingerprint(
    *, org: Organization, store, strategies, assignments, profiles, policy, stock_risk: str = ""
) -> str:
    """Hash of every store-wide input of a run (a handful of small tables). `stock_risk`: a
    digest of logistics' stock-out risk and the day it was read for ("" without logistics
    data), so a new plan, an inbound change or a new day makes the next run a full one."""
    from .models import FulfilmentFeeTier, ReferralFee, VatRate

    mkt = store.marketplace
    payload = {
        "marketplace": [mkt.pk, mkt.country, bool(mkt.vat_inclusive)],
        "own": sorted(
            store.__class__.objects.for_org(org)
            .exclude(seller_id="")
            .values_list("seller_id", flat=True)
        ),
        "strategies": _dicts(strategies),
        "assignments": [
            [a.pk, a.strategy_id, a.category, a.listing_id]
            for a in sorted(assignments, key=lambda a: a.pk)
        ],
        "profiles": _dicts(profiles),
        "tiers": _rows(FulfilmentFeeTier.objects.for_org(org).filter(marketplace=mkt)),
        "referral": _rows(ReferralFee.objects.for_org(org).filter(marketplace=mkt)),
        "vat": _rows(VatRate.objects.for_org(org).filter(country=mkt.country)),
        "policy": None if policy is None else [policy.pk, str(policy.max_change_pct)],
    }
    if stock_risk:
        payload["stock_risk"] = stock_risk
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _rate_list(cache: dict) -> list:
    return sorted(
        [b, q, None if (r is None or math.isnan(r)) else r] for (b, q), r in cache.items()
    )


def state_allows_incremental(*, org: Organization, store, fingerprint: str, rates) -> bool:
    """True when the last full run saw the same store-wide inputs and the same rates."""
    state = RepricingState.objects.for_org(org).filter(store=store).first()
    if state is None or state.fingerprint != fingerprint:
        return False
    for base, quote, value in state.rates:
        now = rates.rate(base, quote)
        if (None if math.isnan(now) else now) != value:
            return False
    return True


def state_save(*, org: Organization, store, fingerprint: str, rates, full: bool, now) -> None:
    """Record the fingerprint and the rates used (merged with those of earlier runs)."""
    state = RepricingState.objects.for_org(org).filter(store=store).first()
    used = {(b, q): (np.nan if r is None else r) for b, q, r in (state.rates if state else [])}
    if full:
        used = {}
    used.update(rates.cache)
    values = {"fingerprint": fingerprint, "rates": _rate_list(used)}
    if full:
        values["full_at"] = now
    RepricingState.objects.update_or_create(organization=org, store=store, defaults=values)


def drop_inactive_markers(*, org: Organization, store) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_DROP_INACTIVE_SQL, {"org": org.id, "store": store.id})


# --------------------------------------------------------------------------- per listing


def due_hours(offers: pd.DataFrame, comps: pd.DataFrame, res: pd.DataFrame) -> np.ndarray:
    """Hours from now until time alone changes an offer's answer (inf: never; 0: next run).

    The freshest counted competitor observation leaving the strategy's max age; 0 for offers at
    their daily change limit (the limit lapses as earlier changes age)."""
    n = len(offers)
    hours = np.full(n, np.inf)
    if len(comps) and n:
        ids = offers["listing_id"].to_numpy(dtype=np.int64)
        cl = comps["listing_id"].to_numpy(dtype=np.int64)
        where = np.minimum(np.searchsorted(ids, cl), n - 1)
        known = ids[where] == cl
        left = offers["max_age_hours"].to_numpy(dtype=np.float64)[where] - comps[
            "age_hours"
        ].to_numpy(dtype=np.float64)
        counted = known & (left >= 0)
        np.minimum.at(hours, where[counted], left[counted])
    hours[res["status"].to_numpy(dtype=object) == S.DAILY_LIMIT] = 0.0
    return hours


def write_markers(*, org: Organization, now, ts, frame: pd.DataFrame) -> None:
    """Upsert markers (listing_id, inputs, price_u, comp_version, hours until due), one COPY."""
    if frame.empty:
        return
    hours = frame["hours"].to_numpy(dtype=np.float64)
    # Seconds until due (empty → NULL: never); PostgreSQL adds them to `now`.
    out = pd.DataFrame(
        {
            "listing_id": frame["listing_id"].to_numpy(dtype=np.int64),
            "inputs": frame["inputs"].to_numpy(dtype=np.int64),
            "price_u": frame["price_u"].to_numpy(dtype=np.int64),
            "comp_version": frame["comp_version"].to_numpy(dtype=np.int64),
            "due_in": np.where(np.isinf(hours), np.nan, np.round(hours * 3600.0, 3)),
        }
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_MARKER_WRITE_SQL)
        copy_frame_into(cursor, "pricing_tmp_markers", out)
        cursor.execute(_MARKER_UPSERT_SQL, {"org": org.id, "ts": ts, "now": now})
