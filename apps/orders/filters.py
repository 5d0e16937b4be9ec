"""Query-string filters of the orders API (on querysets already scoped to the caller's org)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from apps.core.bounds import DateFromToRangeFilter, IsoDateTimeFromToRangeFilter

from .models import ExchangeRate, Order


class OrderFilter(filters.FilterSet):
    store = filters.NumberFilter(field_name="store_id", help_text="Store id")
    marketplace = filters.CharFilter(
        field_name="store__marketplace__code", help_text="Marketplace code"
    )
    status = filters.MultipleChoiceFilter(choices=Order.Status.choices)
    ordered_at = IsoDateTimeFromToRangeFilter(
        help_text="ordered_at_after / ordered_at_before, ISO 8601, both inclusive"
    )
    buyer_country = filters.CharFilter(lookup_expr="iexact", help_text="ISO 3166-1 alpha-2")

    class Meta:
        model = Order
        fields = ["store", "marketplace", "status", "ordered_at", "buyer_country"]


class ExchangeRateFilter(filters.FilterSet):
    base = filters.CharFilter()
    quote = filters.CharFilter()
    date = DateFromToRangeFilter(help_text="date_after / date_before, both inclusive")
    own = filters.BooleanFilter(
        field_name="organization",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: only your organization's rates; false: only public rates",
    )

    class Meta:
        model = ExchangeRate
        fields = ["base", "quote", "date", "own"]
