"""The `photo_facts` generation kind and the `product_facts` draft kind.

Generation: for each product, its product and packaging photos are read offline (OCR, barcodes,
dominant colour: apps/catalog/photos/extract.py). The offline generator proposes those facts as
they are; a configured model gets the same readings as untrusted data and answers the fact
sheet, each fact naming its photo and evidence (a fact naming no photo of the product is
refused by the kind's rules, and a GTIN with a wrong check digit too).

Review: the draft's payload is {"facts": [...], "accepted": [fact ids]}. The review screen shows
every fact with its photo and evidence and a tick box; approving writes only the ticked facts
into the product (`services.facts_apply`). Nothing enters the product without that approval.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.ai import conf
from apps.ai.backends.base import GenerationRequest
from apps.ai.registry import Batch, GenerationKind, Item, Proposal
from apps.ai.registry import register as register_generation
from apps.catalog.photos.extract import FACT_KEYS, gtin_valid, merge_facts, photo_facts
from apps.review import fields
from apps.review.fields import TargetDisplay
from apps.review.registry import Check, DraftKind
from apps.review.registry import register as register_draft

KIND = "photo_facts"
DRAFT_KIND = "product_facts"
PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
MAX_PHOTOS = 8  # per generation; the newest product and packaging photos


def _load(batch: Batch, ids: list[int]) -> list:
    from apps.catalog.models import Product

    return list(Product.objects.for_org(batch.org).filter(pk__in=ids).order_by("pk"))


def _photos(batch: Batch, product) -> list:
    from apps.catalog.photos.models import ProductPhoto

    rows = ProductPhoto.objects.for_org(batch.org).filter(
        product=product, role__in=[ProductPhoto.Role.PRODUCT, ProductPhoto.Role.PACKAGING]
    )
    wanted = batch.options.get("photo_ids")
    if wanted:
        rows = rows.filter(pk__in=[int(i) for i in wanted][:MAX_PHOTOS])
    return list(rows.order_by("-pk")[:MAX_PHOTOS])


def read_photos(photos: list) -> dict[str, Any]:
    """The offline readings of the photos: merged facts, refused codes, text per photo."""
    from apps.catalog.photos.services import photo_open

    results, readings = [], []
    for photo in photos:
        result = photo_facts(
            photo_open(photo), photo=photo.path, with_colour=photo.role == "product"
        )
        results.append(result)
        readings.append(
            {
                "photo": photo.path,
                "role": photo.role,
                "text": result["text"][:60],
                "barcodes": [b["text"] for b in result["barcodes"]],
            }
        )
    facts, refused = merge_facts(results)
    return {"facts": facts, "refused": refused, "readings": readings}


def _item(batch: Batch, product) -> Item:
    photos = _photos(batch, product)
    if not photos:
        raise ValueError("the product has no product or packaging photo")
    read = read_photos(photos)
    listed = "\n".join(f"- {p.path} ({p.role})" for p in photos)
    untrusted = {
        f"photo {r['photo']}": [*r["text"], *(f"barcode: {b}" for b in r["barcodes"])]
        for r in read["readings"]
    }
    context = {
        "facts": read["facts"],
        "refused": read["refused"],
        "photos": [p.path for p in photos],
        "language": "en",
    }
    images = [data_url(p) for p in photos] if conf.get("CROSSBORDER_LLM_VISION") else []
    return Item(
        target=product,
        variables={"photos": listed},
        untrusted=untrusted,
        context=context,
        images=images,
    )


VISION_SIDE = 1024


def data_url(photo) -> str:
    """The photo as a JPEG data: URL of at most VISION_SIDE px (what vision models read)."""
    import base64
    import io

    from PIL import ImageOps

    from apps.catalog.photos.services import photo_open

    image = ImageOps.contain(photo_open(photo).convert("RGB"), (VISION_SIDE, VISION_SIDE))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _schema(item: Item) -> dict[str, Any]:
    fact = {
        "type": "object",
        "properties": {
            "key": {"type": "string", "enum": list(FACT_KEYS)},
            "value": {
                "anyOf": [
                    {"type": "string", "maxLength": 200},
                    {"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 20},
                ]
            },
            "unit": {"type": "string", "maxLength": 10},
            "photo": {"type": "string", "maxLength": 300},
            "evidence": {"type": "string", "maxLength": 300},
            "source": {"type": "string", "maxLength": 20},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["key", "value", "photo", "evidence"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"facts": {"type": "array", "items": fact, "maxItems": 40}},
        "required": ["facts"],
        "additionalProperties": False,
    }


def _rules(item: Item, data: dict) -> list[str]:
    photos = set(item.context.get("photos") or [])
    errors = []
    for i, fact in enumerate(data.get("facts") or []):
        if fact.get("photo") not in photos:
            errors.append(f"facts/{i}: photo must be one of the listed photo paths.")
        if not str(fact.get("evidence") or "").strip():
            errors.append(f"facts/{i}: give the evidence the fact was read from.")
        if fact.get("key") == "gtin" and not gtin_valid(str(fact.get("value"))):
            errors.append(f"facts/{i}: {fact.get('value')} is not a GTIN (wrong check digit).")
    return errors


def _offline(request: GenerationRequest) -> dict[str, Any]:
    return {
        "facts": [
            {k: v for k, v in f.items() if k != "id"} for f in request.context.get("facts") or []
        ]
    }


def _propose(item: Item, data: dict, provider: str) -> Proposal:
    facts = []
    for fact in data.get("facts") or []:
        fact = {"unit": "", "source": "vision" if provider != "offline" else "ocr", **fact}
        fact.setdefault("confidence", 0.7)
        fact["id"] = (
            fact["key"]
            if not any(f["id"] == fact["key"] for f in facts)
            else (f"{fact['key']}_{len(facts)}")
        )
        facts.append(fact)
    refused = item.context.get("refused") or []
    evidence = [
        {"source": "photo", "field": "photo", "value": p} for p in item.context.get("photos") or []
    ]
    evidence += [
        {"source": "barcode", "field": "refused", "value": f"{r['code']}: {r['reason']}"}
        for r in refused
    ]
    rationale = (
        f"{len(facts)} facts read from {len(item.context.get('photos') or [])} photos "
        f"({'OCR, barcodes and colour' if provider == 'offline' else provider}); "
        f"{len(refused)} codes refused. Tick the facts that are true: only those enter "
        "the product."
    )
    summary = [f"{f['key']}: {_value_text(f)}" for f in facts]
    return Proposal(
        proposed={"summary": summary, "facts": facts, "accepted": [], "refused": refused},
        rationale=rationale,
        evidence=evidence,
    )


def _value_text(fact: dict) -> str:
    value = fact.get("value")
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"{text} {fact.get('unit') or ''}".strip()


PHOTO_FACTS = register_generation(
    GenerationKind(
        name=KIND,
        label=_("Facts from photos"),
        prompt=KIND,
        prompts_dir=PROMPTS_DIR,
        load=_load,
        item=_item,
        schema=_schema,
        rules=_rules,
        propose=_propose,
        offline=_offline,
        draft_kind=DRAFT_KIND,
        target_noun="products",
        temperature=0.0,
    )
)


# --- the draft kind ----------------------------------------------------------------------------


def _display(product) -> TargetDisplay:
    return TargetDisplay(
        label=f"{product.sku} · {product.name}"[:300],
        url=reverse("catalog:photos", args=[product.pk]),
        url_label=str(_("Open the product's photos")),
    )


def _snapshot(product) -> dict:
    attrs = product.attributes or {}
    dims = [product.length_mm, product.width_mm, product.height_mm]
    current = {
        "brand": product.brand,
        "category": product.category,
        "dimensions": " × ".join(f"{d:f}" for d in dims) if all(dims) else "",
    }
    for key in (
        "model",
        "ports",
        "colour",
        "material",
        "gtin",
        "certifications",
        "power_w",
        "capacity_mah",
        "capacity_ml",
    ):
        if key in attrs:
            current[key] = attrs[key]
    summary = [
        f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
        for k, v in current.items()
        if v not in ("", None, [])
    ]
    return {"summary": summary, "accepted": []}


def _validate(product, payload: dict) -> list[Check]:
    ids = {f.get("id") for f in payload.get("facts") or []}
    accepted = set(payload.get("accepted") or [])
    checks = []
    unknown = accepted - ids
    if unknown:
        checks.append(
            Check(
                "facts.unknown",
                "error",
                _("Ticked facts that are not in the draft: %(k)s")
                % {"k": ", ".join(sorted(map(str, unknown)))},
                "accepted",
            )
        )
    for fact in payload.get("facts") or []:
        if (
            fact.get("key") == "gtin"
            and fact.get("id") in accepted
            and not gtin_valid(str(fact.get("value")))
        ):
            checks.append(
                Check(
                    "facts.gtin",
                    "error",
                    _("%(v)s is not a valid GTIN (wrong check digit).") % {"v": fact.get("value")},
                    "accepted",
                )
            )
    if not accepted:
        checks.append(
            Check(
                "facts.none_ticked",
                "warning",
                _("No fact is ticked yet: approving now would add nothing."),
                "accepted",
            )
        )
    return checks


def _apply(product, payload: dict) -> None:
    from apps.catalog.photos.services import facts_apply

    facts_apply(product, payload)


PRODUCT_FACTS = register_draft(
    DraftKind(
        kind=DRAFT_KIND,
        label=_("Facts from photos"),
        target_model="catalog.Product",
        snapshot=_snapshot,
        apply=_apply,
        display=_display,
        facets=lambda product: {"category": product.category},
        fields=(
            # The product's facts now vs the facts read (what the diff shows).
            fields.text_list("summary", _("Facts"), max_items=60, max_length=400, editable=False),
            fields.text_list(
                "accepted",
                _("Accepted facts"),
                max_items=60,
                max_length=40,
                diffed=False,
                form=False,
            ),
            # Shown fact by fact (with photo and evidence) by the head panel, never edited.
            fields.text_list(
                "facts",
                _("Facts read from the photos"),
                max_items=60,
                max_length=400,
                editable=False,
                diffed=False,
                form=False,
            ),
            fields.text_list(
                "refused",
                _("Codes refused:"),
                max_items=60,
                max_length=400,
                editable=False,
                diffed=False,
                form=False,
            ),
        ),
        head_panels=("catalog/_photo_facts_panel.html",),
        claims_field="accepted",
        validate=_validate,
    )
)


def facts_json(payload: dict) -> str:
    return json.dumps(payload.get("facts") or [], ensure_ascii=False)
