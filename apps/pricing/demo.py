"""Demo pricing: costs, competitor offers with 30 days of history, a strategy per store, and
pending price-change drafts, so `make run` shows repricing (Celery beat reprices every store
with an enabled strategy; "Reprice now" and the simulator work at once).

* Costs: referral fees and an FBA-style size-tier table per marketplace, a cost profile per
  store (first-leg freight, other costs; the eBay store ships itself: a fixed fulfilment fee).
* Competitors: four sellers per listing (FBA and FBM, ratings 72–97%), one observation every
  two days for 30 days before the demo's "now"; the Buy Box goes to the cheapest well-rated
  FBA offer. Written set-based through apps.pricing.bulk (idempotent on listing, seller, time).
* Strategies: one enabled strategy per demo store, assigned to the whole store.
* Drafts: a transparent stock rule (high cover → small cut, low stock → small rise), so the
  review queue has price work before the first engine run. Runs once per organization.

Everything is keyed on natural keys: seeding twice creates nothing twice.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_FLOOR, Decimal

from apps.catalog.selectors import listing_list, store_list
from apps.core.money import quantize
from apps.review.selectors import draft_list
from apps.review.services import Provenance, draft_create

SEED_AFTER = ("catalog",)
HIGH_STOCK, LOW_STOCK = 300, 40


def _ending_99(price: Decimal, currency: str) -> Decimal:
    if currency == "JPY":
        return quantize(price, currency)
    return price.to_integral_value(rounding=ROUND_FLOOR) + Decimal("0.99")


def seed(ctx) -> None:
    for slug in ("demo", "demo-home"):
        org = ctx.orgs.get(slug)
        if org is not None:
            _seed_costs(ctx, org)
            _seed_strategies(ctx, org)
            _seed_competitors(ctx, org)
            _seed_first_runs(ctx, org)
    _seed_stock_rule_drafts(ctx)


def _seed_first_runs(ctx, org) -> None:
    """One real engine run per demo store, so `make run` opens on price changes with reasons
    (and price drafts in the queue) instead of waiting for beat's first 15-minute tick."""
    from apps.catalog.selectors import store_list

    from .engine.run import reprice_store
    from .models import RepricingRun

    if RepricingRun.objects.for_org(org).exclude(trigger=RepricingRun.Trigger.SIMULATION).exists():
        return
    from apps.review.services import policy_set

    # Small moves apply on their own (inside ±3 %), bigger ones wait in the review queue.
    policy_set(
        org=org, actor=None, kind="price_change", auto_approve=True, max_change_pct=Decimal("3")
    )
    for store in store_list(org=org).order_by("id"):
        reprice_store(org=org, store=store, trigger=RepricingRun.Trigger.SCHEDULE, now=ctx.now)


def _seed_stock_rule_drafts(ctx) -> None:
    org = ctx.orgs.get("demo")
    if org is None or draft_list(org=org).filter(kind="price_change").exists():
        return
    provenance = Provenance(provider="offline", prompt_version="demo-stock-rule@v1")
    candidates = listing_list(org=org, status="active").exclude(price__isnull=True).order_by("id")
    made = 0
    for listing in candidates:
        if listing.stock >= HIGH_STOCK:
            new, why = listing.price * Decimal("0.95"), "high stock cover: 5% cut to sell through"
        elif listing.stock <= LOW_STOCK:
            new, why = listing.price * Decimal("1.06"), "low stock: 6% rise to avoid a stock-out"
        else:
            continue
        new = _ending_99(new, listing.currency)
        if new <= 0 or new == listing.price:
            continue
        draft_create(
            org=org,
            kind="price_change",
            target=listing,
            proposed={"price": f"{new:f}", "currency": listing.currency},
            rationale=f"Demo stock rule ({why}); the repricing engine replaces this rule.",
            evidence=[
                {"field": "stock", "value": listing.stock, "source": "listing"},
                {"field": "price", "value": f"{listing.price:f}", "source": "listing"},
            ],
            provenance=provenance,
        )
        made += 1
        if made >= 15:
            break


# --- costs, strategies, competitors ------------------------------------------------------------

REFERRAL = {  # marketplace code -> (percent, minimum)
    "amazon_us": ("15", "0.30"),
    "amazon_de": ("15", "0.30"),
    "ebay_uk": ("12.8", "0"),
    "shopify": ("2.9", "0.30"),  # the own web shop: card processing instead of a referral fee
}
TIERS = {  # marketplace code -> [(name, rank, max weight g, longest, median, shortest, fee)]
    "amazon_us": [
        ("small standard", 0, 450, 380, 300, 19, "3.22"),
        ("large standard", 1, 9000, 450, 350, 200, "4.75"),
        ("oversize", 2, None, None, None, None, "9.73"),
    ],
    "amazon_de": [
        ("small envelope", 0, 460, 350, 250, 20, "2.70"),
        ("standard parcel", 1, 9000, 450, 340, 260, "3.90"),
        ("oversize", 2, None, None, None, None, "7.80"),
    ],
}
PROFILES = {  # marketplace code -> (first leg, other, fulfilment fee override)
    "amazon_us": ("1.20", "0.40", None),
    "amazon_de": ("1.10", "0.35", None),
    "ebay_uk": ("1.00", "0.35", "2.80"),
    "shopify": ("1.20", "0.40", "4.60"),  # shipped by a US 3PL
}
STRATEGIES = {  # marketplace code -> strategy settings
    "amazon_us": {
        "name": "{store}: beat the lowest by 1%",
        "kind": "beat_lowest_pct",
        "beat_pct": Decimal("1"),
        "hold_buy_box": True,
        "min_margin_pct": Decimal("12"),
        "fulfilment_types": ["fba"],
        "min_rating": Decimal("80"),
    },
    "amazon_de": {
        "name": "{store}: a step under the Buy Box",
        "kind": "step_under_buy_box",
        "beat_amount": Decimal("0.10"),
        "hold_buy_box": True,
        "min_margin_pct": Decimal("10"),
    },
    "ebay_uk": {
        "name": "{store}: match the lowest",
        "kind": "match_lowest",
        "min_margin_pct": Decimal("15"),
        "competitor_at_floor": "hold",
    },
}
SELLERS = [  # seller id, name, fulfilment, rating %, price factor vs our price
    ("A3PWRCORE01", "PowerCore Direct", "fba", "97", "0.97"),
    ("A1CHARGEUP2", "ChargeUp Official", "fba", "94", "1.02"),
    ("A2SZTECH883", "SZ Tech Trading", "fbm", "88", "0.93"),
    ("A9BUDGET774", "BudgetCell Store", "fbm", "72", "0.88"),
]
HISTORY_DAYS, EVERY_DAYS = 30, 2


