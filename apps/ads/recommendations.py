"""One recommendation run: the look-back window's performance from PostgreSQL (aggregated
there), the rules of `apps.ads.rules` over it, and every recommendation written as a pending
`ad_change` draft on its campaign, set-based (COPY into a temp table, one INSERT through
review's batch service). A run replaces the open drafts of the previous run on the same
campaigns (superseded, with an event), so the queue holds one current set.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils.translation import gettext as _

from apps.core.copy import copy_frame_into
from apps.core.errors import Conflict
from apps.core.models import Job
from apps.core.services import job_create
from apps.review.batch import drafts_create_many, drafts_supersede_open

from . import rules
from .drafts import KIND
from .inputs import cover_days, stockout_product_ids
from .models import AdGroup, Campaign, NegativeKeyword, ProductAd, Target
from .reasons import REASON_KIND
from .selectors import in_window, last_day, share, spread_rows, window_params
from .targets import campaign_targets, settings_for

if TYPE_CHECKING:
    from apps.accounts.models import Organization

LANGUAGE_TERMS_MAX = 1_000  # distinct wasting terms judged per run (by spend)


@dataclass
class RunResult:
    start: date | None = None
    end: date | None = None
    counts: dict[str, int] = field(default_factory=dict)
    drafts: int = 0
    superseded: int = 0
    skipped: list[dict] = field(default_factory=list)
    stock_check: str = "checked"

    def as_json(self) -> dict:
        """As `as_dict`, with dates as ISO text (a Job's result is JSON)."""
        out = self.as_dict()
        out["start"] = self.start.isoformat() if self.start else None
        out["end"] = self.end.isoformat() if self.end else None
        out["skipped"] = [{k: str(v) for k, v in s.items()} for s in out["skipped"]]
        return out

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "counts": self.counts,
            "drafts": self.drafts,
            "superseded": self.superseded,
            "skipped": self.skipped[:200],
            "stock_check": self.stock_check,
        }


def params_for(org: Organization) -> rules.Params:
    s = settings_for(org)
    return rules.Params(
        max_change_pct=float(s.max_bid_change_pct),
        min_bid=float(s.min_bid),
        max_bid=float(s.max_bid),
        min_clicks_bid=s.min_clicks_bid,
        negative_min_clicks=s.negative_min_clicks,
        harvest_min_orders=s.harvest_min_orders,
        lookback_days=s.lookback_days,
    )


def window(
    *, org: Organization, lookback_days: int, end: date | None = None
) -> tuple[date, date] | None:
    last = end or last_day(org=org)
    if last is None:
        return None
    return last - timedelta(days=lookback_days - 1), last


def _frame(sql: str, params: list, columns: list[str], text: tuple[str, ...] = ()) -> pd.DataFrame:
    """The query's rows as a frame, through `COPY (query) TO STDOUT` read by Arrow's CSV
    reader (no Python tuple per row); `text` columns keep "" as "" (not null)."""
    buf = io.BytesIO()
    with connection.cursor() as cursor:
        query = cursor.cursor.mogrify(sql, params).decode()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buf)
    if not buf.tell():
        return pd.DataFrame({c: pd.Series(dtype=object if c in text else "float64")
                             for c in columns})  # fmt: skip
    buf.seek(0)
    table = pacsv.read_csv(
        buf,
        read_options=pacsv.ReadOptions(column_names=columns),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in text}, strings_can_be_null=False
        ),
    )
    frame = table.to_pandas()
    for c in text:
        frame[c] = frame[c].astype(object)
    return frame


