"""Run the web server, a Celery worker and Celery beat together in the foreground.

Ctrl-C (SIGINT) or SIGTERM stops all three; if one of them exits, the others are stopped too,
so `make run` never leaves a half-running platform behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = os.environ.get("CROSSBORDER_HOST", "127.0.0.1")
PORT = os.environ.get("CROSSBORDER_PORT", "8000")

COMMANDS = {
    "web": [sys.executable, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
    "worker": [
        str(VENV_BIN / "celery"),
        "-A",
        "crossborder",
        "worker",
        "-Q",
        "default,ai,pricing",
        "--concurrency",
        os.environ.get("CELERY_CONCURRENCY", "2"),
        "-l",
        "info",
        "-n",
        "worker@%h",
    ],
    "beat": [
        str(VENV_BIN / "celery"),
        "-A",
        "crossborder",
        "beat",
        "-l",
        "info",
        "-s",
        str(ROOT / ".data" / "celerybeat-schedule"),
    ],
}
# The demo store's relay mailbox (apps/support), served locally when Dovecot is installed.
if shutil.which("dovecot") or Path("/usr/sbin/dovecot").exists():
    COMMANDS["imap"] = [sys.executable, "manage.py", "support_demo_imap"]


def main() -> int:
    procs: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, cmd in COMMANDS.items():
        # Own process groups: we decide when children stop, and stop them in order.
        procs[name] = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    print(f"crossborder is running on http://{HOST}:{PORT}/  (Ctrl-C stops web, worker and beat)")
    print("Demo log-ins (password demo12345): owner, manager, reviewer, viewer, admin")
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}; stopping the others.")
                exit_code = proc.returncode or 1
                stopping = True
                break
        time.sleep(0.5)
    for proc in procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    print("Stopped web, worker and beat.")
    return exit_code


if __name__ == "__main__":
    raise SystemExit(main())
