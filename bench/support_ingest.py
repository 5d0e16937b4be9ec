"""Benchmark: 10,000 inbound relay mails ingested, language-detected, translated (offline gist),
classified and drafted with the offline generator, end to end. Target: under 120 s.

Phases: build N Amazon relay mails (en/de/fr/ja/es, some injections) for N orders of two stores
(not timed); ingest them set-based (`mails_ingest_many`: parse, quoted-history cut, dedupe,
order link, lingua detection, intent/sentiment lexicons, gist translation, SLA clock); then one
offline generation job over every conversation, set-based (`reply_drafts_offline_many`:
context assembly with knowledge-base full-text search, templates, lint + grounding checks,
Chinese back-translation, the drafts written by review's `drafts_create_many`). Creates its
own organization and removes it.

    .venv/bin/python bench/support_ingest.py [--mails 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from _setup import django_setup


def build(org, n: int):
    from apps.catalog.models import Marketplace, Store
    from apps.orders.models import Order
    from apps.support.sample_mail import LANGUAGES, NAMES, alias, buyer_message, relay_mail
    from apps.support.services.kb import kb_article_save

    stores = {
        code: Store.objects.create(organization=org, name=f"Bench {code}",
                                   marketplace=Marketplace.objects.get(code=code))
        for code in ("amazon_us", "amazon_de")
    }  # fmt: skip
    rng = random.Random(7)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    orders, mails = [], {code: [] for code in stores}
    for i in range(n):
        code = "amazon_us" if i % 2 else "amazon_de"
        order_id = f"{'113' if code == 'amazon_us' else '028'}-{i:07d}-{rng.randrange(10**7):07d}"
        ordered = start + timedelta(minutes=7 * i)
        orders.append(Order(
            organization=org, store=stores[code], marketplace_order_id=order_id,
            buyer_country="US" if code == "amazon_us" else "DE", status="shipped",
            ordered_at=ordered, shipped_at=ordered + timedelta(days=1),
            currency="USD" if code == "amazon_us" else "EUR",
            items_total=Decimal("29.99"), order_total=Decimal("29.99"),
        ))  # fmt: skip
        lang = LANGUAGES[i % len(LANGUAGES)]
        text, html = buyer_message(rng, lang, injection=i % 50 == 0)
        mails[code].append(relay_mail(
            text=text, order_id=order_id, buyer=rng.choice(NAMES[lang]), alias_=alias(rng),
            marketplace=code, when=ordered + timedelta(days=3), asin=f"B0BENCH{i % 97:03d}",
            message_id=f"<bench-{i}@email.amazonses.com>", html=html,
        ))  # fmt: skip
    Order.objects.bulk_create(orders, batch_size=2000)
    for lang, title, body in [
        ("en", "Charging problems", "If the power bank stops charging, reset it by holding "
                                    "the button for 10 seconds."),
        ("de", "Ladeprobleme", "Wenn die Powerbank nicht lädt, halten Sie die Taste 10 Sekunden."),
    ]:  # fmt: skip
        kb_article_save(org=org, title=title, body=body, language=lang)
    return stores, mails


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=10_000)
    args = parser.parse_args()
    django_setup()

    from django.conf import settings
    from django.db.models import Count

    from apps.accounts.models import Organization
    from apps.core.tenancy import unscoped
    from apps.review.models import Draft
    from apps.support.models import Conversation
    from apps.support.services.bulk import mails_ingest_many
    from apps.support.services.bulk_drafts import reply_drafts_offline_many

    settings.OPENAI_BASE_URL = ""  # the offline generator
    with unscoped():
        Organization.objects.filter(slug="bench-support-ingest").delete()
    org = Organization.objects.create(name="Bench support ingest", slug="bench-support-ingest")
    try:
        stores, mails = build(org, args.mails)
        t0 = time.perf_counter()
        created = duplicates = failed = 0
        for code, raws in mails.items():
            for i in range(0, len(raws), 2000):
                res = mails_ingest_many(org=org, store=stores[code], raws=raws[i : i + 2000])
                created, duplicates = created + res.created, duplicates + res.duplicates
                failed += len(res.failed)
        ingest_s = time.perf_counter() - t0
        ids = list(Conversation.objects.for_org(org).values_list("pk", flat=True))
        t1 = time.perf_counter()
        job = reply_drafts_offline_many(org=org, actor=None, conversation_ids=ids)
        draft_s = time.perf_counter() - t1
        seconds = time.perf_counter() - t0
        drafts = Draft.objects.for_org(org).filter(kind="cs_reply")
        pending = drafts.filter(status="pending").count()
        with_errors = sum(
            any(c["severity"] == "error" for c in checks)
            for checks in drafts.values_list("checks", flat=True)
        )
        languages = dict(
            Conversation.objects.for_org(org).values("language").order_by()
            .annotate(n=Count("id")).values_list("language", "n")
        )  # fmt: skip
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        with unscoped():
            org.delete()
    print(f"{created:,} mails ingested in {ingest_s:.1f}s, {pending:,} drafts in {draft_s:.1f}s "
          f"(job {job.status}, {job.failed} failed, {with_errors} with errors); total "
          f"{seconds:.1f}s, target under 120 s; peak RSS {peak_mib:.0f} MiB")  # fmt: skip
    print(json.dumps({
        "benchmark": "support_ingest", "mails": args.mails, "ingested": created,
        "duplicates": duplicates, "failed": failed, "languages": languages,
        "drafts": pending, "drafts_failed": job.failed, "drafts_with_errors": with_errors,
        "ingest_seconds": round(ingest_s, 2), "draft_seconds": round(draft_s, 2),
        "seconds": round(seconds, 2), "target_seconds": 120, "within_target": seconds < 120,
        "peak_rss_mib": round(peak_mib, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
