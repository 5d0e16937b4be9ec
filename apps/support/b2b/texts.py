"""Offline quotation text per language (en, de, es, fr) and its Chinese back-translation, and
the grounding of every number a quotation text states.

Templates only format figures of the computation (apps.support.b2b.quote): quantities, unit
prices, Incoterm totals, lead times, MOQ, validity. `ungrounded_numbers` is support's grounding
checker (dates and amounts with a currency, apps.support.grounding) plus a stricter rule for
quotations: every other number in the text must also be a number of the computation.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .. import grounding
from . import quote

LANGS = ("en", "de", "es", "fr", "zh")
MODE_NAMES = {
    "en": {"sea": "sea freight", "air": "air freight", "express": "express"},
    "de": {"sea": "Seefracht", "air": "Luftfracht", "express": "Express"},
    "es": {"sea": "flete marítimo", "air": "flete aéreo", "express": "exprés"},
    "fr": {"sea": "fret maritime", "air": "fret aérien", "express": "express"},
    "zh": {"sea": "海运", "air": "空运", "express": "快递"},
}
T = {
    "en": {
        "hello": "Dear {buyer},",
        "thanks": "Thank you for your inquiry about {product}. Our quotation:",
        "tier": "- {qty} pcs: {price} {cur} per unit (EXW)",
        "req": "For {qty} pcs to {dest}:",
        "inc": "- {mode}: {term} {total} {cur} in total, {unit} {cur} per unit, "
        "lead time {days} days",
        "moq": "Minimum order quantity: {moq} pcs. Production time: {prod} days.",
        "below": "Your quantity is below our MOQ, so we quote the MOQ.",
        "custom": "Customisation ({custom}) will be confirmed with samples.",
        "valid": "This quotation is valid for {valid} days. The PDF quotation is attached.",
        "bye": "Kind regards,\n{seller}",
    },
    "de": {
        "hello": "Sehr geehrte/r {buyer},",
        "thanks": "vielen Dank für Ihre Anfrage zu {product}. Unser Angebot:",
        "tier": "- {qty} Stück: {price} {cur} pro Stück (EXW)",
        "req": "Für {qty} Stück nach {dest}:",
        "inc": "- {mode}: {term} {total} {cur} gesamt, {unit} {cur} pro Stück, "
        "Lieferzeit {days} Tage",
        "moq": "Mindestbestellmenge: {moq} Stück. Produktionszeit: {prod} Tage.",
        "below": "Ihre Menge liegt unter unserer Mindestbestellmenge; wir bieten diese an.",
        "custom": "Individualisierung ({custom}) bestätigen wir mit Mustern.",
        "valid": "Dieses Angebot gilt {valid} Tage. Das Angebot als PDF liegt bei.",
        "bye": "Mit freundlichen Grüßen\n{seller}",
    },
    "es": {
        "hello": "Estimado/a {buyer}:",
        "thanks": "Gracias por su consulta sobre {product}. Nuestra cotización:",
        "tier": "- {qty} uds.: {price} {cur} por unidad (EXW)",
        "req": "Para {qty} uds. a {dest}:",
        "inc": "- {mode}: {term} {total} {cur} en total, {unit} {cur} por unidad, "
        "plazo de entrega {days} días",
        "moq": "Cantidad mínima de pedido: {moq} uds. Tiempo de producción: {prod} días.",
        "below": "Su cantidad es inferior a nuestro pedido mínimo; cotizamos el mínimo.",
        "custom": "La personalización ({custom}) se confirmará con muestras.",
        "valid": "Esta cotización es válida durante {valid} días. Adjuntamos la cotización en PDF.",
        "bye": "Atentamente,\n{seller}",
    },
    "fr": {
        "hello": "Bonjour {buyer},",
        "thanks": "Merci pour votre demande concernant {product}. Notre devis :",
        "tier": "- {qty} pièces : {price} {cur} par unité (EXW)",
        "req": "Pour {qty} pièces vers {dest} :",
        "inc": "- {mode} : {term} {total} {cur} au total, {unit} {cur} par unité, "
        "délai de livraison {days} jours",
        "moq": "Quantité minimale de commande : {moq} pièces. Délai de production : {prod} jours.",
        "below": "Votre quantité est inférieure à notre minimum ; nous chiffrons le minimum.",
        "custom": "La personnalisation ({custom}) sera confirmée sur échantillons.",
        "valid": "Ce devis est valable {valid} jours. Le devis PDF est joint.",
        "bye": "Cordialement,\n{seller}",
    },
    "zh": {
        "hello": "尊敬的{buyer}：",
        "thanks": "感谢您对{product}的询价。我们的报价如下：",
        "tier": "- {qty}件：每件{price} {cur}（EXW）",
        "req": "{qty}件运往{dest}：",
        "inc": "- {mode}：{term}总价{total} {cur}，每件{unit} {cur}，交货期{days}天",
        "moq": "最小起订量：{moq}件。生产周期：{prod}天。",
        "below": "您的数量低于我们的最小起订量，因此按最小起订量报价。",
        "custom": "定制要求（{custom}）将以样品确认。",
        "valid": "本报价有效期{valid}天。附PDF报价单。",
        "bye": "此致\n{seller}",
    },
}


def language_of(language: str) -> str:
    code = (language or "en")[:2].lower()
    return code if code in T else "en"


def money_text(value: str | Decimal, language: str) -> str:
    """Plain digits with the language's decimal mark (no thousands separator, unambiguous)."""
    s = f"{Decimal(value):.2f}"
    return s.replace(".", ",") if language in ("de", "es", "fr") else s


