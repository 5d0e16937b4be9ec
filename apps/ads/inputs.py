"""What ads needs from apps built in parallel, through one adapter each (CONTRACTS.md).

Each returns None when the provider is not there yet, so a page or a rule says plainly "not
available yet: <module> not set up" instead of silently treating it as zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apps.accounts.models import Organization

LOGISTICS_MISSING = "not available yet: apps.logistics.selectors not set up"


def stockout_product_ids(*, org: Organization) -> set[int] | None:
    """SKUs (product ids) that run out before new stock arrives, or None without logistics."""
    try:
        from apps.logistics.selectors import stockout_before_inbound_product_ids
    except (ImportError, AttributeError):
        return None
    try:
        return set(stockout_before_inbound_product_ids(org=org))
    except (AttributeError, NotImplementedError):
        return None


def cover_days(*, org: Organization) -> dict[int, float] | None:
    """Days of cover per product from the logistics planner (products with finite cover), or
    None without logistics."""
    try:
        from apps.logistics.selectors import cover_days_by_product
    except (ImportError, AttributeError):
        return None
    try:
        cover = cover_days_by_product(org=org)
    except (AttributeError, NotImplementedError):
        return None
    return {pid: float(days) for pid, days in cover.items() if days is not None}
