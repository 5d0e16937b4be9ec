"""Each rule on small hand-computed cases, including "not enough clicks: no change" and every
limit."""

import pandas as pd
import pytest

from apps.ads import rules
from apps.ads.rules import Params, keyword_problem, new_bid


def campaigns(**over):
    row = {
        "campaign_id": 1,
        "name": "Auto",
        "store_id": 1,
        "targeting": "auto",
        "daily_budget": 10.0,
        "currency": "USD",
        "amazon_id": "1",
        "language": "en",
        "marketplace": "amazon_us",
        "target_acos": 20.0,
        "target_source": "profit",
        "product_ids": set(),
    }
    rows = [row | over] if not isinstance(over.get("rows"), list) else over["rows"]
    return pd.DataFrame(rows)


def terms(rows):
    cols = [
        "campaign_id",
        "ad_group_id",
        "targeting",
        "match_type",
        "search_term",
        "impressions",
        "clicks",
        "spend",
        "orders",
        "sales",
    ]
    return pd.DataFrame(rows, columns=cols).astype({c: "float64" for c in cols[5:]})


P = Params()


def test_bid_toward_target_hand_computed():
    # 20 clicks, 2 orders, spend 20 (CPC 1.00), sales 60 (AOV 30); prior CVR 0.1 (10 clicks).
    # smoothed CVR = (2 + 10×0.1)/(20 + 10) = 0.1; expected ACoS = 1/(0.1×30) = 33.33 %;
    # raw bid = 1.00 × 20/33.33 = 0.60; capped at −20 % of the current 1.00 → 0.80.
    bid, info = new_bid(
        clicks=20,
        orders=2,
        spend=20,
        sales=60,
        prior_cvr=0.1,
        aov=30,
        current=1.0,
        target_acos=20,
        currency="USD",
        p=P,
    )
    assert info["smoothed_cvr"] == pytest.approx(0.1)
    assert info["expected_acos_pct"] == pytest.approx(33.333, rel=1e-3)
    assert info["raw_bid"] == pytest.approx(0.6)
    assert bid == 0.8
    # Without the cap (100 %), the raw bid.
    bid, _ = new_bid(
        clicks=20,
        orders=2,
        spend=20,
        sales=60,
        prior_cvr=0.1,
        aov=30,
        current=1.0,
        target_acos=20,
        currency="USD",
        p=Params(max_change_pct=100),
    )
    assert bid == 0.6
    # A cheap term under target goes up, capped at +20 %.
    bid, _ = new_bid(
        clicks=40,
        orders=8,
        spend=20,
        sales=240,
        prior_cvr=0.2,
        aov=30,
        current=0.5,
        target_acos=30,
        currency="USD",
        p=P,
    )
    assert bid == 0.6


def test_not_enough_clicks_no_change():
    bid, info = new_bid(
        clicks=9,
        orders=0,
        spend=9,
        sales=0,
        prior_cvr=0.1,
        aov=30,
        current=1.0,
        target_acos=20,
        currency="USD",
        p=P,
    )
    assert bid is None and "not enough clicks" in info["no_change"]


def test_bid_limits_min_max_and_marketplace():
    # Organization maximum 1.10 binds before the +20 % cap (1.20).
    bid, info = new_bid(
        clicks=50,
        orders=25,
        spend=50,
        sales=750,
        prior_cvr=0.5,
        aov=30,
        current=1.0,
        target_acos=30,
        currency="USD",
        p=Params(max_bid=1.1),
    )
    assert bid == 1.1 and info["max_bid"] == 1.1
    # Yen: the marketplace minimum is 2 whatever the organization's minimum.
    bid, info = new_bid(
        clicks=50,
        orders=0,
        spend=100,
        sales=0,
        prior_cvr=0.0,
        aov=3000,
        current=2.0,
        target_acos=20,
        currency="JPY",
        p=Params(min_bid=0.02),
    )
    assert info["min_bid"] == 2.0 and bid is None  # already at the floor: no change


def test_bid_rule_on_frames_uses_keyword_bid_and_ad_group_prior():
    t = terms(
        [
            [1, 10, "power bank", "broad", "power bank x", 0, 20, 20, 2, 60],
            [1, 10, "power bank", "broad", "power bank y", 0, 10, 10, 1, 30],
        ]
    )
    targets = pd.DataFrame(
        [
            {
                "target_id": 5,
                "campaign_id": 1,
                "ad_group_id": 10,
                "kind": "keyword",
                "text": "power bank",
                "match_type": "broad",
                "bid": 1.0,
                "default_bid": 0.5,
                "amazon_id": "77",
            }
        ]
    )
    recs = rules.bid_recommendations(t, targets, campaigns(), P)
    assert len(recs) == 1 and recs[0].proposed["old_bid"] == "1.00"
    assert recs[0].proposed["new_bid"] == "0.80" and recs[0].key == "bid:5"
    fields = {e["field"] for e in recs[0].evidence}
    assert {"rule", "clicks", "smoothed_cvr", "expected_spend", "expected_sales"} <= fields


