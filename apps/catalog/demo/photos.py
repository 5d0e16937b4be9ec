"""Demo: a power bank with Pillow-made photos (its box with a printed label and an EAN-13, the
product on a textured table, a scene background), a pending fact sheet read off them by the
offline generator, and two listings for AI-search readiness: one with poor copy, one complete.

Runs once: when the demo product exists, nothing is added."""

from __future__ import annotations

import io
from decimal import Decimal

from apps.catalog.models import Listing, Product, Store

SKU = "VOL-PB20K-BOX"
POOR_COPY = {
    "title": "Voltora power bank",
    "bullets": ["Good quality", "Nice design"],
    "description": "A power bank.",
}
GOOD_COPY = {
    "title": "Voltora Power Bank 20000 mAh, 22.5 W PD, 2× USB-C + USB-A",
    "bullets": [
        "20000 mAh: about four charges of a phone",
        "22.5 W fast charging through USB-C",
        "Ports: 2× USB-C, 1× USB-A",
        "350 g, 150 × 70 × 27 mm, fits a jacket pocket",
        "Ideal for travel and camping; compatible with iPhone 15 and Galaxy S24",
    ],
    "description": "Battery capacity 20000 mAh with 22.5 W output for phones and tablets.",
}


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def seed_photo_demo(ctx) -> None:
    from apps.ai.backends.offline import OfflineBackend
    from apps.ai.services import JOB_KIND, generation_batch_run
    from apps.catalog.photos import synthetic
    from apps.catalog.photos.services import photo_upload
    from apps.core import services as jobs

    org = ctx.orgs.get("demo")
    if org is None or Product.objects.for_org(org).filter(sku=SKU).exists():
        return
    product = Product.objects.create(
        organization=org,
        sku=SKU,
        name="移动电源 20000mAh（包装照片）",
        category="Power banks",
        attributes={"compatibility": ["iPhone 15", "Galaxy S24"]},
        unit_cost=Decimal("38.00"),
        cost_currency="CNY",
        weight_g=Decimal("350"),
    )
    photo_upload(
        org=org,
        actor=None,
        product=product,
        role="packaging",
        data=_png(synthetic.box_photo(side=1600)),
    )
    shot, _mask = synthetic.object_on_texture(1600, seed=7)
    photo_upload(org=org, actor=None, product=product, role="product", data=_png(shot))
    photo_upload(
        org=org,
        actor=None,
        product=product,
        role="background",
        data=_png(synthetic.texture(1600, seed=11)),
    )
    stores = list(
        Store.objects.for_org(org).filter(marketplace__code__in=["amazon_us", "amazon_de"])
    )
    for n, (store, copy) in enumerate(zip(stores, (POOR_COPY, GOOD_COPY), strict=False)):
        Listing.objects.create(
            organization=org,
            product=product,
            store=store,
            external_id=f"B0PHOTO{n:03d}",  # an ASIN-shaped id, unique per store
            language=store.marketplace.language,
            currency=store.marketplace.currency,
            price=Decimal("39.99"),
            stock=50,
            **copy,
        )
    job = jobs.job_create(org=org, kind=JOB_KIND, label="Demo: facts from photos", total=1)
    job.result = {"kind": "photo_facts", "provider": "offline", "refused_ids": []}
    job.save(update_fields=["result"])
    generation_batch_run(
        org=org,
        job_id=job.pk,
        kind="photo_facts",
        target_ids=[product.pk],
        backend=OfflineBackend(),
    )
