"""Any OpenAI-compatible chat-completions endpoint: OpenAI, Azure OpenAI, DeepSeek, Qwen, Ollama,
vLLM, llama.cpp servers (llama-server and llama-cpp-python's).

Servers differ in what they accept. We send `response_format: json_schema` first; an answer
that refuses a request feature (judged by its body, whatever its status: llama-cpp-python says
so with a 500) is a capability answer, not an outage: the request goes again without that
feature (json_schema → json_object → the schema in the prompt; no temperature;
max_completion_tokens) and the endpoint is remembered with the reason (apps/ai/capabilities).
Whatever the mode, the caller validates the answer itself.

The openai client's own retries are off (max_retries=0): ours are counted, use full jitter, and
feed the per-endpoint circuit breaker that all workers share; only real failures (429, 5xx
that refuse nothing, timeouts, connection errors) count there.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from urllib.parse import urlsplit

import openai

from apps.ai import conf
from apps.ai.capabilities import (
    Capabilities,
    Rejection,
    apply,
    capabilities_get,
    capabilities_set,
    feature_rejection,
    grammar_schema,
)
from apps.ai.resilience import CircuitBreaker, backoff_delay

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
MAX_REFUSALS = 6  # features a request can drop: 2 response_format steps, temperature, max_tokens
SCHEMA_INSTRUCTION = (
    "Answer with exactly one JSON object and nothing else (no prose, no code fence). It must "
    "validate against this JSON Schema:\n{schema}"
)


class _FeatureRejected(Exception):
    """The server refuses a feature of the request (a capability answer, not an outage)."""

    def __init__(self, rejection: Rejection, status: int, body: str, reason: str):
        super().__init__(rejection.feature)
        self.rejection, self.status, self.body, self.reason = rejection, status, body, reason


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
        failures = refusals = 0
        while True:
            if not breaker.allow():
                raise CircuitOpen(
                    f"The model endpoint {self.host} failed repeatedly; it is paused until its "
                    "cool-down passes (circuit open)."
                )
            caps = capabilities_get(self.base_url)
            try:
                result = self._call(request, caps)
            except _FeatureRejected as exc:
                refusals += 1
                if refusals > MAX_REFUSALS:  # another worker keeps resetting it, say
                    raise GenerationError(
                        f"The model endpoint {self.host} refuses "
                        f"{exc.rejection.feature}: {exc.body[:300]}"
                    ) from exc
                logger.info("%s refuses %s (%s); now: %s", self.host, exc.rejection.feature,
                            exc.status, exc.rejection.change)  # fmt: skip
                caps = apply(caps, exc.rejection, status=exc.status, body=exc.reason)
                capabilities_set(self.base_url, caps)
                breaker.record_success()  # it answered: up, and a half-open probe may go again
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

    def _payload(self, request: GenerationRequest, caps: Capabilities) -> dict:
        messages = request.chat_messages()
        schema_text = json.dumps(request.schema, ensure_ascii=False)
        max_tokens = request.max_tokens or conf.get("CROSSBORDER_LLM_MAX_TOKENS")
        kwargs: dict = {"model": self.model, caps.max_tokens_key: max_tokens}
        if "temperature" not in caps.omit:
            kwargs["temperature"] = request.temperature
        if caps.mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.kind, "schema": request.schema, "strict": False},
            }
        else:
            messages[0] = {"role": "system", "content": messages[0]["content"] + "\n\n"
                           + SCHEMA_INSTRUCTION.format(schema=schema_text)}  # fmt: skip
            if caps.mode == "json_object":
                kwargs["response_format"] = {"type": "json_object",
                                             "schema": grammar_schema(request.schema)}  # fmt: skip
        kwargs["messages"] = messages
        return kwargs

    def _call(self, request: GenerationRequest, caps: Capabilities) -> GenerationResult:
        timeout = float(conf.get("CROSSBORDER_LLM_TIMEOUT"))
        payload = self._payload(request, caps)
        try:
            response = _client(self.base_url, self.api_key).chat.completions.create(
                **payload, timeout=timeout
            )
        except openai.APITimeoutError as exc:
            raise TransientError(f"The model did not answer within {timeout:g} s.") from exc
        except openai.APIConnectionError as exc:
            raise TransientError(f"Could not reach the model endpoint {self.host}.") from exc
        except openai.APIStatusError as exc:
            raise self._status_error(exc, caps, payload) from exc
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
            mode=caps.mode,
        )  # fmt: skip

    def _status_error(self, exc: openai.APIStatusError, caps: Capabilities,
                      sent: dict) -> Exception:  # fmt: skip
        status = exc.status_code
        body = _body_text(exc)
        rejection = feature_rejection(status, body, caps, sent)
        if rejection is not None:
            message = exc.body.get("message") if isinstance(exc.body, dict) else None
            reason = message if isinstance(message, str) and message else body
            return _FeatureRejected(rejection, status, body, reason)
        message = " ".join(str(exc.message or "").split())[:300]
        if status == 429:
            return TransientError("The model endpoint is rate limiting (429).", _retry_after(exc))
        if status >= 500 or status == 408:
            return TransientError(f"The model endpoint failed ({status}).")
        return GenerationError(f"The model endpoint refused the request ({status}): {message}")


def _body_text(exc: openai.APIStatusError) -> str:
    """The error answer's body as text (the openai client keeps the `error` object)."""
    if exc.body is not None:
        try:
            return json.dumps(exc.body, ensure_ascii=False)
        except (TypeError, ValueError):
            return str(exc.body)
    try:
        return exc.response.text if exc.response is not None else str(exc.message or "")
    except Exception:  # a streamed or closed response
        return str(exc.message or "")
