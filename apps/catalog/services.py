"""Writes to the catalog: stores, products and listings.

Every function takes the organization from the caller's credentials and refuses rows of another
organization, so a service can never link or change data across tenants whoever calls it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model, ProtectedError, RestrictedError
from django.utils import timezone

from apps.catalog.events import aspects_of, listings_changed_announce
from apps.catalog.listings.price_bounds import price_bounds_check
from apps.catalog.models import LISTING_ASPECTS, Listing, Marketplace, Product, Store
from apps.catalog.rules.gate import listing_copy_check
from apps.core.errors import Conflict, NotFound, ValidationFailed
from apps.core.money import positive_amount

if TYPE_CHECKING:
    from apps.accounts.models import Organization

VERSION_FIELDS = ["version", *(f"{aspect}_version" for aspect in LISTING_ASPECTS)]
_RELATION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

STORE_FIELDS = frozenset({"name", "seller_id", "is_active"})
PRODUCT_FIELDS = frozenset(
    {
        "sku",
        "name",
        "brand",
        "category",
        "attributes",
        "source_language",
        "unit_cost",
        "cost_currency",
        "weight_g",
        "length_mm",
        "width_mm",
        "height_mm",
        "hs_code",
        "images",
    }
)
# A listing stays on its product and store for life; moving it would be a new listing.
LISTING_FIELDS = frozenset(
    {
        "external_id",
        "title",
        "bullets",
        "description",
        "search_terms",
        "language",
        "price",
        "currency",
        "stock",
        "status",
    }
)


def _ensure_own(obj: Model, org, what: str) -> None:
    """Defence in depth: callers resolve ids within the org, but a service never trusts that."""
    if obj.organization_id != org.id:
        raise NotFound(f"No such {what}.")


def _ensure_related_own(obj: Model, org, field: str) -> None:
    if obj.organization_id != org.id:
        raise ValidationFailed(f"The {field} does not exist.", field=field)


def _apply(instance: Model, data: dict[str, Any], allowed: frozenset[str]) -> list[str]:
    """Set the allowed fields that differ; return their names for save(update_fields=...)."""
    unknown = set(data) - allowed
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationFailed(f"The field {field!r} cannot be changed.", field=field)
    changed = [name for name, value in data.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, data[name])
    return changed


def _check_version(current: int, expected: int | None, what: str) -> None:
    if expected is not None and expected != current:
        raise Conflict(
            f"The {what} changed since version {expected}; it is now at version {current}. "
            "Reload it and apply your change again.",
            field="version",
            code="version_conflict",
        )


def _locked(model: type[Model], org, pk: int) -> Any:
    """The row locked for update, so a version check and the write that follows are atomic."""
    try:
        return model.objects.for_org(org).select_for_update().get(pk=pk)
    except model.DoesNotExist as exc:
        raise NotFound(f"No such {model._meta.verbose_name}.") from exc


# Stores ---------------------------------------------------------------------------------------


def _ensure_store_name_free(*, org: Organization, name: str, exclude_id: int | None = None) -> None:
    clash = Store.objects.for_org(org).filter(name=name)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise ValidationFailed(f"A store named {name!r} exists.", field="name")


@transaction.atomic
def store_create(
    *,
    org: Organization,
    actor=None,
    marketplace: Marketplace,
    name: str,
    seller_id: str = "",
    is_active: bool = True,
) -> Store:
    if not marketplace.is_active:
        raise ValidationFailed("That marketplace is not available.", field="marketplace")
    _ensure_store_name_free(org=org, name=name)
    return Store.objects.create(
        organization=org,
        marketplace=marketplace,
        name=name,
        seller_id=seller_id,
        is_active=is_active,
    )


@transaction.atomic
def store_update(*, org: Organization, actor=None, store: Store, data: dict[str, Any]) -> Store:
    _ensure_own(store, org, "store")
    if "name" in data:
        _ensure_store_name_free(org=org, name=data["name"], exclude_id=store.pk)
    changed = _apply(store, data, STORE_FIELDS)
    if changed:
        store.save(update_fields=[*changed, "updated_at"])
    return store


@transaction.atomic
def store_delete(*, org: Organization, actor=None, store: Store) -> None:
    _ensure_own(store, org, "store")
    try:
        store.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise Conflict(
            "The store has orders and cannot be deleted; deactivate it instead.",
            code="store_has_orders",
        ) from exc


# Products -------------------------------------------------------------------------------------


def _ensure_sku_free(*, org: Organization, sku: str, exclude_id: int | None = None) -> None:
    clash = Product.objects.for_org(org).filter(sku=sku)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise ValidationFailed(f"A product with SKU {sku!r} exists.", field="sku")


@transaction.atomic
def product_create(*, org: Organization, actor=None, sku: str, name: str, **fields: Any) -> Product:
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    _ensure_sku_free(org=org, sku=sku)
    return Product.objects.create(organization=org, sku=sku, name=name, **fields)


@transaction.atomic
def product_update(
    *,
    org: Organization,
    actor=None,
    product: Product,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Product:
    _ensure_own(product, org, "product")
    product = _locked(Product, org, product.pk)
    _check_version(product.version, expected_version, "product")
    if "sku" in data:
        _ensure_sku_free(org=org, sku=data["sku"], exclude_id=product.pk)
    changed = _apply(product, data, PRODUCT_FIELDS)
    if changed:
        product.save(update_fields=[*changed, "updated_at"])
        product.refresh_from_db(fields=["version"])  # bumped by the database trigger
    return product


@transaction.atomic
def product_delete(*, org: Organization, actor=None, product: Product) -> None:
    """Deletes the product and its listings; order lines keep their SKU and lose the link."""
    _ensure_own(product, org, "product")
    product.delete()


# Listings -------------------------------------------------------------------------------------


@transaction.atomic
def listing_create(
    *,
    org: Organization,
    actor=None,
    product: Product,
    store: Store,
    language: str | None = None,
    currency: str | None = None,
    **fields: Any,
) -> Listing:
    """A product offered in a store; language and currency default to the marketplace's."""
    _ensure_related_own(product, org, "product")
    _ensure_related_own(store, org, "store")
    unknown = set(fields) - LISTING_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    if Listing.objects.for_org(org).filter(product=product, store=store).exists():
        raise ValidationFailed(f"{product.sku} is already listed in {store.name}.", field="product")
    marketplace = store.marketplace
    _check_offer(fields, currency or marketplace.currency)
    listing = Listing(
        organization=org,
        product=product,
        store=store,
        language=language or marketplace.language,
        currency=currency or marketplace.currency,
        **fields,
    )
    # The same rules as every other write of copy (apps.catalog.rules.gate).
    listing_copy_check(listing=listing, content=fields, changed=fields)
    try:
        with transaction.atomic():
            listing.save(force_insert=True)
            return listing
    except IntegrityError as exc:
        if "listing_unique_product_store" not in str(exc):
            raise
        # A concurrent create of the same pair won the race.
        raise ValidationFailed(
            f"{product.sku} is already listed in {store.name}.", field="product"
        ) from exc


