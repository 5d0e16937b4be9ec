"""The demo shows ads: 90 days of search terms per demo Amazon store, waste and harvestable
terms, and recommendations in the queue."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Max, Min

from apps.accounts.models import Organization
from apps.ads.models import Campaign, SearchTermStat
from apps.ads.selectors import waste_by_week
from apps.review.models import Draft

pytestmark = pytest.mark.django_db


def test_demo_has_90_days_waste_harvest_and_recommendations():
    call_command("seed_demo", stdout=None)
    org = Organization.objects.get(slug="demo")
    stats = SearchTermStat.objects.for_org(org)
    span = stats.aggregate(first=Min("day"), last=Max("day"))
    assert span["last"] - span["first"] == timedelta(days=89)
    assert Campaign.objects.for_org(org).filter(targeting="auto").exists()
    weeks = waste_by_week(org=org, start=span["first"], end=span["last"])
    assert weeks and all(w.wasted > 0 for w in weeks)
    rules = set(
        Draft.objects.for_org(org)
        .filter(kind="ad_change", status="pending")
        .values_list("category", flat=True)
    )
    assert {"negative_waste", "harvest"} <= rules, rules
    before = stats.count()
    call_command("seed_demo", stdout=None)  # idempotent
    assert SearchTermStat.objects.for_org(org).count() == before
    assert (
        Organization.objects.get(slug="demo-home")
        and SearchTermStat.objects.for_org(Organization.objects.get(slug="demo-home")).exists()
    )
