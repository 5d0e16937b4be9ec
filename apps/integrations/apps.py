from __future__ import annotations

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """The generic import engine (tabular pipeline, ImportRun) and one folder per file format.
    Knows no domain model: domain apps call it with their column maps and row handlers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from apps.core.events import event_sink_register

        from .webhooks import webhook_events_emit

        # Every announced event lands in the webhook outbox, in the announcing transaction.
        event_sink_register(webhook_events_emit)
