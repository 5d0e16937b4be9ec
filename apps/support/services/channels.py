"""Mail channels: a store's mailbox (credentials encrypted at rest), IMAP polling by UID and
SMTP sending with threading headers.

Polling asks for `UID <last+1>:*` only and remembers the highest UID read and the folder's
UIDVALIDITY (a new UIDVALIDITY means the server renumbered: start over, Message-ID dedupe keeps
the conversations clean). Nothing is marked or deleted on the server."""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.errors import ValidationFailed

from .. import crypto
from ..models import Mailbox, Message
from .ingest import mail_ingest

logger = logging.getLogger(__name__)
POLL_BATCH = 200
TIMEOUT = 30


def mailbox_create(
    *, org, store, address: str, imap_password: str = "", smtp_password: str = "", **fields
) -> Mailbox:
    if store.organization_id != org.pk:
        raise ValidationFailed("No such store.", field="store")
    mailbox = Mailbox(organization=org, store=store, address=address.strip().lower(), **fields)
    mailbox.imap_password_encrypted = crypto.encrypt(imap_password)
    mailbox.smtp_password_encrypted = crypto.encrypt(smtp_password)
    try:
        mailbox.full_clean(exclude=["organization", "store"])
    except DjangoValidationError as exc:
        raise ValidationFailed(_first_error(exc)) from exc
    mailbox.save()
    return mailbox


MAILBOX_FIELDS = (
    "address",
    "imap_host",
    "imap_port",
    "imap_ssl",
    "imap_username",
    "imap_folder",
    "smtp_host",
    "smtp_port",
    "smtp_starttls",
    "smtp_username",
    "is_active",
)


PORT_MIN, PORT_MAX = 1, 65535
HOST_MAX = 253
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})*\.?")


def mailbox_host_clean(value, field: str) -> str:
    """A host name or an IP address (empty: not configured); anything else is refused."""
    host = str(value or "").strip()
    if not host:
        return ""
    if len(host) <= HOST_MAX and _HOST_NAME.fullmatch(host):
        return host.lower()
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError as exc:
        raise ValidationFailed("Give a host name or an IP address.", field=field) from exc


def mailbox_port_clean(value, field: str) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("A port is a whole number.", field=field) from exc
    if not PORT_MIN <= port <= PORT_MAX:
        raise ValidationFailed("A port is between 1 and 65535.", field=field)
    return port


def _mailbox_fields_clean(fields: dict) -> dict:
    fields = {k: v for k, v in fields.items() if k in MAILBOX_FIELDS}
    for name in ("imap_host", "smtp_host"):
        if name in fields:
            fields[name] = mailbox_host_clean(fields[name], name)
    for name in ("imap_port", "smtp_port"):
        if name in fields:
            fields[name] = mailbox_port_clean(fields[name], name)
    return fields


@transaction.atomic
def mailbox_save(
    *,
    org,
    mailbox: Mailbox | None,
    store,
    imap_password: str = "",
    smtp_password: str = "",
    **fields,
) -> Mailbox:
    """Create or change a store's mailbox. A password left empty keeps the stored one; a new
    one is stored encrypted and never shown back. Changing the server or folder reads the
    folder from the start again (Message-ID dedupe stores nothing twice). Hosts must be host
    names or IP addresses, ports 1–65535 (the dashboard and the API share these checks)."""
    if store is None or store.organization_id != org.pk:
        raise ValidationFailed("Choose one of your stores.", field="store")
    fields = _mailbox_fields_clean(fields)
    address = str(fields.get("address") or (mailbox.address if mailbox else "")).strip().lower()
    taken = Mailbox.objects.for_org(org).filter(address=address)
    if mailbox is not None:
        taken = taken.exclude(pk=mailbox.pk)
    if taken.exists():
        raise ValidationFailed("Another mailbox already has this address.", field="address")
    if mailbox is None:
        return mailbox_create(
            org=org, store=store, imap_password=imap_password, smtp_password=smtp_password, **fields
        )
    if mailbox.organization_id != org.pk:
        raise ValidationFailed("No such mailbox.")
    moved = any(
        str(fields.get(k, getattr(mailbox, k))) != str(getattr(mailbox, k))
        for k in ("imap_host", "imap_port", "imap_username", "imap_folder")
    )
    for name, value in fields.items():
        setattr(mailbox, name, value)
    mailbox.store = store
    mailbox.address = mailbox.address.strip().lower()
    if imap_password:
        mailbox.imap_password_encrypted = crypto.encrypt(imap_password)
    if smtp_password:
        mailbox.smtp_password_encrypted = crypto.encrypt(smtp_password)
    if moved:
        mailbox.last_uid, mailbox.uid_validity = 0, None
    try:
        mailbox.full_clean(exclude=["organization", "store"])
    except DjangoValidationError as exc:
        raise ValidationFailed(_first_error(exc)) from exc
    mailbox.save()
    return mailbox


def _first_error(exc) -> str:
    messages = getattr(exc, "message_dict", None) or {}
    for field, errors in messages.items():
        return f"{field}: {errors[0]}"
    return str(exc)[:300]


def mailbox_set_passwords(*, mailbox: Mailbox, imap_password=None, smtp_password=None) -> None:
    if imap_password is not None:
        mailbox.imap_password_encrypted = crypto.encrypt(imap_password)
    if smtp_password is not None:
        mailbox.smtp_password_encrypted = crypto.encrypt(smtp_password)
    mailbox.save()


