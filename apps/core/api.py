"""API base classes: organization resolution, role checks, pagination, problem+json errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .permissions import resolve_api_org
from .tenancy import TenantManager, TenantScopeError, tenant_scope


class TenantViewSet(viewsets.GenericViewSet):
    """Base for every tenant API: querysets are scoped to the caller's organization.

    Subclasses set `queryset` (unevaluated, for the model) and may refine it in
    `scope_queryset`; they cannot override `get_queryset`, so the tenant filter cannot be lost.
    Viewsets of non-tenant models supply their organization bound in `base_queryset(org)`.
    Foreign ids therefore answer 404, never 403.
    """

    read_role = "viewer"
    write_role = "manager"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must override scope_queryset, not get_queryset")
        model = getattr(getattr(cls, "queryset", None), "model", None)
        tenant_model = isinstance(getattr(model, "objects", None), TenantManager)
        if "base_queryset" in cls.__dict__ and tenant_model:
            raise TypeError(f"{cls.__name__}: tenant models use for_org, not base_queryset")

    @property
    def org(self):
        return resolve_api_org(self.request)[0]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # From here on, any query of a tenant model in this request is bound to the caller's org.
        self._scope = tenant_scope(self.org)
        self._scope.__enter__()

    def finalize_response(self, request, response, *args, **kwargs):
        scope = getattr(self, "_scope", None)
        if scope is not None:
            scope.__exit__(None, None, None)
            self._scope = None
        return super().finalize_response(request, response, *args, **kwargs)

    def get_queryset(self):
        return self.scope_queryset(self.base_queryset(self.org))

    def base_queryset(self, org):
        """The rows `org` may see. Override only for a model that is not a TenantModel (global
        reference data, rows with a nullable organization); the override must bound by `org`."""
        return self.queryset.model.objects.for_org(org)

    def scope_queryset(self, queryset):
        return queryset

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["org"] = self.org
        return context


def _problem(status: int, title: str, detail: Any, **extra) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(body, status=status, content_type="application/problem+json")


def problem_exception_handler(exc, context) -> Response | None:
    """Every API error as RFC 9457 problem+json, domain errors included."""
    if isinstance(exc, DomainError):
        extra = {"code": exc.code}
        if exc.field:
            # The same `errors` shape as serializer validation, so clients read one format.
            extra["field"] = exc.field
            extra["errors"] = {exc.field: [exc.message]}
        return _problem(exc.status, exc.title, exc.message, **extra)
    if isinstance(exc, TenantScopeError):
        raise exc  # a programming error: let it surface in tests and logs
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        problem = _problem(response.status_code, "Validation failed", "Invalid input.", errors=data)
    else:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        title = getattr(exc, "default_detail", "Error")
        problem = _problem(response.status_code, str(title), detail)
    for header in ("WWW-Authenticate", "Retry-After"):
        if header in response:
            problem[header] = response[header]
    return problem
