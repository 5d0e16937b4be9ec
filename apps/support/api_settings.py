"""REST API of the inbox's set-up: the stores' relay mailboxes (IMAP/SMTP settings; passwords
write-only, stored encrypted, never answered) and the team's SLA clock settings (one row per
organization: GET answers an ETag, PUT honours If-Match). Both call the services the dashboard
pages call, so the API and the pages validate alike."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.catalog.models import Store
from apps.core.api import (
    OrgPrimaryKeyRelatedField,
    ServiceViewSet,
    TenantViewSet,
    request_actor,
    write_schemas,
)

from . import sla
from .models import Mailbox, SlaSettings
from .services import team
from .services.channels import HOST_MAX, PORT_MAX, PORT_MIN, mailbox_save
from .services.ingest import sla_settings_get

# Relay mailboxes --------------------------------------------------------------------------------


class MailboxSerializer(serializers.ModelSerializer):
    store_name = serializers.CharField(source="store.name", read_only=True)
    has_imap_password = serializers.SerializerMethodField()
    has_smtp_password = serializers.SerializerMethodField()

    class Meta:
        model = Mailbox
        fields = ["id", "store", "store_name", "address", "imap_host", "imap_port", "imap_ssl",
                  "imap_username", "imap_folder", "smtp_host", "smtp_port", "smtp_starttls",
                  "smtp_username", "is_active", "has_imap_password", "has_smtp_password",
                  "last_uid", "last_polled_at", "last_error"]  # fmt: skip
        read_only_fields = fields

    def get_has_imap_password(self, obj) -> bool:
        return bool(obj.imap_password_encrypted)

    def get_has_smtp_password(self, obj) -> bool:
        return bool(obj.smtp_password_encrypted)


def _port(default: int) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=PORT_MIN, max_value=PORT_MAX, default=default)


def _host() -> serializers.CharField:
    return serializers.CharField(
        max_length=HOST_MAX,
        required=False,
        allow_blank=True,
        help_text="A host name or an IP address (empty: not configured).",
    )


def _secret() -> serializers.CharField:
    return serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        write_only=True,
        trim_whitespace=False,
        help_text="Write-only: stored encrypted, never answered. Empty or absent: keep the "
        "stored one.",
    )


class MailboxInputSerializer(serializers.Serializer):
    store = OrgPrimaryKeyRelatedField(queryset=Store.objects.all())
    address = serializers.EmailField(max_length=254)
    imap_host = _host()
    imap_port = _port(993)
    imap_ssl = serializers.BooleanField(default=True)
    imap_username = serializers.CharField(max_length=255, required=False, allow_blank=True)
    imap_password = _secret()
    imap_folder = serializers.CharField(max_length=100, default="INBOX")
    smtp_host = _host()
    smtp_port = _port(587)
    smtp_starttls = serializers.BooleanField(default=True)
    smtp_username = serializers.CharField(max_length=255, required=False, allow_blank=True)
    smtp_password = _secret()
    is_active = serializers.BooleanField(default=True)


@extend_schema_view(**write_schemas(MailboxSerializer))
class MailboxViewSet(ServiceViewSet):
    """A store's relay mailbox: IMAP in (polled by UID), SMTP out. POST connects one, PUT/PATCH
    change its settings or credentials (a changed server or folder is read from the start
    again). Passwords are write-only. A store of another organization is a 400 like a store
    nobody has; another organization's mailbox is a 404."""

    queryset = Mailbox.objects.all()
    serializer_class = MailboxSerializer
    create_serializer_class = MailboxInputSerializer
    update_serializer_class = MailboxInputSerializer
    filterset_fields = ["store", "is_active"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def scope_queryset(self, queryset):
        return queryset.select_related("store").order_by("id")

    def create_object(self, data):
        return mailbox_save(org=self.org, mailbox=None, **data)

    def update_object(self, instance, data, expected_version):
        data.setdefault("store", instance.store)
        return mailbox_save(org=self.org, mailbox=instance, **data)

    @extend_schema(
        request=None,
        responses={
            202: inline_serializer("MailboxPollScheduled", {"mailbox": serializers.IntegerField()})
        },
    )
    @action(detail=True, methods=["post"])
    def poll(self, request, pk=None):
        """Read the mailbox now (in the background; the result shows in `last_polled_at`,
        `last_uid` and `last_error`), as the mailbox page's button does."""
        from .tasks import mailbox_poll_task

        mailbox = self.get_object()
        mailbox_poll_task.delay(self.org.pk, mailbox.pk)
        return Response({"mailbox": mailbox.pk}, status=status.HTTP_202_ACCEPTED)


# SLA settings ---------------------------------------------------------------------------------

_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class SlaSettingsSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=SlaSettings.Mode.choices)
    hours = serializers.IntegerField(min_value=1, max_value=240)
    time_zone = serializers.CharField(max_length=64, help_text="An IANA zone: Asia/Shanghai")
    holiday_country = serializers.CharField(
        max_length=8, allow_blank=True, help_text="ISO country of the public holidays (business "
        "hours); empty: none"
    )  # fmt: skip
    day_start = serializers.RegexField(_HHMM, max_length=5, help_text="HH:MM, team time zone")
    day_end = serializers.RegexField(_HHMM, max_length=5, help_text="HH:MM, after day_start")
    operator_language = serializers.ChoiceField(choices=team.OPERATOR_LANGUAGES, required=False)


def _sla_data(row: SlaSettings) -> dict:
    return {
        "mode": row.mode,
        "hours": row.hours,
        "time_zone": row.time_zone,
        "holiday_country": row.holiday_country,
        "day_start": sla.as_time(row.day_start).strftime("%H:%M"),
        "day_end": sla.as_time(row.day_end).strftime("%H:%M"),
        "operator_language": row.operator_language,
    }


class SlaSettingsViewSet(TenantViewSet):
    """GET/PUT support/sla-settings/: the team's SLA clock. GET answers an ETag; a PUT with
    If-Match runs only if the settings are still the ones read (412 otherwise). Saving moves the
    due time of every open, unanswered conversation to the new clock."""

    queryset = SlaSettings.objects.all()
    serializer_class = SlaSettingsSerializer
    pagination_class = None

    def _supports_etag(self) -> bool:
        return True  # one row per organization: the URL names it without an id

    @extend_schema(responses=SlaSettingsSerializer)
    def retrieve(self, request):
        return Response(_sla_data(sla_settings_get(org=self.org)))

    @extend_schema(request=SlaSettingsSerializer, responses=SlaSettingsSerializer)
    def update(self, request):
        data = SlaSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.setdefault("operator_language", sla_settings_get(org=self.org).operator_language)
        row = team.sla_settings_save(org=self.org, actor=request_actor(request), **values)
        return Response(_sla_data(row))
