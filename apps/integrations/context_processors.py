from __future__ import annotations


def webhook_notice(request) -> dict:
    """`disabled_webhooks`: the organization's subscriptions disabled after repeated failures,
    for the notice every dashboard page shows (queried only when a page renders it)."""
    org = getattr(request, "org", None)
    if org is None:
        return {}

    def disabled():
        from .selectors import webhook_subscriptions_disabled

        return webhook_subscriptions_disabled(org=org)

    return {"disabled_webhooks": disabled}
