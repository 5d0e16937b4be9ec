"""What each OpenAI-compatible endpoint accepts, learnt from its own refusals and kept in Redis
(shared by every worker), with the reason, so operators can see why an endpoint is driven the
way it is (`endpoint_capabilities`, shown in the admin's AI settings).

Servers differ: llama-cpp-python 0.3.x answers `response_format: json_schema` with HTTP 500
and a validation message saying only 'text' or 'json_object' are accepted; others answer 400
or 422, name `response_format`, or refuse `temperature` or `max_tokens` on some models. An
answer that rejects a request feature is a capability answer, whatever its status: it is judged
by its body (`feature_rejection`), the request is sent again without that feature, and the
endpoint is remembered. It never counts as a failure for the retries or the circuit breaker,
which stay for real outages.

The response_format ladder: json_schema → json_object (with a `schema` key, which
llama-cpp-python turns into a grammar) → no response_format, the schema in the system prompt
and the JSON extracted from the text. Whatever the mode, the caller validates the answer.

The schema sent with json_object is `grammar_schema(schema)`: the shape without length and
count bounds. llama.cpp writes `maxLength: 2000` as 2000 nested grammar rules, its parser
refuses them ("number of rules that are going to be repeated … exceeds sane defaults"), and
llama-cpp-python 0.3.36 then dies mid-request, taking the server down. The bounds are still
checked on every answer (and fed back in the repair round).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone

from . import conf
from .resilience import endpoint_id, key, redis_client

MODES = ("json_schema", "json_object", "prompt")
# A body that names a feature and says it is not accepted. Markers of a refusal: what
# OpenAI, vLLM, Ollama, llama.cpp, llama-cpp-python (pydantic) and LiteLLM write.
_REFUSAL = re.compile(
    r"not supported|unsupported|not accepted|not allowed|not permitted|not implemented|"
    r"input should be|literal_error|extra_forbidden|extra inputs|unknown|unrecognized|"
    r"unexpected|invalid|must be|expected|only .{0,40}(are|is) (supported|accepted|allowed)|"
    r"does not support|doesn't support|cannot|can't|failed to (parse|convert)|"
    r"validation error",
    re.IGNORECASE,
)
_RESPONSE_FORMAT = re.compile(r"response_format|json_schema|json_object|\bschema\b", re.I)
_TEMPERATURE = re.compile(r"\btemperature\b", re.I)
_MAX_TOKENS = re.compile(r"\bmax_tokens\b", re.I)


_BOUNDS = frozenset({"maxLength", "minLength", "maxItems", "minItems", "pattern", "format"})


def grammar_schema(schema: Any) -> Any:
    """`schema` without the bounds that grammar-based servers turn into huge rule sets."""
    if isinstance(schema, dict):
        return {k: ({name: grammar_schema(sub) for name, sub in v.items()}
                    if k in ("properties", "$defs", "definitions") and isinstance(v, dict)
                    else grammar_schema(v))
                for k, v in schema.items() if k not in _BOUNDS}  # fmt: skip
    if isinstance(schema, list):
        return [grammar_schema(v) for v in schema]
    return schema


@dataclass
class Capabilities:
    """How to call one endpoint. `notes` say what was refused, when, and how it was answered."""

    mode: str = MODES[0]
    omit: list[str] = field(default_factory=list)  # request keys the endpoint refuses
    max_tokens_key: str = "max_tokens"
    notes: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: str | bytes | None) -> Capabilities:
        if not raw:
            return cls()
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        if raw in MODES:  # the plain mode string stored before reasons were kept
            return cls(mode=raw)
        try:
            data = json.loads(raw)
            caps = cls(mode=data.get("mode", MODES[0]), omit=list(data.get("omit", [])),
                       max_tokens_key=data.get("max_tokens_key", "max_tokens"),
                       notes=list(data.get("notes", [])))  # fmt: skip
        except (ValueError, TypeError, AttributeError):
            return cls()
        return caps if caps.mode in MODES else cls()


@dataclass(frozen=True)
class Rejection:
    """One refused feature and what to do instead."""

    feature: str  # "response_format=json_schema", "temperature", "max_tokens"
    change: str  # human-readable: what the next request does differently


def feature_rejection(status: int, body: str, caps: Capabilities, sent: dict) -> Rejection | None:
    """The feature an error answer refuses, judged by its body whatever the status (a 500
    from llama-cpp-python is a refusal when it says so), or None for a real failure."""
    if status in (401, 403, 404, 408, 429) or not _REFUSAL.search(body):
        return None
    if _MAX_TOKENS.search(body) and caps.max_tokens_key == "max_tokens" and "max_tokens" in sent:
        return Rejection("max_tokens", "max_completion_tokens instead of max_tokens")
    if _TEMPERATURE.search(body) and "temperature" in sent and "temperature" not in caps.omit:
        return Rejection("temperature", "the server's default temperature")
    if _RESPONSE_FORMAT.search(body) and "response_format" in sent and caps.mode != MODES[-1]:
        fallback = MODES[MODES.index(caps.mode) + 1]
        return Rejection(f"response_format={caps.mode}", f"response_format mode {fallback}")
    return None


def apply(caps: Capabilities, rejection: Rejection, *, status: int, body: str) -> Capabilities:
    """The endpoint's capabilities once `rejection` is taken into account."""
    if rejection.feature == "max_tokens":
        caps.max_tokens_key = "max_completion_tokens"
    elif rejection.feature == "temperature":
        caps.omit = sorted({*caps.omit, "temperature"})
    else:
        caps.mode = MODES[MODES.index(caps.mode) + 1]
    note = {"feature": rejection.feature, "now": rejection.change, "status": status,
            "reason": " ".join(body.split())[:400], "at": timezone.now().isoformat()}  # fmt: skip
    caps.notes = [*caps.notes, note][-10:]
    return caps


def _key(base_url: str) -> str:
    return key("mode", endpoint_id(base_url))


def capabilities_get(base_url: str) -> Capabilities:
    return Capabilities.from_json(redis_client().get(_key(base_url)))


def capabilities_set(base_url: str, caps: Capabilities) -> None:
    ttl = int(conf.get("CROSSBORDER_LLM_MODE_TTL"))
    redis_client().set(_key(base_url), json.dumps(asdict(caps), ensure_ascii=False), ex=ttl)


def capabilities_forget(base_url: str) -> None:
    """Start over with the full feature set (after a server upgrade, say)."""
    redis_client().delete(_key(base_url))


def mode_get(base_url: str) -> str:
    return capabilities_get(base_url).mode


def mode_set(base_url: str, mode: str) -> None:
    caps = capabilities_get(base_url)
    caps.mode = mode
    capabilities_set(base_url, caps)


def endpoint_capabilities(base_url: str) -> dict[str, Any]:
    """For the status display: the mode in use, what is left out, and why."""
    from .resilience import CircuitBreaker

    caps = capabilities_get(base_url)
    return {**asdict(caps), "circuit": CircuitBreaker(base_url).state()}
