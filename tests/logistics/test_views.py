"""Logistics pages: render in English and Chinese with content, other organizations' rows stay
invisible, writes need a manager, bad input never gives a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.logistics.imports import tracking_import
from apps.logistics.models import Inventory
from apps.logistics.planner import plan

from .helpers import fba_warehouse, sample_products
from .test_planner import _history

SAMPLE = Path("/work/shared/data/tracking-events.csv")
if not SAMPLE.exists():
    SAMPLE = Path(__file__).resolve().parents[1] / "data" / "tracking-events.csv"
FBA = SAMPLE.with_name("amazon-fba-inventory-report.tsv")

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(org):
    wh = fba_warehouse(org)
    listing = sample_products(org, wh.store, ["KVX-PLAN"])["KVX-PLAN"]
    Inventory.objects.create(
        organization=org,
        product=listing.product,
        warehouse=wh,
        fulfillable=20,
        reported_at=timezone.now(),
    )
    _history(org, wh.store, listing, days=60, per_day=3)
    tracking_import(org=org, source=SAMPLE.read_bytes(), filename="t.csv")
    plan(org=org)
    return wh


@pytest.mark.parametrize("name", ["index", "plan", "at_risk", "lanes"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_pages_render_with_content(planned, user, client_for, name, lang):
    client = client_for(user)
    response = client.get(reverse(f"logistics:{name}"), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="module-data"' in html
    if lang == "zh-hans" and name == "plan":
        assert "补货计划" in html


def test_other_organizations_see_none_of_it(planned, outsider, client_for):
    client = client_for(outsider)
    assert "KVX-PLAN" not in client.get(reverse("logistics:index")).content.decode()
    assert "KVX-PLAN" not in client.get(reverse("logistics:plan")).content.decode()
    assert "YT2525400731926548" not in client.get(reverse("logistics:at_risk")).content.decode()
    # Importing into another organization's warehouse: 404.
    response = client.post(
        reverse("logistics:import_inventory"), {"warehouse": planned.pk, "file": FBA.open("rb")}
    )
    assert response.status_code == 404


def test_plan_chart_and_inputs_show_for_a_sku(planned, user, client_for):
    html = client_for(user).get(reverse("logistics:plan")).content.decode()
    assert 'data-testid="forecast-chart"' in html and 'data-testid="plan-inputs"' in html
    assert 'data-testid="plan-accuracy"' in html


def test_viewers_cannot_write(planned, member_with_role, client_for):
    viewer = client_for(member_with_role("viewer"))
    assert viewer.post(reverse("logistics:plan_run")).status_code == 403
    assert viewer.post(reverse("logistics:at_risk_draft")).status_code == 403


def test_uploads_report_errors_instead_of_failing(planned, user, client_for):
    client = client_for(user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.tsv", b"nothing\tuseful\n1\t2\n")
    response = client.post(
        reverse("logistics:import_inventory"), {"warehouse": planned.pk, "file": bad}, follow=True
    )
    assert response.status_code == 200 and "Missing columns" in response.content.decode()
    response = client.post(reverse("logistics:import_inventory"), {"warehouse": "abc"})
    assert response.status_code == 404
    ok = client.post(
        reverse("logistics:import_tracking"),
        {"file": SimpleUploadedFile("t.csv", SAMPLE.read_bytes())},
        follow=True,
    )
    assert ok.status_code == 200


def test_plan_export_and_service_level_bounds(planned, user, client_for):
    client = client_for(user)
    assert client.post(reverse("logistics:plan_run"), {"service_level": "lots"}).status_code == 302
    assert client.get(reverse("logistics:plan_export", args=["csv"])).status_code == 200
    assert client.get(reverse("logistics:plan_export", args=["pdf"])).status_code == 404
