"""Writes of strategies and their assignments (dashboard and API share these).

The engine reads strategies; people change them here: create, edit, enable/disable, assign to
a store, a category in a store, or a listing, and unassign. Related ids are resolved within the
organization: another organization's store or listing is "not found", never linked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.accounts.models import Organization
from apps.catalog.models import Listing, Store
from apps.core.errors import Conflict, NotFound, ValidationFailed

from .models import FulfilmentType, Strategy, StrategyAssignment

EDITABLE = (
    "name", "kind", "priority", "target_margin_pct", "beat_amount", "beat_pct", "hold_buy_box",
    "fulfilment_types", "min_rating", "ignore_own_stores", "max_age_hours", "no_competitor",
    "competitor_below_floor", "competitor_at_floor", "lead_time_days", "low_cover_raise_pct",
    "ageing_days", "ageing_lower_pct", "min_margin_pct", "ceiling_margin_pct", "max_change_pct",
    "max_changes_per_day", "price_ending",
)  # fmt: skip


def _validate(strategy: Strategy) -> None:
    """What the database constraints check, as errors a person can read and fix."""
    checks = [
        ("min_margin_pct", strategy.min_margin_pct > -100, _("must be above -100%")),
        ("ceiling_margin_pct", strategy.ceiling_margin_pct > -100, _("must be above -100%")),
        ("ceiling_margin_pct", strategy.ceiling_margin_pct >= strategy.min_margin_pct,
         _("the ceiling margin must not be below the minimum margin")),
        ("max_change_pct", strategy.max_change_pct >= 0, _("must be zero or more")),
        ("beat_amount", strategy.beat_amount >= 0, _("must be zero or more")),
        ("beat_pct", 0 <= strategy.beat_pct < 100, _("must be from 0 to under 100%")),
        ("target_margin_pct", strategy.target_margin_pct < 100, _("must be under 100%")),
        ("low_cover_raise_pct", strategy.low_cover_raise_pct >= 0, _("must be zero or more")),
        ("ageing_lower_pct", 0 <= strategy.ageing_lower_pct < 100,
         _("must be from 0 to under 100%")),
        ("min_rating", strategy.min_rating is None or 0 <= strategy.min_rating <= 100,
         _("must be a percentage from 0 to 100")),
        ("fulfilment_types",
         set(strategy.fulfilment_types or []) <= set(FulfilmentType.values),
         _("unknown fulfilment type")),
    ]  # fmt: skip
    for field, ok, message in checks:
        if not ok:
            raise ValidationFailed(f"{field}: {message}", field=field)
    if not strategy.name.strip():
        raise ValidationFailed(_("A strategy needs a name."), field="name")


def _save(strategy: Strategy) -> Strategy:
    _validate(strategy)
    try:
        with transaction.atomic():
            strategy.save()
    except IntegrityError as exc:
        raise Conflict(
            _("A strategy named “%(name)s” already exists.") % {"name": strategy.name},
            field="name",
        ) from exc
    return strategy


@transaction.atomic
def strategy_create(*, org: Organization, actor=None, **data: Any) -> Strategy:
    unknown = set(data) - set(EDITABLE) - {"enabled"}
    if unknown:
        raise ValidationFailed(f"Unknown strategy fields: {', '.join(sorted(unknown))}")
    strategy = Strategy(organization=org, created_by=actor, **data)
    return _save(strategy)


@transaction.atomic
def strategy_update(
    *, org: Organization, actor=None, strategy: Strategy, data: dict[str, Any]
) -> Strategy:
    if strategy.organization_id != org.pk:
        raise NotFound("No such strategy.")
    for field, value in data.items():
        if field not in EDITABLE and field != "enabled":
            raise ValidationFailed(f"Unknown strategy field: {field}", field=field)
        setattr(strategy, field, value)
    return _save(strategy)


@transaction.atomic
def strategy_set_enabled(
    *, org: Organization, actor=None, strategy: Strategy, enabled: bool
) -> Strategy:
    if strategy.organization_id != org.pk:
        raise NotFound("No such strategy.")
    Strategy.objects.for_org(org).filter(pk=strategy.pk).update(enabled=enabled)
    strategy.enabled = enabled
    return strategy


@transaction.atomic
def strategy_delete(*, org: Organization, actor=None, strategy: Strategy) -> None:
    if strategy.organization_id != org.pk:
        raise NotFound("No such strategy.")
    strategy.delete()


@transaction.atomic
def strategy_assign(
    *,
    org: Organization,
    actor=None,
    strategy: Strategy,
    store_id: int | None = None,
    category: str = "",
    listing_id: int | None = None,
) -> StrategyAssignment:
    """Assign to a listing (its store is implied), or to a store, optionally one category of it.
    Assigning the same scope twice returns the existing assignment."""
    if strategy.organization_id != org.pk:
        raise NotFound("No such strategy.")
    category = (category or "").strip()
    if listing_id is not None:
        listing = Listing.objects.for_org(org).filter(pk=listing_id).first()
        if listing is None:
            raise NotFound(_("No such listing."), field="listing")
        if store_id is not None and store_id != listing.store_id:
            raise ValidationFailed(_("The listing is not in that store."), field="store")
        assignment, _created = StrategyAssignment.objects.for_org(org).get_or_create(
            organization=org, strategy=strategy, listing=listing,
            defaults={"store_id": listing.store_id},
        )  # fmt: skip
        return assignment
    if store_id is None:
        raise ValidationFailed(_("Choose a store or a listing."), field="store")
    if not Store.objects.for_org(org).filter(pk=store_id).exists():
        raise NotFound(_("No such store."), field="store")
    assignment, _created = StrategyAssignment.objects.for_org(org).get_or_create(
        organization=org, strategy=strategy, store_id=store_id, category=category, listing=None
    )
    return assignment


@transaction.atomic
def assignment_delete(*, org: Organization, actor=None, assignment: StrategyAssignment) -> None:
    if assignment.organization_id != org.pk:
        raise NotFound("No such assignment.")
    assignment.delete()


def strategy_from_settings(
    *, org: Organization, base: Strategy | None, data: dict[str, Any]
) -> Strategy:
    """An unsaved strategy: `base`'s settings (or the defaults) changed by `data`, validated.

    What the simulator prices with, so a change can be previewed before it is saved."""
    strategy = Strategy(organization=org)
    if base is not None:
        for field in (*EDITABLE, "enabled"):
            setattr(strategy, field, getattr(base, field))
        strategy.pk = base.pk
    for field, value in data.items():
        if field in EDITABLE:
            setattr(strategy, field, value)
    strategy.name = strategy.name or _("Simulation")
    for field in ("target_margin_pct", "beat_amount", "beat_pct", "min_margin_pct",
                  "ceiling_margin_pct", "max_change_pct", "low_cover_raise_pct",
                  "ageing_lower_pct"):  # fmt: skip
        setattr(strategy, field, Decimal(str(getattr(strategy, field))))
    _validate(strategy)
    return strategy
