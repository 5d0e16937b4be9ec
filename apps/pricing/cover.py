"""The low-cover rule's inputs: logistics' stock-out risk where it knows the product, the
listing's own stock and velocity otherwise (arrays over a chunk of offers).

With logistics data (apps.pricing.inputs, the replenishment planner), cover is short when the
projected stock-out comes before new stock can arrive: before the next open inbound
shipment's arrival, or, with nothing inbound, within the lead time. Without, it is the
listing's stock / units per day against the lead time, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LOGISTICS = "logistics"
PRICING = "pricing"


@dataclass
class Cover:
    short: np.ndarray  # bool: cover shorter than the time to restock
    source: np.ndarray  # LOGISTICS or PRICING
    days: np.ndarray  # days of cover (NaN: no demand)
    stockout_day: np.ndarray  # projected stock-out, days since 1970 (-1: none / not known)
    arrival_day: np.ndarray  # next inbound arrival, days since 1970 (-1: none / not known)


def _col(o: pd.DataFrame, name: str, default, dtype) -> np.ndarray:
    if name in o.columns:
        return o[name].to_numpy(dtype=dtype)
    return np.full(len(o), default, dtype=dtype)


def cover(o: pd.DataFrame, lead: np.ndarray) -> Cover:
    """`lead`: lead time in days per offer. Offers frames without the logistics columns (the
    simulator's, older callers') use the listing's own data."""
    stock = o["stock"].to_numpy(dtype=np.float64)
    velocity = o["units_per_day"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        own = np.where(velocity > 0, stock / velocity, np.inf)
    known = _col(o, "lx_known", False, bool)
    left = _col(o, "lx_left", np.inf, np.float64)
    arrival = _col(o, "lx_arrival", np.nan, np.float64)
    # Stock arriving before the stock-out makes it no stock-out; a late one widens the gap.
    limit = np.where(np.isnan(arrival), lead, arrival)
    short = np.where(known, left < limit, own < lead)
    lx_days = _col(o, "lx_cover", np.nan, np.float64)
    return Cover(
        short=short,
        source=np.where(known, LOGISTICS, PRICING).astype(object),
        days=np.where(known, lx_days, np.where(np.isinf(own), np.nan, own)),
        stockout_day=np.where(known, _col(o, "lx_stockout_day", -1, np.int64), -1),
        arrival_day=np.where(known, _col(o, "lx_arrival_day", -1, np.int64), -1),
    )
