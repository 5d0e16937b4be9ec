"""Bench-only URLs for bench/api_load.py: the project's URLs plus `/bench/bare-listings/`, a
bare DRF ModelSerializer list of the same rows and fields as `/api/v1/listings/` (API-key
authentication, page-number pagination, select_related; none of the project's scoping,
filters, rate limit, idempotency or problem handling). Not in production URLs."""

from __future__ import annotations

from django.urls import include, path
from rest_framework import generics, pagination, permissions, serializers

from apps.accounts.authentication import ApiKeyAuthentication
from apps.catalog.models import Listing


class BareListingSerializer(serializers.ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    marketplace = serializers.CharField(source="store.marketplace.code", read_only=True)

    class Meta:
        model = Listing
        fields = ["id", "product", "product_sku", "store", "store_name", "marketplace",
                  "external_id", "title", "bullets", "description", "search_terms", "language",
                  "price", "currency", "stock", "status", "version", "created_at",
                  "updated_at"]  # fmt: skip


class BarePagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class BareListingList(generics.ListAPIView):
    serializer_class = BareListingSerializer
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes: list = []
    filter_backends: list = []
    pagination_class = BarePagination

    def get_queryset(self):
        return Listing.objects.for_org(self.request.auth.organization).select_related(
            "product", "store", "store__marketplace"
        )


urlpatterns = [
    path("bench/bare-listings/", BareListingList.as_view()),
    path("", include("crossborder.urls")),
]
