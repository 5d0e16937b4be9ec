"""Ad spend of past days re-imported (a search-term report again, with other figures) reaches
the profit read model through the Celery refresh the ads module's signal queues, not only at the
nightly rebuild; and the result equals a full rebuild."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from apps.ads.bulk_import import bulk_file_import
from apps.ads.imports import search_terms_import
from apps.analytics import tasks
from apps.analytics.models import ProfitDirty, ProfitFact
from apps.analytics.refresh import profit_refresh
from apps.orders.models import Order, OrderItem
from tests.factories import (
    ListingFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    StoreFactory,
)

pytestmark = pytest.mark.django_db

DATA = Path("/work/shared/data")
if not DATA.exists():
    DATA = Path(__file__).resolve().parents[1] / "data"
FIELDS = ("day", "store_id", "product_id", "orders", "revenue", "ad_spend", "net_profit")
DAY = date(2025, 9, 9)


def _facts(org):
    return sorted(ProfitFact.objects.for_org(org).values_list(*FIELDS), key=lambda r: r[:3])


def _spend(org, day):
    return ProfitFact.objects.for_org(org).get(day=day).ad_spend


@pytest.fixture
def advertised(org):
    org.default_currency, org.timezone = "USD", "UTC"
    org.save()
    store = StoreFactory(organization=org, name="Kovexa US")
    product = ProductFactory(
        organization=org, sku="KVX-PB10K-BLK", unit_cost="40", cost_currency="USD"
    )
    ListingFactory(
        organization=org, store=store, product=product, external_id="B0DK7PW2N4",
        price="25.99", currency="USD",
    )  # fmt: skip
    for n in range(8, 15):  # one order a day over the report's week
        order = OrderFactory(
            organization=org, store=store, ordered_at=datetime(2025, 9, n, 12, tzinfo=UTC),
            currency="USD", status="shipped",
        )  # fmt: skip
        OrderItemFactory(
            organization=org, order=order, product=product, sku=product.sku, quantity=1,
            unit_price=Decimal("25.99"), currency="USD", line_total=Decimal("25.99"),
        )  # fmt: skip
    report = (DATA / "amazon-sp-search-term-report-en.csv").read_bytes()
    search_terms_import(org=org, store_id=store.pk, data=report, filename="st.csv")
    return store, report


def _link_ads(org, store):
    """The bulk file's product ads link the report's ad groups to our listing."""
    bulk = (DATA / "amazon-sp-bulk-operations-sample.xlsx").read_bytes()
    bulk_file_import(org=org, store_id=store.pk, data=bulk, filename="bulk.xlsx")


@pytest.fixture
def refresh_inline(monkeypatch):
    """The refresh task, queued on commit, runs in the test's thread; returns its results."""
    ran = []
    monkeypatch.setattr(
        tasks.profit_refresh_task, "delay", lambda org_id, full=False: ran.append(
            tasks.profit_refresh_task(org_id, full)
        ),
    )  # fmt: skip
    return ran


def test_reimported_spend_of_a_past_day_is_refreshed_by_the_task(
    org, advertised, refresh_inline, django_capture_on_commit_callbacks
):
    store, report = advertised
    _link_ads(org, store)
    # the orders were written a day ago (else the watermark's overlap re-reads all their days);
    # lines first: changing a line touches its order
    ago = timezone.now() - timedelta(days=1)
    for model in (OrderItem, Order):
        model.objects.for_org(org).update(created_at=ago, updated_at=ago)
    profit_refresh(org=org, full=True)  # takes in the marks of the set-up's imports
    assert not ProfitDirty.objects.for_org(org).exists()
    before = _spend(org, DAY)
    assert before > 0
    # the 9th's rows again, every spend doubled (a corrected report of one past day)
    lines = report.decode("utf-8-sig").splitlines()
    header, rows = lines[0], [x for x in lines[1:] if x.startswith('"Sep 09, 2025"')]
    doubled = []
    for row in rows:
        cells = row.split(",")
        i = header.split(",").index("Spend") + 2  # each quoted date holds one more comma
        cells[i] = f"${Decimal(cells[i].lstrip('$')) * 2}"
        doubled.append(",".join(cells))
    again = "\n".join([header, *doubled]).encode()
    with django_capture_on_commit_callbacks(execute=True):
        search_terms_import(org=org, store_id=store.pk, data=again, filename="st-09.csv")
    assert refresh_inline and refresh_inline[-1]["full"] is False
    assert refresh_inline[-1]["days"] == 1  # the 9th only
    assert _spend(org, DAY) == before * 2
    assert _spend(org, date(2025, 9, 10)) > 0
    assert not ProfitDirty.objects.for_org(org).exists()
    incremental = _facts(org)
    profit_refresh(org=org, full=True)
    assert incremental == _facts(org)


def test_ads_linked_to_other_listings_rebuild_every_day(
    org, advertised, refresh_inline, django_capture_on_commit_callbacks
):
    store, _report = advertised
    profit_refresh(org=org, full=True)
    assert _spend(org, DAY) == 0  # spend of ad groups that advertise none of our listings
    with django_capture_on_commit_callbacks(execute=True):
        _link_ads(org, store)
    assert refresh_inline and refresh_inline[-1]["full"] is True
    assert _spend(org, DAY) > 0
    assert not ProfitDirty.objects.for_org(org).exists()
