"""Every beat entry names a task the worker knows: a typo would only show as a log line."""

from __future__ import annotations

from django.conf import settings


def test_every_beat_entry_names_a_registered_task():
    from crossborder.celery import app

    app.loader.import_default_modules()  # the apps' tasks modules, as a worker loads them
    missing = [
        (name, entry["task"])
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] not in app.tasks
    ]
    assert missing == []
    assert "apps.ads.tasks.search_term_uploads_purge_task" in app.tasks
