"""Review dashboard pages: the queue, decisions, bulk jobs, policies, metrics; roles and tenants."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Role
from apps.catalog.models import Listing
from apps.core.models import Job
from apps.review.models import Draft, DraftStatus, Policy
from apps.review.services import Provenance, draft_approve, draft_create
from apps.review.views import CLAIM_BATCH
from tests.factories import ListingFactory, StoreFactory, marketplace


def _content(**overrides):
    return {
        "title": "Voltora 15W Wireless Charger, Aluminium",
        "bullets": ["Fast 15W charging"],
        "description": "Charges phones fast.",
        "search_terms": "qi charger",
        **overrides,
    }


def _listing_draft(org, **overrides):
    listing = ListingFactory(organization=org, title="Voltora Charger")
    return draft_create(
        org=org,
        kind="listing_content",
        target=listing,
        proposed=_content(**overrides),
        rationale="Adds the wattage buyers search for.",
        evidence=[{"source": "product", "field": "attributes.power_w", "value": 15}],
        provenance=Provenance(provider="offline", prompt_version="listing_content@1"),
    )


@pytest.fixture
def draft(org):
    return _listing_draft(org)


@pytest.fixture
def foreign_draft(other_org):
    return _listing_draft(other_org, title="Ningbo Lamp")


@pytest.fixture
def reviewer(member_with_role):
    return member_with_role(Role.REVIEWER)


@pytest.fixture
def viewer(member_with_role):
    return member_with_role(Role.VIEWER)


def _queue_ids(response) -> list[int]:
    return [d.id for d in response.context["page"]]


# --- pages and tenancy -----------------------------------------------------------------------


def test_every_review_page_renders_for_a_member(user, draft, client_for):
    client = client_for(user)
    for url in [
        reverse("review:index"),
        reverse("review:detail", args=[draft.id]),
        reverse("review:policies"),
        reverse("review:metrics"),
    ]:
        assert client.get(url).status_code == 200, url


def test_review_pages_require_login(client, draft):
    for url in [
        reverse("review:index"),
        reverse("review:detail", args=[draft.id]),
        reverse("review:policies"),
        reverse("review:metrics"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_queue_lists_and_counts_only_the_active_organizations_drafts(
    user, draft, foreign_draft, client_for
):
    response = client_for(user).get(reverse("review:index"))
    assert _queue_ids(response) == [draft.id]
    assert {k["kind"]: k["count"] for k in response.context["kinds"]}["listing_content"] == 1
    assert response.context["total_count"] == 1
    body = response.content.decode()
    assert "Ningbo Lamp" not in body
    assert foreign_draft.title not in body or foreign_draft.title == draft.title


def test_another_organizations_draft_is_404_on_every_queue_action(user, foreign_draft, client_for):
    client = client_for(user)
    assert client.get(reverse("review:detail", args=[foreign_draft.id])).status_code == 404
    approve = client.post(reverse("review:approve", args=[foreign_draft.id]))
    reject = client.post(reverse("review:reject", args=[foreign_draft.id]), {"reason": "other"})
    assert approve.status_code == 404
    assert reject.status_code == 404
    foreign_draft.refresh_from_db()
    assert foreign_draft.status == DraftStatus.PENDING


def test_a_bulk_decision_never_touches_another_organizations_drafts(
    user, draft, foreign_draft, client_for
):
    response = client_for(user).post(
        reverse("review:bulk"), {"action": "approve", "ids": [draft.id, foreign_draft.id]}
    )
    assert response.status_code == 302
    job = Job.objects.for_org(draft.organization).get()
    assert job.total == 1
    assert client_for(user).get(reverse("review:job", args=[job.id])).status_code == 200


def test_another_organizations_job_page_is_404(user, outsider, draft, client_for):
    client_for(user).post(reverse("review:bulk"), {"action": "approve", "ids": [draft.id]})
    job = Job.objects.for_org(draft.organization).get()
    assert client_for(outsider).get(reverse("review:job", args=[job.id])).status_code == 404


def test_policies_and_metrics_show_only_the_active_organization(
    user, outsider, org, other_org, client_for
):
    Policy.objects.create(
        organization=other_org, kind="price_change", auto_approve=True, max_change_pct=Decimal("7")
    )
    response = client_for(user).get(reverse("review:policies"))
    assert all(row["policy"] is None for row in response.context["rows"])
    listing = ListingFactory(organization=other_org)
    d = draft_create(org=other_org, kind="listing_content", target=listing, proposed=_content())
    draft_approve(org=other_org, actor=outsider, draft_id=d.id)
    assert client_for(user).get(reverse("review:metrics")).context["total_reviewed"] == 0
    assert client_for(outsider).get(reverse("review:metrics")).context["total_reviewed"] == 1


# --- the queue ---------------------------------------------------------------------------------


def test_the_detail_shows_the_diff_rationale_evidence_and_provenance(user, draft, client_for):
    body = client_for(user).get(reverse("review:detail", args=[draft.id])).content.decode()
    assert "<del>Charger</del>" in body or "<del>" in body
    assert "<ins>" in body
    assert "Adds the wattage buyers search for." in body
    assert "Output (W)</span>: 15" in body  # the evidence, labelled for people
    assert "offline generator" in body
    assert "listing_content@1" in body
    assert 'id="review-rules"' in body
    assert '"title_max": 200' in body


def test_two_reviewers_opening_the_queue_get_different_drafts(org, member_with_role, client_for):
    for n in range(CLAIM_BATCH * 2):
        _listing_draft(org, title=f"Voltora Charger {n}")
    first = client_for(member_with_role(Role.REVIEWER))
    second = client_for(member_with_role(Role.OWNER))
    mine = set(first.get(reverse("review:index")).context["claimed_ids"])
    theirs = set(second.get(reverse("review:index")).context["claimed_ids"])
    assert len(mine) == len(theirs) == CLAIM_BATCH
    assert not mine & theirs
    # The second reviewer sees who holds the first one's drafts.
    response = second.get(reverse("review:index"))
    assert "being reviewed by reviewer-user" in response.content.decode()
    assert response.context["draft"].id in theirs


def test_a_viewer_opening_the_queue_claims_nothing(viewer, draft, client_for):
    response = client_for(viewer).get(reverse("review:index"))
    assert response.context["claimed_ids"] == []
    draft.refresh_from_db()
    assert draft.claimed_by is None
    assert 'data-testid="draft-actions"' not in response.content.decode()


def test_filters_narrow_the_queue(org, user, client_for):
    de_store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"))
    de_listing = ListingFactory(organization=org, store=de_store, language="de-DE")
    de_draft = draft_create(org=org, kind="listing_content", target=de_listing, proposed=_content())
    us_draft = _listing_draft(org)
    price = draft_create(
        org=org,
        kind="price_change",
        target=ListingFactory(organization=org),
        proposed={"price": "21.00", "currency": "USD"},
    )
    client = client_for(user)
    get = lambda **params: _queue_ids(client.get(reverse("review:index"), params))  # noqa: E731
    assert get(marketplace="amazon_de") == [de_draft.id]
    assert get(language="de-DE") == [de_draft.id]
    assert get(store=de_store.id) == [de_draft.id]
    assert get(kind="price_change") == [price.id]
    assert set(get(kind="listing_content")) == {de_draft.id, us_draft.id}
    assert get(age=24) == []
    assert get(status="applied") == []


def test_htmx_requests_get_fragments(user, draft, client_for):
    client = client_for(user)
    queue = client.get(reverse("review:index"), headers={"HX-Request": "true"})
    body = queue.content.decode()
    assert 'id="review-queue"' in body and "<html" not in body
    detail = client.get(reverse("review:detail", args=[draft.id]), headers={"HX-Request": "true"})
    body = detail.content.decode()
    assert body.lstrip().startswith('<section id="draft-detail"')
    assert "<html" not in body
    metrics = client.get(reverse("review:metrics"), headers={"HX-Request": "true"})
    assert "<html" not in metrics.content.decode()


def test_the_queue_renders_in_chinese(user, draft, client_for):
    client = client_for(user)
    with translation.override("zh-hans"):
        response = client.get(reverse("review:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        detail = client.get(
            reverse("review:detail", args=[draft.id]),
            headers={"HX-Request": "true", "Accept-Language": "zh-hans"},
        )
    body = response.content.decode()
    assert "审核队列" in body and "快捷键" in body and "全部类型" in body
    fragment = detail.content.decode()
    assert "批准" in fragment and "驳回" in fragment and "保存并批准" in fragment
    assert "离线生成器" in fragment and "提示词版本" in fragment
    rules = re.search(r'<script id="review-rules" type="application/json">(.*?)</script>', fragment)
    # The live checks' wording comes translated from the server.
    assert json.loads(rules.group(1))["messages"]["chars"] == "{n} / {max} 个字符"


# --- decisions ---------------------------------------------------------------------------------


def test_a_reviewer_approves_and_the_listing_changes(reviewer, draft, client_for):
    response = client_for(reviewer).post(
        reverse("review:approve", args=[draft.id]), {"queue": "kind=listing_content"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("review:index") + "?kind=listing_content"
    listing = Listing.objects.for_org(draft.organization).get(pk=draft.target_id)
    assert listing.title == "Voltora 15W Wireless Charger, Aluminium"
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPLIED and draft.reviewed_by == reviewer
    assert draft.edit_distance == 0


def test_edit_and_approve_applies_the_edited_text(reviewer, draft, client_for):
    response = client_for(reviewer).post(
        reverse("review:approve", args=[draft.id]),
        {
            "edit": "1",
            "title": "Voltora 15W Qi Charger",
            "bullets": ["Fast 15W charging", "", "Aluminium body"],
            "description": "Charges phones fast.",
            "search_terms": "qi charger",
        },
    )
    assert response.status_code == 302
    listing = Listing.objects.for_org(draft.organization).get(pk=draft.target_id)
    assert listing.title == "Voltora 15W Qi Charger"
    assert listing.bullets == ["Fast 15W charging", "Aluminium body"]
    draft.refresh_from_db()
    assert draft.final["title"] == "Voltora 15W Qi Charger"
    assert draft.edit_distance > 0


def test_an_edit_that_fails_the_checks_is_refused_and_kept_in_the_form(reviewer, draft, client_for):
    response = client_for(reviewer).post(
        reverse("review:approve", args=[draft.id]),
        {
            "edit": "1",
            "title": "Best seller charger!",
            "bullets": ["Fast 15W charging"],
            "description": "Charges phones fast.",
            "search_terms": "qi charger",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Best seller charger!" in body
    assert "nothing was applied" in body
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PENDING


def test_approving_twice_answers_409_with_a_message(reviewer, draft, client_for):
    client = client_for(reviewer)
    client.post(reverse("review:approve", args=[draft.id]))
    again = client.post(reverse("review:approve", args=[draft.id]))
    assert again.status_code == 409
    assert "already applied" in again.content.decode()


def test_approving_a_draft_whose_listing_moved_supersedes_it(reviewer, draft, client_for):
    Listing.objects.for_org(draft.organization).filter(pk=draft.target_id).update(title="Manual")
    response = client_for(reviewer).post(reverse("review:approve", args=[draft.id]))
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SUPERSEDED
    body = response.content.decode()
    assert "superseded" in body.lower()
    assert "Manual" in body  # what changed is shown
    assert Listing.objects.for_org(draft.organization).get(pk=draft.target_id).title == "Manual"


def test_a_reviewer_rejects_with_a_reason(reviewer, draft, client_for):
    response = client_for(reviewer).post(
        reverse("review:reject", args=[draft.id]), {"reason": "off_brand", "note": "Too loud"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.REJECTED and draft.reject_reason == "off_brand"


def test_a_rejection_without_a_reason_is_refused(reviewer, draft, client_for):
    response = client_for(reviewer).post(reverse("review:reject", args=[draft.id]), {})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PENDING


def test_an_edited_price_is_applied(reviewer, org, client_for):
    listing = ListingFactory(organization=org, price=Decimal("20.00"))
    d = draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "25.00", "currency": "USD"}
    )
    client_for(reviewer).post(
        reverse("review:approve", args=[d.id]), {"edit": "1", "price": "22,50"}
    )
    listing.refresh_from_db()
    assert listing.price == Decimal("22.50")


def test_a_viewer_cannot_decide_anything(viewer, draft, client_for):
    client = client_for(viewer)
    assert client.post(reverse("review:approve", args=[draft.id])).status_code == 403
    assert (
        client.post(reverse("review:reject", args=[draft.id]), {"reason": "other"}).status_code
        == 403
    )
    assert (
        client.post(reverse("review:bulk"), {"action": "approve", "ids": [draft.id]}).status_code
        == 403
    )
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PENDING


def test_bulk_approve_of_the_filter_starts_a_job_and_shows_its_progress(reviewer, org, client_for):
    drafts = [_listing_draft(org, title=f"Voltora Charger {n}") for n in range(3)]
    response = client_for(reviewer).post(
        reverse("review:bulk"),
        {"action": "approve", "scope": "filter", "queue": "kind=listing_content"},
    )
    job = Job.objects.for_org(org).get()
    assert job.total == len(drafts)
    assert response["Location"] == reverse("review:job", args=[job.id]) + "?kind=listing_content"
    page = client_for(reviewer).get(response["Location"])
    body = page.content.decode()
    assert 'data-testid="job-status"' in body  # the generic job page (apps/core/views.py)
    assert f'hx-get="{response["Location"]}"' in body  # polled while active
    assert 'href="/review/?kind=listing_content" data-testid="back-to-queue"' in body


def test_bulk_reject_needs_a_reason(reviewer, draft, client_for):
    client = client_for(reviewer)
    response = client.post(reverse("review:bulk"), {"action": "reject", "ids": [draft.id]})
    assert response.status_code == 302
    assert not Job.objects.for_org(draft.organization).exists()


# --- policies ----------------------------------------------------------------------------------


def test_a_reviewer_cannot_change_policies(reviewer, org, client_for):
    client = client_for(reviewer)
    page = client.get(reverse("review:policies"))
    assert page.status_code == 200 and page.context["can_manage"] is False
    response = client.post(
        reverse("review:policies"),
        {"kind": "price_change", "auto_approve": "on", "max_change_pct": "5"},
    )
    assert response.status_code == 403
    assert not Policy.objects.for_org(org).exists()


def test_a_viewer_cannot_change_policies(viewer, org, client_for):
    response = client_for(viewer).post(
        reverse("review:policies"), {"kind": "price_change", "auto_approve": "on"}
    )
    assert response.status_code == 403


def test_a_manager_changes_a_policy(user, org, client_for):
    response = client_for(user).post(
        reverse("review:policies"),
        {"kind": "price_change", "auto_approve": "on", "max_change_pct": "5"},
    )
    assert response.status_code == 302
    policy = Policy.objects.for_org(org).get(kind="price_change")
    assert policy.auto_approve and policy.max_change_pct == Decimal("5")
    assert policy.updated_by == user
    # The policy now applies a small price change without review.
    listing = ListingFactory(organization=org, price=Decimal("20.00"))
    d = draft_create(
        org=org, kind="price_change", target=listing, proposed={"price": "20.50", "currency": "USD"}
    )
    assert d.status == DraftStatus.APPLIED and d.applied_by_policy == policy


def test_an_invalid_policy_limit_is_refused_with_a_message(user, org, client_for):
    response = client_for(user).post(
        reverse("review:policies"),
        {"kind": "price_change", "auto_approve": "on", "max_change_pct": "500"},
        follow=True,
    )
    assert "between 0 and 100" in response.content.decode()
    assert not Policy.objects.for_org(org).exists()


def test_an_unknown_policy_kind_is_404(user, client_for):
    response = client_for(user).post(reverse("review:policies"), {"kind": "nope"})
    assert response.status_code == 404


def test_a_draft_is_listed_in_the_order_reviewers_work(user, org, client_for):
    old = _listing_draft(org)
    urgent = draft_create(
        org=org,
        kind="price_change",
        target=ListingFactory(organization=org),
        proposed={"price": "21.00", "currency": "USD"},
        priority=5,
    )
    ids = _queue_ids(client_for(user).get(reverse("review:index")))
    assert ids == [urgent.id, old.id]
    assert Draft.objects.for_org(org).count() == 2


def test_a_superseded_draft_can_be_regenerated_into_a_new_generation_job(org, user, client_for):
    from apps.catalog.models import Listing
    from apps.core.models import Job
    from apps.review.services import draft_create
    from tests.factories import ListingFactory

    listing = ListingFactory(organization=org)
    draft = draft_create(org=org, kind="listing_content", target=listing,
                         proposed={"title": "New", "bullets": [], "description": "",
                                   "search_terms": ""})  # fmt: skip
    Listing.objects.for_org(org).filter(pk=listing.pk).update(title="Changed in Seller Central")
    client = client_for(user)
    client.post(f"/review/{draft.pk}/approve/")
    draft.refresh_from_db()
    assert draft.status == "superseded"
    page = client.get(f"/review/{draft.pk}/").content.decode()
    assert 'data-testid="regenerate"' in page

    response = client.post(f"/review/{draft.pk}/regenerate/")
    assert response.status_code == 302
    job = Job.objects.for_org(org).get(kind="ai.generation")
    assert job.total == 1


def test_a_pending_draft_is_not_regenerated(org, user, client_for):
    from apps.review.services import draft_create
    from tests.factories import ListingFactory

    draft = draft_create(org=org, kind="listing_content", target=ListingFactory(organization=org),
                         proposed={"title": "New", "bullets": [], "description": "",
                                   "search_terms": ""})  # fmt: skip
    client = client_for(user)
    assert 'data-testid="regenerate"' not in client.get(f"/review/{draft.pk}/").content.decode()
    client.post(f"/review/{draft.pk}/regenerate/")
    from apps.core.models import Job

    assert not Job.objects.for_org(org).exists()


def test_unsupported_claims_are_highlighted_and_block_until_confirmed(org, user, client_for):
    from apps.catalog.models import Listing
    from apps.review.services import draft_create
    from tests.factories import ListingFactory

    listing = ListingFactory(
        organization=org, product__attributes={"material": "copper", "power_w": 15}
    )
    draft = draft_create(
        org=org,
        kind="listing_content",
        target=listing,
        proposed={
            "title": "Voltora 15W charger, steel body",
            "bullets": ["Fast 15 W charging"],
            "description": "A fast copper charger.",
            "search_terms": "qi charger",
            "confirmed_claims": [],
        },
    )
    client = client_for(user)
    page = client.get(f"/review/{draft.pk}/").content.decode()
    assert '<mark class="claim" data-testid="claim-text">steel</mark>' in page

    blocked = client.post(f"/review/{draft.pk}/approve/")
    assert blocked.status_code == 400
    assert Listing.objects.for_org(org).get(pk=listing.pk).title != draft.proposed["title"]

    confirmed = client.post(
        f"/review/{draft.pk}/approve/", {"edit": "1", "confirmed_claims": ["steel"]}
    )
    assert confirmed.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "applied"
    assert draft.final["confirmed_claims"] == ["steel"]
    listing.refresh_from_db()
    assert listing.title == "Voltora 15W charger, steel body"
    assert listing.bullets == ["Fast 15 W charging"]  # fields not posted are left as proposed
