"""Demo analytics: sessions and page views for the Amazon listings (as a business report would
give them, tied to the demo's sales so conversion rates look like Amazon's 5–15 %), a handful of
candidate products from a named market-research source, and a full build of the profit read
model, so every chart on the analytics and overview pages has content on `make run`.

Idempotent: traffic rows are keyed on (store, product, day) and inserted only where missing;
candidates on (source, name); the read model is rebuilt from whatever is there.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.db.models.functions import TruncDate

from apps.catalog.models import Listing, Marketplace
from apps.orders.models import OrderItem

from .models import Candidate, TrafficDay

SEED_AFTER = ("catalog", "orders", "pricing", "ads", "logistics")
DAYS = 120
SOURCE = "Demo market research export (estimates)"
CANDIDATES = [
    # name, category, marketplace, price, currency, cost CNY, sales/mo, reviews, rating, sellers,
    # trend %, weight g, estimated fields
    (
        "Magnetic power bank 5000mAh",
        "Power banks",
        "amazon_us",
        "29.99",
        "USD",
        "48",
        2400,
        310,
        "4.4",
        6,
        "18",
        130,
        ["monthly_sales"],
    ),
    (
        "USB-C hub 7-in-1",
        "Cables",
        "amazon_us",
        "39.99",
        "USD",
        "62",
        5200,
        8700,
        "4.5",
        25,
        "3",
        90,
        [],
    ),
    (
        "Clip-on desk fan",
        "Audio",
        "amazon_de",
        "24.99",
        "EUR",
        "35",
        900,
        120,
        "4.2",
        4,
        "35",
        420,
        ["trend_pct"],
    ),
    (
        "Braided USB-C cable 2 m",
        "Cables",
        "amazon_de",
        "9.99",
        "EUR",
        "6",
        11000,
        25000,
        "4.6",
        40,
        "-5",
        60,
        [],
    ),
    (
        "Smart plug with energy meter",
        "Chargers",
        "amazon_us",
        "19.99",
        "USD",
        "31",
        1500,
        640,
        "4.3",
        9,
        "12",
        110,
        ["monthly_sales", "reviews"],
    ),
    (
        "Wireless charging stand 15W",
        "Chargers",
        "ebay_uk",
        "22.99",
        "GBP",
        None,
        600,
        None,
        None,
        None,
        "8",
        None,
        [],
    ),
]


def seed(ctx) -> None:
    from .refresh import profit_refresh

    for slug in ("demo", "demo-home"):
        org = ctx.orgs.get(slug)
        if org is None:
            continue
        _seed_traffic(ctx, org)
        if slug == "demo":
            _seed_candidates(org)
        profit_refresh(org=org, full=True)


def _seed_traffic(ctx, org) -> None:
    since = ctx.now - timedelta(days=DAYS)
    zone = ZoneInfo(org.timezone)
    sold = (
        OrderItem.objects.for_org(org)
        .filter(
            order__ordered_at__gte=since,
            product__isnull=False,
            order__store__marketplace__channel="amazon",
        )
        .annotate(day=TruncDate("order__ordered_at", tzinfo=zone))
        .values("order__store_id", "product_id", "day")
        .annotate(units=Sum("quantity"))
    )
    units = {(r["order__store_id"], r["product_id"], r["day"]): r["units"] for r in sold}
    listings = Listing.objects.for_org(org).filter(store__marketplace__channel="amazon")
    pairs = sorted(set(listings.values_list("store_id", "product_id")))
    existing = set(TrafficDay.objects.for_org(org).values_list("store_id", "product_id", "day"))
    rows = []
    for store_id, product_id in pairs:
        rng = ctx.random("analytics-traffic", store_id, product_id)
        conversion = rng.uniform(0.06, 0.15)
        for n in range(DAYS):
            day = (ctx.now - timedelta(days=n)).astimezone(zone).date()
            if (store_id, product_id, day) in existing:
                continue
            u = units.get((store_id, product_id, day), 0)
            sessions = int(u / conversion) + rng.randint(0, 4)
            rows.append(
                TrafficDay(
                    organization=org,
                    store_id=store_id,
                    product_id=product_id,
                    day=day,
                    sessions=sessions,
                    page_views=int(sessions * rng.uniform(1.4, 1.9)),
                    source="demo business report",
                )
            )
    TrafficDay.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)


def _seed_candidates(org) -> None:
    markets = {m.code: m for m in Marketplace.objects.all()}
    for n, row in enumerate(CANDIDATES, start=2):
        (
            name,
            category,
            market,
            price,
            currency,
            cost,
            sales,
            reviews,
            rating,
            sellers,
            trend,
            weight,
            estimated,
        ) = row
        Candidate.objects.get_or_create(
            organization=org,
            source=SOURCE,
            name=name,
            defaults={
                "category": category,
                "marketplace": markets.get(market),
                "price": Decimal(price),
                "currency": currency,
                "unit_cost": Decimal(cost) if cost else None,
                "cost_currency": "CNY",
                "monthly_sales": sales,
                "reviews": reviews,
                "rating": Decimal(rating) if rating else None,
                "sellers": sellers,
                "trend_pct": Decimal(trend),
                "weight_g": weight,
                "estimated": estimated,
                "line": n,
            },
        )
