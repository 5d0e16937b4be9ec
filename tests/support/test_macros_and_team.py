"""Macros (pages for managers, API, variables filled from the conversation), SLA settings
(page, validation, open clocks moved), assignees (conversation view, inbox filter, API) and
"no response needed" recorded; cross-tenant 404s throughout."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.support.models import Conversation, Macro, Message, SlaSettings
from apps.support.services.ingest import mail_ingest
from apps.support.services.kb import macro_save
from apps.support.services.team import sla_settings_save

pytestmark = pytest.mark.django_db

BASE = "/api/v1/support"
BODY = "Hallo {buyer_name}, Bestellung {order_id}, Sendung {tracking_number}. {unknown}\n{store}"


@pytest.fixture
def convo(org, store, order, us_raw):
    return mail_ingest(org=org, store=store, raw=us_raw).message.conversation


@pytest.fixture
def macro(org):
    return macro_save(org=org, name="Wo ist", body=BODY, language="de", intent="where_is_my_order")


# --- macros --------------------------------------------------------------------------------------


def test_manager_creates_edits_and_deletes_a_macro_on_the_pages(org, user, client_for):
    client = client_for(user)
    assert client.get(reverse("support:macros")).status_code == 200
    response = client.post(
        reverse("support:macro_new"),
        {"name": "物流", "body": "{buyer_name}您好", "language": "zh", "intent": ""},
    )
    assert response.status_code == 302
    made = Macro.objects.for_org(org).get()
    url = reverse("support:macro_edit", args=[made.pk])
    client.post(url, {"name": "物流查询", "body": "x {order_id}", "language": "zh"})
    made.refresh_from_db()
    assert (made.name, made.body) == ("物流查询", "x {order_id}")
    client.post(url, {"delete": "1"})
    assert not Macro.objects.for_org(org).exists()


def test_bad_macro_input_is_shown_not_a_500(user, client_for):
    client = client_for(user)
    for data in (
        {"name": "", "body": "x", "language": "en"},
        {"name": "x", "body": "x", "language": "xx"},
        {"name": "x", "body": "x", "language": "en", "intent": "refund_now"},
        {"name": "x" * 300, "body": "x", "language": "en"},
    ):
        response = client.post(reverse("support:macro_new"), data)
        assert response.status_code == 200
        assert 'data-testid="macro-error"' in response.content.decode()


def test_a_viewer_reads_macros_but_cannot_write(org, member_with_role, client_for, macro):
    client = client_for(member_with_role(Role.VIEWER))
    assert client.get(reverse("support:macro_edit", args=[macro.pk])).status_code == 200
    response = client.post(reverse("support:macro_edit", args=[macro.pk]), {"delete": "1"})
    assert response.status_code == 404
    assert Macro.objects.for_org(org).filter(pk=macro.pk).exists()


def test_another_orgs_macro_is_404_on_pages_and_api(outsider, client_for, macro, other_api_client):
    assert (
        client_for(outsider).get(reverse("support:macro_edit", args=[macro.pk])).status_code == 404
    )
    assert other_api_client.get(f"{BASE}/macros/{macro.pk}/").status_code == 404
    assert other_api_client.delete(f"{BASE}/macros/{macro.pk}/").status_code == 404


def test_macro_is_inserted_with_variables_from_the_conversation(user, client_for, convo, macro):
    html = client_for(user).get(reverse("support:conversation", args=[convo.pk])).content.decode()
    filled = "Hallo Rachel, Bestellung 113-4829175-2038461"
    assert filled in html  # rendered server-side into the option the editor inserts
    assert "{unknown}" in html  # a variable without a value stays for the operator


def test_macro_api_crud_and_render(org, api_client, convo):
    created = api_client.post(
        f"{BASE}/macros/", {"name": "Tracking", "body": BODY, "language": "de"}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = api_client.post(f"{BASE}/macros/", {"name": "x", "body": "", "language": "de"})
    assert bad.status_code == 400
    rendered = api_client.get(f"{BASE}/macros/{pk}/render/", {"conversation": convo.pk})
    assert rendered.status_code == 200
    assert rendered.json()["text"].startswith("Hallo Rachel, Bestellung 113-4829175-2038461")
    assert rendered.json()["variables"]["store"] == "Kovexa US"
    assert api_client.get(f"{BASE}/macros/{pk}/render/", {"conversation": "x"}).status_code == 400
    updated = api_client.put(
        f"{BASE}/macros/{pk}/", {"name": "T2", "body": "b", "language": "en"}, format="json"
    )
    assert updated.json()["name"] == "T2"
    assert api_client.delete(f"{BASE}/macros/{pk}/").status_code == 204


def test_macro_render_refuses_another_orgs_conversation(org, other_org, macro, api_client_for):
    from tests.factories import StoreFactory

    theirs = Conversation.objects.create(
        organization=other_org, store=StoreFactory(organization=other_org), buyer_alias="x@y.z"
    )
    response = api_client_for(org).get(
        f"{BASE}/macros/{macro.pk}/render/", {"conversation": theirs.pk}
    )
    assert response.status_code == 404


def test_a_macro_body_cannot_reach_attributes():
    from apps.support.services.kb import macro_render

    m = Macro(body="{buyer_name.__class__} {buyer_name}")
    assert macro_render(m, {"buyer_name": "Ann"}) == "{buyer_name.__class__} Ann"


# --- SLA settings ---------------------------------------------------------------------------


def test_sla_settings_page_saves_business_hours_and_moves_open_clocks(org, user, client_for, convo):
    before = convo.sla_due_at
    client = client_for(user)
    assert client.get(reverse("support:sla_settings")).status_code == 200
    response = client.post(
        reverse("support:sla_settings"),
        {
            "mode": "business",
            "hours": "8",
            "time_zone": "Europe/Berlin",
            "holiday_country": "DE",
            "day_start": "09:00",
            "day_end": "17:00",
            "operator_language": "zh-Hans",
        },
    )
    assert response.status_code == 302
    row = SlaSettings.objects.for_org(org).get()
    assert (row.mode, row.hours, row.time_zone, row.holiday_country) == (
        "business",
        8,
        "Europe/Berlin",
        "DE",
    )
    convo.refresh_from_db()
    # the sample's message: Friday 12 September 2025, 16:47 UTC (18:47 in Berlin, after hours):
    # 8 business hours from Monday 09:00 end Monday 17:00 Berlin time
    assert convo.sla_due_at == datetime(2025, 9, 15, 15, 0, tzinfo=UTC) != before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mode", "weekly"),
        ("hours", "0"),
        ("hours", "x"),
        ("time_zone", "Mars/Base"),
        ("holiday_country", "ZZ"),
        ("day_end", "08:00"),
        ("day_start", "9h"),
    ],
)
def test_bad_sla_settings_are_refused_with_a_message(user, client_for, field, value):
    data = {
        "mode": "calendar",
        "hours": "24",
        "time_zone": "Asia/Shanghai",
        "holiday_country": "CN",
        "day_start": "09:00",
        "day_end": "18:00",
    }
    data[field] = value
    response = client_for(user).post(reverse("support:sla_settings"), data)
    assert response.status_code == 200
    assert 'data-testid="sla-settings-error"' in response.content.decode()


def test_a_viewer_cannot_change_sla_settings(member_with_role, client_for):
    client = client_for(member_with_role(Role.VIEWER))
    assert client.get(reverse("support:sla_settings")).status_code == 200
    assert client.post(reverse("support:sla_settings"), {"mode": "business"}).status_code == 404


def test_business_hours_skip_a_chinese_holiday(org, user):
    sla_settings_save(
        org=org,
        actor=user,
        mode="business",
        hours=8,
        time_zone="Asia/Shanghai",
        holiday_country="CN",
        day_start="09:00",
        day_end="18:00",
    )
    from apps.support import sla
    from apps.support.services.ingest import calendar_for

    calendar = calendar_for(org=org, channel="ebay")
    # 30 September 2025 17:00 Shanghai; 1–7 October is the National Day holiday (and the
    # weekend after): one hour that day, the other seven from 9 October (8 October was also
    # a holiday in 2025)
    due = sla.due_at(datetime(2025, 9, 30, 9, 0, tzinfo=UTC), calendar)
    assert due.astimezone(sla.ZoneInfo("Asia/Shanghai")).date() > datetime(2025, 10, 7).date()


# --- assignees -----------------------------------------------------------------------------------


def test_assign_in_the_conversation_view_and_filter_the_inbox(
    org, user, client_for, convo, member_with_role
):
    colleague = member_with_role(Role.REVIEWER)
    client = client_for(user)
    page = client.get(reverse("support:conversation", args=[convo.pk])).content.decode()
    assert 'data-testid="assignee-form"' in page and "reviewer-user" in page
    client.post(
        reverse("support:action", args=[convo.pk]), {"action": "assign", "assignee": colleague.pk}
    )
    convo.refresh_from_db()
    assert convo.assignee == colleague
    assert Message.objects.for_org(org).filter(direction="note", text__contains="Assigned to")
    inbox = reverse("support:index")
    assert "Rachel" in client.get(inbox, {"assignee": colleague.pk}).content.decode()
    assert "Rachel" not in client.get(inbox, {"assignee": "none"}).content.decode()
    assert "Rachel" not in client.get(inbox, {"assignee": "me"}).content.decode()
    assert client.get(inbox, {"assignee": "<script>"}).status_code == 200


def test_an_outsider_cannot_be_assigned(org, user, client_for, convo, outsider):
    response = client_for(user).post(
        reverse("support:action", args=[convo.pk]),
        {"action": "assign", "assignee": outsider.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose a member of this organization." in response.content.decode()
    convo.refresh_from_db()
    assert convo.assignee is None


def test_assign_through_the_api(org, user, convo, api_client, other_api_client):
    url = f"{BASE}/conversations/{convo.pk}/assign/"
    assert api_client.post(url, {"assignee": user.pk}, format="json").json()["assignee"] == user.pk
    assert api_client.post(url, {"assignee": None}, format="json").status_code == 200
    assert api_client.post(url, {"assignee": 10**12}, format="json").status_code == 400
    assert other_api_client.post(url, {"assignee": None}, format="json").status_code == 404


def test_no_response_needed_is_recorded_and_shown(org, user, client_for, convo):
    client = client_for(user)
    client.post(reverse("support:action", args=[convo.pk]), {"action": "no_response"})
    convo.refresh_from_db()
    assert convo.no_response_needed and convo.status == "closed" and convo.closed_at
    note = Message.objects.for_org(org).get(direction="note", conversation=convo)
    assert "no response needed" in note.text and note.author == user
    html = client.get(reverse("support:conversation", args=[convo.pk])).content.decode()
    assert 'data-testid="no-response-recorded"' in html
    sla_page = client.get(reverse("support:sla")).content.decode()
    assert "No response needed" in sla_page


# --- mailboxes on the inbox page -------------------------------------------------------------


def test_inbox_shows_each_mailbox_and_why_the_demo_one_cannot_work(
    org, store, user, client_for, monkeypatch
):
    from apps.support import devimap
    from apps.support.demo import DEMO_IMAP_PORT
    from apps.support.models import Mailbox
    from apps.support.services.channels import mailbox_create

    mailbox_create(
        org=org,
        store=store,
        address="demo@kovexa-store.example",
        imap_host="127.0.0.1",
        imap_port=DEMO_IMAP_PORT,
        imap_ssl=False,
        imap_username="demo",
        imap_password="x",
    )
    client = client_for(user)
    html = client.get(reverse("support:index")).content.decode()
    assert 'data-testid="mailboxes"' in html and "not read yet" in html
    monkeypatch.setattr(devimap, "DOVECOT", "/nonexistent/dovecot")
    html = client.get(reverse("support:index")).content.decode()
    assert 'data-testid="dovecot-missing"' in html and "Dovecot is not installed" in html
    monkeypatch.undo()
    Mailbox.objects.for_org(org).update(last_error="[Errno 111] Connection refused")
    html = client.get(reverse("support:index")).content.decode()
    assert "Last poll failed: [Errno 111] Connection refused" in html


def test_inbox_lists_open_conversations_before_waiting_and_closed_ones(org, store):
    from datetime import timedelta

    from apps.support.selectors import conversation_list

    now = datetime(2026, 1, 5, tzinfo=UTC)
    for alias, status, due in (
        ("closed@x", "closed", now - timedelta(days=9)),
        ("waiting@x", "waiting", now - timedelta(days=8)),
        ("late@x", "open", now - timedelta(hours=1)),
        ("soon@x", "open", now + timedelta(hours=2)),
    ):
        Conversation.objects.create(
            organization=org, store=store, buyer_alias=alias, status=status, sla_due_at=due
        )
    order = [c.buyer_alias for c in conversation_list(org=org, now=now)]
    assert order == ["late@x", "soon@x", "waiting@x", "closed@x"]


# --- relay mailbox pages -------------------------------------------------------------------------

MAILBOX_FORM = {
    "address": "Support@Kovexa-Store.example",
    "imap_host": "imap.example",
    "imap_port": "993",
    "imap_ssl": "1",
    "imap_username": "support",
    "imap_password": "s3cret",
    "imap_folder": "INBOX",
    "smtp_host": "smtp.example",
    "smtp_port": "587",
    "smtp_starttls": "1",
    "is_active": "1",
}


def test_manager_sets_up_a_mailbox_and_its_password_is_encrypted_and_kept(
    org, store, user, client_for
):
    from apps.support import crypto
    from apps.support.models import Mailbox

    client = client_for(user)
    assert client.get(reverse("support:mailbox_new")).status_code == 200
    response = client.post(reverse("support:mailbox_new"), {**MAILBOX_FORM, "store": store.pk})
    assert response.status_code == 302
    box = Mailbox.objects.for_org(org).get()
    assert box.address == "support@kovexa-store.example"
    assert "s3cret" not in box.imap_password_encrypted
    assert crypto.decrypt(box.imap_password_encrypted) == "s3cret"
    page = client.get(reverse("support:mailbox_edit", args=[box.pk])).content.decode()
    assert "s3cret" not in page and box.imap_password_encrypted not in page
    Mailbox.objects.for_org(org).filter(pk=box.pk).update(last_uid=7, uid_validity=1)
    edit = {**MAILBOX_FORM, "store": store.pk, "imap_password": "", "imap_folder": "Amazon"}
    client.post(reverse("support:mailbox_edit", args=[box.pk]), edit)
    box.refresh_from_db()
    assert crypto.decrypt(box.imap_password_encrypted) == "s3cret"  # empty keeps the stored one
    assert (box.imap_folder, box.last_uid, box.uid_validity) == ("Amazon", 0, None)
    listing = client.get(reverse("support:mailboxes")).content.decode()
    assert "support@kovexa-store.example" in listing and "not read yet" in listing


@pytest.mark.parametrize(
    "change",
    [
        {"address": "not-an-address"},
        {"imap_port": "70000"},
        {"store": "999999"},
        {"store": "x"},
        {"address": ""},
    ],
)
def test_bad_mailbox_input_is_shown_not_a_500(store, user, client_for, change):
    data = {**MAILBOX_FORM, "store": store.pk, **change}
    response = client_for(user).post(reverse("support:mailbox_new"), data)
    assert response.status_code == 200
    assert 'data-testid="mailbox-form-error"' in response.content.decode()


def test_a_second_mailbox_with_the_same_address_is_refused(store, user, client_for):
    client = client_for(user)
    client.post(reverse("support:mailbox_new"), {**MAILBOX_FORM, "store": store.pk})
    again = client.post(reverse("support:mailbox_new"), {**MAILBOX_FORM, "store": store.pk})
    assert "Another mailbox already has this address." in again.content.decode()


def test_mailboxes_of_another_org_are_404_and_viewers_cannot_write(
    org, store, user, outsider, client_for, member_with_role
):
    from apps.support.services.channels import mailbox_create

    box = mailbox_create(org=org, store=store, address="a@b.example")
    url = reverse("support:mailbox_edit", args=[box.pk])
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).post(url, {"poll": "1"}).status_code == 404
    viewer = client_for(member_with_role(Role.VIEWER))
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {**MAILBOX_FORM, "store": store.pk}).status_code == 404


def test_sla_settings_page_shows_the_default_working_day_before_anything_is_saved(user, client_for):
    html = client_for(user).get(reverse("support:sla_settings")).content.decode()
    assert 'name="day_start" value="09:00"' in html and 'name="day_end" value="18:00"' in html
