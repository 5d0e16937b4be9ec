"""`POST /api/v1/products/bulk/`: upsert up to 10,000 products matched on SKU, one result per
item (apps/catalog/bulk_upsert.py does the set-based writes)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from apps.core.api import TenantViewSet
from apps.core.bounds import JSONObjectField
from apps.core.money import CURRENCIES

from .api import ProductCreateSerializer
from .bulk_upsert import products_upsert_many
from .models import Product

BULK_MAX = 10_000

# The fast path of item validation: plain checks at least as strict as ProductCreateSerializer
# (DRF costs ~1 ms per item, 10 s for 10,000). An item the fast path does not accept goes
# through the serializer itself, so errors read exactly as on `POST /products/`.
_TEXT = {
    "sku": (100, False),
    "name": (300, False),
    "brand": (100, True),
    "category": (100, True),
    "source_language": (10, False),
    "hs_code": (16, True),
}
_DECIMAL = {"unit_cost": (14, 4), "weight_g": (10, 1), "length_mm": (8, 1),
            "width_mm": (8, 1), "height_mm": (8, 1)}  # fmt: skip


class _Slow(Exception):
    """The fast path declines: validate this item with the serializer."""


def _fast_text(value, max_length: int, blank: bool) -> str:
    if not isinstance(value, str):
        raise _Slow
    value = value.strip()
    if len(value) > max_length or (not value and not blank):
        raise _Slow
    try:
        value.encode("utf-8")  # lone surrogates: the serializer refuses them
    except UnicodeEncodeError as exc:
        raise _Slow from exc
    return value


def _fast_decimal(value, max_digits: int, places: int) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Slow  # floats and the rest: the serializer's rules
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError) as exc:
        raise _Slow from exc
    if not number.is_finite() or number < 0:
        raise _Slow
    _sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent > 0:
        raise _Slow
    decimals = -exponent
    whole = len(digits) - decimals
    if decimals > places or whole > max_digits - places:
        raise _Slow
    return number


def fast_item(raw, currencies: frozenset[str], attributes_field, url_validator) -> dict:
    """The validated values of `raw`, or _Slow when any check fails."""
    if not isinstance(raw, dict) or "sku" not in raw or "name" not in raw:
        raise _Slow
    out: dict = {}
    for field, value in raw.items():
        if field in _TEXT:
            out[field] = _fast_text(value, *_TEXT[field])
        elif field in _DECIMAL:
            out[field] = _fast_decimal(value, *_DECIMAL[field])
        elif field == "cost_currency":
            if not isinstance(value, str) or value not in currencies:
                raise _Slow
            out[field] = value
        elif field == "attributes":
            try:
                out[field] = attributes_field.run_validation(value)
            except serializers.ValidationError as exc:
                raise _Slow from exc
        elif field == "images":
            if not isinstance(value, list) or len(value) > 50:
                raise _Slow
            for url in value:
                if not isinstance(url, str) or len(url) > 1000:
                    raise _Slow
                try:
                    url_validator(url)
                except DjangoValidationError as exc:
                    raise _Slow from exc
            out[field] = list(value)
    return out


class ProductBulkItemSerializer(ProductCreateSerializer):
    """One product: `sku` (the natural key) and the fields to set; the others are kept."""


class ProductBulkSerializer(serializers.Serializer):
    # Items are left unchecked here (a DictField child costs ~0.5 s per 10,000 items): each is
    # validated on its own below, and a malformed item is an error of that item only.
    items = serializers.ListField(
        min_length=1, max_length=BULK_MAX,
        help_text="Products to create or update, matched on `sku` (see ProductBulkItem).",
        error_messages={"max_length": f"Send at most {BULK_MAX:,} items per request; split "
                                      "the batch (each request is answered item by item)."},
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
        currencies = frozenset(CURRENCIES)
        attributes, urls = JSONObjectField(), URLValidator()
        for index, raw in enumerate(items):
            try:
                valid.append(fast_item(raw, currencies, attributes, urls))
                positions.append(index)
                continue
            except _Slow:
                pass
            try:
                valid.append(dict(child.run_validation(raw)))
                positions.append(index)
            except serializers.ValidationError as exc:
                sku = raw.get("sku") if isinstance(raw, dict) else ""
                sku = sku if isinstance(sku, str) else ""
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
