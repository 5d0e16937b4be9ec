"""Translation with the offline generator: units per target marketplace, brand and model numbers
kept, every non-Chinese draft with a Chinese back-translation, the target's rules applied."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.ai.services import generation_batch_run
from apps.catalog.content.studio import TRANSLATION_JOB, listing_translate
from apps.catalog.models import Listing
from apps.catalog.rules.checks import check_listing_content
from apps.core.errors import NotFound, ValidationFailed
from apps.core.models import Job
from apps.review.models import Draft
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace

ATTRS = {"model": "VT-PB20K-X2", "capacity_mah": 20000, "power_w": 22.5, "material": "aluminium"}


@pytest.fixture
def de_listing(org, settings):
    settings.OPENAI_BASE_URL = ""
    product = ProductFactory(organization=org, brand="Voltora", category="Power banks",
                             attributes=ATTRS, weight_g=Decimal("360"), length_mm=Decimal("152"),
                             width_mm=Decimal("70"), height_mm=Decimal("25"))  # fmt: skip
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_de"), name="DE")
    return ListingFactory(organization=org, product=product, store=store, language="de-DE",
                          currency="EUR", title="Voltora Powerbank 20.000 mAh")  # fmt: skip


def _run(org, job: Job) -> list[Draft]:
    source_id = job.result["source_listing_id"]
    targets = list(Listing.objects.for_org(org).filter(product__listings=source_id)
                   .exclude(pk=source_id).values_list("pk", flat=True))  # fmt: skip
    generation_batch_run(org=org, job_id=job.pk, kind="listing_translation", target_ids=targets,
                         options={"source_listing_id": source_id})  # fmt: skip
    return list(Draft.objects.for_org(org).filter(kind="listing_translation", job_id=job.pk))


@pytest.mark.django_db(transaction=False)
def test_de_listing_translated_to_fr_and_ja_keeps_brand_and_model_in_metric(org, user, de_listing):
    fr = StoreFactory(organization=org, marketplace=marketplace("amazon_fr"), name="FR")
    ja = StoreFactory(organization=org, marketplace=marketplace("amazon_jp"), name="JP")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("apps.ai.tasks.generation_batch_task.delay", lambda *a: None)
        job = listing_translate(org=org, actor=user, listing=de_listing, store_ids=[fr.pk, ja.pk])
    assert job.kind == TRANSLATION_JOB and job.total == 2
    drafts = {d.language: d for d in _run(org, job)}
    assert set(drafts) == {"fr-FR", "ja-JP"}
    fr_copy, ja_copy = drafts["fr-FR"].proposed, drafts["ja-JP"].proposed
    fr_text = " ".join([fr_copy["title"], *fr_copy["bullets"], fr_copy["description"]])
    ja_text = " ".join([ja_copy["title"], *ja_copy["bullets"], ja_copy["description"]])
    for text in (fr_text, ja_text):
        assert "Voltora" in text and "VT-PB20K-X2" in text
        assert " in)" not in text and "oz" not in text  # EU and JP: metric only
    assert "20\u202f000 mAh" in fr_text and "152 × 70 × 25 mm" in fr_text
    assert "Batterie externe" in fr_copy["title"]
    assert "20,000mAh" in ja_text and "モバイルバッテリー" in ja_copy["title"]
    # the target listings were created as drafts in the marketplace's language and currency
    ja_listing = Listing.objects.for_org(org).get(store=ja)
    assert (ja_listing.status, ja_listing.language, ja_listing.currency) == (
        "draft",
        "ja-JP",
        "JPY",
    )
    for draft in drafts.values():
        limits = draft.proposed and Listing.objects.for_org(org).get(pk=draft.target_id)
        mp_ = limits.store.marketplace
        errors = [c for c in check_listing_content(mp_.limits, draft.proposed, mp_.channel)
                  if c.severity == "error"]  # fmt: skip
        assert errors == [] and draft.checks == [
            c for c in draft.checks if c["severity"] != "error"
        ]
        back = [e for e in draft.evidence if e.get("kind") == "back_translation"]
        assert len(back) == 1 and back[0]["method"] == "offline_templates"
        assert "充电宝" in back[0]["title"] and "VT-PB20K-X2" in back[0]["description"]
        assert "20,000毫安时" in back[0]["description"] or "20,000mAh" in back[0]["description"]


@pytest.mark.django_db
def test_translation_to_amazon_us_shows_inches_and_ounces_alongside_metric(org, user, de_listing):
    us = StoreFactory(organization=org, marketplace=marketplace("amazon_us"), name="US")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("apps.ai.tasks.generation_batch_task.delay", lambda *a: None)
        job = listing_translate(org=org, actor=user, listing=de_listing, store_ids=[us.pk])
    (draft,) = _run(org, job)
    text = " ".join([*draft.proposed["bullets"], draft.proposed["description"]])
    assert "152 × 70 × 25 mm (6.0 × 2.8 × 1.0 in)" in text
    assert "360 g (12.7 oz)" in text


@pytest.mark.django_db
def test_translation_refuses_other_organizations_stores_and_listings(
    org, other_org, user, de_listing
):
    foreign = StoreFactory(organization=other_org, marketplace=marketplace("amazon_fr"))
    with pytest.raises(ValidationFailed):
        listing_translate(org=org, actor=user, listing=de_listing, store_ids=[foreign.pk])
    with pytest.raises(NotFound):
        listing_translate(org=other_org, actor=None, listing=de_listing, store_ids=[foreign.pk])
    assert not Listing.objects.for_org(other_org).exists()


@pytest.mark.django_db
def test_a_models_translation_is_back_translated_by_a_second_call_billed_on_the_ledger(
    org, user, de_listing, llm
):
    from apps.ai.models import UsageRecord

    from .conftest import VALID, Reply

    back = {"title": "Voltora 充电宝", "bullets": ["22.5W 快充"], "description": "铝制外壳。"}

    def respond(body, n):
        if "into Simplified Chinese" in body["messages"][0]["content"]:
            return Reply.json(back)
        return Reply.json(VALID)

    server = llm(respond)
    fr = StoreFactory(organization=org, marketplace=marketplace("amazon_fr"), name="FR")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("apps.ai.tasks.generation_batch_task.delay", lambda *a: None)
        job = listing_translate(org=org, actor=user, listing=de_listing, store_ids=[fr.pk])
    (draft,) = _run(org, job)
    assert draft.proposed == VALID and len(server.requests) == 2
    entry = next(e for e in draft.evidence if e.get("kind") == "back_translation")
    assert (entry["method"], entry["title"], entry["bullets"]) == ("llm", back["title"],
                                                                   back["bullets"])  # fmt: skip
    assert draft.evidence[0]["source"] == "listing" and draft.evidence[0]["listing_id"]
    rows = UsageRecord.objects.for_org(org).filter(job_id=job.pk).order_by("id")
    assert [(r.kind, r.purpose) for r in rows] == [
        ("listing_translation", "generate"), ("listing_translation", "back_translation")
    ]  # fmt: skip
    assert draft.tokens_in == 240  # both calls are on the draft's provenance
