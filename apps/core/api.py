"""API base classes of every app: tenant-scoped viewsets, the service-backed viewset, org-bound
related fields, money and currency fields, filters, and problem+json errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, filters, mixins, serializers, status, viewsets
from rest_framework.permissions import OperandHolder
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .conditional import ConditionalMixin
from .errors import DomainError
from .idempotency import IdempotencyMixin
from .money import CURRENCIES
from .permissions import HasActiveOrganization, resolve_api_org
from .tenancy import TenantManager, TenantScopeError, tenant_scope

if TYPE_CHECKING:
    from apps.accounts.models import Organization


def _requires_organization(permission: Any) -> bool:
    """True when `permission` (a class, or `A & B` composed by DRF) includes the org check."""
    if isinstance(permission, type):
        return issubclass(permission, HasActiveOrganization)
    if isinstance(permission, OperandHolder) and permission.operator_class.__name__ == "AND":
        return _requires_organization(permission.op1_class) or _requires_organization(
            permission.op2_class
        )
    return False


class TenantViewSet(IdempotencyMixin, ConditionalMixin, viewsets.GenericViewSet):
    """Base for every tenant API: querysets are scoped to the caller's organization.

    Subclasses set `queryset` (unevaluated, for the model) and may refine it in
    `scope_queryset`; they cannot override `get_queryset` or `get_object`, so the tenant filter
    cannot be lost, nor can they drop `HasActiveOrganization` from `permission_classes` (they
    may add to it). Both mistakes fail at import time, not in production.
    Viewsets of non-tenant models supply their organization bound in `base_queryset(org)`.
    Foreign ids therefore answer 404, never 403.
    Every write honours `Idempotency-Key` (IdempotencyMixin, apps/core/idempotency.py); every
    object GET answers an `ETag` and every write of one object honours `If-Match`
    (ConditionalMixin, apps/core/conditional.py).
    """

    permission_classes = [HasActiveOrganization]
    read_role = "viewer"
    write_role = "manager"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for method in ("get_queryset", "get_object"):
            if method in cls.__dict__:
                raise TypeError(
                    f"{cls.__name__} must not override {method}: refine the rows in "
                    "scope_queryset, so the tenant filter cannot be lost"
                )
        if not any(_requires_organization(p) for p in cls.permission_classes):
            raise TypeError(
                f"{cls.__name__}.permission_classes drops HasActiveOrganization: add to it "
                "([HasActiveOrganization, MyPermission]) instead of replacing it"
            )
        model = getattr(getattr(cls, "queryset", None), "model", None)
        tenant_model = isinstance(getattr(model, "objects", None), TenantManager)
        if "base_queryset" in cls.__dict__ and tenant_model:
            raise TypeError(f"{cls.__name__}: tenant models use for_org, not base_queryset")

    @property
    def org(self):
        return resolve_api_org(self.request)[0]

    def dispatch(self, request, *args, **kwargs):
        # `finally`, not finalize_response: an exception the handler re-raises (a bug, a
        # TenantScopeError) skips finalize_response and would leave this thread's next request
        # running in this organization's scope.
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            self._leave_scope()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # From here on, any query of a tenant model in this request is bound to the caller's org.
        self._scope = tenant_scope(self.org)
        self._scope.__enter__()
        self._check_object_exists(request)
        self.check_preconditions(request)

    def _check_object_exists(self, request) -> None:
        """A write to one object answers 404 for another organization's id before anything
        reads the body, so a foreign id is a 404 whatever the body (never a 400 that would
        depend on the handler's order of checks). Reads fetch the object first anyway."""
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if getattr(self, request.method.lower(), None) is None:
            return  # not served here: 405 for every caller, whoever owns the row
        kwarg = self.lookup_url_kwarg or self.lookup_field
        if kwarg not in self.kwargs or self.lookup_field not in ("pk", "id"):
            return  # a natural key (a policy's kind) may name a row the write creates
        try:
            found = self.get_queryset().filter(**{self.lookup_field: self.kwargs[kwarg]}).exists()
        except (TypeError, ValueError, DjangoValidationError):
            found = False
        if not found:
            raise exceptions.NotFound()

    def _leave_scope(self) -> None:
        scope = getattr(self, "_scope", None)
        if scope is not None:
            self._scope = None
            scope.__exit__(None, None, None)

    def get_queryset(self):
        return self.scope_queryset(self.base_queryset(self.org))

    def base_queryset(self, org: Organization):
        """The rows `org` may see. Override only for a model that is not a TenantModel (global
        reference data, rows with a nullable organization); the override must bound by `org`."""
        return self.queryset.model.objects.for_org(org)

    def scope_queryset(self, queryset):
        return queryset

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["org"] = self.org
        return context


# Generic helpers of every app's API ------------------------------------------------------------


class FilterBackend(DjangoFilterBackend):
    """django-filter, without building the filter form of a request that names none of its
    filters (an ERP paging through everything): the form of an empty query is valid and
    filters nothing, which `_empty_query_filters_nothing` checks once per filter set."""

    def filter_queryset(self, request, queryset, view):
        # A declared filter set only: one built from `filterset_fields` is a new class each time.
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None and _empty_query_filters_nothing(filterset_class):
            names = tuple(filterset_class.base_filters)
            if not any(param.startswith(names) for param in request.query_params):
                return queryset
        return super().filter_queryset(request, queryset, view)


_EMPTY_OK: dict[type, bool] = {}


def _empty_query_filters_nothing(filterset_class) -> bool:
    """Whether a filter set bound to no parameters keeps every row: its form is valid with
    only empty values and it does not override how it filters."""
    if filterset_class not in _EMPTY_OK:
        from django.http import QueryDict
        from django_filters import FilterSet
        from django_filters.constants import EMPTY_VALUES

        ok = (
            filterset_class.filter_queryset is FilterSet.filter_queryset
            and filterset_class.qs is FilterSet.qs
        )
        if ok:
            try:
                model = filterset_class._meta.model
                filterset = filterset_class(QueryDict(), queryset=model._default_manager.none())
                form = filterset.form
                ok = form.is_valid() and all(v in EMPTY_VALUES for v in form.cleaned_data.values())
            except Exception:  # a filter whose form field needs a request: filter as usual
                ok = False
        _EMPTY_OK[filterset_class] = ok
    return _EMPTY_OK[filterset_class]


FILTERS = [FilterBackend, filters.OrderingFilter]
FILTERS_AND_SEARCH = [*FILTERS, filters.SearchFilter]


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class OrgPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id resolved among the caller's organization's rows only.

    Another organization's id "does not exist" (400), exactly like an id nobody has, so input can
    neither link across tenants nor probe which ids exist elsewhere.
    """

    def get_queryset(self):
        return self.queryset.model.objects.for_org(self.context["org"])


@extend_schema_field(
    # A pattern, not an enum: spectacular would make one enum component per field name
    # (CurrencyEnum, BaseEnum, QuoteEnum, ...) for the same code list.
    {
        "type": "string",
        "pattern": "^[A-Z]{3}$",
        "description": "ISO 4217 currency code: " + ", ".join(sorted(CURRENCIES)),
    }
)
class CurrencyField(serializers.ChoiceField):
    """An ISO 4217 code crossborder knows."""

    def __init__(self, **kwargs):
        super().__init__(choices=sorted(CURRENCIES), **kwargs)


def Money(**kwargs) -> serializers.DecimalField:  # reads like a field class
    """An amount rendered as a string, so clients never round it through a float."""
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 4)
    return serializers.DecimalField(coerce_to_string=True, **kwargs)


def request_actor(request):
    """The person behind a request, or None for an API key (which is no user)."""
    user = request.user
    return user if getattr(user, "pk", None) else None


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """list/retrieve from the scoped queryset; create/update/destroy through the app's services.

    `serializer_class` renders; `create_serializer_class` and `update_serializer_class` validate
    input. Subclasses implement the `*_object` hooks by calling a service. An update input may
    carry `version`: the service answers 409 when the row moved since the client read it.
    """

    create_serializer_class: type[serializers.Serializer] | None = None
    update_serializer_class: type[serializers.Serializer] | None = None

    @property
    def actor(self):
        return request_actor(self.request)

    def get_serializer_class(self):
        if self.action == "create" and self.create_serializer_class is not None:
            return self.create_serializer_class
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return self.serializer_class

    def render(self, obj) -> dict:
        return self.serializer_class(obj, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.create_object(dict(serializer.validated_data))
        return Response(self.render(obj), status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        expected_version = data.pop("version", None)
        obj = self.update_object(instance, data, expected_version)
        return Response(self.render(obj))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        self.delete_object(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def create_object(self, data: dict[str, Any]):
        raise NotImplementedError

    def update_object(self, instance, data: dict[str, Any], expected_version: int | None):
        raise NotImplementedError

    def delete_object(self, instance) -> None:
        raise NotImplementedError


def write_schemas(output: type[serializers.Serializer]) -> dict:
    """Schema of the write actions: the input serializer in, the output serializer back."""
    return {
        "create": extend_schema(responses={201: output}),
        "update": extend_schema(responses=output),
        "partial_update": extend_schema(responses=output),
    }


# Errors ---------------------------------------------------------------------------------------


PROBLEM_TYPE_BASE = "urn:crossborder:problem:"

# DRF's exception codes → the stable slug of their problem `type` (docs/api.md lists them).
_DRF_TYPES = {
    "invalid": "validation-failed",
    "parse_error": "malformed-request",
    "not_authenticated": "not-authenticated",
    "authentication_failed": "authentication-failed",
    "permission_denied": "permission-denied",
    "not_found": "not-found",
    "method_not_allowed": "method-not-allowed",
    "not_acceptable": "not-acceptable",
    "unsupported_media_type": "unsupported-media-type",
    "throttled": "rate-limited",
}


def problem_type(slug: str) -> str:
    """The stable `type` URI of a problem: `urn:crossborder:problem:<slug>`."""
    return PROBLEM_TYPE_BASE + slug


def _slug(code: str) -> str:
    """`ValidationFailed` / `checks_failed` → `validation-failed` / `checks-failed`."""
    out = []
    for i, ch in enumerate(code):
        if ch.isupper() and i and code[i - 1].islower():
            out.append("-")
        out.append("-" if ch in "_ ." else ch.lower())
    return "".join(out).strip("-") or "error"


def _problem(status: int, title: str, detail: Any, *, slug: str = "error", **extra) -> Response:
    body = {"type": problem_type(slug), "title": title, "status": status, "detail": detail, **extra}
    return Response(body, status=status, content_type="application/problem+json")


def problem_exception_handler(exc, context) -> Response | None:
    """Every API error as RFC 9457 problem+json with a stable `type`, domain errors included."""
    if isinstance(exc, DomainError):
        extra: dict[str, Any] = {"code": exc.code}
        if exc.field:
            # The same `errors` shape as serializer validation, so clients read one format.
            extra["field"] = exc.field
            extra["errors"] = {exc.field: [exc.message]}
        extra.update(exc.extra)
        problem = _problem(exc.status, exc.title, exc.message, slug=_slug(exc.code), **extra)
        for header, value in getattr(exc, "headers", {}).items():
            problem[header] = value
        return problem
    if isinstance(exc, TenantScopeError):
        raise exc  # a programming error: let it surface in tests and logs
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return _problem(
            413,
            "Request body too large",
            f"Send at most {limit} MB per request.",
            slug="request-too-large",
        )
    if isinstance(exc, SuspiciousOperation):
        return _problem(400, "Bad request", str(exc), slug="bad-request")
    if isinstance(exc, DataError | OverflowError | RecursionError):
        # Last line of defence: a value the serializers let through but a column or a
        # conversion cannot hold (every input is bounded first; this keeps a miss a 400).
        set_rollback()
        return _problem(
            400, "Validation failed", "A value is out of range or malformed.", slug="out-of-range"
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    raw_code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    code = _DRF_TYPES.get(raw_code) or _slug(raw_code)
    if isinstance(exc, exceptions.ValidationError):
        if not isinstance(data, dict):  # a filter's or a parser's bare list of messages
            data = {"non_field_errors": data if isinstance(data, list) else [data]}
        problem = _problem(
            response.status_code, "Validation failed", "Invalid input.", slug=code, errors=data
        )
    else:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        title = getattr(exc, "default_detail", "Error")
        problem = _problem(response.status_code, str(title), detail, slug=code)
    for header in ("WWW-Authenticate", "Retry-After"):
        if header in response:
            problem[header] = response[header]
    return problem


@csrf_exempt  # answers every method; nothing to protect, and a 403 page would be HTML
def api_not_found(request, *args, **kwargs):
    """Unknown URLs under /api/ answer problem+json like every other API error, not HTML.

    A known URL without its trailing slash still redirects for GET (as APPEND_SLASH did before
    this catch-all matched it) and is named in the 404 for other methods."""
    from django.http import HttpResponsePermanentRedirect, JsonResponse
    from django.urls import Resolver404, resolve

    detail = f"No API endpoint at {request.path}."
    if not request.path.endswith("/"):
        try:
            match = resolve(f"{request.path}/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            if request.method in ("GET", "HEAD"):
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(
                    f"{request.path}/" + (f"?{query}" if query else "")
                )
            detail = f"No API endpoint at {request.path}; did you mean {request.path}/?"
    body = {
        "type": problem_type("not-found"),
        "title": "Not found.",
        "status": 404,
        "detail": detail,
    }
    return JsonResponse(body, status=404, content_type="application/problem+json")
