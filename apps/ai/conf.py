"""Tunables of the AI layer, read at call time so tests can override them with `settings`.

Each may be set in Django settings; the defaults suit a hosted OpenAI-compatible endpoint.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "CROSSBORDER_LLM_TIMEOUT": 60.0,  # seconds per request
    "CROSSBORDER_LLM_MAX_RETRIES": 3,  # retries after the first attempt, on 429/5xx/timeouts
    "CROSSBORDER_LLM_BACKOFF_BASE": 0.5,  # seconds; doubles each retry, plus full jitter
    "CROSSBORDER_LLM_BACKOFF_MAX": 20.0,
    "CROSSBORDER_LLM_BREAKER_THRESHOLD": 5,  # consecutive failures that open the circuit
    "CROSSBORDER_LLM_BREAKER_COOLDOWN": 30.0,  # seconds open before one probe is let through
    "CROSSBORDER_LLM_MODE_TTL": 24 * 3600,  # how long a detected response_format mode is kept
    "CROSSBORDER_LLM_MAX_TOKENS": 1500,
    "CROSSBORDER_LLM_PRICES": {},  # model -> (input, output) per 1M tokens, overrides PRICES
    # Targets per Celery task: a multiple of the concurrency, so no slot idles at a batch's end.
    "CROSSBORDER_AI_BATCH_SIZE": 48,
    "CROSSBORDER_AI_CONCURRENCY": 8,  # requests in flight per worker
    "CROSSBORDER_PROMPT_VERSIONS": {},
    # The configured model reads pictures (OpenAI image parts): kinds that have photos attach
    # them (photo_facts); off, they send only what the offline readers found.
    "CROSSBORDER_LLM_VISION": False,  # kind -> pinned version ("v1"); default: the newest
}

# USD per 1M tokens (input, output), public list prices; local and unknown models cost 0.
PRICES: dict[str, tuple[Decimal, Decimal]] = {
    "gpt-4o": (Decimal("2.50"), Decimal("10.00")),
    "gpt-4o-mini": (Decimal("0.15"), Decimal("0.60")),
    "gpt-4.1": (Decimal("2.00"), Decimal("8.00")),
    "gpt-4.1-mini": (Decimal("0.40"), Decimal("1.60")),
    "gpt-4.1-nano": (Decimal("0.10"), Decimal("0.40")),
    "deepseek-chat": (Decimal("0.27"), Decimal("1.10")),
    "qwen-plus": (Decimal("0.40"), Decimal("1.20")),
    "qwen-turbo": (Decimal("0.05"), Decimal("0.20")),
}
PRICE_CURRENCY = "USD"


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def price_of(model: str) -> tuple[Decimal, Decimal]:
    table = {**PRICES, **{k: (Decimal(str(a)), Decimal(str(b)))
                          for k, (a, b) in get("CROSSBORDER_LLM_PRICES").items()}}  # fmt: skip
    return table.get(model, (Decimal("0"), Decimal("0")))


def cost_of(model: str, tokens_in: int, tokens_out: int) -> Decimal:
    price_in, price_out = price_of(model)
    cost = (price_in * tokens_in + price_out * tokens_out) / Decimal(1_000_000)
    return cost.quantize(Decimal("0.000001"))
