"""Support fixtures: a store with an order matching the shared relay samples, the samples'
bytes, and relay mails built to order."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from tests.factories import ListingFactory, OrderFactory, OrderItemFactory, StoreFactory

# Copies of shared/data's relay samples (as the other apps keep theirs in tests/data).
DATA = Path(__file__).resolve().parents[1] / "data"
US_SAMPLE = DATA / "amazon-buyer-message-relay.eml"
DE_SAMPLE = DATA / "amazon-buyer-message-relay-de.eml"
US_ORDER = "113-4829175-2038461"
DE_ORDER = "028-3350917-4471620"


@pytest.fixture
def store(org):
    return StoreFactory(organization=org, name="Kovexa US")


@pytest.fixture
def order(org, store):
    o = OrderFactory(
        organization=org,
        store=store,
        marketplace_order_id=US_ORDER,
        ordered_at=datetime(2025, 9, 8, 10, tzinfo=UTC),
        shipped_at=datetime(2025, 9, 9, 8, tzinfo=UTC),
        delivered_at=datetime(2025, 9, 11, 15, tzinfo=UTC),
    )
    listing = ListingFactory(
        organization=org, store=store, external_id="B0DK7PW2N4", title="Kovexa 10000mAh Power Bank"
    )
    OrderItemFactory(organization=org, order=o, product=listing.product, sku=listing.product.sku)
    return o


@pytest.fixture
def us_raw() -> bytes:
    return US_SAMPLE.read_bytes()


@pytest.fixture
def de_raw() -> bytes:
    return DE_SAMPLE.read_bytes()


def relay_mail(
    text: str,
    *,
    order_id: str = US_ORDER,
    alias: str = "abcdefghijk0123",
    name: str = "Rachel",
    html: str | None = None,
    message_id: str | None = None,
    when: datetime | None = None,
    attachments=(),
) -> bytes:
    """An Amazon relay mail in the samples' shape around `text`."""
    mail = EmailMessage()
    mail["From"] = f'"{name} - Amazon Marketplace" <{alias}@marketplace.amazon.com>'
    mail["To"] = "Kovexa Support <support@kovexa-store.example>"
    mail["Subject"] = f"Inquiry from Amazon customer {name} (Order: {order_id})"
    mail["Date"] = format_datetime(when or datetime(2025, 9, 12, 16, 47, tzinfo=UTC))
    mail["Message-ID"] = message_id or make_msgid(domain="email.amazonses.com")
    body = (
        f"Order ID {order_id}:\n1 of Kovexa Power Bank [ASIN: B0DK7PW2N4]\n\n"
        f"------------- Begin message -------------\n\n{text}\n\n"
        "------------- End message -------------\n\nFor Your Information: To help arbitrate "
        "disputes we retain all messages.\n\n[commMgrTok:A1QX8R2ZC7TN4K]\n"
    )
    mail.set_content(body)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    for name_, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name_)
    return mail.as_bytes()


@pytest.fixture(scope="session")
def imap_server():
    from .servers import start_dovecot

    server = start_dovecot()
    yield server
    server.stop()


@pytest.fixture
def smtp_server():
    from .servers import Smtp

    server = Smtp().start()
    yield server
    server.stop()


@pytest.fixture
def llm(settings):
    """A scripted OpenAI-compatible server (tests/ai/fake_server.py, real HTTP on 127.0.0.1)
    answering with `responder(body, n)`; settings point the AI layer at it."""
    from apps.ai.resilience import key, redis_client
    from tests.ai.fake_server import fake_llm_servers

    r = redis_client()
    for name in r.scan_iter(key("*")):  # no circuit state or detected mode from other tests
        r.delete(name)
    with fake_llm_servers(settings, max_retries=1) as start:
        yield start


@pytest.fixture
def offline_ai(settings):
    settings.OPENAI_BASE_URL = ""
    return settings


def system_of(body: dict) -> str:
    return body["messages"][0]["content"]


def user_of(body: dict) -> str:
    first = next(m for m in body["messages"] if m["role"] == "user")
    return first["content"] if isinstance(first["content"], str) else str(first["content"])
