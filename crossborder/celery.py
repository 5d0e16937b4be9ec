"""The Celery app: Redis broker and result backend, JSON only, queues default / ai / pricing.

Configuration lives in Django settings under the CELERY_ namespace (crossborder/settings/base.py).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings.local")

app = Celery("crossborder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
