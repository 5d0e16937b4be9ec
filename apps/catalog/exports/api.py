"""REST API of marketplace exports: start one (202 with the job), then fetch the file.

POST /api/v1/exports/ {"format": "amazon_json" | "shopify_csv" | "ebay_csv", "store": id,
"operation": "UPDATE" | "PATCH"}; poll /api/v1/jobs/<id>/ (its result lists the listings left
out and why); GET /api/v1/exports/<id>/file/ returns the file once the job has succeeded.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.catalog.exports.marketplace import (
    FORMATS,
    MARKETPLACE_EXPORT_KIND,
    export_file,
    marketplace_export_start,
)
from apps.core.api import TenantViewSet, request_actor
from apps.core.api_urls import JobSerializer
from apps.core.bounds import IdField
from apps.core.models import Job


class ExportInput(serializers.Serializer):
    format = serializers.ChoiceField(choices=sorted(FORMATS))
    store = IdField()
    operation = serializers.ChoiceField(choices=["UPDATE", "PATCH"], default="UPDATE")


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
            fmt=data["format"],
            operation=data["operation"],
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: OpenApiResponse(description="The export file")})
    def file(self, request, pk=None):
        job = self.get_object()
        path = export_file(job)
        if job.status != Job.Status.SUCCEEDED or not path.exists():
            raise Http404
        fmt = FORMATS[job.result["format"]]["writer"]
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"{job.result['format']}-{job.pk}{path.suffix}",
            content_type=fmt.content_type,
        )
