"""Reads of the review queue: filtered lists, counts, one draft with its diff, few-shot examples."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.core.errors import NotFound

from .diffing import payload_text, rendered_diffs
from .fields import TargetDisplay
from .models import OPEN_STATUSES, Draft, DraftStatus, Policy, ReviewEvent
from .registry import get_kind

if TYPE_CHECKING:
    from apps.accounts.models import Organization


@dataclass(frozen=True)
class DraftFilters:
    kind: str = ""
    status: str = DraftStatus.PENDING
    store_id: int | None = None
    marketplace: str = ""
    language: str = ""
    older_than_hours: int | None = None
    search: str = ""
    flagged: bool = False  # only drafts a check flagged for a person (e.g. lower quality)

    def as_q(self) -> Q:
        q = Q()
        if self.kind:
            q &= Q(kind=self.kind)
        if self.status:
            q &= Q(status=self.status)
        if self.store_id:
            q &= Q(store_id=self.store_id)
        if self.marketplace:
            q &= Q(marketplace=self.marketplace)
        if self.language:
            q &= Q(language=self.language)
        if self.older_than_hours:
            q &= Q(created_at__lt=timezone.now() - timedelta(hours=self.older_than_hours))
        if self.search:
            q &= Q(title__icontains=self.search)
        if self.flagged:
            q &= Q(checks__contains=[{"flag": True}])
        return q


def draft_list(*, org: Organization, filters: DraftFilters | None = None) -> QuerySet[Draft]:
    """Oldest first within priority: the order reviewers work the queue in."""
    qs = Draft.objects.for_org(org).select_related("reviewed_by", "claimed_by")
    if filters is not None:
        qs = qs.filter(filters.as_q())
    return qs.order_by("-priority", "created_at", "id")


def draft_counts_by_kind(*, org: Organization, status: str = DraftStatus.PENDING) -> dict[str, int]:
    rows = (
        Draft.objects.for_org(org)
        .filter(status=status)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    return {row["kind"]: row["n"] for row in rows}


def draft_get(*, org: Organization, draft_id: int) -> Draft:
    try:
        return Draft.objects.for_org(org).select_related("reviewed_by").get(pk=draft_id)
    except Draft.DoesNotExist as exc:
        raise NotFound("No such draft.") from exc


def draft_diff(draft: Draft) -> list[dict[str, Any]]:
    """Current (when drafted) vs proposed, per declared field, rendered by the field's declared
    renderer (each row also keeps the word-level opcodes of its text)."""
    fields = get_kind(draft.kind).fields
    return rendered_diffs(fields, draft.current, draft.final or draft.proposed)


def _similarity(a: str, b: str) -> float:
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0


def few_shot_examples(
    *, org: Organization, kind: str, category: str = "", text: str = "", k: int = 3, pool: int = 200
) -> list[dict[str, Any]]:
    """Approved drafts that people edited, of this organization and kind, most similar first.

    Same category first, then others; similarity is word overlap with `text` (the facts of the
    new target). Each example pairs what the AI proposed with what the reviewer published, which
    is exactly the correction the next generation should learn from.
    """
    candidates = list(
        Draft.objects.for_org(org)
        .filter(kind=kind, status=DraftStatus.APPLIED, edit_distance__gt=0)
        .order_by("-reviewed_at")
        .values("id", "category", "proposed", "final", "language")[:pool]
    )
    fields = get_kind(kind).text_fields

    def score(row: dict) -> tuple[int, float]:
        same = 1 if category and row["category"] == category else 0
        return same, _similarity(text, payload_text(row["final"], fields))

    candidates.sort(key=score, reverse=True)
    return candidates[:k]


def draft_target(draft: Draft) -> Any | None:
    """The draft's target row, read through the model's base manager and the draft's tenant.

    `review` never imports domain models: the content type names the model.
    """
    model = draft.target_type.model_class()
    if model is None:
        return None
    return model._base_manager.filter(
        pk=draft.target_id, organization_id=draft.organization_id
    ).first()


def draft_target_display(draft: Draft) -> TargetDisplay:
    """What the kind shows of the draft's target now (label, store, link); the label recorded
    on the draft when the target is gone."""
    target = draft_target(draft)
    if target is None:
        return TargetDisplay(label=draft.title, store_id=draft.store_id)
    return get_kind(draft.kind).target_display(target)


def draft_client_rules(draft: Draft) -> dict[str, Any]:
    """Limits, refused terms and forbidden characters for the reviewer's live checks."""
    empty: dict[str, Any] = {"limits": {}, "banned_terms": [], "title_forbidden_chars": ""}
    handler = get_kind(draft.kind)
    if handler.client_rules is None:
        return empty
    target = draft_target(draft)
    return {**empty, **handler.client_rules(target)} if target is not None else empty


