from pathlib import Path

import pytest

from tests.factories import ListingFactory, ProductFactory, StoreFactory

DATA = Path("/work/shared/data")
if not DATA.exists():  # the samples ship with the repository's test data too
    DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def store(org):
    return StoreFactory(organization=org, name="Kovexa US")


@pytest.fixture
def listing(org, store):
    product = ProductFactory(
        organization=org, sku="KVX-PB10K-BLK", unit_cost="40", cost_currency="CNY"
    )
    return ListingFactory(
        organization=org,
        store=store,
        product=product,
        external_id="B0DK7PW2N4",
        price="25.99",
        currency="USD",
    )


@pytest.fixture
def st_csv():
    return (DATA / "amazon-sp-search-term-report-en.csv").read_bytes()


@pytest.fixture
def st_xlsx():
    return (DATA / "amazon-sp-search-term-report-en.xlsx").read_bytes()


@pytest.fixture
def bulk_xlsx():
    return (DATA / "amazon-sp-bulk-operations-sample.xlsx").read_bytes()


@pytest.fixture
def offline(settings):
    settings.OPENAI_BASE_URL = ""
    return settings


@pytest.fixture
def imports_inline(monkeypatch, django_capture_on_commit_callbacks):
    """`with imports_inline():` runs the search-term imports (and translations) queued inside
    it in the test's thread when the block ends."""
    from apps.ads import tasks

    monkeypatch.setattr(
        tasks.search_terms_import_task,
        "apply_async",
        lambda args, queue=None: tasks.search_terms_import_task(*args),
    )
    monkeypatch.setattr(
        tasks.terms_translate_task,
        "apply_async",
        lambda args, queue=None: tasks.terms_translate_task(*args),
    )
    return lambda: django_capture_on_commit_callbacks(execute=True)
