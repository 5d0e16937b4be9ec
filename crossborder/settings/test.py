"""Test settings: always real PostgreSQL and Redis (embedded ones when no URLs are given)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from crossborder import devservices

from .base import *  # noqa: F403
from .base import configure_services

devservices.ensure_environ()
# The tests share the Redis server with a developer's `make run`: use another database number,
# so a running dev worker never takes a test's task (and flushing it loses no dev data).
# Each test process gets its own test database and (most likely) its own Redis database, so
# two test runs on one machine (developers, CI, parallel agents) never trample each other.
_RUN = os.getpid()
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL") or urlunsplit(
    urlsplit(os.environ["REDIS_URL"])._replace(path=f"/{8 + _RUN % 8}")
)
globals().update(configure_services(os.environ["DATABASE_URL"], TEST_REDIS_URL))
DATABASES["default"]["TEST"] = {"NAME": f"test_crossborder_{_RUN}"}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "cb-test"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {  # no manifest needed to render templates in tests
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
HEALTH_WORKER_TIMEOUT = 0.5
# Serve static files from the app folders: tests need no collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A demo seeder that fails is a bug in tests; `make run` skips that app's demo instead.
DEMO_SEED_STRICT = True
# Per-key rate limits stay on but out of the way; tests of the limiter override it.
API_RATE_LIMIT = "100000/min"
# Tests change keys with queryset updates (no signal); the cache has its own tests.
API_KEY_CACHE_SECONDS = 0
