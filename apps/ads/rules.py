"""The recommendation rules, as pure functions over DataFrames (no database): each takes the
look-back window's performance and the campaign tree, and returns recommendations with their
evidence. `apps.ads.recommendations` loads the frames and writes the drafts.

Frames (one row each):
  terms      campaign_id, ad_group_id, targeting, match_type, search_term, impressions, clicks,
             spend, orders, sales (floats over the window)
  targets    target_id, campaign_id, ad_group_id, kind, text, match_type, bid (float or NaN),
             default_bid, amazon_id
  campaigns  campaign_id, name, store_id, targeting, daily_budget, currency, language, marketplace,
             target_acos (percent), amazon_id, product_ids (set)
  daily      campaign_id, day, spend

Limits are Amazon's: a keyword ≤ 80 characters and 10 words, a negative phrase ≤ 4 words, a
negative exact ≤ 10 words; bids within the marketplace's limits (data/bid_limits.yaml, keyed by
marketplace) and the organization's min/max, changed by at most ±`max_change_pct` per run.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

KEYWORD_MAX_CHARS = 80
KEYWORD_MAX_WORDS = 10
NEGATIVE_PHRASE_MAX_WORDS = 4
NEGATIVE_EXACT_MAX_WORDS = 10
DEFAULT_BID_LIMITS = (0.02, 1000.0)


def _load_bid_limits() -> dict[str, tuple[str, float, float]]:
    """Amazon's bid limits per marketplace code (data/bid_limits.yaml): (currency, min, max)."""
    data = yaml.safe_load((Path(__file__).parent / "data" / "bid_limits.yaml").read_text())
    return {
        code: (str(v["currency"]), float(v["min"]), float(v["max"])) for code, v in data.items()
    }


# Marketplace bid limits for Sponsored Products keywords and targets, per marketplace.
MARKETPLACE_BID_LIMITS = _load_bid_limits()
# The first marketplace of a currency: for a campaign whose marketplace is unknown.
CURRENCY_BID_LIMITS: dict[str, tuple[float, float]] = {}
for _cur, _low, _high in MARKETPLACE_BID_LIMITS.values():
    CURRENCY_BID_LIMITS.setdefault(_cur, (_low, _high))
ZERO_DECIMAL = {"JPY"}
ASIN = re.compile(r"^b0[0-9a-z]{8}$", re.IGNORECASE)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "for",
        "with",
        "of",
        "to",
        "in",
        "on",
        "by",
        "from",
        "at",
        "or",
        "und",
        "der",
        "die",
        "das",
        "mit",
        "für",
        "le",
        "la",
        "les",
        "de",
        "des",
        "pour",
        "avec",
        "el",
        "los",
        "para",
        "con",
    ]
)


@dataclass
class Params:
    max_change_pct: float = 20.0
    min_bid: float = 0.02
    max_bid: float = 20.0
    min_clicks_bid: int = 10
    prior_clicks: float = 10.0  # strength of the ad group's conversion rate as a prior
    negative_min_clicks: int = 15
    negative_spend_factor: float = 1.5
    phrase_min_terms: int = 3
    harvest_min_orders: int = 2
    cannibal_min_clicks: int = 3
    budget_capped_share: float = 0.3  # share of active days spending ≥ 95 % of the budget
    budget_step_pct: float = 20.0
    far_above_factor: float = 1.5
    lookback_days: int = 30
    min_bid_change: float = 0.02  # relative: smaller moves are not worth a reviewer's time


@dataclass
class Rec:
    campaign_id: int
    action: str  # bid | negative | harvest | budget
    key: str  # unique among the campaign's open drafts
    # bid_to_target | negative_waste | negative_phrase | harvest | cannibalisation |
    # budget_move | foreign_language
    rule: str
    proposed: dict
    current: dict = field(default_factory=dict)
    evidence: list = field(default_factory=list)
    # What the rationale says, as a code and its arguments (apps.ads.reasons renders it in
    # the viewer's language): {"code": "bid_to_target", "args": {"old": "1.00", ...}}.
    reason: dict = field(default_factory=dict)
    priority: int = 0
    title: str = ""


