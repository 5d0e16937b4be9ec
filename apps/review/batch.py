"""Set-based writes into the review queue, for callers that handle thousands of targets at once.

The repricer (and any bulk job) writes the queue only through these services; review owns its
tables, so the SQL lives here. A caller hands its rows over as the name of a relation of its
session (a temporary table or view) with the columns each service documents, or as an array
of ids: no per-row Python, no row travels through the application.

The rules of apps.review.services hold here too:
- lock order: `drafts_lock_open` takes the open drafts' row locks first; only then does the
  caller update its targets (through the owning app's set-based service), then it supersedes
  or creates drafts. Approval locks draft then target, so the two never deadlock.
- every status change keeps its condition in the UPDATE's WHERE (`status IN ('pending',
  'approved')`) and writes an event only for the rows it really changed (RETURNING), so a draft
  applied or rejected concurrently is never rewritten, and no false event is logged.
- auto-applied changes are recorded as one PolicyRun per batch (`policy_run_record`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from .models import Policy, PolicyRun
from .services import Provenance
from .webhook_events import drafts_created_announce

if TYPE_CHECKING:
    from apps.accounts.models import Organization

_RELATION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_OPEN = "('pending', 'approved')"


def _relation(name: str) -> str:
    """A caller's temp table/view name, checked: it is put into SQL text, not bound."""
    if not _RELATION.match(name):
        raise ValueError(f"not a relation name: {name!r}")
    return name


def _targets_clause(targets: str | Sequence[int], params: dict) -> str:
    """`d.target_id IN (...)` from a relation with a `target_id` column, or `= ANY` of an id
    array. With a relation it is a semi-join, which `_without_nested_loops` keeps a hash join
    (an array from a subquery would be searched linearly per draft row by a sequential scan
    when the planner misjudges `review_draft`)."""
    if isinstance(targets, str):
        return f"d.target_id IN (SELECT target_id FROM {_relation(targets)})"
    params["target_ids"] = list(targets)
    return "d.target_id = ANY(%(target_ids)s::bigint[])"


@contextmanager
def _without_nested_loops(cursor) -> Iterator[None]:
    """For the statement inside, join big relations by hash, not nested loops: these statements
    join a chunk of targets (up to a few hundred thousand) with drafts whose statistics may be
    stale after the previous chunk, where a misestimated nested loop costs minutes. The
    setting is put back afterwards, so the caller's next statements (a key lookup per row, say)
    keep nested loops."""
    cursor.execute("SELECT current_setting('enable_nestloop')")
    previous = cursor.fetchone()[0]
    cursor.execute("SELECT set_config('enable_nestloop', 'off', true)")
    try:
        yield
    finally:
        cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [previous])


def drafts_lock_open(
    *, org: Organization, kind: str, target_type_id: int, targets: str | Sequence[int]
) -> int:
    """Lock the open drafts of `kind` on `targets` (FOR UPDATE, in id order); returns how many.

    Call it inside the caller's transaction before it updates the targets: the draft-then-
    target lock order. A draft applied or rejected meanwhile is re-checked by PostgreSQL and
    left out (its status no longer matches).
    """
    params: dict[str, Any] = {"org": org.id, "kind": kind, "ct": target_type_id}
    where = _targets_clause(targets, params)
    with connection.cursor() as cursor:
        with _without_nested_loops(cursor):
            cursor.execute(
                f"""
            SELECT d.id FROM review_draft d
            WHERE d.organization_id = %(org)s AND d.kind = %(kind)s
              AND d.target_type_id = %(ct)s AND d.status IN {_OPEN} AND {where}
            ORDER BY d.id FOR UPDATE OF d
            """,
                params,
            )
            changed = cursor.rowcount
        return changed


def drafts_open_proposing_into(
    *, org: Organization, kind: str, target_type_id: int, candidates: str, into: str
) -> int:
    """Which candidates an open draft already proposes: writes their target ids into `into`.

    candidates: a relation (target_id bigint, proposed jsonb); a candidate matches an open draft
    of `kind` on its target whose `proposed` contains it. into: a temp table (target_id bigint).
    Callers leave those out instead of replacing a draft with the same proposal.
    """
    with connection.cursor() as cursor:
        with _without_nested_loops(cursor):
            cursor.execute(
                f"""
            INSERT INTO {_relation(into)} (target_id)
            SELECT c.target_id FROM {_relation(candidates)} c
            JOIN review_draft d ON d.target_id = c.target_id
            WHERE d.organization_id = %(org)s AND d.kind = %(kind)s
              AND d.target_type_id = %(ct)s AND d.status IN {_OPEN}
              AND d.proposed @> c.proposed
            """,
                {"org": org.id, "kind": kind, "ct": target_type_id},
            )
            changed = cursor.rowcount
        return changed


