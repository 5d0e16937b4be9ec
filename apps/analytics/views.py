"""Analytics pages: the overview (the dashboard's home), profit analytics with its charts and
exports, and product selection."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.catalog.models import Marketplace, Product, Store
from apps.core.dashboard import can_write, date_param, int_param, member_required, render_page
from apps.core.errors import DomainError
from apps.core.views import jobs_context
from apps.integrations.tabular.errors import TabularFormatError
from apps.orders.selectors import sales_by_category, sales_by_store

from . import charts, exports
from .profit import (
    Slice,
    decomposition_get,
    margin_distribution,
    missing_costs,
    profit_series,
    profit_summary,
    profit_table,
    top_bottom,
)
from .selection import WEIGHTS, candidate_scores, weights_from
from .selectors import overview_get

PERIODS = (30, 90, 365)
MAX_UPLOAD = 20 * 1024 * 1024


@login_required
def overview(request):
    """The home page (`/`, URL name `dashboard:overview`, composed in crossborder/urls.py)."""
    org = request.org
    if org is None:
        return render(request, "core/no_organization.html", status=403)
    context = overview_get(org=org)
    s = Slice.last(30)
    top, bottom = top_bottom(org=org, s=s, n=5)
    context.update(
        profit=profit_summary(org=org, s=s),
        missing=missing_costs(org=org),
        charts={
            "profit_series": charts.series_chart(profit_series(org=org, s=s)),
            "top_skus": charts.sku_chart(top, bottom),
        },
    )
    context.update(jobs_context(org))
    return render(request, "analytics/overview.html", context)


def _slice(request) -> tuple[Slice, int]:
    """The period and filters of the request; another organization's store or SKU is a 404."""
    org = request.org
    days = int_param(request, "days")
    if days not in PERIODS:
        days = PERIODS[0]
    start, end = date_param(request, "start"), date_param(request, "end")
    s = Slice.last(days)
    if start and end and start <= end and (end - start).days < 3660 and start.year >= 1900:
        s = Slice(start=start, end=end)
        days = 0
    store_id = int_param(request, "store")
    product_id = int_param(request, "sku")
    market_id = int_param(request, "marketplace")
    if store_id and not Store.objects.for_org(org).filter(pk=store_id).exists():
        raise Http404
    if product_id and not Product.objects.for_org(org).filter(pk=product_id).exists():
        raise Http404
    if market_id and not Marketplace.objects.filter(pk=market_id).exists():
        raise Http404
    s = Slice(s.start, s.end, store_id or None, market_id or None, product_id or None)
    return s, days


@member_required
def index(request):
    s, days = _slice(request)
    org = request.org
    before = s.previous()
    top, bottom = top_bottom(org=org, s=s)
    waterfall = decomposition_get(org=org, before=before, after=s)
    context = {
        "days": days,
        "periods": PERIODS,
        "slice": s,
        "before": before,
        "summary": profit_summary(org=org, s=s),
        "missing": missing_costs(org=org, s=s),
        "waterfall": waterfall,
        "top": top,
        "bottom": bottom,
        "by_sku": profit_table(org=org, s=s, group="sku", limit=50),
        "by_marketplace": profit_table(org=org, s=s, group="marketplace"),
        "profit_by_store": profit_table(org=org, s=s, group="store"),
        "by_store": sales_by_store(org=org, days=days or 30),
        "by_category": sales_by_category(org=org, days=days or 30),
        "stores": Store.objects.for_org(org).order_by("name"),
        "marketplaces": Marketplace.objects.filter(
            pk__in=Store.objects.for_org(org).values("marketplace")
        ).order_by("name"),
        "query": request.GET.urlencode(),
        "charts": {
            "profit_series": charts.series_chart(profit_series(org=org, s=s)),
            "waterfall": charts.waterfall_chart(waterfall),
            "top_skus": charts.sku_chart(top, bottom),
            "margins": charts.margin_chart(margin_distribution(org=org, s=s)),
        },
    }
    return render_page(request, "analytics/index.html", "tables", context)


@member_required
def export(request, table: str, fmt: str):
    s, _days = _slice(request)
    if table == "sku-day" and fmt == "csv":
        from django.http import HttpResponse

        from .report import profit_report_csv

        response = HttpResponse(
            "\ufeff" + profit_report_csv(org=request.org, s=s),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="profit-sku-day.csv"'
        return response
    if table not in exports.TABLES or fmt not in exports.FORMATS:
        raise Http404
    header, rows = exports.table_rows(
        org=request.org, table=table, s=s, weights=weights_from(request.GET)
    )
    return exports.download(header=header, rows=rows, name=f"profit-{table}", fmt=fmt)


def _upload(request):
    upload = request.FILES.get("file")
    if upload is None:
        raise DomainError(_("Choose a file to import."), field="file")
    if upload.size > MAX_UPLOAD:
        raise DomainError(_("The file is larger than 20 MB."), field="file")
    return upload.read(), upload.name[:200]


@member_required
def traffic_upload(request):
    from .services import traffic_import

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not can_write(request):
        raise Http404
    store = (
        Store.objects.for_org(request.org)
        .filter(pk=int_param(request, "store", request.POST))
        .first()
    )
    if store is None:
        raise Http404
    try:
        start = date.fromisoformat(request.POST.get("start", ""))
        end = date.fromisoformat(request.POST.get("end", ""))
        data, name = _upload(request)
        result = traffic_import(
            org=request.org, store=store, data=data, filename=name, start=start, end=end
        )
    except (ValueError, DomainError, TabularFormatError) as exc:
        messages.error(request, str(exc) or _("The dates are not valid."))
        return redirect("analytics:index")
    messages.success(
        request,
        _("Imported traffic for %(n)s SKU-days; %(e)s lines skipped.")
        % {"n": result.created + result.updated, "e": len(result.errors)},
    )
    for error in result.errors[:20]:
        messages.warning(request, str(error))
    return redirect("analytics:index")


@member_required
def selection(request):
    weights = weights_from(request.GET)
    rows = candidate_scores(org=request.org, weights=weights)
    context = {
        "candidates": rows,
        "weights": {k: round(v * 100) for k, v in weights.items()},
        "default_weights": {k: int(v * 100) for k, v in WEIGHTS.items()},
        "query": request.GET.urlencode(),
        "can_write": can_write(request),
    }
    return render_page(request, "analytics/selection.html", "candidates", context)


@member_required
def selection_upload(request):
    from .services import candidates_import

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not can_write(request):
        raise Http404
    try:
        data, name = _upload(request)
        result = candidates_import(
            org=request.org, data=data, filename=name, source=request.POST.get("source", "")
        )
    except (DomainError, TabularFormatError) as exc:
        messages.error(request, str(exc))
        return redirect("analytics:selection")
    messages.success(
        request,
        _("%(c)s candidates added, %(u)s updated; %(e)s lines skipped.")
        % {"c": result.created, "u": result.updated, "e": len(result.errors)},
    )
    for error in result.errors[:20]:
        messages.warning(request, str(error))
    return redirect("analytics:selection")
