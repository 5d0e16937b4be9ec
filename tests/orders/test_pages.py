"""Orders pages added for imports, risk and FX exposure: render in English and Chinese, import
with line errors, and never show another organization's rows."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.orders.models import Order
from tests.factories import OrderFactory, StoreFactory


def test_the_import_page_imports_and_lists_line_errors(org, user, client_for):
    store = StoreFactory(organization=org)
    data = (
        b"amazon-order-id\tsku\tquantity\tpurchase-date\tcurrency\titem-price\n"
        b"1\tA\t1\t2025-09-08T10:00:00Z\tUSD\t9.99\n"
        b"2\tB\tmany\t2025-09-08T10:00:00Z\tUSD\t9.99\n"
    )
    response = client_for(user).post(
        reverse("orders:import"),
        {"file": SimpleUploadedFile("o.tsv", data), "format": "amazon", "store": store.id},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="import-errors"' in html
    assert "line 3" in html
    assert Order.objects.for_org(org).filter(marketplace_order_id="1").exists()


def test_the_import_page_refuses_another_organizations_store(org, other_org, user, client_for):
    foreign = StoreFactory(organization=other_org)
    response = client_for(user).post(
        reverse("orders:import"),
        {"file": SimpleUploadedFile("o.tsv", b"x"), "format": "amazon", "store": foreign.id},
    )
    assert response.status_code == 200
    assert not Order.objects.for_org(other_org).exists()


def test_risk_page_lists_only_own_risky_orders_with_reasons(org, other_org, user, client_for):
    OrderFactory(organization=org, marketplace_order_id="RISKY-1", risk_score=60,
                 risk_reasons=["country_mismatch"])  # fmt: skip
    OrderFactory(organization=other_org, marketplace_order_id="RISKY-FOREIGN", risk_score=90)
    html = client_for(user).get(reverse("orders:risk")).content.decode()
    assert "RISKY-1" in html and "RISKY-FOREIGN" not in html
    assert "Billing and shipping countries differ" in html


def test_exposure_page_says_when_stock_value_is_not_available(org, user, client_for, monkeypatch):
    from apps.orders import inputs

    monkeypatch.setattr(inputs, "_STOCK_VALUE", [])  # as if logistics registered nothing
    OrderFactory(organization=org)
    html = client_for(user).get(reverse("orders:exposure")).content.decode()
    assert 'data-testid="exposure-chart"' in html
    assert 'data-testid="stock-unavailable"' in html


def test_pages_render_in_chinese(org, user, client_for):
    OrderFactory(organization=org, risk_score=60, risk_reasons=["first_order"])
    client = client_for(user)
    for name in ("orders:import", "orders:risk", "orders:exposure", "orders:list"):
        response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        assert 'lang="zh' in response.content.decode()
