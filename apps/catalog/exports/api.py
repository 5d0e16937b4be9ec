"""REST API of exports: start one (202 with the job), then fetch the file.

POST /api/v1/exports/ {"format": "amazon_json" | "shopify_csv" | "ebay_csv" (default: the store's),
"store": id, "operation": "UPDATE" | "PATCH" | "OFFER_ONLY"}; poll /api/v1/jobs/<id>/ (its result
lists the listings left out and why, and those sent with Amazon's fallback product type); GET
/api/v1/exports/<id>/file/ returns the file once the job has succeeded (a zip of the documents
when an Amazon feed needed more than one).

POST /api/v1/exports/listings/ starts the CSV of every listing (the dashboard's "Export
listings"); GET /api/v1/exports/listings/<id>/file/ returns it once its job has succeeded.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.catalog.exports.listings import EXPORT_KIND, export_path, listings_export_start
from apps.catalog.exports.marketplace import (
    FORMATS,
    MARKETPLACE_EXPORT_KIND,
    export_content_type,
    export_file,
    marketplace_export_start,
)
from apps.core.api import TenantViewSet, request_actor
from apps.core.api_urls import JobSerializer, JobStartedSerializer
from apps.core.bounds import IdField
from apps.core.models import Job
from apps.integrations.amazon_listings_feed.writer import OPERATIONS


class ExportInput(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=sorted(FORMATS), required=False, help_text="Default: the store's marketplace's."
    )
    store = IdField()
    operation = serializers.ChoiceField(
        choices=list(OPERATIONS),
        default="UPDATE",
        help_text="Amazon only: UPDATE (full listing), PATCH (copy and offer), OFFER_ONLY "
        "(price and quantity).",
    )


class MarketplaceExportViewSet(TenantViewSet):
    queryset = Job.objects.none()
    serializer_class = ExportInput

    def scope_queryset(self, queryset):
        return queryset.filter(kind=MARKETPLACE_EXPORT_KIND)

    @extend_schema(request=ExportInput, responses={202: JobSerializer})
    def create(self, request):
        serializer = ExportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = marketplace_export_start(
            org=self.org,
            actor=request_actor(request),
            store_id=data["store"],
            fmt=data.get("format", ""),
            operation=data["operation"],
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: OpenApiResponse(description="The export file")})
    def file(self, request, pk=None):
        job = self.get_object()
        path = export_file(job)
        if job.status != Job.Status.SUCCEEDED or not path.exists():
            raise Http404
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"{job.result['format']}-{job.pk}{path.suffix}",
            content_type=export_content_type(job),
        )


class ListingsExportViewSet(TenantViewSet):
    """The CSV of every listing of the organization, written by a job."""

    queryset = Job.objects.none()
    serializer_class = JobStartedSerializer
    write_role = "viewer"  # as on the dashboard: any member may export the listings

    def scope_queryset(self, queryset):
        return queryset.filter(kind=EXPORT_KIND)

    @extend_schema(request=None, responses={202: JobStartedSerializer})
    def create(self, request):
        """Start the export: 202 with the job (poll `status_url`); when it has succeeded, its
        result holds `rows` and the file is at `/api/v1/exports/listings/<id>/file/`."""
        job = listings_export_start(org=self.org, actor=request_actor(request))
        return Response(JobStartedSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(
                description="The listings as CSV (UTF-8 with a BOM; one row per listing)"
            )
        }
    )
    def file(self, request, pk=None):
        """The export's CSV once its job has succeeded (404 before, and for another
        organization's export)."""
        job = self.get_object()
        path = export_path(job)
        if job.status != Job.Status.SUCCEEDED or not path.exists():
            raise Http404
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"listings-{job.pk}.csv",
            content_type="text/csv; charset=utf-8",
        )