def _r(value: float, currency: str) -> str:
    unit = Decimal("1") if currency in ZERO_DECIMAL else Decimal("0.01")
    return str(Decimal(repr(float(value))).quantize(unit, rounding=ROUND_HALF_UP))


def _reason(code: str, **args) -> dict:
    return {"code": code, "args": args}


def _ev(**items) -> list[dict]:
    out = []
    for k, v in items.items():
        if isinstance(v, float):
            v = None if math.isnan(v) or math.isinf(v) else round(v, 4)
        out.append({"field": k, "value": v})
    return out


def marketplace_bid_limits(marketplace: str, currency: str) -> tuple[float, float]:
    """Amazon's (min, max) bid of the marketplace, in `currency`. A marketplace we have no
    limits for, or a campaign not in its marketplace's currency, takes its currency's."""
    found = MARKETPLACE_BID_LIMITS.get(marketplace or "")
    if found is not None and found[0] == currency:
        return found[1], found[2]
    return CURRENCY_BID_LIMITS.get(currency, DEFAULT_BID_LIMITS)


def bid_limits(currency: str, p: Params, marketplace: str = "") -> tuple[float, float]:
    low, high = marketplace_bid_limits(marketplace, currency)
    return max(low, p.min_bid), min(high, p.max_bid)


def keyword_problem(text: str, match_type: str) -> str:
    """Why Amazon would refuse this keyword or negative ("" when it would not)."""
    words = len(text.split())
    if len(text) > KEYWORD_MAX_CHARS:
        return f"longer than {KEYWORD_MAX_CHARS} characters"
    if match_type == "negativePhrase" and words > NEGATIVE_PHRASE_MAX_WORDS:
        return f"a negative phrase has at most {NEGATIVE_PHRASE_MAX_WORDS} words"
    if match_type == "negativeExact" and words > NEGATIVE_EXACT_MAX_WORDS:
        return f"a negative exact has at most {NEGATIVE_EXACT_MAX_WORDS} words"
    if words > KEYWORD_MAX_WORDS:
        return f"a keyword has at most {KEYWORD_MAX_WORDS} words"
    return ""


def _marketplaces(campaigns: pd.DataFrame) -> pd.Series:
    """Marketplace code per campaign id ("" when the frame does not carry it)."""
    if "marketplace" not in campaigns:
        return pd.Series("", index=campaigns["campaign_id"], dtype=object)
    return campaigns.set_index("campaign_id")["marketplace"].fillna("")


def new_bid(
    *,
    clicks: float,
    orders: float,
    spend: float,
    sales: float,
    prior_cvr: float,
    aov: float,
    current: float,
    target_acos: float,
    currency: str,
    p: Params,
    marketplace: str = "",
) -> tuple[float | None, dict]:
    """The bid toward the target ACoS, or None with the reason in the evidence."""
    info: dict = {"clicks": clicks, "orders": orders, "spend": spend, "sales": sales}
    if clicks < p.min_clicks_bid:
        info["no_change"] = f"not enough clicks ({int(clicks)} < {p.min_clicks_bid})"
        return None, info
    if aov <= 0 or current <= 0:
        info["no_change"] = "no order value or current bid to work from"
        return None, info
    cpc = spend / clicks
    cvr = (orders + p.prior_clicks * prior_cvr) / (clicks + p.prior_clicks)
    acos = cpc / (cvr * aov) if cvr > 0 else math.inf
    raw = cpc * (target_acos / 100) / acos if acos > 0 and not math.isinf(acos) else 0.0
    cap = p.max_change_pct / 100
    capped = min(max(raw, current * (1 - cap)), current * (1 + cap))
    low, high = bid_limits(currency, p, marketplace)
    bounded = min(max(capped, low), high)
    info.update(
        cpc=cpc,
        smoothed_cvr=cvr,
        prior_cvr=prior_cvr,
        expected_acos_pct=acos * 100,
        target_acos_pct=target_acos,
        raw_bid=raw,
        capped_bid=capped,
        min_bid=low,
        max_bid=high,
        current_bid=current,
    )
    rounded = float(_r(bounded, currency))
    if abs(rounded - current) < max(
        p.min_bid_change * current, 0.01 if currency not in ZERO_DECIMAL else 1
    ):
        info["no_change"] = "already at the target"
        return None, info
    return rounded, info


