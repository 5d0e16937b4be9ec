"""The API side of base-currency amounts (apps/orders/base_currency.py): the documented,
bounded `currency=base` query parameter and the nullable `BaseAmount` object lists answer with.
Shared by the orders and logistics APIs."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from .base_currency import API_PARAM, API_VALUE, attach_base_amounts


def in_base_parameter(event: str) -> OpenApiParameter:
    """The `currency` query parameter (one value: `base`), `event` naming the rate's date."""
    return OpenApiParameter(
        API_PARAM, OpenApiTypes.STR, enum=[API_VALUE], required=False,
        description="`base`: also give amounts in the organization's base currency at the "
        f"rate of the event's date ({event}); without it those fields are null. A missing "
        "rate gives `amount: null` and a `missing` message, never 1:1. Other values: 400.",
    )  # fmt: skip


class BaseAmountSerializer(serializers.Serializer):
    """An amount converted to the organization's base currency at the rate of its date."""

    currency = serializers.CharField(max_length=3, help_text="The base currency")
    amount = serializers.CharField(max_length=24, allow_null=True, help_text="Decimal string")
    rate = serializers.CharField(max_length=48, allow_null=True, help_text="Base per unit")
    rate_date = serializers.DateField(allow_null=True, help_text="The event's date")
    missing = serializers.CharField(max_length=120, help_text="Why there is no amount, or ''")


def wants_base_or_400(params) -> bool:
    """Whether `currency=base` was asked; any other value of the parameter is a 400."""
    value = params.get(API_PARAM)
    if value is None or value == "":
        return False
    if value.strip().lower() != API_VALUE:
        raise serializers.ValidationError({API_PARAM: [f"Only '{API_VALUE}' is accepted."]})
    return True


@extend_schema_field(BaseAmountSerializer(allow_null=True))
class BaseAmountField(serializers.Field):
    """`row.<attr>` (a BaseAmount set by attach_base_amounts) or null."""

    def __init__(self, attr: str = "base_amount", **kwargs):
        self.attr = attr
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        found = getattr(value, self.attr, None)
        return None if found is None else found.as_api()


class BaseCurrencyMixin:
    """`?currency=base` on list and detail: `base_field`'s BaseAmount for each row of the page,
    one rate query for the page (apps.orders.base_currency)."""

    base_amount_field = ""

    def base_event_day(self, row):
        raise NotImplementedError

    def _in_base(self, rows) -> None:
        if self.request.method == "GET" and wants_base_or_400(self.request.query_params):
            attach_base_amounts(org=self.org, rows=rows, amount=self.base_amount_field,
                                day=self.base_event_day)  # fmt: skip

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._in_base(page)
        return page

    def retrieve(self, request, *args, **kwargs):
        row = self.get_object()
        self._in_base([row])
        return Response(self.get_serializer(row).data)
