from __future__ import annotations

import pytest

from tests.factories import ExchangeRateFactory

from .helpers import make_rows


@pytest.fixture
def mine(org):
    """A row of every resource owned by `org` (the caller in most tests)."""
    return make_rows(org)


@pytest.fixture
def theirs(other_org):
    """A row of every resource owned by `other_org`: never visible to `org`'s credentials."""
    return make_rows(other_org)


@pytest.fixture
def public_rate(db):
    return ExchangeRateFactory(organization=None, base="EUR", quote="USD")


@pytest.fixture
def viewer_client(org, api_client_for):
    return api_client_for(org, role="viewer")
