"""Per-API-key rate limits: one atomic Redis counter per key and window → 429 + Retry-After.

A fixed window (`API_RATE_LIMIT`, e.g. "1200/min"): the first request of a window creates the
counter with the window's TTL; INCR and EXPIRE run in one Lua script, so concurrent workers
never lose a count nor leave a counter without expiry. A key may carry its own limit
(`ApiKey.rate_limit_per_minute`). Dashboard sessions are not limited here. If Redis is down the
request is let through (rate limiting must not take the API down with it) and a warning logged.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

from django.conf import settings
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
"""
_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
            "hour": 3600}  # fmt: skip


def parse_rate(rate: str) -> tuple[int, int]:
    """'1200/min' → (1200, 60)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip().lower()]


@lru_cache(maxsize=1)
def _client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def rate_limit_hit(bucket: str, *, limit: int, window: int) -> tuple[bool, int, int]:
    """Count one request of `bucket`: (allowed, remaining, seconds until the window resets)."""
    client = _client(settings.REDIS_URL)
    window_start = int(time.time()) // window
    key = f"cb:rl:{bucket}:{window}:{window_start}"
    count, ttl = client.eval(_SCRIPT, 1, key, window)
    return int(count) <= limit, max(0, limit - int(count)), max(1, int(ttl))


class ApiKeyRateThrottle(BaseThrottle):
    """DRF throttle (DEFAULT_THROTTLE_CLASSES): limits requests authenticated by an API key."""

    def allow_request(self, request, view) -> bool:
        from apps.accounts.models import ApiKey

        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        limit, window = parse_rate(getattr(settings, "API_RATE_LIMIT", "1200/min"))
        own = getattr(key, "rate_limit_per_minute", None)
        if own:
            limit, window = int(own), 60
        try:
            allowed, remaining, reset = rate_limit_hit(
                f"key:{key.prefix}", limit=limit, window=window
            )
        except Exception:
            logger.warning("rate limiter unavailable; request let through", exc_info=True)
            return True
        self._wait = reset
        request._request.rate_limit = (limit, remaining, reset)
        return allowed

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)
