"""REST API of webhooks: subscriptions (the secret is shown on create and on rotation only),
their deliveries with the attempt log, and manual redelivery. Scope module: `imports`."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import FILTERS, ServiceViewSet, TenantViewSet
from apps.core.events import EVENTS

from . import webhooks
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription

EVENT_CHOICES = sorted(EVENTS)


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES))
    secret_rotating = serializers.SerializerMethodField()

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "events",
            "description",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "secret_rotating",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_secret_rotating(self, obj) -> bool:
        """True while the previous secret still signs (a second v1 signature)."""
        return bool(obj.previous_secret and obj.previous_secret_until)


class WebhookSubscriptionWithSecretSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret: shown now only, store it."
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSubscriptionInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES), min_length=1, max_length=20
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "error", "duration_ms", "response_excerpt"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="event.event", read_only=True)
    payload = serializers.JSONField(source="event.payload", read_only=True)
    log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription",
            "event",
            "event_type",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "created_at",
            "log",
        ]
        read_only_fields = fields


class WebhookSubscriptionViewSet(ServiceViewSet):
    """Webhook subscriptions of the organization (managers and owners write)."""

    queryset = WebhookSubscription.objects.none()
    serializer_class = WebhookSubscriptionSerializer
    create_serializer_class = WebhookSubscriptionInputSerializer
    update_serializer_class = WebhookSubscriptionInputSerializer
    filter_backends = FILTERS
    filterset_fields = ["is_active"]
    ordering_fields = ["created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(request=WebhookSubscriptionInputSerializer,
                   responses={201: WebhookSubscriptionWithSecretSerializer})  # fmt: skip
    def create(self, request, *args, **kwargs):
        serializer = WebhookSubscriptionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("is_active", None)
        sub = webhooks.webhook_subscription_create(org=self.org, actor=self.actor, **data)
        body = WebhookSubscriptionWithSecretSerializer(sub).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookSubscriptionInputSerializer,
                   responses=WebhookSubscriptionSerializer)  # fmt: skip
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def update_object(self, instance, data, expected_version):
        return webhooks.webhook_subscription_update(
            org=self.org, subscription_id=instance.pk, **data
        )

    def delete_object(self, instance) -> None:
        webhooks.webhook_subscription_delete(org=self.org, subscription_id=instance.pk)

    @extend_schema(request=None, responses=WebhookSubscriptionWithSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new signing secret (shown once); the old one keeps signing for the overlap."""
        sub = self.get_object()
        sub = webhooks.webhook_secret_rotate(org=self.org, subscription_id=sub.pk)
        return Response(WebhookSubscriptionWithSecretSerializer(sub).data)


class WebhookDeliveryFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=WebhookDelivery.Status.choices)
    subscription = filters.NumberFilter(field_name="subscription_id")
    event_type = filters.ChoiceFilter(
        field_name="event__event", choices=[(e, e) for e in sorted(EVENTS)]
    )

    class Meta:
        model = WebhookDelivery
        fields = ["status", "subscription", "event_type"]


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Deliveries with their attempt log (response codes); redeliver sends one again."""

    queryset = WebhookDelivery.objects.none()
    serializer_class = WebhookDeliverySerializer
    filter_backends = FILTERS
    filterset_class = WebhookDeliveryFilter
    ordering_fields = ["created_at", "next_attempt_at"]

    def scope_queryset(self, queryset):
        return queryset.select_related("event").prefetch_related("log").order_by("-created_at")

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        delivery = webhooks.webhook_redeliver(org=self.org, delivery_id=self.get_object().pk)
        delivery = self.get_queryset().get(pk=delivery.pk)
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)
