"""Product selection: an opportunity score for each candidate product from demand, competition,
margin after landed cost and fees (pricing's cost model), and trend, with adjustable weights,
each sub-score explained, and a data-quality flag. Formulas in docs/profit-analytics.md."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import NotFound
from apps.orders.fx import rate_on
from apps.pricing.cost import CostBreakdown, pick_tier, vat_rate
from apps.pricing.models import CostProfile, FulfilmentFeeTier, ReferralFee

from .models import Candidate

WEIGHTS = {
    "demand": Decimal("0.30"),
    "competition": Decimal("0.20"),
    "margin": Decimal("0.35"),
    "trend": Decimal("0.15"),
}
NEUTRAL = 50


def weights_from(params) -> dict[str, Decimal]:
    """Weights from `w_demand`… parameters (0–100 each), normalised to sum 1; bad → default."""
    out = {}
    for key, default in WEIGHTS.items():
        try:
            value = Decimal(str(params.get(f"w_{key}", "")).strip() or default * 100)
        except ArithmeticError:
            value = default * 100
        out[key] = min(max(value, Decimal(0)), Decimal(100)) if value.is_finite() else default
    total = sum(out.values())
    return {k: v / total for k, v in out.items()} if total > 0 else dict(WEIGHTS)


def _clamp(value: float) -> int:
    return round(min(100.0, max(0.0, value)))


def _demand(c: Candidate) -> dict[str, Any]:
    if c.monthly_sales is None:
        return {"score": NEUTRAL, "missing": True, "why": _("Monthly sales unknown: neutral 50.")}
    score = _clamp((math.log10(max(c.monthly_sales, 1)) - 1) / 3 * 100)
    return {
        "score": score,
        "missing": False,
        "why": _("%(n)s sales a month (10 → 0, 10,000 → 100 on a log scale).")
        % {"n": f"{c.monthly_sales:,}"},
    }


def _competition(c: Candidate) -> dict[str, Any]:
    if c.reviews is None and c.sellers is None:
        return {
            "score": NEUTRAL,
            "missing": True,
            "why": _("Reviews and sellers unknown: neutral 50."),
        }
    parts = []
    if c.reviews is not None:
        parts.append(100 - math.log10(c.reviews + 1) / 4 * 100)
    if c.sellers is not None:
        parts.append(100 - (max(c.sellers, 1) - 1) * 10)
    score = _clamp(sum(parts) / len(parts))
    return {
        "score": score,
        "missing": False,
        "why": _("%(reviews)s reviews, %(sellers)s sellers: fewer is easier to enter.")
        % {
            "reviews": "?" if c.reviews is None else f"{c.reviews:,}",
            "sellers": "?" if c.sellers is None else c.sellers,
        },
    }


def _trend(c: Candidate) -> dict[str, Any]:
    if c.trend_pct is None:
        return {"score": NEUTRAL, "missing": True, "why": _("Trend unknown: neutral 50.")}
    return {
        "score": _clamp(50 + float(c.trend_pct)),
        "missing": False,
        "why": _("Demand %(trend)s%% (−50%% → 0, +50%% → 100).") % {"trend": f"{c.trend_pct:+}"},
    }


class _CostTables:
    """The organization's fee tables, loaded once for all candidates."""

    def __init__(self, org):
        self.org = org
        self.tiers: dict[int, list] = {}
        for tier in FulfilmentFeeTier.objects.for_org(org).order_by("rank", "id"):
            self.tiers.setdefault(tier.marketplace_id, []).append(tier)
        self.referrals = {
            (r.marketplace_id, r.category): r for r in ReferralFee.objects.for_org(org)
        }
        self.first_leg = {}
        for p in (
            CostProfile.objects.for_org(org)
            .filter(listing__isnull=True, category="")
            .select_related("store")
        ):
            self.first_leg.setdefault(p.store.marketplace_id, p)


def landed_breakdown(org, c: Candidate, tables: _CostTables) -> CostBreakdown:
    """Pricing's `CostBreakdown` for a product not yet listed, in the candidate's currency."""
    today = timezone.localdate()
    b = CostBreakdown(currency=c.currency, on_date=today)

    def conv(amount, currency):
        if amount is None:
            return None
        try:
            return Decimal(amount) * rate_on(
                org=org, base=currency, quote=c.currency, on_date=today
            )
        except NotFound:
            b.problems.append("missing_exchange_rate")
            return None

    if c.unit_cost is None:
        b.problems.append("missing_cost")
    else:
        b.unit_cost = conv(c.unit_cost, c.cost_currency)
    market = c.marketplace
    if market is None:
        b.problems.append("no_marketplace")
        return b
    b.vat_inclusive = market.vat_inclusive
    if market.vat_inclusive:
        b.vat_pct = vat_rate(org=org, country=market.country)
    referral = tables.referrals.get((market.id, c.category)) or tables.referrals.get(
        (market.id, "")
    )
    if referral is None:
        b.problems.append("no_referral_fee")
    else:
        b.referral_pct = referral.percent
        b.referral_min = conv(referral.minimum, referral.currency) or Decimal(0)
    tier = pick_tier(tables.tiers.get(market.id, []), c)
    if tier is None:
        b.problems.append("no_fulfilment_fee")
    else:
        b.fulfilment_fee = conv(tier.fee, tier.currency) or Decimal(0)
        b.fulfilment_tier = tier.name
    profile = tables.first_leg.get(market.id)
    if profile is None:
        b.problems.append("no_first_leg")
    else:
        b.first_leg = conv(profile.first_leg_per_unit, profile.currency) or Decimal(0)
    return b


