"""The offline generator's reply templates, per language and intent, with a Chinese rendering
of the same sentences (the back-translation the operator reads). They state only facts taken
from the assembled context (order id, dates, carrier, tracking number), so an offline draft is
grounded by construction; they promise no refund, cancellation or resend — a person decides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

LANGS = ("en", "de", "fr", "es", "it", "ja", "zh")
T: dict[str, dict[str, str]] = yaml.safe_load(
    (Path(__file__).with_name("data") / "reply_templates.yaml").read_text(encoding="utf-8")
)


def _t(key: str, lang: str, **values: Any) -> str:
    table = T[key]
    return table.get(lang, table["en"]).format(**values)


def compose(context: dict, lang: str) -> str:
    """The reply in `lang` from the context's facts only."""
    lang = lang if lang in LANGS else "en"
    name = context.get("buyer_name") or ""
    order = context.get("order") or {}
    order_id = order.get("marketplace_order_id") or context.get("marketplace_order_id") or ""
    logistics = context.get("logistics") or {}
    shipments = logistics.get("shipments") or []
    intent = context.get("intent") or "other"
    lines = [_t("greet", lang, name=name).replace(" ,", ",").strip()]
    lines.append(_t("thanks", lang, order=order_id) if order_id else _t("thanks_no_order", lang))
    body: list[str] = []
    if intent in ("where_is_my_order", "delivery_problem", "complaint"):
        if intent != "where_is_my_order":
            body.append(_t("sorry", lang))
        if order.get("shipped_at"):
            body.append(_t("shipped", lang, date=order["shipped_at"]))
        for s in shipments[:2]:
            if s.get("tracking_number"):
                body.append(
                    _t(
                        "tracking",
                        lang,
                        carrier=s.get("carrier") or "-",
                        tracking=s["tracking_number"],
                        status=s.get("status") or "-",
                    )
                )
            if s.get("promised_date") and s.get("status") not in ("Delivered", "delivered"):
                body.append(_t("promised", lang, date=str(s["promised_date"])[:10]))
        if order.get("delivered_at"):
            body.append(_t("delivered", lang, date=order["delivered_at"]))
        if not logistics.get("available") and not order.get("shipped_at"):
            body.append(_t("no_logistics", lang))
        body.append(_t("check", lang))
    elif intent == "return_refund":
        body += [_t("sorry", lang), _t("return", lang)]
    elif intent == "cancellation":
        body.append(_t("cancel", lang))
    elif intent == "address_change":
        body.append(_t("address", lang))
    elif intent == "product_question" and context.get("knowledge"):
        product = (context.get("product") or {}).get("listing_title") or ""
        body.append(_t("product", lang, product=product[:80] or "-"))
        body.append(context["knowledge"][0]["body"][:600])
        body.append(_t("check", lang))
    else:
        body.append(_t("check", lang))
    return "\n\n".join(
        [
            *lines[:1],
            " ".join([lines[1], *body]),
            _t("close", lang, store=context.get("store") or ""),
        ]
    )
