"""Test settings: always real PostgreSQL and Redis (embedded ones when no URLs are given)."""

from __future__ import annotations

import os

from crossborder import devservices

from .base import *  # noqa: F403
from .base import configure_services

devservices.ensure_environ()
globals().update(configure_services(os.environ["DATABASE_URL"], os.environ["REDIS_URL"]))
# The test process shares Redis with a developer's `make run`: keep its keys apart.
CACHES["default"]["KEY_PREFIX"] = "cb-test"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {  # no manifest needed to render templates in tests
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
HEALTH_WORKER_TIMEOUT = 0.5
