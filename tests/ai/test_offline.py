"""The offline generator: deterministic copy within each marketplace's limits and languages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.ai.backends.offline import OfflineBackend
from apps.ai.services import backend_for
from apps.catalog.content.generation import facts_of
from apps.catalog.content.offline import listing_copy
from apps.catalog.rules.checks import check_listing_content
from apps.review.models import Draft, DraftStatus
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace

from .conftest import run_batch

RICH = {"power_w": 22.5, "capacity_mAh": 20000, "ports": [[2, "USB-C"], [1, "USB-A"]],
        "material": "aluminium", "color": "black", "display": True, "magnetic": True,
        "connector": "USB-C to USB-C", "cable_length_cm": 30,
        "features": ["Charges a laptop and a phone at once"]}  # fmt: skip


def _listing(org, code: str, attributes: dict | None = None):
    mp = marketplace(code)
    product = ProductFactory(
        organization=org, attributes=attributes or RICH, length_mm=Decimal("150.0"),
        width_mm=Decimal("70.5"), height_mm=Decimal("27.0"), weight_g=Decimal("412.0"),
    )  # fmt: skip
    store = StoreFactory(organization=org, marketplace=mp)
    return ListingFactory(organization=org, product=product, store=store, language=mp.language,
                          currency=mp.currency)  # fmt: skip


def _copy(listing):
    mp = listing.store.marketplace
    return listing_copy(facts_of(listing), language=listing.language, limits=mp.limits,
                        channel=mp.channel)  # fmt: skip


@pytest.mark.parametrize("code", ["amazon_us", "amazon_de", "amazon_jp", "ebay_uk"])
def test_offline_copy_passes_the_marketplace_checks_and_is_deterministic(org, code):
    listing = _listing(org, code)
    mp = listing.store.marketplace
    copy = _copy(listing)
    assert check_listing_content(mp.limits, copy, mp.channel) == []
    assert copy == _copy(listing)
    assert copy["title"] and copy["description"]


def test_each_marketplace_gets_its_own_language(org):
    us, de, jp = (_copy(_listing(org, c)) for c in ("amazon_us", "amazon_de", "amazon_jp"))
    assert us["title"].startswith("Voltora Charger, 22.5 W, 20,000 mAh")
    assert de["title"].startswith("Voltora Ladegerät, 22,5 W, 20.000 mAh")
    assert jp["title"].startswith("Voltora 充電器、22.5W")
    assert "150 × 70,5 × 27 mm, 412 g: klein und leicht" in " ".join(de["bullets"])
    assert "(5.9 × 2.8 × 1.1 in)" in " ".join(us["bullets"])  # imperial added for the US only
    assert "Charges a laptop" in us["bullets"][0]
    assert not any("Charges a laptop" in b for b in de["bullets"])  # no untranslated points


@pytest.mark.parametrize(("code", "word"), [("amazon_fr", "Chargeur"), ("amazon_it", "Caricatore"),
                                            ("amazon_es", "Cargador")])  # fmt: skip
def test_french_italian_and_spanish_copy_uses_their_words(org, code, word):
    listing = _listing(org, code)
    copy = _copy(listing)
    assert word in copy["title"]
    assert check_listing_content(listing.store.marketplace.limits, copy, "amazon") == []


def test_chinese_back_translation_text_is_written_in_chinese():
    facts = {"brand": "Voltora", "category": "Chargers", "attributes": {"power_w": 15}}
    copy = listing_copy(facts, language="zh-Hans", limits={"bullets_max": 5})
    assert copy["title"] == "Voltora 充电器，15W"
    assert copy["bullets"][0] == "15W输出：全速为手机、耳机和平板充电"


def test_japanese_search_terms_are_limited_in_utf8_bytes_not_characters(org):
    many = [f"特長{chr(0x30A2 + i)}キーワード" for i in range(40)]  # kept keywords of the old copy
    listing = _listing(org, "amazon_jp")
    mp = listing.store.marketplace
    terms = listing_copy(facts_of(listing), language=listing.language, limits=mp.limits,
                         channel=mp.channel, keywords=many)["search_terms"]  # fmt: skip
    assert 200 < len(terms.encode("utf-8")) <= 249
    assert len(terms) < 120  # three bytes per Japanese character


def test_long_attributes_and_banned_claims_never_break_the_limits(org):
    noisy = {**RICH, "material": "aluminium " * 80, "claim": "Best Seller, 100% guaranteed",
             "notes": "Hot sale! Free shipping?"}  # fmt: skip
    for code in ("amazon_us", "amazon_de", "ebay_uk"):
        listing = _listing(org, code, noisy)
        mp = listing.store.marketplace
        assert check_listing_content(mp.limits, _copy(listing), mp.channel) == []


def test_without_an_endpoint_generation_is_offline_and_labelled_so(org, offline):
    listing = _listing(org, "amazon_de")
    assert isinstance(backend_for(org=org), OfflineBackend)
    job = run_batch(org, [listing])
    draft = Draft.objects.for_org(org).get(target_id=listing.pk)
    assert (draft.status, draft.provider, draft.cost) == (DraftStatus.PENDING, "offline", 0)
    assert draft.language == "de-DE"
    assert [c for c in draft.checks if c["severity"] == "error"] == []
    assert {"source": "product", "field": "weight_g", "value": 412.0, "label_en": "Weight",
            "label_zh": "重量"} in draft.evidence  # fmt: skip
    assert job.done == 1
