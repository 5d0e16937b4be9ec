"""Review-queue handlers for the catalog's draft kinds: listing content and translations, price
changes and listing images.

Registered in CatalogConfig.ready(). Each kind declares what the queue shows of a listing
(`display`), its filter facets, which fields a reviewer may edit within which limits and how
their diffs render (`fields`), and its panels (the back-translation). Apply functions run
inside the review transaction with the listing row locked; they write through a single UPDATE,
and the version trigger bumps `version`.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.catalog.content.facts import fact_sheet
from apps.catalog.content.quality.listing import quality_checks
from apps.catalog.events import listings_changed_announce
from apps.catalog.models import Listing
from apps.catalog.rules.checks import client_rules, live_messages, validate_listing
from apps.core.errors import ValidationFailed
from apps.core.money import MAX_AMOUNT, quantize
from apps.review import fields
from apps.review.fields import TargetDisplay
from apps.review.policies import change_within_limit
from apps.review.registry import Check, DraftKind, register

CONTENT_FIELDS = ("title", "bullets", "description", "search_terms")


def _display(listing: Listing) -> TargetDisplay:
    """What the review queue shows of a listing: SKU and store, the store, the listing page."""
    return TargetDisplay(
        label=f"{listing.product.sku} · {listing.store.name}",
        store_id=listing.store_id,
        store_label=str(listing.store),
        url=reverse("catalog:listing_detail", args=[listing.pk]),
        url_label=str(_("Open the listing")),
    )


def _facets(listing: Listing) -> dict:
    return {
        "marketplace": listing.store.marketplace.code,
        "language": listing.language,
        "category": listing.product.category,
    }


def _image_url(path: str) -> str:
    return reverse("catalog:image", args=[path])


# What a reviewer may edit, and the hard limits any edit must respect whatever the marketplace
# (the marketplace's own, tighter limits are rules checked by `validate`; `limit_key` names
# them for the browser's live count). The caps match the validate API's input limits.
CONTENT_FIELD_SPECS = (
    fields.text("title", _("Title"), max_length=2000, single_line=True, limit_key="title_max"),
    fields.text_list("bullets", _("Bullet points"), max_items=20, max_length=5000,
                     limit_key="bullet_max", item_label=_("Bullet %(n)s")),
    fields.text("description", _("Description"), max_length=50000, rows=6,
                limit_key="description_max"),
    fields.text("search_terms", _("Search terms"), max_length=5000,
                limit_key="search_terms_max_bytes", count_bytes=True),
    # The reviewer's confirmations of flagged claims (grounding), ticked in the claims form.
    fields.text_list("confirmed_claims", _("Confirmed claims"), max_items=200, max_length=200,
                     diffed=False, form=False),
)  # fmt: skip
PRICE_FIELD_SPECS = (
    fields.money("price", _("Price"), currency_field="currency"),
    # Shown with the amount; a reviewer edits the amount, never the currency.
    fields.text("currency", _("Currency"), max_length=3, editable=False, diffed=False),
    # The repricer's guardrails for this listing when it proposed the price: an edited price
    # outside them is refused unless a manager overrides with a reason.
    fields.money("floor", _("Floor"), editable=False, diffed=False, form=False),
    fields.money("ceiling", _("Ceiling"), editable=False, diffed=False, form=False),
)
PRICE_BOUNDS = ("price.below_floor", "price.above_ceiling")
IMAGE_FIELD_SPECS = (
    fields.images("images", _("Images"), image_url=_image_url),
    fields.choice("role", _("Role"), choices=("", "main", "selling_points", "scene"),
                  editable=False,
                  diffed=False),
)  # fmt: skip


def _content_snapshot(listing: Listing) -> dict:
    return {name: getattr(listing, name) for name in CONTENT_FIELDS}


def _content_validate(listing: Listing, payload: dict) -> list[Check]:
    """The marketplace's rules, the organization's protected names and, for generated copy,
    claim grounding against the product's fact sheet.

    Generated drafts propose `confirmed_claims` (the reviewer's confirmations); a payload
    without it is a person's own text (a direct edit, an export of approved copy), which
    grounding does not block.
    """
    grounded = "confirmed_claims" in payload
    checks: list[Check] = list(
        validate_listing(
            marketplace=listing.store.marketplace,
            payload=payload,
            org=listing.organization_id,
            facts=fact_sheet(listing.product) if grounded else None,
            language=listing.language,
        )
    )
    # A proposal scoring lower than the copy it replaces is flagged (never auto-applied).
    return checks + quality_checks(listing, payload)


def _content_client_rules(listing: Listing) -> dict:
    """The same numbers `validate_listing` uses, for the reviewer's live checks."""
    return client_rules(listing.store.marketplace, listing.language)


def _content_apply(listing: Listing, payload: dict) -> None:
    from apps.catalog.listings.revisions import revision_context
    from apps.catalog.rules.gate import listing_copy_check

    changes = {name: payload[name] for name in CONTENT_FIELDS if name in payload}
    # Review validated the draft already; the gate every write of copy goes through holds here
    # too, so no apply path (bulk approval, a policy, a future caller) can skip the rules.
    listing_copy_check(listing=listing, content=changes, changed=changes)
    revision_context(source="draft")  # the history shows it came from an approved draft
    Listing.objects.for_org(listing.organization_id).filter(pk=listing.pk).update(**changes)
    listings_changed_announce(
        org_id=listing.organization_id,
        listing_ids=[listing.pk],
        aspects=["content"],
        source="draft",
    )


def _price_snapshot(listing: Listing) -> dict:
    price = None if listing.price is None else f"{listing.price:f}"
    return {"price": price, "currency": listing.currency}


def _parse_price(payload: dict, name: str = "price") -> Decimal | None:
    try:
        price = Decimal(str(payload.get(name)))
    except (InvalidOperation, TypeError):
        return None
    return price if price.is_finite() and abs(price) < MAX_AMOUNT else None


def _price_validate(listing: Listing, payload: dict) -> list[Check]:
    """Rounded to the currency first, then checked: above zero, the listing's currency, and
    within the floor and ceiling the repricer proposed it under (overridable by a manager)."""
    price = _parse_price(payload)
    if price is not None:
        price = quantize(price, listing.currency)
    if price is None or price <= 0:
        return [
            Check("price.positive", "error", _("The price must be a positive amount."), "price")
        ]
    floor, ceiling = _parse_price(payload, "floor"), _parse_price(payload, "ceiling")
    if floor is not None and price < floor:
        msg = _("The price is below its floor (%(floor)s); a manager can override with a reason.")
        return [Check("price.below_floor", "error", msg % {"floor": floor}, "price")]
    if ceiling is not None and ceiling > 0 and price > ceiling:
        msg = _("The price is above its ceiling (%(c)s); a manager can override with a reason.")
        return [Check("price.above_ceiling", "error", msg % {"c": ceiling}, "price")]
    if payload.get("currency") != listing.currency:
        return [
            Check(
                "price.currency",
                "error",
                _("The currency must be the listing's (%(c)s).") % {"c": listing.currency},
                "currency",
            )
        ]
    return []


def _price_client_rules(listing: Listing) -> dict:
    return {
        "limits": {},
        "banned_terms": [],
        "title_forbidden_chars": "",
        "currency": listing.currency,
        "messages": live_messages(),
    }


def _price_apply(listing: Listing, payload: dict) -> None:
    price = quantize(_parse_price(payload), listing.currency)
    Listing.objects.for_org(listing.organization_id).filter(pk=listing.pk).update(price=price)
    listings_changed_announce(
        org_id=listing.organization_id, listing_ids=[listing.pk], aspects=["price"], source="draft"
    )


def _price_apply_many(pairs: list[tuple[Listing, dict]]) -> None:
    """One UPDATE ... FROM (VALUES ...) for a whole chunk of price drafts."""
    from django.db import connection
    from psycopg2.extras import execute_values

    rows = [
        (listing.pk, listing.organization_id, quantize(_parse_price(p), listing.currency))
        for listing, p in pairs
    ]
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            "UPDATE catalog_listing AS l SET price = v.price, updated_at = now() "
            "FROM (VALUES %s) AS v(id, org_id, price) "
            "WHERE l.id = v.id AND l.organization_id = v.org_id "
            "AND l.price IS DISTINCT FROM v.price",
            rows,
            template="(%s::bigint, %s::bigint, %s::numeric)",
            page_size=1000,
        )
    by_org: dict[int, list[int]] = {}
    for listing, _payload in pairs:
        by_org.setdefault(listing.organization_id, []).append(listing.pk)
    for org_id, listing_ids in by_org.items():
        listings_changed_announce(
            org_id=org_id, listing_ids=listing_ids, aspects=["price"], source="draft"
        )


