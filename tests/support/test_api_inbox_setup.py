"""Support API counterparts of the inbox pages: live lint of a reply text, internal notes,
relay mailboxes (secrets write-only, another organization's store a 400, its mailbox a 404,
hosts and ports checked by the service the page uses) and the SLA clock settings (ETag and
If-Match)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apps.support import crypto
from apps.support.models import Conversation, Mailbox, Message, SlaSettings
from apps.support.services.ingest import mail_ingest
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/support"


@pytest.fixture
def convo(org, store, order, us_raw):
    return mail_ingest(org=org, store=store, raw=us_raw).message.conversation


# --- lint ----------------------------------------------------------------------------------


def test_lint_answers_the_editors_checks_and_stores_nothing(org, convo, api_client_for):
    before = (Message.objects.for_org(org).count(), convo.updated_at)
    text = "See https://x.example, tracking YT2525400731926548"
    response = api_client_for(org, role="viewer").post(
        f"{BASE}/conversations/{convo.pk}/lint/", {"reply": text}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    rules = {c["rule"] for c in data["checks"]}
    assert "reply.no_links" in rules and "grounding.tracking" in rules
    [claim] = [c for c in data["ungrounded"] if c["text"] == "YT2525400731926548"]
    assert text[claim["start"] : claim["end"]] == "YT2525400731926548"
    convo.refresh_from_db()
    assert (Message.objects.for_org(org).count(), convo.updated_at) == before


def test_lint_of_a_chinese_reply_without_an_llm_says_it_cannot_be_sent(org, convo, api_client):
    data = api_client.post(
        f"{BASE}/conversations/{convo.pk}/lint/",
        {"reply": "您好，您的包裹已经发出。"},
        format="json",
    ).json()
    [check] = data["checks"]
    assert check["rule"] == "reply.translate" and check["severity"] == "error"


def test_lint_bounds_the_text_and_another_orgs_conversation_is_404(
    org, other_org, convo, api_client, api_client_for
):
    url = f"{BASE}/conversations/{convo.pk}/lint/"
    too_long = api_client.post(url, {"reply": "x" * 8001}, format="json")
    assert too_long.status_code == 400 and "reply" in too_long.json()["errors"]
    theirs = api_client_for(other_org).post(url, {"reply": "hello"}, format="json")
    assert theirs.status_code == 404


# --- notes ---------------------------------------------------------------------------------


def test_a_note_is_stored_as_an_internal_message_never_sent(org, convo, api_client):
    response = api_client.post(
        f"{BASE}/conversations/{convo.pk}/note/",
        {"text": "  Called the carrier: parcel found.  "},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["direction"] == "note" and body["text"] == "Called the carrier: parcel found."
    note = Message.objects.for_org(org).get(pk=body["id"])
    assert note.conversation_id == convo.pk and note.direction == Message.Direction.NOTE
    assert note.send_status in ("", None) or note.send_status != "sent"


def test_a_blank_or_oversized_note_is_a_400_naming_text(org, convo, api_client, api_client_for):
    url = f"{BASE}/conversations/{convo.pk}/note/"
    count = Message.objects.for_org(org).count()
    for text in ("   ", "x" * 20001):
        response = api_client.post(url, {"text": text}, format="json")
        assert response.status_code == 400 and "text" in response.json()["errors"]
    assert (
        api_client_for(org, role="viewer").post(url, {"text": "hi"}, format="json").status_code
        == 403
    )
    assert Message.objects.for_org(org).count() == count


# --- mailboxes -----------------------------------------------------------------------------

MAILBOX = {
    "address": "Support@Kovexa-Store.example",
    "imap_host": "imap.example",
    "imap_port": 993,
    "imap_username": "support",
    "imap_password": "s3cret",
    "smtp_host": "smtp.example",
    "smtp_port": 587,
    "smtp_password": "smtp-s3cret",
}


def test_connect_a_mailbox_secrets_are_encrypted_and_never_answered(org, store, api_client):
    response = api_client.post(f"{BASE}/mailboxes/", {**MAILBOX, "store": store.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert "s3cret" not in response.content.decode()
    assert "imap_password" not in body and "smtp_password" not in body
    assert body["has_imap_password"] is True and body["has_smtp_password"] is True
    assert body["address"] == "support@kovexa-store.example" and body["store"] == store.pk
    box = Mailbox.objects.for_org(org).get(pk=body["id"])
    assert crypto.decrypt(box.imap_password_encrypted) == "s3cret"
    assert crypto.decrypt(box.smtp_password_encrypted) == "smtp-s3cret"
    listed = api_client.get(f"{BASE}/mailboxes/")
    assert "s3cret" not in listed.content.decode()
    assert [m["id"] for m in listed.json()["results"]] == [box.pk]


def test_change_settings_keeps_an_unsent_password_and_if_match_guards(org, store, api_client):
    box_id = api_client.post(
        f"{BASE}/mailboxes/", {**MAILBOX, "store": store.pk}, format="json"
    ).json()["id"]
    url = f"{BASE}/mailboxes/{box_id}/"
    etag = api_client.get(url)["ETag"]
    Mailbox.objects.for_org(org).filter(pk=box_id).update(last_uid=42)
    changed = api_client.patch(
        url, {"imap_folder": "Amazon", "smtp_password": "new"}, format="json", HTTP_IF_MATCH=etag
    )
    assert changed.status_code == 412  # last_uid moved since the read
    etag = api_client.get(url)["ETag"]
    changed = api_client.patch(
        url, {"imap_folder": "Amazon", "smtp_password": "new"}, format="json", HTTP_IF_MATCH=etag
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["imap_folder"] == "Amazon" and changed.json()["last_uid"] == 0
    box = Mailbox.objects.for_org(org).get(pk=box_id)
    assert crypto.decrypt(box.imap_password_encrypted) == "s3cret"  # not sent: kept
    assert crypto.decrypt(box.smtp_password_encrypted) == "new"


@pytest.mark.parametrize(
    ("field", "value"),
    [("imap_port", 0), ("smtp_port", 65536), ("imap_host", "imap example;rm"),
     ("smtp_host", "a" * 254), ("address", "not-an-address")],
)  # fmt: skip
def test_bad_hosts_ports_and_addresses_are_a_400_naming_the_field(
    org, store, api_client, field, value
):
    response = api_client.post(
        f"{BASE}/mailboxes/", {**MAILBOX, "store": store.pk, field: value}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Mailbox.objects.for_org(org).exists()


def test_the_service_refuses_a_bad_host_for_the_dashboard_too(org, store):
    from apps.core.errors import ValidationFailed
    from apps.support.services.channels import mailbox_save

    with pytest.raises(ValidationFailed) as exc:
        mailbox_save(org=org, mailbox=None, store=store, address="a@b.example",
                     imap_host="bad host", imap_port=993)  # fmt: skip
    assert exc.value.field == "imap_host"
    with pytest.raises(ValidationFailed) as exc:
        mailbox_save(org=org, mailbox=None, store=store, address="a@b.example", smtp_port=70000)
    assert exc.value.field == "smtp_port"
    box = mailbox_save(org=org, mailbox=None, store=store, address="a@b.example",
                       imap_host="IMAP.Example.COM", smtp_host="[::1]")  # fmt: skip
    assert (box.imap_host, box.smtp_host) == ("imap.example.com", "::1")


def test_another_orgs_store_is_a_400_and_its_mailbox_a_404(
    org, other_org, store, api_client, api_client_for
):
    theirs_store = StoreFactory(organization=other_org)
    response = api_client.post(
        f"{BASE}/mailboxes/", {**MAILBOX, "store": theirs_store.pk}, format="json"
    )
    assert response.status_code == 400 and "store" in response.json()["errors"]
    assert not Mailbox.objects.unscoped().exists()
    mine = api_client.post(f"{BASE}/mailboxes/", {**MAILBOX, "store": store.pk}, format="json")
    box_id = mine.json()["id"]
    # moving my mailbox to their store is refused like a store nobody has
    moved = api_client.patch(f"{BASE}/mailboxes/{box_id}/", {"store": theirs_store.pk},
                             format="json")  # fmt: skip
    assert moved.status_code == 400 and "store" in moved.json()["errors"]
    intruder = api_client_for(other_org)
    assert intruder.get(f"{BASE}/mailboxes/{box_id}/").status_code == 404
    hijack = intruder.patch(f"{BASE}/mailboxes/{box_id}/", {"imap_password": "x"}, format="json")
    assert hijack.status_code == 404
    assert crypto.decrypt(Mailbox.objects.for_org(org).get().imap_password_encrypted) == "s3cret"


def test_poll_now_schedules_a_read_of_that_mailbox_only(
    org, other_org, store, api_client, api_client_for, monkeypatch
):
    from apps.support import tasks

    calls = []
    monkeypatch.setattr(tasks.mailbox_poll_task, "delay", lambda *a: calls.append(a))
    box_id = api_client.post(
        f"{BASE}/mailboxes/", {**MAILBOX, "store": store.pk}, format="json"
    ).json()["id"]
    response = api_client.post(f"{BASE}/mailboxes/{box_id}/poll/", {}, format="json")
    assert response.status_code == 202 and response.json() == {"mailbox": box_id}
    assert calls == [(org.pk, box_id)]
    theirs = api_client_for(other_org).post(f"{BASE}/mailboxes/{box_id}/poll/", {}, format="json")
    assert theirs.status_code == 404 and calls == [(org.pk, box_id)]


# --- SLA settings ----------------------------------------------------------------------------

SLA = {
    "mode": "business",
    "hours": 8,
    "time_zone": "Europe/Berlin",
    "holiday_country": "DE",
    "day_start": "09:00",
    "day_end": "17:00",
}


def test_sla_settings_read_defaults_then_update_and_open_clocks_move(org, convo, api_client):
    url = f"{BASE}/sla-settings/"
    read = api_client.get(url)
    assert read.status_code == 200 and read["ETag"]
    assert read.json()["mode"] == "calendar" and read.json()["day_start"] == "09:00"
    before = convo.sla_due_at
    response = api_client.put(url, SLA, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 200, response.content
    assert response.json() == {**SLA, "operator_language": "zh-Hans"}
    row = SlaSettings.objects.for_org(org).get()
    assert (row.mode, row.hours, row.time_zone) == ("business", 8, "Europe/Berlin")
    convo.refresh_from_db()
    # Friday 12 September 2025 16:47 UTC (after hours in Berlin): due Monday 17:00 Berlin
    assert convo.sla_due_at == datetime(2025, 9, 15, 15, 0, tzinfo=UTC) != before
    assert api_client.get(url)["ETag"] != read["ETag"]


def test_sla_settings_with_a_stale_etag_are_412_and_unchanged(org, api_client):
    url = f"{BASE}/sla-settings/"
    stale = api_client.get(url)["ETag"]
    assert api_client.put(url, SLA, format="json", HTTP_IF_MATCH=stale).status_code == 200
    again = api_client.put(url, {**SLA, "hours": 4}, format="json", HTTP_IF_MATCH=stale)
    assert again.status_code == 412
    assert SlaSettings.objects.for_org(org).get().hours == 8


@pytest.mark.parametrize(
    ("field", "value"),
    [("mode", "weekly"), ("hours", 0), ("hours", 241), ("time_zone", "Mars/Base"),
     ("holiday_country", "ZZ"), ("day_end", "08:00"), ("day_start", "9h")],
)  # fmt: skip
def test_bad_sla_settings_are_a_400_naming_the_field(org, api_client, field, value):
    response = api_client.put(f"{BASE}/sla-settings/", {**SLA, field: value}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not SlaSettings.objects.for_org(org).exists()


def test_a_viewer_reads_but_cannot_change_sla_settings(org, api_client_for):
    viewer = api_client_for(org, role="viewer")
    assert viewer.get(f"{BASE}/sla-settings/").status_code == 200
    assert viewer.put(f"{BASE}/sla-settings/", SLA, format="json").status_code == 403


def test_each_org_reads_its_own_sla_settings(org, other_org, api_client, api_client_for):
    api_client.put(f"{BASE}/sla-settings/", SLA, format="json")
    theirs = api_client_for(other_org).get(f"{BASE}/sla-settings/").json()
    assert theirs["mode"] == "calendar" and theirs["time_zone"] == "Asia/Shanghai"
    assert Conversation.objects.for_org(other_org).count() == 0
