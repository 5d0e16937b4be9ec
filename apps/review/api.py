"""REST API of the review queue, so an ERP or an external tool can drive it.

`GET /drafts/` (the page's filters), `GET /drafts/{id}/` (with the diff and the event log),
`POST /drafts/{id}/approve/` (optionally with an edited payload), `POST /drafts/{id}/reject/`,
`POST /drafts/bulk/` (a job), and policies per kind. Approving an already-applied draft answers
409 and changes nothing (the service decides; the exception handler renders problem+json).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import TenantViewSet
from apps.core.api_urls import JobStartedSerializer
from apps.core.bounds import IdField, JSONObjectField

from . import editing, services
from .bulk import drafts_bulk_start
from .models import Draft, DraftStatus, Policy, ReviewEvent
from .registry import all_kinds, back_translation_stale, is_flagged
from .selectors import DraftFilters, draft_diff


class DraftFilter(filters.FilterSet):
    kind = filters.CharFilter()
    status = filters.ChoiceFilter(choices=DraftStatus.choices)
    store = filters.NumberFilter(field_name="store_id")
    marketplace = filters.CharFilter()
    language = filters.CharFilter()
    older_than_hours = filters.NumberFilter(method="filter_age", label="Older than (hours)")
    search = filters.CharFilter(field_name="title", lookup_expr="icontains")
    flagged = filters.BooleanFilter(
        method="filter_flagged", label="Only drafts a check flagged for a person"
    )

    class Meta:
        model = Draft
        fields = ["kind", "status", "store", "marketplace", "language"]

    def filter_age(self, queryset, name, value):
        return queryset.filter(created_at__lt=timezone.now() - timedelta(hours=float(value)))

    def filter_flagged(self, queryset, name, value):
        """Same test as the queue's badge (`registry.is_flagged`): a check carrying `flag`."""
        flagged = Q(checks__contains=[{"flag": True}])
        return queryset.filter(flagged if value else ~flagged)


class DraftSerializer(serializers.ModelSerializer):
    target_type = serializers.CharField(source="target_type.model", read_only=True)
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", default=None, allow_null=True, read_only=True
    )
    model = serializers.CharField(source="model_name")
    cost = serializers.DecimalField(max_digits=14, decimal_places=6, coerce_to_string=True)
    flagged = serializers.SerializerMethodField()
    back_translation_stale = serializers.SerializerMethodField(
        help_text="The text was edited after it was translated back: the back-translation "
        "describes the old text (back-translate again, or approve with confirm_edited_text)."
    )

    class Meta:
        model = Draft
        fields = [
            "id",
            "kind",
            "status",
            "target_type",
            "target_id",
            "target_version",
            "unique_key",
            "title",
            "store_id",
            "marketplace",
            "language",
            "category",
            "current",
            "proposed",
            "final",
            "rationale",
            "evidence",
            "checks",
            "flagged",
            "back_translation_stale",
            "error",
            "provider",
            "model",
            "prompt_version",
            "tokens_in",
            "tokens_out",
            "cost",
            "cost_currency",
            "job",
            "priority",
            "due_at",
            "reviewed_by",
            "reviewed_at",
            "applied_at",
            "reject_reason",
            "edit_distance",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_flagged(self, draft: Draft) -> bool:
        """A check asks for a person (e.g. the proposal scores lower than what it replaces)."""
        return is_flagged(draft.checks)

    def get_back_translation_stale(self, draft: Draft) -> bool:
        return back_translation_stale(draft.evidence)


class ReviewEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = ReviewEvent
        fields = ["from_status", "to_status", "actor", "policy", "note", "payload", "created_at"]


class DraftDetailSerializer(DraftSerializer):
    diff = serializers.SerializerMethodField()
    events = ReviewEventSerializer(many=True, read_only=True)

    class Meta(DraftSerializer.Meta):
        fields = [*DraftSerializer.Meta.fields, "diff", "events"]
        read_only_fields = fields

    def get_diff(self, draft: Draft) -> list[dict]:
        return draft_diff(draft)


class ApproveSerializer(serializers.Serializer):
    payload = serializers.DictField(required=False, help_text="Edited fields of the proposal")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="A manager's reason to apply despite an overridable check (a price outside "
        "its floor/ceiling). Signed-in managers and owners only.",
    )
    confirm_edited_text = serializers.BooleanField(
        required=False,
        default=False,
        help_text="I have read the edited text: required when the draft's back-translation is "
        "stale (the text changed after it was translated back).",
    )


class EditSerializer(serializers.Serializer):
    payload = JSONObjectField(
        max_keys=20, max_text=8000, help_text="Edited fields of the proposal (saved, not approved)"
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=services.REJECT_REASONS)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class BulkFiltersSerializer(serializers.Serializer):
    """Which pending drafts a bulk action takes when no `ids` are given."""

    kind = serializers.CharField(required=False, allow_blank=True, max_length=64)
    store = IdField(required=False, allow_null=True)
    marketplace = serializers.CharField(required=False, allow_blank=True, max_length=64)
    language = serializers.CharField(required=False, allow_blank=True, max_length=16)


class BulkSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "reject"])
    ids = serializers.ListField(child=IdField(), required=False, max_length=100_000)
    filters = BulkFiltersSerializer(required=False)
    reason = serializers.ChoiceField(choices=services.REJECT_REASONS, required=False)


class DraftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    queryset = Draft.objects.all()
    filterset_class = DraftFilter
    ordering_fields = ["created_at", "priority", "id"]
    write_role = "reviewer"

    def scope_queryset(self, queryset):
        qs = queryset.select_related("target_type", "reviewed_by")
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__actor")
        return qs.order_by("-priority", "created_at", "id")

    def get_serializer_class(self):
        return DraftDetailSerializer if self.action == "retrieve" else DraftSerializer

    def _actor(self):
        return self.request.user if getattr(self.request.user, "pk", None) else None

    @extend_schema(request=ApproveSerializer, responses=DraftSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = self.get_object()  # 404 for another organization's id
        draft = services.draft_approve(
            org=self.org,
            actor=self._actor(),
            draft_id=draft.pk,
            edited=data.validated_data.get("payload"),
            note=data.validated_data.get("note", ""),
            override_reason=data.validated_data.get("override_reason", ""),
            confirm_edited=data.validated_data.get("confirm_edited_text", False),
        )
        return Response(DraftSerializer(draft).data)

    @extend_schema(request=EditSerializer, responses=DraftSerializer)
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Save edits on a pending draft without approving it: its checks are re-run on the
        edited payload, and evidence the edit made stale is marked (`back_translation_stale`)."""
        data = EditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = self.get_object()  # 404 for another organization's id
        draft = editing.draft_edit(
            org=self.org,
            actor=self._actor(),
            draft_id=draft.pk,
            edited=data.validated_data["payload"],
        )
        return Response(DraftSerializer(draft).data)

    @extend_schema(request=None, responses=DraftSerializer)
    @action(detail=True, methods=["post"], url_path="back-translate")
    def back_translate(self, request, pk=None):
        """Translate a pending draft's text back as it is now (replaces a stale
        back-translation); 400 when no LLM endpoint is configured or the kind has none."""
        draft = self.get_object()
        draft = editing.draft_back_translate(org=self.org, actor=self._actor(), draft_id=draft.pk)
        return Response(DraftSerializer(draft).data)

    @extend_schema(request=RejectSerializer, responses=DraftSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = self.get_object()
        draft = services.draft_reject(
            org=self.org,
            actor=self._actor(),
            draft_id=draft.pk,
            reason=data.validated_data["reason"],
            note=data.validated_data.get("note", ""),
        )
        return Response(DraftSerializer(draft).data)

    @extend_schema(request=None, responses={202: JobStartedSerializer})
    @action(detail=True, methods=["post"])
    def regenerate(self, request, pk=None):
        """Queue a fresh draft for a superseded, failed or rejected draft's target (the
        dashboard's Regenerate button): 202 with the generation job; the new draft joins the
        queue when the job has run, and this draft stays as it is. 409 for a draft in another
        status; 400 for a kind that is not regenerated (or no source to translate from)."""
        draft = self.get_object()  # 404 for another organization's id
        job = services.draft_regenerate(org=self.org, actor=self._actor(), draft_id=draft.pk)
        return Response(JobStartedSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=BulkSerializer,
        responses={
            202: inline_serializer(
                "DraftBulkStarted",
                {"job": serializers.IntegerField(), "total": serializers.IntegerField()},
            )
        },
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        data = BulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        raw = v.get("filters") or {}
        filters_ = DraftFilters(
            kind=str(raw.get("kind", "")),
            store_id=raw.get("store"),
            marketplace=str(raw.get("marketplace", "")),
            language=str(raw.get("language", "")),
        )
        job = drafts_bulk_start(
            org=self.org,
            actor=self._actor(),
            action=v["action"],
            ids=v.get("ids"),
            filters=filters_,
            reason=v.get("reason", ""),
        )
        return Response({"job": job.pk, "total": job.total}, status=status.HTTP_202_ACCEPTED)


class PolicySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=[])
    max_change_pct = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, required=False, coerce_to_string=True
    )

    options = JSONObjectField(required=False, max_keys=50)

    class Meta:
        model = Policy
        fields = ["kind", "auto_approve", "max_change_pct", "options", "updated_at"]
        read_only_fields = ["updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [k.kind for k in all_kinds()]


class PolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Auto-approve policies per draft kind. Managers and owners change them."""

    queryset = Policy.objects.all()
    serializer_class = PolicySerializer
    lookup_field = "kind"
    write_role = "manager"
    pagination_class = None

    @extend_schema(request=PolicySerializer, responses=PolicySerializer)
    def update(self, request, kind=None):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Send a JSON object of the policy's fields."]}
            )
        data = PolicySerializer(data={**request.data, "kind": kind})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        policy = services.policy_set(
            org=self.org,
            actor=request.user if getattr(request.user, "pk", None) else None,
            kind=kind,
            auto_approve=v.get("auto_approve", False),
            max_change_pct=v.get("max_change_pct"),
            options=v.get("options") or {},
        )
        return Response(PolicySerializer(policy).data)
