"""Pricing pages: members read, managers write (others get 403 on POST), other organizations'
ids are 404, and the pages render in Chinese."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.pricing.models import CompetitorOffer, PriceChange, Strategy, StrategyAssignment
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(org):
    return ListingFactory(organization=org, price=Decimal("18.99"), product__sku="VOL-PB-10K")


@pytest.fixture
def strategy(org):
    return Strategy.objects.create(organization=org, name="Beat lowest", kind="beat_lowest_pct")


@pytest.fixture
def foreign(other_org):
    listing = ListingFactory(organization=other_org)
    strategy = Strategy.objects.create(organization=other_org, name="Theirs")
    assignment = StrategyAssignment.objects.create(
        organization=other_org, strategy=strategy, store=listing.store
    )
    return listing, strategy, assignment


def history(org, listing):
    now = timezone.now()
    for days, price, bb in [(20, "19.49", True), (10, "18.79", False), (2, "18.49", True)]:
        CompetitorOffer.objects.create(
            organization=org, listing=listing, seller_id="RIVAL", seller_name="Rival Co",
            price=Decimal(price), currency="USD", is_buy_box=bb, fulfilment="fba",
            rating=Decimal("96"), observed_at=now - timedelta(days=days),
        )  # fmt: skip
    return PriceChange.objects.create(
        organization=org, listing=listing, old_price=Decimal("19.99"), new_price=Decimal("18.99"),
        currency="USD", binding="floor", outcome="applied", floor=Decimal("18.99"),
        competitor_price=Decimal("18.49"), competitor_seller="RIVAL", margin_pct=Decimal("6.2"),
    )  # fmt: skip


def pages(listing, strategy) -> list[str]:
    return [
        reverse("pricing:index"),
        reverse("pricing:strategies"),
        reverse("pricing:strategy_new"),
        reverse("pricing:strategy", args=[strategy.id]),
        reverse("pricing:changes"),
        reverse("pricing:listing", args=[listing.id]),
        reverse("pricing:at_floor"),
        reverse("pricing:simulator"),
        reverse("pricing:competitors"),
        reverse("catalog:listing_detail", args=[listing.id]),
    ]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.REVIEWER, Role.VIEWER])
def test_every_pricing_page_renders_for_every_role(
    org, role, member_with_role, client_for, listing, strategy
):
    history(org, listing)
    client = client_for(member_with_role(role))
    for url in pages(listing, strategy):
        response = client.get(url)
        assert response.status_code == 200, url


def test_changes_floor_and_chart_show_the_reasons_and_series(org, user, client_for, listing):
    history(org, listing)
    client = client_for(user)
    changes = client.get(reverse("pricing:changes") + "?binding=floor").content.decode()
    assert "VOL-PB-10K" in changes and "18.49" in changes and "6.2%" in changes
    assert (
        "VOL-PB-10K"
        not in client.get(reverse("pricing:changes") + "?binding=ceiling").content.decode()
    )
    floor = client.get(reverse("pricing:at_floor"))
    assert [x.pk for x in floor.context["page"]] == [listing.pk]
    chart = client.get(reverse("pricing:listing", args=[listing.id]))
    names = [line["name"] for line in chart.context["chart"]["lines"]]
    assert names == ["ours", "lowest", "buy_box", "floor"]
    body = chart.content.decode()
    assert 'data-series="lowest"' in body and "Rival Co" in body
    lowest = next(x for x in chart.context["chart"]["lines"] if x["name"] == "lowest")
    assert lowest["last"] == "18.49" and len(lowest["dots"]) == 3


def test_the_listing_page_shows_the_cost_breakdown(org, user, client_for, listing):
    body = client_for(user).get(reverse("catalog:listing_detail", args=[listing.id])).content
    assert b'data-testid="cost-breakdown"' in body
    assert b"Break-even price" in body


def test_a_manager_creates_enables_and_assigns_a_strategy(org, user, client_for, listing):
    client = client_for(user)
    form = {"name": "Margin 25", "kind": "target_margin", "priority": 1, "target_margin_pct": 25,
            "beat_amount": 0, "beat_pct": 0, "max_age_hours": 48, "no_competitor": "target_margin",
            "competitor_below_floor": "floor", "competitor_at_floor": "hold", "lead_time_days": 30,
            "low_cover_raise_pct": 0, "ageing_lower_pct": 0, "min_margin_pct": 8,
            "ceiling_margin_pct": 150, "max_change_pct": 10, "max_changes_per_day": 4,
            "price_ending": "auto", "fulfilment_types": ["fba"]}  # fmt: skip
    response = client.post(reverse("pricing:strategy_new"), form)
    assert response.status_code == 302, response.context["form"].errors
    strategy = Strategy.objects.for_org(org).get(name="Margin 25")
    assert strategy.min_margin_pct == 8 and strategy.fulfilment_types == ["fba"]
    assert strategy.created_by == user and strategy.enabled is False
    duplicate = client.post(reverse("pricing:strategy_new"), form)
    assert "already exists" in duplicate.content.decode()
    client.post(reverse("pricing:strategy_enable", args=[strategy.id]), {"enabled": "1"})
    client.post(reverse("pricing:strategy_assign", args=[strategy.id]), {"store": listing.store_id})
    strategy.refresh_from_db()
    assert strategy.enabled is True
    assignment = StrategyAssignment.objects.for_org(org).get()
    assert (assignment.store_id, assignment.scope) == (listing.store_id, "store")
    client.post(reverse("pricing:assignment_delete", args=[assignment.id]))
    assert not StrategyAssignment.objects.for_org(org).exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER])
def test_readers_get_403_on_every_post(org, role, member_with_role, client_for, listing, strategy):
    client = client_for(member_with_role(role))
    assignment = StrategyAssignment.objects.create(
        organization=org, strategy=strategy, store=listing.store
    )
    posts = [
        (reverse("pricing:strategy_new"), {"name": "X"}),
        (reverse("pricing:strategy", args=[strategy.id]), {"name": "X"}),
        (reverse("pricing:strategy_enable", args=[strategy.id]), {"enabled": "1"}),
        (reverse("pricing:strategy_assign", args=[strategy.id]), {"store": listing.store_id}),
        (reverse("pricing:assignment_delete", args=[assignment.id]), {}),
        (reverse("pricing:reprice"), {"store": listing.store_id}),
        (reverse("pricing:competitors"), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    strategy.refresh_from_db()
    assert strategy.enabled is False and strategy.name == "Beat lowest"
    assert StrategyAssignment.objects.for_org(org).exists()


def test_other_organizations_ids_answer_404(org, user, client_for, foreign):
    listing, strategy, assignment = foreign
    client = client_for(user)
    for url in [reverse("pricing:strategy", args=[strategy.id]),
                reverse("pricing:listing", args=[listing.id])]:  # fmt: skip
        assert client.get(url).status_code == 404, url
    for url, data in [
        (reverse("pricing:strategy_enable", args=[strategy.id]), {"enabled": "1"}),
        (reverse("pricing:strategy_assign", args=[strategy.id]), {"store": listing.store_id}),
        (reverse("pricing:assignment_delete", args=[assignment.id]), {}),
        (reverse("pricing:reprice"), {"store": listing.store_id}),
    ]:
        assert client.post(url, data).status_code == 404, url
    strategy.refresh_from_db()
    assert strategy.enabled is False
    assert StrategyAssignment.objects.for_org(strategy.organization).exists()


def test_a_manager_cannot_assign_to_another_organizations_store(
    org, user, client_for, strategy, foreign
):
    listing, _, _ = foreign
    client_for(user).post(reverse("pricing:strategy_assign", args=[strategy.id]),
                          {"store": listing.store_id})  # fmt: skip
    assert not StrategyAssignment.objects.for_org(org).exists()


def test_the_upload_page_imports_good_lines_and_lists_bad_ones(org, user, client_for, listing):
    data = f'listing_id,seller,price\n{listing.id},Rival,"17,99"\n{listing.id},Rival2,abc\n'
    upload = SimpleUploadedFile("offers.csv", data.encode("gbk"), content_type="text/csv")
    response = client_for(user).post(reverse("pricing:competitors"), {"file": upload})
    assert response.status_code == 200
    assert CompetitorOffer.objects.for_org(org).get().price == Decimal("17.99")
    body = response.content.decode()
    assert "line 3: price is not a number: &#x27;abc&#x27;" in body
    empty = SimpleUploadedFile("empty.csv", b"", content_type="text/csv")
    response = client_for(user).post(reverse("pricing:competitors"), {"file": empty})
    assert response.status_code == 200 and response.context["form"].errors


def test_pages_render_in_chinese(org, user, client_for, listing, strategy):
    history(org, listing)
    client = client_for(user)
    client.post(reverse("set_language"), {"language": "zh-hans"})
    assert "定价" in client.get(reverse("pricing:index")).content.decode()
    assert "底价" in client.get(reverse("pricing:at_floor")).content.decode()
    assert "盈亏平衡" in client.get(reverse("pricing:listing", args=[listing.id])).content.decode()
