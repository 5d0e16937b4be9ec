from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.models import Organization

from .models import ApiKey, Membership


def membership_list_for_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def membership_for(*, user, org_id: int | None) -> Membership | None:
    """The user's membership in org_id, or their first one when org_id is unset or foreign."""
    memberships = membership_list_for_user(user=user)
    if org_id is not None:
        found = memberships.filter(organization_id=org_id).first()
        if found is not None:
            return found
    return memberships.first()


def api_key_list(*, org: Organization) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(organization=org).select_related("created_by")
