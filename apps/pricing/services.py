"""Pricing services (engine and cost side): scheduling queries and inventory refresh.

The engine itself is apps.pricing.engine.run.reprice_store; costs are apps.pricing.cost.
"""

from __future__ import annotations

from django.db import connection, transaction

from apps.accounts.models import Organization
from apps.catalog.models import Store
from apps.core.tenancy import unscoped

from .models import StrategyAssignment


def stores_due_for_repricing() -> list[tuple[int, int]]:
    """(organization id, store id) of active stores with an enabled strategy assigned."""
    with unscoped():
        store_ids = (
            StrategyAssignment.objects.unscoped()
            .filter(strategy__enabled=True)
            .values_list("store_id", flat=True)
            .distinct()
        )
        return list(
            Store.objects.unscoped()
            .filter(pk__in=store_ids, is_active=True)
            .order_by("pk")
            .values_list("organization_id", "pk")
        )


@transaction.atomic
def inventory_refresh(*, org: Organization, days: int = 30) -> int:
    """Set every listing's sales velocity from its last `days` of orders (one statement)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO pricing_listinginventory
                (created_at, updated_at, organization_id, listing_id, units_per_day,
                 stock_age_days)
            SELECT now(), now(), l.organization_id, l.id,
                   coalesce(s.units, 0)::numeric / %(days)s, 0
            FROM catalog_listing l
            LEFT JOIN (
                SELECT i.listing_id, sum(i.quantity) AS units
                FROM orders_orderitem i JOIN orders_order o ON o.id = i.order_id
                WHERE i.organization_id = %(org)s AND o.ordered_at > now() - make_interval(
                    days => %(days)s) AND o.status <> 'cancelled'
                GROUP BY i.listing_id
            ) s ON s.listing_id = l.id
            WHERE l.organization_id = %(org)s
            ON CONFLICT (listing_id) DO UPDATE
                SET units_per_day = EXCLUDED.units_per_day, updated_at = now()
            """,
            {"org": org.id, "days": days},
        )
        return cursor.rowcount
