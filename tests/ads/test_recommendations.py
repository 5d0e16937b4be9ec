from decimal import Decimal

import pytest

from apps.ads.bulk_import import bulk_file_import
from apps.ads.imports import search_terms_import
from apps.ads.models import AdChange, Campaign, NegativeKeyword, Target
from apps.ads.recommendations import recommendations_run
from apps.ads.targets import campaign_target_override, campaign_targets
from apps.review.models import Draft
from apps.review.services import draft_approve, draft_reject

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(org, store, listing, st_csv, bulk_xlsx):
    search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="st.csv")
    bulk_file_import(org=org, store_id=store.pk, data=bulk_xlsx, filename="bulk.xlsx")
    return store


def test_targets_from_cost_model_and_override(org, loaded, user):
    targets = campaign_targets(org=org)
    auto = Campaign.objects.for_org(org).get(name="KVX PB10K - SP - Auto")
    t = targets[auto.pk]
    assert t.listings and t.listings[0].sku == "KVX-PB10K-BLK"
    if t.break_even_acos is not None:
        assert t.source == "profit" and t.target_acos == t.break_even_acos - Decimal(10)
    campaign_target_override(org=org, actor=user, campaign_id=auto.pk, target_acos=Decimal("18"))
    t = campaign_targets(org=org)[auto.pk]
    assert (t.source, t.target_acos, t.override_by) == ("override", Decimal("18"), user.username)


def test_run_writes_drafts_grouped_per_campaign_and_approve_reject(org, loaded, user):
    auto = Campaign.objects.for_org(org).get(name="KVX PB10K - SP - Auto")
    campaign_target_override(org=org, actor=user, campaign_id=auto.pk, target_acos=Decimal("30"))
    result = recommendations_run(org=org)
    assert result.drafts > 0
    drafts = Draft.objects.for_org(org).filter(kind="ad_change", status="pending")
    assert drafts.count() == result.drafts
    assert {d.target_id for d in drafts} <= set(
        Campaign.objects.for_org(org).values_list("pk", flat=True)
    )
    for d in drafts:
        assert d.evidence and d.proposed["action"] and d.rationale
    # A second run supersedes the first's open drafts, one current set.
    again = recommendations_run(org=org)
    assert again.superseded == result.drafts
    pending = list(Draft.objects.for_org(org).filter(kind="ad_change", status="pending"))
    first, second = pending[0], pending[1] if len(pending) > 1 else None
    approved = draft_approve(org=org, actor=user, draft_id=first.pk)
    assert approved.status == "applied"
    assert AdChange.objects.for_org(org).filter(action=first.proposed["action"]).count() == 1
    if second is not None:
        rejected = draft_reject(org=org, actor=user, draft_id=second.pk, reason="not_needed")
        assert rejected.status == "rejected"


def test_every_action_applies(org, loaded, user):
    auto = Campaign.objects.for_org(org).get(name="KVX PB10K - SP - Auto")
    campaign_target_override(org=org, actor=user, campaign_id=auto.pk, target_acos=Decimal("30"))
    recommendations_run(org=org)
    for d in Draft.objects.for_org(org).filter(kind="ad_change", status="pending"):
        assert draft_approve(org=org, actor=user, draft_id=d.pk).status == "applied"
    actions = set(AdChange.objects.for_org(org).values_list("action", flat=True))
    assert actions
    if "negative" in actions:
        assert NegativeKeyword.objects.for_org(org).filter(amazon_id="").exists()
    if "harvest" in actions:
        assert Target.objects.for_org(org).filter(amazon_id="", match_type="exact").exists()


def test_rationale_is_stored_as_a_code_and_said_in_the_viewers_language(org, loaded, user):
    from django.utils import translation

    from apps.ads.reasons import rationale_label, reason_of

    auto = Campaign.objects.for_org(org).get(name="KVX PB10K - SP - Auto")
    campaign_target_override(org=org, actor=user, campaign_id=auto.pk, target_acos=Decimal("30"))
    recommendations_run(org=org)
    for d in Draft.objects.for_org(org).filter(kind="ad_change", status="pending"):
        reason = reason_of(d.evidence)
        assert reason["code"] == d.rationale and " " not in d.rationale
        assert all(not isinstance(v, str) or len(v) < 300 for v in reason["args"].values())
        with translation.override("en"):
            en = rationale_label(d)
        with translation.override("zh-hans"):
            zh = rationale_label(d)
        assert en and zh and en != zh, (en, zh)
        for value in reason["args"].values():  # the numbers and names appear in both
            if isinstance(value, int | float) or (isinstance(value, str) and value[:1].isdigit()):
                assert str(value) in en and str(value) in zh


@pytest.mark.worker
def test_a_run_on_the_real_worker_reports_to_its_job(
    transactional_db, celery_worker, org, user, st_csv, bulk_xlsx
):
    import time

    from apps.ads.recommendations import recommendations_start
    from apps.catalog.listings.marketplaces import marketplaces_sync
    from apps.catalog.models import Marketplace
    from apps.core.models import Job
    from tests.factories import ListingFactory, ProductFactory, StoreFactory

    # A transactional test may follow another one's flush: the reference data first.
    marketplaces_sync(Marketplace)
    store = StoreFactory(organization=org, name="Kovexa US")
    product = ProductFactory(
        organization=org, sku="KVX-PB10K-BLK", unit_cost="40", cost_currency="CNY"
    )
    ListingFactory(organization=org, store=store, product=product, external_id="B0DK7PW2N4",
                   price="25.99", currency="USD")  # fmt: skip
    search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="st.csv")
    bulk_file_import(org=org, store_id=store.pk, data=bulk_xlsx, filename="bulk.xlsx")
    auto = Campaign.objects.for_org(org).get(name="KVX PB10K - SP - Auto")
    campaign_target_override(org=org, actor=user, campaign_id=auto.pk, target_acos=Decimal("30"))
    job = recommendations_start(org=org, actor=user)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and Job.objects.for_org(org).get(pk=job.pk).is_active:
        time.sleep(0.2)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.done == job.total == 3
    pending = Draft.objects.for_org(org).filter(kind="ad_change", status="pending").count()
    assert job.result["drafts"] == pending > 0