def _aov(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    g = frame.groupby(keys)[["orders", "sales", "clicks"]].sum()
    return (g["sales"] / g["orders"].replace(0, np.nan)), (
        g["orders"] / g["clicks"].replace(0, np.nan)
    )


def bid_recommendations(
    terms: pd.DataFrame, targets: pd.DataFrame, campaigns: pd.DataFrame, p: Params
) -> list[Rec]:
    if terms.empty or targets.empty:
        return []
    perf = terms.groupby(["ad_group_id", "targeting", "match_type"], as_index=False)[
        ["clicks", "orders", "spend", "sales"]
    ].sum()
    ag_aov, ag_cvr = _aov(terms, ["ad_group_id"])
    c_aov, _c = _aov(terms, ["campaign_id"])
    t = targets.copy()
    t["targeting"] = t["text"]
    t.loc[t["kind"] != "keyword", "match_type"] = ""
    merged = t.merge(perf, on=["ad_group_id", "targeting", "match_type"], how="inner")
    merged = merged[merged["clicks"] >= min(p.min_clicks_bid, 1)]
    camp = campaigns.set_index("campaign_id")
    merged["target_acos"] = merged["campaign_id"].map(camp["target_acos"])
    merged["currency"] = merged["campaign_id"].map(camp["currency"])
    merged["marketplace"] = merged["campaign_id"].map(_marketplaces(campaigns))
    merged["ag_aov"] = merged["ad_group_id"].map(ag_aov)
    merged["c_aov"] = merged["campaign_id"].map(c_aov)
    merged["prior"] = merged["ad_group_id"].map(ag_cvr)
    out: list[Rec] = []
    for r in merged.itertuples(index=False):
        current = r.bid if not pd.isna(r.bid) else r.default_bid
        if pd.isna(current):
            current = r.spend / r.clicks if r.clicks else 0
        aov = r.sales / r.orders if r.orders else r.ag_aov
        if pd.isna(aov):
            aov = r.c_aov
        bid, info = new_bid(
            clicks=r.clicks,
            orders=r.orders,
            spend=r.spend,
            sales=r.sales,
            prior_cvr=0.0 if pd.isna(r.prior) else float(r.prior),
            aov=0.0 if pd.isna(aov) else float(aov),
            current=float(current),
            target_acos=float(r.target_acos),
            currency=r.currency,
            p=p,
            marketplace=r.marketplace,
        )
        if bid is None:
            continue
        ratio = bid / float(current)
        out.append(
            Rec(
                campaign_id=int(r.campaign_id),
                action="bid",
                rule="bid_to_target",
                key=f"bid:{r.target_id}",
                title=f"{r.text} [{r.match_type or r.kind}]",
                current={"bid": _r(current, r.currency)},
                proposed={
                    "entity": "keyword" if r.kind == "keyword" else "product_targeting",
                    "target_id": int(r.target_id),
                    "amazon_id": r.amazon_id,
                    "ad_group_id": int(r.ad_group_id),
                    "text": r.text,
                    "match_type": r.match_type,
                    "old_bid": _r(current, r.currency),
                    "new_bid": _r(bid, r.currency),
                    "currency": r.currency,
                },
                evidence=[
                    {
                        "field": "rule",
                        "value": "bid_to_target",
                        "formula": "new bid = CPC × target ACoS / smoothed ACoS, capped",
                    },
                    *_ev(
                        **info,
                        max_change_pct=p.max_change_pct,
                        prior_clicks=p.prior_clicks,
                        expected_spend=r.spend * ratio,
                        expected_sales=r.sales,
                        lookback_days=p.lookback_days,
                    ),
                ],
                reason=_reason(
                    "bid_to_target",
                    old=_r(current, r.currency),
                    new=_r(bid, r.currency),
                    currency=r.currency,
                    target=round(float(r.target_acos), 2),
                ),
                priority=int(min(r.spend, 1000)),
            )
        )
    return out


def _words(term: str) -> list[str]:
    return [w for w in term.split() if len(w) >= 3 and w not in STOPWORDS and not w.isdigit()]


def negative_recommendations(
    terms: pd.DataFrame, campaigns: pd.DataFrame, negatives: set, keywords: set, p: Params
) -> tuple[list[Rec], list[dict]]:
    """Exact negatives for wasting terms, phrase negatives for words that waste across ≥
    `phrase_min_terms` terms of an ad group (and sell in none). `negatives`: existing
    (ad_group_id|None, campaign_id, text, match); `keywords`: (ad_group_id, text) exact keywords.
    Returns the recommendations and the terms left out for a limit."""
    if terms.empty:
        return [], []
    camp = campaigns.set_index("campaign_id")
    by_term = terms.groupby(["campaign_id", "ad_group_id", "search_term"], as_index=False)[
        ["clicks", "spend", "orders", "sales"]
    ].sum()
    c_aov, _x = _aov(terms, ["campaign_id"])
    cpo = by_term["campaign_id"].map(camp["target_acos"]) / 100 * by_term["campaign_id"].map(c_aov)
    by_term["target_cpo"] = cpo
    by_term["currency"] = by_term["campaign_id"].map(camp["currency"])
    waste = (by_term["orders"] == 0) & (
        (by_term["clicks"] >= p.negative_min_clicks)
        | (cpo.notna() & (by_term["spend"] >= p.negative_spend_factor * cpo))
    )
    wasted = by_term[waste]
    out: list[Rec] = []
    skipped: list[dict] = []
    phrased: set[tuple[int, str]] = set()
    # Phrase negatives: a word in ≥ N wasting terms of an ad group, in no term that sold.
    sold_words: dict[int, set[str]] = {}
    for r in by_term[by_term["orders"] > 0].itertuples(index=False):
        sold_words.setdefault(r.ad_group_id, set()).update(r.search_term.split())
    counts: dict[tuple[int, int, str], list] = {}
    for r in wasted.itertuples(index=False):
        if ASIN.match(r.search_term):
            continue
        for w in set(_words(r.search_term)):
            counts.setdefault((r.campaign_id, r.ad_group_id, w), []).append(r)
    for (cid, agid, word), rows in counts.items():
        if len(rows) < p.phrase_min_terms or word in sold_words.get(agid, set()):
            continue
        if (agid, cid, word, "negativePhrase") in negatives:
            continue
        c = camp.loc[cid]
        spend = sum(x.spend for x in rows)
        clicks = sum(x.clicks for x in rows)
        phrased.update((agid, x.search_term) for x in rows)
        out.append(
            Rec(
                campaign_id=cid,
                action="negative",
                rule="negative_phrase",
                key=f"neg:{agid}:{word}:negativePhrase",
                title=f'-"{word}"',
                proposed={
                    "entity": "negative_keyword",
                    "ad_group_id": int(agid),
                    "text": word,
                    "match_type": "negativePhrase",
                    "currency": c.currency,
                },
                evidence=[
                    {"field": "rule", "value": "negative_phrase", "min_terms": p.phrase_min_terms},
                    *_ev(
                        terms=", ".join(sorted(x.search_term for x in rows))[:500],
                        clicks=clicks,
                        spend=spend,
                        orders=0,
                        expected_spend=-spend,
                        expected_sales=0.0,
                        lookback_days=p.lookback_days,
                    ),
                ],
                reason=_reason(
                    "negative_phrase",
                    word=word,
                    spend=_r(spend, c.currency),
                    currency=c.currency,
                    terms=len(rows),
                ),
                priority=int(min(spend, 1000)) + 1,
            )
        )
    for r in wasted.itertuples(index=False):
        if (r.ad_group_id, r.search_term) in phrased:
            continue
        asin = bool(ASIN.match(r.search_term))
        match = "negativeExact"
        text = f'asin="{r.search_term.upper()}"' if asin else r.search_term
        if (
            (r.ad_group_id, r.campaign_id, text, match) in negatives
            or (None, r.campaign_id, text, match) in negatives
            or (r.ad_group_id, r.search_term) in keywords
        ):
            continue
        problem = "" if asin else keyword_problem(text, match)
        if problem:
            skipped.append({"campaign_id": r.campaign_id, "term": text, "reason": problem})
            continue
        why = "clicks" if r.clicks >= p.negative_min_clicks else "spend"
        out.append(
            Rec(
                campaign_id=r.campaign_id,
                action="negative",
                rule="negative_waste",
                key=f"neg:{r.ad_group_id}:{text}:{match}",
                title=f"-[{text}]",
                proposed={
                    "entity": "negative_product_targeting" if asin else "negative_keyword",
                    "ad_group_id": int(r.ad_group_id),
                    "text": text,
                    "match_type": match,
                    "currency": r.currency,
                },
                evidence=[
                    {
                        "field": "rule",
                        "value": "negative_waste",
                        "min_clicks": p.negative_min_clicks,
                        "spend_factor": p.negative_spend_factor,
                    },
                    *_ev(
                        search_term=r.search_term,
                        clicks=r.clicks,
                        spend=r.spend,
                        orders=0,
                        target_cost_per_order=r.target_cpo,
                        expected_spend=-r.spend,
                        expected_sales=0.0,
                        lookback_days=p.lookback_days,
                    ),
                ],
                reason=_reason(
                    f"negative_waste_{why}",
                    term=r.search_term,
                    clicks=int(r.clicks),
                    min_clicks=p.negative_min_clicks,
                    spend=_r(r.spend, r.currency),
                    factor=p.negative_spend_factor,
                    cpo=None if pd.isna(r.target_cpo) else _r(r.target_cpo, r.currency),
                    currency=r.currency,
                ),
                priority=int(min(r.spend, 1000)),
            )
        )
    return out, skipped


def harvest_recommendations(
    terms: pd.DataFrame,
    campaigns: pd.DataFrame,
    destinations: dict[int, tuple[int, int] | None],
    keywords: set,
    p: Params,
) -> list[Rec]:
    """Terms with ≥ N orders at or below target from auto (or broad/phrase) targeting become
    exact keywords (ASINs: product targets) in a manual campaign, negated in the source.
    `destinations`: source campaign → (manual campaign, its ad group) or None."""
    if terms.empty:
        return []
    camp = campaigns.set_index("campaign_id")
    src = terms[terms["match_type"].isin(["", "broad", "phrase"])]
    g = src.groupby(["campaign_id", "ad_group_id", "search_term"], as_index=False)[
        ["clicks", "spend", "orders", "sales"]
    ].sum()
    g = g[(g["orders"] >= p.harvest_min_orders) & (g["sales"] > 0)]
    g = g[g["spend"] / g["sales"] * 100 <= g["campaign_id"].map(camp["target_acos"])]
    g = g.assign(
        target_acos=g["campaign_id"].map(camp["target_acos"]),
        currency=g["campaign_id"].map(camp["currency"]),
        marketplace=g["campaign_id"].map(_marketplaces(campaigns)),
    )
    out: list[Rec] = []
    for r in g.itertuples(index=False):
        c = r
        acos = r.spend / r.sales * 100
        dest = destinations.get(r.campaign_id)
        if dest is None:
            continue
        dest_campaign, dest_group = dest
        asin = bool(ASIN.match(r.search_term))
        text = f'asin="{r.search_term.upper()}"' if asin else r.search_term
        if (dest_group, text) in keywords or (not asin and keyword_problem(text, "exact")):
            continue
        cpc = r.spend / r.clicks if r.clicks else 0
        low, high = bid_limits(c.currency, p, c.marketplace)
        bid = min(max(cpc * float(c.target_acos) / acos if acos > 0 else cpc, low), high)
        out.append(
            Rec(
                campaign_id=r.campaign_id,
                action="harvest",
                rule="harvest",
                key=f"harvest:{r.ad_group_id}:{text}",
                title=f"+[{text}] → #{dest_campaign}",
                proposed={
                    "entity": "product_targeting" if asin else "keyword",
                    "dest_campaign_id": int(dest_campaign),
                    "dest_ad_group_id": int(dest_group),
                    "text": text,
                    "match_type": "" if asin else "exact",
                    "new_bid": _r(bid, c.currency),
                    "currency": c.currency,
                    "negate_ad_group_id": int(r.ad_group_id),
                    "negate_text": text,
                    "negate_match_type": "negativeExact",
                    "negate_entity": "negative_product_targeting" if asin else "negative_keyword",
                },
                evidence=[
                    {"field": "rule", "value": "harvest", "min_orders": p.harvest_min_orders},
                    *_ev(
                        search_term=r.search_term,
                        clicks=r.clicks,
                        orders=r.orders,
                        spend=r.spend,
                        sales=r.sales,
                        acos_pct=acos,
                        target_acos_pct=float(c.target_acos),
                        cpc=cpc,
                        expected_spend=r.spend,
                        expected_sales=r.sales,
                        lookback_days=p.lookback_days,
                    ),
                ],
                reason=_reason(
                    "harvest",
                    term=r.search_term,
                    orders=int(r.orders),
                    acos=round(acos, 1),
                    target=round(float(c.target_acos), 2),
                ),
                priority=int(min(r.sales, 1000)),
            )
        )
    return out


def cannibalisation_recommendations(
    terms: pd.DataFrame, campaigns: pd.DataFrame, p: Params
) -> list[Rec]:
    """A term served by several of the seller's campaigns (same store): keep the best
    (lowest ACoS among those with orders), negate it exactly in the others where it got at
    least `cannibal_min_clicks` clicks."""
    if terms.empty:
        return []
    camp = campaigns.set_index("campaign_id")
    t = terms.assign(store_id=terms["campaign_id"].map(camp["store_id"]))
    g = t.groupby(["store_id", "search_term", "campaign_id", "ad_group_id"], as_index=False)[
        ["clicks", "spend", "orders", "sales"]
    ].sum()
    g = g[g["clicks"] > 0]
    keys = ["store_id", "search_term"]
    g = g[g.groupby(keys)["campaign_id"].transform("nunique") > 1]
    sold = g[g["orders"] > 0].assign(acos=lambda x: x["spend"] / x["sales"].replace(0, np.nan))
    if sold.empty:
        return []
    best = sold.sort_values(["acos", "orders"], ascending=[True, False]).drop_duplicates(keys)
    best = best[[*keys, "campaign_id", "acos", "orders"]].rename(
        columns={"campaign_id": "best_campaign", "acos": "best_acos", "orders": "best_orders"}
    )
    g = g.merge(best, on=keys, how="inner")
    g["served_by"] = g.groupby(keys)["campaign_id"].transform("nunique")
    losers = g[(g["campaign_id"] != g["best_campaign"]) & (g["clicks"] >= p.cannibal_min_clicks)]
    names, currency = camp["name"], camp["currency"]
    out: list[Rec] = []
    for x in losers.itertuples(index=False):
        term = x.search_term
        asin = bool(ASIN.match(term))
        text = f'asin="{term.upper()}"' if asin else term
        if not asin and keyword_problem(text, "negativeExact"):
            continue
        kept = str(names[x.best_campaign])
        out.append(
            Rec(
                campaign_id=int(x.campaign_id),
                action="negative",
                rule="cannibalisation",
                key=f"neg:{x.ad_group_id}:{text}:negativeExact",
                title=f"-[{text}] ⇄ {kept}",
                proposed={
                    "entity": "negative_product_targeting" if asin else "negative_keyword",
                    "ad_group_id": int(x.ad_group_id),
                    "text": text,
                    "match_type": "negativeExact",
                    "currency": currency[x.campaign_id],
                },
                evidence=[
                    {
                        "field": "rule",
                        "value": "cannibalisation",
                        "min_clicks": p.cannibal_min_clicks,
                    },
                    *_ev(
                        search_term=term,
                        served_by=int(x.served_by),
                        kept_in=kept,
                        kept_acos_pct=float(x.best_acos) * 100,
                        clicks=x.clicks,
                        spend=x.spend,
                        orders=x.orders,
                        sales=x.sales,
                        expected_spend=-x.spend,
                        expected_sales=-x.sales,
                        lookback_days=p.lookback_days,
                    ),
                ],
                reason=_reason("cannibalisation", term=term, n=int(x.served_by), kept=kept),
                priority=int(min(x.spend, 1000)),
            )
        )
    return out


def budget_recommendations(
    terms: pd.DataFrame,
    daily: pd.DataFrame,
    campaigns: pd.DataFrame,
    stockout_products: set | None,
    p: Params,
    cover: dict[int, float] | None = None,
) -> list[Rec]:
    """Campaigns capped by their budget with ACoS below target get `budget_step_pct` more,
    taken from campaigns far above target (same store and currency); no extra budget for a
    campaign advertising a SKU that runs out before new stock arrives."""
    if daily.empty:
        return []
    perf = terms.groupby("campaign_id")[["spend", "sales", "orders"]].sum()
    out: list[Rec] = []
    for _store_id, cs in campaigns[campaigns["daily_budget"].notna()].groupby("store_id"):
        receivers, donors = [], []
        for c in cs.itertuples(index=False):
            budget = float(c.daily_budget)
            if budget <= 0 or c.campaign_id not in perf.index:
                continue
            days = daily[daily["campaign_id"] == c.campaign_id]
            active = int((days["spend"] > 0).sum())
            capped = int((days["spend"] >= 0.95 * budget).sum())
            spend, sales = perf.loc[c.campaign_id, ["spend", "sales"]]
            acos = spend / sales * 100 if sales > 0 else math.inf
            info = dict(
                daily_budget=budget,
                days_capped=capped,
                active_days=active,
                acos_pct=acos,
                target_acos_pct=float(c.target_acos),
                spend=spend,
                sales=sales,
            )
            if active and capped / active >= p.budget_capped_share and acos < float(c.target_acos):
                blocked = sorted(set(c.product_ids or ()) & (stockout_products or set()))
                if blocked:
                    continue
                days = [cover[x] for x in (c.product_ids or ()) if cover and x in cover]
                if days:  # the logistics planner's days of cover of the campaign's SKUs
                    info["days_of_cover"] = round(min(days), 1)
                receivers.append((c, budget * p.budget_step_pct / 100, info))
            elif acos > p.far_above_factor * float(c.target_acos):
                donors.append((c, budget * p.budget_step_pct / 100, info))
        need = sum(x[1] for x in receivers)
        give = sum(x[1] for x in donors)
        moved = min(need, give)
        if moved <= 0:
            continue
        for side, group, total in (("receive", receivers, need), ("give", donors, give)):
            for c, amount, info in group:
                share = amount / total * moved
                delta = share if side == "receive" else -share
                new = float(c.daily_budget) + delta
                low = 1.0 if c.currency not in ZERO_DECIMAL else 100.0
                new = max(new, low)
                sales_ratio = info["sales"] / info["spend"] if info["spend"] else 0
                out.append(
                    Rec(
                        campaign_id=c.campaign_id,
                        action="budget",
                        rule="budget_move",
                        key="budget",
                        title=f"{_r(c.daily_budget, c.currency)} → {_r(new, c.currency)} "
                        f"{c.currency}",
                        current={"daily_budget": _r(c.daily_budget, c.currency)},
                        proposed={
                            "entity": "campaign",
                            "old_budget": _r(c.daily_budget, c.currency),
                            "new_budget": _r(new, c.currency),
                            "currency": c.currency,
                        },
                        evidence=[
                            {
                                "field": "rule",
                                "value": "budget_move",
                                "capped_share": p.budget_capped_share,
                                "step_pct": p.budget_step_pct,
                                "far_above_factor": p.far_above_factor,
                            },
                            *_ev(
                                **info,
                                moved=moved,
                                side=side,
                                stock_check="unavailable"
                                if stockout_products is None
                                else "checked",
                                expected_spend=delta * info["active_days"],
                                expected_sales=delta * info["active_days"] * sales_ratio,
                                lookback_days=p.lookback_days,
                            ),
                        ],
                        reason=_reason(
                            f"budget_{side}",
                            old=_r(c.daily_budget, c.currency),
                            new=_r(new, c.currency),
                            currency=c.currency,
                            acos=None
                            if math.isinf(info["acos_pct"])
                            else round(info["acos_pct"], 1),
                            target=round(float(c.target_acos), 2),
                        ),
                        priority=int(min(abs(delta) * 10, 1000)),
                    )
                )
    return out


def foreign_recommendations(
    terms: pd.DataFrame, campaigns: pd.DataFrame, languages: dict[str, tuple[str, float]], p: Params
) -> list[Rec]:
    """Terms in another language than the marketplace's that never sold: negate exactly.
    `languages`: search term → (detected language, confidence)."""
    if terms.empty or not languages:
        return []
    camp = campaigns.set_index("campaign_id")
    g = terms.groupby(["campaign_id", "ad_group_id", "search_term"], as_index=False)[
        ["clicks", "spend", "orders"]
    ].sum()
    out: list[Rec] = []
    g = g[(g["orders"] == 0) & (g["clicks"] > 0) & g["search_term"].isin(languages.keys())]
    for r in g.itertuples(index=False):
        found = languages.get(r.search_term)
        if not found:
            continue
        c = camp.loc[r.campaign_id]
        if found[0] == c.language or keyword_problem(r.search_term, "negativeExact"):
            continue
        out.append(
            Rec(
                campaign_id=r.campaign_id,
                action="negative",
                rule="foreign_language",
                key=f"neg:{r.ad_group_id}:{r.search_term}:negativeExact",
                title=f"-[{r.search_term}] ({found[0]})",
                proposed={
                    "entity": "negative_keyword",
                    "ad_group_id": int(r.ad_group_id),
                    "text": r.search_term,
                    "match_type": "negativeExact",
                    "currency": c.currency,
                },
                evidence=[
                    {"field": "rule", "value": "foreign_language"},
                    *_ev(
                        search_term=r.search_term,
                        detected_language=found[0],
                        confidence=found[1],
                        marketplace_language=c.language,
                        clicks=r.clicks,
                        spend=r.spend,
                        orders=0,
                        expected_spend=-r.spend,
                        expected_sales=0.0,
                        lookback_days=p.lookback_days,
                    ),
                ],
                reason=_reason(
                    "foreign_language",
                    term=r.search_term,
                    language=found[0],
                    marketplace=c.language,
                ),
                priority=int(min(r.spend, 1000)),
            )
        )
    return out
