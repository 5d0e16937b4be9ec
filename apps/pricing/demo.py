"""Demo: pending price-change drafts, so the review queue has price work on `make run`.

Until the repricing engine (the pricing issue) exists, the proposals follow one transparent
stock rule: high stock cover → a small cut to speed sell-through, low stock → a small rise to
avoid a stock-out. Each draft says so in its rationale and evidence. Runs once per organization.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from apps.catalog.selectors import listing_list
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
