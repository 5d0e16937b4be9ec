"""Per-unit cost configuration of every SKU in every store, read from the pricing cost model.

The same rules as `apps.pricing.cost.cost_breakdown` (most specific cost profile, the size tier
the product fits, the category's referral fee before the marketplace default, the VAT rate of a
VAT-inclusive marketplace), resolved for all listings of an organization with a handful of
queries. Amounts stay in their own currency: the refresh converts them at each day's rate, so a
line sold in March pays March's rate (the listing page converts at today's).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.catalog.models import Listing, Product
from apps.pricing.cost import DEFAULT_VAT, _resolve, pick_tier
from apps.pricing.models import CostProfile, FulfilmentFeeTier, ReferralFee, VatRate


@dataclass
class UnitCosts:
    store_id: int
    product_id: int
    vat_pct: Decimal  # 0 where prices exclude VAT
    referral_pct: Decimal | None
    referral_min: Decimal | None
    referral_currency: str | None
    fulfilment_fee: Decimal | None
    fulfilment_currency: str | None
    first_leg: Decimal | None
    first_leg_currency: str | None


def unit_costs(*, org, pairs: set[tuple[int, int]] | None = None) -> list[UnitCosts]:
    """One row per (store, product) that has a listing (restricted to `pairs` if given)."""
    listings = (
        Listing.objects.for_org(org)
        .select_related("store__marketplace", "product")
        .only(
            "id", "store_id", "product_id", "store__marketplace__id",
            "store__marketplace__country", "store__marketplace__vat_inclusive",
            "product__category", "product__weight_g", "product__length_mm",
            "product__width_mm", "product__height_mm",
        )
    )  # fmt: skip
    if pairs is not None:
        listings = listings.filter(
            store_id__in={s for s, _ in pairs}, product_id__in={p for _, p in pairs}
        )
    profiles = list(CostProfile.objects.for_org(org))
    by_store: dict[int, list] = {}
    for row in profiles:
        by_store.setdefault(row.store_id, []).append(row)
    tiers: dict[int, list] = {}
    for tier in FulfilmentFeeTier.objects.for_org(org).order_by("rank", "id"):
        tiers.setdefault(tier.marketplace_id, []).append(tier)
    referrals = {(r.marketplace_id, r.category): r for r in ReferralFee.objects.for_org(org)}
    vat = dict(DEFAULT_VAT)
    vat.update(dict(VatRate.objects.for_org(org).values_list("country", "rate")))
    out: dict[tuple[int, int], UnitCosts] = {}
    for listing in listings.order_by("id"):
        key = (listing.store_id, listing.product_id)
        if key in out or (pairs is not None and key not in pairs):
            continue
        market = listing.store.marketplace
        profile = _resolve(
            [p for p in by_store.get(listing.store_id, []) if p.listing_id in (None, listing.pk)],
            listing,
        )
        referral = referrals.get((market.id, listing.product.category)) or referrals.get(
            (market.id, "")
        )
        fee, fee_currency = None, None
        if profile is not None and profile.fulfilment_fee is not None:
            fee, fee_currency = profile.fulfilment_fee, profile.currency
        else:
            tier = pick_tier(tiers.get(market.id, []), listing.product)
            if tier is not None:
                fee, fee_currency = tier.fee, tier.currency
        out[key] = UnitCosts(
            store_id=listing.store_id,
            product_id=listing.product_id,
            vat_pct=vat.get(market.country, Decimal(0)) if market.vat_inclusive else Decimal(0),
            referral_pct=referral.percent if referral else None,
            referral_min=referral.minimum if referral else None,
            referral_currency=referral.currency if referral else None,
            fulfilment_fee=fee,
            fulfilment_currency=fee_currency,
            first_leg=profile.first_leg_per_unit if profile else None,
            first_leg_currency=profile.currency if profile else None,
        )
    return list(out.values())


def product_unit_costs(*, org, product_ids=None) -> list[tuple[int, Decimal | None, str]]:
    qs = Product.objects.for_org(org)
    if product_ids is not None:
        qs = qs.filter(pk__in=product_ids)
    return list(qs.values_list("id", "unit_cost", "cost_currency").order_by())


Q4 = Decimal("0.0001")
# per key (store or None, product): the ProfitCostInput columns after the key
COST_COLUMNS = (
    "unit_cost",
    "cost_currency",
    "vat_pct",
    "referral_pct",
    "referral_min",
    "referral_currency",
    "fulfilment_fee",
    "fulfilment_currency",
    "first_leg",
    "first_leg_currency",
)
COST_TYPES = ("numeric", "varchar", "numeric", "numeric", "numeric", "varchar") + (
    "numeric",
    "varchar",
) * 2


def _q(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Q4)


def cost_inputs(*, org, freight: dict | None) -> dict[tuple, tuple]:
    """Every cost the build multiplies units by, as rows of `ProfitCostInput`: (None, product)
    holds the product's unit cost, (store, product) a listing's fees, VAT and first leg (the
    logistics module's actual freight when it provides one, else the cost profile's)."""
    rows: dict[tuple, tuple] = {}
    for pid, amount, currency in product_unit_costs(org=org):
        rows[(None, pid)] = (_q(amount), currency or "", *(None,) * 3, "", None, "", None, "")
    for r in unit_costs(org=org):
        first_leg, first_cur = r.first_leg, r.first_leg_currency
        if freight is not None:
            first_leg, first_cur = freight.get(r.product_id, (None, None))
        rows[(r.store_id, r.product_id)] = (
            None,
            "",
            _q(r.vat_pct),
            _q(r.referral_pct),
            _q(r.referral_min),
            r.referral_currency or "",
            _q(r.fulfilment_fee),
            r.fulfilment_currency or "",
            _q(first_leg),
            first_cur or "",
        )
    return rows


def cost_currencies(rows: dict[tuple, tuple]) -> set[str]:
    return {v for row in rows.values() for v in row[1::2][:1] + row[5::2] if v}
