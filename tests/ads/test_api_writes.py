"""The ads pages' writes through the API: a campaign's target-ACoS override (bounded, with
If-Match) and marking bulk-file changes uploaded; another organization's rows are 404 / 400."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.ads.bulk_export import bulk_export
from apps.ads.models import AdChange, Campaign
from apps.ads.targets import campaign_targets
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org, store):
    return Campaign.objects.create(
        organization=org, store=store, name="KVX - SP - Auto", amazon_id="111", currency="USD"
    )


def _change(org, campaign, **payload) -> AdChange:
    return AdChange.objects.create(
        organization=org,
        campaign=campaign,
        action="bid",
        payload={"action": "bid", **payload},
    )


def test_a_campaigns_target_acos_override_is_set_read_back_and_cleared(api_client, org, campaign):
    url = f"/api/v1/ads/campaigns/{campaign.pk}/"
    response = api_client.patch(url, {"target_acos_override": "27.50"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["target_acos_override"] == "27.50"
    campaign.refresh_from_db()
    assert campaign.target_acos_override == Decimal("27.50")
    assert campaign.override_at is not None
    target = campaign_targets(org=org, campaign_ids=[campaign.pk])[campaign.pk]
    assert target.target_acos == Decimal("27.50") and target.source == "override"
    assert api_client.get(url).json()["target_acos_override"] == "27.50"

    cleared = api_client.patch(url, {"target_acos_override": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["target_acos_override"] is None
    campaign.refresh_from_db()
    assert campaign.target_acos_override is None and campaign.override_at is None
    target = campaign_targets(org=org, campaign_ids=[campaign.pk])[campaign.pk]
    assert target.source != "override"


@pytest.mark.parametrize("value", ["0.49", "200.01", "1e9", "abc", "12.345", "NaN"])
def test_an_out_of_range_target_acos_is_400_and_changes_nothing(api_client, campaign, value):
    url = f"/api/v1/ads/campaigns/{campaign.pk}/"
    response = api_client.patch(url, {"target_acos_override": value}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "target_acos_override" in response.json()["errors"]
    campaign.refresh_from_db()
    assert campaign.target_acos_override is None


def test_the_override_needs_the_field(api_client, campaign):
    response = api_client.patch(f"/api/v1/ads/campaigns/{campaign.pk}/", {}, format="json")
    assert response.status_code == 400
    assert "target_acos_override" in response.json()["errors"]


def test_a_stale_if_match_is_412_and_the_current_etag_writes(api_client, campaign):
    url = f"/api/v1/ads/campaigns/{campaign.pk}/"
    etag = api_client.get(url)["ETag"]
    first = api_client.patch(url, {"target_acos_override": "20"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    stale = api_client.patch(url, {"target_acos_override": "40"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["type"] == "urn:crossborder:problem:precondition-failed"
    campaign.refresh_from_db()
    assert campaign.target_acos_override == Decimal("20.00")
    fresh = api_client.get(url)["ETag"]
    assert fresh != etag
    again = api_client.patch(
        url, {"target_acos_override": "40"}, format="json", HTTP_IF_MATCH=fresh
    )
    assert again.status_code == 200 and again.json()["target_acos_override"] == "40.00"


def test_the_override_needs_the_manager_role_and_the_ads_write_scope(org, campaign, api_client_for):
    from rest_framework.test import APIClient

    from apps.accounts.services import api_key_issue

    url = f"/api/v1/ads/campaigns/{campaign.pk}/"
    viewer = api_client_for(org, role="viewer")
    assert viewer.patch(url, {"target_acos_override": "20"}, format="json").status_code == 403
    read_only = APIClient()
    raw = api_key_issue(org=org, name="read", role="manager", scopes=["ads:read"]).raw_key
    read_only.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert read_only.get(url).status_code == 200
    assert read_only.patch(url, {"target_acos_override": "20"}, format="json").status_code == 403
    campaign.refresh_from_db()
    assert campaign.target_acos_override is None


def test_another_organizations_campaign_is_404_and_unchanged(other_api_client, campaign):
    url = f"/api/v1/ads/campaigns/{campaign.pk}/"
    response = other_api_client.patch(url, {"target_acos_override": "20"}, format="json")
    assert response.status_code == 404
    campaign.refresh_from_db()
    assert campaign.target_acos_override is None


def test_marked_changes_leave_the_bulk_file_and_are_counted_once(api_client, org, campaign):
    first, second, third = (_change(org, campaign, bid=str(b)) for b in ("0.5", "0.6", "0.7"))
    response = api_client.post(
        "/api/v1/ads/bulk-file/uploaded/", {"changes": [first.pk, second.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"marked": 2}
    exported = dict(AdChange.objects.for_org(org).values_list("pk", "exported_at"))
    assert exported[first.pk] and exported[second.pk] and exported[third.pk] is None
    # Marked again: nothing more is marked, and the first marks keep their time.
    again = api_client.post(
        "/api/v1/ads/bulk-file/uploaded/", {"changes": [first.pk, third.pk]}, format="json"
    )
    assert again.json() == {"marked": 1}
    first.refresh_from_db()
    assert first.exported_at == exported[first.pk]
    assert bulk_export(org=org).change_ids == []


def test_a_foreign_or_unknown_change_id_is_400_and_nothing_is_marked(
    api_client, org, other_org, campaign
):
    mine = _change(org, campaign, bid="0.5")
    other_campaign = Campaign.objects.create(
        organization=other_org, store=StoreFactory(organization=other_org), name="Theirs"
    )
    theirs = _change(other_org, other_campaign, bid="0.9")
    response = api_client.post(
        "/api/v1/ads/bulk-file/uploaded/", {"changes": [mine.pk, theirs.pk]}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "changes" in body["errors"] and str(theirs.pk) in body["detail"]
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.exported_at is None and theirs.exported_at is None


@pytest.mark.parametrize("body", [{}, {"changes": []}, {"changes": ["x"]}, {"changes": [0]}])
def test_a_bad_list_of_changes_is_400(api_client, body):
    response = api_client.post("/api/v1/ads/bulk-file/uploaded/", body, format="json")
    assert response.status_code == 400
    assert "changes" in response.json()["errors"]
