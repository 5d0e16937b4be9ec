"""Catalog dashboard pages: members see their organization's rows, nobody else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace


@pytest.fixture
def listing(org):
    return ListingFactory(
        organization=org,
        title="Voltora 15W Wireless Charger",
        search_terms="充电器 wireless charger",
        product__sku="VOL-CHG-15",
        product__hs_code="8504.40",
        product__length_mm=100,
        product__width_mm=100,
        product__height_mm=12,
    )


@pytest.fixture
def foreign_listing(other_org):
    return ListingFactory(organization=other_org, product__sku="NB-FOREIGN-1")


def pages(listing) -> list[str]:
    return [
        reverse("catalog:products"),
        reverse("catalog:product_detail", args=[listing.product_id]),
        reverse("catalog:listings"),
        reverse("catalog:listing_detail", args=[listing.id]),
    ]


def test_every_catalog_page_renders_for_a_member(user, listing, client_for):
    client = client_for(user)
    for url in pages(listing):
        assert client.get(url).status_code == 200, url


def test_catalog_pages_require_login(client, listing):
    for url in pages(listing):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_viewer_can_read_but_not_write(member_with_role, listing, client_for):
    client = client_for(member_with_role(Role.VIEWER))
    response = client.get(reverse("catalog:listing_detail", args=[listing.id]))
    assert response.status_code == 200
    assert response.context["can_write"] is False


def test_a_manager_can_write(user, listing, client_for):
    response = client_for(user).get(reverse("catalog:product_detail", args=[listing.product_id]))
    assert response.context["can_write"] is True


def test_other_organizations_ids_answer_404(user, foreign_listing, client_for):
    client = client_for(user)
    assert (
        client.get(reverse("catalog:listing_detail", args=[foreign_listing.id])).status_code == 404
    )
    url = reverse("catalog:product_detail", args=[foreign_listing.product_id])
    assert client.get(url).status_code == 404


def test_the_outsider_gets_404_for_our_ids(outsider, listing, client_for):
    client = client_for(outsider)
    assert client.get(reverse("catalog:listing_detail", args=[listing.id])).status_code == 404


def test_lists_show_only_the_active_organizations_rows(user, listing, foreign_listing, client_for):
    client = client_for(user)
    products = client.get(reverse("catalog:products")).content.decode()
    listings = client.get(reverse("catalog:listings")).content.decode()
    for html in (products, listings):
        assert "VOL-CHG-15" in html
        assert "NB-FOREIGN-1" not in html


def test_product_search_and_category_filter(org, user, client_for):
    ProductFactory(organization=org, sku="CHG-1", category="Chargers")
    ProductFactory(organization=org, sku="CBL-1", name="数据线", category="Cables")
    client = client_for(user)
    page = client.get(reverse("catalog:products"), {"q": "数据"}).context["page"]
    assert [p.sku for p in page] == ["CBL-1"]
    page = client.get(reverse("catalog:products"), {"category": "Chargers"}).context["page"]
    assert [p.sku for p in page] == ["CHG-1"]


def test_products_are_paginated_fifty_per_page(org, user, client_for):
    ProductFactory.create_batch(51, organization=org)
    client = client_for(user)
    first = client.get(reverse("catalog:products"))
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 51
    second = client.get(reverse("catalog:products"), {"page": 2})
    assert len(second.context["page"].object_list) == 1


def test_listing_filters_by_store_and_status(org, user, client_for):
    store_a = StoreFactory(organization=org, name="A")
    store_b = StoreFactory(organization=org, name="B", marketplace=marketplace("amazon_de"))
    ListingFactory(organization=org, store=store_a, product__sku="A-1")
    ListingFactory(organization=org, store=store_b, product__sku="B-1", status="inactive")
    client = client_for(user)
    page = client.get(reverse("catalog:listings"), {"store": store_b.id}).context["page"]
    assert [li.product.sku for li in page] == ["B-1"]
    page = client.get(reverse("catalog:listings"), {"status": "active"}).context["page"]
    assert [li.product.sku for li in page] == ["A-1"]


def test_a_foreign_store_id_in_the_filter_shows_nothing(user, listing, foreign_listing, client_for):
    response = client_for(user).get(
        reverse("catalog:listings"), {"store": foreign_listing.store_id}
    )
    assert response.context["page"].paginator.count == 0


def test_an_htmx_request_gets_only_the_table_fragment(user, listing, client_for):
    response = client_for(user).get(
        reverse("catalog:listings"), {"q": "VOL"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="listings-table"' in html
    # The table and the action on its rows, not the page or its filter form.
    assert "<html" not in html and 'role="search"' not in html
    assert "HX-Request" in response["Vary"]


def test_a_plain_request_gets_the_full_page(user, listing, client_for):
    html = client_for(user).get(reverse("catalog:products")).content.decode()
    assert "<html" in html and 'id="products-table"' in html and "hx-get=" in html


def test_listing_detail_counts_search_terms_in_utf8_bytes(user, listing, client_for):
    response = client_for(user).get(reverse("catalog:listing_detail", args=[listing.id]))
    checks = {c["label"]: c for c in response.context["checks"]}
    terms = checks["Search terms"]
    assert terms["value"] == len("充电器 wireless charger".encode()) == 26
    assert terms["limit"] == 249 and not terms["over"]
    assert checks["Title"]["limit"] == 200


def test_listing_detail_flags_a_title_over_the_marketplace_limit(org, user, client_for):
    ebay = StoreFactory(organization=org, marketplace=marketplace("ebay_us"))
    listing = ListingFactory(organization=org, store=ebay, title="x" * 81)
    response = client_for(user).get(reverse("catalog:listing_detail", args=[listing.id]))
    checks = {c["label"]: c for c in response.context["checks"]}
    assert checks["Title"]["over"] is True
    assert "over the limit" in response.content.decode()


def test_product_detail_shows_facts_and_its_listings(user, listing, client_for):
    html = client_for(user).get(reverse("catalog:product_detail", args=[listing.product_id]))
    html = html.content.decode()
    assert "8504.40" in html and "42.50 CNY" in html and "aluminium" in html
    assert listing.store.name in html


def test_the_chinese_page_renders_chinese(user, listing, client_for):
    client = client_for(user)
    html = client.get(reverse("catalog:listings"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "商品链接" in html and "店铺" in html


def test_listing_detail_lists_problems_in_the_current_copy(org, user, client_for):
    listing = ListingFactory(organization=org, title="Best seller charger", search_terms="x" * 300)
    response = client_for(user).get(reverse("catalog:listing_detail", args=[listing.id]))
    rules = {p.rule for p in response.context["problems"]}
    assert {"banned_term", "search_terms.bytes"} <= rules
    assert 'data-testid="content-problems"' in response.content.decode()


def test_drafting_ai_copy_for_a_listing_starts_a_generation_job_of_the_org_only(
    org, other_org, user, outsider, client_for
):
    from apps.core.models import Job
    from tests.factories import ListingFactory

    mine = ListingFactory(organization=org)
    theirs = ListingFactory(organization=other_org)
    client = client_for(user)
    page = client.get(f"/catalog/listings/{mine.pk}/").content.decode()
    assert 'data-testid="generate-one"' in page
    assert "offline generator" in page

    response = client.post("/catalog/listings/generate/", {"listing": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    job = Job.objects.for_org(org).get(kind="ai.generation")
    assert job.total == 1
    assert job.result["refused_ids"] == [theirs.pk]

    only_theirs = client.post("/catalog/listings/generate/", {"listing": [theirs.pk]})
    assert only_theirs.status_code == 302
    assert Job.objects.for_org(org).count() == 1


def test_drafting_ai_copy_for_a_filter_covers_the_matching_listings(org, user, client_for):
    from apps.core.models import Job
    from tests.factories import ListingFactory, StoreFactory

    store = StoreFactory(organization=org)
    for _ in range(3):
        ListingFactory(organization=org, store=store)
    ListingFactory(organization=org)  # another store
    client_for(user).post("/catalog/listings/generate/", {"scope": "filter", "store": store.pk})
    assert Job.objects.for_org(org).get(kind="ai.generation").total == 3


def test_a_viewer_cannot_start_generation(org, member_with_role, client_for):
    from tests.factories import ListingFactory

    listing = ListingFactory(organization=org)
    viewer = client_for(member_with_role("viewer"))
    assert viewer.post("/catalog/listings/generate/", {"listing": [listing.pk]}).status_code == 403
