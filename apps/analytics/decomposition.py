"""Exact additive decomposition of a profit change between two periods (LMDI-I).

    profit  = revenue − Σ costs_k
    revenue = sessions × (orders / sessions) × (revenue / orders)
            = traffic  × conversion          × order value

The revenue change is split with the log-mean Divisia index: with L(a, b) = (a − b) / ln(a / b)
the weight, factor x contributes L(R₁, R₀) · ln(x₁ / x₀); since the factors multiply to revenue
the contributions add up to R₁ − R₀ exactly. Each cost's change enters as its own term −ΔC_k,
so the bars of the waterfall add up to the profit change exactly. Arithmetic is Decimal at 40
significant digits (a rounding error at the 10⁻³⁰ level, not a residual bar).

Where a factor is zero (or unknown: no traffic imported) the log is undefined; then the revenue
change goes to the first factor that is zero in either period (traffic, then conversion, then
order value), and traffic and conversion collapse into "orders" when sessions are unknown.
docs/profit-analytics.md explains the choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

COSTS = (
    "refunds",
    "vat",
    "product_cost",
    "freight",
    "marketplace_fees",
    "fulfilment_fees",
    "ad_spend",
)
DRIVERS = ("traffic", "conversion", "order_value")
PRECISION = 40


@dataclass(frozen=True)
class Period:
    """Totals of one period (in the base currency); `sessions` None when no traffic is known."""

    sessions: Decimal | None
    orders: Decimal
    revenue: Decimal
    costs: dict[str, Decimal]

    @property
    def profit(self) -> Decimal:
        return self.revenue - sum((self.costs.get(k, Decimal(0)) for k in COSTS), Decimal(0))


def _logmean(a: Decimal, b: Decimal) -> Decimal:
    if a == b:
        return a
    return (a - b) / (a / b).ln()


def revenue_effects(before: Period, after: Period) -> dict[str, Decimal]:
    """traffic, conversion, order_value contributions adding up to the revenue change."""
    r0, r1 = Decimal(before.revenue), Decimal(after.revenue)
    known = before.sessions is not None and after.sessions is not None
    if known:
        f0 = [
            Decimal(before.sessions),
            _ratio(before.orders, before.sessions),
            _ratio(before.revenue, before.orders),
        ]
        f1 = [
            Decimal(after.sessions),
            _ratio(after.orders, after.sessions),
            _ratio(after.revenue, after.orders),
        ]
        names = list(DRIVERS)
    else:
        f0 = [Decimal(before.orders), _ratio(before.revenue, before.orders)]
        f1 = [Decimal(after.orders), _ratio(after.revenue, after.orders)]
        names = ["conversion", "order_value"]  # traffic unknown: orders as a whole
    out = {name: Decimal(0) for name in DRIVERS}
    if r0 == r1 and all(a == b for a, b in zip(f0, f1, strict=True)):
        return out
    if r0 <= 0 or r1 <= 0 or any(v <= 0 for v in (*f0, *f1)):
        # No logs: the change belongs to the first factor that vanished (or appeared).
        for name, a, b in zip(names, f0, f1, strict=True):
            if a <= 0 or b <= 0:
                out[name] = r1 - r0
                return out
        out[names[-1]] = r1 - r0
        return out
    weight = _logmean(r1, r0)
    for name, a, b in zip(names, f0, f1, strict=True):
        out[name] = weight * (b / a).ln()
    return out


def _ratio(num, den) -> Decimal:
    num, den = Decimal(num), Decimal(den or 0)
    return num / den if den > 0 else Decimal(0)


def decompose(before: Period, after: Period) -> list[tuple[str, Decimal]]:
    """Waterfall steps from the earlier profit to the later one, adding up exactly."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        effects = revenue_effects(before, after)
        steps = [(name, +effects[name]) for name in DRIVERS]
        steps += [
            (k, -(after.costs.get(k, Decimal(0)) - before.costs.get(k, Decimal(0)))) for k in COSTS
        ]
    return steps


def rounded(steps: list[tuple[str, Decimal]], total: Decimal, places: int = 2):
    """Steps rounded for display so that they still add up to the rounded total: the rounding
    remainder goes to the largest step (largest-remainder rounding)."""
    q = Decimal(1).scaleb(-places)
    out = [(name, value.quantize(q)) for name, value in steps]
    gap = Decimal(total).quantize(q) - sum((v for _, v in out), Decimal(0))
    if gap and out:
        i = max(range(len(out)), key=lambda n: abs(out[n][1]))
        out[i] = (out[i][0], out[i][1] + gap)
    return out
