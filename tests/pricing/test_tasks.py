"""Scheduling: the beat fan-out through a real worker, the per-store task, the command."""

from __future__ import annotations

import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.catalog.models import Listing
from apps.core.models import Job
from apps.pricing.models import PriceChange, RepricingRun, Strategy
from apps.pricing.services import stores_due_for_repricing
from apps.pricing.tasks import reprice_due_stores_task, reprice_store_task
from tests.factories import StoreFactory
from tests.pricing.test_engine_write import listing, setup_store

D = Decimal


def wait_for_runs(org, n: int, timeout: float = 60) -> list[RepricingRun]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = list(RepricingRun.objects.for_org(org).filter(status="succeeded"))
        if len(runs) >= n:
            return runs
        time.sleep(0.2)
    raise AssertionError(f"{n} repricing runs did not finish in {timeout}s")


def test_only_active_stores_with_an_enabled_strategy_are_due(org, other_org):
    store, _strategy = setup_store(org)
    other, _ = setup_store(other_org, prefix="O")
    StoreFactory(organization=org)  # no strategy
    _disabled, s2 = setup_store(org, prefix="D")
    s2.enabled = False
    s2.save()
    inactive, _ = setup_store(org, prefix="I")
    inactive.is_active = False
    inactive.save()
    assert stores_due_for_repricing() == sorted(
        [(org.id, store.id), (other_org.id, other.id)], key=lambda x: x[1]
    )


@pytest.mark.worker
def test_beat_fan_out_reprices_each_due_store_through_the_worker(org, other_org, celery_worker):
    store, _ = setup_store(org)
    a = listing(org, store, D("19.99"), sku="A", competitor=D("18.50"))
    other, _ = setup_store(other_org, prefix="O")
    b = listing(other_org, other, D("19.99"), sku="B", competitor=D("18.50"))
    reprice_due_stores_task.delay()
    (run,) = wait_for_runs(org, 1)
    (other_run,) = wait_for_runs(other_org, 1)
    assert (run.store_id, run.trigger, run.offers, run.changed) == (store.pk, "schedule", 1, 1)
    assert other_run.store_id == other.pk
    # No auto-approve policy: the changes are drafts, prices unchanged, one PriceChange each.
    assert Listing.objects.for_org(org).get(pk=a.pk).price == D("19.99")
    assert PriceChange.objects.for_org(org).get().outcome == "drafted"
    assert PriceChange.objects.for_org(other_org).get().listing_id == b.pk
    job = Job.objects.for_org(org).get(kind="reprice_store")
    assert (job.status, job.total, job.done) == ("succeeded", 1, 1)
    assert job.result["run_id"] == run.pk


def test_store_task_reports_to_the_given_job_and_skips_gone_stores(org):
    store, _ = setup_store(org)
    listing(org, store, D("19.99"), sku="A", competitor=D("18.50"))
    job = Job.objects.create(organization=org, kind="reprice_store")
    result = reprice_store_task(org.pk, store.pk, job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.result["changed"], result["changed"]) == ("succeeded", 1, 1)
    assert RepricingRun.objects.for_org(org).get().trigger == "manual"
    assert reprice_store_task(org.pk, 999_999) == {"skipped": "gone"}


def test_store_task_of_a_foreign_store_does_nothing(org, other_org):
    other, _ = setup_store(other_org, prefix="O")
    listing(other_org, other, D("19.99"), sku="B", competitor=D("18.50"))
    assert reprice_store_task(org.pk, other.pk) == {"skipped": "gone"}
    assert not RepricingRun.objects.for_org(other_org).exists()


def test_reprice_command_dry_run_and_real_run(org):
    store, _ = setup_store(org)
    a = listing(org, store, D("19.99"), sku="A", competitor=D("18.50"))
    out = StringIO()
    call_command("reprice", "--store", str(store.pk), "--dry-run", stdout=out)
    assert out.getvalue().startswith("Dry run: 1 offers, 1 changed (0 up, 1 down)")
    assert not RepricingRun.objects.for_org(org).exists()
    out = StringIO()
    call_command("reprice", "--store", str(store.pk), stdout=out)
    assert "1 sent to review" in out.getvalue() and "run #" in out.getvalue()
    assert PriceChange.objects.for_org(org).get().listing_id == a.pk
    with pytest.raises(CommandError, match="No store"):
        call_command("reprice", "--store", "999999")


def test_strategy_disabled_means_nothing_is_priced(org):
    store, _strategy = setup_store(org)
    listing(org, store, D("19.99"), sku="A", competitor=D("18.50"))
    Strategy.objects.for_org(org).update(enabled=False)
    out = StringIO()
    call_command("reprice", "--store", str(store.pk), stdout=out)
    assert "0 changed" in out.getvalue()
