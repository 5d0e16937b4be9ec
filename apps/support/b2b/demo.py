"""Demo data: the organization's B2B terms and margin breaks, and a German wholesale inquiry
with its quotation and the offline quotation draft in the review queue. The inquiry is posted
as through the API (the e-mail path, support's ingest hook, is covered by
tests/support/test_b2b_flow.py; a demo mail would add a 201st conversation to support's demo)."""

from __future__ import annotations

from decimal import Decimal

INQUIRY_DE = (
    "Sehr geehrte Damen und Herren,\n\n"
    "wir sind ein Elektronik-Großhändler in Hamburg und bitten um ein Angebot für Ihr Produkt "
    "{sku}: 1.200 Stück, CIF Hamburg. Unser Zielpreis liegt bei 9,80 USD pro Stück. "
    "Lieferung bis 15.03.2027. Bitte mit unserem Logo auf der Verpackung.\n\n"
    "Mit freundlichen Grüßen\nJonas Weber\nWeber Elektrohandel GmbH"
)


def seed(ctx, org) -> None:
    from apps.catalog.models import Product

    from .models import B2BMarginRule, B2BTerms, Inquiry
    from .services import inquiry_create

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
    if product is None:
        return
    inquiry_create(
        org=org,
        text=INQUIRY_DE.format(sku=product.sku),
        buyer_name="Jonas Weber",
        buyer_email="einkauf@weber-elektrohandel.example",
        company="Weber Elektrohandel GmbH",
        subject=f"Anfrage Großhandel {product.sku}",
    )
