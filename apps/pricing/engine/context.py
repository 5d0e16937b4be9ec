"""What a pass reads once and every chunk shares: the COPY reader, exchange rates, the context.

Split from the engine so that loading, computing and writing can all take the same `_Context`
without importing each other.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from apps.catalog.models import Store
from apps.core.errors import NotFound
from apps.core.money import CURRENCIES
from apps.orders.fx import rate_on

from .. import strategies as S
from ..cost import DEFAULT_VAT
from ..inputs import empty_frame, stock_risk_frame
from ..models import CostProfile, ReferralFee, Strategy, VatRate


def _copy_frame(
    sql: str,
    params: list | dict,
    names: list[str],
    dtypes: dict | None = None,
    *,
    hash_joins: bool = False,
):
    """Run a SELECT as COPY ... TO STDOUT (CSV) and parse it with pandas' C reader.

    hash_joins: plan the query without nested loops. The offer queries join a chunk of
    listings (up to 250,000) with the markers and the competitor summary, which a run has
    just rewritten: before autovacuum analyses them, the planner takes them for near-empty and
    a nested loop over them costs minutes (seen: 1.2 s became 2 min at 250,000 offers)."""
    buf = io.StringIO()
    with transaction.atomic(), connection.cursor() as cursor:
        if hash_joins:
            cursor.execute("SELECT set_config('enable_nestloop', 'off', true)")
        query = cursor.mogrify(sql, params).decode()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buf)
    buf.seek(0)
    if buf.getvalue() == "":
        return pd.DataFrame({n: pd.Series(dtype=(dtypes or {}).get(n, "float64")) for n in names})
    return pd.read_csv(buf, header=None, names=names, dtype=dtypes, keep_default_na=True)


def _units(values: pd.Series) -> np.ndarray:
    """Decimal text parsed by pandas → float64 units, exact for prices (NaN stays NaN)."""
    return np.rint(values.to_numpy(dtype=np.float64) * S.UNITS)


class _Rates:
    """Exchange rates for the distinct currency pairs of a pass (a handful, looked up once)."""

    def __init__(self, org, on_date: date):
        self.org, self.on_date, self.cache = org, on_date, {}

    def rate(self, base: str, quote: str) -> float:
        key = (base, quote)
        if key not in self.cache:
            if base not in CURRENCIES or quote not in CURRENCIES:
                self.cache[key] = np.nan
            else:
                try:
                    value = rate_on(org=self.org, base=base, quote=quote, on_date=self.on_date)
                    self.cache[key] = float(value)
                except NotFound:
                    self.cache[key] = np.nan
        return self.cache[key]

    def factors(self, base: str | pd.Series, quote: pd.Series) -> np.ndarray:
        """Per-row rate (NaN: no rate or unknown currency), looked up per distinct pair."""
        q_codes, q_uniques = pd.factorize(quote.to_numpy(dtype=object))
        if isinstance(base, str):
            table = np.array([self.rate(base, q) for q in q_uniques], dtype=np.float64)
            return table[q_codes] if len(table) else np.full(len(quote), np.nan)
        b_codes, b_uniques = pd.factorize(base.to_numpy(dtype=object))
        pair = b_codes.astype(np.int64) * max(len(q_uniques), 1) + q_codes
        pairs, inverse = np.unique(pair, return_inverse=True)
        table = np.array(
            [self.rate(b_uniques[p // len(q_uniques)], q_uniques[p % len(q_uniques)])
             for p in pairs],
            dtype=np.float64,
        )  # fmt: skip
        return table[inverse] if len(table) else np.full(len(quote), np.nan)


@dataclass
class _Context:
    org: object
    store: Store
    now: object
    rates: _Rates
    override: Strategy | None
    vat_mp: int
    own_sellers: list[str]
    profiles: list
    referral: dict
    max_age_hours: float
    timings: dict = field(default_factory=dict)
    incremental: bool = False  # price only the listings whose inputs changed (markers)
    raw_competitors: bool = False  # read the observations, not the competitor summary
    # Logistics' stock-out risk per product (apps.pricing.inputs), read once per run.
    stock_risk: pd.DataFrame = field(default_factory=empty_frame)

    def lap(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[name] = round(self.timings.get(name, 0.0) + now - since, 3)
        return now


def _context(org, store, now, override) -> _Context:
    marketplace = store.marketplace
    vat_mp = 0
    if marketplace.vat_inclusive:
        row = VatRate.objects.for_org(org).filter(country=marketplace.country).first()
        rate = row.rate if row is not None else DEFAULT_VAT.get(marketplace.country, 0)
        vat_mp = S.mp(rate)
    own = list(Store.objects.for_org(org).exclude(seller_id="").values_list("seller_id", flat=True))
    referral = {
        r.category: r
        for r in ReferralFee.objects.for_org(org).filter(marketplace_id=store.marketplace_id)
    }
    if override is not None:
        max_age = float(override.max_age_hours)
    else:
        ages = (
            Strategy.objects.for_org(org)
            .filter(enabled=True, assignments__store=store)
            .values_list("max_age_hours", flat=True)
        )
        max_age = float(max(ages, default=48))
    t = time.perf_counter()
    ctx = _Context(
        org=org,
        store=store,
        now=now,
        rates=_Rates(org, timezone.localdate(now)),
        override=override,
        vat_mp=vat_mp,
        own_sellers=own,
        profiles=list(CostProfile.objects.for_org(org).filter(store=store)),
        referral=referral,
        max_age_hours=max_age,
    )
    ctx.stock_risk = stock_risk_frame(org=org)
    ctx.lap("load_stock_risk", t)
    return ctx
