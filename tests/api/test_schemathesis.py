"""Schema-driven run over every API operation (Schemathesis): against the real app (in process,
through its WSGI handler, real PostgreSQL), with an organization that has data, no response may
be a 5xx and every response must match the OpenAPI schema the API publishes.

Deterministic: derandomized Hypothesis, a few examples per operation, no example database, so
the same cases run in CI and on a laptop within a couple of minutes.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.config import SchemathesisConfig

from apps.accounts.models import Role
from apps.accounts.services import api_key_issue
from tests.factories import ListingFactory, OrderFactory, OrderItemFactory

# A few per operation in CI; SCHEMATHESIS_EXAMPLES=50 for a deeper local run.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))


def _published_schema() -> dict:
    """The schema exactly as /api/schema/ serves it (generated in process, no request)."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 15,
        # Fuzzing only (EXAMPLES per operation, valid and invalid data); the coverage phase
        # alone sends a hundred requests per operation.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(_published_schema(), config=CONFIG)
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Requests go through the project's WSGI handler; like Django's test client, do not close
    the connection at the start and end of each request (the test's transaction lives on it)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def owner_key(org):
    return api_key_issue(org=org, name="schemathesis", role=Role.OWNER).raw_key


@pytest.fixture
def real_ids(org) -> dict[str, object]:
    """Ids of the organization's rows by collection path, so id-taking operations reach a row
    (a generated id almost always answers 404 and tests nothing past the lookup)."""
    from apps.core.models import Job
    from apps.pricing.models import CompetitorOffer, Strategy
    from apps.review.services import draft_create

    listing = ListingFactory(organization=org)
    order = OrderFactory(organization=org, store=listing.store)
    OrderItemFactory(organization=org, order=order, listing=listing, product=listing.product)
    offer = CompetitorOffer.objects.create(
        organization=org, listing=listing, seller_id="S1", price="9.99", currency="USD",
        observed_at=order.ordered_at,
    )  # fmt: skip
    strategy = Strategy.objects.create(organization=org, name="Match")
    # Rows with the nullable fields empty: a listing without a price, a pending draft never
    # reviewed, a queued job that has not started.
    ListingFactory(organization=org, price=None, external_id="")
    draft = draft_create(
        org=org, kind="price_change", target=listing,
        proposed={"price": "17.99", "currency": listing.currency},
    )  # fmt: skip
    job = Job.objects.create(organization=org, kind="reprice_store", label="Repricing")
    from apps.ads.models import Campaign

    campaign = Campaign.objects.create(
        organization=org, store=listing.store, name="SP - Auto", currency="USD"
    )
    return {
        "/api/v1/ads/campaigns/": campaign.pk,
        "/api/v1/drafts/": draft.pk,
        "/api/v1/jobs/": job.pk,
        "/api/v1/listings/": listing.pk,
        "/api/v1/products/": listing.product_id,
        "/api/v1/stores/": listing.store_id,
        "/api/v1/orders/": order.pk,
        "/api/v1/competitor-offers/": offer.pk,
        "/api/v1/strategies/": strategy.pk,
        "/api/v1/marketplaces/": "amazon_us",
    }


def _use_real_id(case, real_ids: dict[str, object]) -> None:
    for name in ("id", "code"):
        if name in (case.path_parameters or {}):
            collection = case.path.split("{")[0]
            if collection in real_ids:
                case.path_parameters[name] = real_ids[collection]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema_and_never_5xx(case, owner_key, real_ids):
    _use_real_id(case, real_ids)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {owner_key}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
