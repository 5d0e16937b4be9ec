"""Search-term reports into SearchTermStat, on the shared import loop, set-based.

Campaigns and ad groups are found by name within the chosen store (created when a report names
one the bulk file has not taught us yet: ids come later from a bulk file); the names already
resolved are remembered across chunks. Each chunk's good rows are COPYed into a session-local
staging table; at the end, in one transaction, ONE DELETE removes the stored rows of the file's
campaigns whose period overlaps the periods the file brings (merged per campaign), one
INSERT ... SELECT moves the staged rows in, and the daily performance per target is rebuilt
from the staged rows alone (after the DELETE, they are the only rows of those periods). So a
re-import of overlapping days replaces them and never doubles them, and a reader never sees a
half-imported file.

A row's period is `day`..`end_day`: the same day in a daily report, the report's Start..End in
a summary report (stored as such, not on its start date; pages spread it evenly over its days).
"""

from __future__ import annotations

from collections.abc import Callable
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
from .signals import ad_spend_changed_send

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
    "end_day",
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


@dataclass
class Tree:
    """Campaign and ad-group ids by name, resolved once per name for a whole import."""

    campaigns: dict[str, int] = field(default_factory=dict)
    ad_groups: dict[tuple[str, str], int] = field(default_factory=dict)
    created: int = 0


def resolve_tree(*, org: Organization, store: Store, rows: pd.DataFrame, tree: Tree) -> None:
    """Add to `tree` the campaign and ad-group ids of `rows` it does not know yet, creating
    the missing ones (a campaign is automatic when its rows carry auto targetings); set-based."""
    groups = rows[["campaign", "ad_group"]].drop_duplicates()
    keys = list(zip(groups["campaign"], groups["ad_group"], strict=True))
    new = [(c, g) for c, g in keys if (c, g) not in tree.ad_groups]
    if not new:
        return
    unknown = {c for c, _g in new if c not in tree.campaigns}
    if unknown:
        mine = rows[rows["campaign"].isin(unknown)]
        auto = (mine["match_type"] == "") & mine["targeting"].str.lower().isin(
            parser.AUTO_TARGETING
        )
        names = auto.groupby(mine["campaign"]).any()
        existing = set(
            Campaign.objects.for_org(org)
            .filter(store=store, name__in=list(names.index))
            .values_list("name", flat=True)
        )
        missing = [n for n in names.index if n not in existing]
        currency = str(rows["currency"].iloc[0])
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
        tree.created += len(missing)
        tree.campaigns.update(
            Campaign.objects.for_org(org)
            .filter(store=store, name__in=list(names.index))
            .values_list("name", "id")
        )
    AdGroup.objects.bulk_create(
        [AdGroup(organization=org, campaign_id=tree.campaigns[c], name=g) for c, g in new],
        ignore_conflicts=True,
    )
    by_id = {v: k for k, v in tree.campaigns.items()}
    tree.ad_groups.update(
        {
            (by_id[c], n): i
            for i, c, n in AdGroup.objects.for_org(org)
            .filter(
                campaign_id__in={tree.campaigns[c] for c, _g in new},
                name__in={g for _c, g in new},
            )
            .values_list("id", "campaign_id", "name")
        }
    )


STAGE = "ads_stage"


def search_terms_import(
    *,
    org: Organization,
    store_id: int,
    data,
    filename: str = "",
    actor=None,
    progress: Callable[[int], None] | None = None,
) -> SearchTermImportResult:
    """Import a search-term report (bytes, a path or an open binary file) into a store.
    Raises TabularFormatError when the file as a whole is not such a report. `progress` is
    called with the number of rows of each chunk read (the import job's progress)."""
    store = store_for(org=org, store_id=store_id)
    result = SearchTermImportResult()
    sha256, _size = file_sha256(data)
    state: dict[str, Any] = {"run": None, "currency": "", "attr": 7, "tree": Tree()}

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
        if progress is not None:
            progress(len(chunk.rows))
        good = chunk.good()
        if good.empty:
            return ChunkOutcome()
        written = stage_rows(
            org=org, store=store, rows=good, attribution=state["attr"], run_id=state["run"],
            tree=state["tree"],
        )  # fmt: skip
        result.imported += written
        return ChunkOutcome(created=written)

    stage_begin()
    try:
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
        result.campaigns_created = state["tree"].created
        if outcome.is_duplicate:
            result.duplicate_of = outcome.duplicate_of.pk
            result.message = outcome.duplicate_message()
            result.imported = result.replaced = 0
            return result
        result.rows = outcome.run.rows_read
        result.errors = outcome.errors
        if result.imported:
            result.replaced, result.first_day, result.last_day = stage_commit(
                org=org, store_id=store.pk
            )
    finally:
        stage_end()
    return result


