"""Generate, validate, repair once: the same for every backend, with no database access (it
runs in the worker's thread pool).

An answer must be JSON, valid against the request's schema (checked here with `jsonschema`,
whatever the server claims to enforce) and pass the kind's rules. A failing answer gets one
repair attempt with the validation errors fed back; a second failure is final.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from .backends.base import Backend, GenerationError, GenerationRequest, GenerationResult

logger = logging.getLogger(__name__)
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
Rules = Callable[[dict], list[str]]


@dataclass
class Outcome:
    data: dict | None = None
    error: str = ""
    calls: list[tuple[GenerationResult, str]] = field(default_factory=list)  # (result, purpose)
    last_raw: str = ""

    @property
    def ok(self) -> bool:
        return self.data is not None


def parse(raw: str) -> Any:
    """JSON from a model's text; tolerates a code fence or prose around one object."""
    text = raw.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            return json.loads(text[start : end + 1])
        raise


def validation_errors(raw: str, schema: dict, rules: Rules | None) -> tuple[Any, list[str]]:
    try:
        data = parse(raw)
    except (json.JSONDecodeError, ValueError) as exc:
        return None, [f"The answer is not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc})."]
    validator = Draft202012Validator(schema)
    found = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    errors = [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message[:200]}"
              for e in found]  # fmt: skip
    if not errors and rules is not None:
        errors = rules(data)
    return data, errors


def generate_validated(backend: Backend, request: GenerationRequest,
                       rules: Rules | None = None) -> Outcome:  # fmt: skip
    outcome = Outcome()
    current = request
    for purpose in ("generate", "repair"):
        try:
            result = backend.generate(current)
        except GenerationError as exc:
            outcome.error = exc.reason
            return outcome
        except Exception as exc:  # a surprise from a client library fails one draft, not a job
            logger.exception("generation of %s failed unexpectedly", request.kind)
            outcome.error = f"Unexpected error from the model backend: {type(exc).__name__}: {exc}"
            return outcome
        outcome.calls.append((result, purpose))
        outcome.last_raw = result.raw
        data, errors = validation_errors(result.raw, request.schema, rules)
        if not errors:
            outcome.data = data
            return outcome
        current = request.with_repair(result.raw, errors)
    outcome.error = "The model's answer failed validation after one repair attempt: " + "; ".join(
        errors[:10]
    )
    return outcome
