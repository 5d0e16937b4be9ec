"""Development settings: DEBUG on, embedded PostgreSQL/Redis when no URLs are given."""

from __future__ import annotations

import os

from crossborder import devservices

from .base import *  # noqa: F403
from .base import configure_services

DEBUG = os.environ.get("DJANGO_DEBUG", "1").lower() in {"1", "true", "yes", "on"}

devservices.ensure_environ()
globals().update(configure_services(os.environ["DATABASE_URL"], os.environ["REDIS_URL"]))
