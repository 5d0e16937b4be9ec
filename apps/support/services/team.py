"""The team's side of the inbox: SLA settings (recomputing open clocks) and assignees."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django.db import transaction

from apps.core.errors import ValidationFailed

from .. import sla
from ..models import Conversation, Message, SlaSettings
from .ingest import calendar_for, sla_settings_get

OPERATOR_LANGUAGES = ("zh-Hans", "en")


def holiday_countries() -> list[str]:
    return sorted(holidays_lib.list_supported_countries())


def _time(value, field: str) -> time:
    if isinstance(value, time):
        return value
    try:
        hour, minute = str(value or "").split(":")[:2]
        return time(int(hour), int(minute))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("Give a time as HH:MM.", field=field) from exc


def _valid(mode, hours, time_zone, holiday_country, day_start, day_end, operator_language):
    if mode not in SlaSettings.Mode.values:
        raise ValidationFailed("Choose calendar hours or business hours.", field="mode")
    try:
        hours = int(hours)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("Hours must be a whole number.", field="hours") from exc
    if not 1 <= hours <= 240:
        raise ValidationFailed("Hours must be between 1 and 240.", field="hours")
    time_zone = str(time_zone or "").strip()[:64]
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(
            "Unknown time zone (e.g. Asia/Shanghai).", field="time_zone"
        ) from exc
    holiday_country = str(holiday_country or "").strip().upper()[:8]
    if holiday_country and holiday_country not in holidays_lib.list_supported_countries():
        raise ValidationFailed("Unknown holiday country.", field="holiday_country")
    start, end = _time(day_start, "day_start"), _time(day_end, "day_end")
    if start >= end:
        raise ValidationFailed("The working day must end after it starts.", field="day_end")
    if operator_language not in OPERATOR_LANGUAGES:
        raise ValidationFailed("Unknown operator language.", field="operator_language")
    return {
        "mode": mode,
        "hours": hours,
        "time_zone": time_zone,
        "holiday_country": holiday_country,
        "day_start": start,
        "day_end": end,
        "operator_language": operator_language,
    }


@transaction.atomic
def sla_settings_save(
    *,
    org,
    actor,
    mode: str,
    hours,
    time_zone: str,
    holiday_country: str,
    day_start,
    day_end,
    operator_language: str = "zh-Hans",
) -> SlaSettings:
    """Save the team's SLA settings and move the due time of every open, unanswered
    conversation to the new clock (answered ones keep the clock they were measured by)."""
    values = _valid(mode, hours, time_zone, holiday_country, day_start, day_end, operator_language)
    row = sla_settings_get(org=org)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    open_ = list(
        Conversation.objects.for_org(org)
        .filter(status=Conversation.Status.OPEN, responded_at__isnull=True)
        .exclude(last_buyer_message_at=None)
        .only("pk", "channel", "last_buyer_message_at", "sla_due_at")
    )
    calendars: dict[str, sla.Calendar] = {}
    for convo in open_:
        if convo.channel not in calendars:
            calendars[convo.channel] = calendar_for(org=org, channel=convo.channel)
        convo.sla_due_at = sla.due_at(convo.last_buyer_message_at, calendars[convo.channel])
    Conversation.objects.bulk_update(open_, ["sla_due_at"], batch_size=1000)
    return row


def assignable_users(*, org):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(memberships__organization=org, is_active=True)
        .order_by("username")
        .distinct()
    )


@transaction.atomic
def conversation_assign(*, org, actor, conversation: Conversation, assignee_id) -> Conversation:
    """Assign the conversation to a member of the organization (None: unassign); recorded as a
    note."""
    if conversation.organization_id != org.pk:
        raise ValidationFailed("No such conversation.")
    user = None
    if assignee_id not in (None, ""):
        try:
            user = assignable_users(org=org).filter(pk=int(assignee_id)).first()
        except (TypeError, ValueError):
            user = None
        if user is None:
            raise ValidationFailed("Choose a member of this organization.", field="assignee")
    if conversation.assignee_id == (user.pk if user else None):
        return conversation
    conversation.assignee = user
    conversation.save(update_fields=["assignee", "updated_at"])
    by = getattr(actor, "username", "") or "system"
    Message.objects.create(
        organization=org,
        conversation=conversation,
        direction=Message.Direction.NOTE,
        sent_at=conversation.updated_at,
        author=actor if getattr(actor, "pk", None) else None,
        text=(f"Assigned to {user.username} by {by}." if user else f"Unassigned by {by}."),
    )
    return conversation
