"""Demo orders (120 days up to the demo's frozen "now") and ECB-style exchange rates.

Idempotency: days are counted back from `ctx.now`, which is frozen at the demo organization's
creation (see accounts.demo), and every random draw comes from a seeded stream per store, so a
second run generates exactly the same orders; those whose (store, marketplace_order_id) already
exists are skipped. Statuses follow each order's age at that frozen "now".

Volumes: a weekly rhythm (busy Sunday and Monday evenings, quiet Fridays), growth of about 80%
across the period, and a two-day Amazon deal event six weeks back. Totals are VAT-inclusive on
the EU and UK marketplaces, with the VAT of the buyer's country in `tax_total`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from apps.accounts.demo import ORGANIZATIONS
from apps.catalog.models import Listing, Store
from apps.core.money import quantize
from apps.integrations.ecb.calendar import business_days

from .fx import Rate, rates_upsert
from .imports import order_rows_import
from .models import ExchangeRate, Order, OrderItem, RiskDestination
from .risk import order_risk_score

DAYS = 120
DEMO_RATE_SOURCE = "demo"
WEEKDAY = [1.08, 1.0, 0.97, 0.96, 0.86, 0.93, 1.2]  # Monday … Sunday
HOURS = [2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 7, 7, 6, 6, 6, 6, 7, 8, 10, 11, 10, 7, 4]  # local
VAT = {"DE": "0.19", "AT": "0.20", "FR": "0.20", "IT": "0.22", "NL": "0.21", "BE": "0.21",
       "PL": "0.23", "GB": "0.20"}  # fmt: skip
CATEGORY_DEMAND = {"Cables": 1.5, "Power banks": 1.3, "Chargers": 1.0, "Audio": 0.6}


@dataclass(frozen=True)
class Profile:
    orders_per_day: float
    tz: str
    countries: tuple[tuple[str, float], ...]
    ship_hours: tuple[int, int]  # order → handed to carrier
    transit_days: tuple[int, int]
    order_prefixes: tuple[str, ...]  # Amazon: the first group of the order id; eBay: empty
    paid_shipping: float = 0.0  # share of orders paying for shipping (eBay)


US_IDS = ("111", "112", "113", "114")
PROFILES = {
    ("demo", "amazon_us"): Profile(15, "America/Chicago", (("US", 1),), (4, 30), (1, 4), US_IDS),
    ("demo", "amazon_de"): Profile(
        9, "Europe/Berlin",
        (("DE", 74), ("AT", 11), ("FR", 4), ("NL", 4), ("IT", 3), ("BE", 2), ("PL", 2)),
        (4, 30), (1, 3), ("302", "303", "304", "305", "306", "028"),
    ),
    ("demo", "ebay_uk"): Profile(5, "Europe/London", (("GB", 1),), (12, 60), (1, 3), (), 0.3),
    ("demo-home", "amazon_us"): Profile(
        3, "America/Chicago", (("US", 1),), (4, 30), (2, 5), US_IDS
    ),
}  # fmt: skip

# Plausible EUR reference levels and daily volatility, with the ECB's decimal places.
FX_START = {"USD": ("1.0850", 0.0035, 4), "GBP": ("0.84500", 0.0025, 5),
            "CNY": ("7.8200", 0.0030, 4), "JPY": ("162.50", 0.0045, 2)}  # fmt: skip


def seed(ctx) -> None:
    _exchange_rates(ctx)
    for slug, org in ctx.orgs.items():
        for store in Store.objects.for_org(org).select_related("marketplace"):
            profile = PROFILES.get((slug, store.marketplace.code))
            if profile is not None:
                _orders(ctx, slug, store, profile)
    if "demo" in ctx.orgs:
        # The shared sample files are not seeded: their 2025 dates, marketplace tax lines and
        # SKUs outside the demo stores' listings would break the demo's 120-day history (they
        # are imported by tests/orders/test_imports.py and through the import page instead).
        _risky_orders(ctx, ctx.orgs["demo"])
        order_risk_score(org=ctx.orgs["demo"], since=ctx.now - timedelta(days=DAYS + 400))


# Copies of the shared format samples (/work/shared/data), shipped with the app.
SAMPLES = Path(__file__).with_name("demo_data")


def _sample(name: str) -> bytes | None:
    path = SAMPLES / name
    return path.read_bytes() if path.exists() else None


RISK_DESTINATIONS = [("NG", 25, "high chargeback rate"), ("RU", 30, "payments blocked"),
                     ("XK", 20, "reshipper hub")]  # fmt: skip


def _risky_orders(ctx, org) -> None:
    """A few orders that trip the risk rules, written through the bulk import (idempotent):
    a billing/shipping mismatch, five orders to one address within two days, a very large
    first order, and a parcel to a destination on the risk list."""
    for country, points, note in RISK_DESTINATIONS:
        RiskDestination.objects.for_org(org).get_or_create(
            organization=org, country=country, defaults={"points": points, "note": note}
        )
    store = Store.objects.for_org(org).filter(marketplace__code="shopify").first()
    if store is None:
        return
    base = (ctx.now - timedelta(days=3)).replace(microsecond=0)
    # A SKU listed in this store, so every risky line links to the store's own listing.
    sku = (
        Listing.objects.for_org(org)
        .filter(store=store)
        .order_by("pk")
        .values_list("product__sku", flat=True)
        .first()
    )
    if sku is None:
        return

    def row(n: int, hours: float, **extra) -> dict:
        values = {
            "order_id": f"#R{n:03d}", "sku": sku, "quantity": "1",
            "unit_price": "27.99", "currency": "USD", "status": "unshipped",
            "ordered_at": (base + timedelta(hours=hours)).isoformat(),
            "buyer_email": f"buyer{n}@example.net", "buyer_country": "US",
            "billing_country": "US", "ship_postal_code": f"{10000 + n}", "ship_city": "Newark",
            "ship_address": f"{n} Main St",
        }  # fmt: skip
        return values | extra

    rows = [row(1, 0, billing_country="NG", quantity="3")]
    rows += [row(10 + i, 6 * i, ship_postal_code="07114", ship_address="9 Freight Way",
                 buyer_email=f"drop{i}@example.org") for i in range(5)]  # fmt: skip
    rows += [row(20, 30, quantity="40", unit_price="45.99", buyer_email="bulk@example.com")]
    rows += [row(30, 40, buyer_country="NG", billing_country="NG", ship_city="Lagos")]
    order_rows_import(org=org, store=store, rows=rows, score=False)


def reset(ctx) -> None:
    # Orders first: Order.store is PROTECT, so the organizations' cascade cannot take them.
    Order.objects.filter(organization__slug__in=ORGANIZATIONS).delete()
    # The sample files' import runs too, or a fresh seed would take them for re-imports.
    from apps.integrations.models import ImportRun

    ImportRun.objects.filter(
        organization__slug__in=ORGANIZATIONS, kind__startswith="orders_"
    ).delete()
    ExchangeRate.objects.filter(organization__isnull=True, source=DEMO_RATE_SOURCE).delete()


def _exchange_rates(ctx) -> None:
    """EUR-based rates on TARGET business days covering the order window (plus a week, so the
    first weekend has an earlier rate). Real ECB rates already stored are never replaced."""
    rng = ctx.random("fx")
    days = business_days(ctx.today - timedelta(days=DAYS + 7), ctx.today)
    rates = []
    for currency, (start, sigma, places) in FX_START.items():
        level = float(start)
        for day in days:
            level *= math.exp(rng.gauss(0, sigma))
            rates.append(Rate(day, "EUR", currency, Decimal(f"{level:.{places}f}")))
    rates_upsert(org=None, rates=rates, source=DEMO_RATE_SOURCE, overwrite=False)


def _orders(ctx, slug: str, store: Store, profile: Profile) -> None:
    """A store's 120 days of orders, generated once: a store that already has orders keeps
    them, whatever its listings became since (users edit, reprice and delete them)."""
    if Order.objects.for_org(store.organization).filter(store=store).exists():
        return
    listings = list(store.listings.select_related("product").order_by("id"))
    if not listings:
        return
    rng = ctx.random("orders", slug, store.marketplace.code)
    weights = [_demand(ctx, listing) for listing in listings]
    existing = set(
        Order.objects.for_org(store.organization)
        .filter(store=store)
        .values_list("marketplace_order_id", flat=True)
    )
    orders, lines, ids = [], [], set()
    for offset in range(DAYS - 1, -1, -1):
        day = ctx.today - timedelta(days=offset)
        for _ in range(_volume(rng, profile, store, day, offset)):
            order_id = _order_id(rng, profile, ids)
            ordered_at = _ordered_at(rng, profile, day)
            picks = _pick(rng, listings, weights)
            order, items = _order(rng, ctx, store, profile, order_id, ordered_at, picks)
            if ordered_at > ctx.now or order_id in existing or not items:
                continue  # drawn all the same, so the orders after it come out identical
            orders.append(order)
            lines.append(items)
    Order.objects.bulk_create(orders, batch_size=1000)
    for order, items in zip(orders, lines, strict=True):
        for item in items:
            item.order = order
    OrderItem.objects.bulk_create([i for items in lines for i in items], batch_size=2000)


def _demand(ctx, listing: Listing) -> float:
    rng = ctx.random("demand", listing.product.sku)
    return rng.lognormvariate(0, 0.8) * CATEGORY_DEMAND.get(listing.product.category, 1.0)


def _volume(rng, profile: Profile, store: Store, day, offset: int) -> int:
    growth = 0.65 + 0.55 * (DAYS - 1 - offset) / (DAYS - 1)
    mean = profile.orders_per_day * growth * WEEKDAY[day.weekday()]
    if store.marketplace.channel == "amazon" and offset in (41, 42):
        mean *= 2.4  # a two-day deal event
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def _order_id(rng, profile: Profile, taken: set[str]) -> str:
    while True:
        if profile.order_prefixes:
            order_id = (
                f"{rng.choice(profile.order_prefixes)}-"
                f"{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"
            )
        else:
            order_id = (
                f"{rng.randrange(10, 28)}-{rng.randrange(10**5):05d}-{rng.randrange(10**5):05d}"
            )
        if order_id not in taken:
            taken.add(order_id)
            return order_id


def _ordered_at(rng, profile: Profile, day) -> datetime:
    hour = rng.choices(range(24), weights=HOURS)[0]
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)))
    return local.replace(tzinfo=ZoneInfo(profile.tz)).astimezone(UTC)


def _pick(rng, listings: list[Listing], weights: list[float]) -> list[tuple[Listing, int]]:
    count = min(len(listings), rng.choices([1, 2, 3], weights=[86, 12, 2])[0])
    chosen: list[Listing] = []
    while len(chosen) < count:
        listing = rng.choices(listings, weights=weights)[0]
        if listing not in chosen:
            chosen.append(listing)
    picks = []
    for listing in chosen:
        multi = listing.product.category == "Cables"
        qty = rng.choices([1, 2, 3], weights=[75, 20, 5] if multi else [93, 6, 1])[0]
        picks.append((listing, qty))
    return picks


def _order(rng, ctx, store, profile, order_id, ordered_at, picks) -> tuple[Order, list[OrderItem]]:
    currency = store.marketplace.currency
    country = rng.choices([c for c, _ in profile.countries], [w for _, w in profile.countries])[0]
    items = [
        OrderItem(
            organization=store.organization,
            listing=listing,
            product=listing.product,
            sku=listing.product.sku,
            quantity=qty,
            unit_price=listing.price,
            currency=currency,
            line_total=listing.price * qty,
        )
        for listing, qty in picks
        # A listing without a price (removed through the API or the editor) sells nothing.
        if listing.price is not None and listing.price > 0
    ]
    items_total = sum((i.line_total for i in items), Decimal(0))
    shipping = Decimal(0)
    if rng.random() < profile.paid_shipping:
        shipping = Decimal(rng.choice(["2.49", "2.99", "3.49"]))
    total = items_total + shipping
    vat = Decimal(VAT[country]) if country in VAT else Decimal(0)
    tax = quantize(total * vat / (1 + vat), currency)  # prices include VAT where VAT applies
    status, shipped_at, delivered_at = _status(rng, ctx.now, profile, ordered_at)
    order = Order(
        organization=store.organization,
        store=store,
        marketplace_order_id=order_id,
        buyer_country=country,
        status=status,
        ordered_at=ordered_at,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
        currency=currency,
        items_total=items_total,
        shipping_total=shipping,
        tax_total=tax,
        order_total=total,
    )
    return order, items


def _status(rng, now, profile: Profile, ordered_at):
    """Status and timestamps as they would stand at `now`, given the order's age."""
    shipped_at = ordered_at + timedelta(hours=rng.uniform(*profile.ship_hours))
    delivered_at = shipped_at + timedelta(
        days=rng.randint(*profile.transit_days), hours=rng.uniform(0, 10)
    )
    fate = rng.random()
    if fate < 0.025:
        return Order.Status.CANCELLED, None, None
    if shipped_at > now:
        pending = now - ordered_at < timedelta(hours=4) and fate < 0.5
        return (Order.Status.PENDING if pending else Order.Status.UNSHIPPED), None, None
    if delivered_at > now:
        return Order.Status.SHIPPED, shipped_at, None
    if fate > 0.965 and delivered_at + timedelta(days=3) < now:
        return Order.Status.RETURNED, shipped_at, delivered_at
    return Order.Status.DELIVERED, shipped_at, delivered_at
