"""What a draft kind declares, proved with a test-only kind that is not a listing: an "add
negative keyword" draft on a store (the ads module's shape), several open per store, one per
keyword text. Covers uniqueness per key, what the queue shows of the target, typed edit
validation (hostile values included) and the diff renderer of every field type.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.catalog.models import Store
from apps.core.errors import ValidationFailed
from apps.review import fields, registry
from apps.review.diffing import rendered_diffs
from apps.review.fields import TargetDisplay, clean_edits
from apps.review.models import Draft, DraftStatus
from apps.review.registry import DraftKind
from apps.review.services import draft_approve, draft_create
from tests.factories import StoreFactory

KIND = "test_negative_keyword"
APPLIED: list[tuple[int, dict]] = []


def _apply(store: Store, payload: dict) -> None:
    APPLIED.append((store.pk, payload))


SPECS = (
    fields.text("keyword", "Keyword", max_length=80, single_line=True),
    fields.text_list("notes", "Notes", max_items=3, max_length=20),
    fields.money("bid", "Bid", currency_field="currency"),
    fields.integer("weight", "Weight", min_value=1, max_value=5),
    fields.boolean("enabled", "Enabled"),
    fields.choice("match_type", "Match type", choices=("exact", "phrase", "broad")),
    fields.images("images", "Images", image_url=lambda path: f"/img/{path}"),
)
NEGATIVE_KEYWORD = DraftKind(
    kind=KIND,
    label="Negative keyword",
    target_model="catalog.Store",
    snapshot=lambda store: {},
    apply=_apply,
    version_of=lambda store: None,
    display=lambda store: TargetDisplay(
        label=f"Ad group of {store.name}",
        store_id=store.pk,
        store_label=f"{store.name} (test)",
        url=f"/ads/stores/{store.pk}/",
    ),
    unique_key=lambda store, payload: str(payload.get("keyword", "")).strip().lower(),
    fields=SPECS,
)


@pytest.fixture(autouse=True)
def negative_keyword_kind():
    registry.register(NEGATIVE_KEYWORD)
    APPLIED.clear()
    yield NEGATIVE_KEYWORD
    registry._KINDS.pop(KIND, None)


@pytest.fixture
def store(org):
    return StoreFactory(organization=org, name="Voltora US")


def _payload(**overrides) -> dict:
    return {
        "keyword": "usb cable",
        "notes": ["cheap", "free"],
        "bid": "0.50",
        "currency": "USD",
        "weight": 2,
        "enabled": True,
        "match_type": "exact",
        "images": ["a.png"],
        **overrides,
    }


def _draft(org, store, **overrides) -> Draft:
    return draft_create(org=org, kind=KIND, target=store, proposed=_payload(**overrides))


# --- uniqueness per key ------------------------------------------------------------------------


def test_a_target_holds_one_open_draft_per_key(org, store):
    cable = _draft(org, store, keyword="usb cable")
    charger = _draft(org, store, keyword="wireless charger")
    assert (cable.unique_key, charger.unique_key) == ("usb cable", "wireless charger")
    again = _draft(org, store, keyword="USB Cable ")
    statuses = dict(Draft.objects.for_org(org).values_list("id", "status"))
    assert statuses == {
        cable.pk: DraftStatus.SUPERSEDED,
        charger.pk: DraftStatus.PENDING,
        again.pk: DraftStatus.PENDING,
    }


def test_the_database_refuses_two_open_drafts_with_the_same_key(org, store):
    first = _draft(org, store)
    twin = Draft(
        organization=org,
        kind=KIND,
        target_type=first.target_type,
        target_id=store.pk,
        unique_key=first.unique_key,
        status=DraftStatus.PENDING,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_kinds_without_a_key_keep_one_open_draft_per_target(org):
    from tests.factories import ListingFactory

    listing = ListingFactory(organization=org)
    content = {"title": "A", "bullets": [], "description": "", "search_terms": ""}
    first = draft_create(org=org, kind="listing_content", target=listing, proposed=content)
    second = draft_create(org=org, kind="listing_content", target=listing, proposed=content)
    first.refresh_from_db()
    assert first.unique_key == second.unique_key == ""
    assert (first.status, second.status) == (DraftStatus.SUPERSEDED, DraftStatus.PENDING)


# --- what the target shows ---------------------------------------------------------------------


def test_the_draft_records_the_targets_label_and_store(org, store):
    draft = _draft(org, store)
    assert draft.title == "Ad group of Voltora US"
    assert draft.store_id == store.pk
    assert (draft.marketplace, draft.language, draft.category) == ("", "", "")


def test_the_queue_shows_the_targets_label_store_and_link(org, user, store, client_for):
    draft = _draft(org, store)
    body = client_for(user).get(reverse("review:detail", args=[draft.pk])).content.decode()
    assert "Ad group of Voltora US" in body
    assert (
        f'href="/ads/stores/{store.pk}/" data-testid="target-link" title="Voltora US (test)"'
        in body
    )
    queue = client_for(user).get(reverse("review:index")).content.decode()
    assert f'<option value="{store.pk}" >Voltora US (test)</option>' in queue


# --- typed edit validation ---------------------------------------------------------------------


HOSTILE = [
    ({"keyword": None}, "keyword"),
    ({"keyword": {"text": "x"}}, "keyword"),
    ({"keyword": 5}, "keyword"),
    ({"keyword": ["usb"]}, "keyword"),
    ({"keyword": "k" * 81}, "keyword"),
    ({"notes": [None, None]}, "notes"),
    ({"notes": [{"a": 1}]}, "notes"),
    ({"notes": [3]}, "notes"),
    ({"notes": "cheap"}, "notes"),
    ({"notes": ["a", "b", "c", "d"]}, "notes"),
    ({"notes": ["x" * 21]}, "notes"),
    ({"bid": "0.004"}, "bid"),  # rounds to 0.00 USD
    ({"bid": "0"}, "bid"),
    ({"bid": "-1.00"}, "bid"),
    ({"bid": "NaN"}, "bid"),
    ({"bid": "Infinity"}, "bid"),
    ({"bid": "ten"}, "bid"),
    ({"bid": True}, "bid"),
    ({"bid": None}, "bid"),
    ({"bid": {"amount": 1}}, "bid"),
    ({"weight": 0}, "weight"),
    ({"weight": 6}, "weight"),
    ({"weight": True}, "weight"),
    ({"weight": 2.5}, "weight"),
    ({"weight": "two"}, "weight"),
    ({"enabled": "yes"}, "enabled"),
    ({"enabled": 1}, "enabled"),
    ({"match_type": "fuzzy"}, "match_type"),
    ({"match_type": None}, "match_type"),
    ({"images": ["b.png"]}, "images"),  # declared, not editable
    ({"currency": "EUR"}, "currency"),  # not declared: not editable
    ({"surprise": 1}, "surprise"),
]


@pytest.mark.parametrize("edited, field", HOSTILE)
def test_hostile_edits_are_refused_naming_the_field(org, user, store, edited, field):
    draft = _draft(org, store)
    with pytest.raises(ValidationFailed) as refused:
        draft_approve(org=org, actor=user, draft_id=draft.pk, edited=edited)
    assert refused.value.status == 400
    assert refused.value.field == field
    assert field in refused.value.message
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PENDING and APPLIED == []


def test_an_edit_must_be_an_object():
    with pytest.raises(ValidationFailed):
        clean_edits(SPECS, _payload(), ["keyword"])


def test_a_sub_unit_amount_is_refused_after_rounding_to_a_zero_decimal_currency():
    with pytest.raises(ValidationFailed, match="JPY"):
        clean_edits(SPECS, _payload(currency="JPY", bid="50"), {"bid": "0.4"})
    assert clean_edits(SPECS, _payload(currency="JPY", bid="50"), {"bid": "0.5"}) == {"bid": "1"}


def test_valid_edits_are_applied_as_their_types(org, user, store):
    draft = _draft(org, store)
    edited = {
        "keyword": "  usb  c\ncable ",
        "notes": ["cheap"],
        "bid": "1.005",
        "weight": "5",
        "enabled": False,
        "match_type": "phrase",
    }
    draft = draft_approve(org=org, actor=user, draft_id=draft.pk, edited=edited)
    assert draft.status == DraftStatus.APPLIED
    expected = {
        "keyword": "usb c cable",
        "notes": ["cheap"],
        "bid": "1.01",
        "weight": 5,
        "enabled": False,
        "match_type": "phrase",
    }
    assert [(store.pk, {**_payload(), **expected})] == APPLIED
    assert draft.final == {**_payload(), **expected}
    approved = draft.events.get(to_status=DraftStatus.APPROVED)
    assert approved.payload == expected


def test_the_api_answers_400_naming_the_field_of_a_hostile_edit(org, store, api_client_for):
    client = api_client_for(org, role="reviewer")
    draft = _draft(org, store)
    response = client.post(
        f"/api/v1/drafts/{draft.pk}/approve/", {"payload": {"notes": [None]}}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "notes"
    response = client.post(
        f"/api/v1/drafts/{draft.pk}/approve/", {"payload": {"bid": "0.001"}}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "bid"


def test_the_edit_form_renders_each_field_by_its_type(org, user, store, client_for):
    draft = _draft(org, store)
    body = client_for(user).get(reverse("review:detail", args=[draft.pk])).content.decode()
    assert 'id="edit-keyword" name="keyword"' in body and "data-single-line" in body
    assert 'id="edit-notes-1" name="notes"' in body
    assert 'name="bid" value="0.50"' in body and 'data-check="money"' in body
    assert 'name="weight" value="2"' in body and 'data-check="integer"' in body
    assert 'id="edit-enabled" name="enabled" checked' in body
    assert '<option value="exact" selected>exact</option>' in body
    assert 'name="images"' not in body  # images are not editable


def test_the_edit_form_posts_typed_values(org, user, store, client_for):
    draft = _draft(org, store)
    response = client_for(user).post(
        reverse("review:approve", args=[draft.pk]),
        {
            "edit": "1",
            "keyword": "usb cable",
            "notes": ["cheap", "free", ""],
            "bid": "0,75",
            "weight": "3",
            "enabled__shown": "1",  # unticked
            "match_type": "broad",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPLIED
    assert {k: draft.final[k] for k in ("bid", "weight", "enabled", "match_type")} == {
        "bid": "0.75",
        "weight": 3,
        "enabled": False,
        "match_type": "broad",
    }


def test_a_hostile_form_edit_is_refused_with_a_message(org, user, store, client_for):
    draft = _draft(org, store)
    response = client_for(user).post(
        reverse("review:approve", args=[draft.pk]),
        {"edit": "1", "bid": "0.001", "weight": "2", "enabled": "on", "enabled__shown": "1"},
    )
    assert response.status_code == 400
    assert "bid" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PENDING


# --- diff rendering per type -------------------------------------------------------------------


def test_each_field_type_has_its_renderer():
    current = _payload(
        keyword="usb cable black",
        notes=["cheap", "old note", "free"],
        bid="0.50",
        weight=2,
        enabled=True,
        images=["a.png", "b.png"],
    )
    proposed = _payload(
        keyword="usb cable white",
        notes=["cheap", "new note", "free", "added"],
        bid="0.45",
        weight=2,
        enabled=False,
        images=["a.png", "c.png"],
    )
    rows = {r["field"]: r for r in rendered_diffs(SPECS, current, proposed)}
    assert {f: r["renderer"] for f, r in rows.items()} == {
        "keyword": "words",
        "notes": "items",
        "bid": "value",
        "weight": "value",
        "enabled": "value",
        "match_type": "value",
        "images": "images",
    }
    assert [op for op in rows["keyword"]["diff"] if op["op"] != "equal"] == [
        {"op": "delete", "text": "black"},
        {"op": "insert", "text": "white"},
    ]
    # Lists: unchanged items whole, a changed item word by word, an added item whole.
    assert rows["notes"]["new_items"] == [
        [{"op": "equal", "text": "cheap"}],
        [{"op": "insert", "text": "new"}, {"op": "equal", "text": " note"}],
        [{"op": "equal", "text": "free"}],
        [{"op": "insert", "text": "added"}],
    ]
    assert rows["notes"]["old_items"][1] == [
        {"op": "delete", "text": "old"},
        {"op": "equal", "text": " note"},
    ]
    assert (rows["bid"]["old_shown"], rows["bid"]["new_shown"]) == ("0.50 USD", "0.45 USD")
    assert rows["weight"]["changed"] is False
    assert (rows["enabled"]["old_shown"], rows["enabled"]["new_shown"]) == ("True", "False")
    assert rows["images"]["new_images"] == [
        {"path": "a.png", "url": "/img/a.png", "changed": False},
        {"path": "c.png", "url": "/img/c.png", "changed": True},
    ]
    assert all(isinstance(r["label"], str) for r in rows.values())


def test_the_detail_page_renders_each_diff_with_its_template(org, user, store, client_for):
    draft = _draft(org, store)
    body = client_for(user).get(reverse("review:detail", args=[draft.pk])).content.decode()
    for renderer in ("words", "items", "value", "images"):
        assert f'data-renderer="{renderer}"' in body
    assert "<ins>0.50 USD</ins>" in body
    assert '<img src="/img/a.png"' in body
    assert "<dt>Currency</dt>" in body  # the undeclared payload key, labelled, as a value


def test_a_money_diff_shows_the_amount_with_its_currency():
    spec = (fields.money("price", "Price"),)
    (row,) = rendered_diffs(spec, {"price": "12.00", "currency": "EUR"}, {"price": "10.99"})
    assert (row["old_shown"], row["new_shown"], row["changed"]) == ("12.00 EUR", "10.99", True)
    assert Decimal(row["new"]) == Decimal("10.99")
