"""The AI help kinds run offline through the one pipeline: valid, labelled drafts on the
campaign, checked by the rules, reviewed like any draft; nothing applies itself."""

import pytest

from apps.ads.bulk_import import bulk_file_import
from apps.ads.generation import (
    HEADLINE_MAX,
    HEADLINES_KIND,
    KEYWORDS_KIND,
    headline_rules,
    keyword_rules,
)
from apps.ads.imports import search_terms_import
from apps.ads.models import AdChange, Campaign
from apps.ai.registry import Item
from apps.review.models import Draft
from apps.review.services import draft_approve


def _run(org, user, kind, ids, monkeypatch):
    from django.db import transaction

    from apps.ai.services import generation_batch_run, generation_start

    batches = []
    monkeypatch.setattr("apps.ai.tasks.generation_batch_task.delay", lambda *a: batches.append(a))
    with transaction.atomic():
        job = generation_start(org=org, actor=user, kind=kind, target_ids=ids)
    for _org_id, job_id, k, target_ids in batches:
        generation_batch_run(org=org, job_id=job_id, kind=k, target_ids=target_ids)
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_keyword_ideas_and_headlines_offline(
    org, other_org, store, listing, user, st_csv, bulk_xlsx, offline, monkeypatch
):
    search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="st.csv")
    bulk_file_import(org=org, store_id=store.pk, data=bulk_xlsx, filename="b.xlsx")
    camp = Campaign.objects.for_org(org).get(name="KVX PB10K - SP - KW Manual")
    job = _run(org, user, KEYWORDS_KIND, [camp.pk], monkeypatch)
    assert (job.status, job.done) == ("succeeded", 1)
    draft = Draft.objects.for_org(org).get(kind=KEYWORDS_KIND)
    assert draft.provider == "offline" and draft.rationale.startswith("Offline generator")
    assert draft.proposed["keywords"] and draft.status == "pending"
    assert not AdChange.objects.for_org(org).exists()  # nothing applied by itself
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    assert AdChange.objects.for_org(org).filter(action="keyword_ideas").exists()

    job = _run(org, user, HEADLINES_KIND, [camp.pk], monkeypatch)
    draft = Draft.objects.for_org(org).get(kind=HEADLINES_KIND)
    assert all(len(h) <= HEADLINE_MAX for h in draft.proposed["headlines"])
    assert any("translation needs an endpoint" in str(e) for e in draft.evidence)


def test_rules_refuse_limits():
    item = Item(target=None, variables={}, context={"existing": ["power bank"]})
    assert keyword_rules(item, {"keywords": ["power bank", "x " * 11]})
    assert not keyword_rules(item, {"keywords": ["usb c power bank"]})
    assert headline_rules(item, {"headlines": ["The best charger!"]})
    assert headline_rules(item, {"headlines": ["x" * 51]})
    assert not headline_rules(item, {"headlines": ["Kovexa slim power bank, USB-C"]})
