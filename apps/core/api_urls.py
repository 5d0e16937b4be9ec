"""API of core: the read-only jobs endpoint clients poll for the progress of long tasks.

The serializer and viewset live here because `apps.core.api` holds only the base classes.
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from .api import TenantViewSet
from .models import Job

app_name = "core_api"


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "label",
            "status",
            "total",
            "done",
            "failed",
            "percent",
            "is_active",
            "error",
            "result",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
        ]
        read_only_fields = fields


class JobStartedSerializer(JobSerializer):
    """A job an action just queued, with the URL to poll for its progress."""

    status_url = serializers.SerializerMethodField()

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "status_url"]
        read_only_fields = fields

    def get_status_url(self, job: Job) -> str:
        return f"/api/v1/jobs/{job.pk}/"


class JobFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Job.Status.choices)
    kind = filters.CharFilter()

    class Meta:
        model = Job
        fields = ["status", "kind"]


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Long-running tasks of the organization (imports, repricing, generation) and progress."""

    queryset = Job.objects.none()
    serializer_class = JobSerializer
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = JobFilter
    ordering_fields = ["created_at", "finished_at"]
    write_role = "manager"

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an active job (the dashboard's Cancel button); its tasks stop at their next
        check. A finished job is answered as it is. Kinds whose tasks cannot stop are 404."""
        from .jobs import cancellable_kinds
        from .services import job_cancel

        scopes = getattr(request.auth, "scopes", None)
        if scopes is not None and not any(str(s).endswith(":write") for s in scopes):
            # Jobs need no module scope to be read; stopping one needs some write scope.
            raise PermissionDenied("Cancelling a job needs a key with a write scope.")
        job = self.get_object()
        job = job_cancel(org=self.org, job_id=job.pk, kinds=cancellable_kinds())
        return Response(JobSerializer(job).data)


router = SimpleRouter()
router.register("jobs", JobViewSet, basename="job")

urlpatterns = router.urls
