from __future__ import annotations

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """The generic import engine (tabular pipeline, ImportRun) and one folder per file format.
    Knows no domain model: domain apps call it with their column maps and row handlers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.integrations"
    label = "integrations"
    verbose_name = "Integrations"
