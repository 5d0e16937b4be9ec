"""Fail fast, in one line, when PostgreSQL or Redis cannot be reached.

Why: a stack trace from psycopg2 or kombu buried in the output of `make run` tells a seller's IT
person nothing; "cannot reach PostgreSQL at postgres://app:***@db:5432/crossborder — is it
running?" does.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += ":***"
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{'@' if auth else ''}{host}{port}/{db.get('NAME')}"


class Command(BaseCommand):
    help = "Check that PostgreSQL and Redis answer; print one clear line and exit 1 if not."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds to keep trying")

    def handle(self, *args, timeout: float, **options):
        deadline = time.monotonic() + timeout
        self._wait(self._check_database, deadline)
        self._wait(self._check_redis, deadline)
        self.stdout.write(
            f"PostgreSQL at {_database_url()} and Redis at "
            f"{mask_url(settings.REDIS_URL)} are reachable."
        )

    def _wait(self, check, deadline: float) -> None:
        while True:
            error = check()
            if error is None:
                return
            if time.monotonic() >= deadline:
                raise CommandError(error)
            time.sleep(0.5)

    def _check_database(self) -> str | None:
        try:
            connection.ensure_connection()
        except OperationalError as exc:
            connection.close()
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return (
                f"Cannot reach PostgreSQL at {_database_url()} ({reason}). Is the server running "
                "and DATABASE_URL right? Unset DATABASE_URL to use the embedded server."
            )
        return None

    def _check_redis(self) -> str | None:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            return (
                f"Cannot reach Redis at {mask_url(settings.REDIS_URL)} ({exc}). Is the server "
                "running and REDIS_URL right? Unset REDIS_URL to use the embedded server."
            )
        return None