def test_negative_exact_by_clicks_and_by_spend():
    t = terms(
        [
            [1, 10, "close-match", "", "cheap charger", 0, 15, 6, 0, 0],  # 15 clicks: negate
            [1, 10, "close-match", "", "cable", 0, 14, 5, 0, 0],  # 14 clicks, spend 5 < 9
            [1, 10, "close-match", "", "usb hub", 0, 5, 9, 0, 0],  # spend 9 ≥ 1.5 × 6
            [1, 10, "close-match", "", "power bank", 0, 30, 30, 3, 90],  # sells: AOV 30, CPO 6
            [1, 10, "close-match", "", "b0cqz4r7tm", 0, 20, 8, 0, 0],  # an ASIN
        ]
    )
    recs, _skipped = rules.negative_recommendations(t, campaigns(), set(), set(), P)
    texts = {r.proposed["text"]: r for r in recs}
    assert set(texts) == {"cheap charger", "usb hub", 'asin="B0CQZ4R7TM"'}
    assert texts["cheap charger"].proposed["match_type"] == "negativeExact"
    assert texts['asin="B0CQZ4R7TM"'].proposed["entity"] == "negative_product_targeting"
    # Already negated: nothing new.
    recs, _ = rules.negative_recommendations(
        t, campaigns(), {(10, 1, "cheap charger", "negativeExact")}, set(), P
    )
    assert "cheap charger" not in {r.proposed["text"] for r in recs}


def test_negative_phrase_when_a_word_wastes_across_terms():
    t = terms(
        [
            [1, 10, "close-match", "", "solar power bank", 0, 15, 5, 0, 0],
            [1, 10, "close-match", "", "solar charger", 0, 16, 5, 0, 0],
            [1, 10, "close-match", "", "solar panel bank", 0, 17, 5, 0, 0],
            [1, 10, "close-match", "", "power bank", 0, 30, 30, 3, 90],
        ]
    )
    recs, _ = rules.negative_recommendations(t, campaigns(), set(), set(), P)
    assert [(r.proposed["text"], r.proposed["match_type"]) for r in recs] == [
        ("solar", "negativePhrase")
    ]


def test_keyword_limits():
    assert keyword_problem("x" * 81, "exact")
    assert keyword_problem(" ".join(["w"] * 11), "exact")
    assert keyword_problem(" ".join(["w"] * 5), "negativePhrase")
    assert not keyword_problem(" ".join(["w"] * 4), "negativePhrase")
    assert keyword_problem(" ".join(["w"] * 11), "negativeExact")
    assert not keyword_problem(" ".join(["w"] * 10), "negativeExact")
    long = " ".join(["word"] * 11)
    t = terms([[1, 10, "close-match", "", long, 0, 20, 10, 0, 0]])
    recs, skipped = rules.negative_recommendations(t, campaigns(), set(), set(), P)
    assert recs == [] and skipped[0]["term"] == long


def test_harvest_at_or_below_target():
    t = terms(
        [
            [1, 10, "close-match", "", "usb c power bank", 0, 10, 8, 2, 52],  # ACoS 15.4 % ≤ 20
            [1, 10, "close-match", "", "magsafe pack", 0, 10, 12, 2, 50],  # 24 % > 20
            [1, 10, "close-match", "", "slim bank", 0, 10, 3, 1, 30],  # one order only
        ]
    )
    recs = rules.harvest_recommendations(t, campaigns(), {1: (2, 20)}, set(), P)
    assert len(recs) == 1
    r = recs[0].proposed
    assert (r["text"], r["match_type"], r["dest_ad_group_id"], r["negate_ad_group_id"]) == (
        "usb c power bank",
        "exact",
        20,
        10,
    )
    # bid = CPC 0.80 × 20 / 15.38 = 1.04
    assert r["new_bid"] == "1.04"
    assert (
        rules.harvest_recommendations(t, campaigns(), {1: (2, 20)}, {(20, "usb c power bank")}, P)
        == []
    )
    assert rules.harvest_recommendations(t, campaigns(), {1: None}, set(), P) == []


def test_cannibalisation_keeps_the_best_campaign():
    c = campaigns(
        rows=[
            {
                "campaign_id": 1,
                "name": "Auto",
                "store_id": 1,
                "currency": "USD",
                "target_acos": 20.0,
            },
            {
                "campaign_id": 2,
                "name": "Manual",
                "store_id": 1,
                "currency": "USD",
                "target_acos": 20.0,
            },
        ]
    )
    t = terms(
        [
            [1, 10, "close-match", "", "power bank", 0, 10, 10, 1, 30],
            [2, 20, "power bank", "exact", "power bank", 0, 10, 8, 2, 60],
        ]
    )
    recs = rules.cannibalisation_recommendations(t, c, P)
    assert [(r.campaign_id, r.proposed["ad_group_id"], r.proposed["text"]) for r in recs] == [
        (1, 10, "power bank")
    ]


