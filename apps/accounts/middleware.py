"""Binds each dashboard request to the user's active organization."""

from __future__ import annotations

from apps.core.tenancy import tenant_scope, unscoped

from .selectors import membership_for

SESSION_KEY = "active_org_id"


class ActiveOrganizationMiddleware:
    """Sets request.org / request.membership and runs the view inside tenant_scope(org).

    Django admin requests from staff run unscoped (the admin is the cross-tenant tool).
    API requests are scoped by `TenantViewSet`, which knows about API keys; here they only get
    the session's organization as a fallback for dashboard-originated calls.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.org = None
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = membership_for(user=user, org_id=request.session.get(SESSION_KEY))
            if membership is not None:
                request.membership = membership
                request.org = membership.organization
        if request.path.startswith("/admin/") and user is not None and user.is_staff:
            with unscoped():
                return self.get_response(request)
        if request.org is not None:
            with tenant_scope(request.org):
                return self.get_response(request)
        return self.get_response(request)
