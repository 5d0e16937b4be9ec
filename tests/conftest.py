"""Shared fixtures: an organization with a member of each role, a second organization with its
own member (the outsider), API clients bound by key, and a Playwright-ready Chromium path.

The idea follows healthchecks' hc/test.py: every test module has an owner, a member and an
outsider at hand, so cross-tenant checks are cheap to write.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.accounts.services import api_key_issue

from .factories import MembershipFactory, OrganizationFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in English: a Chinese page rendered by one test must not leak its
    active language into the next test's messages."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Shenzhen Voltora", slug="voltora")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Ningbo Homeware", slug="ningbo")


@pytest.fixture
def user(org):
    """A manager of `org`."""
    member = MembershipFactory(organization=org, role=Role.MANAGER, user__username="manager")
    return member.user


@pytest.fixture
def outsider(other_org):
    """A manager of `other_org` only: must never see `org`'s rows."""
    member = MembershipFactory(organization=other_org, role=Role.MANAGER, user__username="outsider")
    return member.user


@pytest.fixture
def member_with_role(org):
    def make(role: str):
        return MembershipFactory(organization=org, role=role, user__username=f"{role}-user").user

    return make


@pytest.fixture
def client_for():
    """A logged-in Django test client for a user."""
    from django.test import Client

    def make(u):
        client = Client()
        client.force_login(u)
        return client

    return make


@pytest.fixture
def api_client_for():
    """An APIClient authenticated by a fresh API key of the given organization."""

    def make(organization, role: str = Role.MANAGER):
        issued = api_key_issue(org=organization, name="test key", role=role)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
        return client

    return make


@pytest.fixture
def api_client(org, api_client_for):
    return api_client_for(org)


@pytest.fixture
def other_api_client(other_org, api_client_for):
    return api_client_for(other_org)


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (solo pool, in a thread) consuming every queue of the real broker.

    Data must be committed for the worker's own connection to see it, hence transactional_db.
    """
    import celery.contrib.testing.tasks  # noqa: F401 - registers celery.ping for the check
    from celery.contrib.testing.worker import start_worker

    from crossborder.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10) as worker:
        yield worker


def pytest_collection_modifyitems(items):
    """Transactional tests (real worker, live server) flush the database afterwards, which would
    also wipe the reference data migrations load (marketplaces). Serialized rollback restores it.
    """
    for item in items:
        names = getattr(item, "fixturenames", [])
        marker = item.get_closest_marker("django_db")
        transactional = marker is not None and marker.kwargs.get("transaction")
        uses_flush = transactional or {"transactional_db", "live_server", "celery_worker"} & set(
            names
        )
        if uses_flush and "django_db_serialized_rollback" not in names:
            names.append("django_db_serialized_rollback")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the run, end connections that worker or server threads left open, so the per-run
    test database can be dropped instead of piling up."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
