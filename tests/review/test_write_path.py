"""One write path into the queue: set-based services, per-aspect versions, one auto-approve rule."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from apps.catalog.models import Listing
from apps.catalog.services import listing_prices_apply_many
from apps.review import batch
from apps.review.bulk import drafts_bulk_run
from apps.review.metrics import auto_applied_counts
from apps.review.models import Draft, DraftStatus, PolicyRun, ReviewEvent
from apps.review.policies import change_within_limit, changes_within_limit
from apps.review.services import (
    DraftSuperseded,
    Provenance,
    draft_approve,
    draft_create,
    policy_set,
)
from tests.factories import ListingFactory, StoreFactory

S = DraftStatus
D = Decimal
CONTENT = {
    "title": "Voltora 15W Wireless Charger, Aluminium",
    "bullets": ["Fast 15W charging", "Aluminium body"],
    "description": "Charges phones fast.",
    "search_terms": "qi charger",
}


def _price(listing, price):
    return draft_create(
        org=listing.organization,
        kind="price_change",
        target=listing,
        proposed={"price": price, "currency": listing.currency},
    )


def _ct() -> int:
    return ContentType.objects.get_for_model(Listing).id


def _fresh(listing) -> Listing:
    return Listing.objects.for_org(listing.organization_id).get(pk=listing.pk)


@pytest.fixture
def listing(org):
    return ListingFactory(organization=org, price=D("20.00"), currency="USD")


# --------------------------------------------------------------------------- aspect versions


def test_the_trigger_bumps_only_the_aspect_whose_columns_changed(org, listing):
    before = _fresh(listing)
    assert (before.content_version, before.price_version, before.stock_version) == (1, 1, 1)
    qs = Listing.objects.for_org(org).filter(pk=listing.pk)
    qs.update(stock=7)
    qs.update(price=D("21.00"))
    qs.update(title="New title")
    qs.update(images=["a.jpg"])
    qs.update(stock=7)  # no real change: nothing moves
    after = _fresh(listing)
    assert after.version == before.version + 4
    assert (after.stock_version, after.price_version) == (2, 2)
    assert (after.content_version, after.images_version) == (2, 2)
    qs.update(currency="EUR")  # the currency belongs to the price aspect
    assert _fresh(listing).price_version == 3 and _fresh(listing).content_version == 2


def test_a_draft_records_the_version_of_its_own_aspect(org, listing):
    Listing.objects.for_org(org).filter(pk=listing.pk).update(stock=3)
    Listing.objects.for_org(org).filter(pk=listing.pk).update(stock=4)
    target = _fresh(listing)
    content = draft_create(org=org, kind="listing_content", target=target, proposed=CONTENT)
    price = _price(target, "21.99")
    assert target.version == 3
    assert content.target_version == target.content_version == 1
    assert price.target_version == target.price_version == 1


@pytest.mark.parametrize("change", [{"stock": 1}, {"price": D("25.00")}, {"images": ["x.jpg"]}])
def test_a_stock_price_or_image_update_does_not_supersede_a_content_draft(
    org, user, listing, change
):
    draft = draft_create(org=org, kind="listing_content", target=listing, proposed=CONTENT)
    Listing.objects.for_org(org).filter(pk=listing.pk).update(**change)
    applied = draft_approve(org=org, actor=user, draft_id=draft.pk)
    assert applied.status == S.APPLIED
    assert _fresh(listing).title == CONTENT["title"]


def test_a_price_update_supersedes_a_price_draft_but_a_stock_update_does_not(org, user):
    a = ListingFactory(organization=org, price=D("20.00"))
    b = ListingFactory(organization=org, price=D("20.00"))
    da, db_ = _price(a, "21.99"), _price(b, "21.99")
    Listing.objects.for_org(org).filter(pk=a.pk).update(price=D("20.50"))
    Listing.objects.for_org(org).filter(pk=b.pk).update(stock=0)
    with pytest.raises(DraftSuperseded):
        draft_approve(org=org, actor=user, draft_id=da.pk)
    assert Draft.objects.for_org(org).get(pk=da.pk).status == S.SUPERSEDED
    assert _fresh(a).price == D("20.50")
    assert draft_approve(org=org, actor=user, draft_id=db_.pk).status == S.APPLIED
    assert _fresh(b).price == D("21.99")


def test_bulk_approval_supersedes_only_drafts_whose_aspect_moved(org, user):
    store = StoreFactory(organization=org)
    listings = [ListingFactory(organization=org, store=store, price=D("20.00")) for _ in range(3)]
    content = [
        draft_create(org=org, kind="listing_content", target=x, proposed=CONTENT) for x in listings
    ]
    prices = [_price(x, "21.99") for x in listings]
    qs = Listing.objects.for_org(org)
    qs.filter(pk=listings[0].pk).update(stock=1)  # moves neither drafted aspect
    qs.filter(pk=listings[1].pk).update(price=D("19.00"))  # moves the price aspect
    qs.filter(pk=listings[2].pk).update(title="Edited by hand")  # moves the content aspect
    ids = [d.pk for d in content + prices]
    totals = drafts_bulk_run(org=org, actor=user, job_id=None, action="approve", ids=ids)
    assert (totals["applied"], totals["superseded"]) == (4, 2)
    status = dict(Draft.objects.for_org(org).values_list("pk", "status"))
    assert [status[d.pk] for d in content] == [S.APPLIED, S.APPLIED, S.SUPERSEDED]
    assert [status[d.pk] for d in prices] == [S.APPLIED, S.SUPERSEDED, S.APPLIED]


def test_existing_rows_start_with_every_aspect_at_their_version(org, listing):
    """The data step of catalog 0011 on a listing at version 5: every aspect starts at 5 (a
    draft stamped with 5 stays valid) and the copy itself bumps nothing."""
    import importlib

    migration = importlib.import_module("apps.catalog.migrations.0011_listing_aspect_versions")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks before ALTER
        cursor.execute("ALTER TABLE catalog_listing DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE catalog_listing SET version = 5, content_version = 1, price_version = 1, "
            "stock_version = 1, images_version = 1 WHERE id = %s",
            [listing.pk],
        )
        cursor.execute("ALTER TABLE catalog_listing ENABLE TRIGGER USER")
        cursor.execute(migration.FILL)
    after = _fresh(listing)
    assert after.version == 5
    assert {after.content_version, after.price_version, after.stock_version} == {5}
    assert after.images_version == 5


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("old", "new", "limit", "allowed"),
    [
        ("20.00", "21.00", "5", True),  # exactly 5 %
        ("20.00", "21.01", "5", False),
        ("20.00", "19.00", "5", True),
        ("19.99", "20.99", "5.01", True),  # 5.0025 %
        ("19.99", "20.99", "5.00", False),
        ("0", "1.00", "50", False),  # an unknown or zero price never auto-applies
        ("20.00", "20.50", None, False),  # a policy without a limit never does either
    ],
)
def test_the_rule_is_the_same_for_one_change_and_for_arrays(old, new, limit, allowed):
    limit = None if limit is None else D(limit)
    one, _reason = change_within_limit(max_change_pct=limit, old=D(old), new=D(new))
    units = np.array([int(D(old) * 10000)]), np.array([int(D(new) * 10000)])
    many = changes_within_limit(max_change_pct=limit, old=units[0], new=units[1])
    assert one is allowed and bool(many[0]) is allowed


def test_draft_create_uses_the_rule(org, user, listing):
    policy_set(org=org, actor=user, kind="price_change", auto_approve=True, max_change_pct=D("5"))
    inside = _price(listing, "21.00")  # exactly 5 %
    assert inside.status == S.APPLIED
    outside = _price(_fresh(listing), "23.00")
    assert outside.status == S.PENDING


# --------------------------------------------------------------------------- set-based services


def _open_drafts(org, n: int) -> tuple[list[Listing], list[Draft]]:
    store = StoreFactory(organization=org)
    listings = [ListingFactory(organization=org, store=store, price=D("20.00")) for _ in range(n)]
    return listings, [_price(x, "21.99") for x in listings]


def test_supersede_leaves_drafts_decided_meanwhile_untouched(org, user):
    listings, drafts = _open_drafts(org, 3)
    draft_approve(org=org, actor=user, draft_id=drafts[0].pk)  # applied "concurrently"
    Draft.objects.for_org(org).filter(pk=drafts[1].pk).update(status=S.REJECTED)
    n = batch.drafts_supersede_open(
        org=org,
        kind="price_change",
        target_type_id=_ct(),
        targets=[x.pk for x in listings],
        note="Replaced by a newer draft.",
    )
    assert n == 1
    status = dict(Draft.objects.for_org(org).values_list("pk", "status"))
    assert [status[d.pk] for d in drafts] == [S.APPLIED, S.REJECTED, S.SUPERSEDED]
    events = ReviewEvent.objects.for_org(org).filter(to_status=S.SUPERSEDED)
    assert [(e.draft_id, e.from_status) for e in events] == [(drafts[2].pk, S.PENDING)]


def test_supersede_by_a_relation_and_lock_count_only_open_drafts(org, other_org):
    listings, _drafts = _open_drafts(org, 2)
    foreign = ListingFactory(organization=other_org, price=D("20.00"))
    foreign_draft = _price(foreign, "21.99")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE t_targets (target_id bigint)")
        cursor.execute(
            "INSERT INTO t_targets VALUES (%s), (%s), (%s)",
            [listings[0].pk, listings[1].pk, foreign.pk],
        )
    kw = {"org": org, "kind": "price_change", "target_type_id": _ct()}
    assert batch.drafts_lock_open(**kw, targets="t_targets") == 2
    assert batch.drafts_supersede_open(**kw, targets="t_targets", note="x") == 2
    assert Draft.objects.for_org(other_org).get(pk=foreign_draft.pk).status == S.PENDING
    with pytest.raises(ValueError):
        batch.drafts_lock_open(**kw, targets="t_targets; DROP TABLE review_draft")


def test_create_many_writes_drafts_and_their_events_with_the_given_version(org):
    store = StoreFactory(organization=org)
    listings = [ListingFactory(organization=org, store=store, price=D("20.00")) for _ in range(2)]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE t_src AS SELECT id AS target_id, 7 AS target_version, "
            "store_id, 'amazon_us'::text AS marketplace, language, ''::text AS category, "
            "'T'::text AS title, jsonb_build_object('price', '20.00') AS current, "
            "jsonb_build_object('price', '22.00', 'currency', 'USD') AS proposed, "
            "'why'::text AS rationale, '[]'::jsonb AS evidence, 0 AS priority "
            "FROM catalog_listing WHERE id = ANY(%s)",
            [[x.pk for x in listings]],
        )
        cursor.execute("CREATE TEMP TABLE t_new (id bigint, target_id bigint)")
        n = batch.drafts_create_many(
            org=org,
            kind="price_change",
            target_type_id=_ct(),
            source="t_src",
            provenance=Provenance(provider="repricer", job_id=None),
            into="t_new",
        )
        cursor.execute("SELECT count(*) FROM t_new")
        assert cursor.fetchone()[0] == 2
    assert n == 2
    drafts = Draft.objects.for_org(org)
    assert {d.target_version for d in drafts} == {7}
    assert {d.provider for d in drafts} == {"repricer"}
    assert ReviewEvent.objects.for_org(org).filter(to_status=S.PENDING).count() == 2


def test_prices_apply_many_refuses_a_moved_price_aspect(org):
    store = StoreFactory(organization=org)
    a, b = (ListingFactory(organization=org, store=store, price=D("20.00")) for _ in range(2))
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE t_prices AS SELECT id AS listing_id, 21.5::numeric AS price, "
            "price AS old_price, price_version FROM catalog_listing WHERE id = ANY(%s)",
            [[a.pk, b.pk]],
        )
        cursor.execute("CREATE TEMP TABLE t_done (listing_id bigint)")
    Listing.objects.for_org(org).filter(pk=b.pk).update(currency="EUR")  # price aspect moves
    n = listing_prices_apply_many(org=org, source="t_prices", into="t_done", store_id=store.pk)
    assert n == 1
    assert (_fresh(a).price, _fresh(a).price_version) == (D("21.50"), 2)
    assert _fresh(b).price == D("20.00")


def test_policy_runs_count_in_the_auto_applied_metrics(org, user, listing):
    policy = policy_set(
        org=org, actor=user, kind="price_change", auto_approve=True, max_change_pct=D("5")
    )
    _price(listing, "20.50")  # one auto-applied draft
    run = batch.policy_run_record(
        org=org, policy=policy, kind="price_change", source="repricer", count=40
    )
    assert PolicyRun.objects.for_org(org).get() == run
    assert auto_applied_counts(org=org) == {"price_change": 41}


def test_a_transition_from_a_stale_read_is_refused_without_an_event(org, user, listing):
    from apps.review.services import InvalidTransition, _transition

    draft = _price(listing, "21.99")
    stale = Draft.objects.for_org(org).get(pk=draft.pk)  # read, not locked
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    with pytest.raises(InvalidTransition):
        _transition(stale, S.SUPERSEDED, note="late")
    assert Draft.objects.for_org(org).get(pk=draft.pk).status == S.APPLIED
    assert not ReviewEvent.objects.for_org(org).filter(to_status=S.SUPERSEDED).exists()


def test_the_metrics_page_shows_policy_applied_changes_of_this_organization_only(
    org, user, outsider, other_org, listing, client_for
):
    policy = policy_set(
        org=org, actor=user, kind="price_change", auto_approve=True, max_change_pct=D("5")
    )
    batch.policy_run_record(
        org=org, policy=policy, kind="price_change", source="repricer", count=40
    )
    page = client_for(user).get("/review/metrics/").content.decode()
    assert 'data-testid="auto-applied"' in page and ">40<" in page
    other = client_for(outsider).get("/review/metrics/").content.decode()
    assert 'data-testid="auto-applied"' not in other