def _imap(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.imap_ssl:
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            mailbox.imap_host, mailbox.imap_port, timeout=TIMEOUT
        )
    else:
        client = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=TIMEOUT)
    client.login(mailbox.imap_username, crypto.decrypt(mailbox.imap_password_encrypted))
    return client


def _uid_validity(client: imaplib.IMAP4, folder: str) -> int:
    typ, _data = client.select(f'"{folder}"', readonly=True)
    if typ != "OK":
        raise imaplib.IMAP4.error(f"cannot select {folder}")
    _, values = client.response("UIDVALIDITY")
    return int(values[0]) if values and values[0] else 0


def mailbox_poll(*, mailbox: Mailbox) -> dict:
    """Fetch new mails by UID and ingest them. Returns counts; errors are kept on the mailbox."""
    org = mailbox.organization
    stats = {"fetched": 0, "created": 0, "duplicates": 0, "failed": 0}
    try:
        client = _imap(mailbox)
    except (OSError, imaplib.IMAP4.error, ValueError) as exc:
        Mailbox.objects.for_org(org).filter(pk=mailbox.pk).update(last_error=str(exc)[:2000])
        raise
    try:
        validity = _uid_validity(client, mailbox.imap_folder)
        last = mailbox.last_uid if mailbox.uid_validity == validity else 0
        _typ, data = client.uid("SEARCH", None, f"UID {last + 1}:*")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > last)[:POLL_BATCH]
        for uid in uids:
            _typ, parts = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple)), None)
            stats["fetched"] += 1
            if raw:
                try:
                    result = mail_ingest(org=org, store=mailbox.store, raw=raw)
                    stats["created" if result.created else "duplicates"] += 1
                except ValidationFailed:
                    stats["failed"] += 1
            last = max(last, uid)
            # Remember progress mail by mail: a crash re-reads at most one mail (deduped).
            Mailbox.objects.for_org(org).filter(pk=mailbox.pk).update(
                last_uid=last, uid_validity=validity
            )
        Mailbox.objects.for_org(org).filter(pk=mailbox.pk).update(
            last_uid=last, uid_validity=validity, last_polled_at=timezone.now(), last_error=""
        )
        mailbox.last_uid, mailbox.uid_validity = last, validity
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return stats


def _outbound_mail(mailbox: Mailbox, message: Message) -> EmailMessage:
    conversation = message.conversation
    inbound = list(
        conversation.messages.filter(direction=Message.Direction.INBOUND)
        .exclude(message_id="")
        .order_by("sent_at", "id")
    )
    mail = EmailMessage()
    mail["From"] = mailbox.address
    mail["To"] = conversation.buyer_alias
    subject = conversation.subject or "Your message"
    mail["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message.message_id
    if inbound:
        last = inbound[-1]
        mail["In-Reply-To"] = last.message_id
        chain = (last.references.split() if last.references else []) + [
            m.message_id for m in inbound
        ]
        mail["References"] = " ".join(dict.fromkeys(chain))
    mail.set_content(message.text)
    for att in message.attachments.all():  # e.g. a B2B quotation's PDF
        maintype, _, subtype = (att.content_type or "application/octet-stream").partition("/")
        mail.add_attachment(
            bytes(att.data),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=att.filename,
        )
    return mail


def outbound_message_send(*, message: Message) -> Message:
    """Send one queued outbound reply by SMTP from the store's relay address."""
    if message.send_status == Message.SendStatus.SENT:
        return message
    conversation = message.conversation
    mailbox = (
        Mailbox.objects.for_org(message.organization)
        .filter(store_id=conversation.store_id, is_active=True)
        .first()
    )
    if mailbox is None or not mailbox.smtp_host:
        return _send_failed(message, "The store has no mailbox with an SMTP server.")
    mail = _outbound_mail(mailbox, message)
    try:
        with smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port, timeout=TIMEOUT) as smtp:
            if mailbox.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if mailbox.smtp_username:
                smtp.login(mailbox.smtp_username, crypto.decrypt(mailbox.smtp_password_encrypted))
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        return _send_failed(message, f"{type(exc).__name__}: {exc}")
    message.send_status, message.send_error = Message.SendStatus.SENT, ""
    message.in_reply_to = str(mail["In-Reply-To"] or "")
    message.references = str(mail["References"] or "")
    message.save(
        update_fields=["send_status", "send_error", "in_reply_to", "references", "updated_at"]
    )
    return message


def _send_failed(message: Message, error: str) -> Message:
    logger.warning("support reply %s not sent: %s", message.pk, error)
    message.send_status, message.send_error = Message.SendStatus.FAILED, error[:2000]
    message.save(update_fields=["send_status", "send_error", "updated_at"])
    return message


def new_message_id(mailbox_address: str = "") -> str:
    domain = mailbox_address.rsplit("@", 1)[-1] if "@" in mailbox_address else None
    return make_msgid(domain=domain)


def schedule_send(message_id: int) -> None:
    """After the reply's transaction commits: the Celery task sends it (queue default)."""
    from ..tasks import outbound_message_send_task

    transaction.on_commit(lambda: outbound_message_send_task.delay(message_id))
