"""Shared state of remote endpoints, kept in Redis so every worker on every machine agrees:
the circuit breaker per endpoint (what each endpoint accepts is apps/ai/capabilities.py).
Also the retry pause (exponential backoff with full jitter).
"""

from __future__ import annotations

import hashlib
import random
import threading

import redis
from django.conf import settings

from . import conf

_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}


def redis_client() -> redis.Redis:
    url = settings.REDIS_URL
    with _lock:
        if url not in _clients:
            _clients[url] = redis.Redis.from_url(url, socket_timeout=5, decode_responses=True)
        return _clients[url]


def key(*parts: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "cb")
    return ":".join((prefix, "ai", *parts))


def endpoint_id(base_url: str) -> str:
    return hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:16]


def backoff_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds before retry `attempt` (1-based): full jitter over base·2^(attempt-1), capped.

    A server's Retry-After wins when it asks for longer (still capped).
    """
    cap = float(conf.get("CROSSBORDER_LLM_BACKOFF_MAX"))
    base = float(conf.get("CROSSBORDER_LLM_BACKOFF_BASE"))
    delay = random.uniform(0, min(cap, base * 2 ** (attempt - 1)))
    if retry_after is not None:
        delay = max(delay, min(cap, retry_after))
    return delay


class CircuitBreaker:
    """Closed → open after N consecutive failures → half-open after the cool-down.

    Half-open lets exactly one probe through (SET NX); its success closes the circuit, its
    failure opens it again for another cool-down. Keys expire, so a forgotten endpoint leaves
    nothing behind.
    """

    def __init__(self, base_url: str):
        self.id = endpoint_id(base_url)
        self.r = redis_client()
        self.failures_key = key("circuit", self.id, "failures")
        self.open_key = key("circuit", self.id, "open")
        self.probe_key = key("circuit", self.id, "probe")

    @property
    def threshold(self) -> int:
        return int(conf.get("CROSSBORDER_LLM_BREAKER_THRESHOLD"))

    @property
    def cooldown_ms(self) -> int:
        return max(1, int(float(conf.get("CROSSBORDER_LLM_BREAKER_COOLDOWN")) * 1000))

    def allow(self) -> bool:
        if self.r.exists(self.open_key):
            return False
        if int(self.r.get(self.failures_key) or 0) >= self.threshold:
            return bool(self.r.set(self.probe_key, "1", nx=True, px=self.cooldown_ms))
        return True

    def record_success(self) -> None:
        self.r.delete(self.failures_key, self.open_key, self.probe_key)

    def record_failure(self) -> None:
        pipe = self.r.pipeline()
        pipe.incr(self.failures_key)
        pipe.expire(self.failures_key, 24 * 3600)
        failures = pipe.execute()[0]
        if failures >= self.threshold:
            self.r.set(self.open_key, "1", px=self.cooldown_ms)
            self.r.delete(self.probe_key)

    def state(self) -> str:
        if self.r.exists(self.open_key):
            return "open"
        if int(self.r.get(self.failures_key) or 0) >= self.threshold:
            return "half-open"
        return "closed"
