"""The price-change log shows what became of each change (applied automatically, waiting for
review, approved, rejected, superseded) and filters on it; "Reprice now" and the pricing page
say what a run did (changed, sent to review, already proposed, held at the floor), never "48 of
56 changed" when nothing moved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.core.models import Job
from apps.core.services import job_create, job_finish
from apps.pricing.models import PriceChange, RepricingRun
from apps.review.services import REJECT_REASONS, draft_approve, draft_create, draft_reject
from tests.factories import ListingFactory, StoreFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _change(org, listing, outcome, draft=None) -> PriceChange:
    return PriceChange.objects.create(
        organization=org, listing=listing, old_price=listing.price, new_price=D("18.49"),
        currency="USD", binding="strategy", outcome=outcome,
        draft_id=draft.pk if draft else None,
    )  # fmt: skip


def _draft(org, listing, price="18.49"):
    return draft_create(org=org, kind="price_change", target=listing,
                        proposed={"price": price, "currency": "USD"})  # fmt: skip


@pytest.fixture
def log(org, user):
    store = StoreFactory(organization=org)
    made = {}
    for name in ("applied", "pending", "approved", "rejected", "superseded"):
        made[name] = ListingFactory(organization=org, store=store)
    changes = {"applied": _change(org, made["applied"], "applied")}
    pending = _draft(org, made["pending"])
    changes["pending"] = _change(org, made["pending"], "drafted", pending)
    approved = _draft(org, made["approved"])
    draft_approve(org=org, actor=user, draft_id=approved.pk)
    changes["approved"] = _change(org, made["approved"], "drafted", approved)
    rejected = _draft(org, made["rejected"])
    draft_reject(org=org, actor=user, draft_id=rejected.pk, reason=REJECT_REASONS[0])
    changes["rejected"] = _change(org, made["rejected"], "drafted", rejected)
    first = _draft(org, made["superseded"])
    _draft(org, made["superseded"], price="17.99")  # a newer draft supersedes the first
    changes["superseded"] = _change(org, made["superseded"], "drafted", first)
    return changes


def test_the_log_shows_each_changes_outcome(org, user, client_for, log):
    page = client_for(user).get(reverse("pricing:changes"))
    shown = {c.pk: c.log_outcome for c in page.context["page"]}
    assert shown == {change.pk: name for name, change in log.items()}
    html = page.content.decode()
    for label in ("Applied automatically", "Waiting for review", "Approved", "Rejected",
                  "Superseded"):  # fmt: skip
        assert label in html


@pytest.mark.parametrize("outcome", ["applied", "pending", "approved", "rejected", "superseded"])
def test_the_outcome_filter_shows_only_that_outcome(org, user, client_for, log, outcome):
    client = client_for(user)
    page = client.get(reverse("pricing:changes"), {"outcome": outcome})
    assert [c.pk for c in page.context["page"]] == [log[outcome].pk]
    fragment = client.get(reverse("pricing:changes"), {"outcome": outcome}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert fragment.content.decode().count('data-testid="change-outcome"') == 1


def test_the_store_and_binding_filters_work_and_bad_values_are_ignored(org, user, client_for, log):
    other_store = StoreFactory(organization=org)
    elsewhere = _change(org, ListingFactory(organization=org, store=other_store), "applied")
    elsewhere.binding = "floor"
    elsewhere.save(update_fields=["binding"])
    client = client_for(user)
    by_store = client.get(reverse("pricing:changes"), {"store": other_store.pk})
    assert [c.pk for c in by_store.context["page"]] == [elsewhere.pk]
    by_binding = client.get(reverse("pricing:changes"), {"binding": "floor"})
    assert [c.pk for c in by_binding.context["page"]] == [elsewhere.pk]
    junk = client.get(reverse("pricing:changes"), {"outcome": "nonsense", "store": "x"})
    assert junk.status_code == 200 and len(junk.context["page"]) == 6


def test_another_organizations_drafts_do_not_leak_into_the_log(org, other_org, user, client_for):
    theirs = ListingFactory(organization=other_org)
    their_draft = _draft(other_org, theirs)
    mine = _change(org, ListingFactory(organization=org), "drafted")
    mine.draft_id = their_draft.pk  # a forged id: it must not lend its status
    mine.save(update_fields=["draft_id"])
    page = client_for(user).get(reverse("pricing:changes"), {"outcome": "pending"})
    assert [c.pk for c in page.context["page"]] == [mine.pk]


# --- what a run did ----------------------------------------------------------------------


def test_a_reprice_job_that_moved_nothing_says_so_and_why(org, user, client_for):
    job = job_create(org=org, kind="reprice_store", label="Reprice Voltora US", total=56)
    counts = {"offers": 56, "changed": 48, "applied": 0, "drafted": 0, "already_proposed": 40,
              "at_floor": 8, "conflicts": 0, "bad_input": 0}  # fmt: skip
    job_finish(job_id=job.pk, result={"run_id": 1, **counts})
    html = client_for(user).get(reverse("pricing:job", args=[job.pk])).content.decode()
    assert 'data-testid="reprice-summary" data-moved="0"' in html
    assert "No price changed" in html
    assert "already proposed, waiting for review" in html and "held at the floor" in html
    assert "48 of 56" not in html


def test_a_reprice_job_and_the_pricing_page_count_what_really_moved(org, user, client_for):
    store = StoreFactory(organization=org)
    RepricingRun.objects.create(organization=org, store=store, status="succeeded", offers=56,
                                changed=48, applied=3, drafted=5, at_floor=8,
                                report={"already_proposed": 40})  # fmt: skip
    job = job_create(org=org, kind="reprice_store", label="Reprice", total=56)
    job_finish(job_id=job.pk, result={"offers": 56, "changed": 48, "applied": 3, "drafted": 5,
                                      "already_proposed": 40, "at_floor": 8})  # fmt: skip
    client = client_for(user)
    for html in (
        client.get(reverse("pricing:job", args=[job.pk])).content.decode(),
        client.get(reverse("pricing:index")).content.decode(),
    ):
        assert 'data-moved="8"' in html
        assert 'data-part="applied"><span class="badge ok">3</span> changed' in html
        assert 'data-part="drafted"><span class="badge pending">5</span> sent to review' in html
        assert "40</span> already proposed" in html
        assert "prices changed" not in html
    assert Job.objects.for_org(org).get(pk=job.pk).status == "succeeded"
