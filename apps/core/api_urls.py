"""API of core: the read-only jobs endpoint clients poll for the progress of long tasks.

The serializer and viewset live here because `apps.core.api` holds only the base classes.
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import mixins, serializers
from rest_framework.filters import OrderingFilter
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


router = SimpleRouter()
router.register("jobs", JobViewSet, basename="job")

urlpatterns = router.urls
