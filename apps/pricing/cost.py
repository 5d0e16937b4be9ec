"""Landed cost of one listing, break-even price, margin and profit at any price (Decimal).

The listing page shows `cost_breakdown(...)`; the engine computes the same figures for a whole
store at once (apps.pricing.engine + strategies) from the same configuration:

    landed   = unit cost + first leg + other costs + fulfilment fee   (listing currency)
    fee(P)   = max(referral % × P, referral minimum)                   (on the buyer price)
    net(P)   = P / (1 + VAT)  where the marketplace shows VAT-inclusive prices, else P
    profit(P) = net(P) − fee(P) − landed;  margin(P) = profit / net
    break-even = the lowest P with profit(P) ≥ 0

Every amount is converted with apps.orders.fx (date-aware, the organization's own rates first,
cross rates through EUR). Configuration that is missing or wrong is reported in `problems`,
never raised, so one bad listing does not break a page or a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from apps.core.errors import NotFound
from apps.core.money import CURRENCIES, quantize
from apps.orders.fx import rate_on

from .models import CostProfile, FulfilmentFeeTier, ListingInventory, ReferralFee, VatRate

if TYPE_CHECKING:
    from apps.accounts.models import Organization

# Standard rates used when an organization has not configured its own (VatRate rows win).
DEFAULT_VAT: dict[str, Decimal] = {
    code: Decimal(rate)
    for code, rate in {
        "AT": "20", "AU": "10", "BE": "21", "DE": "19", "ES": "21", "FR": "20", "GB": "20",
        "IE": "23", "IT": "22", "JP": "10", "NL": "21", "PL": "23", "SE": "25", "UK": "20",
        "MX": "16", "TR": "20", "AE": "5", "SA": "15", "SG": "9",
    }.items()
}  # fmt: skip
HUNDRED = Decimal(100)
UNIT = Decimal("0.0001")


@dataclass
class CostBreakdown:
    currency: str
    on_date: date
    unit_cost: Decimal | None = None
    first_leg: Decimal = Decimal(0)
    other: Decimal = Decimal(0)
    fulfilment_fee: Decimal = Decimal(0)
    fulfilment_tier: str = ""
    referral_pct: Decimal = Decimal(0)
    referral_min: Decimal = Decimal(0)
    vat_pct: Decimal = Decimal(0)
    vat_inclusive: bool = False
    price_ceiling: Decimal | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def landed(self) -> Decimal | None:
        if self.unit_cost is None:
            return None
        return self.unit_cost + self.first_leg + self.other + self.fulfilment_fee

    def net(self, price: Decimal) -> Decimal:
        return price / (1 + self.vat_pct / HUNDRED) if self.vat_inclusive else price

    def referral(self, price: Decimal) -> Decimal:
        return max(price * self.referral_pct / HUNDRED, self.referral_min)

    def vat(self, price: Decimal) -> Decimal:
        return price - self.net(price)

    def profit(self, price: Decimal) -> Decimal | None:
        if self.landed is None:
            return None
        return self.net(price) - self.referral(price) - self.landed

    def margin_pct(self, price: Decimal) -> Decimal | None:
        profit, net = self.profit(price), self.net(price)
        if profit is None or net <= 0:
            return None
        return profit / net * HUNDRED

    def price_for_margin(self, margin_pct: Decimal) -> Decimal | None:
        """Lowest buyer price with `margin_pct` margin on the net price (None: unreachable)."""
        if self.landed is None:
            return None
        t = Decimal(margin_pct) / HUNDRED
        v = self.vat_pct / HUNDRED if self.vat_inclusive else Decimal(0)
        r = self.referral_pct / HUNDRED
        denom = (1 - t) / (1 + v) - r
        if t >= 1 or denom <= 0:
            return None
        price = max(self.landed / denom, (self.landed + self.referral_min) * (1 + v) / (1 - t))
        return price.quantize(UNIT, rounding=ROUND_CEILING)

    @property
    def break_even(self) -> Decimal | None:
        return self.price_for_margin(Decimal(0))

    def at(self, price: Decimal) -> dict:
        """The lines the listing page shows for a buyer price."""
        price = Decimal(price)
        cur = self.currency
        profit = self.profit(price)
        margin = self.margin_pct(price)
        return {
            "price": quantize(price, cur),
            "vat": quantize(self.vat(price), cur),
            "referral": quantize(self.referral(price), cur),
            "landed": None if self.landed is None else quantize(self.landed, cur),
            "profit": None if profit is None else quantize(profit, cur),
            "margin_pct": None if margin is None else margin.quantize(Decimal("0.01")),
        }


def _resolve(rows, listing) -> object | None:
    """Most specific cost profile: the listing's, then its category's, then the store's."""
    by_listing = [r for r in rows if r.listing_id == listing.pk]
    if by_listing:
        return by_listing[0]
    category = listing.product.category
    by_category = [r for r in rows if r.listing_id is None and category and r.category == category]
    if by_category:
        return by_category[0]
    store = [r for r in rows if r.listing_id is None and not r.category]
    return store[0] if store else None