def stage_begin() -> None:
    """A session-local table the chunks are COPYed into (no indexes, no WAL)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE TEMP TABLE {STAGE} AS SELECT {', '.join(STAT_COLUMNS)} "
            f"FROM {STAT_TABLE} WITH NO DATA"
        )


def stage_end() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")


def stage_rows(
    *,
    org: Organization,
    store: Store,
    rows: pd.DataFrame,
    attribution: int,
    run_id: int | None,
    tree: Tree,
) -> int:
    """COPY a chunk's good rows, with their campaign and ad-group ids, into the stage."""
    resolve_tree(org=org, store=store, rows=rows, tree=tree)
    campaign_ids = rows["campaign"].map(tree.campaigns).astype("int64")
    keys = pd.Series(list(tree.ad_groups.values()), dtype="int64")
    index = pd.MultiIndex.from_tuples(list(tree.ad_groups), names=["campaign", "ad_group"])
    wanted = pd.MultiIndex.from_arrays([rows["campaign"], rows["ad_group"]])
    group_ids = keys.to_numpy()[index.get_indexer(wanted)]
    now = timezone.now()
    frame = pd.DataFrame(
        {
            "organization_id": org.pk,
            "store_id": store.pk,
            "campaign_id": campaign_ids.to_numpy(),
            "ad_group_id": group_ids,
            "day": rows["day"].to_numpy(),
            "end_day": rows["end_day"].to_numpy(),
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
        copy_frame_into(cursor, STAGE, frame)
    return len(frame)


def merged_periods(periods: pd.DataFrame) -> pd.DataFrame:
    """Per campaign, the union of the (day, end_day) periods as disjoint ranges: adjacent or
    overlapping periods merge, a gap between them stays a gap (its days are not replaced)."""
    p = periods.sort_values(["campaign_id", "day", "end_day"], ignore_index=True)
    if p.empty:
        return p
    reach = p.groupby("campaign_id")["end_day"].cummax()
    prev = reach.groupby(p["campaign_id"]).shift()
    new = prev.isna() | (p["day"] > prev + pd.Timedelta(days=1))
    p["block"] = new.cumsum()
    return (
        p.groupby("block")
        .agg(campaign_id=("campaign_id", "first"), day=("day", "min"), end_day=("end_day", "max"))
        .reset_index(drop=True)
    )


@transaction.atomic
def stage_commit(*, org: Organization, store_id: int) -> tuple[int, date, date]:
    """Replace the stored rows of the staged periods with the staged rows; rebuild the target
    stats of those periods; announce the changed spend (signals.py). Returns (rows replaced,
    first day, last day)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT campaign_id, day, end_day FROM {STAGE} GROUP BY 1, 2, 3")
        periods = pd.DataFrame(cursor.fetchall(), columns=["campaign_id", "day", "end_day"])
        for c in ("day", "end_day"):
            periods[c] = pd.to_datetime(periods[c])
        ranges = merged_periods(periods)
        for c in ("day", "end_day"):
            ranges[c] = ranges[c].dt.date
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS ads_touched "
            "(campaign_id bigint, day date, end_day date) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE ads_touched")
        copy_frame_into(cursor, "ads_touched", ranges)
        cursor.execute("ANALYZE ads_touched")
        overlap = (
            "s.organization_id = %s AND s.campaign_id = t.campaign_id "
            "AND s.day <= t.end_day AND s.end_day >= t.day"
        )
        cursor.execute(f"DELETE FROM {STAT_TABLE} s USING ads_touched t WHERE {overlap}", [org.pk])
        replaced = cursor.rowcount
        cursor.execute(
            f"DELETE FROM ads_targetstat s USING ads_touched t WHERE {overlap}", [org.pk]
        )
        columns = ", ".join(STAT_COLUMNS)
        cursor.execute(f"INSERT INTO {STAT_TABLE} ({columns}) SELECT {columns} FROM {STAGE}")
        cursor.execute(
            f"""
            INSERT INTO ads_targetstat (created_at, updated_at, organization_id, store_id,
                campaign_id, ad_group_id, day, end_day, targeting, match_type, impressions,
                clicks, spend, orders, units, sales, currency, attribution_days)
            SELECT now(), now(), s.organization_id, min(s.store_id), s.campaign_id,
                   s.ad_group_id, s.day, s.end_day, s.targeting, s.match_type,
                   sum(s.impressions), sum(s.clicks), sum(s.spend), sum(s.orders),
                   sum(s.units), sum(s.sales), min(s.currency), max(s.attribution_days)
            FROM {STAGE} s
            GROUP BY s.organization_id, s.campaign_id, s.ad_group_id, s.day, s.end_day,
                     s.targeting, s.match_type
            """
        )
    first, last = min(periods["day"]).date(), max(periods["end_day"]).date()
    ad_spend_changed_send(org_id=org.pk, store_id=store_id, first_day=first, last_day=last)
    return replaced, first, last
