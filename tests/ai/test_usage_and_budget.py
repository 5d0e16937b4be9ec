"""The usage ledger and the monthly budget."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.ai.models import AiSettings, UsageRecord
from apps.ai.selectors import month_spend, usage_summary
from apps.ai.services import BudgetExceeded, generation_start
from apps.core.models import Job
from apps.review.models import Draft
from tests.factories import ListingFactory

from .conftest import VALID, Reply, run_batch


def test_every_model_call_writes_a_usage_row_with_tokens_and_cost(org, llm):
    llm(Reply.json(VALID, tokens_in=1000, tokens_out=500))
    listings = [ListingFactory(organization=org) for _ in range(2)]
    job = run_batch(org, listings)
    rows = list(UsageRecord.objects.for_org(org).order_by("id"))
    assert len(rows) == 2
    row = rows[0]
    assert (row.kind, row.provider, row.model) == ("listing_content", "openai-compatible",
                                                   "gpt-4o-mini")  # fmt: skip
    assert (row.tokens_in, row.tokens_out, row.job_id) == (1000, 500, job.id)
    assert row.cost == Decimal("0.000450")  # 1000 * 0.15 + 500 * 0.60 per 1M
    assert row.prompt_version == "listing_content@v2"
    summary = usage_summary(org=org)
    assert summary == [{
        "provider": "openai-compatible", "model": "gpt-4o-mini", "kind": "listing_content",
        "currency": "USD", "calls": 2, "tokens_in": 2000, "tokens_out": 1000,
        "cost": Decimal("0.000900"),
    }]  # fmt: skip


def test_a_model_missing_from_the_price_table_costs_nothing_and_prices_can_be_set(
    org, llm, settings
):
    llm(Reply.json(VALID, tokens_in=1_000_000, tokens_out=0))
    settings.CROSSBORDER_LLM_MODEL = "smollm2"
    run_batch(org, [ListingFactory(organization=org)])
    settings.CROSSBORDER_LLM_PRICES = {"smollm2": ("0.02", "0.04")}
    run_batch(org, [ListingFactory(organization=org)])
    costs = list(UsageRecord.objects.for_org(org).order_by("id").values_list("cost", flat=True))
    assert costs == [Decimal("0"), Decimal("0.02")]


def test_last_months_spending_does_not_count_against_this_months_budget(org):
    old = UsageRecord.objects.create(organization=org, kind="listing_content", provider="openai",
                                     model="gpt-4o", cost=Decimal("9"))  # fmt: skip
    UsageRecord.objects.for_org(org).filter(pk=old.pk).update(
        created_at=timezone.now().replace(day=1) - timedelta(days=2)
    )
    UsageRecord.objects.create(organization=org, kind="listing_content", provider="openai",
                               model="gpt-4o", cost=Decimal("1.5"))  # fmt: skip
    assert month_spend(org=org) == Decimal("1.5")


def test_a_reached_budget_stops_new_generation_with_a_clear_message(org, user, llm):
    llm(Reply.json(VALID))
    AiSettings.objects.create(organization=org, monthly_budget=Decimal("5.00"))
    UsageRecord.objects.create(organization=org, kind="listing_content", provider="openai",
                               model="gpt-4o", cost=Decimal("5.01"))  # fmt: skip
    listing = ListingFactory(organization=org)
    with pytest.raises(BudgetExceeded) as caught:
        generation_start(org=org, actor=user, kind="listing_content", target_ids=[listing.pk])
    assert "monthly AI budget of 5.00 USD is used up (5.01 USD spent" in caught.value.message
    assert caught.value.status == 402
    assert not Job.objects.for_org(org).exists()


def test_a_budget_reached_in_the_middle_of_a_job_stops_the_job(org, llm):
    llm(Reply.json(VALID, tokens_in=100_000, tokens_out=0))  # 0.015 USD a call
    AiSettings.objects.create(organization=org, monthly_budget=Decimal("0.02"),
                              max_concurrency=1)  # fmt: skip
    listings = [ListingFactory(organization=org) for _ in range(4)]
    job = run_batch(org, listings)
    assert Draft.objects.for_org(org).count() == 2
    assert job.status == Job.Status.FAILED
    assert "monthly AI budget" in job.error


def test_another_organizations_spending_does_not_count(org, other_org):
    UsageRecord.objects.create(organization=other_org, kind="listing_content", provider="openai",
                               model="gpt-4o", cost=Decimal("100"))  # fmt: skip
    assert month_spend(org=org) == Decimal("0")
