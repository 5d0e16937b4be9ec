"""Review dashboard: save edits on a pending draft without approving it, and translate its
text back again (API counterparts: `POST /api/v1/drafts/{id}/edit/` and `/back-translate/`)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.dashboard import member_required
from apps.core.errors import DomainError

from . import forms
from .editing import draft_back_translate, draft_edit
from .views import _get_draft_for_user, _require_reviewer


def _back(request, draft_id: int):
    nxt = request.POST.get("next", "")[:2000]
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("review:detail", draft_id=draft_id)


@require_POST
@member_required
def edit(request, draft_id: int):
    _require_reviewer(request)
    draft, _writable = _get_draft_for_user(request, draft_id)
    try:
        draft_edit(
            org=request.org,
            actor=request.user,
            draft_id=draft.pk,
            edited=forms.edited_from(request, draft),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, draft.pk)
    messages.success(request, _("Edits saved; the checks ran again on the edited text."))
    return _back(request, draft.pk)


@require_POST
@member_required
def back_translate(request, draft_id: int):
    _require_reviewer(request)
    draft, _writable = _get_draft_for_user(request, draft_id)
    try:
        draft_back_translate(org=request.org, actor=request.user, draft_id=draft.pk)
    except DomainError as exc:
        if exc.code == "back_translation_needs_llm":
            messages.error(
                request,
                _(
                    "Translating the edited text back needs an LLM endpoint, and none is "
                    "configured: read the edited text yourself before approving."
                ),
            )
        else:
            messages.error(request, exc.message)
        return _back(request, draft.pk)
    messages.success(request, _("Translated back again: the back-translation shows the text."))
    return _back(request, draft.pk)
