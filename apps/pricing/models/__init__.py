"""Pricing: cost configuration, competitor observations, strategies, runs and price changes.

Money is Decimal with an explicit currency everywhere (NUMERIC columns). The engine
(apps.pricing.engine) reads these set-based; the models hold fields and constraints only.

Cost model (apps.pricing.cost) per listing, in the listing's currency:
    landed = unit cost (Product.unit_cost, converted) + first leg + other costs
             + fulfilment fee (size tier of the product, or the profile's override)
    price  = (landed + max(referral % × net, referral minimum)) grossed up by VAT where the
             marketplace shows VAT-inclusive prices.
`CostProfile` rows are per store, optionally narrowed to a category or one listing (most
specific wins). Fee tables (`FulfilmentFeeTier`, `ReferralFee`) and `VatRate` are per
organization and marketplace (or country), so each seller keeps its own negotiated fees.

One module per sub-domain (costs, competitors, strategies, runs). Django finds a model
package's models through this module, so each model is imported here (explicitly, no star);
`from apps.pricing.models import X` keeps working.
"""

from __future__ import annotations

from .competitors import CompetitorLatest, CompetitorOffer, CompetitorSummary, FulfilmentType
from .costs import CostProfile, FulfilmentFeeTier, ListingInventory, ReferralFee, VatRate
from .runs import PriceChange, RepriceMarker, RepricingRun, RepricingState
from .strategies import Strategy, StrategyAssignment

__all__ = [
    "CompetitorLatest",
    "CompetitorOffer",
    "CompetitorSummary",
    "CostProfile",
    "FulfilmentFeeTier",
    "FulfilmentType",
    "ListingInventory",
    "PriceChange",
    "ReferralFee",
    "RepriceMarker",
    "RepricingRun",
    "RepricingState",
    "Strategy",
    "StrategyAssignment",
    "VatRate",
]
