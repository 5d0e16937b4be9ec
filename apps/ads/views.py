"""Ads pages: campaigns (totals, targets, imports), a campaign's chart of spend/sales/ACoS vs
target, search terms, wasted spend over time, recommendations with evidence (approve a
campaign's changes together), import history, and the bulk file of approved changes.

Managers and owners import, override targets, run the rules and download bulk files; reviewers
approve; viewers read. Every object is fetched within the active organization (404 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.catalog.selectors import store_list
from apps.core.dashboard import can_write, int_param, member_required
from apps.core.errors import DomainError
from apps.integrations.tabular.errors import TabularFormatError
from apps.review.display import evidence_rows
from apps.review.models import Draft
from apps.review.registry import get_kind
from apps.review.services import draft_approve

from . import selectors
from .bulk_export import bulk_export, bulk_export_mark_uploaded
from .bulk_import import bulk_file_import
from .chart import line_chart
from .drafts import KIND
from .forms import TargetOverrideForm, UploadForm
from .import_jobs import search_terms_import_start
from .models import AdChange, Campaign
from .reasons import rationale_label, rule_label, value_label
from .recommendations import recommendations_start
from .targets import campaign_target_override, campaign_targets
from .translation import draft_term, translation_state, translations_for

DAYS = (7, 14, 30, 60, 90)


def _writer(request, role: str = "manager") -> None:
    if not can_write(request, role):
        raise PermissionDenied(_("Your role cannot change ads."))


def _window(request):
    days = int_param(request, "days") or 30
    days = days if days in DAYS else 30
    return days, selectors.data_window(org=request.org, days=days)


@member_required
def index(request):
    org = request.org
    days, span = _window(request)
    stores = list(store_list(org=org))
    form = UploadForm(stores=stores)
    result = None
    if request.method == "POST":
        _writer(request)
        form = UploadForm(request.POST, request.FILES, stores=stores)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if form.cleaned_data["kind"] == "search_terms":
                try:
                    job = search_terms_import_start(
                        org=org, actor=request.user, store_id=form.cleaned_data["store"],
                        upload=upload, filename=upload.name,
                    )  # fmt: skip
                except DomainError as exc:
                    form.add_error("store", str(exc))
                else:
                    messages.success(request, _("The report is being imported."))
                    return redirect("dashboard:job", job_id=job.pk)
            else:
                try:
                    result = bulk_file_import(
                        org=org, store_id=form.cleaned_data["store"], data=upload.file,
                        filename=upload.name, actor=request.user,
                    )  # fmt: skip
                except (TabularFormatError, DomainError) as exc:
                    form.add_error("file", str(exc))
                else:
                    days, span = _window(request)
    rows = []
    if span:
        rows = selectors.campaign_list(
            org=org,
            start=span[0],
            end=span[1],
            store_id=int_param(request, "store"),
            sort=request.GET.get("sort", "spend"),
        )
    context = {
        "rows": rows,
        "totals": selectors.totals_of(rows),
        "span": span,
        "days": days,
        "day_choices": DAYS,
        "stores": stores,
        "form": form,
        "result": result,
        "shown_errors": (result.errors[:50] if result else []),
        "can_write": can_write(request),
        "sort": request.GET.get("sort", "spend"),
        "store": int_param(request, "store"),
        "pending": Draft.objects.for_org(org).filter(kind=KIND, status="pending").count(),
        "approved": AdChange.objects.for_org(org).filter(exported_at__isnull=True).count(),
    }
    return render(request, "ads/index.html", context)


def _campaign(request, pk: int) -> Campaign:
    campaign = Campaign.objects.for_org(request.org).select_related("store").filter(pk=pk).first()
    if campaign is None:
        raise Http404(_("No such campaign."))
    return campaign


@member_required
def campaign(request, pk: int):
    org = request.org
    camp = _campaign(request, pk)
    days, span = _window(request)
    form = TargetOverrideForm(initial={"target_acos": camp.target_acos_override})
    if request.method == "POST":
        _writer(request)
        form = TargetOverrideForm(request.POST)
        if form.is_valid():
            campaign_target_override(
                org=org,
                actor=request.user,
                campaign_id=camp.pk,
                target_acos=form.cleaned_data["target_acos"],
            )
            messages.success(request, _("Target ACoS saved."))
            return redirect("ads:campaign", pk=camp.pk)
    target = campaign_targets(org=org, campaign_ids=[camp.pk]).get(camp.pk)
    daily = (
        selectors.campaign_daily(org=org, campaign_id=camp.pk, start=span[0], end=span[1])
        if span
        else []
    )
    day_list = [r["day"] for r in daily]
    spend = [float(r["spend"]) for r in daily]
    sales = [float(r["sales"]) for r in daily]
    acos = [float(r["spend"] / r["sales"] * 100) if r["sales"] else None for r in daily]
    money_chart = line_chart(
        day_list,
        [
            {"label": _("Spend"), "color": "#cf222e", "values": spend, "dash": ""},
            {"label": _("Sales"), "color": "#1a7f37", "values": sales, "dash": ""},
        ],
        unit=f" {camp.currency}",
    )
    acos_chart = line_chart(
        day_list,
        [
            {"label": _("ACoS"), "color": "#1f6feb", "values": acos, "dash": ""},
            {
                "label": _("Target ACoS"),
                "color": "#9a6700",
                "dash": "5 3",
                "values": [float(target.target_acos)] * len(day_list) if target else [],
            },
        ],
        unit=" %",
    )
    context = {
        "campaign": camp,
        "target": target,
        "form": form,
        "money_chart": money_chart,
        "acos_chart": acos_chart,
        "days": days,
        "day_choices": DAYS,
        "span": span,
        "ad_groups": camp.ad_groups.prefetch_related("targets", "product_ads", "negatives"),
        "campaign_negatives": camp.negatives.filter(ad_group__isnull=True),
        "can_write": can_write(request),
    }
    return render(request, "ads/campaign.html", context)


@member_required
def search_terms(request):
    org = request.org
    days, span = _window(request)
    rows, total = [], {}
    if span:
        rows, total = selectors.search_term_list(
            org=org,
            start=span[0],
            end=span[1],
            campaign_id=int_param(request, "campaign"),
            q=request.GET.get("q", "")[:100],
            no_orders=request.GET.get("no_orders") == "1",
            min_clicks=max(0, min(int_param(request, "min_clicks") or 0, 100000)),
            sort=request.GET.get("sort", "spend"),
        )
    found = translations_for(org=org, terms=[r["search_term"] for r in rows])
    for r in rows:
        r["translated"] = found.get(r["search_term"])
    context = {
        "rows": rows,
        "total": total,
        "translation": translation_state(org=org),
        "days": days,
        "day_choices": DAYS,
        "span": span,
        "campaigns": Campaign.objects.for_org(org).order_by("name"),
        "campaign_id": int_param(request, "campaign"),
        "q": request.GET.get("q", "")[:100],
        "no_orders": request.GET.get("no_orders") == "1",
        "min_clicks": int_param(request, "min_clicks") or 0,
        "sort": request.GET.get("sort", "spend"),
    }
    return render(request, "ads/search_terms.html", context)


@member_required
def waste(request):
    org = request.org
    days = int_param(request, "days") or 90
    days = days if days in DAYS else 90
    span = selectors.data_window(org=org, days=days)
    weeks = selectors.waste_by_week(org=org, start=span[0], end=span[1]) if span else []
    chart = line_chart(
        [w.week for w in weeks],
        [
            {
                "label": _("Wasted share of spend"),
                "color": "#cf222e",
                "dash": "",
                "values": [float(w.share) if w.share is not None else None for w in weeks],
            },
        ],
        unit=" %",
    )
    lookback = selectors.data_window(org=org, days=30)
    savings = (
        selectors.negatives_savings(org=org, start=lookback[0], end=lookback[1])
        if lookback
        else None
    )
    context = {
        "weeks": weeks,
        "chart": chart,
        "savings": savings,
        "lookback": lookback,
        "days": days,
        "day_choices": DAYS,
        "span": span,
    }
    return render(request, "ads/waste.html", context)


@member_required
def recommendations(request):
    org = request.org
    handler = get_kind(KIND)
    drafts = list(
        Draft.objects.for_org(org)
        .filter(kind=KIND, status="pending")
        .order_by("target_id", "-priority", "id")[:2000]
    )
    names = dict(
        Campaign.objects.for_org(org)
        .filter(pk__in={d.target_id for d in drafts})
        .values_list("pk", "name")
    )
    groups: dict[int, dict] = {}
    for d in drafts:
        g = groups.setdefault(
            d.target_id,
            {"campaign_id": d.target_id, "name": names.get(d.target_id, "—"), "drafts": []},
        )
        d.evidence_shown = evidence_rows(handler, d.evidence)
        d.rule_label = rule_label(d.category)
        d.rationale_shown = rationale_label(d) or d.rationale
        for row in d.evidence_shown:
            if row["value"] == d.category:
                row["value"] = d.rule_label
            row["pairs"] = [(k, value_label(v)) for k, v in row["pairs"]]
            row["value"] = value_label(row["value"])
        g["drafts"].append(d)
    found = translations_for(org=org, terms=[draft_term(d) for d in drafts])
    for d in drafts:
        d.translated = found.get(draft_term(d))
    context = {
        "translation": translation_state(org=org),
        "groups": list(groups.values()),
        "can_write": can_write(request),
        "can_review": can_write(request, "reviewer"),
        "total": len(drafts),
    }
    return render(request, "ads/recommendations.html", context)


@member_required
@require_POST
def recommendations_refresh(request):
    _writer(request)
    try:
        job = recommendations_start(org=request.org, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("ads:recommendations")
    messages.success(request, _("The recommendations are being computed."))
    return redirect("dashboard:job", job_id=job.pk)


@member_required
@require_POST
def approve_campaign(request, pk: int):
    _writer(request, "reviewer")
    camp = _campaign(request, pk)
    ids = list(
        Draft.objects.for_org(request.org)
        .filter(kind=KIND, status="pending", target_id=camp.pk)
        .values_list("pk", flat=True)
    )
    done, failed = 0, []
    for draft_id in ids:
        try:
            draft_approve(
                org=request.org,
                actor=request.user,
                draft_id=draft_id,
                note="Approved with the campaign's other changes",
            )
            done += 1
        except DomainError as exc:
            failed.append(f"#{draft_id}: {exc}")
    messages.success(request, _("%(n)d changes approved.") % {"n": done})
    if failed:
        messages.error(request, "; ".join(failed)[:500])
    return redirect("ads:recommendations")


@member_required
def imports(request):
    runs = selectors.import_runs(org=request.org)
    return render(request, "ads/imports.html", {"runs": runs})


@member_required
def bulk(request):
    org = request.org
    out = bulk_export(org=org)
    if request.GET.get("download") == "1":
        _writer(request)
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = HttpResponse(
            out.content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="sp-bulk-{stamp}.xlsx"'
        return response
    changes = AdChange.objects.for_org(org).filter(pk__in=out.change_ids).select_related("campaign")
    return render(
        request, "ads/bulk.html", {"out": out, "changes": changes, "can_write": can_write(request)}
    )


@member_required
@require_POST
def bulk_mark_uploaded(request):
    _writer(request)
    ids = [int(x) for x in request.POST.getlist("change") if x.isdigit()][:100000]
    n = bulk_export_mark_uploaded(org=request.org, change_ids=ids)
    messages.success(request, _("%(n)d changes marked as uploaded.") % {"n": n})
    return redirect("ads:bulk")
