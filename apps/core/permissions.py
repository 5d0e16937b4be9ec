"""API permission: a caller bound to an organization, holding the role the action needs.

Kept apart from `apps.core.api` because DRF imports its default permission classes while
`rest_framework.views` is still loading.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions

SAFE_METHODS = permissions.SAFE_METHODS

# App labels whose scope module has another name; None: no scope needed (read-only job
# progress and the like, still bound to the key's organization and role).
_MODULE_OF_APP = {"integrations": "imports", "ai": "review", "core": None, "accounts": None}


def view_module(view) -> str | None:
    """The API-key scope module of a view: its `api_module` attribute, else the label of the
    app its class is defined in (`apps.catalog.api` → "catalog")."""
    explicit = getattr(view, "api_module", "")
    if explicit != "":
        return explicit
    parts = type(view).__module__.split(".")
    if len(parts) < 2 or parts[0] != "apps":
        return None
    return _MODULE_OF_APP.get(parts[1], parts[1])


def resolve_api_org(request) -> tuple[Any, str | None]:
    """The organization and role behind a request: the API key's, else the session's.

    The organization always comes from the credentials, never from the request body or URL.
    """
    from apps.accounts.models import ApiKey

    if isinstance(request.auth, ApiKey):
        return request.auth.organization, request.auth.role
    membership = getattr(request._request, "membership", None)
    if membership is not None and request.user.is_authenticated:
        return membership.organization, membership.role
    return None, None


class HasActiveOrganization(permissions.BasePermission):
    """Authenticated, bound to an organization, and (for writes) holding the view's write role.

    A request by API key also needs the key's scope for the view's module: `<module>:read` for
    safe methods, `<module>:write` for the others (403 `insufficient-scope` otherwise).
    """

    message = "Authenticate with an organization API key or a dashboard session."

    def has_permission(self, request, view) -> bool:
        from apps.accounts.models import ApiKey, role_at_least

        org, role = resolve_api_org(request)
        if org is None or role is None:
            return False
        needed = getattr(view, "read_role", "viewer")
        if request.method not in SAFE_METHODS:
            needed = getattr(view, "write_role", "manager")
        if not role_at_least(role, needed):
            self.message = f"This action needs the {needed} role."
            return False
        if isinstance(request.auth, ApiKey):
            module = view_module(view)
            action = "read" if request.method in SAFE_METHODS else "write"
            if not request.auth.allows(module, action):
                self.message = f"This API key lacks the {module}:{action} scope."
                self.code = "insufficient_scope"
                return False
        return True
