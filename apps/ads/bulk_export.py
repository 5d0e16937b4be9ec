"""Approved ad changes → a validated bulk-operations XLSX.

Every approved change not yet marked uploaded becomes one row (two for a harvest: the exact
keyword in the manual campaign and the negative in the source). Before writing, each row is
checked: the Amazon ids it needs are known (campaign, ad group, and the keyword/target for an
update), Amazon's keyword limits hold, and no keyword appears twice in an ad group (in this
file or already live there). A row that fails is left out with its reason, numbered as the
change would have been in the file; the file holds only valid rows and re-imports cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from apps.core.errors import ValidationFailed
from apps.integrations.amazon_sp_bulk.writer import write_bulk

from .models import AdChange, AdGroup, Campaign, Target
from .rules import keyword_problem

if TYPE_CHECKING:
    from apps.accounts.models import Organization


@dataclass
class BulkExport:
    content: bytes
    rows: int
    change_ids: list[int] = field(default_factory=list)
    left_out: list[dict] = field(default_factory=list)  # {row, change, reason}


def _rows_for(change: AdChange, campaigns: dict, groups: dict, targets: dict) -> list[dict]:
    p = change.payload
    camp = campaigns[change.campaign_id]
    action = p.get("action", change.action)
    if action == "budget":
        return [
            {
                "entity": "campaign",
                "operation": "update",
                "campaign_id": camp.amazon_id,
                "campaign_name": camp.name,
                "daily_budget": p["new_budget"],
                "state": camp.state,
                "_check_ids": ("campaign_id",),
            }
        ]
    if action == "bid":
        target = targets.get(p.get("target_id"))
        group = groups.get(target.ad_group_id) if target else None
        keyword = p.get("entity") == "keyword"
        return [
            {
                "entity": "keyword" if keyword else "product_targeting",
                "operation": "update",
                "campaign_id": camp.amazon_id,
                "ad_group_id": group.amazon_id if group else "",
                "keyword_id" if keyword else "product_targeting_id": target.amazon_id
                if target
                else "",
                "keyword_text" if keyword else "product_targeting_expression": p.get("text"),
                "match_type": p.get("match_type") if keyword else "",
                "bid": p["new_bid"],
                "state": "enabled",
                "_check_ids": (
                    "campaign_id",
                    "ad_group_id",
                    "keyword_id" if keyword else "product_targeting_id",
                ),
            }
        ]
    if action == "negative":
        return [
            _negative(
                camp,
                groups.get(p.get("ad_group_id")),
                p.get("entity"),
                p["text"],
                p.get("match_type", "negativeExact"),
            )
        ]
    if action == "harvest":
        dest_group = groups.get(p.get("dest_ad_group_id"))
        dest_camp = campaigns.get(dest_group.campaign_id) if dest_group else None
        keyword = p.get("entity") == "keyword"
        create = {
            "entity": "keyword" if keyword else "product_targeting",
            "operation": "create",
            "campaign_id": dest_camp.amazon_id if dest_camp else "",
            "ad_group_id": dest_group.amazon_id if dest_group else "",
            "keyword_text" if keyword else "product_targeting_expression": p["text"],
            "match_type": "exact" if keyword else "",
            "bid": p["new_bid"],
            "state": "enabled",
            "_check_ids": ("campaign_id", "ad_group_id"),
        }
        source = groups.get(p.get("negate_ad_group_id"))
        source_camp = campaigns.get(source.campaign_id) if source else camp
        return [
            create,
            _negative(
                source_camp, source, p.get("negate_entity"), p["negate_text"], "negativeExact"
            ),
        ]
    if action == "keyword_ideas":
        group = next((g for g in groups.values() if g.campaign_id == camp.pk), None)
        return [
            {
                "entity": "keyword",
                "operation": "create",
                "campaign_id": camp.amazon_id,
                "ad_group_id": group.amazon_id if group else "",
                "keyword_text": k,
                "match_type": "exact",
                "bid": group.default_bid if group and group.default_bid else "0.75",
                "state": "enabled",
                "_check_ids": ("campaign_id", "ad_group_id"),
            }
            for k in p.get("keywords", [])
        ]
    return []


def _negative(
    camp: Campaign, group: AdGroup | None, entity: str | None, text: str, match: str
) -> dict:
    if entity == "negative_product_targeting":
        return {
            "entity": "negative_product_targeting",
            "operation": "create",
            "campaign_id": camp.amazon_id,
            "ad_group_id": group.amazon_id if group else "",
            "product_targeting_expression": text,
            "state": "enabled",
            "_check_ids": ("campaign_id", "ad_group_id"),
        }
    row = {
        "entity": "negative_keyword" if group else "campaign_negative_keyword",
        "operation": "create",
        "campaign_id": camp.amazon_id,
        "ad_group_id": group.amazon_id if group else "",
        "keyword_text": text,
        "match_type": match,
        "state": "enabled",
    }
    row["_check_ids"] = ("campaign_id", "ad_group_id") if group else ("campaign_id",)
    return row


def bulk_export(*, org: Organization, store_id: int | None = None) -> BulkExport:
    """The bulk file of the approved changes not yet uploaded, and what was left out."""
    changes = (
        AdChange.objects.for_org(org)
        .filter(exported_at__isnull=True)
        .exclude(action="headlines")  # Sponsored Brands: not part of the SP bulk sheet
        .order_by("pk")
    )
    if store_id is not None:
        changes = changes.filter(campaign__store_id=store_id)
    changes = list(changes)
    group_ids: set = set(
        AdGroup.objects.for_org(org)
        .filter(campaign_id__in={c.campaign_id for c in changes if c.action == "keyword_ideas"})
        .values_list("pk", flat=True)
    )
    target_ids: set = set()
    for ch in changes:
        p = ch.payload
        group_ids.update(
            x
            for x in (p.get("ad_group_id"), p.get("dest_ad_group_id"), p.get("negate_ad_group_id"))
            if x
        )
        if p.get("target_id"):
            target_ids.add(p["target_id"])
    targets = {t.pk: t for t in Target.objects.for_org(org).filter(pk__in=target_ids)}
    group_ids.update(t.ad_group_id for t in targets.values())
    groups = {g.pk: g for g in AdGroup.objects.for_org(org).filter(pk__in=group_ids)}
    campaign_ids = {ch.campaign_id for ch in changes} | {g.campaign_id for g in groups.values()}
    campaigns = {c.pk: c for c in Campaign.objects.for_org(org).filter(pk__in=campaign_ids)}
    live = {
        (g, t.lower(), m)
        for g, t, m in Target.objects.for_org(org)
        .filter(ad_group__amazon_id__in=[g.amazon_id for g in groups.values()])
        .exclude(amazon_id="")
        .values_list("ad_group__amazon_id", "text", "match_type")
    }
    rows: list[dict] = []
    included: list[int] = []
    left_out: list[dict] = []
    seen: set = set()
    number = 1  # the header is row 1
    for ch in changes:
        candidate = _rows_for(ch, campaigns, groups, targets)
        reasons: list[str] = []
        for row in candidate:
            missing = [k for k in row.pop("_check_ids", ()) if not row.get(k)]
            if missing:
                reasons.append(
                    "no Amazon id yet for "
                    + ", ".join(m.replace("_", " ") for m in missing)
                    + ": import a bulk file that has it"
                )
            text = row.get("keyword_text")
            if text and row["operation"] == "create":
                problem = keyword_problem(text, row.get("match_type", ""))
                if problem:
                    reasons.append(f"'{text}': {problem}")
                key = (
                    row["entity"],
                    row.get("ad_group_id") or row["campaign_id"],
                    text.lower(),
                    row.get("match_type", ""),
                )
                if (
                    key in seen
                    or (row.get("ad_group_id"), text.lower(), row.get("match_type")) in live
                ):
                    reasons.append(
                        f"'{text}' ({row.get('match_type')}) is already in this ad group"
                    )
                seen.add(key)
        if reasons or not candidate:
            for i in range(max(len(candidate), 1)):
                left_out.append(
                    {
                        "row": number + 1 + i,
                        "change": ch.pk,
                        "reason": "; ".join(reasons) or "nothing to write",
                    }
                )
            continue
        for row in candidate:
            number += 1
            rows.append(row)
        included.append(ch.pk)
    return BulkExport(
        content=write_bulk(rows), rows=len(rows), change_ids=included, left_out=left_out
    )


def bulk_export_mark_uploaded(
    *, org: Organization, change_ids: list[int], refuse_unknown: bool = False
) -> int:
    """Mark changes as uploaded to Amazon (they leave the next bulk file); returns how many
    were marked (changes marked before are left as they were).

    `refuse_unknown` (the API): ids that are no change of the organization are a 400 naming
    them, and nothing is marked; the dashboard's form posts only ids it showed."""
    if refuse_unknown:
        wanted = set(change_ids)
        known = set(
            AdChange.objects.for_org(org).filter(pk__in=wanted).values_list("pk", flat=True)
        )
        unknown = sorted(wanted - known)
        if unknown:
            raise ValidationFailed(
                f"No such changes: {', '.join(map(str, unknown[:20]))}", field="changes"
            )
    return (
        AdChange.objects.for_org(org)
        .filter(pk__in=change_ids, exported_at__isnull=True)
        .update(exported_at=timezone.now())
    )
