"""Feedback metrics: how reviewers treat what the generators propose.

Per kind, prompt version and model: how many drafts people reviewed, how many they applied as
proposed (accepted), applied after editing (edited) or rejected, how much they edited, why they
rejected, and how long drafts waited. Drafts a policy applied were not reviewed by a person and
are left out of those rates; `auto_applied_counts` counts them per kind instead, together with
the set-based policy batches (PolicyRun: e.g. the repricer's in-policy price changes, which
never become drafts). One grouped query does the rates and the median (percentile_cont).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Aggregate, Avg, Count, DurationField, F, Q, Sum
from django.utils import timezone

from .models import Draft, DraftStatus, PolicyRun

if TYPE_CHECKING:
    from apps.accounts.models import Organization

S = DraftStatus


class Median(Aggregate):
    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass
class GroupMetrics:
    kind: str
    prompt_version: str
    model_name: str
    reviewed: int
    accepted: int
    edited: int
    rejected: int
    mean_edit_distance: Decimal | None
    median_review_time: timedelta | None
    rejection_reasons: dict[str, int] = field(default_factory=dict)

    def _rate(self, n: int) -> float:
        return n / self.reviewed if self.reviewed else 0.0

    @property
    def acceptance_rate(self) -> float:
        return self._rate(self.accepted)

    @property
    def edit_rate(self) -> float:
        return self._rate(self.edited)

    @property
    def rejection_rate(self) -> float:
        return self._rate(self.rejected)


def reviewed_drafts(*, org: Organization, days: int = 90):
    since = timezone.now() - timedelta(days=days)
    return Draft.objects.for_org(org).filter(
        status__in=(S.APPLIED, S.REJECTED),
        applied_by_policy__isnull=True,
        reviewed_at__isnull=False,
        reviewed_at__gte=since,
    )


def review_metrics(*, org: Organization, days: int = 90) -> list[GroupMetrics]:
    """One row per (kind, prompt version, model), most reviewed first."""
    qs = reviewed_drafts(org=org, days=days)
    applied = Q(status=S.APPLIED)
    rows = (
        qs.values("kind", "prompt_version", "model_name")
        .annotate(
            reviewed=Count("id"),
            accepted=Count("id", filter=applied & Q(edit_distance=0)),
            edited=Count("id", filter=applied & Q(edit_distance__gt=0)),
            rejected=Count("id", filter=Q(status=S.REJECTED)),
            mean_edit_distance=Avg("edit_distance", filter=applied),
            median_review_time=Median(F("reviewed_at") - F("created_at")),
        )
        .order_by("kind", "-reviewed", "prompt_version", "model_name")
    )
    reasons = _rejection_reasons(qs)
    key = ("kind", "prompt_version", "model_name")
    return [
        GroupMetrics(**row, rejection_reasons=reasons.get(tuple(row[k] for k in key), {}))
        for row in rows
    ]


def _rejection_reasons(qs) -> dict[tuple[str, str, str], dict[str, int]]:
    rows = (
        qs.filter(status=S.REJECTED)
        .values("kind", "prompt_version", "model_name", "reject_reason")
        .annotate(n=Count("id"))
        .order_by("-n", "reject_reason")
    )
    out: dict[tuple[str, str, str], dict[str, int]] = {}
    for row in rows:
        key = (row["kind"], row["prompt_version"], row["model_name"])
        out.setdefault(key, {})[row["reject_reason"] or "other"] = row["n"]
    return out


def rejection_reason_totals(*, org: Organization, days: int = 90) -> dict[str, int]:
    rows = (
        reviewed_drafts(org=org, days=days)
        .filter(status=S.REJECTED)
        .values("reject_reason")
        .annotate(n=Count("id"))
        .order_by("-n", "reject_reason")
    )
    return {row["reject_reason"] or "other": row["n"] for row in rows}


def auto_applied_counts(*, org: Organization, days: int = 90) -> dict[str, int]:
    """Changes a policy applied without review in the last `days`, per kind: drafts applied by
    a policy (one at a time, through draft_create) plus the changes of set-based policy runs."""
    since = timezone.now() - timedelta(days=days)
    out: dict[str, int] = {}
    drafts = (
        Draft.objects.for_org(org)
        .filter(status=S.APPLIED, applied_by_policy__isnull=False, applied_at__gte=since)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    runs = (
        PolicyRun.objects.for_org(org)
        .filter(created_at__gte=since)
        .values("kind")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for row in [*drafts, *runs]:
        out[row["kind"]] = out.get(row["kind"], 0) + (row["n"] or 0)
    return dict(sorted(out.items()))
