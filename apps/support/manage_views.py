"""Pages managers use to set up the inbox: macros (canned answers with variables) and the SLA
settings (calendar or business hours, time zone, holiday country). Members may read them;
only managers write."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.core.dashboard import can_write, member_required
from apps.core.errors import DomainError, NotFound

from . import selectors
from .models import Conversation, Macro, SlaSettings
from .services import kb, team
from .services.ingest import sla_settings_get


@member_required
def macro_index(request):
    return render(
        request,
        "support/macros.html",
        {
            "macros": selectors.macro_list(org=request.org),
            "can_write": can_write(request),
            "variables": selectors.MACRO_VARIABLES,
        },
    )


@member_required
def macro_edit(request, macro_id: int | None = None):
    macro = None
    if macro_id is not None:
        try:
            macro = selectors.macro_get(org=request.org, macro_id=macro_id)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
    writer = can_write(request)
    error = ""
    if request.method == "POST":
        if not writer:
            raise Http404
        if request.POST.get("delete") and macro is not None:
            kb.macro_delete(org=request.org, macro=macro)
            flash.success(request, _("Macro deleted."))
            return redirect("support:macros")
        try:
            kb.macro_save(
                org=request.org,
                macro=macro,
                name=request.POST.get("name", ""),
                body=request.POST.get("body", ""),
                language=(request.POST.get("language") or "en")[:10],
                intent=(request.POST.get("intent") or "")[:32],
            )
            flash.success(request, _("Macro saved."))
            return redirect("support:macros")
        except DomainError as exc:
            error = str(exc)
            macro = macro or Macro(organization=request.org)
            macro.name = request.POST.get("name", "")[:200]
            macro.body = request.POST.get("body", "")[:10000]
    context = {
        "macro": macro or Macro(language="en"),
        "error": error,
        "languages": kb.LANGUAGES,
        "intents": Conversation.Intent.choices,
        "variables": selectors.MACRO_VARIABLES,
        "can_write": writer,
    }
    return render(request, "support/macro_edit.html", context)


@member_required
def sla_settings(request):
    row = sla_settings_get(org=request.org)
    writer = can_write(request)
    error = ""
    if request.method == "POST":
        if not writer:
            raise Http404
        try:
            team.sla_settings_save(
                org=request.org,
                actor=request.user,
                mode=(request.POST.get("mode") or "")[:16],
                hours=(request.POST.get("hours") or "")[:4],
                time_zone=(request.POST.get("time_zone") or "")[:64],
                holiday_country=(request.POST.get("holiday_country") or "")[:8],
                day_start=(request.POST.get("day_start") or "")[:5],
                day_end=(request.POST.get("day_end") or "")[:5],
                operator_language=(request.POST.get("operator_language") or "zh-Hans")[:10],
            )
            flash.success(
                request, _("SLA settings saved; open conversations follow the new clock.")
            )
            return redirect("support:sla_settings")
        except DomainError as exc:
            error = str(exc)
    context = {
        "settings": row,
        "error": error,
        "modes": SlaSettings.Mode.choices,
        "countries": team.holiday_countries(),
        "operator_languages": team.OPERATOR_LANGUAGES,
        "can_write": writer,
    }
    return render(request, "support/sla_settings.html", context)
