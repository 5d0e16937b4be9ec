"""Production settings: every secret and service comes from the environment; nothing embedded."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import configure_services, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
globals().update(configure_services(env("DATABASE_URL"), env("REDIS_URL")))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