def _price_auto_approve(policy, listing: Listing, payload: dict) -> tuple[bool, str]:
    """Review's one auto-approve rule (apps.review.policies), on this listing's prices."""
    return change_within_limit(
        max_change_pct=policy.max_change_pct, old=listing.price, new=_parse_price(payload)
    )


def _content_regenerate(org, listing: Listing):
    """A fresh generation job for this one listing, from its current facts and copy."""
    from apps.ai.services import generation_start

    return generation_start(org=org, actor=None, kind="listing_content", target_ids=[listing.pk])


LISTING_CONTENT = register(
    DraftKind(
        kind="listing_content",
        label=_("Listing content"),
        target_model="catalog.Listing",
        snapshot=_content_snapshot,
        apply=_content_apply,
        display=_display,
        aspect="content",
        facets=_facets,
        fields=CONTENT_FIELD_SPECS,
        claims_field="confirmed_claims",
        panels=("catalog/_back_translation.html",),
        head_panels=("catalog/_quality.html",),
        validate=_content_validate,
        client_rules=_content_client_rules,
        regenerate=_content_regenerate,
    )
)
PRICE_CHANGE = register(
    DraftKind(
        kind="price_change",
        label=_("Price change"),
        target_model="catalog.Listing",
        snapshot=_price_snapshot,
        apply=_price_apply,
        display=_display,
        aspect="price",
        facets=_facets,
        fields=PRICE_FIELD_SPECS,
        validate=_price_validate,
        overridable=PRICE_BOUNDS,
        auto_approve=_price_auto_approve,
        apply_many=_price_apply_many,
        client_rules=_price_client_rules,
    )
)


