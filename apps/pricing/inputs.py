"""What pricing reads from apps above it, through sources they register.

Logistics imports pricing (profit per unit from the cost model), so pricing cannot import
logistics; instead `apps.logistics` registers `stock_risk_frame` here in `AppConfig.ready()`.
The engine asks once per run, for all products at once, and the low-cover rule uses the
planner's figures for the products a source knows (apps.pricing.strategies), its own listing
stock and velocity for the rest.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from apps.accounts.models import Organization

# source(*, org) -> DataFrame with one row per product (COLUMNS); dates as datetime64[ns]
StockRiskSource = Callable[..., pd.DataFrame]

COLUMNS = ("product_id", "cover_days", "stockout_date", "next_arrival")

_STOCK_RISK: list[StockRiskSource] = []


def stock_risk_source_register(source: StockRiskSource) -> StockRiskSource:
    """Register `source(*, org) -> DataFrame[product_id, cover_days, stockout_date,
    next_arrival]` (idempotent). cover_days NaN: no demand (cover not finite); stockout_date
    NaT: none projected; next_arrival NaT: nothing inbound."""
    if source not in _STOCK_RISK:
        _STOCK_RISK.append(source)
    return source


def stock_risk_frame(*, org: Organization) -> pd.DataFrame:
    """Every registered source's rows for `org`, one row per product (the first source that
    knows a product wins), sorted by product id; empty when no source is registered."""
    frames = [source(org=org) for source in _STOCK_RISK]
    frames = [f.loc[:, list(COLUMNS)] for f in frames if f is not None and len(f)]
    if not frames:
        return empty_frame()
    out = pd.concat(frames, ignore_index=True).drop_duplicates("product_id", keep="first")
    out["product_id"] = out["product_id"].astype("int64")
    out["cover_days"] = out["cover_days"].astype("float64")
    for col in ("stockout_date", "next_arrival"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    return out.sort_values("product_id", kind="stable").reset_index(drop=True)


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": pd.Series(dtype="int64"),
            "cover_days": pd.Series(dtype="float64"),
            "stockout_date": pd.Series(dtype="datetime64[ns]"),
            "next_arrival": pd.Series(dtype="datetime64[ns]"),
        }
    )
