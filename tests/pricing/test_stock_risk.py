"""The low-cover raise reads logistics' stock-out risk (registered by apps.logistics) where
the planner knows the product, the listing's own stock and velocity otherwise."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from django.utils import timezone

from apps.catalog.models import Listing
from apps.logistics.models import InboundItem, InboundShipment, PlanRun, RestockSuggestion
from apps.pricing import inputs
from apps.pricing.engine.run import reprice_store
from apps.pricing.models import ListingInventory, Strategy
from apps.review.models import Draft
from tests.logistics.helpers import fba_warehouse

from .test_engine_write import listing, setup_store

# setup_store: match_lowest, lead time 30 days (the strategy's default); competitor at 21.00
# → 20.99 without the raise, 20.99 × 1.05 = 22.04 → 21.99 with it.
PLAIN, RAISED = 209_900, 219_900


def _scene(org):
    store, strategy = setup_store(org)
    Strategy.objects.for_org(org).filter(pk=strategy.pk).update(
        max_change_pct=50, low_cover_raise_pct=5
    )
    a = listing(org, store, D("19.99"), sku="A", competitor=D("21.00"))
    return store, a


def _plan(org, product, *, on_hand, demand, warehouse=None, stockout_in=None):
    warehouse = warehouse or fba_warehouse(org, code=f"FBA-{org.pk}-{product.pk}")
    run = PlanRun.objects.create(organization=org)
    today = timezone.localdate()
    cover = D(on_hand) / D(demand) if demand else None
    out = stockout_in if stockout_in is not None else (int(cover) if cover is not None else None)
    RestockSuggestion.objects.create(
        organization=org, run=run, product=product, warehouse=warehouse, mode="sea",
        demand_per_day=D(demand), lead_time_days=D(45), safety_stock=0, reorder_point=0,
        on_hand=on_hand, needed=0, quantity=0,
        cover_days=None if cover is None else round(cover, 1),
        stockout_date=None if out is None else today + timedelta(days=out),
    )  # fmt: skip
    return warehouse


def _inbound(org, product, warehouse, *, arrives_in, ref="IN-1"):
    shipment = InboundShipment.objects.create(
        organization=org, reference=ref, warehouse=warehouse, mode="sea", status="in_transit",
        promised_date=timezone.localdate() + timedelta(days=arrives_in),
    )  # fmt: skip
    InboundItem.objects.create(organization=org, shipment=shipment, product=product, units=500)


def _row(org, store):
    return reprice_store(org=org, store=store, dry_run=True).results.iloc[0]


def _evidence(org, obj) -> dict[str, dict]:
    draft = Draft.objects.for_org(org).get(kind="price_change", target_id=obj.pk)
    return {e["field"]: e for e in draft.evidence}


def test_short_logistics_cover_raises_the_price_with_evidence_naming_logistics(org):
    store, a = _scene(org)
    # The listing's own figures say plenty (no velocity): only logistics knows it is short.
    Listing.objects.for_org(org).filter(pk=a.pk).update(stock=1000)
    _plan(org, a.product, on_hand=10, demand=1)  # 10 days of cover < 30 days lead time
    row = _row(org, store)
    assert (row.new, row.reason, row.cover_source) == (
        RAISED,
        "match_lowest+low_cover",
        "logistics",
    )

    reprice_store(org=org, store=store)
    ev = _evidence(org, a)
    stockout = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert ev["cover_days"] == {"field": "cover_days", "source": "logistics", "value": "10.0"}
    assert ev["stockout_date"] == {
        "field": "stockout_date",
        "source": "logistics",
        "value": stockout,
    }
    assert "next_inbound" not in ev


def test_inbound_stock_arriving_before_the_stockout_means_no_raise(org):
    store, a = _scene(org)
    warehouse = _plan(org, a.product, on_hand=10, demand=1)
    _inbound(org, a.product, warehouse, arrives_in=5)
    row = _row(org, store)
    assert (row.new, row.reason) == (PLAIN, "match_lowest")


def test_a_late_inbound_shipment_raises_even_when_cover_exceeds_the_lead_time(org):
    store, a = _scene(org)
    warehouse = _plan(org, a.product, on_hand=40, demand=1)  # 40 days > 30 days lead time
    assert _row(org, store).new == PLAIN
    _inbound(org, a.product, warehouse, arrives_in=60)  # …but nothing arrives for 60 days
    reprice_store(org=org, store=store)
    ev = _evidence(org, a)
    assert ev["next_inbound"]["value"] == (timezone.localdate() + timedelta(days=60)).isoformat()
    assert ev["cover_days"]["source"] == "logistics"


def test_logistics_cover_wins_over_the_listings_own_figures(org):
    store, a = _scene(org)
    Listing.objects.for_org(org).filter(pk=a.pk).update(stock=10)
    ListingInventory.objects.create(organization=org, listing=a, units_per_day=D(1))
    assert _row(org, store).reason == "match_lowest+low_cover"  # own data: 10 days < 30
    _plan(org, a.product, on_hand=400, demand=4)  # the planner: 100 days
    assert (_row(org, store).new, _row(org, store).reason) == (PLAIN, "match_lowest")


def test_without_logistics_data_the_listings_own_cover_decides_as_before(org):
    store, a = _scene(org)
    Listing.objects.for_org(org).filter(pk=a.pk).update(stock=10)
    ListingInventory.objects.create(organization=org, listing=a, units_per_day=D(1))
    row = _row(org, store)
    assert (row.new, row.reason, row.cover_source) == (RAISED, "match_lowest+low_cover", "pricing")
    reprice_store(org=org, store=store)
    ev = _evidence(org, a)
    assert ev["cover_days"] == {"field": "cover_days", "source": "pricing", "value": "10.0"}
    assert "stockout_date" not in ev

    ListingInventory.objects.for_org(org).filter(listing=a).update(units_per_day=D("0.1"))
    assert (_row(org, store).new, _row(org, store).reason) == (PLAIN, "match_lowest")


def test_another_organizations_inventory_never_moves_the_price(org, other_org):
    store, a = _scene(org)
    # The other organization's newer plan even names our product (a bad row): still ignored.
    other_wh = _plan(other_org, a.product, on_hand=1, demand=5)
    _inbound(other_org, a.product, other_wh, arrives_in=90, ref="OTHER")
    assert inputs.stock_risk_frame(org=org).empty
    row = _row(org, store)
    assert (row.new, row.reason, row.cover_source) == (PLAIN, "match_lowest", "")

    # With our own plan saying plenty, the other organization's shortage still changes nothing.
    _plan(org, a.product, on_hand=400, demand=4)
    risk = inputs.stock_risk_frame(org=org)
    assert risk["product_id"].tolist() == [a.product_id]
    assert risk["next_arrival"].isna().all()
    assert _row(org, store).new == PLAIN


def test_the_source_is_asked_once_per_run_not_per_sku(org, monkeypatch):
    store, _a = _scene(org)
    listing(org, store, D("19.99"), sku="B", competitor=D("21.00"))
    calls = []

    def source(*, org):
        calls.append(org.pk)
        return inputs.empty_frame()

    monkeypatch.setattr(inputs, "_STOCK_RISK", [source])
    reprice_store(org=org, store=store, dry_run=True, chunk_size=1)
    assert calls == [org.pk]
