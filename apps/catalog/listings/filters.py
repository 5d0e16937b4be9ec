"""Query-string filters of the catalog API.

Related rows are filtered by id or code on an already org-scoped queryset (NumberFilter rather
than ModelChoiceFilter), so a foreign id simply matches nothing and no choice list of another
organization's rows is ever built.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters import rest_framework as filters

from apps.catalog.models import Channel, Listing, Marketplace, Product, Store

# A change-feed cursor lies between these; PostgreSQL's time zone offsets stop at ±15:59.
SINCE_MIN = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
MAX_OFFSET = dt.timedelta(hours=15, minutes=59)
# An unencoded `+08:00` in a query string arrives as ` 08:00`.
_SPACED_OFFSET = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


class BoundedDateTimeField(forms.Field):
    """An ISO 8601 instant (`2026-11-30T17:00:00Z`, `…+08:00`; no offset = UTC) within
    2000-01-01 and a day from now; anything else is a 400 naming the parameter."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        parsed = None
        if len(text) <= 40 and text.isprintable():
            try:
                parsed = parse_datetime(_SPACED_OFFSET.sub(r"\1+\2", text))
            except (ValueError, OverflowError):
                parsed = None
        if parsed is None:
            raise forms.ValidationError(
                "Give an ISO 8601 date and time, e.g. 2026-11-30T17:00:00Z.", code="invalid"
            )
        offset = parsed.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise forms.ValidationError("The UTC offset is beyond ±15:59.", code="offset")
        if offset is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        latest = timezone.now() + dt.timedelta(days=1)
        if not SINCE_MIN <= parsed <= latest:
            raise forms.ValidationError(
                "Give a time between 2000-01-01 and now.", code="out_of_range"
            )
        return parsed


class BoundedDateTimeFilter(filters.Filter):
    field_class = BoundedDateTimeField


class MarketplaceFilter(filters.FilterSet):
    channel = filters.ChoiceFilter(choices=Channel.choices)
    country = filters.CharFilter(lookup_expr="iexact", help_text="ISO 3166-1 alpha-2, e.g. DE")

    class Meta:
        model = Marketplace
        fields = ["channel", "country"]


class StoreFilter(filters.FilterSet):
    marketplace = filters.CharFilter(field_name="marketplace__code", help_text="Marketplace code")
    is_active = filters.BooleanFilter()

    class Meta:
        model = Store
        fields = ["marketplace", "is_active"]


class ProductFilter(filters.FilterSet):
    sku = filters.CharFilter(help_text="Exact SKU")
    category = filters.CharFilter()
    brand = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Product
        fields = ["sku", "category", "brand"]


class ListingFilter(filters.FilterSet):
    store = filters.NumberFilter(field_name="store_id", help_text="Store id")
    marketplace = filters.CharFilter(
        field_name="store__marketplace__code", help_text="Marketplace code"
    )
    status = filters.ChoiceFilter(choices=Listing.Status.choices)
    language = filters.CharFilter(help_text="BCP 47, e.g. de-DE")
    product = filters.NumberFilter(field_name="product_id", help_text="Product id")
    sku = filters.CharFilter(field_name="product__sku", help_text="Exact product SKU")
    updated_since = BoundedDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Listings changed at or after this ISO 8601 instant (incremental sync: copy, "
        "price, stock, approved drafts and repricing all move `updated_at`); combine with "
        "`ordering=updated_at`.",
    )

    class Meta:
        model = Listing
        fields = ["store", "marketplace", "status", "language", "product", "sku", "updated_since"]
