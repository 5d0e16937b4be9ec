"""Log-in, log-out, organization switching and API-key management pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError

from .middleware import SESSION_KEY
from .models import API_MODULES, SCOPE_ACTIONS, Role
from .selectors import api_key_list
from .services import api_key_issue, api_key_revoke, user_switch_organization


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def _safe_next(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or fallback
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
@require_POST
def switch_org(request):
    try:
        membership = user_switch_organization(
            user=request.user, org_id=int(request.POST.get("organization", 0))
        )
    except (DomainError, ValueError):
        messages.error(request, _("You are not a member of that organization."))
        return HttpResponseRedirect(_safe_next(request))
    request.session[SESSION_KEY] = membership.organization_id
    # Ids in the current URL belong to the old organization: go to the overview instead.
    return HttpResponseRedirect("/")


def _expiry(value: str):
    """A date from the form (the key works through that day, UTC), or None."""
    from datetime import UTC, datetime, time, timedelta

    from django.utils.dateparse import parse_date

    try:
        day = parse_date(value or "")
    except ValueError:  # 2026-02-31
        day = None
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


@login_required
def api_keys(request):
    """List keys (prefix, role, scopes, last use, expiry); owners and managers create (the
    secret is shown once) and revoke them."""
    can_manage = request.membership is not None and request.membership.can(Role.MANAGER)
    new_key = None
    if request.method == "POST":
        if not can_manage:
            messages.error(request, _("Only managers and owners can manage API keys."))
        elif "revoke" in request.POST:
            try:
                api_key_revoke(org=request.org, key_id=int(request.POST["revoke"]))
                messages.success(request, _("The key was revoked."))
            except (DomainError, ValueError):
                messages.error(request, _("No such API key."))
        else:
            name = request.POST.get("name", "").strip() or _("ERP key")
            scopes = [
                f"{module}:{request.POST[f'scope_{module}']}"
                for module in API_MODULES
                if request.POST.get(f"scope_{module}") in SCOPE_ACTIONS
            ]
            role = request.POST.get("role", Role.MANAGER)
            if role not in (Role.VIEWER, Role.REVIEWER, Role.MANAGER) or not request.membership.can(
                role
            ):
                role = Role.MANAGER
            try:
                new_key = api_key_issue(
                    org=request.org,
                    name=name[:100],
                    actor=request.user,
                    role=role,
                    scopes=scopes if "scopes_given" in request.POST else None,
                    expires_at=_expiry(request.POST.get("expires_on", "")),
                ).raw_key
            except DomainError as exc:
                messages.error(request, exc.message)
    keys = api_key_list(org=request.org) if request.org else []
    return render(
        request,
        "accounts/api_keys.html",
        {
            "keys": keys,
            "new_key": new_key,
            "can_manage": can_manage,
            "modules": list(API_MODULES.items()),
            "roles": [(r.value, r.label) for r in (Role.VIEWER, Role.REVIEWER, Role.MANAGER)],
        },
    )