def drafts_supersede_open(
    *,
    org: Organization,
    kind: str,
    target_type_id: int,
    targets: str | Sequence[int],
    note: str,
    payload: dict | None = None,
) -> int:
    """Supersede every open draft of `kind` on `targets`; one event per draft really changed.

    The status condition stays in the UPDATE's WHERE, so a draft applied or rejected since the
    caller looked is not touched. Returns the number of drafts superseded.
    """
    from psycopg2.extras import Json

    ts = timezone.now()
    params = {
        "org": org.id,
        "kind": kind,
        "ct": target_type_id,
        "ts": ts,
        "note": note[:2000],
        "payload": Json(payload) if payload is not None else None,
    }
    where = _targets_clause(targets, params)
    with connection.cursor() as cursor:
        with _without_nested_loops(cursor):
            cursor.execute(
                f"""
            WITH sup AS (
                UPDATE review_draft d SET status = 'superseded', updated_at = %(ts)s
                FROM review_draft o
                WHERE o.id = d.id AND d.organization_id = %(org)s AND d.kind = %(kind)s
                  AND d.target_type_id = %(ct)s AND d.status IN {_OPEN} AND {where}
                RETURNING d.id, o.status AS from_status
            )
            INSERT INTO review_reviewevent (created_at, updated_at, organization_id, draft_id,
                                            from_status, to_status, note, payload)
            SELECT %(ts)s, %(ts)s, %(org)s, id, from_status, 'superseded', %(note)s,
                   %(payload)s::jsonb
            FROM sup
            """,
                params,
            )
            changed = cursor.rowcount
        return changed


def drafts_create_many(
    *,
    org: Organization,
    kind: str,
    target_type_id: int,
    source: str,
    provenance: Provenance | None = None,
    into: str | None = None,
    with_checks: bool = False,
    keyed: bool = False,
) -> int:
    """Create one pending draft (and its `pending` event) per row of `source`; returns how many.

    source: a relation with the columns target_id, target_version (the version of the kind's
    aspect the proposal was computed from, not the target's version now), store_id,
    marketplace, language, category, title, current (jsonb), proposed (jsonb), rationale,
    evidence (jsonb), priority. into: an optional temp table (id bigint, target_id bigint)
    that receives the new draft ids. The caller supersedes the open drafts of these targets
    first (`drafts_supersede_open`): one open draft per target and kind. with_checks: `source`
    also has a `checks` (jsonb) column, the kind's validation of each proposal (else none).
    keyed: `source` also has a `unique_key` column (several open drafts per target, one per
    key, for kinds whose `unique_key` is not constant).
    """
    p = provenance or Provenance()
    params: dict[str, Any] = {
        "org": org.id,
        "kind": kind,
        "ct": target_type_id,
        "ts": timezone.now(),
        "provider": p.provider,
        "model": p.model_name,
        "prompt": p.prompt_version,
        "tokens_in": p.tokens_in,
        "tokens_out": p.tokens_out,
        "cost": p.cost,
        "cost_currency": p.cost_currency,
        "job": p.job_id,
    }
    tail = (
        f"INSERT INTO {_relation(into)} (id, target_id) SELECT id, target_id FROM ins"
        if into
        else "SELECT 1 FROM ins"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH ins AS (
                INSERT INTO review_draft
                    (created_at, updated_at, organization_id, kind, status, target_type_id,
                     target_id, target_version, store_id, marketplace, language, category, title,
                     current, proposed, rationale, evidence, checks, error, provider, model_name,
                     prompt_version, tokens_in, tokens_out, cost, cost_currency, priority,
                     reject_reason, job_id, unique_key)
                SELECT %(ts)s, %(ts)s, %(org)s, %(kind)s, 'pending', %(ct)s, s.target_id,
                       s.target_version, s.store_id, s.marketplace, s.language, s.category,
                       left(s.title, 300), s.current, s.proposed, s.rationale, s.evidence,
                       {"s.checks" if with_checks else "'[]'::jsonb"}, '', %(provider)s,
                       %(model)s, %(prompt)s, %(tokens_in)s,
                       %(tokens_out)s, %(cost)s, %(cost_currency)s, s.priority, '',
                       %(job)s::bigint, {"left(s.unique_key, 200)" if keyed else "''"}
                FROM {_relation(source)} s
                RETURNING id, target_id, proposed
            ), ev AS (
                INSERT INTO review_reviewevent (created_at, updated_at, organization_id,
                                                draft_id, from_status, to_status, note, payload)
                SELECT %(ts)s, %(ts)s, %(org)s, id, '', 'pending', '', proposed FROM ins
            )
            {tail}
            """,
            params,
        )
        created = cursor.rowcount
    drafts_created_announce(org_id=org.id, kind=kind, count=created, job_id=p.job_id)
    return created


def policy_run_record(
    *,
    org: Organization,
    policy: Policy | None,
    kind: str,
    source: str,
    count: int,
    summary: dict | None = None,
) -> PolicyRun:
    """Record one batch of changes a policy applied without review (the caller links its rows
    to the returned PolicyRun): the audit trail and metrics of auto-applied changes."""
    return PolicyRun.objects.create(
        organization_id=org.id,
        policy=policy,
        kind=kind,
        source=source,
        count=count,
        summary=summary or {},
    )
