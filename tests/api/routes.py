"""The API's routes read off the URL conf, and one sample object per routed resource.

Tests parametrised over `api_routes()` cover a new endpoint the day it is routed; a route whose
object has no sampler in `SAMPLES` (and is not in `NOT_TENANT_OBJECTS`) fails those tests until
one is registered here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

API_PREFIX = "api/v1/"


@dataclass(frozen=True)
class Route:
    name: str  # reversible name, namespace included
    basename: str  # the name without namespace
    methods: tuple[tuple[str, str], ...]  # (http method, viewset action)
    kwarg: str | None  # the object's URL kwarg (pk, code, kind), None for a collection
    view_cls: Any

    @property
    def is_object(self) -> bool:
        return self.kwarg is not None

    def url(self, value: Any = None) -> str:
        kwargs = {self.kwarg: value} if self.kwarg else {}
        return reverse(self.name, kwargs=kwargs)

    @property
    def id(self) -> str:
        return self.basename


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern, namespace


@cache
def api_routes() -> tuple[Route, ...]:
    routes = []
    for route, pattern, namespace in _walk(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX) or not pattern.name:
            continue
        actions = getattr(pattern.callback, "actions", None) or {}
        view_cls = getattr(pattern.callback, "cls", None)
        groups = list(pattern.pattern.regex.groupindex)
        if "format" in groups:
            continue
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        allowed = set(getattr(view_cls, "http_method_names", actions))
        routes.append(
            Route(
                name=name,
                basename=pattern.name,
                methods=tuple(sorted((m.upper(), a) for m, a in actions.items() if m in allowed)),
                kwarg=groups[0] if groups else None,
                view_cls=view_cls,
            )
        )
    return tuple(routes)


def object_routes() -> list[Route]:
    return [r for r in api_routes() if r.is_object]


# Lists that are no paginated JSON list, and why.
NOT_PAGINATED = {
    "ads-bulk-file-list": "an XLSX download of the campaigns' bulk sheet",
}


def list_routes() -> list[Route]:
    """Collection routes whose GET is a paginated list."""
    return [
        r
        for r in api_routes()
        if not r.is_object
        and r.basename not in NOT_PAGINATED
        and ("GET", "list") in r.methods
        and getattr(r.view_cls, "pagination_class", None) is not None
    ]


# Samplers ---------------------------------------------------------------------------------------

Sampler = Callable[[Any], Any]


def first(model: str, field: str = "pk", **filters) -> Sampler:
    """The first row of `model` of the organization (made by the demo)."""

    def sample(org):
        manager = apps.get_model(model).objects
        rows = (
            manager.for_org(org)
            if hasattr(manager, "for_org")
            else manager.filter(organization=org)
        )
        return rows.filter(**filters).order_by("pk").values_list(field, flat=True).first()

    sample.model = model  # type: ignore[attr-defined]
    return sample


def _webhook(org):
    from apps.integrations.models import WebhookSubscription

    sub = WebhookSubscription.objects.for_org(org).first()
    if sub is None:
        sub = WebhookSubscription.objects.create(
            organization=org,
            url="https://hooks.example.com/crossborder",
            events=["job.finished"],
            secret="whsec_sample",
        )
    return sub.pk


def _delivery(org):
    from apps.integrations.models import WebhookDelivery, WebhookEvent

    delivery = WebhookDelivery.objects.for_org(org).first()
    if delivery is None:
        event = WebhookEvent.objects.create(
            organization=org, event="job.finished", payload={"job_id": 1}
        )
        delivery = WebhookDelivery.objects.create(
            organization=org,
            subscription_id=_webhook(org),
            event=event,
            next_attempt_at=timezone.now(),
        )
    return delivery.pk


def _export_job(org):
    from apps.catalog.exports.api import MARKETPLACE_EXPORT_KIND
    from apps.core.services import job_create

    found = first("core.Job", kind=MARKETPLACE_EXPORT_KIND)(org)
    return found or job_create(org=org, kind=MARKETPLACE_EXPORT_KIND, total=1).pk


def _listings_export_job(org):
    from apps.catalog.exports.listings import EXPORT_KIND
    from apps.core.services import job_create

    found = first("core.Job", kind=EXPORT_KIND)(org)
    return found or job_create(org=org, kind=EXPORT_KIND, total=1).pk


def _protected_term(org):
    from apps.catalog.models import ProtectedTerm

    found = ProtectedTerm.objects.for_org(org).values_list("pk", flat=True).first()
    return found or ProtectedTerm.objects.create(organization=org, term="voltora-sample").pk


def _risk_destination(org):
    from apps.orders.models import RiskDestination

    found = RiskDestination.objects.for_org(org).values_list("pk", flat=True).first()
    if found:
        return found
    return RiskDestination.objects.create(organization=org, country="NG").pk


def _exchange_rate(org):
    from datetime import date

    from apps.orders.models import ExchangeRate

    found = first("orders.ExchangeRate")(org)
    if found:
        return found
    return ExchangeRate.objects.create(
        organization=org, base="CNY", quote="USD", rate="0.1380000000", date=date(2026, 1, 1)
    ).pk


def _attachment(org):
    from apps.support.models import Attachment, Message

    found = first("support.Attachment")(org)
    if found:
        return found
    message = Message.objects.for_org(org).order_by("pk").first()
    return Attachment.objects.create(
        organization=org,
        message=message,
        filename="photo.jpg",
        content_type="image/jpeg",
        size=3,
        data=b"abc",
    ).pk


def _article(org):
    from apps.support.models import KnowledgeArticle

    found = KnowledgeArticle.objects.for_org(org).values_list("pk", flat=True).first()
    if found:
        return found
    return KnowledgeArticle.objects.create(organization=org, title="Returns", body="30 days").pk


def _mailbox(org):
    from apps.catalog.models import Store
    from apps.support.models import Mailbox

    found = Mailbox.objects.for_org(org).values_list("pk", flat=True).order_by("pk").first()
    if found:
        return found
    store = Store.objects.for_org(org).order_by("pk").first()
    return Mailbox.objects.create(
        organization=org, store=store, address=f"relay-{org.pk}@example.com"
    ).pk


# URL name (without its `-detail`, `-approve`… suffix) → the sample object of an organization.
SAMPLES: dict[str, Sampler] = {
    "store": first("catalog.Store"),
    "product": first("catalog.Product"),
    "listing": first("catalog.Listing"),
    "protected-term": _protected_term,
    "photo": first("catalog.ProductPhoto"),
    "marketplace-export": _export_job,
    "listings-export": _listings_export_job,
    "order": first("orders.Order"),
    "exchange-rate": _exchange_rate,
    "risk-destination": _risk_destination,
    "job": first("core.Job"),
    "draft": first("review.Draft", status="pending"),
    "competitor-offer": first("pricing.CompetitorOffer"),
    "price-change": first("pricing.PriceChange"),
    "strategy": first("pricing.Strategy"),
    "strategy-assignment": first("pricing.StrategyAssignment"),
    "webhook": _webhook,
    "webhook-delivery": _delivery,
    "candidate": first("analytics.Candidate"),
    "support-conversation": first("support.Conversation"),
    "support-attachment": _attachment,
    "support-article": _article,
    "support-macro": first("support.Macro"),
    "support-mailbox": _mailbox,
    "support-b2b-inquiry": first("support.Inquiry"),
    "support-b2b-quotation": first("support.Quotation"),
    "warehouse": first("logistics.Warehouse"),
    "inventory": first("logistics.Inventory"),
    "inbound-shipment": first("logistics.InboundShipment"),
    "parcel": first("logistics.Parcel"),
    "plan-run": first("logistics.PlanRun"),
    "restock-suggestion": first("logistics.RestockSuggestion"),
    "ads-campaign": first("ads.Campaign"),
    "ads-recommendation": first("review.Draft", kind="ad_change", status="pending"),
}

# Object routes that name no organization's row, so no other organization's id exists.
NOT_TENANT_OBJECTS = {
    "marketplace-detail": "global reference data, the same for every organization",
    "policy-detail": "looked up by draft kind inside the caller's organization",
}


def sampler_for(route: Route) -> Sampler | None:
    """The longest registered prefix of the route's name: `support-conversation-reply` →
    `support-conversation`."""
    parts = route.basename.split("-")
    for end in range(len(parts), 0, -1):
        found = SAMPLES.get("-".join(parts[:end]))
        if found is not None:
            return found
    return None
