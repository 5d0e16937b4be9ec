"""Review dashboard: the queue (claim, diff, edit with live checks, approve/reject, bulk jobs).
Auto-approve policies and feedback metrics are in `policy_views`, edits in `edit_views`.

Views translate: parse the request, call a review service or selector, render. Domain errors
become messages on the re-rendered draft, answered with the error's status (409, 400).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.core.dashboard import can_write, member_required, paginate, render_page
from apps.core.errors import Conflict, DomainError, NotFound, ValidationFailed

from . import display, forms
from .bulk import drafts_bulk_start
from .live_checks import live_check_messages
from .models import Draft, DraftStatus
from .registry import all_kinds, back_translation_stale, get_kind, is_flagged
from .selectors import (
    DraftFilters,
    draft_checks_now,
    draft_client_rules,
    draft_counts_by_kind,
    draft_diff,
    draft_events,
    draft_facet_choices,
    draft_get,
    draft_list,
    draft_superseded_changes,
    draft_target_display,
)
from .services import (
    REJECT_REASONS,
    DraftSuperseded,
    draft_approve,
    draft_claim,
    draft_regenerate,
    draft_reject,
)

QUEUE_PAGE_SIZE = 25
CLAIM_BATCH = 5  # drafts leased to a reviewer each time the queue opens
AGE_CHOICES = (
    (1, gettext_lazy("Older than 1 hour")),
    (24, gettext_lazy("Older than 1 day")),
    (72, gettext_lazy("Older than 3 days")),
    (168, gettext_lazy("Older than 7 days")),
)
REASON_LABELS = {
    "inaccurate": gettext_lazy("Inaccurate"),
    "off_brand": gettext_lazy("Off brand"),
    "policy_violation": gettext_lazy("Violates a marketplace policy"),
    "poor_quality": gettext_lazy("Poor quality"),
    "not_needed": gettext_lazy("Not needed"),
    "other": gettext_lazy("Other"),
}
FILTER_PARAMS = ("kind", "status", "store", "marketplace", "language", "age", "q", "flagged")


# --- helpers -------------------------------------------------------------------------------


def _is_manager(request) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.role in (Role.MANAGER, Role.OWNER)


def _can_review(request) -> bool:
    return can_write(request, Role.REVIEWER)


def _require_reviewer(request) -> None:
    if not _can_review(request):
        raise PermissionDenied(_("Your role can view the queue but not decide drafts."))


def _get_draft_for_user(request, draft_id: int) -> tuple[Draft, bool]:
    """The draft if it belongs to the active organization (else 404), and whether the user may
    decide it."""
    try:
        draft = draft_get(org=request.org, draft_id=draft_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return draft, _can_review(request)


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _filters_from(params: QueryDict) -> DraftFilters:
    kind = params.get("kind", "")
    known_kinds = {k.kind for k in all_kinds()}
    status = params.get("status", DraftStatus.PENDING)
    age = _int(params.get("age"))
    return DraftFilters(
        kind=kind if kind in known_kinds else "",
        status=status if status in DraftStatus.values else "",
        store_id=_int(params.get("store")),
        marketplace=params.get("marketplace", "").strip()[:32],
        language=params.get("language", "").strip()[:10],
        older_than_hours=age if age in dict(AGE_CHOICES) else None,
        search=params.get("q", "").strip()[:100],
        flagged=params.get("flagged", "") in ("1", "on", "true"),
    )


def _queue_query(params: QueryDict, **overrides) -> str:
    """The queue's filter query string, carried through detail links and form posts."""
    values = {name: params.get(name, "") for name in FILTER_PARAMS if name in params}
    values.update({k: v for k, v in overrides.items()})
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _queue_url(query: str) -> str:
    return reverse("review:index") + (f"?{query}" if query else "")


def _claim_label(draft: Draft, user) -> str:
    """'mine', 'other' (leased by someone else) or '' (free)."""
    if draft.status != DraftStatus.PENDING or draft.claimed_by_id is None:
        return ""
    if draft.claimed_until is None or draft.claimed_until < timezone.now():
        return ""
    return "mine" if draft.claimed_by_id == user.pk else "other"


# --- queue ---------------------------------------------------------------------------------


def _queue_context(request, filters: DraftFilters, query: str) -> dict:
    org = request.org
    page = paginate(request, draft_list(org=org, filters=filters), per_page=QUEUE_PAGE_SIZE)
    for draft in page:
        draft.claim = _claim_label(draft, request.user)
        draft.kind_label = _kind_label(draft.kind)
        draft.flagged = is_flagged(draft.checks)
    counts = draft_counts_by_kind(org=org, status=filters.status or DraftStatus.PENDING)
    return {
        "page": page,
        "filters": filters,
        "query": query,
        # The newest draft the page counted: "all matching" means those, not drafts that
        # arrive after the reviewer looked.
        "upto": draft_list(org=org, filters=filters).aggregate(upto=Max("id"))["upto"] or 0,
        "kinds": [
            {"kind": k.kind, "label": k.label, "count": counts.get(k.kind, 0)} for k in all_kinds()
        ],
        "total_count": sum(counts.values()),
        "statuses": DraftStatus.choices,
        "ages": AGE_CHOICES,
        "facets": draft_facet_choices(org=org),
        "reject_reasons": [(r, REASON_LABELS.get(r, r)) for r in REJECT_REASONS],
        "can_review": _can_review(request),
    }


