"""Small helpers shared by the dashboard views of every app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date

from apps.accounts.models import Role

PAGE_SIZE = 50


def member_required(view: Callable) -> Callable:
    """Log-in required, and an active organization: users without one get an explanation."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.org is None:
            return render(request, "core/no_organization.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def can_write(request, needed: str = Role.MANAGER) -> bool:
    return request.membership is not None and request.membership.can(needed)


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def wants_fragment(request) -> bool:
    """An htmx swap of part of the page (not a boosted link or a history restore)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.boosted and not htmx.history_restore_request


def render_page(request, template: str, partial: str, context: dict):
    """The whole page, or only its `{% partialdef partial %}` for an htmx request."""
    name = f"{template}#{partial}" if wants_fragment(request) else template
    response = render(request, name, context)
    # The same URL answers two bodies: caches must key on the htmx header too.
    patch_vary_headers(response, ("HX-Request",))
    return response


def int_param(request, name: str, source=None) -> int | None:
    """An integer query (or, with `source=request.POST`, form) parameter; None if absent or bad."""
    try:
        return int((request.GET if source is None else source).get(name, ""))
    except ValueError:
        return None


def date_param(request, name: str) -> date | None:
    try:
        return parse_date(request.GET.get(name, "").strip())
    except ValueError:
        return None
