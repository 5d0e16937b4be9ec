"""Review dashboard: auto-approve policies per draft kind and the feedback metrics page.

Split from `views` (the queue) to keep each module small; both are thin: parse, call a review
service or selector, render.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.core.dashboard import can_write, member_required, render_page
from apps.core.errors import ValidationFailed

from . import metrics as review_metrics_mod
from .registry import all_kinds, get_kind
from .selectors import few_shot_counts, policies_by_kind
from .services import policy_set
from .views import REASON_LABELS, _int, _kind_label


@member_required
def policies(request):
    can_manage = can_write(request, Role.MANAGER)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only managers and owners change policies."))
        kind = request.POST.get("kind", "")
        try:
            get_kind(kind)
            pct = _decimal_or_none(request.POST.get("max_change_pct", ""))
            policy_set(
                org=request.org,
                actor=request.user,
                kind=kind,
                auto_approve=request.POST.get("auto_approve") == "on",
                max_change_pct=pct,
            )
        except LookupError as exc:
            raise Http404(str(exc)) from exc
        except ValidationFailed as exc:
            messages.error(request, _("The limit must be a number between 0 and 100."))
            if exc.field != "max_change_pct":
                messages.error(request, exc.message)
        else:
            messages.success(request, _("Policy saved for %(kind)s.") % {"kind": _kind_label(kind)})
        return redirect("review:policies")
    existing = policies_by_kind(org=request.org)
    rows = [
        {
            "kind": k.kind,
            "label": k.label,
            "policy": existing.get(k.kind),
            "can_auto": k.auto_approve is not None,
        }
        for k in all_kinds()
    ]
    return render(request, "review/policies.html", {"rows": rows, "can_manage": can_manage})


def _duration_text(value) -> str:
    if value is None:
        return "—"
    minutes = value.total_seconds() / 60
    if minutes < 1:
        return _("under a minute")
    if minutes < 90:
        return _("%(n)d min") % {"n": round(minutes)}
    if minutes < 48 * 60:
        return _("%(n).1f h") % {"n": minutes / 60}
    return _("%(n).1f days") % {"n": minutes / 1440}


def _decimal_or_none(value: str) -> Decimal | None:
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValidationFailed("Not a number.", field="max_change_pct") from exc
    if not number.is_finite():
        raise ValidationFailed("Not a number.", field="max_change_pct")
    return number


# --- metrics -------------------------------------------------------------------------------


@member_required
def metrics(request):
    days = _int(request.GET.get("days")) or 90
    days = days if days in (7, 30, 90, 365) else 90
    groups = review_metrics_mod.review_metrics(org=request.org, days=days)
    reasons = review_metrics_mod.rejection_reason_totals(org=request.org, days=days)
    slowest = (
        max(
            (
                g.median_review_time.total_seconds()
                for g in groups
                if g.median_review_time is not None
            ),
            default=0,
        )
        or 1
    )
    for g in groups:
        g.kind_label = _kind_label(g.kind)
        g.pct = {
            "accepted": round(100 * g.acceptance_rate, 1),
            "edited": round(100 * g.edit_rate, 1),
            "rejected": round(100 * g.rejection_rate, 1),
        }
        seconds = g.median_review_time.total_seconds() if g.median_review_time else 0
        g.time_width = round(100 * seconds / slowest, 1)
        g.median_text = _duration_text(g.median_review_time)
        g.reason_rows = [(REASON_LABELS.get(r, r), n) for r, n in g.rejection_reasons.items()]
    top = max(reasons.values(), default=0) or 1
    examples = few_shot_counts(org=request.org)
    auto = review_metrics_mod.auto_applied_counts(org=request.org, days=days)
    context = {
        "days": days,
        "day_choices": (7, 30, 90, 365),
        "groups": groups,
        "reasons": [
            {"label": REASON_LABELS.get(r, r), "n": n, "width": round(100 * n / top, 1)}
            for r, n in reasons.items()
        ],
        "examples": [{"label": k.label, "n": examples.get(k.kind, 0)} for k in all_kinds()],
        "total_reviewed": sum(g.reviewed for g in groups),
        # Policy auto-applies are part of the audit trail too, counted apart: nobody reviewed them.
        "auto_applied": [{"label": _kind_label(k), "n": n} for k, n in auto.items()],
    }
    return render_page(request, "review/metrics.html", "charts", context)