def _kind_label(kind: str) -> str:
    try:
        return str(get_kind(kind).label)
    except LookupError:
        return kind


@member_required
def index(request):
    """The queue. Opening it leases the next few free drafts to a reviewer for ten minutes."""
    filters = _filters_from(request.GET)
    query = _queue_query(request.GET)
    claimed = []
    if _can_review(request) and filters.status == DraftStatus.PENDING:
        claimed = draft_claim(
            org=request.org, user=request.user, filters=filters.as_q(), limit=CLAIM_BATCH
        )
    context = _queue_context(request, filters, query)
    context["claimed_ids"] = [d.pk for d in claimed]
    current = claimed[0] if claimed else next(iter(context["page"]), None)
    if current is not None:
        context.update(_detail_context(request, current, query))
    return render_page(request, "review/queue.html", "queue", context)


@member_required
def detail(request, draft_id: int):
    draft, writable = _get_draft_for_user(request, draft_id)
    if writable and draft.status == DraftStatus.PENDING:
        # Looking at a free draft takes its lease, so a colleague's queue skips it.
        leased = draft_claim(org=request.org, user=request.user, filters=Q(pk=draft.pk), limit=1)
        draft = leased[0] if leased else draft_get(org=request.org, draft_id=draft.pk)
    query = _queue_query(request.GET)
    return _render_detail(request, draft, query)


def _render_detail(
    request, draft: Draft, query: str, *, status: int = 200, edited: dict | None = None
):
    context = _detail_context(request, draft, query, edited=edited)
    if request.htmx:
        return render(request, "review/queue.html#detail", context, status=status)
    filters = _filters_from(QueryDict(query))
    context.update(_queue_context(request, filters, query))
    context["claimed_ids"] = []
    return render(request, "review/queue.html", context, status=status)


def _detail_context(request, draft: Draft, query: str, *, edited: dict | None = None) -> dict:
    org = request.org
    handler = get_kind(draft.kind)
    draft.claim = _claim_label(draft, request.user)  # type: ignore[attr-defined]
    draft.kind_label = _kind_label(draft.kind)  # type: ignore[attr-defined]
    rules = draft_client_rules(draft)
    rules["messages"] = live_check_messages(rules.get("messages"))
    checks = draft_checks_now(draft)
    declared = {f.name for f in handler.fields}
    return {
        "draft": draft,
        "target": draft_target_display(draft),
        "diff": [forms.with_template(row) for row in draft_diff(draft)],
        "checks": checks,
        "has_errors": any(c.get("severity") == "error" for c in checks),
        # Checks about a claim in the text (grounding): shown in context, confirmable.
        "claims": forms.claim_checks(handler, checks),
        "changed": [
            forms.labelled(handler, row) for row in draft_superseded_changes(org=org, draft=draft)
        ],
        "events": [_event_row(e) for e in draft_events(org=org, draft_id=draft.pk)],
        "evidence": display.evidence_rows(handler, draft.evidence),
        "rationale": display.rationale_text(draft),
        "provider_label": display.label_for(draft.provider) if draft.provider else "",
        "edit_fields": forms.edit_fields(draft, handler, edited),
        "client_rules": rules,
        "extra_values": display.extra_values(handler, draft.proposed, declared),
        "panels": handler.panels,
        "head_panels": handler.head_panels,
        # A manager may apply despite the kind's overridable checks (a price outside its floor
        # and ceiling) by giving a reason; the service checks the role again.
        "can_override": bool(handler.overridable) and _is_manager(request),
        "claims_field": handler.claims_field,
        # An edit of the text makes its back-translation stale: approval then needs a tick.
        "back_stale": back_translation_stale(draft.evidence),
        "edit_stales_back": handler.on_edit is not None,
        "can_back_translate": handler.back_translate is not None,
        "query": query,
        "reject_reasons": [(r, REASON_LABELS.get(r, r)) for r in REJECT_REASONS],
        "reason_label": REASON_LABELS.get(draft.reject_reason, draft.reject_reason),
        "can_review": _can_review(request),
        "edit_open": edited is not None,
        "regenerable": handler.regenerate is not None
        and draft.status in (DraftStatus.SUPERSEDED, DraftStatus.FAILED, DraftStatus.REJECTED),
    }


