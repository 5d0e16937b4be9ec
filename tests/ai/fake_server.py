"""A scripted server that speaks the OpenAI chat-completions wire format, on 127.0.0.1.

For tests and benchmarks: each POST /v1/chat/completions is answered by a `responder`
(request body, 1-based request number) → Reply. It records every request body (and its path
in `paths`), so a test can count retries and read what was sent. The images endpoint
(POST /v1/images/generations) is served the same way: answer it with `Reply.image(png)`.

    with FakeLLMServer(scripted(Reply.error(429), Reply.json({...}))) as server:
        settings.OPENAI_BASE_URL = server.url
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    content: str | None = None  # the assistant message; None with a non-200 status
    body: dict | None = None  # a raw JSON body instead of a completion
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    tokens_in: int = 120
    tokens_out: int = 80
    drop: bool = False  # close the connection without an answer (a server that died)

    @classmethod
    def json(cls, data: Any, **kwargs: Any) -> Reply:
        return cls(content=json.dumps(data, ensure_ascii=False), **kwargs)

    @classmethod
    def image(cls, data: bytes, **kwargs: Any) -> Reply:
        """An images/generations answer carrying `data` as base64 (gpt-image-1's shape)."""
        import base64

        body = {"created": int(time.time()),
                "data": [{"b64_json": base64.b64encode(data).decode(), "revised_prompt": ""}],
                "usage": {"total_tokens": 0, "input_tokens": 0, "output_tokens": 0}}  # fmt: skip
        return cls(body=body, **kwargs)

    @classmethod
    def error(cls, status: int, message: str = "", **kwargs: Any) -> Reply:
        body = {"error": {"message": message or f"error {status}", "type": "server_error",
                          "code": status}}  # fmt: skip
        return cls(status=status, body=body, **kwargs)


Responder = Callable[[dict, int], Reply]


def scripted(*replies: Reply) -> Responder:
    """Answer with the replies in order; the last one repeats."""

    def respond(_body: dict, n: int) -> Reply:
        return replies[min(n, len(replies)) - 1]

    return respond


def completion_body(reply: Reply, model: str) -> dict:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": reply.content}}],
        "usage": {"prompt_tokens": reply.tokens_in, "completion_tokens": reply.tokens_out,
                  "total_tokens": reply.tokens_in + reply.tokens_out},
    }  # fmt: skip


# --- llama-cpp-python's server (llama_cpp/server, 0.3.x) ------------------------------------------
# Its request model types `response_format` as {"type": Literal["text", "json_object"],
# "schema": ...} (llama_cpp/llama_types.py), so FastAPI refuses `json_schema` with a
# RequestValidationError; its RouteErrorHandler (llama_cpp/server/errors.py) turns every
# exception it has no pattern for into HTTP 500, {"error": {"message": str(exc), "type":
# "internal_server_error", "param": None, "code": None}}. str(exc) is FastAPI's rendering of
# the pydantic error list (fastapi/exceptions.py, ValidationException.__str__), captured from
# llama-cpp-python 0.3.36 with FastAPI 0.165 (`make test-llm-local`), only the venv's path
# shortened.
LLAMA_CPP_PYTHON_JSON_SCHEMA_REFUSAL = (
    "1 validation error:\n"
    "  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
    "'ctx': {'expected': \"'text' or 'json_object'\"}}\n"
    "\n"
    '  File "/srv/.venv/lib/python3.11/site-packages/llama_cpp/server/app.py", line 376, in '
    "create_chat_completion\n"
    "    POST /v1/chat/completions"
)


def _bounds(schema: Any) -> list[int]:
    if isinstance(schema, dict):
        own = [
            v for k, v in schema.items() if k in ("maxLength", "maxItems") and isinstance(v, int)
        ]
        return own + [b for v in schema.values() for b in _bounds(v)]
    if isinstance(schema, list):
        return [b for v in schema for b in _bounds(v)]
    return []


def llama_cpp_python(answer: Responder) -> Responder:
    """Answer like llama-cpp-python's OpenAI-compatible server: a `response_format` type other
    than text or json_object gets its HTTP 500; a json_object schema whose grammar llama.cpp
    cannot parse (a maxLength in the thousands: "failed to parse grammar") kills the server
    mid-request, as 0.3.36 does; anything else is answered by `answer`."""

    def respond(body: dict, n: int) -> Reply:
        if max(_bounds((body.get("response_format") or {}).get("schema")), default=0) > 1000:
            return Reply(drop=True)
        kind = (body.get("response_format") or {}).get("type")
        if kind is not None and kind not in ("text", "json_object"):
            message = LLAMA_CPP_PYTHON_JSON_SCHEMA_REFUSAL.replace("'json_schema'", repr(kind))
            return Reply(status=500, body={"error": {"message": message,
                                                     "type": "internal_server_error",
                                                     "param": None, "code": None}})  # fmt: skip
        return answer(body, n)

    return respond


class FakeLLMServer:
    def __init__(self, responder: Responder):
        self.responder = responder
        self.requests: list[dict] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(body)
                    server.paths.append(self.path)
                    n = len(server.requests)
                reply = server.responder(body, n)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    return
                payload = reply.body if reply.body is not None else completion_body(
                    reply, body.get("model", "fake"))  # fmt: skip
                data = json.dumps(payload).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeLLMServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def fake_llm_servers(
    settings, *, max_retries: int
) -> Iterator[Callable[[Responder], FakeLLMServer]]:
    """Yield `start(responder)`: starts a FakeLLMServer and points the AI settings at it (fast
    retries, a wide breaker); every server started is stopped on exit. The AI, ads and
    support fixtures share it."""
    settings.CROSSBORDER_LLM_BACKOFF_BASE = 0.001
    settings.CROSSBORDER_LLM_BACKOFF_MAX = 0.01
    settings.CROSSBORDER_LLM_TIMEOUT = 5
    settings.CROSSBORDER_LLM_MAX_RETRIES = max_retries
    settings.CROSSBORDER_LLM_BREAKER_THRESHOLD = 50
    servers: list[FakeLLMServer] = []

    def start(responder: Responder) -> FakeLLMServer:
        server = FakeLLMServer(responder).__enter__()
        servers.append(server)
        settings.OPENAI_BASE_URL = server.url
        settings.OPENAI_API_KEY = "test-key"
        settings.CROSSBORDER_LLM_MODEL = "gpt-4o-mini"
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.__exit__(None, None, None)