def load_terms(*, org: Organization, start: date, end: date) -> pd.DataFrame:
    """The window's totals per campaign, ad group, targeting and term; a summary row counts
    with the share of its days inside the window."""
    w, wparams = share(start, end)
    frame = _frame(
        f"""
        SELECT campaign_id, ad_group_id, targeting, match_type, search_term,
               sum(impressions * {w})::float8, sum(clicks * {w})::float8,
               sum(spend * {w})::float8, sum(orders * {w})::float8, sum(sales * {w})::float8
        FROM ads_searchtermstat s WHERE organization_id = %s AND {in_window()}
        GROUP BY campaign_id, ad_group_id, targeting, match_type, search_term
        """,
        [*wparams * 5, org.pk, *window_params(start, end)],
        [
            "campaign_id",
            "ad_group_id",
            "targeting",
            "match_type",
            "search_term",
            "impressions",
            "clicks",
            "spend",
            "orders",
            "sales",
        ],
        text=("targeting", "match_type", "search_term"),
    )
    for c in ("campaign_id", "ad_group_id"):
        frame[c] = frame[c].astype("int64")
    return frame


def load_daily(*, org: Organization, start: date, end: date) -> pd.DataFrame:
    """Spend per campaign and day (a summary row spread evenly over its days)."""
    sub, params = spread_rows(org_id=org.pk, start=start, end=end, columns="s.campaign_id")
    frame = _frame(
        f"SELECT campaign_id, day, sum(spend)::float8 FROM ({sub}) t GROUP BY campaign_id, day",
        params,
        ["campaign_id", "day", "spend"],
        text=("day",),
    )
    frame["campaign_id"] = frame["campaign_id"].astype("int64")
    return frame


def load_campaigns(*, org: Organization, campaign_ids=None) -> pd.DataFrame:
    qs = Campaign.objects.for_org(org).select_related("store__marketplace")
    if campaign_ids is not None:
        qs = qs.filter(pk__in=list(campaign_ids))
    targets = campaign_targets(
        org=org, campaign_ids=None if campaign_ids is None else list(campaign_ids)
    )
    products: dict[int, set[int]] = {}
    for cid, pid in (
        ProductAd.objects.for_org(org)
        .filter(listing__isnull=False)
        .values_list("ad_group__campaign_id", "listing__product_id")
    ):
        products.setdefault(cid, set()).add(pid)
    rows = [
        {
            "campaign_id": c.pk,
            "name": c.name,
            "store_id": c.store_id,
            "targeting": c.targeting,
            "daily_budget": None if c.daily_budget is None else float(c.daily_budget),
            "currency": c.currency,
            "amazon_id": c.amazon_id,
            "language": (c.store.marketplace.language or "en").split("-")[0].lower(),
            "marketplace": c.store.marketplace.code,
            "target_acos": float(targets[c.pk].target_acos) if c.pk in targets else 25.0,
            "target_source": targets[c.pk].source if c.pk in targets else "default",
            "product_ids": products.get(c.pk, set()),
        }
        for c in qs
    ]
    columns = [
        "campaign_id",
        "name",
        "store_id",
        "targeting",
        "daily_budget",
        "currency",
        "amazon_id",
        "language",
        "marketplace",
        "target_acos",
        "target_source",
        "product_ids",
    ]
    return pd.DataFrame(rows, columns=columns)


