"""The facts a reply may state, assembled from the shared model: the order (items, dates,
amounts), its shipments and tracking events with delay risk (logistics contract, or a plain
"not available"), the product's facts and listing, knowledge-base articles found with
PostgreSQL full-text search in the buyer's language, and the store's policies (knowledge-base
articles tagged "policy"). JSON-safe: it is stored on the draft as evidence, and grounding
checks replies against exactly this."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, Q

from . import inputs
from .models import Conversation, KnowledgeArticle

FTS_CONFIG = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "pt": "portuguese",
}


def fts_config(language: str) -> str:
    return FTS_CONFIG.get((language or "en")[:2], "simple")


def kb_vector_update(*, org, article_ids: list[int] | None = None) -> None:
    """Recompute the search vector of the organization's articles (each in its own language)."""
    qs = KnowledgeArticle.objects.for_org(org)
    if article_ids is not None:
        qs = qs.filter(pk__in=article_ids)
    for language in set(qs.values_list("language", flat=True)):
        config = fts_config(language)
        qs.filter(language=language).update(
            search=SearchVector("title", weight="A", config=config)
            + SearchVector("body", weight="B", config=config)
        )


def kb_search(*, org, text: str, language: str, limit: int = 3) -> list[KnowledgeArticle]:
    """Active articles in `language` (then English) ranked by full-text match on any word."""
    words = [w for w in re.findall(r"[^\W\d_]{3,}", (text or "").lower())][:40]
    if not words:
        return []
    config = fts_config(language)
    query = SearchQuery(" | ".join(dict.fromkeys(words)), config=config, search_type="raw")
    langs = list(dict.fromkeys([(language or "en")[:2], "en"]))
    return list(
        KnowledgeArticle.objects.for_org(org)
        .filter(is_active=True, language__in=langs)
        .filter(search=query)
        .annotate(rank=SearchRank(F("search"), query))
        .order_by("-rank", "id")[:limit]
    )


def _order_facts(order) -> dict[str, Any]:
    items = [
        {
            "sku": i.sku,
            "quantity": i.quantity,
            "unit_price": str(i.unit_price),
            "line_total": str(i.line_total),
            "currency": i.currency,
        }
        for i in order.items.all()
    ]
    return {
        "marketplace_order_id": order.marketplace_order_id,
        "status": order.status,
        "ordered_at": order.ordered_at.date().isoformat(),
        "shipped_at": order.shipped_at.date().isoformat() if order.shipped_at else None,
        "delivered_at": order.delivered_at.date().isoformat() if order.delivered_at else None,
        "currency": order.currency,
        "order_total": str(order.order_total),
        "items": items,
    }


def _shipments(org, order) -> dict[str, Any]:
    found = inputs.shipments_for_order(org=org, order_id=order.pk)
    if found is None:
        return {"available": False, "note": "logistics data not available (logistics not set up)"}
    out = []
    for s in found:
        events = [
            {
                "at": e["at"].isoformat() if hasattr(e.get("at"), "isoformat") else e.get("at"),
                "status": e.get("status"),
                "location": e.get("location"),
                "description": e.get("description"),
            }
            for e in s.get("events") or []
        ][-5:]
        promised = s.get("promised_date")
        out.append(
            {
                "carrier": s.get("carrier"),
                "tracking_number": s.get("tracking_number"),
                "status": s.get("status"),
                "promised_date": promised.isoformat()
                if hasattr(promised, "isoformat")
                else promised,
                "at_risk": bool(s.get("at_risk")),
                "risk_reasons": list(s.get("risk_reasons") or []),
                "events": events,
            }
        )
    return {"available": True, "shipments": out}


def _product_facts(org, conversation: Conversation) -> dict[str, Any] | None:
    product = conversation.product
    if product is None:
        return None
    from apps.catalog.models import Listing

    listing = (
        Listing.objects.for_org(org)
        .filter(product=product, store_id=conversation.store_id)
        .only("title", "external_id")
        .first()
    )
    return {
        "sku": product.sku,
        "brand": product.brand,
        "category": product.category,
        "attributes": product.attributes or {},
        "listing_title": listing.title if listing else "",
        "asin": listing.external_id if listing else "",
    }


def conversation_context(conversation: Conversation, buyer_text: str = "") -> dict[str, Any]:
    org = conversation.organization
    order = conversation.order
    articles = kb_search(org=org, text=buyer_text, language=conversation.language)
    policies = list(
        KnowledgeArticle.objects.for_org(org)
        .filter(is_active=True)
        .filter(Q(tags__contains=["policy"]))
        .order_by("id")[:3]
    )
    return {
        "language": conversation.language or "en",
        "buyer_name": conversation.buyer_name,
        "channel": conversation.channel,
        "intent": conversation.intent,
        "store": conversation.store.name,
        "marketplace_order_id": conversation.marketplace_order_id,
        "order": _order_facts(order) if order is not None else None,
        "logistics": _shipments(org, order)
        if order is not None
        else {"available": False, "note": "no order linked"},
        "product": _product_facts(org, conversation),
        "knowledge": [{"id": a.pk, "title": a.title, "body": a.body[:1500]} for a in articles],
        "policies": [{"id": a.pk, "title": a.title, "body": a.body[:1500]} for a in policies],
    }
