"""Writes of the rules' tenant data: an organization's protected brand names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from apps.catalog.models import ProtectedTerm
from apps.core.errors import Conflict, NotFound, ValidationFailed

if TYPE_CHECKING:
    from apps.accounts.models import Organization


@transaction.atomic
def protected_term_create(*, org: Organization, actor, term: str, note: str = "") -> ProtectedTerm:
    term = " ".join((term or "").split())
    if len(term) < 2:
        raise ValidationFailed("A protected term needs at least two characters.")
    if ProtectedTerm.objects.for_org(org).filter(term__iexact=term).exists():
        raise Conflict(f"“{term}” is already on the list.", code="duplicate")
    return ProtectedTerm.objects.create(organization=org, term=term, note=note[:300])


@transaction.atomic
def protected_term_delete(*, org: Organization, actor, term_id: int) -> None:
    deleted, _ = ProtectedTerm.objects.for_org(org).filter(pk=term_id).delete()
    if not deleted:
        raise NotFound("No such protected term.")
