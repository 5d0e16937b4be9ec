"""B2B inquiries end to end: the support ingest hook (a wholesale mail becomes an inquiry, a
marketplace relay mail does not), the quotation draft in the review queue (grounded, blocked
when a number is invented), approval queues the reply with the PDF through support's SMTP
path, the API (create, correct, PDF) and cross-tenant 404s."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from apps.core.errors import ValidationFailed
from apps.review.models import Draft
from apps.review.services import draft_approve
from apps.support.b2b.models import B2BMarginRule, B2BTerms, Inquiry, Quotation
from apps.support.b2b.services import inquiry_create
from apps.support.models import Attachment, Message
from apps.support.services.ingest import mail_ingest
from tests.factories import ProductFactory

from .conftest import relay_mail

pytestmark = pytest.mark.django_db
BASE = "/api/v1/support/b2b"
TEXT_DE = (
    "Guten Tag, wir sind Großhändler und bitten um ein Angebot für KX-200: 1.200 Stück, "
    "CIF Hamburg. Zielpreis 9,80 USD pro Stück. Lieferung bis 15.03.2027. Mit Logo."
)


@pytest.fixture
def product(org):
    return ProductFactory(
        organization=org, sku="KX-200", unit_cost=Decimal("6.00"), cost_currency="USD",
        weight_g=Decimal("200"),
    )  # fmt: skip


@pytest.fixture
def terms(org):
    B2BTerms.objects.create(organization=org, currency="USD", moq=300)
    for qty, pct in ((300, "32"), (1000, "26"), (3000, "21")):
        B2BMarginRule.objects.create(organization=org, min_quantity=qty, margin_pct=Decimal(pct))


def b2b_mail(text: str, *, sender="einkauf@weber.example", subject="Anfrage Großhandel") -> bytes:
    mail = EmailMessage()
    mail["From"] = f'"Jonas Weber" <{sender}>'
    mail["To"] = "sales@kovexa-store.example"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(datetime(2026, 11, 30, 9, tzinfo=UTC))
    mail["Message-ID"] = "<b2b-1@weber.example>"
    mail.set_content(text)
    return mail.as_bytes()


def _draft(quotation) -> Draft:
    return Draft.objects.for_org(quotation.organization).get(
        kind="b2b_quotation", target_id=quotation.pk
    )


def test_a_wholesale_mail_becomes_an_inquiry_with_a_grounded_quotation_draft(
    org, store, product, terms
):
    message = mail_ingest(org=org, store=store, raw=b2b_mail(TEXT_DE)).message
    inquiry = Inquiry.objects.for_org(org).get()
    assert inquiry.source == "email" and inquiry.message == message
    assert inquiry.conversation == message.conversation
    assert (inquiry.product, inquiry.product_match) == (product, "sku")
    assert inquiry.quantity == 1200 and inquiry.destination_country == "DE"
    assert inquiry.incoterm == "CIF" and inquiry.target_price == Decimal("9.8")
    assert inquiry.language == "de" and inquiry.parse_method == "offline_rules"
    quotation = Quotation.objects.for_org(org).get(inquiry=inquiry)
    sea = next(t for t in quotation.computation["tiers"] if t["quantity"] == 1200)["modes"]["sea"]
    assert sea["totals"]["CIF"] == "10227.64"  # as hand-computed in test_b2b_quote
    assert sea["totals"]["DDP"] == "12559.51"  # DE import VAT 19 % from apps.pricing
    draft = _draft(quotation)
    assert draft.status == "pending" and draft.provider == "offline", draft.error
    assert not [c for c in draft.checks if c["severity"] == "error"], draft.checks
    assert "10227,64" in draft.proposed["text"] and "Stück" in draft.proposed["text"]
    back = [e for e in draft.evidence if e.get("kind") == "back_translation"]
    assert back and "件" in back[0]["text"]


def test_a_marketplace_relay_mail_is_not_an_inquiry(org, store, product, terms):
    mail_ingest(org=org, store=store, raw=relay_mail("Please quote 500 pcs wholesale FOB."))
    assert not Inquiry.objects.for_org(org).exists()


def test_an_invented_number_blocks_approval_and_approval_sends_the_pdf(
    org, user, store, product, terms
):
    from apps.support.models import Mailbox
    from apps.support.services.channels import _outbound_mail

    mail_ingest(org=org, store=store, raw=b2b_mail(TEXT_DE))
    quotation = Quotation.objects.for_org(org).get()
    draft = _draft(quotation)
    edited = draft.proposed["text"] + "\nSonderrabatt: 7,25 USD pro Stück."
    with pytest.raises(ValidationFailed):
        draft_approve(org=org, actor=user, draft_id=draft.pk, edited={"text": edited})
    assert not Message.objects.for_org(org).filter(direction="outbound").exists()
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    sent = Message.objects.for_org(org).get(direction="outbound")
    assert sent.send_status == "queued"  # never sent before approval; the task sends it
    pdf = Attachment.objects.for_org(org).get(message=sent)
    assert bytes(pdf.data).startswith(b"%PDF") and pdf.content_type == "application/pdf"
    mailbox = Mailbox(organization=org, store=store, address="sales@kovexa-store.example")
    mail = _outbound_mail(mailbox, sent)
    assert mail["To"] == "einkauf@weber.example"
    assert [a.get_filename() for a in mail.iter_attachments()] == [pdf.filename]
    quotation.refresh_from_db()
    assert quotation.status == "sent" and quotation.inquiry.status == "sent"


def test_api_creates_corrects_and_downloads(org, product, terms, api_client_for):
    api = api_client_for(org)
    created = api.post(f"{BASE}/inquiries/", {"text": TEXT_DE, "buyer_name": "Jonas"},
                       format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["quantity"] == 1200 and body["quotation"]
    fixed = api.patch(f"{BASE}/inquiries/{body['id']}/", {"quantity": 3000,
                      "destination_country": "FR"}, format="json")  # fmt: skip
    assert fixed.status_code == 200, fixed.content
    q = api.get(f"{BASE}/quotations/{fixed.json()['quotation']}/").json()
    assert q["computation"]["quoted_quantity"] == 3000 and q["computation"]["country"] == "FR"
    assert q["draft"]["status"] == "pending"
    pdf = api.get(f"{BASE}/quotations/{q['id']}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "payload",
    [{}, {"text": ""}, {"text": "x" * 20001}, {"text": "ok", "buyer_email": "nope"}],
)
def test_bad_create_input_is_a_400(org, api_client_for, payload):
    assert api_client_for(org).post(f"{BASE}/inquiries/", payload, format="json").status_code == 400


@pytest.mark.parametrize(
    "payload",
    [{"quantity": 0}, {"quantity": 10**9}, {"destination_country": "Germany"},
     {"incoterm": "XYZ"}, {"target_price": "-1"}, {"product": 999999}],
)  # fmt: skip
def test_bad_update_input_is_a_400(org, product, terms, api_client_for, payload):
    inquiry = inquiry_create(org=org, text=TEXT_DE, draft=False)
    response = api_client_for(org).patch(f"{BASE}/inquiries/{inquiry.pk}/", payload, format="json")
    assert response.status_code == 400


def test_another_organizations_inquiries_quotations_and_pdfs_are_404(
    org, other_org, product, terms, api_client_for, client_for, outsider
):
    inquiry = inquiry_create(org=org, text=TEXT_DE)
    quotation = Quotation.objects.for_org(org).get(inquiry=inquiry)
    theirs = api_client_for(other_org)
    assert theirs.get(f"{BASE}/inquiries/{inquiry.pk}/").status_code == 404
    assert theirs.patch(f"{BASE}/inquiries/{inquiry.pk}/", {"quantity": 5},
                        format="json").status_code == 404  # fmt: skip
    assert theirs.get(f"{BASE}/quotations/{quotation.pk}/").status_code == 404
    assert theirs.get(f"{BASE}/quotations/{quotation.pk}/pdf/").status_code == 404
    assert theirs.get(f"{BASE}/inquiries/?count=true").json()["count"] == 0
    web = client_for(outsider)
    assert web.get(f"/support/b2b/{inquiry.pk}/").status_code == 404
    assert web.get(f"/support/b2b/quotations/{quotation.pk}/pdf/").status_code == 404


def test_pages_render_in_english_and_chinese(org, user, product, terms, client_for):
    inquiry = inquiry_create(org=org, text=TEXT_DE, buyer_name="Jonas Weber")
    web = client_for(user)
    listing = web.get("/support/b2b/")
    assert listing.status_code == 200 and b"Jonas Weber" in listing.content
    page = web.get(f"/support/b2b/{inquiry.pk}/")
    assert page.status_code == 200
    assert b"12559.51" in page.content and b"b2b-pdf" in page.content
    zh = web.get(f"/support/b2b/{inquiry.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "海运".encode() in zh.content


def test_the_inquiry_reading_kind_offline_makes_a_labelled_draft_that_corrects_the_request(
    org, user, product, terms
):
    from apps.support.b2b.services import inquiry_llm_parse

    inquiry = inquiry_create(org=org, text=TEXT_DE, draft=False)
    Inquiry.objects.for_org(org).filter(pk=inquiry.pk).update(quantity=5, incoterm="")
    inquiry_llm_parse(org=org, inquiry=inquiry, offline=True)
    draft = Draft.objects.for_org(org).get(kind="b2b_inquiry_parse", target_id=inquiry.pk)
    assert draft.status == "pending", draft.error
    assert draft.proposed["method"] == "offline_rules" and draft.proposed["quantity"] == 1200
    draft_approve(org=org, actor=user, draft_id=draft.pk)
    inquiry.refresh_from_db()
    assert inquiry.quantity == 1200 and inquiry.incoterm == "CIF"
    quotation = Quotation.objects.for_org(org).filter(inquiry=inquiry).latest("id")
    assert quotation.computation["quoted_quantity"] == 1200


def test_the_page_form_creates_an_inquiry_and_refuses_bad_input_without_a_500(
    org, user, product, terms, client_for, client
):
    assert client.get("/support/b2b/").status_code == 302  # login required
    web = client_for(user)
    empty = web.post("/support/b2b/", {"text": "   "})
    assert empty.status_code == 302 and not Inquiry.objects.for_org(org).exists()
    huge = web.post("/support/b2b/", {"text": "x" * 30000})
    assert huge.status_code == 302 and not Inquiry.objects.for_org(org).exists()
    made = web.post("/support/b2b/", {"text": TEXT_DE, "buyer_name": "Jonas"})
    inquiry = Inquiry.objects.for_org(org).get()
    assert made.status_code == 302 and made["Location"].endswith(f"/support/b2b/{inquiry.pk}/")
    assert web.get("/support/b2b/?status=zzzzzzzzzzzz&q=" + "x" * 500).status_code == 200
    assert web.get("/support/b2b/999999/").status_code == 404
