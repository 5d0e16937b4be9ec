"""Listing changes announced as domain events (webhooks `listing.changed`, `price.changed`).

Called where a listing is written, inside that write's transaction, so the outbox rows commit
or roll back with the change (apps/core/events.py). Set-based writes announce one event per
chunk of up to `CHUNK` listings, never one per row, so a repricing run of 100,000 listings
writes 100 outbox rows, not 100,000."""

from __future__ import annotations

from collections.abc import Iterable

from apps.core.events import events_emit

CHUNK = 1000


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def listings_changed_announce(
    *, org_id: int, listing_ids: Iterable[int], aspects: Iterable[str], source: str
) -> None:
    """`listing.changed` (every aspect) and, when the price moved, `price.changed`."""
    ids = sorted({int(i) for i in listing_ids})
    if not ids:
        return
    aspects = sorted(set(aspects))
    chunks = _chunks(ids)
    events_emit(
        org=org_id,
        event="listing.changed",
        payloads=[{"listing_ids": c, "aspects": aspects, "source": source} for c in chunks],
    )
    if "price" in aspects:
        events_emit(
            org=org_id,
            event="price.changed",
            payloads=[{"listing_ids": c, "source": source} for c in chunks],
        )


def aspects_of(fields: Iterable[str]) -> list[str]:
    """The aspects (content, price, stock, images, status) a set of changed fields touches."""
    aspects = set()
    for name in fields:
        if name in ("price", "currency", "sale_price", "business_price"):
            aspects.add("price")
        elif name == "stock":
            aspects.add("stock")
        elif name == "images":
            aspects.add("images")
        elif name in ("status", "is_active"):
            aspects.add("status")
        else:
            aspects.add("content")
    return sorted(aspects)
