"""A listing's price guardrails (floor and ceiling) on every direct price write.

The pricing app computes floors (break-even plus the strategy's minimum margin) and ceilings
(cost profiles); catalog cannot import it, so pricing registers a provider here in its
`AppConfig.ready()`. A price written through the API or the editor outside the bounds the
repricer last computed for the listing is refused, unless a signed-in manager (or owner) gives
a reason, which is logged with the actor (the `crossborder.audit` logger) and kept out of the
listing. The amount is rounded first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from apps.core.errors import PermissionDenied, ValidationFailed

if TYPE_CHECKING:
    from apps.catalog.models import Listing

audit = logging.getLogger("crossborder.audit")
Bounds = tuple[Decimal | None, Decimal | None]
_providers: list[Callable[[Listing], Bounds]] = []


def price_bounds_provider_register(provider: Callable[[Listing], Bounds]) -> None:
    """Called once by the app that knows the bounds (pricing); idempotent."""
    if provider not in _providers:
        _providers.append(provider)


def listing_price_bounds(listing: Listing) -> Bounds:
    floor = ceiling = None
    for provider in _providers:
        low, high = provider(listing)
        floor = low if floor is None or (low is not None and low > floor) else floor
        ceiling = high if ceiling is None or (high is not None and high < ceiling) else ceiling
    return floor, ceiling


def price_bounds_check(*, listing: Listing, price: Decimal, actor, override_reason: str) -> str:
    """ "" when `price` (already rounded) is within the listing's bounds; the override note when
    a manager overrides; otherwise ValidationFailed naming `price` (PermissionDenied when
    someone without the role tries to override)."""
    floor, ceiling = listing_price_bounds(listing)
    problem = ""
    if floor is not None and price < floor:
        problem = f"price: {price} is below the floor {floor} {listing.currency}"
    elif ceiling is not None and ceiling > 0 and price > ceiling:
        problem = f"price: {price} is above the ceiling {ceiling} {listing.currency}"
    if not problem:
        return ""
    reason = " ".join((override_reason or "").split())[:500]
    if not reason:
        raise ValidationFailed(
            f"{problem}; a manager can override with a reason (override_reason).",
            field="price",
            code="price_out_of_bounds",
        )
    from apps.accounts.models import role_at_least
    from apps.accounts.selectors import membership_for

    membership = membership_for(user=actor, org_id=listing.organization_id) if actor else None
    if membership is None or not role_at_least(membership.role, "manager"):
        raise PermissionDenied(
            "Only a signed-in manager or owner can override a price's floor or ceiling.",
            field="override_reason",
        )
    note = f"{problem}; overridden: {reason}"
    audit.warning(
        "price guardrail override: org=%s listing=%s user=%s: %s",
        listing.organization_id, listing.pk, actor.pk, note,
    )  # fmt: skip
    return note
