"""Production settings pass Django's deployment checklist; service errors are one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.core.management.commands.wait_for_services import mask_url

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_with_production_settings_reports_no_warnings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crossborder.settings.production",
        "DJANGO_SECRET_KEY": "x7#-a-long-random-production-secret-key-with-entropy-9f2kq1z8",
        "DJANGO_ALLOWED_HOSTS": "seller.example.com",
        "DATABASE_URL": "postgres://app:secret@db.example.com:5432/crossborder",
        "REDIS_URL": "redis://redis.example.com:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_mask_url_hides_the_password():
    assert mask_url("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"
    assert mask_url("postgres://app:pw@db/x") == "postgres://app:***@db/x"
    assert mask_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


@pytest.mark.django_db
def test_unreachable_redis_gives_one_clear_line_with_the_masked_url(settings):
    settings.REDIS_URL = "redis://:hunter2@127.0.0.1:1/0"
    with pytest.raises(CommandError) as excinfo:
        call_command("wait_for_services", timeout=0)
    message = str(excinfo.value)
    assert "Cannot reach Redis at redis://:***@127.0.0.1:1/0" in message
    assert "hunter2" not in message
    assert "\n" not in message
    assert "Unset REDIS_URL" in message


def test_unreachable_postgres_gives_one_clear_line():
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://app:hunter2@127.0.0.1:1/crossborder",
        "DJANGO_SETTINGS_MODULE": "crossborder.settings.local",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "wait_for_services", "--timeout", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Cannot reach PostgreSQL at postgres://app:***@127.0.0.1:1/crossborder" in lines[0]
    assert "hunter2" not in result.stderr
