"""Demo ads: for each demo Amazon store, an auto and a manual campaign per advertised listing
(up to three listings a store), 90 days of search-term data before the demo's "now" with
realistic waste (generic and foreign-language terms that never sell, a wasting word across
terms, competitor ASINs) and harvestable terms (auto terms that sell below target), a manual
campaign capped by its budget, then one recommendation run so the queue, the charts and the
bulk file show on `make run`.

The search-term data goes through the real importer as a console-style CSV (so it shows in the
import history); re-seeding imports the same bytes, which the import recognises and skips. The
tree is keyed on natural keys (store + campaign name …): seeding twice creates nothing twice.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

SEED_AFTER = ("catalog", "pricing")
DAYS = 90
LISTINGS_PER_STORE = 3

GENERIC_WASTE = [
    "free {w}",
    "{w} repair",
    "{w} manual pdf",
    "used {w} cheap",
    "{w} toy for kids",
    "kids {w} toy",
    "toy {w} set",
]
FOREIGN = {
    "en": ["ladegerät für handy schnell", "chargeur rapide pour téléphone"],
    "de": ["fast phone charger for travel", "chargeur rapide pour téléphone"],
}
COMPETITOR_ASINS = ["b0c5nj8w3v", "b0bx7kq2ml"]


def _words(title: str) -> list[str]:
    words = [w.lower().strip(",.()") for w in title.split()]
    return [w for w in words if w.isalpha() and len(w) > 2][:6] or ["charger", "cable", "fast"]


def seed(ctx) -> None:
    from apps.catalog.models import Listing, Store

    for slug in ("demo", "demo-home"):
        org = ctx.orgs.get(slug)
        if org is None:
            continue
        stores = Store.objects.for_org(org).filter(marketplace__channel="amazon").order_by("pk")
        for store in stores:
            listings = list(
                Listing.objects.for_org(org)
                .filter(store=store)
                .exclude(price__isnull=True)
                .exclude(title="")
                .select_related("product")
                .order_by("pk")[:LISTINGS_PER_STORE]
            )
            if listings:
                _seed_store(ctx, org, store, listings)
        _seed_recommendations(org)


def _seed_store(ctx, org, store, listings) -> None:
    from .models import AdGroup, Campaign, ProductAd, Target

    rng = ctx.random("ads", store.pk)
    language = (store.marketplace.language or "en").split("-")[0]
    currency = listings[0].currency
    end = ctx.today - timedelta(days=1)
    rows: list[list] = []
    for n, listing in enumerate(listings):
        words = _words(listing.title)
        head = " ".join(words[:2])
        base_id = 200000000000000 + store.pk * 1000 + n * 10
        price = float(listing.price)
        auto, _ = Campaign.objects.get_or_create(
            organization=org,
            store=store,
            name=f"{listing.product.sku} - SP - Auto",
            defaults={
                "amazon_id": str(base_id + 1),
                "targeting": "auto",
                "currency": currency,
                "daily_budget": Decimal("25"),
                "bidding_strategy": "Dynamic bids - down only",
            },
        )
        manual, _ = Campaign.objects.get_or_create(
            organization=org,
            store=store,
            name=f"{listing.product.sku} - SP - Manual",
            defaults={
                "amazon_id": str(base_id + 2),
                "targeting": "manual",
                "currency": currency,
                "daily_budget": Decimal("12"),
                "portfolio": "Core",
                "bidding_strategy": "Dynamic bids - up and down",
            },
        )
        ag_auto, _ = AdGroup.objects.get_or_create(
            organization=org,
            campaign=auto,
            name="Auto",
            defaults={"amazon_id": str(base_id + 3), "default_bid": Decimal("0.75")},
        )
        ag_man, _ = AdGroup.objects.get_or_create(
            organization=org,
            campaign=manual,
            name="Keywords",
            defaults={"amazon_id": str(base_id + 4), "default_bid": Decimal("1.00")},
        )
        for i, group in enumerate((ag_auto, ag_man)):
            ProductAd.objects.get_or_create(
                organization=org,
                ad_group=group,
                sku=listing.product.sku,
                asin=listing.external_id[:20],
                defaults={"listing": listing, "amazon_id": str(base_id + 5 + i)},
            )
        for j, expr in enumerate(("close-match", "loose-match", "substitutes", "complements")):
            Target.objects.get_or_create(
                organization=org,
                ad_group=ag_auto,
                kind="auto",
                text=expr,
                match_type="",
                defaults={"bid": Decimal("0.75"), "amazon_id": str(base_id * 10 + j)},
            )
        keywords = [
            (head, "broad", "1.10"),
            (" ".join(words[:3]), "exact", "1.20"),
            (words[0], "phrase", "0.95"),
        ]
        for j, (text, match, bid) in enumerate(keywords):
            Target.objects.get_or_create(
                organization=org,
                ad_group=ag_man,
                kind="keyword",
                text=text,
                match_type=match,
                defaults={"bid": Decimal(bid), "amazon_id": str(base_id * 10 + 5 + j)},
            )
        # Terms: (campaign, ad group, targeting, match, term, clicks/day, cpc, conversion)
        terms = [
            (manual, ag_man, head, "broad", head, 2.5, 1.05, 0.14),
            (manual, ag_man, " ".join(words[:3]), "exact", " ".join(words[:3]), 1.8, 1.15, 0.16),
            (manual, ag_man, words[0], "phrase", f"best {words[0]}", 1.2, 0.9, 0.03),
            (manual, ag_man, head, "broad", f"{head} {words[-1]}", 0.9, 1.0, 0.11),
            (auto, ag_auto, "close-match", "", f"{words[0]} {words[-1]}", 1.0, 0.7, 0.15),
            (auto, ag_auto, "close-match", "", f"{head} for travel", 0.6, 0.65, 0.14),
            (auto, ag_auto, "loose-match", "", head, 0.8, 0.8, 0.1),
            (auto, ag_auto, "substitutes", "", COMPETITOR_ASINS[n % 2], 0.5, 0.6, 0.0),
            *[
                (auto, ag_auto, "loose-match", "", t.format(w=words[0]), 0.25, 0.75, 0.0)
                for t in GENERIC_WASTE
            ],
            *[
                (auto, ag_auto, "complements", "", t, 0.2, 0.6, 0.0)
                for t in FOREIGN.get(language, FOREIGN["en"])
            ],
        ]
        for d in range(DAYS):
            day = end - timedelta(days=DAYS - 1 - d)
            trend = 0.8 + 0.4 * d / DAYS
            manual_spend = 0.0
            for camp, group, targeting, match, term, cpd, cpc, cvr in terms:
                clicks = sum(1 for _ in range(8) if rng.random() < cpd * trend / 8)
                if camp is manual:
                    clicks = min(clicks, max(0, int((12 - manual_spend) / cpc)))
                if clicks == 0 and rng.random() < 0.7:
                    continue
                spend = round(clicks * cpc * rng.uniform(0.85, 1.15), 2)
                if camp is manual:
                    manual_spend += spend
                orders = sum(1 for _ in range(clicks) if rng.random() < cvr)
                sales = round(orders * price, 2)
                impressions = max(clicks * rng.randint(40, 160), rng.randint(5, 60))
                rows.append(
                    [
                        day,
                        camp.name,
                        group.name,
                        targeting,
                        match or "-",
                        term,
                        impressions,
                        clicks,
                        spend,
                        sales,
                        orders,
                        orders,
                        currency,
                    ]
                )
    _import(org, store, rows)


def _import(org, store, rows: list[list]) -> None:
    from apps.integrations.models import ImportRun

    from .imports import search_terms_import

    filename = f"demo-search-terms-{store.pk}.csv"
    if ImportRun.objects.for_org(org).filter(filename=filename).exists():
        return  # seeded before: a second seed adds no import run

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "Date",
            "Campaign Name",
            "Ad Group Name",
            "Targeting",
            "Match Type",
            "Customer Search Term",
            "Impressions",
            "Clicks",
            "Spend",
            "7 Day Total Sales ",
            "7 Day Total Orders (#)",
            "7 Day Total Units (#)",
            "Currency",
        ]
    )
    for r in rows:
        writer.writerow(
            [r[0].strftime("%b %d, %Y"), *r[1:8], f"{r[8]:.2f}", f"{r[9]:.2f}", *r[10:]]
        )
    search_terms_import(
        org=org,
        store_id=store.pk,
        data=out.getvalue().encode("utf-8"),
        filename=filename,
    )


def _seed_recommendations(org) -> None:
    from apps.review.models import Draft

    from .drafts import KIND
    from .recommendations import recommendations_run

    if Draft.objects.for_org(org).filter(kind=KIND).exists():
        return
    recommendations_run(org=org)
