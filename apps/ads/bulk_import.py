"""Bulk-operations files into the campaign tree: campaigns, ad groups, product ads, keywords,
product targets and negatives with their Amazon ids, upserted set-based per chunk.

A campaign is the store's campaign of that name (a search-term report may have created it
without ids: the bulk file then gives it its id). Children are found by their parents' ids, in
this chunk or imported before; a child whose parent is unknown is a line error. Re-importing a
file (or one the exporter wrote) updates rows in place: nothing is doubled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.db import transaction

from apps.catalog.models import Listing
from apps.integrations.amazon_sp_bulk import parser
from apps.integrations.services import ChunkOutcome, file_import
from apps.integrations.tabular.errors import LineError
from apps.integrations.tabular.pipeline import TypedChunk

from .imports import store_for
from .models import AdGroup, Campaign, NegativeKeyword, ProductAd, Target
from .signals import ad_spend_changed_send

if TYPE_CHECKING:
    from apps.accounts.models import Organization
    from apps.catalog.models import Store

AUTO_EXPRESSIONS = frozenset({"close-match", "loose-match", "substitutes", "complements"})


@dataclass
class BulkImportResult:
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[LineError] = field(default_factory=list)
    import_run_id: int | None = None
    duplicate_of: int | None = None
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "counts": self.counts,
            "errors": [e.as_dict() for e in self.errors],
            "import_run": self.import_run_id,
            "duplicate_of": self.duplicate_of,
            "message": self.message,
        }


def _money(value) -> Decimal | None:
    return None if value is None or pd.isna(value) else Decimal(value)


def bulk_file_import(
    *, org: Organization, store_id: int, data, filename: str = "", actor=None
) -> BulkImportResult:
    store = store_for(org=org, store_id=store_id)
    result = BulkImportResult()

    def apply_chunk(chunk: TypedChunk) -> ChunkOutcome:
        counts, errors = write_tree(org=org, store=store, rows=chunk.good())
        for k, v in counts.items():
            result.counts[k] = result.counts.get(k, 0) + v
        return ChunkOutcome(updated=sum(counts.values()) - len(errors), errors=errors)

    outcome = file_import(
        org=org,
        kind=parser.KIND,
        source=data,
        filename=filename,
        open_reader=lambda src, name: parser.BulkReader(src),
        apply_chunk=apply_chunk,
        actor=actor,
        target=str(store.pk),
    )
    result.import_run_id = outcome.run.pk
    if outcome.is_duplicate:
        result.duplicate_of = outcome.duplicate_of.pk
        result.message = outcome.duplicate_message()
        return result
    result.rows = outcome.run.rows_read
    result.errors = outcome.errors
    return result


@transaction.atomic
def write_tree(
    *, org: Organization, store: Store, rows: pd.DataFrame
) -> tuple[dict[str, int], list[LineError]]:
    errors: list[LineError] = []
    counts: dict[str, int] = {}
    by_entity = {e: rows[rows["entity"] == e] for e in rows["entity"].unique()}

    camps = by_entity.get("campaign", rows.iloc[0:0])
    if len(camps):
        objs = [
            Campaign(
                organization=org,
                store=store,
                amazon_id=r.campaign_id,
                name=r.campaign_name,
                targeting=r.targeting_type or "manual",
                daily_budget=_money(r.daily_budget),
                currency=_currency(store),
                bidding_strategy=r.bidding_strategy,
                state=r.state or "enabled",
                portfolio=r.portfolio_name_info,
                start_date=None if pd.isna(r.start_date) else r.start_date.date(),
            )
            for r in camps.itertuples(index=False)
            if r.campaign_name
        ]
        Campaign.objects.bulk_create(
            objs,
            update_conflicts=True,
            unique_fields=["store", "name"],
            update_fields=[
                "amazon_id",
                "targeting",
                "daily_budget",
                "bidding_strategy",
                "state",
                "portfolio",
                "start_date",
                "updated_at",
            ],
        )
        counts["campaigns"] = len(objs)
    campaign_ids = dict(
        Campaign.objects.for_org(org)
        .filter(store=store, amazon_id__in=set(rows["campaign_id"]))
        .values_list("amazon_id", "id")
    )
    # Campaigns named by a child row only (a partial download): learn them by name.
    for r in (
        rows[~rows["campaign_id"].isin(campaign_ids)].drop_duplicates("campaign_id").itertuples()
    ):
        name = r.campaign_name
        if name:
            camp, _ = Campaign.objects.for_org(org).get_or_create(
                organization=org,
                store=store,
                name=name,
                defaults={"amazon_id": r.campaign_id, "currency": _currency(store)},
            )
            if not camp.amazon_id:
                Campaign.objects.for_org(org).filter(pk=camp.pk).update(amazon_id=r.campaign_id)
            campaign_ids[r.campaign_id] = camp.pk
    unknown = ~rows["campaign_id"].isin(campaign_ids)
    for line, cid in zip(rows.loc[unknown, "line"], rows.loc[unknown, "campaign_id"], strict=True):
        errors.append(
            LineError(int(line), f"campaign {cid} is not in this file or imported before")
        )

    groups = by_entity.get("ad_group", rows.iloc[0:0])
    groups = groups[groups["campaign_id"].isin(campaign_ids)]
    if len(groups):
        AdGroup.objects.bulk_create(
            [
                AdGroup(
                    organization=org,
                    campaign_id=campaign_ids[r.campaign_id],
                    amazon_id=r.ad_group_id,
                    name=r.ad_group_name,
                    default_bid=_money(r.ad_group_default_bid)
                    if not pd.isna(r.ad_group_default_bid)
                    else _money(r.ad_group_default_bid_info),
                    state=r.state or "enabled",
                )
                for r in groups.itertuples(index=False)
                if r.ad_group_name
            ],
            update_conflicts=True,
            unique_fields=["campaign", "name"],
            update_fields=["amazon_id", "default_bid", "state", "updated_at"],
        )
        counts["ad_groups"] = len(groups)
    group_ids = dict(
        AdGroup.objects.for_org(org)
        .filter(campaign__store=store, amazon_id__in=set(rows["ad_group_id"]) - {""})
        .values_list("amazon_id", "id")
    )
    child = rows["entity"].isin(
        [
            "product_ad",
            "keyword",
            "negative_keyword",
            "product_targeting",
            "negative_product_targeting",
        ]
    )
    orphan = child & ~rows["ad_group_id"].isin(group_ids) & ~unknown
    for line, gid in zip(rows.loc[orphan, "line"], rows.loc[orphan, "ad_group_id"], strict=True):
        errors.append(
            LineError(int(line), f"ad group {gid or '—'} is not in this file or imported before")
        )
    ok = rows[~orphan & ~unknown]

    ads = ok[ok["entity"] == "product_ad"]
    if len(ads):
        listings = dict(
            Listing.objects.for_org(org)
            .filter(store=store, product__sku__in=set(ads["sku"]))
            .values_list("product__sku", "id")
        )
        by_asin = dict(
            Listing.objects.for_org(org)
            .filter(store=store, external_id__in=set(ads["asin_info"]) - {""})
            .values_list("external_id", "id")
        )
        ProductAd.objects.bulk_create(
            [
                ProductAd(
                    organization=org,
                    ad_group_id=group_ids[r.ad_group_id],
                    amazon_id=r.ad_id,
                    sku=r.sku,
                    asin=r.asin_info,
                    listing_id=listings.get(r.sku) or by_asin.get(r.asin_info),
                    state=r.state or "enabled",
                )
                for r in ads.itertuples(index=False)
            ],
            update_conflicts=True,
            unique_fields=["ad_group", "sku", "asin"],
            update_fields=["amazon_id", "listing", "state", "updated_at"],
        )
        counts["product_ads"] = len(ads)
        # the ad groups' products may have moved: every day's spend per product may differ
        ad_spend_changed_send(org_id=org.pk, store_id=store.pk)

    targets = ok[ok["entity"].isin(["keyword", "product_targeting"])]
    if len(targets):
        objs = []
        for r in targets.itertuples(index=False):
            if r.entity == "keyword":
                kind, text, match, amazon_id = "keyword", r.keyword_text, r.match_type, r.keyword_id
            else:
                expr = r.product_targeting_expression or r.resolved_expression_info
                kind = "auto" if expr.lower() in AUTO_EXPRESSIONS else "product"
                text, match, amazon_id = expr, "", r.product_targeting_id
            if not text:
                errors.append(
                    LineError(int(r.line), "keyword text / targeting expression is empty")
                )
                continue
            objs.append(
                Target(
                    organization=org,
                    ad_group_id=group_ids[r.ad_group_id],
                    amazon_id=amazon_id,
                    kind=kind,
                    text=text,
                    match_type=match,
                    bid=_money(r.bid),
                    state=r.state or "enabled",
                )
            )
        Target.objects.bulk_create(
            objs,
            update_conflicts=True,
            unique_fields=["ad_group", "kind", "text", "match_type"],
            update_fields=["amazon_id", "bid", "state", "updated_at"],
        )
        counts["targets"] = len(objs)

    negs = rows[
        rows["entity"].isin(["negative_keyword", "campaign_negative_keyword"]) & ~unknown & ~orphan
    ]
    if len(negs):
        objs = [
            NegativeKeyword(
                organization=org,
                campaign_id=campaign_ids[r.campaign_id],
                ad_group_id=group_ids.get(r.ad_group_id)
                if r.entity == "negative_keyword"
                else None,
                amazon_id=r.keyword_id,
                text=r.keyword_text,
                match_type=r.match_type or "negativeExact",
                state=r.state or "enabled",
            )
            for r in negs.itertuples(index=False)
            if r.keyword_text
        ]
        NegativeKeyword.objects.bulk_create(
            objs,
            update_conflicts=True,
            unique_fields=["campaign", "ad_group", "text", "match_type"],
            update_fields=["amazon_id", "state", "updated_at"],
        )
        counts["negatives"] = len(objs)
    return counts, errors


def _currency(store) -> str:
    from apps.catalog.models import Listing as L

    cur = (
        L.objects.for_org(store.organization_id)
        .filter(store=store)
        .values_list("currency", flat=True)
        .first()
    )
    return cur or "USD"
