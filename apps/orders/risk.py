"""Order risk for payment settlement: a rule-based score per order with its reasons.

Rules (points add up, capped at 100; an order at REVIEW_SCORE or more is listed for review):
- `high_value`: the order total is over HIGH_VALUE_FACTOR × the median order of its store in
  its currency over the last 90 days (with at least HIGH_VALUE_MIN_ORDERS orders to compare);
- `first_order`: the buyer's first order with the organization (buyer = hashed e-mail, or the
  hashed shipping address when the marketplace hides the buyer, as Amazon's report does);
- `country_mismatch`: billing and shipping countries differ;
- `address_velocity`: ADDRESS_ORDERS or more orders to one shipping address within
  ADDRESS_WINDOW_DAYS (this order and the ones before it);
- `risky_destination`: the shipping country is on the organization's RiskDestination list
  (data, with its own points).

Computed set-based: one UPDATE over every order placed since `since`, with window functions
for the address rule and one aggregate per store and currency for the medians.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Organization

HIGH_VALUE_FACTOR = 3
HIGH_VALUE_MIN_ORDERS = 10
ADDRESS_ORDERS = 3
ADDRESS_WINDOW_DAYS = 3
POINTS = {"high_value": 30, "first_order": 15, "country_mismatch": 25, "address_velocity": 30}
REVIEW_SCORE = 40

REASONS = {
    "high_value": _("High value for the store"),
    "first_order": _("First order of this buyer"),
    "country_mismatch": _("Billing and shipping countries differ"),
    "address_velocity": _("Many orders to one address in a short time"),
    "risky_destination": _("Destination on the risk list"),
}

_SCORE_SQL = """
WITH scope AS (
    SELECT id, store_id, currency, order_total, buyer_key, address_key, buyer_country,
           billing_country, ordered_at
    FROM orders_order WHERE organization_id = %(org)s AND ordered_at >= %(since)s
), medians AS (
    SELECT store_id, currency, count(*) AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY order_total) AS median
    FROM orders_order
    WHERE organization_id = %(org)s AND status <> 'cancelled' AND order_total > 0
      AND ordered_at >= %(since)s - interval '90 days'
    GROUP BY store_id, currency
), firsts AS (
    SELECT buyer_key, min(ordered_at) AS first_at FROM orders_order
    WHERE organization_id = %(org)s AND buyer_key <> ''
      AND buyer_key IN (SELECT buyer_key FROM scope)
    GROUP BY buyer_key
), addresses AS (
    SELECT id, count(*) OVER (
        PARTITION BY address_key ORDER BY ordered_at
        RANGE BETWEEN make_interval(days => %(window)s) PRECEDING AND CURRENT ROW) AS recent
    FROM orders_order
    WHERE organization_id = %(org)s AND address_key <> ''
      AND ordered_at >= %(since)s - make_interval(days => %(window)s)
      AND status <> 'cancelled'
), rules AS (
    SELECT s.id,
        (m.n >= %(min_orders)s AND s.order_total > %(factor)s * m.median) AS high_value,
        (f.first_at IS NOT NULL AND s.ordered_at = f.first_at) AS first_order,
        (s.billing_country <> '' AND s.buyer_country <> ''
         AND s.billing_country <> s.buyer_country) AS country_mismatch,
        (COALESCE(a.recent, 0) >= %(address_orders)s) AS address_velocity,
        d.points AS destination_points
    FROM scope s
    LEFT JOIN medians m ON m.store_id = s.store_id AND m.currency = s.currency
    LEFT JOIN firsts f ON f.buyer_key = s.buyer_key
    LEFT JOIN addresses a ON a.id = s.id
    LEFT JOIN orders_riskdestination d
        ON d.organization_id = %(org)s AND d.country = s.buyer_country
), scored AS (
    SELECT id,
        LEAST(100, CASE WHEN high_value THEN %(p_high)s ELSE 0 END
            + CASE WHEN first_order THEN %(p_first)s ELSE 0 END
            + CASE WHEN country_mismatch THEN %(p_country)s ELSE 0 END
            + CASE WHEN address_velocity THEN %(p_address)s ELSE 0 END
            + COALESCE(destination_points, 0)) AS score,
        to_jsonb(array_remove(ARRAY[
            CASE WHEN high_value THEN 'high_value' END,
            CASE WHEN first_order THEN 'first_order' END,
            CASE WHEN country_mismatch THEN 'country_mismatch' END,
            CASE WHEN address_velocity THEN 'address_velocity' END,
            CASE WHEN destination_points IS NOT NULL THEN 'risky_destination' END
        ], NULL)) AS reasons
    FROM rules
)
UPDATE orders_order o SET risk_score = s.score, risk_reasons = s.reasons, risk_scored_at = now()
FROM scored s
WHERE o.id = s.id
  AND (o.risk_score, o.risk_reasons, o.risk_scored_at IS NULL)
      IS DISTINCT FROM (s.score, s.reasons, false)
"""


@transaction.atomic
def order_risk_score(*, org: Organization, since: dt.datetime | None = None) -> int:
    """Score every order of `org` placed since `since` (default: the last 90 days); returns
    how many orders' scores changed."""
    if since is None:
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=90)
    with connection.cursor() as cursor:
        cursor.execute(
            _SCORE_SQL,
            {
                "org": org.pk, "since": since, "window": ADDRESS_WINDOW_DAYS,
                "min_orders": HIGH_VALUE_MIN_ORDERS, "factor": HIGH_VALUE_FACTOR,
                "address_orders": ADDRESS_ORDERS, "p_high": POINTS["high_value"],
                "p_first": POINTS["first_order"], "p_country": POINTS["country_mismatch"],
                "p_address": POINTS["address_velocity"],
            },
        )  # fmt: skip
        return cursor.rowcount


def reason_labels(codes: list[str]) -> list[str]:
    return [str(REASONS.get(code, code)) for code in codes or []]
