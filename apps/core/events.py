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
