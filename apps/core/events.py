"""Domain events: a change announces itself here; sinks registered by higher layers listen.

`core` cannot import `integrations` (layers run downward), yet the generic engines (review,
jobs) must announce "draft approved" or "job finished" so webhooks fire. So they call
`event_emit(org=..., event=..., payload=...)` and `integrations` registers its webhook outbox as
a sink in `AppConfig.ready()`. Sinks run synchronously, inside the caller's transaction: an
outbox row is committed with the change or rolled back with it (no lost, no phantom events).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# The events an organization can subscribe to; `catalog`, `pricing`, `support`, `logistics`
# emit theirs through the same function.
EVENTS: dict[str, str] = {
    "draft.created": "A review draft was created (pending review).",
    "draft.approved": "A review draft was approved.",
    "draft.applied": "An approved draft was applied to its target.",
    "listing.changed": "A listing's content, price or stock changed.",
    "price.changed": "A price change was applied.",
    "message.received": "A customer message arrived in a conversation.",
    "shipment.at_risk": "A shipment is late or at risk.",
    "restock.suggested": "A replenishment suggestion was made.",
    "job.finished": "A long-running job finished (succeeded, failed or cancelled).",
}

_ID = {"type": "integer", "minimum": 1}
_IDS = {"type": "array", "items": _ID, "maxItems": 1000}
_TEXT = {"type": "string", "maxLength": 200}


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


_DRAFT = _object(
    {
        "draft_id": _ID,
        "kind": _TEXT,
        "status": _TEXT,
        "target_type": {**_TEXT, "description": "app_label.model of the draft's target"},
        "target_id": {"type": "integer", "nullable": True},
        "count": {"type": "integer", "minimum": 1, "description": "Bulk creation only."},
        "job_id": {"type": "integer", "nullable": True, "description": "Bulk creation only."},
        "bulk": {"type": "boolean", "description": "True: one event for `count` drafts."},
    },
    ["kind"],
)
_LISTINGS = _object(
    {
        "listing_ids": {**_IDS, "description": "The listings (at most 1000 per event)."},
        "aspects": {
            "type": "array",
            "items": {"type": "string", "enum": ["content", "images", "price", "status", "stock"]},
        },
        "source": {**_TEXT, "description": "edit, draft, repricer, inventory, bulk"},
    },
    ["listing_ids", "source"],
)

# The `data` of each event's delivery (the OpenAPI document publishes them, apps/core/schema.py).
EVENT_SCHEMAS: dict[str, dict[str, Any]] = {
    "draft.created": _DRAFT,
    "draft.approved": _DRAFT,
    "draft.applied": _DRAFT,
    "listing.changed": _LISTINGS,
    "price.changed": _LISTINGS,
    "message.received": _object(
        {
            "message_id": _ID,
            "conversation_id": _ID,
            "sent_at": {"type": "string", "format": "date-time", "nullable": True},
        },
        ["message_id", "conversation_id"],
    ),
    "shipment.at_risk": _object(
        {
            "parcel_id": _ID,
            "tracking_number": {"type": "string", "maxLength": 64},
            "carrier": {"type": "string", "maxLength": 32},
            "reasons": {"type": "array", "items": {"type": "string", "maxLength": 64}},
        },
        ["parcel_id", "reasons"],
    ),
    "restock.suggested": _object(
        {"plan_run_id": _ID, "suggestions": {"type": "integer", "minimum": 1}},
        ["plan_run_id", "suggestions"],
    ),
    "job.finished": _object(
        {
            "job_id": _ID,
            "kind": _TEXT,
            "status": {"type": "string", "enum": ["succeeded", "failed", "cancelled"]},
            "done": {"type": "integer", "minimum": 0},
            "failed": {"type": "integer", "minimum": 0},
            "total": {"type": "integer", "minimum": 0, "nullable": True},
        },
        ["job_id", "kind", "status"],
    ),
}

Sink = Callable[[Any, str, list[dict[str, Any]]], object]
_SINKS: list[Sink] = []


def event_sink_register(sink: Sink) -> None:
    """`sink(org_or_id, event, payloads)`; registering the same function twice is a no-op."""
    if sink not in _SINKS:
        _SINKS.append(sink)


def event_emit(*, org: Any, event: str, payload: dict[str, Any]) -> None:
    """Announce one event of `org` (an Organization or its id) in the caller's transaction."""
    events_emit(org=org, event=event, payloads=[payload])


def events_emit(*, org: Any, event: str, payloads: Iterable[dict[str, Any]]) -> None:
    """Announce many events of one kind at once (set-based paths: one sink call, not N)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}; declare it in apps.core.events.EVENTS.")
    batch = list(payloads)
    if not batch:
        return
    for sink in _SINKS:
        sink(org, event, batch)
