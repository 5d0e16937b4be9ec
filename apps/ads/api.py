"""REST API of ads: upload reports, read campaigns (with window metrics and target ACoS),
daily metrics and recommendations, run the rules, download the approved bulk file.

Every endpoint is tenant-scoped: a store, campaign or draft of another organization answers 404
exactly like an id nobody has. Uploads are multipart (`file`, `store`), bounded in size.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import TenantViewSet, request_actor
from apps.core.bounds import IdField
from apps.core.errors import ValidationFailed
from apps.integrations.tabular.errors import TabularFormatError
from apps.review.models import Draft

from . import selectors
from .bulk_export import bulk_export, bulk_export_mark_uploaded
from .bulk_import import bulk_file_import
from .drafts import KIND
from .import_jobs import search_terms_import_start
from .models import Campaign
from .reasons import rationale_label
from .recommendations import recommendations_start
from .targets import campaign_target_override, campaign_targets
from .translation import draft_term, translation_json, translations_for

UPLOAD_MAX_BYTES = 200 * 1024 * 1024
MAX_DAYS = 366
MARK_MAX = 100_000  # the dashboard's bound on one form


class UploadSerializer(serializers.Serializer):
    store = IdField()
    file = serializers.FileField(max_length=255)

    def validate_file(self, value):
        if value.size > UPLOAD_MAX_BYTES:
            raise serializers.ValidationError("The file is larger than 200 MB.")
        return value


class WindowSerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    campaign = IdField(required=False)

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and (end < start or (end - start).days > MAX_DAYS):
            raise serializers.ValidationError(f"end must be after start, at most {MAX_DAYS} days.")
        return attrs


class CampaignSerializer(serializers.ModelSerializer):
    daily_budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "store",
            "amazon_id",
            "name",
            "campaign_type",
            "targeting",
            "daily_budget",
            "currency",
            "bidding_strategy",
            "state",
            "portfolio",
            "start_date",
            "target_acos_override",
        ]


def _window(org, params) -> tuple[date, date] | None:
    body = WindowSerializer(data=params)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    span = selectors.data_window(org=org, days=30)
    if span is None and not data.get("end"):
        return None
    end = data.get("end") or span[1]
    start = data.get("start") or end - timedelta(days=29)
    return start, end


class TargetOverrideSerializer(serializers.Serializer):
    target_acos_override = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.5"),
        max_value=Decimal(200),
        allow_null=True,
        help_text="A manager's target ACoS (%) for the campaign; null: the target derived "
        "from the cost model and the profit goal.",
    )


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Campaigns learned from bulk files and reports; PATCH sets or clears a campaign's target
    ACoS override (the campaign page's form)."""

    queryset = Campaign.objects.none()
    serializer_class = CampaignSerializer
    ordering = ["name"]

    def scope_queryset(self, queryset):
        return queryset.order_by("store_id", "name")

    @extend_schema(request=TargetOverrideSerializer, responses=CampaignSerializer)
    def partial_update(self, request, pk=None):
        """Override the campaign's target ACoS (0.5–200 %, two decimals), or clear it with
        null. Send `If-Match` with the ETag of your GET to change only what you read (412
        otherwise). The recommendation rules use the new target from their next run."""
        campaign = self.get_object()
        body = TargetOverrideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        campaign = campaign_target_override(
            org=self.org,
            actor=request_actor(request),
            campaign_id=campaign.pk,
            target_acos=body.validated_data["target_acos_override"],
        )
        return Response(CampaignSerializer(campaign).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="Default: end - 29 days"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Default: the last day of data"),
        ],
        responses=inline_serializer(
            "CampaignMetrics",
            {
                "campaign": serializers.IntegerField(),
                "currency": serializers.CharField(),
                "target": serializers.DictField(help_text="Target ACoS and where it comes from"),
                "days": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    @action(detail=True, methods=["get"])
    def metrics(self, request, pk=None):
        """Daily spend, sales, clicks and orders of the campaign (`start`, `end`; default the
        last 30 days of data) and its target ACoS with where it comes from."""
        campaign = self.get_object()
        span = _window(self.org, request.query_params)
        target = campaign_targets(org=self.org, campaign_ids=[campaign.pk])[campaign.pk]
        days = (
            []
            if span is None
            else selectors.campaign_daily(
                org=self.org, campaign_id=campaign.pk, start=span[0], end=span[1]
            )
        )
        return Response(
            {
                "campaign": campaign.pk,
                "currency": campaign.currency,
                "target": {**target.as_evidence(), "override_by": target.override_by or None},
                "days": [{k: (str(v) if k != "day" else v) for k, v in d.items()} for d in days],
            }
        )


@extend_schema_serializer(many=False)  # a list action answering one object: not an array
class SearchTermWindowSerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    results = serializers.ListField(child=serializers.DictField())
    total = serializers.DictField()


class SearchTermMetricsViewSet(TenantViewSet):
    """Search terms over a window (`start`, `end`, optional `campaign`), top 500 by spend."""

    queryset = Campaign.objects.none()
    serializer_class = WindowSerializer
    pagination_class = None  # one window, top 500 by spend, with its totals: not paged

    @extend_schema(
        parameters=[WindowSerializer],
        responses=SearchTermWindowSerializer,
    )
    def list(self, request):
        span = _window(self.org, request.query_params)
        if span is None:
            return Response({"results": [], "total": {}})
        campaign = request.query_params.get("campaign")
        rows, total = selectors.search_term_list(
            org=self.org,
            start=span[0],
            end=span[1],
            campaign_id=int(campaign) if campaign and campaign.isdigit() else None,
            limit=500,
        )
        keep = {
            "campaign_id",
            "clicks",
            "impressions",
            "orders",
            "search_term",
            "campaign",
            "ad_group",
            "currency",
            "n",
        }

        def clean(d: dict) -> dict:
            return {k: v if v is None or k in keep else str(v) for k, v in d.items()}

        found = translations_for(org=self.org, terms=[r["search_term"] for r in rows])
        return Response(
            {
                "start": span[0],
                "end": span[1],
                "results": [
                    {**clean(r), **translation_json(found.get(r["search_term"]))} for r in rows
                ],
                "total": clean(total),
            }
        )


class RecommendationSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="target_id")
    # `rationale` is the rule's code; this is its sentence in the request's language.
    rationale_text = serializers.SerializerMethodField()

    # The search term the recommendation is about, translated for the operator (null when
    # not translated yet; `status` failed with the reason when the model call failed).
    term_translation = serializers.SerializerMethodField()

    def get_rationale_text(self, draft) -> str:
        return rationale_label(draft) or draft.rationale

    def get_term_translation(self, draft) -> dict | None:
        term = draft_term(draft)
        if not term:
            return None
        found = self.context.get("_translations")
        if found is None:  # once per page: every draft of the list in one query
            parent = getattr(self, "parent", None)
            drafts = list(parent.instance) if parent is not None else [draft]
            org = self.context["view"].org
            found = translations_for(org=org, terms=[draft_term(d) for d in drafts])
            self.context["_translations"] = found
        return {"term": term, **translation_json(found.get(term))}

    class Meta:
        model = Draft
        fields = [
            "id",
            "campaign",
            "status",
            "title",
            "category",
            "current",
            "proposed",
            "rationale",
            "rationale_text",
            "term_translation",
            "evidence",
            "priority",
            "created_at",
        ]


class RecommendationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Recommendations: the `ad_change` drafts (pending by default; `status` to filter). Approve
    or reject them through the review API (/api/v1/drafts/)."""

    queryset = Draft.objects.none()
    serializer_class = RecommendationSerializer

    def scope_queryset(self, queryset):
        qs = queryset.filter(kind=KIND).order_by("target_id", "-priority", "id")
        status = self.request.query_params.get("status", "pending")
        return qs.filter(status=status[:16])

    @extend_schema(
        request=None,
        responses={
            202: inline_serializer(
                "AdsRunQueued",
                {"job": serializers.IntegerField(), "status_url": serializers.CharField()},
            )
        },
    )
    @action(detail=False, methods=["post"])
    def run(self, request):
        """Queue a run of every rule on the worker (the previous run's open drafts are
        superseded when it writes); follow the job at `status_url`. 409 while one runs."""
        job = recommendations_start(org=self.org, actor=request_actor(request))
        return Response({"job": job.pk, "status_url": f"/api/v1/jobs/{job.pk}/"}, status=202)


class ReportUploadViewSet(TenantViewSet):
    """Upload a search-term report (XLSX/CSV) or a bulk-operations file (XLSX) for a store."""

    queryset = Campaign.objects.none()
    serializer_class = UploadSerializer

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            202: inline_serializer(
                "AdsImportQueued",
                {"job": serializers.IntegerField(), "status_url": serializers.CharField()},
            )
        },
    )
    @action(detail=False, methods=["post"], url_path="search-terms")
    def search_terms(self, request):
        """Queue the import of a search-term report (XLSX/CSV) into a store; follow the job at
        `status_url`: its result holds the counts and the line-numbered errors, and a file
        that is not such a report fails the job with the reason."""
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        job = search_terms_import_start(
            org=self.org, actor=request_actor(request), store_id=body.validated_data["store"],
            upload=upload, filename=upload.name,
        )  # fmt: skip
        return Response({"job": job.pk, "status_url": f"/api/v1/jobs/{job.pk}/"}, status=202)

    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        try:
            result = bulk_file_import(
                org=self.org, store_id=body.validated_data["store"], data=upload.file,
                filename=upload.name, actor=request_actor(request),
            )  # fmt: skip
        except TabularFormatError as exc:
            raise ValidationFailed(str(exc), field="file") from exc
        return Response(result.as_dict())


class MarkUploadedSerializer(serializers.Serializer):
    changes = serializers.ListField(
        child=IdField(), min_length=1, max_length=MARK_MAX, help_text="Ids of bulk-file changes"
    )


class BulkFileViewSet(TenantViewSet):
    """The approved changes not yet uploaded, as a bulk-operations XLSX (`?format=json` for
    what it holds and what was left out, with reasons)."""

    queryset = Campaign.objects.none()
    serializer_class = WindowSerializer
    write_role = "manager"
    read_role = "manager"

    def list(self, request):
        out = bulk_export(org=self.org)
        if request.query_params.get("info") == "1":
            return Response({"rows": out.rows, "changes": out.change_ids, "left_out": out.left_out})
        response = HttpResponse(
            out.content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="sp-bulk.xlsx"'
        return response

    @extend_schema(
        request=MarkUploadedSerializer,
        responses=inline_serializer("AdsChangesMarked", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"])
    def uploaded(self, request):
        """Mark changes of the bulk file as uploaded to Amazon (the ids are `changes` of
        `?info=1`): they leave the next bulk file. `marked` counts those marked now; changes
        marked before stay as they were. An id that is no change of yours is a 400 naming it,
        and nothing is marked."""
        body = MarkUploadedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        marked = bulk_export_mark_uploaded(
            org=self.org, change_ids=body.validated_data["changes"], refuse_unknown=True
        )
        return Response({"marked": marked})
