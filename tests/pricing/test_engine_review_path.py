"""The repricer writes the queue through review's services: loaded versions, policy runs, and a
run concurrent with reviewers approving drafts of the same listings."""

from __future__ import annotations

import threading
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection

from apps.catalog.models import Listing
from apps.core.errors import Conflict
from apps.pricing.engine import run as engine_run
from apps.pricing.engine.run import reprice_store
from apps.pricing.models import PriceChange
from apps.review.metrics import auto_applied_counts
from apps.review.models import Draft, DraftStatus, Policy, PolicyRun, ReviewEvent
from apps.review.services import ALLOWED, DraftSuperseded, draft_approve, draft_create

from .test_engine_write import listing, setup_store

S = DraftStatus
D = Decimal


def _policy(org, pct="6"):
    return Policy.objects.create(
        organization=org, kind="price_change", auto_approve=True, max_change_pct=D(pct)
    )


def test_applied_changes_are_one_policy_run_linked_from_their_price_changes(org):
    store, _ = setup_store(org)
    a = listing(org, store, D("19.99"), sku="A", competitor=D("18.00"))  # 5 % down: applied
    b = listing(org, store, D("9.99"), sku="B", competitor=D("18.00"))  # to the floor: drafted
    policy = _policy(org)
    out = reprice_store(org=org, store=store)
    run = PolicyRun.objects.for_org(org).get()
    assert (run.policy, run.kind, run.source, run.count) == (policy, "price_change", "repricer", 1)
    assert run.summary == {"repricing_run": out.run_id, "store": store.pk}
    changes = {c.listing_id: c for c in PriceChange.objects.for_org(org)}
    assert changes[a.pk].policy_run_id == run.pk and changes[a.pk].outcome == "applied"
    assert changes[b.pk].policy_run_id is None and changes[b.pk].outcome == "drafted"
    assert auto_applied_counts(org=org) == {"price_change": 1}


def test_drafts_carry_the_price_version_the_engine_loaded(org, user, monkeypatch):
    """The price moves between load and write: the in-policy change is not written over it,
    and the draft is stamped with the version it was computed from, so approval supersedes."""
    store, _ = setup_store(org)
    a = listing(org, store, D("19.99"), sku="A", competitor=D("18.00"))  # would apply
    b = listing(org, store, D("9.99"), sku="B", competitor=D("18.00"))  # drafted
    _policy(org)
    loaded = {}
    real = engine_run.load_chunk

    def load_then_someone_edits(ctx, lo, hi, due=None):
        offers, comps = real(ctx, lo, hi, due)
        loaded.update(zip(offers["listing_id"], offers["price_version"], strict=True))
        for pk, price in ((a.pk, D("19.49")), (b.pk, D("9.49"))):
            Listing.objects.for_org(org).filter(pk=pk).update(price=price)
        return offers, comps

    # reprice_store looks load_chunk up in engine.run, where it is imported from load.
    monkeypatch.setattr(engine_run, "load_chunk", load_then_someone_edits)
    out = reprice_store(org=org, store=store)

    assert out.counts["applied"] == 0
    assert Listing.objects.for_org(org).get(pk=a.pk).price == D("19.49")
    draft = Draft.objects.for_org(org).get(target_id=b.pk, status=S.PENDING)
    assert draft.target_version == loaded[b.pk] == 1
    assert Listing.objects.for_org(org).get(pk=b.pk).price_version == 2
    with pytest.raises(DraftSuperseded):
        draft_approve(org=org, actor=user, draft_id=draft.pk)
    assert Listing.objects.for_org(org).get(pk=b.pk).price == D("9.49")


def test_the_engine_supersedes_only_open_price_drafts_and_keeps_content_drafts(org):
    store, _ = setup_store(org)
    a = listing(org, store, D("19.99"), sku="A", competitor=D("18.00"))
    content = draft_create(
        org=org,
        kind="listing_content",
        target=a,
        proposed={"title": "T", "bullets": [], "description": "", "search_terms": ""},
    )
    old = draft_create(
        org=org, kind="price_change", target=a, proposed={"price": "25.99", "currency": "USD"}
    )
    _policy(org)
    reprice_store(org=org, store=store)  # applies 18.99 inside the policy
    status = dict(Draft.objects.for_org(org).values_list("pk", "status"))
    assert status[old.pk] == S.SUPERSEDED and status[content.pk] == S.PENDING
    event = ReviewEvent.objects.for_org(org).get(draft_id=old.pk, to_status=S.SUPERSEDED)
    assert event.from_status == S.PENDING


def _check_history(org) -> dict[str, int]:
    """Every draft's events form one chain of allowed transitions ending in its status."""
    events = defaultdict(list)
    for e in ReviewEvent.objects.for_org(org).order_by("created_at", "id"):
        events[e.draft_id].append(e)
    applied = 0
    for draft in Draft.objects.for_org(org):
        chain = events[draft.pk]
        previous = ""
        for e in chain:
            assert e.from_status == previous, (
                draft.pk,
                [(x.from_status, x.to_status) for x in chain],
            )
            assert e.to_status in ALLOWED[previous]
            previous = e.to_status
        assert previous == draft.status
        n = sum(e.to_status == S.APPLIED for e in chain)
        assert n <= 1
        applied += n
    return {"applied": applied}


@pytest.mark.django_db(transaction=True)
def test_an_engine_run_concurrent_with_approvals_rewrites_nothing_applied(org, user):
    """Reviewers approve open price drafts while the repricer (two writers, small chunks)
    reprices the same listings: no deadlock, nothing applied is superseded, each draft is
    applied at most once, and every event matches a real transition."""
    store, _ = setup_store(org)
    n = 24
    listings = [
        listing(org, store, D("19.99") if i % 2 else D("9.99"), sku=f"L{i}", competitor=D("18.00"))
        for i in range(n)
    ]
    drafts = [
        draft_create(
            org=org, kind="price_change", target=x, proposed={"price": "19.49", "currency": "USD"}
        )
        for x in listings
    ]
    _policy(org)
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []
    outcomes: list[str] = []

    def run_engine():
        try:
            barrier.wait()
            reprice_store(org=org, store=store, chunk_size=4)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def approve(ids):
        try:
            barrier.wait()
            for pk in ids:
                try:
                    draft_approve(org=org, actor=user, draft_id=pk)
                    outcomes.append("applied")
                except Conflict:
                    outcomes.append("conflict")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    ids = [d.pk for d in drafts]
    threads = [
        threading.Thread(target=run_engine),
        threading.Thread(target=approve, args=(ids[0::2],)),
        threading.Thread(target=approve, args=(list(reversed(ids[1::2])),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert len(outcomes) == n

    history = _check_history(org)
    assert history["applied"] == outcomes.count("applied")
    status = dict(Draft.objects.for_org(org).values_list("pk", "status"))
    applied_events = set(
        ReviewEvent.objects.for_org(org)
        .filter(to_status=S.APPLIED)
        .values_list("draft_id", flat=True)
    )
    # An applied draft stays applied: the engine's supersede never rewrote one.
    assert all(status[pk] == S.APPLIED for pk in applied_events)
    assert outcomes.count("applied") == sum(status[pk] == S.APPLIED for pk in ids)
    # One open price draft per listing at most, and the run finished.
    open_ = Draft.objects.for_org(org).filter(kind="price_change", status__in=["pending"])
    assert open_.values("target_id").distinct().count() == open_.count()
    assert PriceChange.objects.for_org(org).filter(outcome="applied").count() == sum(
        PolicyRun.objects.for_org(org).values_list("count", flat=True)
    )