def test_budget_move_and_stockout():
    c = campaigns(
        rows=[
            {
                "campaign_id": 1,
                "name": "Good",
                "store_id": 1,
                "currency": "USD",
                "target_acos": 20.0,
                "daily_budget": 10.0,
                "product_ids": {7},
            },
            {
                "campaign_id": 2,
                "name": "Bad",
                "store_id": 1,
                "currency": "USD",
                "target_acos": 20.0,
                "daily_budget": 20.0,
                "product_ids": {8},
            },
        ]
    )
    t = terms(
        [
            [1, 10, "x", "exact", "a", 0, 50, 40, 10, 400],  # ACoS 10 %
            [2, 20, "y", "exact", "b", 0, 50, 40, 1, 50],
        ]
    )  # ACoS 80 % > 1.5 × 20
    daily = pd.DataFrame(
        {
            "campaign_id": [1, 1, 1, 1, 2, 2],
            "day": [1, 2, 3, 4, 1, 2],
            "spend": [10.0, 9.8, 10.0, 10.2, 20.0, 20.0],
        }
    )
    recs = rules.budget_recommendations(t, daily, c, set(), P)
    moves = {r.campaign_id: (r.proposed["old_budget"], r.proposed["new_budget"]) for r in recs}
    assert moves == {1: ("10.00", "12.00"), 2: ("20.00", "18.00")}
    assert rules.budget_recommendations(t, daily, c, {7}, P) == []  # SKU runs out: no move
    # The planner's days of cover of the receiving campaign's SKU is in its evidence.
    recs = rules.budget_recommendations(t, daily, c, set(), P, {7: 41.25, 8: 3.0})
    good = next(r for r in recs if r.campaign_id == 1)
    assert {"field": "days_of_cover", "value": 41.2} in good.evidence or {
        "field": "days_of_cover",
        "value": 41.3,
    } in good.evidence
    assert good.reason["code"] == "budget_receive" and good.reason["args"]["new"] == "12.00"


def test_foreign_language_terms():
    t = terms([[1, 10, "close-match", "", "ladegerät für handy", 0, 3, 2, 0, 0]])
    recs = rules.foreign_recommendations(t, campaigns(), {"ladegerät für handy": ("de", 0.9)}, P)
    assert recs[0].proposed["match_type"] == "negativeExact"
    assert (
        rules.foreign_recommendations(
            t, campaigns(language="de"), {"ladegerät für handy": ("de", 0.9)}, P
        )
        == []
    )


def test_bid_limits_are_keyed_by_marketplace_as_data():
    from apps.ads.rules import marketplace_bid_limits

    assert marketplace_bid_limits("amazon_us", "USD") == (0.02, 1000.0)
    assert marketplace_bid_limits("amazon_de", "EUR") == (0.02, 1000.0)
    assert marketplace_bid_limits("amazon_uk", "GBP") == (0.02, 1000.0)
    assert marketplace_bid_limits("amazon_jp", "JPY") == (2.0, 100000.0)
    assert marketplace_bid_limits("amazon_se", "SEK") == (0.18, 9300.0)
    # Two marketplaces of one currency may differ: the marketplace decides, not the currency.
    assert marketplace_bid_limits("amazon_sa", "SAR") == (0.1, 184.0)
    # Unknown marketplace (or a campaign not in its marketplace's currency): by currency.
    assert marketplace_bid_limits("ebay_us", "USD") == (0.02, 1000.0)
    assert marketplace_bid_limits("amazon_us", "JPY") == (2.0, 100000.0)
    assert marketplace_bid_limits("", "XXX") == (0.02, 1000.0)


def test_bid_rule_uses_the_campaign_marketplace_limits():
    _bid, info = new_bid(
        clicks=50, orders=0, spend=100, sales=0, prior_cvr=0.0, aov=3000, current=2.0,
        target_acos=20, currency="JPY", p=Params(min_bid=0.02), marketplace="amazon_jp",
    )  # fmt: skip
    assert info["min_bid"] == 2.0 and info["max_bid"] == 20.0  # org max 20 binds before 100000
    _bid, info = new_bid(
        clicks=50, orders=25, spend=50, sales=750, prior_cvr=0.5, aov=30, current=900.0,
        target_acos=30, currency="USD", p=Params(max_bid=5000), marketplace="amazon_us",
    )  # fmt: skip
    assert info["max_bid"] == 1000.0  # the marketplace maximum binds before the org's 5000
