"""Tenant scoping that fails closed.

Every tenant-owned model uses `TenantManager`. A query of such a model runs only when one of
these holds, otherwise it raises `TenantScopeError` before touching the database:

* an organization is active for the current context (`tenant_scope(org)`, set per request by
  `ActiveOrganizationMiddleware` and per API call by `TenantViewSet`): the manager filters
  by it automatically;
* the query names its organization explicitly (`Model.objects.for_org(org)` or a top-level
  `filter(organization=...)`), as selectors and tasks do;
* it goes through a relation of an already-loaded tenant row (`store.listings.all()`);
* the caller opted out by name (`unscoped()`), as the admin and management commands do.

Why not just trust every view to filter: one forgotten `.filter(organization=...)` is a data
leak between sellers. Here a forgotten filter is an exception in the first test that runs it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.lookups import Exact, In

if TYPE_CHECKING:
    from apps.accounts.models import Organization

_active_org: contextvars.ContextVar[Any] = contextvars.ContextVar("active_org", default=None)
_unscoped: contextvars.ContextVar[bool] = contextvars.ContextVar("unscoped", default=False)


class TenantScopeError(RuntimeError):
    """A tenant model was queried with no organization: a bug, never a user error."""


@contextmanager
def tenant_scope(org: Organization) -> Iterator[Organization]:
    """Make `org` the active organization: tenant managers filter by it automatically."""
    if org is None:
        raise TenantScopeError("tenant_scope() needs an organization")
    token = _active_org.set(org)
    try:
        yield org
    finally:
        _active_org.reset(token)


@contextmanager
def unscoped() -> Iterator[None]:
    """Named escape hatch for the admin, migrations and management commands."""
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)


def active_org() -> Organization | None:
    return _active_org.get()


def _filters_on_organization(query: Any) -> bool:
    """True when the WHERE clause ANDs an equality (or IN) test on organization at top level."""
    where = query.where
    if where.connector != "AND" or where.negated:
        return False
    for child in where.children:
        if isinstance(child, (Exact, In)):
            target = getattr(child.lhs, "target", None)
            if target is not None and target.name == "organization":
                return True
    return False


class TenantQuerySet(models.QuerySet):
    """A queryset that refuses to run unless it is provably limited to one organization."""

    _tenant_safe = False

    def _clone(self):
        clone = super()._clone()
        clone._tenant_safe = self._tenant_safe
        return clone

    def for_org(self, org: Organization) -> TenantQuerySet:
        qs = self.filter(organization=org)
        qs._tenant_safe = True
        return qs

    def _assert_scoped(self) -> None:
        if self._tenant_safe or _unscoped.get() or _filters_on_organization(self.query):
            return
        raise TenantScopeError(
            f"Unscoped query of tenant model {self.model.__name__}: use "
            f"{self.model.__name__}.objects.for_org(org), tenant_scope(org) or unscoped()."
        )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._assert_scoped()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._assert_scoped()
        return super().iterator(*args, **kwargs)

    def count(self) -> int:
        self._assert_scoped()
        return super().count()

    def exists(self) -> bool:
        self._assert_scoped()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._assert_scoped()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs) -> int:
        self._assert_scoped()
        return super().update(**kwargs)

    def delete(self):
        self._assert_scoped()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if any(getattr(obj, "organization_id", None) is None for obj in objs):
            raise TenantScopeError(f"bulk_create of {self.model.__name__} without organization")
        return super().bulk_create(objs, *args, **kwargs)


# A dynamic base mypy cannot follow; the queryset's methods are typed on TenantQuerySet.
class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> TenantQuerySet:
        qs = super().get_queryset()
        if getattr(self, "core_filters", None):
            # A related manager (store.listings): bounded by an already-loaded tenant row.
            qs._tenant_safe = True
            return qs
        org = _active_org.get()
        if org is not None and not _unscoped.get():
            return qs.for_org(org)
        return qs

    def unscoped(self) -> TenantQuerySet:
        """All organizations' rows. Only for the admin, commands and cross-tenant reports."""
        qs = super().get_queryset()
        qs._tenant_safe = True
        return qs
