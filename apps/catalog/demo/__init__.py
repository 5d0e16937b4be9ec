"""Demo stores, products and listings for the demo organizations (see apps/core/demo.py).

Rows are inserted only when their natural key is missing (store name, SKU, product + store), and
existing rows are left as they are: re-running the seeder neither duplicates nor overwrites what
someone changed while trying the demo (nor bumps listing versions).
"""

# Marketplace copy uses typographic en dashes and multiplication signs on purpose.

from __future__ import annotations

import string
from decimal import ROUND_FLOOR, Decimal

from apps.catalog.demo.drafts import seed_listing_drafts
from apps.catalog.demo.listing_copy import Copy, listing_copy, num
from apps.catalog.demo.products import (
    COLORS,
    HEARTHLY_PRODUCTS,
    HS_CODES,
    Variant,
    voltora_variants,
)
from apps.catalog.demo.reviews import first_skus, seed_reviews, violating_copy
from apps.catalog.models import Listing, Marketplace, Product, Store

# org slug, store name, marketplace code, seller id
STORES = [
    ("demo", "Voltora US", "amazon_us", "A2VX7Q0RTL9K3M"),
    ("demo", "Voltora DE", "amazon_de", "A1VX7Q0RTL9K3M"),
    ("demo", "Voltora UK (eBay)", "ebay_uk", "voltora_official_uk"),
    # The brand's own web shop, so the Shopify product CSV export can be tried.
    ("demo", "Voltora Shop (Shopify)", "shopify", "voltora-official.myshopify.com"),
    ("demo-home", "Hearthly US", "amazon_us", "A3HRTHLY8Q2W1E"),
]

# Internal spec keys → the attribute names shown to sellers.
ATTRIBUTE_NAMES = {
    "anc": "active_noise_cancelling",
    "hours": "battery_life_h",
    "display": "led_display",
    "wireless_w": "wireless_power_w",
    "pack": "pack_size",
}

# Local list prices relative to the US price, before the .99 ending: EU and UK prices include VAT.
PRICE_FACTOR = {"USD": Decimal("1"), "EUR": Decimal("0.98"), "GBP": Decimal("0.84")}


def seed(ctx) -> None:
    stores = _stores(ctx)
    _voltora(ctx, [s for s in stores if s.organization_id == ctx.orgs["demo"].id])
    _hearthly(ctx, [s for s in stores if s.organization_id == ctx.orgs["demo-home"].id])
    seed_reviews(ctx, ctx.orgs["demo"])
    seed_listing_drafts(ctx)
    from apps.catalog.demo.photos import seed_photo_demo

    seed_photo_demo(ctx)


def _stores(ctx) -> list[Store]:
    markets = {m.code: m for m in Marketplace.objects.all()}
    stores = []
    for slug, name, code, seller_id in STORES:
        store, _ = Store.objects.get_or_create(
            organization=ctx.orgs[slug],
            name=name,
            defaults={"marketplace": markets[code], "seller_id": seller_id},
        )
        stores.append(store)
    return stores


def price_99(usd: Decimal, currency: str) -> Decimal:
    """A shelf price ending in .99 near the US price converted by PRICE_FACTOR."""
    local = (usd * PRICE_FACTOR[currency]).quantize(Decimal("1"), rounding=ROUND_FLOOR)
    return max(local, Decimal("1")) - Decimal("0.01")


def _voltora(ctx, stores: list[Store]) -> None:
    org = ctx.orgs["demo"]
    variants = voltora_variants()
    Product.objects.bulk_create([_voltora_product(org, v) for v in variants], ignore_conflicts=True)
    products = {p.sku: p for p in Product.objects.for_org(org)}
    firsts = first_skus(variants)  # one per category gets a deliberate rule violation
    listings = []
    for v in variants:
        product = products[v.sku]
        asin = _asin(ctx, v.sku)
        usd = Decimal(v.family.price_usd) + (2 if (v.length_m or 0) >= 2 else 0)
        for store in stores:
            market = store.marketplace
            copy = violating_copy(v, market, listing_copy(v, market.language), firsts)
            ext_id = _external_id(ctx, market.channel, v.sku, asin)
            listings.append(
                _listing(ctx, store, product, ext_id, copy, price_99(usd, market.currency))
            )
    Listing.objects.bulk_create(listings, ignore_conflicts=True)


