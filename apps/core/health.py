"""Reachability of the three things the platform needs: PostgreSQL, Redis and a Celery worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.db import connection


def _timed(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.monotonic()
    try:
        result = {"ok": True, **check()}
    except Exception as exc:
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_redis() -> dict[str, Any]:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    client.ping()
    return {}


def check_worker() -> dict[str, Any]:
    from crossborder.celery import app

    # One answer is enough to know work gets done; don't wait out the timeout for more.
    replies = app.control.ping(timeout=settings.HEALTH_WORKER_TIMEOUT, limit=1)
    if not replies:
        raise RuntimeError("no Celery worker answered a ping")
    return {"workers": sorted(name for reply in replies for name in reply)}


def health_report() -> tuple[bool, dict[str, Any]]:
    checks = {"database": _timed(check_database), "redis": _timed(check_redis)}
    if checks["redis"]["ok"]:
        checks["worker"] = _timed(check_worker)
    else:
        checks["worker"] = {"ok": False, "error": "unknown: the broker (Redis) is unreachable"}
    healthy = all(c["ok"] for c in checks.values())
    return healthy, {"status": "ok" if healthy else "unavailable", "checks": checks}
