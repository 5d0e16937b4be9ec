"""Bulk approve/reject: set-based, same semantics as one-by-one approval, run as a job."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from apps.catalog.models import Listing
from apps.core.models import Job
from apps.review.bulk import drafts_bulk_run, drafts_bulk_start
from apps.review.models import Draft, ReviewEvent
from apps.review.selectors import DraftFilters
from apps.review.services import draft_create
from tests.factories import ListingFactory, StoreFactory


def _price_drafts(org, n, price="21.99"):
    store = StoreFactory(organization=org)
    drafts = []
    for _ in range(n):
        listing = ListingFactory(organization=org, store=store, price=Decimal("20.00"))
        drafts.append(
            draft_create(
                org=org,
                kind="price_change",
                target=listing,
                proposed={"price": price, "currency": "USD"},
            )
        )
    return drafts


def test_bulk_approve_applies_every_pending_draft_once(org, user):
    drafts = _price_drafts(org, 5)
    moved = Listing.objects.for_org(org).get(pk=drafts[0].target_id)
    # The price aspect moves (a stock update would leave price drafts valid).
    Listing.objects.for_org(org).filter(pk=moved.pk).update(currency="EUR")

    totals = drafts_bulk_run(
        org=org, actor=user, job_id=None, action="approve", ids=[d.pk for d in drafts]
    )

    assert totals == {"applied": 4, "rejected": 0, "superseded": 1, "failed": 0, "skipped": 0,
                      "flagged": 0}  # fmt: skip
    prices = dict(Listing.objects.for_org(org).values_list("pk", "price"))
    assert prices[moved.pk] == Decimal("20.00")
    assert sorted(p for pk, p in prices.items() if pk != moved.pk) == [Decimal("21.99")] * 4
    versions = set(
        Listing.objects.for_org(org).exclude(pk=moved.pk).values_list("version", flat=True)
    )
    assert versions == {2}
    applied = Draft.objects.for_org(org).filter(status="applied")
    assert applied.count() == 4
    assert all(d.reviewed_by == user and d.final == d.proposed for d in applied)
    events = ReviewEvent.objects.for_org(org).filter(draft__in=applied)
    assert events.filter(to_status="approved").count() == 4
    assert events.filter(to_status="applied").count() == 4

    again = drafts_bulk_run(
        org=org, actor=user, job_id=None, action="approve", ids=[d.pk for d in drafts]
    )
    assert again["applied"] == 0 and again["skipped"] == 5


def test_bulk_reject_records_the_reason_for_each(org, user):
    drafts = _price_drafts(org, 3)
    totals = drafts_bulk_run(
        org=org,
        actor=user,
        job_id=None,
        action="reject",
        ids=[d.pk for d in drafts],
        reason="not_needed",
    )
    assert totals["rejected"] == 3
    assert set(Draft.objects.for_org(org).values_list("status", "reject_reason")) == {
        ("rejected", "not_needed")
    }


def test_bulk_never_touches_another_organizations_drafts(org, other_org, user):
    theirs = _price_drafts(other_org, 2)
    totals = drafts_bulk_run(
        org=org, actor=user, job_id=None, action="approve", ids=[d.pk for d in theirs]
    )
    assert totals["applied"] == 0
    assert set(Draft.objects.for_org(other_org).values_list("status", flat=True)) == {"pending"}


def test_a_draft_failing_its_checks_stays_pending_in_a_bulk_approve(org, user):
    (d,) = _price_drafts(org, 1, price="0")
    totals = drafts_bulk_run(org=org, actor=user, job_id=None, action="approve", ids=[d.pk])
    assert totals["failed"] == 1
    d.refresh_from_db()
    assert d.status == "pending"


@pytest.mark.worker
def test_bulk_approve_of_everything_matching_a_filter_runs_as_a_job(org, user, celery_worker):
    _price_drafts(org, 4)
    job = drafts_bulk_start(
        org=org, actor=user, action="approve", filters=DraftFilters(kind="price_change")
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == Job.Status.SUCCEEDED:
            break
        time.sleep(0.1)
    assert job.status == Job.Status.SUCCEEDED
    assert (job.total, job.done, job.percent) == (4, 4, 100)
    assert job.result["applied"] == 4
    assert not Draft.objects.for_org(org).filter(status="pending").exists()
