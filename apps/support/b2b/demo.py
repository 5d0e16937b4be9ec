"""Demo data: the organization's B2B terms and margin breaks, and a German wholesale inquiry
mailed to the demo store's inbox (it goes through support's ingest hook, so the inquiry, its
quotation and the offline quotation draft in the review queue appear as in production)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime

INQUIRY_DE = (
    "Sehr geehrte Damen und Herren,\n\n"
    "wir sind ein Elektronik-Großhändler in Hamburg und bitten um ein Angebot für Ihr Produkt "
    "{sku}: 1.200 Stück, CIF Hamburg. Unser Zielpreis liegt bei 9,80 USD pro Stück. "
    "Lieferung bis 15.03.2027. Bitte mit unserem Logo auf der Verpackung.\n\n"
    "Mit freundlichen Grüßen\nJonas Weber\nWeber Elektrohandel GmbH"
)


def seed(ctx, org) -> None:
    from apps.catalog.models import Product, Store

    from ..services.ingest import mail_ingest
    from .models import B2BMarginRule, B2BTerms, Inquiry

    if Inquiry.objects.for_org(org).exists():
        return
    B2BTerms.objects.get_or_create(organization=org, defaults={"currency": "USD", "moq": 300})
    for qty, pct in ((300, "32"), (1000, "26"), (3000, "21"), (10000, "17")):
        B2BMarginRule.objects.get_or_create(
            organization=org, min_quantity=qty, defaults={"margin_pct": Decimal(pct)}
        )
    product = (
        Product.objects.for_org(org).exclude(unit_cost=None).exclude(weight_g=None).order_by("sku")
    ).first()
    store = Store.objects.for_org(org).order_by("id").first()
    if product is None or store is None:
        return
    mail = EmailMessage()
    mail["From"] = '"Jonas Weber" <einkauf@weber-elektrohandel.example>'
    mail["To"] = "sales@kovexa-store.example"
    mail["Subject"] = f"Anfrage Großhandel {product.sku}"
    mail["Date"] = format_datetime(ctx.now - timedelta(hours=3))
    mail["Message-ID"] = "<demo-b2b-1@weber-elektrohandel.example>"
    mail.set_content(INQUIRY_DE.format(sku=product.sku))
    mail_ingest(org=org, store=store, raw=mail.as_bytes())
