"""Query-string filters of the pricing API (related rows by id on org-scoped querysets)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from apps.core.bounds import IsoDateTimeFilter

from .models import CompetitorOffer, FulfilmentType, PriceChange, Strategy, StrategyAssignment


class PriceChangeFilter(filters.FilterSet):
    store = filters.NumberFilter(field_name="listing__store_id", help_text="Store id")
    listing = filters.NumberFilter(field_name="listing_id", help_text="Listing id")
    since = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="ISO 8601 date-time"
    )
    binding = filters.MultipleChoiceFilter(
        choices=PriceChange.Binding.choices, help_text="Binding constraint"
    )
    outcome = filters.MultipleChoiceFilter(choices=PriceChange.Outcome.choices)
    strategy = filters.NumberFilter(field_name="strategy_id")
    run = filters.NumberFilter(field_name="run_id")

    class Meta:
        model = PriceChange
        fields = ["store", "listing", "since", "binding", "outcome", "strategy", "run"]


class CompetitorOfferFilter(filters.FilterSet):
    listing = filters.NumberFilter(field_name="listing_id")
    store = filters.NumberFilter(field_name="listing__store_id")
    seller_id = filters.CharFilter()
    since = IsoDateTimeFilter(field_name="observed_at", lookup_expr="gte")
    until = IsoDateTimeFilter(field_name="observed_at", lookup_expr="lt")
    is_buy_box = filters.BooleanFilter()
    fulfilment = filters.MultipleChoiceFilter(choices=FulfilmentType.choices)

    class Meta:
        model = CompetitorOffer
        fields = ["listing", "store", "seller_id", "since", "until", "is_buy_box", "fulfilment"]


class StrategyFilter(filters.FilterSet):
    enabled = filters.BooleanFilter()
    kind = filters.MultipleChoiceFilter(choices=Strategy.Kind.choices)

    class Meta:
        model = Strategy
        fields = ["enabled", "kind"]


class AssignmentFilter(filters.FilterSet):
    strategy = filters.NumberFilter(field_name="strategy_id")
    store = filters.NumberFilter(field_name="store_id")
    listing = filters.NumberFilter(field_name="listing_id")

    class Meta:
        model = StrategyAssignment
        fields = ["strategy", "store", "listing"]