def pick_tier(tiers, product) -> FulfilmentFeeTier | None:
    """First tier (by rank) the product fits; no dimensions → the last (largest) tier."""
    tiers = list(tiers)
    if not tiers:
        return None
    dims = [product.length_mm, product.width_mm, product.height_mm]
    if product.weight_g is None or any(d is None for d in dims):
        return tiers[-1]
    longest, median, shortest = sorted(dims, reverse=True)
    for tier in tiers:
        if all(
            limit is None or value <= limit
            for value, limit in (
                (product.weight_g, tier.max_weight_g),
                (longest, tier.max_longest_mm),
                (median, tier.max_median_mm),
                (shortest, tier.max_shortest_mm),
            )
        ):
            return tier
    return tiers[-1]


def vat_rate(*, org: Organization, country: str) -> Decimal:
    row = VatRate.objects.for_org(org).filter(country=country).first()
    return row.rate if row is not None else DEFAULT_VAT.get(country, Decimal(0))


def cost_breakdown(*, org: Organization, listing, on_date: date | None = None) -> CostBreakdown:
    """Everything the price of `listing` has to cover, in the listing's currency.

    Never raises for bad configuration: unknown currencies, missing rates, negative or missing
    costs are listed in `problems` (the same reasons the engine reports).
    """
    if listing.organization_id != org.id:
        raise NotFound("No such listing.")
    on_date = on_date or timezone.localdate()
    currency = listing.currency
    store = listing.store
    marketplace = store.marketplace
    product = listing.product
    b = CostBreakdown(currency=currency, on_date=on_date, vat_inclusive=marketplace.vat_inclusive)
    if currency not in CURRENCIES:
        b.problems.append("unknown_currency")
        return b

    def conv(amount: Decimal | None, from_currency: str) -> Decimal | None:
        if amount is None:
            return None
        if from_currency not in CURRENCIES:
            b.problems.append("unknown_currency")
            return None
        try:
            rate = rate_on(org=org, base=from_currency, quote=currency, on_date=on_date)
        except NotFound:
            b.problems.append("missing_exchange_rate")
            return None
        return (Decimal(amount) * rate).quantize(UNIT)

    if product.unit_cost is None:
        b.problems.append("missing_cost")
    else:
        b.unit_cost = conv(product.unit_cost, product.cost_currency)
        if b.unit_cost is not None and b.unit_cost < 0:
            b.problems.append("negative_cost")
    profiles = list(
        CostProfile.objects.for_org(org).filter(
            Q(listing=listing) | Q(listing__isnull=True, store=store)
        )
    )
    profile = _resolve(profiles, listing)
    fee_override = None
    if profile is not None:
        b.first_leg = conv(profile.first_leg_per_unit, profile.currency) or Decimal(0)
        b.other = conv(profile.other_per_unit, profile.currency) or Decimal(0)
        fee_override = conv(profile.fulfilment_fee, profile.currency)
        b.price_ceiling = conv(profile.price_ceiling, profile.currency)
    if fee_override is not None:
        b.fulfilment_fee, b.fulfilment_tier = fee_override, "profile"
    else:
        tiers = FulfilmentFeeTier.objects.for_org(org).filter(marketplace=marketplace)
        tier = pick_tier(tiers.order_by("rank", "id"), product)
        if tier is not None:
            b.fulfilment_fee = conv(tier.fee, tier.currency) or Decimal(0)
            b.fulfilment_tier = tier.name
    referral = (
        ReferralFee.objects.for_org(org)
        .filter(marketplace=marketplace, category__in=[product.category, ""])
        .order_by("-category")
        .first()
    )
    if referral is not None:
        b.referral_pct = referral.percent
        b.referral_min = conv(referral.minimum, referral.currency) or Decimal(0)
    if marketplace.vat_inclusive:
        b.vat_pct = vat_rate(org=org, country=marketplace.country)
    b.problems = list(dict.fromkeys(b.problems))
    return b


def inventory_of(*, org: Organization, listing) -> ListingInventory | None:
    return ListingInventory.objects.for_org(org).filter(listing=listing).first()
