"""`POST /api/v1/products/bulk/`: upsert up to 10,000 products matched on SKU, one result per
item (apps/catalog/bulk_upsert.py does the set-based writes)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from apps.core.api import TenantViewSet

from .api import ProductCreateSerializer
from .bulk_upsert import products_upsert_many
from .models import Product

BULK_MAX = 10_000


class ProductBulkItemSerializer(ProductCreateSerializer):
    """One product: `sku` (the natural key) and the fields to set; the others are kept."""


class ProductBulkSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=BULK_MAX,
        help_text="Products to create or update, matched on `sku` (see ProductBulkItem).",
    )  # fmt: skip


class ProductBulkResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    sku = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    id = serializers.IntegerField(allow_null=True)
    errors = serializers.DictField(required=False)


class ProductBulkViewSet(TenantViewSet):
    """Bulk upsert of products (scope `catalog:write`)."""

    queryset = Product.objects.none()
    serializer_class = ProductBulkSerializer

    @extend_schema(
        request=inline_serializer(
            "ProductBulkUpsert",
            {
                "items": serializers.ListField(
                    child=ProductBulkItemSerializer(), max_length=BULK_MAX
                )
            },
        ),
        responses=inline_serializer(
            "ProductBulkUpsertResult",
            {
                "summary": serializers.DictField(child=serializers.IntegerField()),
                "results": ProductBulkResultSerializer(many=True),
            },
        ),
    )
    def create(self, request, *args, **kwargs):
        """Create or update products by SKU; each item is validated on its own and answered
        with `created`, `updated`, `unchanged` or `error` (with `errors` per field); valid
        items are saved even when others fail."""
        body = ProductBulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = body.validated_data["items"]
        results: list[dict | None] = [None] * len(items)
        valid: list[dict] = []
        positions: list[int] = []
        # One serializer for every item (as a ListSerializer does): its fields are built once,
        # not 10,000 times.
        child = ProductBulkItemSerializer(context=self.get_serializer_context())
        for index, raw in enumerate(items):
            try:
                valid.append(dict(child.run_validation(raw)))
                positions.append(index)
            except serializers.ValidationError as exc:
                sku = raw.get("sku") if isinstance(raw.get("sku"), str) else ""
                results[index] = {"index": index, "sku": sku[:100], "status": "error",
                                  "id": None, "errors": exc.detail}  # fmt: skip
        for index, outcome in zip(
            positions, products_upsert_many(org=self.org, items=valid), strict=True
        ):
            row = {"index": index, "sku": outcome.sku, "status": outcome.status, "id": outcome.id}
            if outcome.error:
                row["errors"] = {"sku": [outcome.error]}
            results[index] = row
        summary = {"created": 0, "updated": 0, "unchanged": 0, "error": 0}
        for row in results:
            summary[row["status"]] += 1  # type: ignore[index]
        return Response({"summary": summary, "results": results})
