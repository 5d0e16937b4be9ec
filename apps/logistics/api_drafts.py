"""Bodies of POST parcels/delay-drafts/ (the at-risk page's "draft delay messages" button):
which parcels, and the drafts written."""

from __future__ import annotations

from rest_framework import serializers

from apps.core.api import OrgPrimaryKeyRelatedField

from .models import Parcel

DELAY_DRAFTS_MAX = 1000  # parcel ids per request


class DelayDraftsInputSerializer(serializers.Serializer):
    parcels = serializers.ListField(
        child=OrgPrimaryKeyRelatedField(queryset=Parcel.objects.all()),
        max_length=DELAY_DRAFTS_MAX,
        required=False,
        help_text="Only these parcels (default: every at-risk parcel).",
    )


class DelayDraftRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the parcel_delay_message draft")
    parcel = serializers.IntegerField()
    status = serializers.CharField()
    message = serializers.CharField(help_text="the proposed message to the buyer")


class DelayDraftsResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    drafts = DelayDraftRefSerializer(many=True)
    skipped = serializers.ListField(child=serializers.IntegerField())


def delay_drafts_result(drafts: list, given: list | None) -> dict:
    drafted = {d.target_id for d in drafts}
    return {
        "created": len(drafts),
        "drafts": [
            {
                "id": d.pk,
                "parcel": d.target_id,
                "status": d.status,
                "message": str((d.proposed or {}).get("message") or ""),
            }
            for d in drafts
        ],
        "skipped": sorted({p.pk for p in given or []} - drafted),
    }
