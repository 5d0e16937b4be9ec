from __future__ import annotations

from django.conf import settings

from .selectors import membership_list_for_user


def organization(request) -> dict:
    user = getattr(request, "user", None)
    memberships = []
    if user is not None and user.is_authenticated:
        memberships = list(membership_list_for_user(user=user))
    return {
        "active_org": getattr(request, "org", None),
        "active_membership": getattr(request, "membership", None),
        "memberships": memberships,
        "llm_configured": bool(settings.OPENAI_BASE_URL or settings.OPENAI_API_KEY),
    }
