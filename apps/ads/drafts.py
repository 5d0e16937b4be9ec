"""The `ad_change` draft kind: a bid, negative, harvested keyword or budget move on a campaign.

The target is the campaign, so a reviewer sees (and may approve) a campaign's changes together;
several open drafts per campaign are allowed, one per entity and action (`unique_key`). Applying
a draft records an AdChange waiting for the next bulk file and updates our copy of the tree
(the bid, the budget, the new negative or keyword, still without an Amazon id), so the next
recommendation run does not propose it again. Nothing reaches Amazon before the bulk file.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.review import fields as f
from apps.review.registry import Check, DraftKind, register

from .models import AdChange, AdGroup, Campaign, NegativeKeyword, Target
from .rules import keyword_problem, marketplace_bid_limits

KIND = "ad_change"


def _snapshot(campaign: Campaign) -> dict:
    return {
        "campaign": campaign.name,
        "daily_budget": None if campaign.daily_budget is None else str(campaign.daily_budget),
        "state": campaign.state,
    }


def _display(campaign: Campaign) -> f.TargetDisplay:
    return f.TargetDisplay(
        label=campaign.name,
        store_id=campaign.store_id,
        url=reverse("ads:campaign", args=[campaign.pk]),
        url_label=str(_("Campaign")),
    )


def _unique_key(campaign: Campaign, payload: dict) -> str:
    return str(payload.get("key", ""))[:200]


def _amount(payload: dict, name: str) -> Decimal | None:
    try:
        value = Decimal(str(payload.get(name)))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return value if value.is_finite() else None


def _marketplace_code(campaign: Campaign) -> str:
    store = getattr(campaign, "store", None)
    marketplace = getattr(store, "marketplace", None)
    return str(getattr(marketplace, "code", "") or "")


def validate(campaign: Campaign, payload: dict) -> list[Check]:
    action = payload.get("action")
    checks: list[Check] = []
    currency = payload.get("currency") or campaign.currency
    low, high = marketplace_bid_limits(_marketplace_code(campaign), currency)
    if action in ("bid", "harvest"):
        bid = _amount(payload, "new_bid")
        if bid is None or not (Decimal(str(low)) <= bid <= Decimal(str(high))):
            checks.append(
                Check(
                    "ads.bid_limits",
                    "error",
                    _("The bid must be between %(low)s and %(high)s %(cur)s.")
                    % {"low": low, "high": high, "cur": currency},
                    "new_bid",
                )
            )
    if action == "budget":
        budget = _amount(payload, "new_budget")
        if budget is None or budget < 1:
            checks.append(
                Check(
                    "ads.budget", "error", _("The daily budget must be at least 1."), "new_budget"
                )
            )
    text = str(payload.get("text", ""))
    if action in ("negative", "harvest") and not text.startswith("asin="):
        match = payload.get("match_type") or "exact"
        problem = keyword_problem(text, match)
        if problem:
            checks.append(Check("ads.keyword_limits", "error", problem, "text"))
    return checks


def apply(campaign: Campaign, payload: dict) -> None:
    org = campaign.organization
    action = payload.get("action", "")
    AdChange.objects.create(organization=org, campaign=campaign, action=action, payload=payload)
    if action == "bid" and payload.get("target_id"):
        Target.objects.for_org(org).filter(pk=payload["target_id"]).update(
            bid=Decimal(str(payload["new_bid"]))
        )
    elif action == "budget":
        Campaign.objects.for_org(org).filter(pk=campaign.pk).update(
            daily_budget=Decimal(str(payload["new_budget"]))
        )
    elif action == "negative":
        group = AdGroup.objects.for_org(org).filter(pk=payload.get("ad_group_id")).first()
        NegativeKeyword.objects.get_or_create(
            organization=org,
            campaign=campaign,
            ad_group=group,
            text=payload["text"],
            match_type=payload.get("match_type", "negativeExact"),
        )
    elif action == "harvest":
        group = AdGroup.objects.for_org(org).filter(pk=payload.get("dest_ad_group_id")).first()
        if group is not None:
            Target.objects.get_or_create(
                organization=org,
                ad_group=group,
                kind="product" if payload.get("entity") == "product_targeting" else "keyword",
                text=payload["text"],
                match_type=payload.get("match_type", "exact"),
                defaults={"bid": Decimal(str(payload["new_bid"]))},
            )
        source = AdGroup.objects.for_org(org).filter(pk=payload.get("negate_ad_group_id")).first()
        if source is not None:
            NegativeKeyword.objects.get_or_create(
                organization=org,
                campaign=source.campaign,
                ad_group=source,
                text=payload["negate_text"],
                match_type="negativeExact",
            )


AD_CHANGE = DraftKind(
    kind=KIND,
    label=_("Ad change"),
    target_model="ads.Campaign",
    snapshot=_snapshot,
    apply=apply,
    version_of=lambda campaign: None,  # changes to one campaign never supersede each other
    display=_display,
    unique_key=_unique_key,
    fields=(
        f.money("new_bid", _("New bid")),
        f.money("new_budget", _("New daily budget")),
        f.text("text", _("Keyword"), max_length=255, single_line=True, editable=False),
        f.text("match_type", _("Match type"), max_length=20, single_line=True, editable=False),
    ),
    validate=validate,
)


def register_kind() -> None:
    register(AD_CHANGE)
