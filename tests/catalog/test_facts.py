"""The product fact sheet: attributes, dimensions and weight as typed facts with units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.catalog.content.facts import fact_sheet, facts_from
from tests.factories import ProductFactory


def test_attributes_become_typed_facts_in_base_units():
    sheet = facts_from(
        attributes={"capacity_mAh": 20000, "power_w": 22.5, "length_m": 1.5, "capacity_l": 4,
                    "material": "304 stainless steel, PP lid", "certifications": "CE; FCC",
                    "water_resistance": "IPX5", "compatibility": ["iPhone 15", "Pixel 8"],
                    "package_contents": "charger, cable, manual", "dimensions": "9 × 4 in",
                    "color": "Black"},
        weight_g=Decimal("412.0"),
    )  # fmt: skip
    by_source = {q.source: (q.kind, q.value, q.unit) for q in sheet.quantities}
    assert by_source["capacity_mAh"] == ("charge", Decimal(20000), "mAh")
    assert by_source["power_w"] == ("power", Decimal("22.5"), "W")
    assert by_source["length_m"] == ("length", Decimal("1500.0"), "mm")
    assert by_source["capacity_l"] == ("volume", Decimal(4000), "ml")
    assert by_source["weight_g"] == ("mass", Decimal("412.0"), "g")
    assert sorted(q.value for q in sheet.quantities if q.source == "dimensions") == [
        Decimal("101.6"), Decimal("228.6")]  # fmt: skip
    assert sheet.materials == {"stainless_steel"}
    assert sheet.supports_material("steel") and not sheet.supports_material("copper")
    assert sheet.certifications == {"CE", "FCC", "IPX5"}
    assert sheet.compatibility == ("iPhone 15", "Pixel 8")
    assert sheet.package_contents == ("charger", "cable", "manual")
    assert sheet.other["color"] == "Black"
    assert sheet.as_dict()["materials"] == ["stainless_steel"]


@pytest.mark.django_db
def test_a_products_fact_sheet_reads_its_metric_dimensions(org):
    product = ProductFactory(organization=org, attributes={"material": "copper"},
                             length_mm=Decimal("228.6"), width_mm=Decimal("20"),
                             height_mm=Decimal("5"), weight_g=Decimal("50"))  # fmt: skip
    sheet = fact_sheet(product)
    assert [q.value for q in sheet.quantities_of("length")] == [
        Decimal("228.6"), Decimal("20"), Decimal("5")]  # fmt: skip
    assert sheet.materials == {"copper"}
