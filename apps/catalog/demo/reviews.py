"""Demo customer reviews (EN for the US store's buyers, DE for the German ones) and one listing
per category with a deliberate rule violation, so `make run` shows mined review phrases on
product pages and failing checks on listing pages.

Reviews are keyed on their fingerprint (inserted once); the violations are written into the
copy only when a listing is first created, so a fix made while trying the demo stays fixed.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

from apps.catalog.buyer_reviews.mining import review_insight_refresh
from apps.catalog.buyer_reviews.models import ProductReview
from apps.catalog.models import Product

# (rating, title, text) per category and language; every product gets a deterministic subset.
PRAISE = {
    "en": [
        (5, "Fast charging", "Fast charging, and the compact size fits in my pocket."),
        (5, "Great build quality", "Great build quality and fast charging for my phone."),
        (4, "Compact size", "Compact size, great build quality. Took a while to arrive."),
        (5, "Works perfectly", "Works perfectly with my laptop. Fast charging as promised."),
    ],
    "de": [
        (5, "Schnelles Laden", "Schnelles Laden und kompakte Größe, passt in jede Tasche."),
        (5, "Top Verarbeitung", "Sehr gute Verarbeitung und schnelles Laden."),
        (4, "Kompakte Größe", "Kompakte Größe, sehr gute Verarbeitung. Lieferung dauerte."),
    ],
}
COMPLAINTS = {
    "en": [
        (1, "Gets hot", "Gets hot when charging two devices. Stopped working after a month."),
        (2, "Cable too short", "The cable too short for my desk, and it gets hot."),
        (1, "Stopped working", "Stopped working after a month. Support replied quickly though."),
    ],
    "de": [
        (2, "Wird warm", "Wird warm beim Laden von zwei Geräten."),
        (1, "Kabel zu kurz", "Kabel zu kurz und wird warm beim Laden."),
    ],
}
NEUTRAL = {"en": (3, "OK", "Does the job."), "de": (3, "Okay", "Erfüllt seinen Zweck.")}

# One product per category: what its listing copy breaks (marketplace code, field, text, and the
# rule id the rules engine reports). Every other demo listing follows its marketplace's rules
# (tests/catalog/test_rules_every_write_path.py holds both to it).
VIOLATIONS = {
    "Power banks": ("amazon_us", "title_prefix", "Best Seller ", "banned_term"),
    "Chargers": ("amazon_us", "description_suffix", " Free shipping on every order!",
                 "banned_term"),
    "Cables": ("amazon_de", "search_terms_suffix",
               " ladekabel schnellladekabel datenkabel ladekabel-für-unterwegs "
               "geflochtenes-ladekabel nylonummantelt knickschutz verstärkt "
               "kompatibel-mit-vielen-geräten schnellladung übertragungsgeschwindigkeit "
               "widerstandsfähig langlebig", "search_terms.bytes"),
    "Audio": ("amazon_us", "title_suffix", " – Top Rated Wireless Earbuds with Long Battery Life",
              "banned_term"),
}  # fmt: skip


def violating_copy(variant, market, copy, first_of_category: set[str]):
    """The demo copy, with this category's deliberate violation when `variant` is the first
    product of its category and `market` the marketplace that violation targets."""
    category = variant.family.category
    rule = VIOLATIONS.get(category)
    if rule is None or variant.sku not in first_of_category or market.code != rule[0]:
        return copy
    _code, how, text, _rule_id = rule
    if how == "title_prefix":
        return replace(copy, title=text + copy.title)
    if how == "title_suffix":
        return replace(copy, title=copy.title + text)
    if how == "description_suffix":
        return replace(copy, description=copy.description + text)
    return replace(copy, search_terms=copy.search_terms + text)


def first_skus(variants) -> set[str]:
    seen: dict[str, str] = {}
    for v in variants:
        seen.setdefault(v.family.category, v.sku)
    return set(seen.values())


def seed_reviews(ctx, org) -> None:
    products = list(Product.objects.for_org(org).order_by("sku"))
    rows = []
    for product in products:
        rng = ctx.random("catalog", "reviews", product.sku)
        for lang in ("en", "de"):
            picked = rng.sample(PRAISE[lang], k=min(len(PRAISE[lang]), rng.randint(2, 4)))
            picked += rng.sample(COMPLAINTS[lang], k=rng.randint(1, len(COMPLAINTS[lang])))
            picked.append(NEUTRAL[lang])
            for i, (rating, title, text) in enumerate(picked):
                date = ctx.today - timedelta(days=rng.randint(3, 200) + i)
                key = "\x1f".join([str(rating), str(date), title, text, product.sku])
                rows.append(ProductReview(
                    organization=org, product=product, rating=rating, title=title, text=text,
                    date=date, source="demo", language=lang,
                    fingerprint=hashlib.sha1(key.encode()).hexdigest(),
                ))  # fmt: skip
    if ProductReview.objects.for_org(org).filter(source="demo").exists():
        return  # already seeded: dates depend on ctx.today, so fingerprints would differ
    ProductReview.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    review_insight_refresh(org=org, product_ids=[p.pk for p in products])