def load_targets(*, org: Organization) -> pd.DataFrame:
    rows = Target.objects.for_org(org).values_list(
        "pk",
        "ad_group__campaign_id",
        "ad_group_id",
        "kind",
        "text",
        "match_type",
        "bid",
        "ad_group__default_bid",
        "amazon_id",
    )
    frame = pd.DataFrame(
        list(rows),
        columns=[
            "target_id",
            "campaign_id",
            "ad_group_id",
            "kind",
            "text",
            "match_type",
            "bid",
            "default_bid",
            "amazon_id",
        ],
    )
    for c in ("bid", "default_bid"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    return frame


def harvest_destinations(
    *, org: Organization, campaigns: pd.DataFrame
) -> dict[int, tuple[int, int] | None]:
    """Each campaign → (a manual campaign of its store advertising one of its SKUs — else any
    manual campaign of the store — and that campaign's ad group), or None."""
    groups: dict[int, list[int]] = {}
    for cid, gid in AdGroup.objects.for_org(org).order_by("pk").values_list("campaign_id", "pk"):
        groups.setdefault(cid, []).append(gid)
    skus: dict[int, set[str]] = {}
    for cid, sku in ProductAd.objects.for_org(org).values_list("ad_group__campaign_id", "sku"):
        skus.setdefault(cid, set()).add(sku)
    manual = campaigns[(campaigns["targeting"] == "manual")]
    by_store: dict[int, list[int]] = {}
    for m in manual.itertuples(index=False):
        if groups.get(m.campaign_id):
            by_store.setdefault(m.store_id, []).append(m.campaign_id)
    out: dict[int, tuple[int, int] | None] = {}
    for c in campaigns.itertuples(index=False):
        candidates = [m for m in by_store.get(c.store_id, []) if m != c.campaign_id]
        mine = skus.get(c.campaign_id, set())
        shared = [m for m in candidates if skus.get(m, set()) & mine]
        pick = (shared or candidates or [None])[0]
        out[c.campaign_id] = None if pick is None else (pick, groups[pick][0])
    return out


def detect_languages(terms: pd.DataFrame) -> dict[str, tuple[str, float]]:
    """Search term → (language, confidence) for the wasting terms lingua is sure about."""
    from apps.catalog.content.quality.language import CODE_OF, detector

    waste = terms[(terms["orders"] == 0) & (terms["clicks"] > 0)]
    waste = waste[~waste["search_term"].str.match(rules.ASIN.pattern)]
    ranked = waste.groupby("search_term")["spend"].sum().sort_values(ascending=False)
    texts = [
        t
        for t in ranked.index[:LANGUAGE_TERMS_MAX]
        if not rules.ASIN.match(t)
        and sum(ch.isalpha() for ch in t) >= 8
        and len([w for w in t.split() if w.isalpha()]) >= 2
    ]
    if not texts:
        return {}
    det = detector()
    found: dict[str, tuple[str, float]] = {}
    values = det.compute_language_confidence_values_in_parallel(texts)
    for text, confidences in zip(texts, values, strict=True):
        if not confidences:
            continue
        top = confidences[0]
        if top.value >= 0.7:
            found[text] = (CODE_OF.get(top.language, str(top.language)), round(top.value, 3))
    return found


def compute(
    *, org: Organization, end: date | None = None, progress: Callable[[], None] | None = None
) -> tuple[list[rules.Rec], RunResult, pd.DataFrame]:
    p = params_for(org)
    result = RunResult()
    span = window(org=org, lookback_days=p.lookback_days, end=end)
    if span is None:
        return [], result, pd.DataFrame()
    result.start, result.end = span
    terms = load_terms(org=org, start=span[0], end=span[1])
    campaigns = load_campaigns(org=org, campaign_ids=set(terms["campaign_id"]))
    targets = load_targets(org=org)
    daily = load_daily(org=org, start=span[0], end=span[1])
    negatives = {
        (g, c, t, m)
        for g, c, t, m in NegativeKeyword.objects.for_org(org).values_list(
            "ad_group_id", "campaign_id", "text", "match_type"
        )
    }
    keywords = {(g, t) for g, t in zip(targets["ad_group_id"], targets["text"], strict=True)}
    if progress is not None:
        progress()
    stockout = stockout_product_ids(org=org)
    if stockout is None:
        result.stock_check = "unavailable"
    recs = rules.bid_recommendations(terms, targets, campaigns, p)
    neg, skipped = rules.negative_recommendations(terms, campaigns, negatives, keywords, p)
    result.skipped = skipped
    recs += neg
    recs += rules.harvest_recommendations(
        terms, campaigns, harvest_destinations(org=org, campaigns=campaigns), keywords, p
    )
    recs += rules.cannibalisation_recommendations(terms, campaigns, p)
    cover = cover_days(org=org) if stockout is not None else None
    recs += rules.budget_recommendations(terms, daily, campaigns, stockout, p, cover)
    recs += rules.foreign_recommendations(terms, campaigns, detect_languages(terms), p)
    seen: set[tuple[int, str]] = set()
    unique: list[rules.Rec] = []
    for r in recs:  # the first rule to claim a (campaign, entity) wins
        if (r.campaign_id, r.key) in seen:
            continue
        seen.add((r.campaign_id, r.key))
        unique.append(r)
    from .translation import llm_configured

    offline = not llm_configured(org=org)  # online, the pages show each term's translation
    for r in unique:
        result.counts[r.rule] = result.counts.get(r.rule, 0) + 1
        r.evidence.insert(0, {"kind": REASON_KIND, **r.reason})
        if offline and "search_term" in {e.get("field") for e in r.evidence}:
            r.evidence.append({"field": "translation", "value": None, "note": "needs_endpoint"})
    return unique, result, campaigns


def _key(r: rules.Rec) -> str:
    if len(r.key) <= 150:
        return r.key
    return r.key[:100] + ":" + hashlib.sha1(r.key.encode()).hexdigest()


RUN_STEPS = 3  # load the window, apply the rules, write the drafts: the job's progress


@transaction.atomic
def recommendations_start(*, org: Organization, actor=None) -> Job:
    """Queue a recommendation run on the worker (the page's and the API's button); returns
    its Job. One active run per organization: a second one answers Conflict."""
    from .tasks import JOB_KIND, recommendations_run_task

    if Job.objects.for_org(org).filter(kind=JOB_KIND, status__in=Job.ACTIVE).exists():
        raise Conflict(_("Recommendations are being computed already."))
    job = job_create(org=org, kind=JOB_KIND, label="", total=RUN_STEPS, actor=actor)
    transaction.on_commit(
        lambda: recommendations_run_task.apply_async(
            kwargs={"org_id": org.pk, "job_id": job.pk}, queue="default"
        )
    )
    return job


@transaction.atomic
def recommendations_run(
    *, org: Organization, end: date | None = None, progress: Callable[[], None] | None = None
) -> RunResult:
    """Compute every rule and write the recommendations as pending ad_change drafts;
    `progress()` is called after each of the RUN_STEPS steps."""
    step = progress or (lambda: None)
    recs, result, campaigns = compute(org=org, end=end, progress=step)
    step()
    if campaigns.empty:
        step()
        return result
    camp = campaigns.set_index("campaign_id")
    ct = ContentType.objects.get_for_model(Campaign)
    rows = None
    if recs:
        ids = pd.Series([r.campaign_id for r in recs], dtype="int64")
        keys = [_key(r) for r in recs]
        dumps = json.JSONEncoder(default=str, ensure_ascii=False).encode
        names = ids.map(camp["name"]).astype(str)
        titles = [f"{n} · {r.title}"[:300] for n, r in zip(names, recs, strict=True)]
        rows = pd.DataFrame(
            {
                "target_id": ids,
                "target_version": pd.Series([None] * len(recs), dtype="Int64"),
                "store_id": ids.map(camp["store_id"]).astype("int64"),
                "marketplace": ids.map(camp["marketplace"]),
                "language": "",
                "category": [r.rule for r in recs],
                "title": titles,
                "current": [dumps(r.current or {}) for r in recs],
                "proposed": [
                    dumps({**r.proposed, "action": r.action, "rule": r.rule, "key": k})
                    for r, k in zip(recs, keys, strict=True)
                ],
                # The rule's code: the sentence is rendered at display time (apps.ads.reasons).
                "rationale": [r.reason.get("code", r.rule) for r in recs],
                "evidence": [dumps(r.evidence) for r in recs],
                "priority": [min(r.priority, 32000) for r in recs],
                "unique_key": keys,
            }
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE ads_recs (target_id bigint, target_version int, store_id bigint, "
            "marketplace text, language text, category text, title text, current jsonb, "
            "proposed jsonb, rationale text, evidence jsonb, priority int, unique_key text) "
            "ON COMMIT DROP"
        )
        if rows is not None:
            copy_frame_into(cursor, "ads_recs", rows)
    result.superseded = drafts_supersede_open(
        org=org,
        kind=KIND,
        target_type_id=ct.pk,
        targets=[int(x) for x in camp.index],
        note="Replaced by a newer recommendation run.",
    )
    result.drafts = (
        drafts_create_many(org=org, kind=KIND, target_type_id=ct.pk, source="ads_recs", keyed=True)
        if rows is not None
        else 0
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS ads_recs")
    step()
    return result