def _seed_costs(ctx, org) -> None:
    from .models import CostProfile, FulfilmentFeeTier, ReferralFee

    for store in store_list(org=org):
        market = store.marketplace
        if market.code in REFERRAL:
            pct, minimum = REFERRAL[market.code]
            ReferralFee.objects.for_org(org).get_or_create(
                organization=org,
                marketplace=market,
                category="",
                defaults={
                    "percent": Decimal(pct),
                    "minimum": Decimal(minimum),
                    "currency": market.currency,
                },
            )
        for name, rank, weight, longest, median, shortest, fee in TIERS.get(market.code, []):
            FulfilmentFeeTier.objects.for_org(org).get_or_create(
                organization=org,
                marketplace=market,
                name=name,
                defaults={
                    "rank": rank,
                    "max_weight_g": weight,
                    "max_longest_mm": longest,
                    "max_median_mm": median,
                    "max_shortest_mm": shortest,
                    "fee": Decimal(fee),
                    "currency": market.currency,
                },
            )
        if market.code in PROFILES:
            first_leg, other, fee = PROFILES[market.code]
            CostProfile.objects.for_org(org).get_or_create(
                organization=org,
                store=store,
                category="",
                listing=None,
                defaults={
                    "currency": market.currency,
                    "first_leg_per_unit": Decimal(first_leg),
                    "other_per_unit": Decimal(other),
                    "fulfilment_fee": None if fee is None else Decimal(fee),
                },
            )


def _seed_strategies(ctx, org) -> None:
    from .models import Strategy, StrategyAssignment

    for store in store_list(org=org):
        settings = dict(
            STRATEGIES.get(
                store.marketplace.code,
                {
                    "name": "{store}: target margin 30%",
                    "kind": "target_margin",
                    "target_margin_pct": Decimal("30"),
                    "min_margin_pct": Decimal("12"),
                },
            )
        )
        name = settings.pop("name").format(store=store.name)
        strategy, _created = Strategy.objects.for_org(org).get_or_create(
            organization=org,
            name=name,
            defaults={**settings, "enabled": True, "max_change_pct": Decimal("8")},
        )
        StrategyAssignment.objects.for_org(org).get_or_create(
            organization=org, strategy=strategy, store=store, category="", listing=None
        )


def _seed_competitors(ctx, org) -> None:
    """Four sellers per active listing, an observation every two days for 30 days."""
    from .bulk import OfferValues, competitor_offers_upsert
    from .models import CompetitorOffer

    listings = list(listing_list(org=org, status="active").exclude(price__isnull=True))
    if not listings or CompetitorOffer.objects.for_org(org).filter(source="demo").exists():
        return
    offers = []
    for listing in listings:
        rng = ctx.random("pricing", "competitors", listing.product.sku, listing.store.name)
        sellers = SELLERS if listing.store.marketplace.channel == "amazon" else SELLERS[1:]
        for day in range(HISTORY_DAYS, -1, -EVERY_DAYS):
            at = ctx.now - timedelta(days=day, hours=rng.randint(0, 5))
            drift = Decimal(1) - Decimal(HISTORY_DAYS - day) / Decimal(1000)  # slow price war
            quotes = []
            for seller_id, name, fulfilment, rating, factor in sellers:
                noise = Decimal(rng.randint(-30, 30)) / Decimal(1000)
                price = quantize(
                    listing.price * Decimal(factor) * (drift + noise), listing.currency
                )
                quotes.append(
                    (seller_id, name, fulfilment, Decimal(rating), max(price, Decimal(1)))
                )
            eligible = [q for q in quotes if q[2] == "fba" and q[3] >= 90] or quotes
            holder = min(eligible, key=lambda q: q[4])[0]
            offers += [
                OfferValues(
                    listing_id=listing.pk,
                    seller_id=seller_id,
                    seller_name=name,
                    price=price,
                    shipping=Decimal(0) if fulfilment == "fba" else Decimal("1.99"),
                    currency=listing.currency,
                    fulfilment=fulfilment,
                    rating=rating,
                    is_buy_box=seller_id == holder,
                    observed_at=at,
                )
                for seller_id, name, fulfilment, rating, price in quotes
            ]
    competitor_offers_upsert(org=org, offers=offers, source="demo")
