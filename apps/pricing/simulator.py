"""The simulator: what a strategy (or a change to one) would do to a store, before enabling it.

It runs the engine's dry run (`apps.pricing.engine.run.reprice_store(dry_run=True)`: load and
compute, nothing written) and summarises the per-offer result frame with NumPy: how many prices
move up, down or stay, the average margin before and after, offers at or raised to the floor,
and a sample of the largest moves. Also here: `reprice_start`, the "Reprice now" button's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from apps.catalog.models import Listing
from apps.core.errors import Conflict, ValidationFailed
from apps.core.models import Job
from apps.core.services import job_create

from .models import PriceChange, Strategy, StrategyAssignment
from .strategy_services import strategy_from_settings

if TYPE_CHECKING:
    from apps.accounts.models import Organization

SAMPLE = 25
JOB_KIND = "reprice_store"


class SimulationUnavailable(RuntimeError):
    """The engine is not installed (a partial deployment)."""


@dataclass
class Simulation:
    store: Any
    strategy_name: str
    offers: int = 0
    priced: int = 0
    up: int = 0
    down: int = 0
    unchanged: int = 0
    at_floor: int = 0
    raised_to_floor: int = 0
    ceiling_below_floor: int = 0
    bad_input: int = 0
    margin_before: Decimal | None = None
    margin_after: Decimal | None = None
    mean_change_pct: Decimal | None = None
    samples: list[dict] = field(default_factory=list)
    bad_reasons: dict[str, int] = field(default_factory=dict)


def _pct(value: float) -> Decimal | None:
    if value is None or np.isnan(value):
        return None
    return Decimal(str(round(float(value), 2)))


def _price(units: int) -> Decimal | None:
    from .strategies import NO_PRICE, to_decimal

    return None if int(units) == NO_PRICE or int(units) < 0 else to_decimal(units)


def simulate(
    *,
    org: Organization,
    store,
    strategy: Strategy | None = None,
    overrides: dict | None = None,
    actor=None,
) -> Simulation:
    """Dry-run the engine over `store`. With neither `strategy` nor `overrides`, the store as
    assigned today; otherwise every offer priced by `strategy` (or, when only settings change,
    the store's store-level strategy) with `overrides` applied, saved or not."""
    try:
        from .engine.run import reprice_store
    except ImportError as exc:  # pragma: no cover - the engine ships with the app
        raise SimulationUnavailable(_("The repricing engine is not available.")) from exc
    overrides = dict(overrides or {})
    override = None
    name = _("Strategies as assigned")
    if strategy is not None or overrides:
        base = strategy or _store_strategy(org, store)
        if base is None and not overrides:
            raise ValidationFailed(_("The store has no strategy assigned; choose one."))
        override = strategy_from_settings(org=org, base=base, data=overrides)
        name = override.name + (" " + _("(changed)") if overrides else "")
    report = reprice_store(org=org, store=store, dry_run=True, strategy_override=override)
    return summarise(org=org, store=store, name=name, report=report)


def _store_strategy(org, store) -> Strategy | None:
    assignment = (
        StrategyAssignment.objects.for_org(org)
        .filter(store=store, listing__isnull=True, category="")
        .select_related("strategy")
        .order_by("-strategy__enabled", "-strategy__priority", "-id")
        .first()
    )
    return assignment.strategy if assignment else None


def summarise(*, org: Organization, store, name: str, report) -> Simulation:
    """Counts and averages of a dry run's per-offer frame (vectorised), plus sample rows."""
    sim = Simulation(store=store, strategy_name=name)
    frame = report.results
    counts = report.counts or {}
    sim.ceiling_below_floor = int(counts.get("ceiling_below_floor", 0))
    if frame is None or frame.empty:
        return sim
    old = frame["old"].to_numpy(dtype=np.int64)
    new = frame["new"].to_numpy(dtype=np.int64)
    changed = frame["changed"].to_numpy(dtype=bool)
    priced = frame["strategy_id"].to_numpy() != 0
    bad = frame["bad_reason"].to_numpy(dtype=object) != ""
    sim.offers = len(frame)
    sim.priced = int(priced.sum())
    sim.up = int((changed & (new > old)).sum())
    sim.down = int((changed & (new < old)).sum())
    sim.unchanged = sim.priced - sim.up - sim.down
    sim.at_floor = int(frame["at_floor"].to_numpy(dtype=bool).sum())
    sim.raised_to_floor = int(frame["raised_to_floor"].to_numpy(dtype=bool).sum())
    sim.bad_input = int(bad.sum())
    if sim.bad_input:
        reasons = frame.loc[bad, "bad_reason"].value_counts()
        sim.bad_reasons = {str(k): int(v) for k, v in reasons.items()}
    scope = priced & ~bad
    before = frame["margin_old"].to_numpy(dtype=np.float64)[scope]
    after = frame["margin_new"].to_numpy(dtype=np.float64)[scope]
    both = ~np.isnan(before) & ~np.isnan(after)
    if both.any():
        sim.margin_before = _pct(before[both].mean())
        sim.margin_after = _pct(after[both].mean())
    moved = changed & (old > 0)
    if moved.any():
        sim.mean_change_pct = _pct(((new[moved] - old[moved]) / old[moved] * 100).mean())
    sim.samples = _samples(org, frame, changed, old, new)
    return sim


def _samples(org, frame, changed, old, new) -> list[dict]:
    """The largest moves (by percent), with SKU and title: one query for the sample ids."""
    idx = np.flatnonzero(changed)
    if not len(idx):
        return []
    size = np.abs(new[idx] - old[idx]) / np.where(old[idx] > 0, old[idx], 1)
    top = idx[np.argsort(-size, kind="stable")[:SAMPLE]]
    rows = frame.iloc[top]
    ids = [int(i) for i in rows["listing_id"]]
    listings = Listing.objects.for_org(org).filter(pk__in=ids).select_related("product")
    by_id = {x.pk: x for x in listings}
    labels = dict(PriceChange.Binding.choices)
    samples = []
    for row in rows.itertuples(index=False):
        listing = by_id.get(int(row.listing_id))
        if listing is None:
            continue
        samples.append(
            {
                "listing": listing,
                "old": _price(row.old),
                "new": _price(row.new),
                "floor": _price(row.floor),
                "competitor": _price(row.comp_low) if row.comp_low > 0 else None,
                "binding": str(row.binding),
                "binding_label": labels.get(str(row.binding), str(row.binding)),
                "reason": str(row.reason),
                "margin_old": _pct(row.margin_old),
                "margin_new": _pct(row.margin_new),
            }
        )
    return samples


@transaction.atomic
def reprice_start(*, org: Organization, store, actor=None) -> Job:
    """Queue one repricing of `store` now (the "Reprice now" button); returns its Job.

    One active run per store: a second click while one runs answers the running job's error."""
    from .tasks import reprice_store_task

    label = _("Reprice %(store)s") % {"store": store.name}
    if Job.objects.for_org(org).filter(kind=JOB_KIND, label=label, status__in=Job.ACTIVE).exists():
        raise Conflict(_("%(store)s is being repriced already.") % {"store": store.name})
    job = job_create(org=org, kind=JOB_KIND, label=label, actor=actor)
    transaction.on_commit(
        lambda: reprice_store_task.apply_async(
            kwargs={"org_id": org.pk, "store_id": store.pk, "job_id": job.pk}, queue="pricing"
        )
    )
    return job
