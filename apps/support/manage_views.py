"""Pages managers use to set up the inbox: macros (canned answers with variables), the SLA
settings (calendar or business hours, time zone, holiday country) and the stores' relay
mailboxes (passwords write-only, stored encrypted). Members may read them;
only managers write."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.core.dashboard import can_write, member_required
from apps.core.errors import DomainError, NotFound

from . import selectors, sla
from .models import Conversation, Macro, Mailbox, SlaSettings
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
        # an organization without saved settings has the model's defaults, as strings
        "day_start": sla.as_time(row.day_start).strftime("%H:%M"),
        "day_end": sla.as_time(row.day_end).strftime("%H:%M"),
        "error": error,
        "modes": SlaSettings.Mode.choices,
        "countries": team.holiday_countries(),
        "operator_languages": team.OPERATOR_LANGUAGES,
        "can_write": writer,
    }
    return render(request, "support/sla_settings.html", context)


# --- relay mailboxes -----------------------------------------------------------------------------

_MAILBOX_INTS = {"imap_port": 993, "smtp_port": 587}
_MAILBOX_BOOLS = ("imap_ssl", "smtp_starttls", "is_active")


def _mailbox_fields(post) -> dict:
    fields = {}
    for name in (
        "address",
        "imap_host",
        "imap_username",
        "imap_folder",
        "smtp_host",
        "smtp_username",
    ):
        fields[name] = (post.get(name) or "").strip()[:255]
    fields["imap_folder"] = fields["imap_folder"][:100] or "INBOX"
    for name, default in _MAILBOX_INTS.items():
        raw = (post.get(name) or "").strip()[:6]
        fields[name] = int(raw) if raw.isdigit() else default  # bounds: checked by mailbox_save
    for name in _MAILBOX_BOOLS:
        fields[name] = bool(post.get(name))
    return fields


@member_required
def mailbox_index(request):
    return render(
        request,
        "support/mailboxes.html",
        {"rows": selectors.mailbox_status(org=request.org), "can_write": can_write(request)},
    )


@member_required
def mailbox_edit(request, mailbox_id: int | None = None):
    from apps.catalog.models import Store

    from .services.channels import mailbox_save
    from .tasks import mailbox_poll_task

    mailbox = None
    if mailbox_id is not None:
        mailbox = selectors.mailbox_list(org=request.org).filter(pk=mailbox_id).first()
        if mailbox is None:
            raise Http404
    writer = can_write(request)
    stores = Store.objects.for_org(request.org).order_by("name")
    error = ""
    if request.method == "POST":
        if not writer:
            raise Http404
        if request.POST.get("poll") and mailbox is not None:
            mailbox_poll_task.delay(request.org.pk, mailbox.pk)
            flash.success(request, _("The mailbox will be read in a moment."))
            return redirect("support:mailboxes")
        try:
            store_id = (request.POST.get("store") or "")[:12]
            store = stores.filter(pk=int(store_id)).first() if store_id.isdigit() else None
            mailbox = mailbox_save(
                org=request.org,
                mailbox=mailbox,
                store=store,
                imap_password=(request.POST.get("imap_password") or "")[:500],
                smtp_password=(request.POST.get("smtp_password") or "")[:500],
                **_mailbox_fields(request.POST),
            )
            flash.success(request, _("Mailbox saved; passwords are stored encrypted."))
            return redirect("support:mailboxes")
        except DomainError as exc:
            error = str(exc)
    context = {
        "mailbox": mailbox or Mailbox(imap_folder="INBOX"),
        "stores": stores,
        "error": error,
        "can_write": writer,
    }
    return render(request, "support/mailbox_edit.html", context)
