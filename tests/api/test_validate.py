"""POST /api/v1/listings/validate/ (stateless), GET /listings/{id}/checks/, protected terms;
each with its cross-tenant case."""

from __future__ import annotations

import pytest

from apps.accounts.models import Role
from apps.catalog.models import ProtectedTerm
from tests.factories import ListingFactory, ProductFactory, StoreFactory, marketplace

URL = "/api/v1/listings/validate/"


def test_validate_answers_rule_ids_severity_messages_in_both_languages_and_version(api_client):
    body = {"marketplace": "amazon_de", "title": "Voltora Kabel!", "bullets": ["Gut ™"],
            "description": "Versandkostenfrei.", "search_terms": "ä" * 125}  # fmt: skip
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["rules_version"] == "amazon@1+terms@1+common@1" and data["valid"] is False
    rules = [(c["rule"], c["severity"], c["field"]) for c in data["checks"]]
    assert rules == [("title.chars", "error", "title"), ("bullet.symbols", "error", "bullets"),
                     ("search_terms.bytes", "error", "search_terms"),
                     ("banned_term", "error", "description")]  # fmt: skip
    first = data["checks"][0]
    assert first["message_en"] == "Characters not allowed in titles: !"
    assert first["message_zh"] == "标题中不允许使用的字符：!"


def test_validate_answers_in_chinese_for_chinese_callers(api_client):
    response = api_client.post(URL, {"marketplace": "ebay_uk", "title": "e" * 81},
                               format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert response.json()["checks"][0]["message"] == "标题有 81 个字符，上限为 80 个。"


def test_clean_text_is_valid_and_nothing_is_stored(api_client, org):
    response = api_client.post(URL, {"marketplace": "shopify", "title": "Voltora Cable"},
                               format="json")  # fmt: skip
    assert response.json() == {"marketplace": "shopify", "valid": True, "checks": [],
                               "rules_version": "shopify@1+terms@1+common@1"}  # fmt: skip


def test_a_viewer_key_may_validate(api_client_for, org):
    client = api_client_for(org, Role.VIEWER)
    assert client.post(URL, {"marketplace": "shopify", "title": "x"}, format="json").status_code \
        == 200  # fmt: skip


def test_unknown_marketplace_is_a_clear_400(api_client):
    response = api_client.post(URL, {"marketplace": "amazon_mars", "title": "x"}, format="json")
    assert response.status_code == 400
    assert "amazon_mars" in str(response.json())


def test_a_product_grounds_the_claims_and_protected_terms_apply(api_client, org):
    product = ProductFactory(organization=org, attributes={"material": "copper"})
    ProtectedTerm.objects.create(organization=org, term="Anker")
    body = {"marketplace": "amazon_us", "title": "Steel clip like Anker", "product": product.pk}
    checks = api_client.post(URL, body, format="json").json()["checks"]
    assert [(c["rule"], c.get("claim")) for c in checks] == [
        ("protected_term", "Anker"), ("grounding.unsupported", "Steel")]  # fmt: skip
    body["confirmed_claims"] = ["steel"]
    checks = api_client.post(URL, body, format="json").json()["checks"]
    assert [c["rule"] for c in checks] == ["protected_term"]


def test_a_foreign_product_id_is_400_like_a_missing_one(api_client, other_org):
    foreign = ProductFactory(organization=other_org, attributes={"material": "copper"})
    body = {"marketplace": "amazon_us", "title": "Steel clip", "product": foreign.pk}
    response = api_client.post(URL, body, format="json")
    missing = api_client.post(URL, {**body, "product": 999999}, format="json")
    assert response.status_code == missing.status_code == 400
    assert str(response.json()["detail"]).replace(str(foreign.pk), "N") == str(
        missing.json()["detail"]).replace("999999", "N")  # fmt: skip


def test_a_listing_checks_are_readable_and_foreign_listings_are_404(api_client, org, other_org):
    mp = marketplace("ebay_uk")
    listing = ListingFactory(organization=org, title="e" * 81,
                             store=StoreFactory(organization=org, marketplace=mp))  # fmt: skip
    data = api_client.get(f"/api/v1/listings/{listing.pk}/checks/").json()
    assert data["rules_version"] == "ebay@1+terms@1+common@1"
    assert "title.max" in [c["rule"] for c in data["checks"]]
    foreign = ListingFactory(organization=other_org)
    assert api_client.get(f"/api/v1/listings/{foreign.pk}/checks/").status_code == 404


def test_protected_terms_are_maintained_per_organization(api_client, other_api_client, org):
    created = api_client.post("/api/v1/protected-terms/", {"term": " Anker "}, format="json")
    assert created.status_code == 201 and created.json()["term"] == "Anker"
    again = api_client.post("/api/v1/protected-terms/", {"term": "anker"}, format="json")
    assert again.status_code == 409
    assert [t["term"] for t in api_client.get("/api/v1/protected-terms/").json()["results"]] \
        == ["Anker"]  # fmt: skip
    assert other_api_client.get("/api/v1/protected-terms/").json()["results"] == []
    term_id = created.json()["id"]
    assert other_api_client.delete(f"/api/v1/protected-terms/{term_id}/").status_code == 404
    assert api_client.delete(f"/api/v1/protected-terms/{term_id}/").status_code == 204
    assert not ProtectedTerm.objects.for_org(org).exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_only_managers_change_protected_terms(api_client_for, org, role):
    client = api_client_for(org, role)
    assert client.post("/api/v1/protected-terms/", {"term": "Anker"}, format="json"
                       ).status_code == 403  # fmt: skip
