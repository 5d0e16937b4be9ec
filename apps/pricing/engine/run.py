"""The run: `reprice_store`, its report and tallies, and the parallel writers.

Drives load → compute → write per chunk (apps.pricing.engine.load, apps.pricing.strategies,
apps.pricing.engine.write) and records the RepricingRun; see the package docstring.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from django.db import connection
from django.utils import timezone

from apps.core.errors import NotFound
from apps.core.services import job_advance, job_is_cancelled
from apps.review.models import Policy
from apps.review.policies import policy_active

from .. import incremental as I
from .. import strategies as S
from ..models import RepricingRun, Strategy, StrategyAssignment
from .context import _Context, _context
from .load import _chunks, load_chunk
from .write import PRICE_KIND, _change_rows, _write_markers, write_chunk

if TYPE_CHECKING:
    from apps.accounts.models import Organization

log = logging.getLogger(__name__)
CHUNK = 250_000
REPORT_CAP = 200  # listed offers per report section (counts are exact)
REPORT_SECTIONS = ("at_floor", "raised_to_floor", "ceiling_below_floor", "bad_input")


@dataclass
class RunReport:
    """What a pass did. `results` (one row per offer) is kept for dry runs (the simulator)."""

    store_id: int
    dry_run: bool
    run_id: int | None = None
    counts: dict = field(default_factory=dict)
    report: dict = field(default_factory=lambda: {k: [] for k in REPORT_SECTIONS})
    timings: dict = field(default_factory=lambda: {"load": 0.0, "compute": 0.0, "write": 0.0})
    results: pd.DataFrame | None = None
    report_mode: str = "full"  # or "incremental": only offers whose inputs changed


COUNT_KEYS = (
    "offers",
    "priced",
    "changed",
    "raised",
    "lowered",
    "applied",
    "drafted",
    "at_floor",
    "raised_to_floor",
    "ceiling_below_floor",
    "bad_input",
    "daily_limit",
    "already_proposed",
    "conflicts",
    "skipped",
)


def _report_rows(res: pd.DataFrame, mask: np.ndarray, why: np.ndarray | str) -> list[dict]:
    picked = res[mask].head(REPORT_CAP)
    reasons = why[mask][:REPORT_CAP] if isinstance(why, np.ndarray) else [why] * len(picked)
    return [
        {
            "listing_id": int(lid),
            "reason": str(reason),
            "price": None if old <= 0 else str(S.to_decimal(old)),
            "floor": str(S.to_decimal(floor)),
            "ceiling": str(S.to_decimal(ceiling)),
        }
        for lid, old, floor, ceiling, reason in zip(
            picked["listing_id"],
            picked["old"],
            picked["floor"],
            picked["ceiling"],
            reasons,
            strict=True,
        )
    ]


def _tally(out: RunReport, res: pd.DataFrame) -> None:
    c = out.counts
    status = res["status"].to_numpy(dtype=object)
    changed = res["changed"].to_numpy()
    new, old = res["new"].to_numpy(), res["old"].to_numpy()
    c["offers"] += len(res)
    c["priced"] += int((status != S.NO_STRATEGY).sum())
    c["changed"] += int(changed.sum())
    c["raised"] += int((changed & (new > old)).sum())
    c["lowered"] += int((changed & (new < old)).sum())
    c["daily_limit"] += int((status == S.DAILY_LIMIT).sum())
    sections = {
        "at_floor": (res["at_floor"].to_numpy(), "at_floor"),
        "raised_to_floor": (res["raised_to_floor"].to_numpy(), "below_floor"),
        "ceiling_below_floor": (status == S.CEILING_BELOW_FLOOR, "ceiling_below_floor"),
        "bad_input": (status == S.BAD_INPUT, res["bad_reason"].to_numpy(dtype=object)),
    }
    for key, (mask, why) in sections.items():
        c[key] += int(mask.sum())
        room = REPORT_CAP - len(out.report[key])
        if room > 0 and mask.any():
            out.report[key].extend(_report_rows(res, mask, why)[:room])


PARALLEL_WRITERS = 2


def _parallel_writers(chunks: int, dry_run: bool) -> int:
    """Two writers for a multi-chunk store run in autocommit mode (a worker, the command, the
    benchmark). Inside an outer transaction (tests, the demo seeder) other connections could
    not see its uncommitted rows, so chunks then run one after another on this connection."""
    if dry_run or chunks < 2 or connection.in_atomic_block:
        return 1
    return PARALLEL_WRITERS


def _in_own_connection(func, *args):
    try:
        return func(*args)
    finally:
        connection.close()  # this thread's connection; the caller's is untouched


def _fingerprint(ctx: _Context, policy: Policy | None) -> str:
    assigns = list(
        StrategyAssignment.objects.for_org(ctx.org)
        .filter(store=ctx.store)
        .select_related("strategy")
    )
    strategies = {a.strategy_id: a.strategy for a in assigns}
    if ctx.override is not None:
        strategies = {0: ctx.override}
    return I.store_fingerprint(
        org=ctx.org,
        store=ctx.store,
        strategies=list(strategies.values()),
        assignments=assigns,
        profiles=ctx.profiles,
        policy=policy,
        stock_risk=_stock_risk_digest(ctx),
    )


def _stock_risk_digest(ctx: _Context) -> str:
    """Logistics' stock-out risk changes the low-cover rule's answer for offers whose own
    inputs did not move, and so does the date (days left shrink): both are store-wide inputs."""
    risk = ctx.stock_risk
    if not len(risk):
        return ""
    rows = int(pd.util.hash_pandas_object(risk, index=False).sum())
    return f"{timezone.localdate(ctx.now).isoformat()}:{rows}"


def reprice_store(
    *,
    org: Organization,
    store,
    dry_run: bool = False,
    strategy_override: Strategy | None = None,
    actor=None,
    trigger: str = RepricingRun.Trigger.MANUAL,
    job_id: int | None = None,
    chunk_size: int = CHUNK,
    now=None,
    incremental: bool = False,
    raw_competitors: bool = False,
) -> RunReport:
    """Reprice every active offer of `store` (one vectorised pass per chunk of offers).

    dry_run: compute only, write nothing, return the per-offer frame in `results` (the
    simulator). strategy_override: price every offer with this strategy (saved or not) instead
    of the assigned ones. Bad input never raises: it is reported per offer.
    incremental (the schedule): price only the offers whose inputs changed since their last
    run (apps.pricing.incremental); a change of a store-wide input makes it a full run.
    raw_competitors: read competitors from the observations instead of the competitor summary
    (the reference the summary is tested against).
    """
    if store.organization_id != org.id:
        raise NotFound("No such store.")
    now = now or timezone.now()
    out = RunReport(store_id=store.pk, dry_run=dry_run, counts=dict.fromkeys(COUNT_KEYS, 0))
    run = None
    if not dry_run:
        run = RepricingRun.objects.create(
            organization=org,
            store=store,
            trigger=trigger,
            actor=actor,
            job_id=job_id,
            started_at=now,
        )
        out.run_id = run.pk
    policy = policy_active(org=org, kind=PRICE_KIND)
    ctx = _context(org, store, now, strategy_override)
    ctx.raw_competitors = raw_competitors
    fingerprint = None
    if not dry_run:
        fingerprint = _fingerprint(ctx, policy)
        ctx.incremental = incremental and I.state_allows_incremental(
            org=org, store=store, fingerprint=fingerprint, rates=ctx.rates
        )
        I.drop_inactive_markers(org=org, store=store)
    out.report_mode = "incremental" if ctx.incremental else "full"
    frames: list[pd.DataFrame] = []

    def process(lo: int, hi: int, n: int):
        """Load, compute and write one chunk (`n` active offers); chunks hold disjoint
        listings. An incremental run loads only the due offers (selected in SQL)."""
        if job_id is not None and job_is_cancelled(job_id):
            return None
        t0 = time.perf_counter()
        offers, comps = load_chunk(ctx, lo, hi, ctx.incremental)
        skipped = n - len(offers) if ctx.incremental else 0
        t1 = time.perf_counter()
        res = S.compute(offers, comps)
        t2 = time.perf_counter()
        written = None
        if not dry_run:
            rows = _change_rows(res, offers, policy)
            written = write_chunk(
                org=org,
                store=store,
                run=run,
                rows=rows,
                policy=policy,
                job_id=job_id,
            )
            t_markers = time.perf_counter()
            _write_markers(org, now, offers, comps, res, rows)
            written["steps"]["markers"] = round(time.perf_counter() - t_markers, 3)
            written["skipped"] = skipped
        t3 = time.perf_counter()
        if job_id is not None:
            job_advance(job_id=job_id, done=len(res) + skipped)
        return offers, res, written, (("load", t1 - t0), ("compute", t2 - t1), ("write", t3 - t2))

    def merge(done) -> None:
        if done is None:
            return
        offers, res, written, timings = done
        _tally(out, res)
        if dry_run:
            frames.append(res.assign(currency=offers["currency"].to_numpy()))
        else:
            for key, dt in written.pop("steps").items():
                out.timings[f"write_{key}"] = round(out.timings.get(f"write_{key}", 0) + dt, 3)
            for key, value in written.items():
                out.counts[key] += value
        for key, dt in timings:
            out.timings[key] = round(out.timings[key] + dt, 3)

    try:
        chunks = list(_chunks(org, store, chunk_size))
        workers = _parallel_writers(len(chunks), dry_run)
        if workers == 1:
            for lo, hi, n in chunks:
                merge(process(lo, hi, n))
        else:
            # A big store's chunks run on two connections at once, so PostgreSQL's share of the
            # work (UPDATE, inserts, index and key checks) uses both cores.
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reprice") as pool:
                for done in pool.map(lambda bounds: _in_own_connection(process, *bounds), chunks):
                    merge(done)
    except Exception as exc:
        if run is not None:
            RepricingRun.objects.for_org(org).filter(pk=run.pk).update(
                status=RepricingRun.Status.FAILED, error=str(exc)[:4000], finished_at=timezone.now()
            )
        raise
    out.timings.update(ctx.timings)
    if dry_run:
        out.results = pd.concat(frames, ignore_index=True) if frames else None
    else:
        extra = ("daily_limit", "already_proposed", "conflicts", "skipped")
        counts = {k: v for k, v in out.counts.items() if k not in extra}
        I.state_save(org=org, store=store, fingerprint=fingerprint, rates=ctx.rates,
                     full=not ctx.incremental, now=now)  # fmt: skip
        RepricingRun.objects.for_org(org).filter(pk=run.pk).update(
            status=RepricingRun.Status.SUCCEEDED,
            finished_at=timezone.now(),
            report={
                **out.report,
                **{k: out.counts[k] for k in extra},
                "mode": out.report_mode,
            },
            timings=out.timings,
            **counts,
        )
    log.info("repriced store %s: %s in %s", store.pk, out.counts, out.timings)
    return out
