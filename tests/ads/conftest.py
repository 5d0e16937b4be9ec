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
