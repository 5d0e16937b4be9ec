"""Any OpenAI-compatible chat-completions endpoint: OpenAI, Azure OpenAI, DeepSeek, Qwen, Ollama,
vLLM, llama.cpp servers.

Servers differ in how they take a JSON schema. We try `response_format: json_schema`; a 400
naming response_format drops to `json_object` (llama-cpp-python's server reads a `schema` key
there), then to no response_format with the schema in the system prompt. The mode that worked
is cached per base URL in Redis. Whatever the mode, the caller validates the answer itself.

The openai client's own retries are off (max_retries=0): ours are counted, use full jitter, and
feed the per-endpoint circuit breaker that all workers share.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from urllib.parse import urlsplit

import openai

from apps.ai import conf
from apps.ai.resilience import MODES, CircuitBreaker, backoff_delay, mode_get, mode_set

from .base import (
    CircuitOpen,
    GenerationError,
    GenerationRequest,
    GenerationResult,
    TransientError,
)

logger = logging.getLogger(__name__)
_clients: dict[tuple[str, str], openai.OpenAI] = {}
_clients_lock = threading.Lock()
SCHEMA_INSTRUCTION = (
    "Answer with exactly one JSON object and nothing else (no prose, no code fence). It must "
    "validate against this JSON Schema:\n{schema}"
)


class _ModeRejected(Exception):
    """The server does not understand the response_format we sent."""


def _client(base_url: str, api_key: str) -> openai.OpenAI:
    with _clients_lock:
        client = _clients.get((base_url, api_key))
        if client is None:
            client = openai.OpenAI(base_url=base_url, api_key=api_key or "none", max_retries=0)
            _clients[(base_url, api_key)] = client
        return client


def _retry_after(exc: openai.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after") if exc.response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class OpenAICompatibleBackend:
    def __init__(self, *, base_url: str, api_key: str, model: str):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.provider = "openai" if self.host.endswith("api.openai.com") else "openai-compatible"

    def generate(self, request: GenerationRequest) -> GenerationResult:
        breaker = CircuitBreaker(self.base_url)
        max_retries = int(conf.get("CROSSBORDER_LLM_MAX_RETRIES"))
        failures = 0
        while True:
            if not breaker.allow():
                raise CircuitOpen(
                    f"The model endpoint {self.host} failed repeatedly; it is paused until its "
                    "cool-down passes (circuit open)."
                )
            mode = mode_get(self.base_url)
            try:
                result = self._call(request, mode)
            except _ModeRejected:
                fallback = MODES[MODES.index(mode) + 1]
                logger.info("%s rejects response_format %s; using %s", self.host, mode, fallback)
                mode_set(self.base_url, fallback)
                continue
            except TransientError as exc:
                breaker.record_failure()
                failures += 1
                if failures > max_retries:
                    raise TransientError(
                        f"{exc.reason} Gave up after {failures} attempts."
                    ) from exc
                time.sleep(backoff_delay(failures, exc.retry_after))
                continue
            breaker.record_success()
            return result

    def _payload(self, request: GenerationRequest, mode: str) -> dict:
        messages = request.chat_messages()
        schema_text = json.dumps(request.schema, ensure_ascii=False)
        max_tokens = request.max_tokens or conf.get("CROSSBORDER_LLM_MAX_TOKENS")
        kwargs: dict = {"model": self.model, "temperature": request.temperature,
                        "max_tokens": max_tokens}  # fmt: skip
        if mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.kind, "schema": request.schema, "strict": False},
            }
        else:
            messages[0] = {"role": "system", "content": messages[0]["content"] + "\n\n"
                           + SCHEMA_INSTRUCTION.format(schema=schema_text)}  # fmt: skip
            if mode == "json_object":
                kwargs["response_format"] = {"type": "json_object", "schema": request.schema}
        kwargs["messages"] = messages
        return kwargs

    def _call(self, request: GenerationRequest, mode: str) -> GenerationResult:
        timeout = float(conf.get("CROSSBORDER_LLM_TIMEOUT"))
        try:
            response = _client(self.base_url, self.api_key).chat.completions.create(
                **self._payload(request, mode), timeout=timeout
            )
        except openai.APITimeoutError as exc:
            raise TransientError(f"The model did not answer within {timeout:g} s.") from exc
        except openai.APIConnectionError as exc:
            raise TransientError(f"Could not reach the model endpoint {self.host}.") from exc
        except openai.APIStatusError as exc:
            raise self._status_error(exc, mode) from exc
        except openai.APIError as exc:  # a malformed body and the like: not worth a retry
            raise GenerationError(f"The model endpoint gave an unusable answer: {exc}") from exc
        if not response.choices:
            raise GenerationError("The model returned no choices.")
        raw = response.choices[0].message.content or ""
        usage = response.usage
        tokens_in = (usage.prompt_tokens if usage else 0) or 0
        tokens_out = (usage.completion_tokens if usage else 0) or 0
        return GenerationResult(
            raw=raw, provider=self.provider, model=response.model or self.model,
            prompt_version=request.prompt_version, tokens_in=tokens_in, tokens_out=tokens_out,
            cost=conf.cost_of(self.model, tokens_in, tokens_out), currency=conf.PRICE_CURRENCY,
            mode=mode,
        )  # fmt: skip

    def _status_error(self, exc: openai.APIStatusError, mode: str) -> Exception:
        status = exc.status_code
        message = str(exc.message or "")[:300]
        if status == 429:
            return TransientError("The model endpoint is rate limiting (429).", _retry_after(exc))
        if status >= 500 or status == 408:
            return TransientError(f"The model endpoint failed ({status}).")
        lowered = message.lower()
        if (
            status in (400, 422)
            and mode != "prompt"
            and (
                "response_format" in lowered or "json_schema" in lowered or "json_object" in lowered
            )
        ):
            return _ModeRejected(message)
        return GenerationError(f"The model endpoint refused the request ({status}): {message}")
