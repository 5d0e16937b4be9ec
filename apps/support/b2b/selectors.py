"""Tenant-scoped reads of B2B inquiries and quotations."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.core.errors import NotFound

from .models import Inquiry, Quotation


def inquiry_list(*, org, status: str = "", search: str = "") -> QuerySet[Inquiry]:
    qs = Inquiry.objects.for_org(org).select_related("product")
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(text__icontains=search[:100]) | qs.filter(
            buyer_email__icontains=search[:100]
        )
    return qs.order_by("-created", "-id")


def inquiry_get(*, org, inquiry_id: int) -> Inquiry:
    found = (
        Inquiry.objects.for_org(org)
        .select_related("product", "conversation")
        .filter(pk=inquiry_id)
        .first()
    )
    if found is None:
        raise NotFound("No such inquiry.")
    return found


def quotation_get(*, org, quotation_id: int) -> Quotation:
    found = (
        Quotation.objects.for_org(org)
        .select_related("inquiry", "inquiry__product", "organization")
        .filter(pk=quotation_id)
        .first()
    )
    if found is None:
        raise NotFound("No such quotation.")
    return found


def quotation_latest(*, org, inquiry: Inquiry) -> Quotation | None:
    return Quotation.objects.for_org(org).filter(inquiry=inquiry).order_by("-id").first()


def quotation_draft(*, org, quotation: Quotation):
    """The newest review draft of the quotation (any status), or None."""
    from django.contrib.contenttypes.models import ContentType

    from apps.review.models import Draft

    ct = ContentType.objects.get_for_model(Quotation)
    return (
        Draft.objects.for_org(org)
        .filter(kind="b2b_quotation", target_type=ct, target_id=quotation.pk)
        .order_by("-id")
        .first()
    )
