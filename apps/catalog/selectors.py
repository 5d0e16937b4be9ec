"""Reads of the catalog. Every function takes the organization: the tenant filter lives here."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from apps.core.errors import NotFound

from .models import Listing, Marketplace, Product, Store


def marketplace_list() -> QuerySet[Marketplace]:
    return Marketplace.objects.filter(is_active=True)


def store_list(*, org) -> QuerySet[Store]:
    return Store.objects.for_org(org).select_related("marketplace")


def product_list(*, org, search: str = "", category: str = "") -> QuerySet[Product]:
    qs = Product.objects.for_org(org)
    if search:
        qs = qs.filter(Q(sku__icontains=search) | Q(name__icontains=search))
    if category:
        qs = qs.filter(category=category)
    return qs.annotate(listing_count=Count("listings"))


def product_get(*, org, product_id: int) -> Product:
    try:
        return Product.objects.for_org(org).get(pk=product_id)
    except Product.DoesNotExist as exc:
        raise NotFound("No such product.") from exc


def product_categories(*, org) -> list[str]:
    return list(
        Product.objects.for_org(org)
        .exclude(category="")
        .values_list("category", flat=True)
        .distinct()
        .order_by("category")
    )


def listing_list(
    *, org, store_id: int | None = None, status: str = "", search: str = ""
) -> QuerySet[Listing]:
    qs = Listing.objects.for_org(org).select_related("product", "store", "store__marketplace")
    if store_id:
        qs = qs.filter(store_id=store_id)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(
            Q(product__sku__icontains=search)
            | Q(title__icontains=search)
            | Q(external_id__iexact=search)
        )
    return qs


def catalog_counts(*, org) -> dict[str, int]:
    listings = Listing.objects.for_org(org).aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=Listing.Status.ACTIVE))
    )
    return {
        "products": Product.objects.for_org(org).count(),
        "stores": Store.objects.for_org(org).count(),
        "listings": listings["total"],
        "active_listings": listings["active"],
    }
