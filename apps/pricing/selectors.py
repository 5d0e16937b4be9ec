"""Reads of pricing: strategies, assignments, price changes, competitor offers, chart series.

Every function takes the organization; the tenant filter lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Organization
from apps.catalog.models import Listing
from apps.core.errors import NotFound

from .models import CompetitorOffer, PriceChange, RepricingRun, Strategy, StrategyAssignment

FLOOR_BINDINGS = (PriceChange.Binding.FLOOR, PriceChange.Binding.BELOW_FLOOR)


def strategy_list(*, org: Organization) -> QuerySet[Strategy]:
    return Strategy.objects.for_org(org).annotate(assignment_count=Count("assignments"))


def strategy_get(*, org: Organization, strategy_id: int) -> Strategy:
    try:
        return Strategy.objects.for_org(org).get(pk=strategy_id)
    except Strategy.DoesNotExist as exc:
        raise NotFound("No such strategy.") from exc


def assignment_list(
    *, org: Organization, strategy_id: int | None = None
) -> QuerySet[StrategyAssignment]:
    qs = StrategyAssignment.objects.for_org(org).select_related(
        "strategy", "store", "store__marketplace", "listing", "listing__product"
    )
    if strategy_id is not None:
        qs = qs.filter(strategy_id=strategy_id)
    return qs


def assignment_get(*, org: Organization, assignment_id: int) -> StrategyAssignment:
    try:
        return StrategyAssignment.objects.for_org(org).get(pk=assignment_id)
    except StrategyAssignment.DoesNotExist as exc:
        raise NotFound("No such assignment.") from exc


def price_change_list(
    *,
    org: Organization,
    store_id: int | None = None,
    listing_id: int | None = None,
    since: datetime | None = None,
    binding: str = "",
    outcome: str = "",
) -> QuerySet[PriceChange]:
    qs = PriceChange.objects.for_org(org).select_related(
        "listing", "listing__product", "listing__store", "strategy"
    )
    if store_id:
        qs = qs.filter(listing__store_id=store_id)
    if listing_id:
        qs = qs.filter(listing_id=listing_id)
    if since:
        qs = qs.filter(created_at__gte=since)
    if binding:
        qs = qs.filter(binding=binding)
    if outcome in LOG_OUTCOMES:
        qs = qs.filter(price_change_outcome_q(org=org, outcome=outcome))
    elif outcome:
        qs = qs.filter(outcome=outcome)  # the engine's own value ("drafted")
    return qs.order_by("-created_at", "-id")


# What became of each price change, as the log shows and filters it: the engine's own outcome,
# and for a change sent to review the state of its draft.
LOG_OUTCOMES = {
    "applied": _("Applied automatically"),
    "pending": _("Waiting for review"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "superseded": _("Superseded"),
    "failed": _("Failed"),
    "simulated": _("Simulated"),
}
_DRAFT_OUTCOMES = {
    "pending": ("pending", "approved"),  # approved but not yet applied: still on its way
    "approved": ("applied",),
    "rejected": ("rejected",),
    "superseded": ("superseded",),
    "failed": ("failed",),
}
_DRAFT_TO_OUTCOME = {s: outcome for outcome, states in _DRAFT_OUTCOMES.items() for s in states}


def price_change_outcome_q(*, org: Organization, outcome: str) -> Q:
    """The price changes with this log outcome (LOG_OUTCOMES)."""
    from apps.review.selectors import draft_ids_with_status

    if outcome in ("applied", "simulated"):
        return Q(outcome=outcome)
    drafted = Q(outcome=PriceChange.Outcome.DRAFTED)
    if outcome == "pending":
        # Whatever has not reached a decision, a draft id the organization does not have included
        # (as `price_change_outcomes` shows it).
        decided = [s for o, states in _DRAFT_OUTCOMES.items() if o != "pending" for s in states]
        drafts = draft_ids_with_status(org=org, kind="price_change", statuses=decided)
        return drafted & ~Q(draft_id__in=drafts)
    drafts = draft_ids_with_status(org=org, kind="price_change", statuses=_DRAFT_OUTCOMES[outcome])
    return drafted & Q(draft_id__in=drafts)


def price_change_outcomes(*, org: Organization, changes) -> None:
    """Set `log_outcome` and `log_outcome_label` on each change of a page (one query)."""
    from apps.review.selectors import draft_statuses

    states = draft_statuses(org=org, draft_ids=[c.draft_id for c in changes])
    for change in changes:
        if change.outcome == PriceChange.Outcome.DRAFTED:
            outcome = _DRAFT_TO_OUTCOME.get(states.get(change.draft_id, "pending"), "pending")
        else:
            outcome = change.outcome
        change.log_outcome = outcome
        change.log_outcome_label = LOG_OUTCOMES.get(outcome, outcome)


def competitor_offer_list(
    *,
    org: Organization,
    listing_id: int | None = None,
    store_id: int | None = None,
    since: datetime | None = None,
) -> QuerySet[CompetitorOffer]:
    qs = CompetitorOffer.objects.for_org(org).select_related("listing", "listing__product")
    if listing_id:
        qs = qs.filter(listing_id=listing_id)
    if store_id:
        qs = qs.filter(listing__store_id=store_id)
    if since:
        qs = qs.filter(observed_at__gte=since)
    return qs.order_by("-observed_at", "-id")


def latest_runs(*, org: Organization, limit: int = 10) -> QuerySet[RepricingRun]:
    return (
        RepricingRun.objects.for_org(org)
        .filter(dry_run=False)
        .select_related("store", "store__marketplace")
        .order_by("-created_at")[:limit]
    )


def listings_stuck_at_floor(*, org: Organization, store_id: int | None = None) -> QuerySet[Listing]:
    """Listings whose latest price change took them to their floor and that are still there:
    competition (or costs) keeps them at the lowest price their guardrails allow."""
    latest = PriceChange.objects.filter(listing=OuterRef("pk"), outcome="applied").order_by(
        "-created_at", "-id"
    )
    qs = (
        Listing.objects.for_org(org)
        .annotate(
            last_binding=Subquery(latest.values("binding")[:1]),
            last_price=Subquery(latest.values("new_price")[:1]),
            last_floor=Subquery(latest.values("floor")[:1]),
            last_changed=Subquery(latest.values("created_at")[:1]),
            last_competitor=Subquery(latest.values("competitor_price")[:1]),
            last_margin=Subquery(latest.values("margin_pct")[:1]),
        )
        .filter(last_binding__in=FLOOR_BINDINGS, price=F("last_price"))
        .select_related("product", "store", "store__marketplace")
    )
    if store_id:
        qs = qs.filter(store_id=store_id)
    return qs.order_by("last_changed")


# --- the per-listing chart ---------------------------------------------------------------------


@dataclass
class Series:
    name: str
    points: list[tuple[datetime, Decimal]]


@dataclass
class PriceHistory:
    ours: Series
    lowest: Series
    buy_box: Series
    floor: Series
    start: datetime
    end: datetime


def listing_price_history(*, org: Organization, listing: Listing, days: int = 30) -> PriceHistory:
    """Our price (a step line from the price changes), the lowest competitor and the Buy Box
    (per day, from the observations), and the floor the engine computed, over `days`."""
    end = timezone.now()
    start = end - timedelta(days=days)
    changes = list(
        PriceChange.objects.for_org(org)
        .filter(listing=listing, outcome="applied")
        .order_by("created_at", "id")
        .values_list("created_at", "old_price", "new_price", "floor")
    )
    before = [c for c in changes if c[0] < start]
    inside = [c for c in changes if c[0] >= start]
    ours: list[tuple[datetime, Decimal]] = []
    first_price = before[-1][2] if before else (inside[0][1] if inside else listing.price)
    if first_price is not None:
        ours.append((start, first_price))
    for at, _old, new, _floor in inside:
        ours.append((at, new))
    if listing.price is not None:
        ours.append((end, listing.price))
    floor = [(at, fl) for at, _o, _n, fl in changes if fl is not None and at >= start]
    if before and before[-1][3] is not None:
        floor.insert(0, (start, before[-1][3]))
    if floor:
        floor.append((end, floor[-1][1]))
    daily = (
        CompetitorOffer.objects.for_org(org)
        .filter(listing=listing, observed_at__gte=start, price__gt=0)
        .annotate(day=TruncDate("observed_at"))
        .values("day")
        .annotate(
            lowest=Min(F("price") + F("shipping")),
            buy_box=Min(F("price") + F("shipping"), filter=Q(is_buy_box=True)),
        )
        .order_by("day")
    )
    lowest, buy_box = [], []
    for row in daily:
        at = timezone.make_aware(datetime.combine(row["day"], datetime.min.time())) + timedelta(
            hours=12
        )
        lowest.append((at, row["lowest"]))
        if row["buy_box"] is not None:
            buy_box.append((at, row["buy_box"]))
    return PriceHistory(
        ours=Series("ours", ours),
        lowest=Series("lowest", lowest),
        buy_box=Series("buy_box", buy_box),
        floor=Series("floor", floor),
        start=start,
        end=end,
    )


def listing_price_bounds(listing: Listing) -> tuple[Decimal | None, Decimal | None]:
    """The floor and ceiling the repricer last computed for `listing` (in its currency), which
    catalog enforces on direct price writes; (None, None) when it never priced the listing."""
    row = (
        PriceChange.objects.for_org(listing.organization_id)
        .filter(listing_id=listing.pk, currency=listing.currency)
        .order_by("-created_at", "-id")
        .values_list("floor", "ceiling")
        .first()
    )
    return (row[0], row[1]) if row else (None, None)
