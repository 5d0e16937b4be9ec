"""Pricing pages: overview, strategies (create, edit, assign, enable), recent price changes with
their reasons, a per-listing price chart, offers stuck at their floor, the simulator, competitor
uploads and "Reprice now".

Managers and owners change things; reviewers and viewers read (a POST from them is 403). Every
object is fetched within the active organization: another organization's id is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.catalog.selectors import listing_get, store_list
from apps.core.dashboard import can_write, int_param, member_required, paginate, render_page
from apps.core.errors import DomainError, NotFound

from . import selectors
from . import strategy_services as services
from .chart import price_chart
from .forms import AssignForm, CompetitorUploadForm, SimulatorForm, StrategyForm
from .models import CompetitorOffer, PriceChange, Strategy


def _writer(request) -> None:
    if not can_write(request):
        raise PermissionDenied(_("Only managers and owners change pricing."))


def _strategy_for_user(request, strategy_id: int) -> Strategy:
    try:
        return selectors.strategy_get(org=request.org, strategy_id=strategy_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@member_required
def index(request):
    org = request.org
    day_ago = timezone.now() - timezone.timedelta(days=1)
    changes = selectors.price_change_list(org=org)
    context = {
        "can_write": can_write(request),
        "stores": store_list(org=org),
        "strategies": selectors.strategy_list(org=org),
        "runs": selectors.latest_runs(org=org, limit=8),
        "recent": _with_outcomes(request, changes[:10]),
        "counts": {
            "changes_24h": changes.filter(created_at__gte=day_ago).count(),
            "at_floor": selectors.listings_stuck_at_floor(org=org).count(),
            "enabled": Strategy.objects.for_org(org).filter(enabled=True).count(),
            "observations": CompetitorOffer.objects.for_org(org).count(),
        },
    }
    return render(request, "pricing/index.html", context)


# --- strategies --------------------------------------------------------------------------------


@member_required
def strategies(request):
    org = request.org
    items = list(selectors.strategy_list(org=org))
    by_strategy: dict[int, list] = {}
    for a in selectors.assignment_list(org=org):
        by_strategy.setdefault(a.strategy_id, []).append(a)
    for s in items:
        s.assigned = by_strategy.get(s.pk, [])
    context = {"strategies": items, "can_write": can_write(request)}
    return render(request, "pricing/strategies.html", context)


@member_required
def strategy_edit(request, strategy_id: int | None = None):
    strategy = _strategy_for_user(request, strategy_id) if strategy_id else None
    writable = can_write(request)
    if request.method == "POST":
        _writer(request)
        form = StrategyForm(request.POST, instance=strategy or Strategy(organization=request.org))
        if form.is_valid():
            data = {f: form.cleaned_data[f] for f in services.EDITABLE}
            try:
                if strategy is None:
                    strategy = services.strategy_create(org=request.org, actor=request.user, **data)
                else:
                    services.strategy_update(
                        org=request.org, actor=request.user, strategy=strategy, data=data
                    )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Strategy “%(name)s” saved.") % {"name": strategy})
                return redirect("pricing:strategy", strategy_id=strategy.pk)
    else:
        form = StrategyForm(instance=strategy)
    assignments = (
        selectors.assignment_list(org=request.org, strategy_id=strategy.pk) if strategy else []
    )
    context = {
        "form": form,
        "strategy": strategy,
        "can_write": writable,
        "assignments": assignments,
        "assign_form": AssignForm(stores=store_list(org=request.org)),
    }
    return render(request, "pricing/strategy_form.html", context)


@require_POST
@member_required
def strategy_enable(request, strategy_id: int):
    strategy = _strategy_for_user(request, strategy_id)
    _writer(request)
    enabled = request.POST.get("enabled") == "1"
    services.strategy_set_enabled(org=request.org, actor=request.user, strategy=strategy,
                                  enabled=enabled)  # fmt: skip
    if enabled:
        message = _("“%(name)s” is on: it prices its assignments from the next run.")
        messages.success(request, message % {"name": strategy.name})
    else:
        messages.success(request, _("“%(name)s” is off.") % {"name": strategy.name})
    return redirect(request.POST.get("next") or "pricing:strategies")


@require_POST
@member_required
def strategy_assign(request, strategy_id: int):
    strategy = _strategy_for_user(request, strategy_id)
    _writer(request)
    form = AssignForm(request.POST, stores=store_list(org=request.org))
    if not form.is_valid():
        messages.error(request, _("Choose one of your stores."))
        return redirect("pricing:strategy", strategy_id=strategy.pk)
    try:
        services.strategy_assign(
            org=request.org,
            actor=request.user,
            strategy=strategy,
            store_id=form.cleaned_data["store"],
            category=form.cleaned_data["category"],
            listing_id=form.cleaned_data["listing"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Assigned."))
    return redirect("pricing:strategy", strategy_id=strategy.pk)


@require_POST
@member_required
def assignment_delete(request, assignment_id: int):
    try:
        assignment = selectors.assignment_get(org=request.org, assignment_id=assignment_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    _writer(request)
    services.assignment_delete(org=request.org, actor=request.user, assignment=assignment)
    messages.success(request, _("Assignment removed."))
    return redirect("pricing:strategy", strategy_id=assignment.strategy_id)


# --- changes, chart, floor ---------------------------------------------------------------------


@member_required
def changes(request):
    binding = request.GET.get("binding", "")
    if binding not in PriceChange.Binding.values:
        binding = ""
    outcome = request.GET.get("outcome", "")
    if outcome not in selectors.LOG_OUTCOMES:
        outcome = ""
    store_id = int_param(request, "store")
    qs = selectors.price_change_list(
        org=request.org, store_id=store_id, binding=binding, outcome=outcome
    )
    page = paginate(request, qs)
    selectors.price_change_outcomes(org=request.org, changes=page)
    context = {
        "page": page,
        "stores": store_list(org=request.org),
        "bindings": PriceChange.Binding.choices,
        "outcomes": list(selectors.LOG_OUTCOMES.items()),
        "store_id": store_id,
        "binding": binding,
        "outcome": outcome,
    }
    return render_page(request, "pricing/changes.html", "table", context)


@member_required
def listing_chart(request, listing_id: int):
    try:
        listing = listing_get(org=request.org, listing_id=listing_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    days = int_param(request, "days") or 30
    days = days if days in (7, 30, 90) else 30
    history = selectors.listing_price_history(org=request.org, listing=listing, days=days)
    context = {
        "listing": listing,
        "days": days,
        "chart": price_chart(history, currency=listing.currency),
        "changes": _with_outcomes(
            request, selectors.price_change_list(org=request.org, listing_id=listing.pk)[:20]
        ),
        "offers": selectors.competitor_offer_list(org=request.org, listing_id=listing.pk)[:20],
    }
    return render(request, "pricing/listing.html", context)


def _with_outcomes(request, changes) -> list:
    changes = list(changes)
    selectors.price_change_outcomes(org=request.org, changes=changes)
    return changes


@member_required
def at_floor(request):
    store_id = int_param(request, "store")
    qs = selectors.listings_stuck_at_floor(org=request.org, store_id=store_id)
    context = {
        "page": paginate(request, qs),
        "stores": store_list(org=request.org),
        "store_id": store_id,
    }
    return render_page(request, "pricing/at_floor.html", "table", context)


# --- simulator, repricing, uploads -------------------------------------------------------------


@member_required
def simulator(request):
    from .simulator import SimulationUnavailable, simulate

    org = request.org
    stores = store_list(org=org)
    strategies_qs = Strategy.objects.for_org(org)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = SimulatorForm(data, stores=stores, strategies=strategies_qs)
    result, error = None, ""
    if data is not None and form.is_valid():
        store = next(s for s in stores if s.pk == form.cleaned_data["store"])
        strategy = None
        if form.cleaned_data["strategy"]:
            strategy = _strategy_for_user(request, form.cleaned_data["strategy"])
        try:
            result = simulate(
                org=org, store=store, strategy=strategy, overrides=form.overrides(),
                actor=request.user,
            )  # fmt: skip
        except (DomainError, SimulationUnavailable) as exc:
            error = getattr(exc, "message", str(exc))
    context = {"form": form, "result": result, "error": error, "can_write": can_write(request)}
    return render_page(request, "pricing/simulator.html", "result", context)


@require_POST
@member_required
def reprice_now(request):
    from .simulator import reprice_start

    _writer(request)
    store_id = int_param(request, "store", source=request.POST)
    store = store_list(org=request.org).filter(pk=store_id).first()
    if store is None:
        raise Http404(_("No such store."))
    try:
        job = reprice_start(org=request.org, store=store, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("pricing:index")
    messages.success(request, _("Repricing %(store)s in the background.") % {"store": store.name})
    return redirect("pricing:job", job_id=job.pk)


@member_required
def competitors(request):
    from apps.integrations.competitor_csv.parser import CompetitorFormatError

    from .competitor_import import competitor_file_import

    org = request.org
    stores = store_list(org=org)
    result = None
    if request.method == "POST":
        _writer(request)
        form = CompetitorUploadForm(request.POST, request.FILES, stores=stores)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = competitor_file_import(
                    org=org, data=upload, filename=upload.name, actor=request.user,
                    store_id=form.cleaned_data["store"], source="upload",
                )  # fmt: skip
            except CompetitorFormatError as exc:
                form.add_error("file", str(exc))
    else:
        form = CompetitorUploadForm(stores=stores)
    latest = (
        CompetitorOffer.objects.for_org(org)
        .values("listing__store__name")
        .annotate(n=Count("id"), buy_box=Count("id", filter=Q(is_buy_box=True)))
        .order_by("listing__store__name")
    )
    context = {
        "form": form,
        "result": result,
        "shown_errors": result.errors[:200] if result else [],
        "by_store": latest,
        "can_write": can_write(request),
        "template_columns": _competitor_template_columns(),
    }
    return render(request, "pricing/competitors.html", context)


def _competitor_template_columns():
    from apps.integrations.competitor_csv.parser import schema
    from apps.integrations.tabular.template import template_columns

    return template_columns(schema())


@member_required
def competitors_template(request):
    """A blank competitor-offers CSV with the columns the import expects (from its
    columns.yaml), to fill in and upload."""
    from django.http import HttpResponse

    from apps.integrations.competitor_csv.parser import schema
    from apps.integrations.tabular.template import template_csv

    response = HttpResponse(template_csv(schema()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="competitor-offers-template.csv"'
    return response
