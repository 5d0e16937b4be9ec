"""Reads of the catalog. Every function takes the organization: the tenant filter lives here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from apps.catalog.models import Listing, Marketplace, Product, Store
from apps.core.errors import NotFound

if TYPE_CHECKING:
    from apps.accounts.models import Organization


def marketplace_list() -> QuerySet[Marketplace]:
    return Marketplace.objects.filter(is_active=True)


def store_list(*, org: Organization) -> QuerySet[Store]:
    return Store.objects.for_org(org).select_related("marketplace")


def product_list(*, org: Organization, search: str = "", category: str = "") -> QuerySet[Product]:
    qs = Product.objects.for_org(org)
    if search:
        qs = qs.filter(Q(sku__icontains=search) | Q(name__icontains=search))
    if category:
        qs = qs.filter(category=category)
    return qs.annotate(listing_count=Count("listings"))


def product_get(*, org: Organization, product_id: int) -> Product:
    try:
        return Product.objects.for_org(org).get(pk=product_id)
    except Product.DoesNotExist as exc:
        raise NotFound("No such product.") from exc


def product_categories(*, org: Organization) -> list[str]:
    return list(
        Product.objects.for_org(org)
        .exclude(category="")
        .values_list("category", flat=True)
        .distinct()
        .order_by("category")
    )


def listing_list(
    *, org: Organization, store_id: int | None = None, status: str = "", search: str = ""
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


def catalog_counts(*, org: Organization) -> dict[str, int]:
    listings = Listing.objects.for_org(org).aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=Listing.Status.ACTIVE))
    )
    return {
        "products": Product.objects.for_org(org).count(),
        "stores": Store.objects.for_org(org).count(),
        "listings": listings["total"],
        "active_listings": listings["active"],
    }


def listing_get(*, org: Organization, listing_id: int) -> Listing:
    try:
        return (
            Listing.objects.for_org(org)
            .select_related("product", "store", "store__marketplace")
            .get(pk=listing_id)
        )
    except Listing.DoesNotExist as exc:
        raise NotFound("No such listing.") from exc


def listing_list_for_product(*, org: Organization, product_id: int) -> QuerySet[Listing]:
    return (
        Listing.objects.for_org(org)
        .filter(product_id=product_id)
        .select_related("store", "store__marketplace")
        .order_by("store__name")
    )


def listing_price_vs_cost(*, org: Organization, limit: int = 50) -> QuerySet[Listing]:
    """Active priced listings with their product's unit cost: two currencies, no conversion."""
    return (
        Listing.objects.for_org(org)
        .filter(status=Listing.Status.ACTIVE, price__isnull=False)
        .select_related("product", "store", "store__marketplace")
        .order_by("store__name", "product__sku")[:limit]
    )


def listing_counts_by_store(*, org: Organization) -> list[dict]:
    """Per store: listings, active listings and how many have a title (what ads will advertise)."""
    return list(
        Listing.objects.for_org(org)
        .values("store_id", "store__name", "store__marketplace__name")
        .annotate(
            listings=Count("id"),
            active=Count("id", filter=Q(status=Listing.Status.ACTIVE)),
            with_title=Count("id", filter=~Q(title="")),
        )
        .order_by("store__name")
    )


def listing_list_missing_content(*, org: Organization) -> QuerySet[Listing]:
    """Active listings with no bullets or no description: candidates for AI-written content."""
    return (
        Listing.objects.for_org(org)
        .filter(status=Listing.Status.ACTIVE)
        .filter(Q(bullets=[]) | Q(bullets__isnull=True) | Q(description=""))
        .select_related("product", "store")
    )


def listing_list_low_stock(
    *, org: Organization, threshold: int = 10, limit: int = 50
) -> QuerySet[Listing]:
    return (
        Listing.objects.for_org(org)
        .filter(status=Listing.Status.ACTIVE, stock__lt=threshold)
        .select_related("product", "store")
        .order_by("stock", "product__sku")[:limit]
    )


def listing_list_by_ids(*, org: Organization, listing_ids) -> QuerySet[Listing]:
    """The organization's listings among `listing_ids` (others' ids simply do not match), with
    what generating their copy needs: product facts, store and marketplace limits."""
    return (
        Listing.objects.for_org(org)
        .filter(pk__in=list(listing_ids))
        .select_related("product", "store", "store__marketplace")
        .order_by("pk")
    )
