"""Who may call the API, and how every error reads: application/problem+json."""

from __future__ import annotations

from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.middleware import SESSION_KEY
from apps.accounts.models import Role
from apps.accounts.services import api_key_issue, api_key_revoke
from apps.catalog.models import Product
from tests.factories import MembershipFactory, ProductFactory, UserFactory

from .helpers import assert_problem, ids


def test_a_request_without_credentials_is_401_with_a_bearer_challenge(db):
    response = APIClient().get("/api/v1/products/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_key_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer cbk_not-a-real-key")
    assert_problem(client.get("/api/v1/products/"), 401)


def test_a_revoked_key_is_401_from_the_moment_it_is_revoked(org):
    issued = api_key_issue(org=org, name="erp")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    assert client.get("/api/v1/products/").status_code == 200
    api_key_revoke(org=org, key_id=issued.api_key.id)
    body = assert_problem(client.get("/api/v1/products/"), 401)
    assert "revoked" in body["detail"]


def test_keys_are_stored_hashed_only(org):
    issued = api_key_issue(org=org, name="erp")
    issued.api_key.refresh_from_db()
    assert issued.raw_key not in {issued.api_key.hashed_key, issued.api_key.prefix}


def test_a_viewer_key_reads_but_writing_is_403(org, viewer_client, mine):
    assert viewer_client.get("/api/v1/products/").status_code == 200
    body = assert_problem(viewer_client.post("/api/v1/products/", {"sku": "A", "name": "A"}), 403)
    assert "manager" in body["detail"]
    assert_problem(viewer_client.delete(f"/api/v1/products/{mine.product.id}/"), 403)
    assert Product.objects.for_org(org).filter(pk=mine.product.id).exists()


def test_a_reviewer_key_cannot_write_catalog_rows_either(org, api_client_for):
    client = api_client_for(org, role=Role.REVIEWER)
    assert_problem(client.post("/api/v1/stores/", {"marketplace": "amazon_us", "name": "S"}), 403)


def test_a_viewer_session_cannot_write(org, member_with_role):
    client = APIClient()
    client.force_login(member_with_role(Role.VIEWER))
    assert client.get("/api/v1/products/").status_code == 200
    assert_problem(client.post("/api/v1/products/", {"sku": "A", "name": "A"}), 403)


def test_a_dashboard_session_gets_its_active_organizations_data(org, other_org, user, mine, theirs):
    MembershipFactory(user=user, organization=other_org, role=Role.VIEWER)
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = org.id
    session.save()
    listed = ids(client.get("/api/v1/products/"))
    assert listed == {mine.product.id}

    session = client.session
    session[SESSION_KEY] = other_org.id
    session.save()
    assert ids(client.get("/api/v1/products/")) == {theirs.product.id}
    # ...with the role held there: a viewer of other_org cannot write in it.
    assert_problem(
        client.post(
            "/api/v1/products/", {"sku": "X", "name": "X"}, content_type="application/json"
        ),
        403,
    )


def test_a_session_user_of_no_organization_is_403(db):
    client = APIClient()
    client.force_login(UserFactory(username="nobody"))
    assert_problem(client.get("/api/v1/products/"), 403)


def test_session_writes_need_the_csrf_token(org, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        "/api/v1/products/", {"sku": "CSRF", "name": "x"}, content_type="application/json"
    )
    body = assert_problem(response, 403)
    assert "CSRF" in body["detail"]
    assert not Product.objects.for_org(org).filter(sku="CSRF").exists()


def test_a_key_acts_for_its_own_organization_whatever_the_session(org, other_org, outsider):
    """A key and a session of different organizations: the key decides, not the cookie."""
    ProductFactory(organization=org, sku="ORG-A")
    ProductFactory(organization=other_org, sku="ORG-B")
    client = APIClient()
    client.force_login(outsider)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_issue(org=org, name='k').raw_key}")
    skus = {row["sku"] for row in client.get("/api/v1/products/").json()["results"]}
    assert skus == {"ORG-A"}


def test_a_foreign_id_is_404_problem_json(api_client, theirs):
    body = assert_problem(api_client.get(f"/api/v1/listings/{theirs.listing.id}/"), 404)
    assert body["type"] == "urn:crossborder:problem:not-found"


def test_invalid_input_is_400_with_errors_per_field(api_client):
    response = api_client.post(
        "/api/v1/products/",
        {"name": "", "unit_cost": "-1", "cost_currency": "XXX"},
        format="json",
    )
    body = assert_problem(response, 400)
    assert set(body["errors"]) == {"sku", "name", "unit_cost", "cost_currency"}


def test_a_domain_error_is_400_problem_naming_the_field(api_client, mine):
    response = api_client.post(
        "/api/v1/products/", {"sku": mine.product.sku, "name": "Copy"}, format="json"
    )
    body = assert_problem(response, 400)
    assert body["field"] == "sku"
    assert body["code"] == "ValidationFailed"


def test_a_stale_version_is_409_problem(api_client, mine):
    url = f"/api/v1/listings/{mine.listing.id}/"
    api_client.patch(url, {"stock": 7}, format="json")
    body = assert_problem(api_client.patch(url, {"stock": 8, "version": 1}, format="json"), 409)
    assert body["code"] == "version_conflict"
    assert body["field"] == "version"


def test_an_unknown_route_under_the_api_is_404(api_client):
    assert api_client.get("/api/v1/nothing-here/").status_code == 404
