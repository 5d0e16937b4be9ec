"""Logistics' draft kinds, registered in LogisticsConfig.ready():

- `restock`: a planner suggestion (RestockSuggestion); approving it makes it a plan line
  (status planned, the approved quantity), which the plan export lists.
- `parcel_delay_message`: a proactive message to the buyer of a late parcel, for customer
  service. Approving stores the text on the parcel's DelayNotice: nothing is ever sent by the
  platform.
"""

from __future__ import annotations

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.review import fields as f
from apps.review.fields import TargetDisplay
from apps.review.registry import Check, DraftKind, register

from .models import DelayNotice, Parcel, RestockSuggestion

MAX_UNITS = 10_000_000


def _restock_snapshot(s: RestockSuggestion) -> dict:
    return {"on_hand": s.on_hand, "inbound": s.inbound, "reorder_point": s.reorder_point}


def _restock_validate(s: RestockSuggestion, payload: dict) -> list[Check]:
    checks = []
    qty = payload.get("quantity")
    if not isinstance(qty, int) or qty < 0:
        checks.append(Check("restock.quantity", "error", _("The quantity must be zero or more.")))
    elif qty and s.volume_ft3 and s.quantity and qty > s.quantity and s.capacity_cut:
        checks.append(
            Check("restock.capacity", "warning", _("More than the warehouse's capacity allowed."))
        )
    return checks


def _restock_apply(s: RestockSuggestion, payload: dict) -> None:
    RestockSuggestion.objects.for_org(s.organization_id).filter(pk=s.pk).update(
        status=RestockSuggestion.Status.PLANNED,
        planned_quantity=int(payload.get("quantity") or 0),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )


def _restock_display(s: RestockSuggestion) -> TargetDisplay:
    return TargetDisplay(
        label=f"{s.product.sku} → {s.warehouse.code}",
        store_id=s.warehouse.store_id,
        url=reverse("logistics:plan") + f"?product={s.product_id}",
        url_label=gettext("Replenishment plan"),
    )


RESTOCK = register(
    DraftKind(
        kind="restock",
        label=_("Restock"),
        target_model="logistics.RestockSuggestion",
        snapshot=_restock_snapshot,
        apply=_restock_apply,
        version_of=lambda s: s.version,
        display=_restock_display,
        fields=(
            f.integer("quantity", _("Units"), min_value=0, max_value=MAX_UNITS),
            f.text("ship_by", _("Ship by"), max_length=10, single_line=True, editable=False),
            f.text("mode", _("Mode"), max_length=8, single_line=True, editable=False),
        ),
        validate=_restock_validate,
    )
)


def _notice_snapshot(p: Parcel) -> dict:
    notice = DelayNotice.objects.for_org(p.organization_id).filter(parcel=p).first()
    return {"message": notice.message if notice else ""}


def _notice_apply(p: Parcel, payload: dict) -> None:
    DelayNotice.objects.for_org(p.organization_id).update_or_create(
        organization_id=p.organization_id,
        parcel=p,
        defaults={
            "message": str(payload.get("message") or "")[:2000],
            "approved_at": timezone.now(),
        },
    )


def _notice_display(p: Parcel) -> TargetDisplay:
    return TargetDisplay(
        label=f"{p.carrier} {p.tracking_number}",
        url=reverse("logistics:at_risk"),
        url_label=gettext("Shipments at risk"),
    )


PARCEL_DELAY_MESSAGE = register(
    DraftKind(
        kind="parcel_delay_message",
        label=_("Delay message to buyer"),
        target_model="logistics.Parcel",
        snapshot=_notice_snapshot,
        apply=_notice_apply,
        version_of=lambda p: None,
        display=_notice_display,
        fields=(f.text("message", _("Message"), max_length=2000, rows=6),),
    )
)