def compose(context: dict[str, Any], language: str) -> str:
    """The quotation text from the computation and the inquiry facts in `context`."""
    lang = language_of(language)
    t = T[lang]
    c = context["computation"]
    cur = c["currency"]
    customisation = "" if lang == "zh" else context.get("customisation", "")
    lines = [
        t["hello"].format(buyer=context.get("buyer") or "Sir or Madam"),
        "",
        t["thanks"].format(product=context.get("product") or "-"),
    ]
    for tier in c["tiers"]:
        lines.append(
            t["tier"].format(
                qty=tier["quantity"], price=money_text(tier["exw_unit"], lang), cur=cur
            )
        )
    tier = quote.requested_tier(c)
    if tier is not None:
        lines += ["", t["req"].format(qty=tier["quantity"], dest=context.get("destination") or "-")]
        term = c.get("incoterm") or "DDP"
        for mode in (m for m in ("sea", "air", "express") if m in tier["modes"]):
            m = tier["modes"][mode]
            lines.append(
                t["inc"].format(
                    mode=MODE_NAMES[lang][mode],
                    term=term,
                    total=money_text(m["totals"][term], lang),
                    unit=money_text(m["unit"][term], lang),
                    cur=cur,
                    days=m["lead_time_days"],
                )
            )
    lines += ["", t["moq"].format(moq=c["moq"], prod=c["production_days"])]
    if c.get("below_moq"):
        lines.append(t["below"])
    if customisation:
        lines.append(t["custom"].format(custom=re.sub(r"\d", "", customisation)[:120]))
    elif lang == "zh" and context.get("customisation"):
        lines.append(t["custom"].format(custom="见询价"))
    lines += [
        t["valid"].format(valid=c["validity_days"]),
        "",
        t["bye"].format(seller=context.get("seller") or ""),
    ]
    return "\n".join(lines).strip()


NUMBER = re.compile(r"(?<![A-Za-z0-9_.,-])\d+(?:[.,]\d+)*(?![A-Za-z0-9_-])")


def known_numbers(context: Any) -> set[Decimal]:
    found: set[Decimal] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)
        elif isinstance(value, bool) or value is None:
            return
        elif isinstance(value, int | Decimal):
            found.add(Decimal(value).normalize())
        elif isinstance(value, str):
            for m in NUMBER.finditer(value):
                n = grounding.number_value(m.group(0))
                if n is not None:
                    found.add(n)

    walk(context)
    return found


def ungrounded_numbers(text: str, context: dict) -> list[str]:
    """The numbers (as written) in `text` that the computation and inquiry facts don't hold."""
    missing = [c.text for c in grounding.ungrounded(text, context) if c.kind in ("date", "amount")]
    known = known_numbers(context)
    spans = [(c.start, c.end) for c in grounding.claims(text) if c.kind in ("date", "amount")]
    for m in NUMBER.finditer(text or ""):
        if any(a <= m.start() < b for a, b in spans):
            continue
        n = grounding.number_value(m.group(0))
        if n is not None and n not in known and m.group(0) not in missing:
            missing.append(m.group(0))
    return list(dict.fromkeys(missing))