def draft_events(*, org: Organization, draft_id: int) -> QuerySet[ReviewEvent]:
    return (
        ReviewEvent.objects.for_org(org)
        .filter(draft_id=draft_id)
        .select_related("actor", "policy")
        .order_by("created_at", "id")
    )


def draft_superseded_changes(*, org: Organization, draft: Draft) -> list[dict[str, Any]]:
    """For a superseded draft: the fields of the target that moved since it was drafted."""
    if draft.status != DraftStatus.SUPERSEDED:
        return []
    event = (
        ReviewEvent.objects.for_org(org)
        .filter(draft_id=draft.pk, to_status=DraftStatus.SUPERSEDED)
        .order_by("-created_at", "-id")
        .first()
    )
    payload = (event.payload if event else None) or {}
    return list(payload.get("changed") or [])


def draft_facet_choices(*, org: Organization) -> dict[str, list]:
    """The stores, marketplaces and languages that occur in the queue, for its filters."""
    drafts = Draft.objects.for_org(org)
    marketplaces = sorted(set(drafts.exclude(marketplace="").values_list("marketplace", flat=True)))
    languages = sorted(set(drafts.exclude(language="").values_list("language", flat=True)))
    # One draft per store names it: its kind's display of its target knows the store's name
    # (review has no store model).
    store_ids = sorted(set(drafts.exclude(store_id=None).values_list("store_id", flat=True)))
    stores = []
    for store_id in store_ids[:100]:
        sample = drafts.filter(store_id=store_id).select_related("target_type").first()
        shown = draft_target_display(sample) if sample else None
        label = shown.store_label if shown is not None and shown.store_id == store_id else ""
        stores.append((store_id, label or f"#{store_id}"))
    return {"stores": stores, "marketplaces": marketplaces, "languages": languages}


def few_shot_counts(*, org: Organization) -> dict[str, int]:
    """How many edited-and-applied drafts each kind has to serve as few-shot examples."""
    rows = (
        Draft.objects.for_org(org)
        .filter(status=DraftStatus.APPLIED, edit_distance__gt=0)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    return {row["kind"]: row["n"] for row in rows}


def policies_by_kind(*, org: Organization) -> dict[str, Policy]:
    return {p.kind: p for p in Policy.objects.for_org(org).select_related("updated_by")}


def draft_checks_now(draft: Draft) -> list[dict[str, str]]:
    """A pending draft's checks, re-run against its target in the reader's language; a decided
    draft keeps the checks recorded when it was decided."""
    if draft.status != DraftStatus.PENDING:
        return list(draft.checks or [])
    target = draft_target(draft)
    if target is None:
        return list(draft.checks or [])
    return [c.as_dict() for c in get_kind(draft.kind).validate(target, draft.proposed)]


def draft_target_ids_for_job(*, org: Organization, job_id: int, kind: str, target_ids) -> set[int]:
    """Targets that already have a draft (of any status) from this job, so a redelivered batch
    skips them: no draft lost, none duplicated."""
    return set(
        Draft.objects.for_org(org)
        .filter(job_id=job_id, kind=kind, target_id__in=list(target_ids))
        .values_list("target_id", flat=True)
    )


def draft_ids_with_status(*, org: Organization, kind: str, statuses) -> QuerySet:
    """The ids of the organization's drafts of `kind` in `statuses`, as a subquery for another
    app's log (pricing's price changes record the draft they proposed)."""
    return Draft.objects.for_org(org).filter(kind=kind, status__in=list(statuses)).values("id")


def draft_statuses(*, org: Organization, draft_ids) -> dict[int, str]:
    """{draft id: status} of the organization's drafts among `draft_ids` (foreign ids: absent)."""
    ids = [i for i in draft_ids if i]
    if not ids:
        return {}
    return dict(Draft.objects.for_org(org).filter(pk__in=ids).values_list("id", "status"))


def draft_open_target_ids(*, org: Organization, kind: str, target_type_id: int) -> QuerySet:
    """The target ids of the organization's open (pending or approved) drafts of `kind`, as a
    subquery: an owning app that prunes its rows keeps these (an open draft must still reach
    its target to be applied)."""
    return (
        Draft.objects.for_org(org)
        .filter(kind=kind, target_type_id=target_type_id, status__in=OPEN_STATUSES)
        .values("target_id")
    )
