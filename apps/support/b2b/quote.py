"""A quotation's computation: price tiers, freight by mode and Incoterm totals (all Decimal).

    unit cost     = the product's cost (apps.pricing: the listing cost model's unit + other
                    costs when the product has a listing, else the product's unit cost),
                    converted into the quotation currency (apps.orders.fx)
    EXW unit      = unit cost / (1 − margin %), margin from the highest break ≤ quantity
    EXW           = EXW unit × quantity
    FOB           = EXW + export fee per shipment + origin handling per unit × quantity
    freight(mode) = max(weight kg × rate per kg, minimum charge)   (apps.logistics history of
                    the lane, else apps.support.b2b.rates)
    insurance     = (FOB + freight) × 110 % × insurance %
    CIF           = FOB + freight + insurance
    duty          = CIF × duty %;   import VAT = (CIF + duty) × VAT %
    DDP           = CIF + duty + import VAT + last mile (weight kg × rate)
    lead time     = production days + transit days of the mode

Every amount is rounded to the currency's minor unit at each step, so the hand computation in
tests/support/test_b2b_quote.py and the PDF show the same figures. `compute` is pure: it takes
`Inputs` (gathered by `inputs_for` with database access) and returns a JSON-ready dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from apps.core.money import quantize

from . import rates

HUNDRED = Decimal(100)
MAX_TIERS = 6


@dataclass
class Inputs:
    currency: str
    quantity: int | None
    unit_cost: Decimal | None
    unit_weight_kg: Decimal
    moq: int
    production_days: int
    export_fee: Decimal
    handling_per_unit: Decimal
    insurance_pct: Decimal
    duty_pct: Decimal
    vat_pct: Decimal
    last_mile_per_kg: Decimal
    margins: list[tuple[int, Decimal]]  # (min quantity, margin %), ascending
    freight: dict[str, dict[str, Any]]  # mode -> {per_kg, minimum, transit_days, source}
    country: str = ""
    incoterm: str = ""
    validity_days: int = 30
    on_date: date | None = None
    problems: list[str] = field(default_factory=list)


def margin_for(margins: list[tuple[int, Decimal]], quantity: int) -> Decimal | None:
    found = None
    for min_quantity, pct in sorted(margins):
        if quantity >= min_quantity:
            found = pct
    return found


def tier_quantities(inputs: Inputs) -> list[int]:
    wanted = {inputs.moq} | {q for q, _ in inputs.margins if q >= inputs.moq}
    if inputs.quantity:
        wanted.add(max(inputs.quantity, inputs.moq))
    return sorted(q for q in wanted if q > 0)[:MAX_TIERS]


def _tier(inputs: Inputs, quantity: int, margin: Decimal) -> dict[str, Any]:
    cur = inputs.currency
    q = Decimal(quantity)
    assert inputs.unit_cost is not None
    exw_unit = quantize(inputs.unit_cost / (1 - margin / HUNDRED), cur)
    exw = quantize(exw_unit * q, cur)
    fob = exw + quantize(inputs.export_fee, cur) + quantize(inputs.handling_per_unit * q, cur)
    weight = (inputs.unit_weight_kg * q).quantize(Decimal("0.01"))
    modes = {}
    for mode in (m for m in rates.MODES if m in inputs.freight):
        lane = inputs.freight[mode]
        freight = quantize(max(weight * lane["per_kg"], lane["minimum"]), cur)
        insurance = quantize(
            (fob + freight) * rates.INSURED_SHARE * inputs.insurance_pct / HUNDRED, cur
        )
        cif = fob + freight + insurance
        duty = quantize(cif * inputs.duty_pct / HUNDRED, cur)
        vat = quantize((cif + duty) * inputs.vat_pct / HUNDRED, cur)
        last_mile = quantize(weight * inputs.last_mile_per_kg, cur)
        ddp = cif + duty + vat + last_mile
        modes[mode] = {
            "freight": str(freight),
            "insurance": str(insurance),
            "duty": str(duty),
            "import_vat": str(vat),
            "last_mile": str(last_mile),
            "totals": {"EXW": str(exw), "FOB": str(fob), "CIF": str(cif), "DDP": str(ddp)},
            "unit": {
                "EXW": str(exw_unit),
                "FOB": str(quantize(fob / q, cur)),
                "CIF": str(quantize(cif / q, cur)),
                "DDP": str(quantize(ddp / q, cur)),
            },
            "transit_days": lane["transit_days"],
            "lead_time_days": inputs.production_days + lane["transit_days"],
        }
    return {
        "quantity": quantity,
        "margin_pct": str(margin),
        "exw_unit": str(exw_unit),
        "weight_kg": str(weight),
        "modes": modes,
    }


def compute(inputs: Inputs) -> dict[str, Any]:
    """The quotation's figures as a JSON-ready dict (amounts as strings of Decimals)."""
    problems = list(inputs.problems)
    out: dict[str, Any] = {
        "currency": inputs.currency,
        "moq": inputs.moq,
        "requested_quantity": inputs.quantity,
        "quoted_quantity": max(inputs.quantity or 0, inputs.moq) if inputs.quantity else None,
        "below_moq": bool(inputs.quantity and inputs.quantity < inputs.moq),
        "incoterm": inputs.incoterm if inputs.incoterm in rates.INCOTERMS else "",
        "country": inputs.country,
        "production_days": inputs.production_days,
        "validity_days": inputs.validity_days,
        "unit_cost": None if inputs.unit_cost is None else str(inputs.unit_cost),
        "unit_weight_kg": str(inputs.unit_weight_kg),
        "rates": {
            "export_fee": str(inputs.export_fee),
            "handling_per_unit": str(inputs.handling_per_unit),
            "insurance_pct": str(inputs.insurance_pct),
            "duty_pct": str(inputs.duty_pct),
            "vat_pct": str(inputs.vat_pct),
            "last_mile_per_kg": str(inputs.last_mile_per_kg),
            "freight": {
                m: {
                    "per_kg": str(v["per_kg"]),
                    "minimum": str(v["minimum"]),
                    "transit_days": v["transit_days"],
                    "source": v.get("source", "rates"),
                }
                for m, v in inputs.freight.items()
            },
        },
        "tiers": [],
        "problems": problems,
    }
    if inputs.unit_cost is None:
        problems.append("missing_cost")
        return out
    for quantity in tier_quantities(inputs):
        margin = margin_for(inputs.margins, quantity)
        if margin is None:
            problems.append("no_margin_rule")
            continue
        out["tiers"].append(_tier(inputs, quantity, margin))
    out["problems"] = list(dict.fromkeys(problems))
    return out


def requested_tier(computation: dict) -> dict | None:
    """The tier of the quoted quantity (the requested one, raised to the MOQ)."""
    wanted = computation.get("quoted_quantity")
    tiers = computation.get("tiers") or []
    return next((t for t in tiers if t["quantity"] == wanted), tiers[0] if tiers else None)
