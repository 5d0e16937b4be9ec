"""Adapters to other apps' functions (CONTRACTS.md), imported lazily: None means the provider
is not set up yet, and the page says so plainly instead of counting it as zero questions."""

from __future__ import annotations


def product_questions(*, org, product_id: int, limit: int = 50) -> list[str] | None:
    """Buyers' product questions from the support inbox (apps/support), or None if unavailable."""
    try:
        from apps.support.selectors import product_questions as provider
    except (ImportError, AttributeError):
        return None
    try:
        return list(provider(org=org, product_id=product_id, limit=limit))
    except (ImportError, AttributeError, LookupError):
        return None


def unavailable_note() -> str:
    return "apps.support"
