"""Webhook deliveries: the enqueued batch after a commit, and the per-minute sweep of due ones
(retries after backoff, and any delivery whose enqueue was lost)."""

from __future__ import annotations

from celery import shared_task

from .webhooks import webhook_deliver, webhook_due_ids


@shared_task(name="apps.integrations.tasks.webhooks_send_task", ignore_result=True)
def webhooks_send_task(delivery_ids: list[int]) -> int:
    sent = 0
    for delivery_id in delivery_ids:
        if webhook_deliver(int(delivery_id)) is not None:
            sent += 1
    return sent


@shared_task(name="apps.integrations.tasks.webhooks_send_due_task", ignore_result=True)
def webhooks_send_due_task() -> int:
    ids = webhook_due_ids()
    for start in range(0, len(ids), 50):
        webhooks_send_task.delay(ids[start : start + 50])
    return len(ids)