def _event_row(event):
    event.from_label = display.status_label(event.from_status) if event.from_status else "∅"
    event.to_label = display.status_label(event.to_status)
    event.note_shown = display.note_text(event.note)
    return event


def _error_message(exc: DomainError) -> str:
    if isinstance(exc, DraftSuperseded):
        return _(
            "The target changed since this draft was made, so it was not applied; "
            "the draft is now superseded."
        )
    if exc.code == "back_translation_stale":
        return _(
            "Not approved: the text changed after it was translated back, so the "
            "back-translation no longer shows what the buyer will read. Back-translate it "
            "again, or tick “I have read the edited text”."
        )
    if exc.code == "already_applied":
        return _("This draft was already applied.")
    if exc.code == "checks_failed":
        return _("The checks failed, nothing was applied: %(errors)s") % {"errors": exc.message}
    if isinstance(exc, Conflict):
        return _("This draft is no longer pending; nothing was changed.")
    return exc.message


@require_POST
@member_required
def approve(request, draft_id: int):
    _require_reviewer(request)
    draft, _writable = _get_draft_for_user(request, draft_id)
    query = request.POST.get("queue", "")
    edited = forms.edited_from(request, draft) if request.POST.get("edit") else {}
    try:
        draft_approve(
            org=request.org,
            actor=request.user,
            draft_id=draft.pk,
            edited=edited or None,
            note=request.POST.get("note", "")[:2000],
            override_reason=request.POST.get("override_reason", "")[:500],
            confirm_edited=request.POST.get("confirm_edited_text") in ("on", "1"),
        )
    except DomainError as exc:
        messages.error(request, _error_message(exc))
        draft = draft_get(org=request.org, draft_id=draft.pk)
        edited_again = edited if request.POST.get("edit") else None
        return _render_detail(request, draft, query, status=exc.status, edited=edited_again)
    if edited:
        text = _("Approved with your edits and applied: %(t)s")
        messages.success(request, text % {"t": draft.title})
    else:
        messages.success(request, _("Approved and applied: %(t)s") % {"t": draft.title})
    return _after_decision(request, query)


@require_POST
@member_required
def reject(request, draft_id: int):
    _require_reviewer(request)
    draft, _writable = _get_draft_for_user(request, draft_id)
    query = request.POST.get("queue", "")
    try:
        draft_reject(
            org=request.org,
            actor=request.user,
            draft_id=draft.pk,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", "")[:2000],
        )
    except DomainError as exc:
        messages.error(request, _error_message(exc))
        draft = draft_get(org=request.org, draft_id=draft.pk)
        return _render_detail(request, draft, query, status=exc.status)
    messages.success(request, _("Rejected: %(t)s") % {"t": draft.title})
    return _after_decision(request, query)


@require_POST
@member_required
def regenerate(request, draft_id: int):
    """Queue a fresh draft for a superseded, failed or rejected draft's target."""
    _require_reviewer(request)
    draft, _writable = _get_draft_for_user(request, draft_id)
    try:
        draft_regenerate(org=request.org, actor=request.user, draft_id=draft.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("review:detail", draft_id=draft.pk)
    messages.success(
        request, _("A new draft is being written from the current data; it joins the queue.")
    )
    return _after_decision(request, request.POST.get("queue", ""))


def _after_decision(request, query: str):
    """Back to the queue, which leases and opens the next draft."""
    return redirect(_queue_url(QueryDict(query).urlencode()))


@require_POST
@member_required
def bulk(request):
    """Approve or reject the selected drafts, or every pending draft matching the filter."""
    _require_reviewer(request)
    query = request.POST.get("queue", "")
    action = request.POST.get("action", "")
    scope = request.POST.get("scope", "selected")
    ids = None
    if scope != "filter":
        ids = [i for i in (_int(v) for v in request.POST.getlist("ids")) if i is not None]
        if not ids:
            messages.error(request, _("Select at least one draft first."))
            return redirect(_queue_url(query))
    filters = _filters_from(QueryDict(query))
    if filters.status != DraftStatus.PENDING:
        filters = DraftFilters(**{**filters.__dict__, "status": DraftStatus.PENDING})
    upto = _int(request.POST.get("upto"))
    if ids is None and upto is not None:
        shown = draft_list(org=request.org, filters=filters).filter(id__lte=min(upto, 2**63 - 1))
        ids = list(shown.values_list("id", flat=True))
    try:
        job = drafts_bulk_start(
            org=request.org,
            actor=request.user,
            action=action,
            ids=ids,
            filters=filters,
            reason=request.POST.get("reason", ""),
        )
    except ValidationFailed as exc:
        messages.error(
            request,
            _("Choose a reason for the rejection.") if exc.field == "reason" else exc.message,
        )
        return redirect(_queue_url(query))
    return redirect(reverse("review:job", args=[job.pk]) + (f"?{query}" if query else ""))


# --- policies ------------------------------------------------------------------------------
