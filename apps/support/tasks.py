"""Support tasks (queue "default"): mailbox polling fanned out by beat, one task per mailbox,
and sending an approved reply."""

from __future__ import annotations

import imaplib
import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="apps.support.tasks.mailboxes_poll_due_task", ignore_result=True)
def mailboxes_poll_due_task() -> int:
    """Fan out: one poll task per active mailbox with an IMAP server."""
    from .models import Mailbox

    ids = list(
        Mailbox.objects.unscoped()
        .filter(is_active=True)
        .exclude(imap_host="")
        .values_list("organization_id", "pk")
    )
    for org_id, mailbox_id in ids:
        mailbox_poll_task.delay(org_id, mailbox_id)
    return len(ids)


@shared_task(
    name="apps.support.tasks.mailbox_poll_task",
    ignore_result=True,
    acks_late=True,
    time_limit=600,
    soft_time_limit=570,
)
def mailbox_poll_task(org_id: int, mailbox_id: int) -> dict:
    from apps.accounts.models import Organization

    from .models import Mailbox
    from .services.channels import mailbox_poll

    org = Organization.objects.filter(pk=org_id).first()
    mailbox = (
        Mailbox.objects.for_org(org).select_related("store").filter(pk=mailbox_id).first()
        if org
        else None
    )
    if mailbox is None:
        return {"skipped": "gone"}
    try:
        return mailbox_poll(mailbox=mailbox)
    except (
        OSError,
        imaplib.IMAP4.error,
        ValueError,
    ) as exc:  # kept on the mailbox; next beat retries
        log.warning("polling mailbox %s failed: %s", mailbox_id, exc)
        return {"error": str(exc)[:300]}


@shared_task(
    name="apps.support.tasks.outbound_message_send_task",
    ignore_result=True,
    acks_late=True,
    time_limit=120,
)
def outbound_message_send_task(message_id: int) -> str:
    from .models import Message
    from .services.channels import outbound_message_send

    message = (
        Message.objects.unscoped()
        .select_related("conversation", "organization")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return "gone"
    return outbound_message_send(message=message).send_status


@shared_task(
    name="apps.support.tasks.messages_understand_task",
    ignore_result=True,
    acks_late=True,
    time_limit=60 * 20,
    soft_time_limit=60 * 19,
)
def messages_understand_task(org_id: int, message_ids: list[int]) -> dict:
    """The model's translation, intent and sentiment of inbound messages (sent to queue "ai"); a
    message it fails on keeps its offline reading. Idempotent: a redelivery reads them again."""
    from apps.accounts.models import Organization
    from apps.ai.services import BudgetExceeded

    from .understanding_llm import messages_understand

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return {"skipped": "organization deleted"}
    try:
        return messages_understand(org=org, message_ids=message_ids)
    except BudgetExceeded as exc:  # the offline reading stays; nothing to retry this month
        log.warning("understanding skipped for org %s: %s", org_id, exc)
        return {"skipped": "budget"}


@shared_task(
    name="apps.support.tasks.offline_readings_reread_task",
    ignore_result=True,
    time_limit=300,
    soft_time_limit=280,
)
def offline_readings_reread_task() -> dict:
    """Beat: for each organization with an LLM endpoint, queue the model's reading of at most
    REREAD_MAX messages read offline in recent open conversations (apps.support.services.reread).
    Idempotent: read messages are labelled `llm` and queued ones are marked for a while."""
    from apps.accounts.models import Organization

    from .services.reread import offline_readings_reread, organizations_with_offline_readings

    queued = {}
    for org in Organization.objects.filter(pk__in=organizations_with_offline_readings()):
        try:
            n = offline_readings_reread(org=org)
        except Exception:  # one organization's failure does not stop the others
            log.exception("re-reading offline messages of org %s failed", org.pk)
            continue
        if n:
            queued[org.pk] = n
    return queued