def _problems(codes: list[str]) -> str:
    """The cost model's problem codes in words, for the explanation a seller reads."""
    words = {
        "missing_cost": _("no unit cost"),
        "missing_exchange_rate": _("no exchange rate"),
        "no_marketplace": _("no marketplace"),
        "no_referral_fee": _("no referral fee"),
        "no_fulfilment_fee": _("no fulfilment fee"),
        "no_first_leg": _("no first-leg freight"),
    }
    return ", ".join(str(words.get(c, c)) for c in dict.fromkeys(codes)) or "—"


def _margin(org, c: Candidate, tables: _CostTables) -> dict[str, Any]:
    if c.price is None:
        return {"score": NEUTRAL, "missing": True, "why": _("Price unknown: neutral 50.")}
    b = landed_breakdown(org, c, tables)
    margin = b.margin_pct(Decimal(c.price))
    if margin is None:
        return {
            "score": NEUTRAL,
            "missing": True,
            "why": _("Margin unknown (%(problems)s): neutral 50.")
            % {"problems": _problems(b.problems)},
        }
    why = _(
        "%(margin)s%% margin at %(price)s %(currency)s after landed cost %(landed)s and "
        "fees (pricing's cost model; 0%% → 0, 40%% → 100)."
    ) % {
        "margin": margin.quantize(Decimal("0.1")),
        "price": Decimal(c.price).quantize(Decimal("0.01")),
        "currency": c.currency,
        "landed": b.landed.quantize(Decimal("0.01")),
    }
    if b.problems:
        why += " " + _("Not configured: %(problems)s.") % {"problems": _problems(b.problems)}
    return {
        "score": _clamp(float(margin) / 40 * 100),
        "missing": bool(b.problems),
        "why": why,
        "margin_pct": margin.quantize(Decimal("0.1")),
    }


def _fields(keys: list[str]) -> str:
    """Sub-scores and imported fields by their names on the page, not their codes."""
    names = {
        "demand": _("Demand"),
        "competition": _("Competition"),
        "margin": _("Margin"),
        "trend": _("Trend"),
        "monthly_sales": _("Monthly sales"),
        "trend_pct": _("Trend"),
        "price": _("Price"),
        "reviews": _("Reviews"),
        "rating": _("Rating"),
        "unit_cost": _("Unit cost"),
        "weight_g": _("Weight"),
    }
    return ", ".join(str(names.get(k, k)) for k in keys)


def score(org, c: Candidate, weights: dict[str, Decimal], tables: _CostTables) -> dict[str, Any]:
    scores = {
        "demand": _demand(c),
        "competition": _competition(c),
        "margin": _margin(org, c, tables),
        "trend": _trend(c),
    }
    total = sum(Decimal(scores[k]["score"]) * w for k, w in weights.items())
    missing = [k for k, v in scores.items() if v["missing"]]
    estimated = list(c.estimated or [])
    if missing:
        label = _("Missing: %(fields)s") % {"fields": _fields(missing)}
    elif estimated:
        label = _("Estimated: %(fields)s") % {"fields": _fields(estimated)}
    else:
        label = _("Good")
    return {
        "id": c.pk,
        "name": c.name,
        "source": c.source,
        "category": c.category,
        "marketplace": c.marketplace.code if c.marketplace else "",
        "price": c.price,
        "currency": c.currency,
        "monthly_sales": c.monthly_sales,
        "reviews": c.reviews,
        "rating": c.rating,
        "scores": scores,
        "opportunity": int(total.quantize(Decimal(1))),
        "quality_flag": bool(missing or estimated),
        "quality_label": label,
        "missing": missing,
        "estimated": estimated,
    }


def candidate_scores(*, org, weights: dict[str, Decimal] | None = None, candidate_id=None):
    """Every candidate of the organization, best opportunity first."""
    weights = weights or dict(WEIGHTS)
    tables = _CostTables(org)
    qs = Candidate.objects.for_org(org).select_related("marketplace")
    if candidate_id is not None:
        qs = qs.filter(pk=candidate_id)
    rows = [score(org, c, weights, tables) for c in qs]
    rows.sort(key=lambda r: (-r["opportunity"], r["name"]))
    return rows
