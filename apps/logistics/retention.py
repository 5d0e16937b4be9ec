"""How long replenishment suggestions are kept.

Every plan run stores a suggestion per SKU × warehouse (100,000s for a large catalogue), so
without pruning the table grows by a catalogue per run. Kept, after each run:

- every suggestion of the organization's latest `PLAN_RUNS_KEPT` runs (the plan page, the
  stock-risk source and the API read the latest; a few before it show what changed);
- every planned suggestion, whatever its run: approved plan lines are the purchase/shipment
  plan the export lists;
- every suggestion an open (pending or approved) `restock` draft targets: the review queue must
  still reach it to apply it.

The rest (older runs' suggested and rejected lines, whose drafts were superseded, rejected or
failed) is deleted with one statement; the runs themselves stay (one row each: the accuracy
history). A draft whose suggestion is gone shows the label it recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .models import PlanRun, RestockSuggestion

if TYPE_CHECKING:
    from apps.accounts.models import Organization

PLAN_RUNS_KEPT = 5


@transaction.atomic
def suggestions_prune(*, org: Organization, keep_runs: int = PLAN_RUNS_KEPT) -> int:
    """Delete the organization's suggestions outside the retention above; returns how many."""
    from apps.review.selectors import draft_open_target_ids

    latest = PlanRun.objects.for_org(org).order_by("-created_at", "-id").values("pk")[:keep_runs]
    ct = ContentType.objects.get_for_model(RestockSuggestion)
    open_targets = draft_open_target_ids(org=org, kind="restock", target_type_id=ct.pk)
    deleted, _ = (
        RestockSuggestion.objects.for_org(org)
        .exclude(run_id__in=latest)
        .exclude(status=RestockSuggestion.Status.PLANNED)
        .exclude(pk__in=open_targets)
        .delete()
    )
    return deleted
