"""Every write endpoint refuses hostile and careless values with a 400 problem+json naming the
field (bulk endpoints: a line error naming the line and the column), never a 500.

One table: for each write operation, a valid body and its text and number fields; each field
gets oversized, NUL-carrying, nested, NaN, infinite (`1e999` as a JSON number) and too-large
values. Malformed and non-object bodies and deep nesting are refused on every endpoint.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from apps.review.services import draft_create
from tests.factories import ListingFactory

from .helpers import PROBLEM

INF = "__INF__"  # replaced by a bare 1e999 in the raw JSON (json.dumps cannot write it)
RAW_NAN = "__NAN__"  # replaced by a bare NaN literal

TEXT_VALUES = {
    "oversized": "x" * 300_000,
    "nul": "a\x00b",
    "nested": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
    "object": {"a": [None, {"b": 1}]},
}
NUMBER_VALUES = {
    "nan_text": "NaN",
    "infinite_text": "1e999",
    "infinite_number": INF,
    "nan_literal": RAW_NAN,
    "huge": 10**30,
    "object": {"a": 1},
    "nul": "1\x00",
}


@pytest.fixture
def rows(org):
    listing = ListingFactory(organization=org)
    draft = draft_create(
        org=org, kind="price_change", target=listing,
        proposed={"price": "17.99", "currency": listing.currency},
    )  # fmt: skip
    from apps.pricing.models import Strategy

    strategy = Strategy.objects.create(organization=org, name="Match")
    from apps.support.models import Conversation

    convo = Conversation.objects.create(organization=org, store=listing.store, buyer_alias="b@x")
    from apps.ads.models import Campaign

    campaign = Campaign.objects.create(organization=org, store=listing.store, name="C")
    return {"listing": listing, "draft": draft, "strategy": strategy, "conversation": convo,
            "campaign": campaign}  # fmt: skip


def _operations(r) -> list[tuple[str, str, dict, list[str], list[str]]]:
    """(method, url, valid body, text fields, number fields); a dotted field is nested.
    OPERATIONS above is how many there are."""
    listing, draft, strategy = r["listing"], r["draft"], r["strategy"]
    convo = r["conversation"]
    mailbox = {"store": listing.store_id, "address": "relay@example.com"}
    sla = {"mode": "business", "hours": 8, "time_zone": "Europe/Berlin",
           "holiday_country": "DE", "day_start": "09:00", "day_end": "17:00"}  # fmt: skip
    row = {"listing_id": listing.pk, "seller_id": "S1", "price": "9.99"}
    order = {
        "store": listing.store_id, "marketplace_order_id": "111-1", "buyer_country": "US",
        "ordered_at": "2026-01-02T10:00:00Z",
        "items": [{"listing": listing.pk, "quantity": 1, "unit_price": "9.99"}],
    }  # fmt: skip
    return [
        ("post", "/api/v1/stores/", {"marketplace": "amazon_us", "name": "S"}, ["name"], []),
        ("patch", f"/api/v1/stores/{listing.store_id}/", {"name": "S"}, ["name", "seller_id"],
         []),
        ("post", "/api/v1/products/", {"sku": "NEW-1", "name": "N"}, ["sku", "name"],
         ["unit_cost", "weight_g"]),
        ("patch", f"/api/v1/products/{listing.product_id}/", {"name": "N"},
         ["name", "attributes.colour"], ["unit_cost", "version"]),
        ("patch", f"/api/v1/listings/{listing.pk}/", {"title": "T"},
         ["title", "description", "bullets.0"], ["price", "stock", "version"]),
        ("post", "/api/v1/orders/", order, ["marketplace_order_id"],
         ["shipping_total", "items.0.quantity", "items.0.unit_price"]),
        ("post", "/api/v1/exchange-rates/",
         {"base": "USD", "quote": "EUR", "rate": "0.9", "date": "2026-01-02"}, ["source"],
         ["rate"]),
        ("post", "/api/v1/competitor-offers/bulk/", {"rows": [row]},
         ["rows.0.seller_id", "rows.0.seller_name"],
         ["rows.0.price", "rows.0.shipping", "rows.0.rating", "rows.0.listing_id"]),
        ("post", "/api/v1/costs/bulk/",
         {"products": [{"product": listing.product_id, "unit_cost": "1.00"}]},
         ["products.0.sku"], ["products.0.unit_cost", "products.0.product"]),
        ("post", "/api/v1/strategies/", {"name": "New", "kind": "match_lowest"}, ["name"],
         ["priority", "beat_amount", "target_margin_pct"]),
        ("patch", f"/api/v1/strategies/{strategy.pk}/", {"name": "New"}, ["name"],
         ["beat_pct"]),
        ("post", "/api/v1/strategy-assignments/", {"strategy": strategy.pk}, ["category"],
         ["strategy", "store"]),
        ("post", f"/api/v1/drafts/{draft.pk}/approve/", {"note": "ok"}, ["note"],
         ["payload.price"]),
        ("post", f"/api/v1/drafts/{draft.pk}/reject/", {"reason": "other"}, ["note"], []),
        ("post", "/api/v1/drafts/bulk/", {"action": "reject", "reason": "other"},
         ["filters.kind"], ["ids.0", "filters.store"]),
        ("put", "/api/v1/policies/price_change/", {"auto_approve": False},
         ["options.note"], ["max_change_pct"]),
        ("post", "/api/v1/protected-terms/", {"term": "Anker"}, ["term", "note"], []),
        ("post", "/api/v1/listings/validate/", {"marketplace": "amazon_us", "title": "T"},
         ["title", "description"], ["product"]),
        ("post", "/api/v1/listings/generate/",
         {"product_ids": [listing.product_id], "store_ids": [listing.store_id]}, [],
         ["product_ids.0", "store_ids.0"]),
        ("post", "/api/v1/exports/", {"format": "amazon_json", "store": listing.store_id},
         ["operation"], ["store"]),
        ("post", f"/api/v1/support/conversations/{convo.pk}/lint/", {"reply": "Hi"}, ["reply"],
         []),
        ("post", f"/api/v1/support/conversations/{convo.pk}/note/", {"text": "Hi"}, ["text"],
         []),
        ("post", "/api/v1/support/mailboxes/", mailbox,
         ["address", "imap_host", "imap_username", "imap_password", "imap_folder"],
         ["store", "imap_port", "smtp_port"]),
        ("put", "/api/v1/support/sla-settings/", sla,
         ["time_zone", "holiday_country", "day_start"], ["hours"]),
        ("post", "/api/v1/parcels/delay-drafts/", {}, [], ["parcels.0"]),
        ("post", f"/api/v1/listings/{listing.pk}/images/draft/", {"what": "fix_main"}, ["what"],
         []),
        ("post", "/api/v1/price-simulations/", {"store": listing.store_id}, ["kind"],
         ["store", "strategy", "min_margin_pct", "max_change_pct", "beat_pct",
          "target_margin_pct"]),
        ("post", "/api/v1/reprice-runs/", {"store": listing.store_id}, [], ["store"]),
        ("patch", f"/api/v1/ads/campaigns/{r['campaign'].pk}/", {"target_acos_override": "20"},
         [], ["target_acos_override"]),
        ("post", "/api/v1/ads/bulk-file/uploaded/", {"changes": [1]}, [], ["changes.0"]),
    ]  # fmt: skip


OPERATIONS = 30  # len(_operations(rows)): one parametrised case per operation


def _set(body: dict, dotted: str, value) -> dict:
    body = json.loads(json.dumps(body))
    parts = dotted.split(".")
    target = body
    for i, part in enumerate(parts[:-1]):
        key: int | str = int(part) if part.isdigit() else part
        if isinstance(target, list):
            while len(target) <= int(key):
                target.append({} if not parts[i + 1].isdigit() else [])
        elif key not in target:
            target[key] = [] if parts[i + 1].isdigit() else {}
        target = target[key]
    last = parts[-1]
    if isinstance(target, list):
        index = int(last)
        while len(target) <= index:
            target.append(None)
        target[index] = value
    else:
        target[last] = value
    return body


def _raw(body: dict) -> str:
    return json.dumps(body).replace(f'"{INF}"', "1e999").replace(f'"{RAW_NAN}"', "NaN")


def _cases():
    for index in range(OPERATIONS):
        for kind in TEXT_VALUES:
            yield pytest.param(index, "text", kind, id=f"op{index}-text-{kind}")
        for kind in NUMBER_VALUES:
            yield pytest.param(index, "number", kind, id=f"op{index}-number-{kind}")


def _names_the_field(response, field: str) -> bool:
    text = response.content.decode()
    leaf = [p for p in field.split(".") if not p.isdigit()][-1]
    return leaf in text


@pytest.mark.parametrize(("index", "family", "kind"), list(_cases()))
def test_hostile_values_get_a_400_naming_the_field_never_a_500(api_client_for, org, rows,
                                                                index, family, kind):  # fmt: skip
    client = api_client_for(org, "owner")
    client.raise_request_exception = False
    method, url, body, texts, numbers = _operations(rows)[index]
    fields = texts if family == "text" else numbers
    values = TEXT_VALUES if family == "text" else NUMBER_VALUES
    if not fields:
        pytest.skip("no such field on this operation")
    for field in fields:
        raw = _raw(_set(body, field, values[kind]))
        response = getattr(client, method)(url, raw, content_type="application/json")
        assert response.status_code < 500, (field, response.content[:300])
        if response.status_code == 200 and "/bulk/" in url:
            # Bulk rows: the bad row is a line error naming its line and column.
            errors = response.json()["errors"]
            assert errors and errors[0]["line"] == 1, (field, response.content[:300])
            # (file column names: `seller_name` is the file's `seller`; NUL and size checks
            # run on every column and name its position, like a file's)
            leaf = field.split(".")[-1].split("_")[0]
            assert leaf in str(errors) or "column" in str(errors), (field, errors)
            continue
        assert response.status_code == 400, (field, kind, response.content[:300])
        assert response["Content-Type"].startswith(PROBLEM)
        if kind != "nan_literal":  # a bare NaN is a JSON syntax error, before any field
            assert _names_the_field(response, field), (field, response.content[:300])


@pytest.mark.parametrize("index", range(OPERATIONS))
@pytest.mark.parametrize(
    "raw",
    ['{"a": ', "[1, 2]", '"text"', "null", "[" * 20_000 + "]" * 20_000, '{"a": NaN}'],
    ids=["truncated", "list", "string", "null", "deeply-nested", "nan"],
)
def test_malformed_and_non_object_bodies_get_a_400_problem(api_client_for, org, rows, index,
                                                           raw):  # fmt: skip
    client = api_client_for(org, "owner")
    client.raise_request_exception = False
    method, url, *_ = _operations(rows)[index]
    response = getattr(client, method)(url, raw, content_type="application/json")
    assert response.status_code == 400, (url, response.content[:300])
    assert response["Content-Type"].startswith(PROBLEM)


def test_a_price_of_zero_or_below_a_cent_is_refused_and_nothing_changes(api_client, org):
    listing = ListingFactory(organization=org, price=Decimal("19.99"))
    for price in ("0", "0.001", "0.004", "-1"):
        response = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"price": price},
                                    format="json")  # fmt: skip
        assert response.status_code == 400, (price, response.content)
        assert "price" in response.json()["errors"], price
    response = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"price": "0.005"},
                                format="json")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["price"] == "0.0100"  # rounded to the cent first, then checked
    stock = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"stock": -1}, format="json")
    assert stock.status_code == 400 and "stock" in stock.json()["errors"]


def test_unknown_api_urls_and_options_on_bulk_endpoints_answer_json(api_client):
    missing = api_client.get("/api/v1/no-such-thing/")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith(PROBLEM)
    for url in ("/api/v1/costs/bulk/", "/api/v1/competitor-offers/bulk/",
                "/api/v1/drafts/bulk/"):  # fmt: skip
        response = api_client.options(url)
        assert response.status_code == 200, (url, response.content)


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/competitor-offers/?since=2026-01-01T00:00:00%2B16:00",
        "/api/v1/competitor-offers/?until=2026-01-01T00:00:00-23:59",
        "/api/v1/competitor-offers/?since=0001-01-01T00:00:00Z",
        "/api/v1/price-changes/?since=9999-12-31T23:59:59-15:00",
        "/api/v1/orders/?ordered_at_after=2026-01-01T00:00:00%2B20:00",
        "/api/v1/exchange-rates/?date_after=0001-01-01",
        "/api/v1/listings/?store=99999999999999999999999999",
        "/api/v1/listings/?store=1e999",
        "/api/v1/drafts/?older_than_hours=1e308",
        "/api/v1/listings/?sku=a%00b",
    ],
)
def test_out_of_range_filters_are_a_400_or_match_nothing(api_client, query):
    response = api_client.get(query)
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response["Content-Type"].startswith(PROBLEM)
        name = query.split("?")[1].split("=")[0].removesuffix("_after")
        assert name in response.content.decode()


# --- imports: hostile cells are line errors, the good lines import ---------------------------

HOSTILE_CELLS = {
    "nul": "bad\x00cell",
    "oversized": "x" * (130 * 1024),
    "infinite": "1E999",
    "nan": "NaN",
}


@pytest.mark.parametrize("kind", list(HOSTILE_CELLS))
def test_a_hostile_cell_in_a_competitor_file_is_a_line_error(org, kind):
    from apps.pricing.competitor_import import competitor_file_import

    listing = ListingFactory(organization=org)
    cell = HOSTILE_CELLS[kind]
    price = cell if kind in ("infinite", "nan") else "9.99"
    seller = cell if kind in ("nul", "oversized") else "Rival"
    data = (
        "listing_id,seller,price,observed_at\n"
        f"{listing.pk},Good,9.49,2026-01-02 10:00\n"
        f"{listing.pk},{seller},{price},2026-01-02 11:00\n"
    ).encode()
    result = competitor_file_import(org=org, data=data, filename=f"{kind}.csv")
    assert result.imported == 1
    assert [e.line for e in result.errors] == [3]


@pytest.mark.parametrize("kind", list(HOSTILE_CELLS))
def test_a_hostile_cell_in_a_review_upload_never_fails_the_request(api_client, org, kind):
    listing = ListingFactory(organization=org)
    cell = HOSTILE_CELLS[kind]
    rating = cell if kind in ("infinite", "nan") else "5"
    text = cell if kind in ("nul", "oversized") else "Great charger"
    data = f"rating,text\n4,Solid build\n{rating},{text}\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(f"{kind}.csv", data, content_type="text/csv")
    response = api_client.post(
        f"/api/v1/products/{listing.product_id}/reviews/", {"file": upload}, format="multipart"
    )
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 200:
        body = response.json()
        assert "3" in json.dumps(body.get("errors", body)), body


def test_a_full_bulk_call_fits_and_an_oversized_body_is_a_413_problem(api_client, org):
    listing = ListingFactory(organization=org)
    rows = [{"listing_id": listing.pk, "seller_id": f"S{n:05d}", "price": "9.99",
             "seller_name": "x" * 150, "observed_at": "2026-01-02T10:00:00Z"}
            for n in range(10_000)]  # fmt: skip
    body = json.dumps({"rows": rows})
    assert len(body) > 2_500_000  # past Django's default limit
    response = api_client.post("/api/v1/competitor-offers/bulk/", body,
                               content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content[:300]
    assert response.json()["created"] == 10_000
    api_client.raise_request_exception = False
    huge = json.dumps({"rows": [{"seller_name": "x" * 100_000}] * 250})
    too_big = api_client.post("/api/v1/competitor-offers/bulk/", huge,
                              content_type="application/json")  # fmt: skip
    assert too_big.status_code == 413
    assert too_big["Content-Type"].startswith(PROBLEM)


def test_the_table_counts_every_operation(rows):
    assert len(_operations(rows)) == OPERATIONS
