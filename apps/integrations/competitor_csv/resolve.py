"""Name → listing: resolve the listing each parsed offer names, within one organization.

Three queries whatever the number of rows (ids, ASINs, SKUs), never one per row. A listing of
another organization is as unknown as one that does not exist: its line is an error.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from apps.catalog.models import Listing

from .parser import LineError, OfferRow


@dataclass(frozen=True)
class ListingRef:
    id: int
    store_id: int
    store_name: str
    currency: str


def resolve_listings(
    *, org, rows: list[OfferRow], store_id: int | None = None
) -> tuple[list[tuple[OfferRow, ListingRef]], list[LineError]]:
    """Each row with its listing, and a line error for each row whose listing is not found,
    ambiguous, outside `store_id` (when given) or priced in another currency."""
    base = Listing.objects.for_org(org)
    if store_id is not None:
        base = base.filter(store_id=store_id)
    fields = ("id", "store_id", "store__name", "currency")
    by_id = {
        r[0]: ListingRef(*r)
        for r in base.filter(pk__in={r.listing_id for r in rows if r.listing_id}).values_list(
            *fields
        )
    }
    by_external: dict[str, list[ListingRef]] = defaultdict(list)
    externals = {r.external_id for r in rows if r.listing_id is None and r.external_id}
    for *ref, external in base.filter(external_id__in=externals).values_list(
        *fields, "external_id"
    ):
        by_external[external].append(ListingRef(*ref))
    by_sku: dict[str, list[ListingRef]] = defaultdict(list)
    skus = {r.sku for r in rows if r.listing_id is None and not r.external_id and r.sku}
    for *ref, sku in base.filter(product__sku__in=skus).values_list(*fields, "product__sku"):
        by_sku[sku].append(ListingRef(*ref))

    resolved: list[tuple[OfferRow, ListingRef]] = []
    errors: list[LineError] = []
    for row in rows:
        ref, reason = _match(row, by_id, by_external, by_sku)
        if ref is not None and row.currency and row.currency != ref.currency:
            ref, reason = (
                None,
                _("currency %(found)s differs from the listing's %(listing)s")
                % {
                    "found": row.currency,
                    "listing": ref.currency,
                },
            )
        if ref is None:
            errors.append(LineError(row.line, reason))
        else:
            resolved.append((row, ref))
    return resolved, errors


def _match(row: OfferRow, by_id, by_external, by_sku) -> tuple[ListingRef | None, str]:
    if row.listing_id is not None:
        ref = by_id.get(row.listing_id)
        return ref, "" if ref else _("no listing %(id)d in this organization or store") % {
            "id": row.listing_id
        }
    if row.external_id:
        key, candidates = row.external_id, by_external.get(row.external_id, [])
    else:
        key, candidates = row.sku, by_sku.get(row.sku, [])
    if row.store:
        candidates = [c for c in candidates if row.store in (c.store_name, str(c.store_id))]
    if len(candidates) == 1:
        return candidates[0], ""
    if not candidates:
        return None, _("no listing %(key)s%(store)s in this organization") % {
            "key": key,
            "store": f" @ {row.store}" if row.store else "",
        }
    return None, _("%(key)s is listed in %(n)d stores: add a store column") % {
        "key": key,
        "n": len(candidates),
    }
