"""Benchmark: validate 100,000 listings against their marketplace rules (target: under 20 s).

Builds a bench organization with listings on 11 marketplaces in 6 languages (about one in ten
with a deliberate violation), then times reading them all from PostgreSQL and running each
through its marketplace's ruleset (`apps.catalog.rules.engine.validate_fields`, rulesets and
term expressions compiled once, the organization's protected names read once). The naive way
— `validate_listing` per listing with the rules re-read from YAML and the protected names
queried each time — is measured on a sample and reported as a rate. Removes its organization.

    .venv/bin/python bench/listing_validate.py [--listings 100000] [--naive-sample 300]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections import Counter
from decimal import Decimal

from _setup import django_setup

MARKETS = ["amazon_us", "amazon_uk", "amazon_de", "amazon_fr", "amazon_it", "amazon_es",
           "amazon_jp", "ebay_uk", "tiktok_us", "shopify", "temu"]  # fmt: skip
COPY = {
    "en": ("Voltora Power Bank 20,000 mAh, 22.5 W USB-C Fast Charging, Black",
           ["Capacity: 20,000 mAh · Output: 22.5 W", "Ports: 1× USB-C, 2× USB-A",
            "Size: 150 × 70 × 27 mm · Weight: 412 g", "In the box: power bank, cable, manual",
            "Voltora designs chargers in Shenzhen"],
           "Charge a phone four times from one power bank. " * 12,
           "portable charger battery pack phone travel usb c"),
    "de": ("Voltora Powerbank 20.000 mAh, 22,5 W USB-C Schnellladen, Schwarz",
           ["Kapazität: 20.000 mAh · Leistung: 22,5 W", "Anschlüsse: 1× USB-C, 2× USB-A",
            "Maße: 150 × 70 × 27 mm · Gewicht: 412 g", "Lieferumfang: Powerbank, Kabel",
            "Voltora entwickelt Ladegeräte in Shenzhen"],
           "Laden Sie ein Smartphone viermal mit einer Powerbank auf. " * 10,
           "powerbank ladegerät akku handy reise usb c schnellladen größe"),
    "fr": ("Voltora Batterie externe 20 000 mAh, 22,5 W USB-C, Noir",
           ["Capacité : 20 000 mAh · Puissance : 22,5 W", "Ports : 1× USB-C, 2× USB-A",
            "Dimensions : 150 × 70 × 27 mm · Poids : 412 g"],
           "Rechargez un téléphone quatre fois avec une seule batterie. " * 10,
           "batterie externe chargeur portable téléphone voyage"),
    "it": ("Voltora Power bank 20.000 mAh, 22,5 W USB-C, Nero",
           ["Capacità: 20.000 mAh · Potenza: 22,5 W", "Porte: 1× USB-C, 2× USB-A"],
           "Ricarica un telefono quattro volte con un solo power bank. " * 10,
           "power bank caricatore portatile telefono viaggio"),
    "es": ("Voltora Batería externa 20.000 mAh, 22,5 W USB-C, Negro",
           ["Capacidad: 20.000 mAh · Potencia: 22,5 W", "Puertos: 1× USB-C, 2× USB-A"],
           "Carga un teléfono cuatro veces con una sola batería externa. " * 10,
           "batería externa cargador portátil teléfono viaje"),
    "ja": ("Voltora モバイルバッテリー 20000mAh、22.5W USB-C 急速充電、ブラック",
           ["容量：20,000mAh・出力：22.5W", "ポート：USB-C×1、USB-A×2",
            "サイズ：150×70×27mm・重量：412g"],
           "1台のモバイルバッテリーでスマートフォンを4回充電できます。" * 10,
           "モバイルバッテリー 充電器 携帯 旅行 急速充電 大容量 軽量"),
}  # fmt: skip
# Every tenth listing breaks a rule (a different one in turn).
BREAKS = [
    lambda c: {**c, "title": c["title"] + " Best Seller!"},
    lambda c: {**c, "search_terms": c["search_terms"] + " größe" * 60},
    lambda c: {**c, "bullets": [*c["bullets"], "N/A ™"]},
    lambda c: {**c, "title": c["title"] + " Cable Cable Cable"},
    lambda c: {**c, "description": c["description"] + " Free shipping, antibacterial."},
]


def copy_for(i: int, language: str) -> dict:
    title, bullets, description, terms = COPY[language.split("-")[0]]
    copy = {"title": title, "bullets": bullets, "description": description,
            "search_terms": terms}  # fmt: skip
    return BREAKS[(i // 10) % len(BREAKS)](copy) if i % 10 == 9 else copy


def build(org, n: int) -> None:
    from apps.catalog.models import Listing, Marketplace, Product, ProtectedTerm, Store

    markets = {m.code: m for m in Marketplace.objects.filter(code__in=MARKETS)}
    stores = [Store.objects.create(organization=org, marketplace=markets[c], name=f"Bench {c}")
              for c in MARKETS]  # fmt: skip
    ProtectedTerm.objects.bulk_create(ProtectedTerm(organization=org, term=t)
                                      for t in ("Anker", "Baseus", "Ugreen"))  # fmt: skip
    per_store = -(-n // len(stores))
    products = Product.objects.bulk_create(
        (Product(organization=org, sku=f"LV-{i:07d}", name="充电宝") for i in range(per_store)),
        batch_size=5000,
    )
    made = 0
    for store in stores:
        size = min(per_store, n - made)
        mp = store.marketplace
        Listing.objects.bulk_create(
            (Listing(organization=org, product=p, store=store, language=mp.language,
                     currency=mp.currency, price=Decimal("19.99"),
                     **copy_for(made + i, mp.language))
             for i, p in enumerate(products[:size])),
            batch_size=5000,
        )  # fmt: skip
        made += size


def validate_all(org) -> tuple[int, Counter]:
    """Stream every listing with its marketplace; validate with compiled rulesets."""
    from apps.catalog.models import Listing, Marketplace
    from apps.catalog.rules.checks import protected_terms_of
    from apps.catalog.rules.engine import validate_fields
    from apps.catalog.rules.loader import ruleset_for

    markets = {m.id: m for m in Marketplace.objects.all()}
    rulesets = {i: ruleset_for(code=m.code, channel=m.channel) for i, m in markets.items()}
    protected = protected_terms_of(org)
    rows = (
        Listing.objects.for_org(org)
        .values_list("store__marketplace_id", "language", "title", "bullets", "description",
                     "search_terms")
        .iterator(chunk_size=5000)
    )  # fmt: skip
    n, rules = 0, Counter()
    for market_id, language, title, bullets, description, search_terms in rows:
        payload = {"title": title, "bullets": bullets, "description": description,
                   "search_terms": search_terms}  # fmt: skip
        for check in validate_fields(rulesets[market_id], payload, language=language,
                                     limits=markets[market_id].limits, protected=protected,
                                     ui="en"):  # fmt: skip
            rules[check.rule] += 1
        n += 1
    return n, rules


def naive(org, sample: int) -> float:
    """Per listing: ORM row with related objects, rules re-read from YAML, protected names
    queried — what a straightforward loop over `validate_listing` would do."""
    from unittest import mock

    from apps.catalog.models import Listing
    from apps.catalog.rules import engine, loader
    from apps.catalog.rules.checks import validate_listing

    ids = list(Listing.objects.for_org(org).values_list("pk", flat=True)[:sample])
    t0 = time.perf_counter()
    with mock.patch.object(loader, "rule_data", loader.load):
        for pk in ids:
            engine.term_matcher.cache_clear()
            listing = Listing.objects.for_org(org).select_related("store__marketplace").get(pk=pk)
            payload = {f: getattr(listing, f) for f in ("title", "bullets", "description",
                                                        "search_terms")}  # fmt: skip
            validate_listing(marketplace=listing.store.marketplace, payload=payload, org=org,
                             language=listing.language)  # fmt: skip
    return len(ids) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=300)
    args = parser.parse_args()
    django_setup()

    from apps.accounts.models import Organization
    from apps.core.tenancy import unscoped

    with unscoped():
        Organization.objects.filter(slug="bench-validate").delete()
    org = Organization.objects.create(name="Bench validate", slug="bench-validate")
    try:
        t0 = time.perf_counter()
        build(org, args.listings)
        print(f"built {args.listings:,} listings on {len(MARKETS)} marketplaces "
              f"in {time.perf_counter() - t0:.1f}s")  # fmt: skip
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        n, rules = validate_all(org)
        seconds = time.perf_counter() - t0
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert n == args.listings, n
        rate = n / seconds
        grew = (rss_after - rss_before) / 1024
        print(f"validated {n:,} listings in {seconds:.2f}s ({rate:,.0f}/s); process peak RSS "
              f"{rss_after / 1024:.0f} MiB (+{grew:.0f} MiB)")  # fmt: skip
        print("checks by rule:", dict(rules.most_common()))
        naive_rate = naive(org, args.naive_sample)
        print(f"naive (per-row ORM, rules re-read, names queried): {naive_rate:,.0f}/s → "
              f"{n / naive_rate:.0f}s for {n:,}")  # fmt: skip
    finally:
        with unscoped():
            org.delete()
    print(json.dumps({
        "benchmark": "listing_validate", "listings": n, "seconds": round(seconds, 3),
        "rows_per_second": round(rate), "naive_rows_per_second": round(naive_rate),
        "ratio_vs_naive": round(rate / naive_rate, 1),
        "peak_rss_mib": round(rss_after / 1024, 1), "target_seconds": 20,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