# --- listing_image: an auto-fixed main image or a selling-point image
# (apps/catalog/images/services.py)


def _image_snapshot(listing: Listing) -> dict:
    return {"images": list(listing.images or listing.product.images or []), "role": ""}


def _image_validate(listing: Listing, payload: dict) -> list[Check]:
    from apps.catalog.images.services import (
        SELLING_SIDE,
        image_open,
        main_image_check,
        main_image_rules,
    )
    from apps.core.errors import NotFound

    images = payload.get("images") or []
    role = payload.get("role", "main")
    index = 1 if role in ("selling_points", "scene") else 0
    if len(images) <= index:
        return [Check("image.missing", "error", _("The draft has no image."))]
    try:
        image = image_open(org=listing.organization, path=images[index])
    except NotFound:
        return [Check("image.missing", "error", _("The draft's image file is missing."))]
    if role in ("selling_points", "scene"):
        if min(image.size) < SELLING_SIDE:
            msg = _("Selling-point images need at least %(n)d px on each side.")
            return [Check("image.min_side", "error", msg % {"n": SELLING_SIDE})]
        return []
    return main_image_check(image, main_image_rules(listing.store.marketplace)).checks


def _image_apply(listing: Listing, payload: dict) -> None:
    from apps.catalog.listings.revisions import revision_context

    revision_context(source="draft")
    Listing.objects.for_org(listing.organization_id).filter(pk=listing.pk).update(
        images=list(payload.get("images") or [])
    )
    listings_changed_announce(
        org_id=listing.organization_id,
        listing_ids=[listing.pk],
        aspects=["images"],
        source="draft",
    )


LISTING_IMAGE = register(
    DraftKind(
        kind="listing_image",
        label=_("Listing image"),
        target_model="catalog.Listing",
        snapshot=_image_snapshot,
        apply=_image_apply,
        display=_display,
        aspect="images",
        facets=_facets,
        fields=IMAGE_FIELD_SPECS,
        head_panels=("catalog/_image_before_after.html",),
        validate=_image_validate,
    )
)


def _translation_regenerate(org, listing: Listing):
    """Translate again into this listing, from the product's listing in its first other store."""
    from apps.catalog.content.studio import listing_translate

    source = (
        Listing.objects.for_org(org)
        .filter(product_id=listing.product_id)
        .exclude(pk=listing.pk)
        .exclude(title="")
        .order_by("pk")
        .first()
    )
    if source is None:
        raise ValidationFailed("The product has no other listing with copy to translate from.")
    return listing_translate(org=org, actor=None, listing=source, store_ids=[listing.store_id])


# A translation targets the listing in the target store (created as a draft when missing); it
# is checked against that store's marketplace and applied like listing content.
LISTING_TRANSLATION = register(
    dataclasses.replace(
        LISTING_CONTENT,
        kind="listing_translation",
        label=_("Listing translation"),
        regenerate=_translation_regenerate,
    )
)
