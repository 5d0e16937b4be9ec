import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from apps.ads.bulk_export import bulk_export, bulk_export_mark_uploaded
from apps.ads.bulk_import import bulk_file_import
from apps.ads.imports import search_terms_import
from apps.ads.models import AdChange, AdGroup, Campaign, NegativeKeyword, Target
from apps.ads.recommendations import recommendations_run
from apps.ads.targets import campaign_target_override
from apps.integrations.amazon_sp_bulk.writer import HEADER
from apps.review.models import Draft
from apps.review.services import draft_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(org, store, listing, st_csv, bulk_xlsx, user):
    search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="st.csv")
    bulk_file_import(org=org, store_id=store.pk, data=bulk_xlsx, filename="bulk.xlsx")
    for c in Campaign.objects.for_org(org):
        campaign_target_override(org=org, actor=user, campaign_id=c.pk, target_acos=Decimal("30"))
    recommendations_run(org=org)
    for d in Draft.objects.for_org(org).filter(kind="ad_change", status="pending"):
        draft_approve(org=org, actor=user, draft_id=d.pk)
    return store


def test_bulk_file_round_trips_through_the_importer(org, approved):
    out = bulk_export(org=org)
    assert out.rows > 0
    book = load_workbook(io.BytesIO(out.content))
    sheet = book["Sponsored Products Campaigns"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    for row in rows[1:]:
        assert row[2] in ("Create", "Update")
        assert isinstance(row[3], str) and row[3].isdigit()  # ids as text
    res = bulk_file_import(org=org, store_id=approved.pk, data=out.content, filename="out.xlsx")
    assert res.errors == [], res.errors
    assert sum(res.counts.values()) >= 1
    # Approved bids are what the tree holds after the round trip.
    for ch in AdChange.objects.for_org(org).filter(action="bid"):
        assert Target.objects.for_org(org).get(pk=ch.payload["target_id"]).bid == Decimal(
            ch.payload["new_bid"]
        )
    marked = bulk_export_mark_uploaded(org=org, change_ids=out.change_ids)
    assert marked == len(out.change_ids)
    assert bulk_export(org=org).rows == 0


def test_changes_without_ids_or_breaking_limits_are_left_out_with_reasons(org, approved):
    camp = Campaign.objects.for_org(org).first()
    new_campaign = Campaign.objects.create(organization=org, store=camp.store, name="No ids yet")
    group = AdGroup.objects.create(organization=org, campaign=new_campaign, name="G")
    AdChange.objects.create(
        organization=org,
        campaign=new_campaign,
        action="negative",
        payload={
            "action": "negative",
            "entity": "negative_keyword",
            "ad_group_id": group.pk,
            "text": "cheap",
            "match_type": "negativeExact",
        },
    )
    AdChange.objects.create(
        organization=org,
        campaign=camp,
        action="negative",
        payload={
            "action": "negative",
            "entity": "negative_keyword",
            "text": " ".join(["w"] * 5),
            "match_type": "negativePhrase",
        },
    )
    kw_group = AdGroup.objects.for_org(org).get(amazon_id="305718864450236")
    for _ in range(2):  # the same keyword twice in one ad group
        AdChange.objects.create(
            organization=org,
            campaign=camp,
            action="harvest",
            payload={
                "action": "harvest",
                "entity": "keyword",
                "dest_ad_group_id": kw_group.pk,
                "text": "brand new term",
                "new_bid": "1.00",
                "negate_ad_group_id": kw_group.pk,
                "negate_text": "brand new term",
                "negate_entity": "negative_keyword",
            },
        )
    out = bulk_export(org=org)
    reasons = " | ".join(x["reason"] for x in out.left_out)
    assert "no Amazon id yet" in reasons
    assert "at most 4 words" in reasons
    assert "already in this ad group" in reasons
    assert all(x["row"] >= 2 for x in out.left_out)
    res = bulk_file_import(org=org, store_id=approved.pk, data=out.content, filename="o.xlsx")
    assert res.errors == []
    assert not NegativeKeyword.objects.for_org(org).filter(text=" ".join(["w"] * 5)).exists()
