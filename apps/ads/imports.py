"""Search-term reports into SearchTermStat (COPY), on the shared import loop.

Campaigns and ad groups are found by name within the chosen store (created when a report names
one the bulk file has not taught us yet: ids come later from a bulk file). Re-importing a file
whose days overlap earlier imports replaces those days for the campaigns it names: each chunk
deletes the rows of its (campaign, day) pairs written by other runs, then COPYs its own, so the
totals of a day never double. Daily performance per target is rewritten for the touched days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from apps.catalog.models import Store
from apps.core.copy import copy_frame_into
from apps.core.errors import NotFound
from apps.integrations.amazon_sp_search_terms import parser
from apps.integrations.models import ImportRun
from apps.integrations.services import ChunkOutcome, file_import, file_sha256
from apps.integrations.tabular.pipeline import TypedChunk

from .models import AdGroup, Campaign, SearchTermStat

if TYPE_CHECKING:
    from apps.accounts.models import Organization

KIND = parser.KIND
STAT_TABLE = SearchTermStat._meta.db_table
STAT_COLUMNS = [
    "organization_id",
    "store_id",
    "campaign_id",
    "ad_group_id",
    "day",
    "targeting",
    "match_type",
    "search_term",
    "impressions",
    "clicks",
    "spend",
    "orders",
    "units",
    "sales",
    "currency",
    "attribution_days",
    "import_run_id",
    "created_at",
    "updated_at",
]


@dataclass
class SearchTermImportResult:
    rows: int = 0
    imported: int = 0
    replaced: int = 0
    campaigns_created: int = 0
    errors: list = field(default_factory=list)
    import_run_id: int | None = None
    duplicate_of: int | None = None
    message: str = ""
    first_day: date | None = None
    last_day: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "replaced": self.replaced,
            "campaigns_created": self.campaigns_created,
            "errors": [e.as_dict() for e in self.errors],
            "import_run": self.import_run_id,
            "duplicate_of": self.duplicate_of,
            "message": self.message,
            "first_day": self.first_day,
            "last_day": self.last_day,
        }


def store_for(*, org: Organization, store_id: int) -> Store:
    store = Store.objects.for_org(org).select_related("marketplace").filter(pk=store_id).first()
    if store is None:
        raise NotFound("No such store.")
    return store


def resolve_tree(
    *, org: Organization, store: Store, pairs: pd.DataFrame, currency: str
) -> tuple[dict[str, int], dict[tuple[str, str], int], int]:
    """Campaign ids by name and ad-group ids by (campaign, ad group) for the distinct
    (campaign, ad_group, auto) rows of `pairs`, creating the missing ones; set-based."""
    names = pairs.groupby("campaign")["auto"].any()
    existing = dict(
        Campaign.objects.for_org(org)
        .filter(store=store, name__in=list(names.index))
        .values_list("name", "id")
    )
    missing = [n for n in names.index if n not in existing]
    Campaign.objects.bulk_create(
        [
            Campaign(
                organization=org,
                store=store,
                name=n,
                currency=currency,
                targeting="auto" if names[n] else "manual",
            )
            for n in missing
        ],
        ignore_conflicts=True,
    )
    campaigns = dict(
        Campaign.objects.for_org(org)
        .filter(store=store, name__in=list(names.index))
        .values_list("name", "id")
    )
    groups = pairs[["campaign", "ad_group"]].drop_duplicates()
    AdGroup.objects.bulk_create(
        [
            AdGroup(organization=org, campaign_id=campaigns[c], name=g)
            for c, g in groups.itertuples(index=False)
        ],
        ignore_conflicts=True,
    )
    by_id = {v: k for k, v in campaigns.items()}
    ad_groups = {
        (by_id[c], n): i
        for i, c, n in AdGroup.objects.for_org(org)
        .filter(campaign_id__in=list(campaigns.values()), name__in=list(groups["ad_group"]))
        .values_list("id", "campaign_id", "name")
    }
    return campaigns, ad_groups, len(missing)


def search_terms_import(
    *, org: Organization, store_id: int, data, filename: str = "", actor=None
) -> SearchTermImportResult:
    """Import a search-term report (bytes, a path or an open binary file) into a store.
    Raises TabularFormatError when the file as a whole is not such a report."""
    store = store_for(org=org, store_id=store_id)
    result = SearchTermImportResult()
    sha256, _size = file_sha256(data)
    state: dict[str, Any] = {"run": None, "touched": set(), "currency": "", "attr": 7}

    def open_reader(source, name):
        reader = parser.open_search_terms(source, name)
        state["attr"] = parser.attribution_days(reader)
        state["run"] = (
            ImportRun.objects.for_org(org)
            .filter(kind=KIND, target=str(store.pk), sha256=sha256, status="running")
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        return reader

    def apply_chunk(chunk: TypedChunk) -> ChunkOutcome:
        if not state["currency"]:
            state["currency"] = parser.currency_from_symbol(chunk.text["spend"])
        parser.check_search_terms(chunk, currency=state["currency"])
        good = chunk.good()
        if good.empty:
            return ChunkOutcome()
        written, replaced = write_stats(
            org=org,
            store=store,
            rows=good,
            attribution=state["attr"],
            run_id=state["run"],
            touched=state["touched"],
            result=result,
        )
        result.imported += written
        result.replaced += replaced
        return ChunkOutcome(created=written)

    outcome = file_import(
        org=org,
        kind=KIND,
        source=data,
        filename=filename,
        open_reader=open_reader,
        apply_chunk=apply_chunk,
        actor=actor,
        target=str(store.pk),
    )
    result.import_run_id = outcome.run.pk
    if outcome.is_duplicate:
        result.duplicate_of = outcome.duplicate_of.pk
        result.message = outcome.duplicate_message()
        result.imported = result.replaced = 0
        return result
    result.rows = outcome.run.rows_read
    result.errors = outcome.errors
    if state["touched"]:
        target_stats_rebuild(org=org, pairs=state["touched"])
    return result


@transaction.atomic
def write_stats(
    *,
    org: Organization,
    store: Store,
    rows: pd.DataFrame,
    attribution: int,
    run_id: int | None,
    touched: set,
    result: SearchTermImportResult,
) -> tuple[int, int]:
    """Replace the (campaign, day) pairs of `rows` written by other runs, then COPY the rows."""
    pairs = pd.DataFrame(
        {
            "campaign": rows["campaign"],
            "ad_group": rows["ad_group"],
            "auto": (rows["match_type"] == "")
            & rows["targeting"].str.lower().isin(parser.AUTO_TARGETING),
        }
    )
    currency = str(rows["currency"].iloc[0])
    campaigns, ad_groups, created = resolve_tree(
        org=org, store=store, pairs=pairs, currency=currency
    )
    result.campaigns_created += created
    campaign_ids = rows["campaign"].map(campaigns)
    group_ids = [ad_groups[(c, g)] for c, g in zip(rows["campaign"], rows["ad_group"], strict=True)]
    days = rows["day"]
    first, last = min(days), max(days)
    result.first_day = min(first, result.first_day or first)
    result.last_day = max(last, result.last_day or last)
    keys = pd.DataFrame({"c": campaign_ids.astype("int64"), "d": days}).drop_duplicates()
    touched.update(zip(keys["c"], keys["d"], strict=True))
    now = timezone.now()
    frame = pd.DataFrame(
        {
            "organization_id": org.pk,
            "store_id": store.pk,
            "campaign_id": campaign_ids.to_numpy(),
            "ad_group_id": group_ids,
            "day": days.to_numpy(),
            "targeting": rows["targeting"].to_numpy(),
            "match_type": rows["match_type"].to_numpy(),
            "search_term": rows["search_term"].to_numpy(),
            "impressions": rows["impressions"].to_numpy(),
            "clicks": rows["clicks"].to_numpy(),
            "spend": rows["spend"].to_numpy(),
            "orders": rows["orders"].to_numpy(),
            "units": rows["units"].to_numpy(),
            "sales": rows["sales"].to_numpy(),
            "currency": rows["currency"].to_numpy(),
            "attribution_days": attribution,
            "import_run_id": run_id,
            "created_at": now,
            "updated_at": now,
        }
    )[STAT_COLUMNS]
    frame["import_run_id"] = frame["import_run_id"].astype("Int64")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS ads_touched (campaign_id bigint, day date) "
            "ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE ads_touched")
        copy_frame_into(
            cursor, "ads_touched", keys.rename(columns={"c": "campaign_id", "d": "day"})
        )
        cursor.execute(
            f"DELETE FROM {STAT_TABLE} s USING ads_touched t "
            "WHERE s.organization_id = %s AND s.campaign_id = t.campaign_id AND s.day = t.day "
            "AND s.import_run_id IS DISTINCT FROM %s",
            [org.pk, run_id],
        )
        replaced = cursor.rowcount
        copy_frame_into(cursor, STAT_TABLE, frame)
    return len(frame), replaced


def target_stats_rebuild(*, org: Organization, pairs: set) -> None:
    """Rewrite TargetStat for the (campaign, day) pairs from their search-term rows."""
    keys = pd.DataFrame(list(pairs), columns=["campaign_id", "day"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS ads_touched (campaign_id bigint, day date) "
            "ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE ads_touched")
        copy_frame_into(cursor, "ads_touched", keys)
        cursor.execute(
            "DELETE FROM ads_targetstat s USING ads_touched t WHERE s.organization_id = %s "
            "AND s.campaign_id = t.campaign_id AND s.day = t.day",
            [org.pk],
        )
        cursor.execute(
            """
            INSERT INTO ads_targetstat (created_at, updated_at, organization_id, store_id,
                campaign_id, ad_group_id, day, targeting, match_type, impressions, clicks, spend,
                orders, units, sales, currency, attribution_days)
            SELECT now(), now(), s.organization_id, min(s.store_id), s.campaign_id, s.ad_group_id,
                   s.day, s.targeting, s.match_type, sum(s.impressions), sum(s.clicks),
                   sum(s.spend), sum(s.orders), sum(s.units), sum(s.sales), min(s.currency),
                   max(s.attribution_days)
            FROM ads_searchtermstat s JOIN ads_touched t
              ON s.campaign_id = t.campaign_id AND s.day = t.day
            WHERE s.organization_id = %s
            GROUP BY s.organization_id, s.campaign_id, s.ad_group_id, s.day, s.targeting,
                     s.match_type
            """,
            [org.pk],
        )