def _voltora_product(org, v: Variant) -> Product:
    fam, specs = v.family, v.specs()
    en, _gb, _de, zh = COLORS[v.color]
    length, width, height = fam.dims_mm
    attributes = {
        ATTRIBUTE_NAMES.get(key, key): value
        for key, value in specs.items()
        if value is not None and key not in ("ports", "style", "ip")
    }
    if "ports" in specs:
        attributes["ports"] = " + ".join(f"{n}× {kind}" for n, kind in specs["ports"])
    if "ip" in specs:
        attributes["water_resistance"] = (
            f"IP{specs['ip']}" if specs["ip"] > 9 else f"IPX{specs['ip']}"
        )
    attributes.update(color=en, dimensions=f"{length} × {width} × {height} mm")
    zh_length = f" {num(v.length_m, 'en')}米" if v.length_m else ""
    return Product(
        organization=org,
        sku=v.sku,
        name=f"Voltora {fam.line} {fam.zh}{zh_length} {zh}",
        brand="Voltora",
        category=fam.category,
        attributes=attributes,
        unit_cost=Decimal(fam.cost_cny) + (Decimal("1.80") if (v.length_m or 0) >= 2 else 0),
        cost_currency="CNY",
        weight_g=Decimal(fam.weight_g),
        length_mm=Decimal(length),
        width_mm=Decimal(width),
        height_mm=Decimal(height),
        hs_code=HS_CODES[fam.category],
    )


def _listing(ctx, store, product, external_id, copy, price) -> Listing:
    rng = ctx.random("catalog", "stock", store.marketplace.code, product.sku)
    depth = {"amazon_us": 900, "amazon_de": 400}.get(store.marketplace.code, 150)
    stock = 0 if rng.random() < 0.04 else rng.randint(depth // 20, depth)
    return Listing(
        organization=store.organization,
        product=product,
        store=store,
        external_id=external_id,
        title=copy.title,
        bullets=copy.bullets,
        description=copy.description,
        search_terms=copy.search_terms,
        language=store.marketplace.language,
        price=price,
        currency=store.marketplace.currency,
        stock=stock,
        # Amazon turns a listing inactive when it runs out of stock.
        status=Listing.Status.ACTIVE if stock else Listing.Status.INACTIVE,
    )


def _asin(ctx, sku: str) -> str:
    # One ASIN per product across Amazon marketplaces, as with Amazon's unified catalogue.
    rng = ctx.random("catalog", "asin", sku)
    return "B0" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=8))


def _external_id(ctx, channel: str, sku: str, asin: str) -> str:
    if channel == "amazon":
        return asin
    if channel == "shopify":  # a Shopify product id: 13 digits
        return str(
            ctx.random("catalog", "shopify", sku).randint(7_000_000_000_000, 8_999_999_999_999)
        )
    return _ebay_item_id(ctx, sku)


def _ebay_item_id(ctx, sku: str) -> str:
    rng = ctx.random("catalog", "ebay", sku)
    return str(rng.randint(2_040_000_000_00, 3_989_999_999_99))


def _hearthly(ctx, stores: list[Store]) -> None:
    org = ctx.orgs["demo-home"]
    Product.objects.bulk_create(
        [
            Product(
                organization=org,
                sku=sku,
                name=zh,
                brand="Hearthly",
                category=category,
                attributes={**attrs, "dimensions": " × ".join(map(str, dims)) + " mm"},
                unit_cost=Decimal(cost),
                cost_currency="CNY",
                weight_g=Decimal(weight),
                length_mm=Decimal(dims[0]),
                width_mm=Decimal(dims[1]),
                height_mm=Decimal(dims[2]),
                hs_code=hs,
            )
            for sku, zh, _t, category, hs, cost, _p, weight, dims, attrs in HEARTHLY_PRODUCTS
        ],
        ignore_conflicts=True,
    )
    products = {p.sku: p for p in Product.objects.for_org(org)}
    listings = []
    for sku, _zh, title, _c, _hs, _cost, usd, _w, _d, attrs in HEARTHLY_PRODUCTS:
        for store in stores:
            copy = Copy(
                title=title,
                bullets=[f"MATERIAL: {attrs['material']}.", "EASY CARE: dishwasher safe."],
                description=f"{title}. Designed in Yiwu, made to last.",
                search_terms="kitchen utensils kitchen storage home organization",
            )
            asin = _asin(ctx, sku)
            listings.append(_listing(ctx, store, products[sku], asin, copy, Decimal(usd)))
    Listing.objects.bulk_create(listings, ignore_conflicts=True)