def _check_offer(data: dict[str, Any], currency: str) -> None:
    """A price is rounded to its currency, then must be above zero; stock is never negative.
    Rewrites `data["price"]` to the rounded amount. Removing a price (None) stays allowed."""
    if data.get("price") is not None:
        data["price"] = positive_amount(data["price"], currency, field="price")
    stock = data.get("stock")
    if stock is not None and stock < 0:
        raise ValidationFailed("stock: must be zero or more.", field="stock")


@transaction.atomic
def listing_update(
    *,
    org: Organization,
    actor=None,
    listing: Listing,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Listing:
    """Change a listing; with `expected_version`, refuse (Conflict) if it moved meanwhile.

    The database trigger bumps `version` on any real change, the repricer's bulk UPDATEs
    included, so the returned listing carries the version a later draft or client must quote.
    """
    _ensure_own(listing, org, "listing")
    locked = _locked(Listing, org, listing.pk)
    _check_version(locked.version, expected_version, "listing")
    data = dict(data)
    override_reason = data.pop("override_reason", "")
    _check_offer(data, data.get("currency") or locked.currency)
    if data.get("price") is not None and data["price"] != locked.price:
        price_bounds_check(
            listing=locked, price=data["price"], actor=actor, override_reason=override_reason
        )
    changed = _apply(locked, data, LISTING_FIELDS)
    # The same rules as every other write of copy, on the fields this write changes only.
    listing_copy_check(listing=locked, content={}, changed=changed)
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
        locked.refresh_from_db(fields=VERSION_FIELDS)
        listings_changed_announce(
            org_id=org.pk, listing_ids=[locked.pk], aspects=aspects_of(changed), source="edit"
        )
    # Keep the relations the caller already loaded (store, product) for rendering.
    for name in ("product", "store"):
        if Listing._meta.get_field(name).is_cached(listing):
            setattr(locked, name, getattr(listing, name))
    return locked


@transaction.atomic
def listing_delete(*, org: Organization, actor=None, listing: Listing) -> None:
    _ensure_own(listing, org, "listing")
    listing.delete()


def listing_prices_apply_many(
    *,
    org: Organization,
    source: str,
    into: str,
    store_id: int | None = None,
    change_source: str = "",
) -> int:
    """Set the price of many listings in one UPDATE ... FROM; returns how many really changed.

    source: a relation of the caller's session (temp table or view) with the columns
    listing_id, price (numeric), old_price (numeric, NULL = none) and price_version: a row
    applies only while the listing's price aspect is still the one the caller computed from
    (same price_version and price), so a price changed meanwhile (an approved draft, another
    run) is never overwritten. into: a temp table (listing_id bigint) receiving the ids really
    updated. change_source tags the change for the revision trigger ("repricer": its own
    history is pricing.PriceChange, the revision trigger skips it). The version trigger bumps
    `version` and `price_version` of each updated row. Runs in the caller's transaction,
    after it locked the open drafts of these listings (review's draft-then-target order).
    """
    for name in (source, into):
        if not _RELATION.match(name):
            raise ValueError(f"not a relation name: {name!r}")
    store_clause = "AND l.store_id = %(store)s" if store_id is not None else ""
    with connection.cursor() as cursor:
        if change_source:
            cursor.execute(
                "SELECT set_config('crossborder.change_source', %s, true)", [change_source]
            )
        cursor.execute(
            f"""
            WITH upd AS (
                UPDATE catalog_listing l SET price = s.price, updated_at = %(ts)s
                FROM {source} s
                WHERE l.id = s.listing_id AND l.organization_id = %(org)s {store_clause}
                  AND l.price_version = s.price_version
                  AND l.price IS NOT DISTINCT FROM s.old_price
                  AND l.price IS DISTINCT FROM s.price
                RETURNING l.id
            )
            INSERT INTO {into} (listing_id) SELECT id FROM upd
            """,
            {"org": org.id, "store": store_id, "ts": timezone.now()},
        )
        updated = cursor.rowcount
        if change_source:
            cursor.execute("SELECT set_config('crossborder.change_source', '', true)")
        if updated:
            cursor.execute(f"SELECT listing_id FROM {into}")
            changed = [row[0] for row in cursor.fetchall()]
            listings_changed_announce(
                org_id=org.pk,
                listing_ids=changed,
                aspects=["price"],
                source=change_source or "bulk",
            )
    return updated


_UNIT_COST_SQL = """
UPDATE catalog_product p SET unit_cost = i.unit_cost, cost_currency = i.cost_currency,
    updated_at = now()
FROM unnest(%(ids)s::bigint[], %(costs)s::numeric[], %(currencies)s::varchar[])
    AS i(id, unit_cost, cost_currency)
WHERE p.id = i.id AND p.organization_id = %(org)s
  AND (p.unit_cost, p.cost_currency) IS DISTINCT FROM (i.unit_cost, i.cost_currency)
"""


def product_unit_costs_set_many(
    *, org: Organization, product_ids: list[int], unit_costs: list, currencies: list[str]
) -> int:
    """Set many products' unit cost in one UPDATE … FROM unnest (the cost import and the bulk
    costs API of pricing call this: catalog owns products). Only products whose cost moved are
    written, so only their `version` bumps; ids of other organizations match nothing. Returns
    the number of products updated."""
    if not product_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            _UNIT_COST_SQL,
            {"org": org.pk, "ids": product_ids, "costs": unit_costs, "currencies": currencies},
        )
        return cursor.rowcount


_STOCK_SQL = """
UPDATE catalog_listing l SET stock = i.stock, updated_at = now()
FROM unnest(%(ids)s::bigint[], %(stocks)s::integer[]) AS i(id, stock)
WHERE l.id = i.id AND l.organization_id = %(org)s AND l.stock IS DISTINCT FROM i.stock
RETURNING l.id
"""


@transaction.atomic  # the stock and its listing.changed events commit together
def listing_stock_set_many(*, org: Organization, listing_ids: list[int], stocks: list[int]) -> int:
    """Set many listings' stock in one UPDATE … FROM unnest (logistics' inventory imports call
    this: catalog owns listings). Only rows whose stock moved are written, so the version
    trigger bumps `version` and `stock_version` only: open content or price drafts, which
    record their own aspect's version, stay valid. Returns the number of listings updated."""
    if not listing_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_STOCK_SQL, {"org": org.pk, "ids": listing_ids, "stocks": stocks})
        changed = [row[0] for row in cursor.fetchall()]
    listings_changed_announce(
        org_id=org.pk, listing_ids=changed, aspects=["stock"], source="inventory"
    )
    return len(changed)
