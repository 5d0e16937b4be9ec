"""Restock suggestions are pruned after each plan run: the latest runs', planned lines and
whatever an open `restock` draft targets are kept; the rest of older runs goes."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.logistics.models import Inventory, PlanRun, RestockSuggestion
from apps.logistics.planner import plan
from apps.logistics.retention import suggestions_prune
from apps.review.models import Draft
from apps.review.services import draft_reject

from .helpers import fba_warehouse, sample_products
from .test_planner import _history

pytestmark = pytest.mark.django_db
REASON = "inaccurate"


@pytest.fixture
def planning(org, other_org):
    wh = fba_warehouse(org)
    listings = sample_products(org, wh.store, ["KVX-R1", "KVX-R2", "KVX-R3"])
    for listing in listings.values():
        Inventory.objects.create(organization=org, product=listing.product, warehouse=wh,
                                 fulfillable=5, reported_at=timezone.now())  # fmt: skip
        _history(org, wh.store, listing, days=60, per_day=3)
    return wh


def _suggestions(org, run):
    return RestockSuggestion.objects.for_org(org).filter(run=run)


def test_old_runs_suggestions_go_but_pending_drafts_and_planned_lines_stay(planning, org):
    first = plan(org=org)
    lines = list(_suggestions(org, first).filter(quantity__gt=0).order_by("id"))
    assert len(lines) == 3
    pending, approved, rejected = lines
    ct = ContentType.objects.get_for_model(RestockSuggestion)
    drafts = Draft.objects.for_org(org).filter(target_type=ct)
    drafts.filter(target_id=approved.pk).update(status="applied")
    RestockSuggestion.objects.for_org(org).filter(pk=approved.pk).update(status="planned")
    drafts.filter(target_id=rejected.pk).update(status="rejected")
    runs = [first] + [plan(org=org, create_drafts=False) for _ in range(5)]
    # Six runs: the first is out of the latest five.
    assert set(_suggestions(org, first).values_list("pk", flat=True)) == {pending.pk, approved.pk}
    assert runs[-1].timings["pruned"] == 1
    runs.append(plan(org=org, create_drafts=False))
    left = set(RestockSuggestion.objects.for_org(org).values_list("run_id", flat=True))
    assert left == {first.pk, *[r.pk for r in runs[-5:]]}
    assert not _suggestions(org, runs[1]).exists()  # no draft, nothing planned: all gone
    assert PlanRun.objects.for_org(org).count() == 7  # the runs themselves stay
    assert drafts.get(target_id=pending.pk).status == "pending"


def test_a_rejected_draft_does_not_keep_its_suggestion(planning, org, user):
    first = plan(org=org)
    target = _suggestions(org, first).filter(quantity__gt=0).first()
    draft = Draft.objects.for_org(org).get(target_id=target.pk, status="pending")
    draft_reject(org=org, actor=user, draft_id=draft.pk, reason=REASON)
    assert (
        suggestions_prune(org=org, keep_runs=0) == 1
    )  # the rejected one; the others have pending drafts
    assert not RestockSuggestion.objects.for_org(org).filter(pk=target.pk).exists()
    # The draft is still in the review history, showing the label it recorded.
    from apps.review.selectors import draft_target_display

    assert draft_target_display(Draft.objects.for_org(org).get(pk=draft.pk)).label == draft.title


def test_pruning_leaves_other_organizations_alone(planning, org, other_org):
    wh = fba_warehouse(other_org, code="FBA-X")
    listing = sample_products(other_org, wh.store, ["KVX-O1"])["KVX-O1"]
    Inventory.objects.create(organization=other_org, product=listing.product, warehouse=wh,
                             fulfillable=5, reported_at=timezone.now())  # fmt: skip
    _history(other_org, wh.store, listing, days=60, per_day=3)
    theirs = plan(org=other_org, create_drafts=False)
    assert suggestions_prune(org=org, keep_runs=0) == 0
    assert _suggestions(other_org, theirs).exists()


def test_pruning_is_one_statement_whatever_the_number_of_runs(planning, org):
    for _ in range(3):
        plan(org=org, create_drafts=False)
    with CaptureQueriesContext(connection) as ctx:
        suggestions_prune(org=org, keep_runs=1)
    deletes = [q for q in ctx.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 1
    assert RestockSuggestion.objects.for_org(org).values("run_id").distinct().count() == 1
