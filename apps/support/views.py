"""Customer-service pages: inbox, conversation (order and tracking side panel, original or
translated text, reply editor with live lint and grounding marks), attachments served after a
tenant check, knowledge-base editor and SLA dashboard."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.catalog.rules.engine import ui_language
from apps.core.dashboard import can_write, int_param, member_required, paginate
from apps.core.errors import DomainError, NotFound
from apps.core.models import Job
from apps.orders.selectors import orders_by_buyer_country
from apps.review.selectors import draft_checks_now

from . import inputs, selectors
from .models import Conversation, KnowledgeArticle
from .services import ingest, kb, replies, reread, team
from .services.drafts import reply_drafts_generate
from .services.lint import REPLY_LINT_MAX, language_label, reply_lint
from .understanding import LANGS
from .understanding_llm import llm_configured


def _conversation_or_404(request, conversation_id: int) -> Conversation:
    try:
        return selectors.conversation_get(org=request.org, conversation_id=conversation_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@member_required
def index(request):
    now = timezone.now()
    filters = {
        "store_id": int_param(request, "store"),
        "language": (request.GET.get("language") or "")[:10],
        "intent": (request.GET.get("intent") or "")[:32],
        "status": (request.GET.get("status") or "")[:16],
        "sla_state": (request.GET.get("sla") or "")[:16],
        "search": (request.GET.get("q") or "")[:100],
        "assignee": _assignee_param(request),
    }
    page = paginate(request, selectors.conversation_list(org=request.org, now=now, **filters))
    rows = [(c, selectors.conversation_sla_state(c, now)) for c in page.object_list]
    from apps.catalog.models import Store

    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "now": now,
        "stores": Store.objects.for_org(request.org).order_by("name"),
        "intents": Conversation.Intent.choices,
        "statuses": Conversation.Status.choices,
        "languages": sorted(LANGS),
        "sla_states": selectors.SLA_STATES,
        "members": team.assignable_users(org=request.org),
        "assignee_value": (request.GET.get("assignee") or "")[:12],
        "llm": llm_configured(org=request.org),
        "mailboxes": selectors.mailbox_status(org=request.org),
        "by_country": orders_by_buyer_country(org=request.org, days=30),
        "week": selectors.sla_report(org=request.org, days=7, now=now),
        "overdue": selectors.conversation_list(org=request.org, sla_state="overdue", now=now)
        .order_by()
        .count(),
    }
    return render(request, "support/index.html", context)


_language_label = language_label


def _assignee_param(request) -> int | str | None:
    """ "me", "none" or a user id from the query string; anything else: no filter."""
    raw = (request.GET.get("assignee") or "")[:12]
    if raw == "me":
        return request.user.pk
    if raw == "none":
        return "none"
    return int(raw) if raw.isdigit() else None


def _draft_rows(drafts) -> list[dict]:
    """Each draft with the reply that would be sent and its Chinese back-translation."""
    rows = []
    for d in drafts:
        back = next((e for e in d.evidence or [] if e.get("kind") == "back_translation"), {})
        source = next((e for e in d.evidence or [] if e.get("kind") == "operator_source"), {})
        rows.append(
            {
                "draft": d,
                "reply": str((d.proposed or {}).get("reply") or ""),
                "back": str(back.get("reply") or ""),
                "back_method": back.get("method", ""),
                "back_stale": bool(back.get("stale")),
                # The shown (latest) draft's checks in the reader's language, run on its text.
                "checks": draft_checks_now(d) if not rows and d.status == "pending" else [],
                "source_zh": str(source.get("text") or ""),
            }
        )
    return rows


def _macro_options(request, conversation: Conversation) -> list[dict]:
    values = selectors.macro_variables(org=request.org, conversation=conversation)
    rows = []
    for m in selectors.macro_list(org=request.org):
        tag = f"({m.language})"
        label = m.name if tag in m.name else f"{m.name} {tag}"
        rows.append({"macro": m, "label": label, "text": kb.macro_render(m, values)})
    return rows


def _side_panel(request, conversation: Conversation) -> dict:
    order = conversation.order
    shipments = None
    if order is not None:
        shipments = inputs.shipments_for_order(org=request.org, order_id=order.pk)
    return {
        "order": order,
        "order_items": list(order.items.all()) if order else [],
        "shipments": shipments,
        "logistics_available": shipments is not None,
    }


@member_required
def conversation(request, conversation_id: int):
    convo = _conversation_or_404(request, conversation_id)
    from apps.review.models import Draft

    drafts = list(
        Draft.objects.for_org(request.org)
        .filter(kind="cs_reply", target_id=convo.pk)
        .order_by("-id")[:5]
    )
    context = {
        "c": convo,
        "msgs": selectors.message_list(org=request.org, conversation=convo),
        "view": "translated" if request.GET.get("view") == "translated" else "original",
        "sla_state": selectors.conversation_sla_state(convo),
        "drafts": _draft_rows(drafts),
        "macros": _macro_options(request, convo),
        "members": team.assignable_users(org=request.org),
        "llm": llm_configured(org=request.org),
        "offline_read": len(reread.offline_read_messages(org=request.org, conversation=convo)),
        "buyer_language": _language_label(convo.language),
        "can_write": can_write(request),
        **_side_panel(request, convo),
    }
    return render(request, "support/conversation.html", context)


@member_required
@require_POST
def conversation_action(request, conversation_id: int):
    convo = _conversation_or_404(request, conversation_id)
    if not can_write(request):
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "draft":
            reply_drafts_generate(org=request.org, actor=request.user, conversation_ids=[convo.pk])
            flash.success(request, _("A reply draft was written; it waits in the review queue."))
        elif action == "submit":
            made = replies.reply_submit(
                org=request.org,
                actor=request.user,
                conversation=convo,
                text=request.POST.get("reply", "")[:8000],
            )
            if isinstance(made, Job):
                flash.success(
                    request,
                    _(
                        "Your Chinese reply is being translated into the buyer's language; the "
                        "translation, with a Chinese back-translation, will wait in the review "
                        "queue."
                    ),
                )
            else:
                flash.success(request, _("Your reply waits in the review queue."))
        elif action == "understand":
            if not llm_configured(org=request.org):
                flash.error(request, _("Reading with the LLM needs an LLM endpoint."))
            elif reread.offline_readings_reread(org=request.org, conversation=convo):
                flash.success(request, _("The LLM will read this conversation's messages."))
            else:
                flash.success(request, _("Every message here was already read by the LLM."))
        elif action == "edit_draft":
            replies.reply_draft_edit(
                org=request.org,
                actor=request.user,
                conversation=convo,
                draft_id=int((request.POST.get("draft") or "0")[:12] or 0),
                text=request.POST.get("reply", "")[:8000],
            )
            flash.success(request, _("Edits saved; the checks ran again on the edited text."))
        elif action == "assign":
            team.conversation_assign(
                org=request.org,
                actor=request.user,
                conversation=convo,
                assignee_id=(request.POST.get("assignee") or "")[:12] or None,
            )
            flash.success(request, _("Assignee saved."))
        elif action == "no_response":
            ingest.conversation_close_no_response(
                org=request.org, actor=request.user, conversation=convo
            )
            flash.success(request, _("Closed: no response needed."))
        elif action == "note":
            ingest.message_note_add(
                org=request.org,
                actor=request.user,
                conversation=convo,
                text=request.POST.get("note", ""),
            )
    except replies.TranslationNeedsEndpoint:
        flash.error(
            request,
            _(
                "This reply is in Chinese and the buyer writes %(language)s. Translating a reply "
                "needs an LLM endpoint, and none is configured: write the reply in the buyer's "
                "language, or ask an administrator to configure an endpoint. Chinese text is "
                "never sent to this buyer."
            )
            % {"language": _language_label(convo.language)},
        )
    except DomainError as exc:
        flash.error(request, str(exc))
    return redirect("support:conversation", convo.pk)


@member_required
@require_POST
def conversation_lint(request, conversation_id: int):
    """Live checks of the editor's text: lint (both languages) and ungrounded claims with their
    positions, so the editor can mark them."""
    convo = _conversation_or_404(request, conversation_id)
    result = reply_lint(
        org=request.org, conversation=convo, text=(request.POST.get("reply") or "")[:REPLY_LINT_MAX]
    )
    return JsonResponse({**result, "ui": ui_language()})


@member_required
def attachment_download(request, attachment_id: int):
    try:
        att = selectors.attachment_get(org=request.org, attachment_id=attachment_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(bytes(att.data), content_type="application/octet-stream")
    # Always a download, never rendered inline: buyer files are untrusted.
    safe = "".join(ch for ch in att.filename if ch.isalnum() or ch in "._- ")[:100] or "file"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
def kb_index(request):
    return render(
        request,
        "support/kb.html",
        {"articles": selectors.kb_list(org=request.org), "can_write": can_write(request)},
    )


@member_required
def kb_edit(request, article_id: int | None = None):
    article = None
    if article_id is not None:
        try:
            article = selectors.kb_get(org=request.org, article_id=article_id)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
    error = ""
    if request.method == "POST" and can_write(request):
        if request.POST.get("delete") and article is not None:
            kb.kb_article_delete(org=request.org, article=article)
            return redirect("support:kb")
        try:
            kb.kb_article_save(
                org=request.org,
                article=article,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                language=request.POST.get("language", "en"),
                tags=request.POST.get("tags", ""),
                is_active=bool(request.POST.get("is_active")),
            )
            flash.success(request, _("Article saved."))
            return redirect("support:kb")
        except DomainError as exc:
            error = str(exc)
    context = {
        "article": article or KnowledgeArticle(language="en"),
        "error": error,
        "languages": kb.LANGUAGES,
        "can_write": can_write(request),
    }
    return render(request, "support/kb_edit.html", context)


@member_required
def sla_dashboard(request):
    now = timezone.now()
    reports = [selectors.sla_report(org=request.org, days=d, now=now) for d in (7, 30, 90)]
    settings_row = ingest.sla_settings_get(org=request.org)
    return render(request, "support/sla.html", {"reports": reports, "settings": settings_row})
