"""What support reads from other apps, through their selectors (CONTRACTS.md): each adapter
imports lazily and answers None when the provider is not there, so pages say plainly
"not available" instead of showing nothing."""

from __future__ import annotations

from typing import Any

NOT_AVAILABLE = None


def order_by_marketplace_id(*, org, marketplace_order_id: str, store_id: int | None = None):
    """The organization's order with this marketplace id (the store's first), or None."""
    if not marketplace_order_id:
        return None
    try:
        from apps.orders.selectors import order_get_by_marketplace_id
    except ImportError:
        order_get_by_marketplace_id = None
    if order_get_by_marketplace_id is not None:
        try:
            return order_get_by_marketplace_id(org=org, marketplace_order_id=marketplace_order_id)
        except Exception:  # a provider bug must not stop ingestion; fall back to the list
            pass
    from apps.orders.selectors import order_list

    qs = order_list(org=org).filter(marketplace_order_id=marketplace_order_id)
    if store_id:
        first = qs.filter(store_id=store_id).first()
        if first is not None:
            return first
    return qs.first()


def orders_by_marketplace_ids(*, org, ids: set[str]) -> dict[str, Any]:
    """Set-based lookup for bulk ingestion: marketplace order id -> Order."""
    if not ids:
        return {}
    from apps.orders.selectors import order_list

    return {
        o.marketplace_order_id: o for o in order_list(org=org).filter(marketplace_order_id__in=ids)
    }


def shipments_for_order(*, org, order_id: int) -> list[dict] | None:
    """The order's shipments (logistics contract), or None when logistics is not set up."""
    try:
        from apps.logistics.selectors import shipments_for_order as provider
    except (ImportError, AttributeError):
        return NOT_AVAILABLE
    try:
        return list(provider(org=org, order_id=order_id))
    except Exception:
        return NOT_AVAILABLE
