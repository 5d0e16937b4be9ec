"""Generate, validate, repair once, back-translate: the same for every backend and every
generation kind, with no database access (it runs in the worker's thread pool).

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
from .prompts import prompt_get
from .registry import BackTranslation, GenerationKind, Item

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
        # A model without JSON mode writes prose around the object (or several objects): the
        # first object that decodes wins, then the widest span, for the error message.
        decoder = json.JSONDecoder()
        for match in re.finditer(r"\{", text):
            try:
                found, _end = decoder.raw_decode(text, match.start())
            except json.JSONDecodeError:
                continue
            if isinstance(found, dict):
                return found
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


# --- requests of a generation kind (no database access: pure functions of an Item) ----------


def request_build(kind: GenerationKind, item: Item, *, org_id: int | None) -> GenerationRequest:
    """The model request for one item: the kind's versioned prompt rendered with the item's
    variables, its schema, and its untrusted data kept apart from the instructions."""
    prompt = prompt_get(kind.prompt, kind.prompt_version or None)
    return GenerationRequest(
        kind=kind.name, system=prompt.system, schema=kind.schema(item),
        messages=({"role": "user", "content": prompt.render_user(**item.variables)},),
        untrusted=dict(item.untrusted), org_id=org_id, prompt_version=prompt.id,
        context=item.context, temperature=kind.temperature, images=tuple(item.images),
    )  # fmt: skip


def split_back_translation(kind: GenerationKind, data: dict) -> tuple[dict, Any]:
    """The answer without the model's own back-translation, and that rendering (if any)."""
    back = kind.back_translation
    if back is None or not back.in_answer or not isinstance(data, dict):
        return data, None
    data = dict(data)
    return data, data.pop(back.in_answer, None)


def kind_rules(kind: GenerationKind, item: Item) -> Rules | None:
    if kind.rules is None:
        return None
    rules = kind.rules
    return lambda data: rules(item, split_back_translation(kind, data)[0])


def _fields_of(back: BackTranslation, data: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, type_ in back.fields.items():
        value = data.get(name)
        out[name] = [str(v) for v in value or []] if type_ is list else str(value or "")
    return out


def _copy_of(back: BackTranslation, data: dict) -> list[str]:
    texts: list[str] = []
    for name, type_ in back.fields.items():
        value = data.get(name)
        texts += [str(v) for v in value or [] if v] if type_ is list else [str(value)] * bool(value)
    return texts


def back_translation_request(kind: GenerationKind, item: Item, data: dict,
                             *, org_id: int | None) -> GenerationRequest:  # fmt: skip
    back = kind.back_translation
    assert back is not None
    prompt = prompt_get(back.prompt)
    texts = {"type": "array", "items": {"type": "string"}}
    properties = {name: texts if type_ is list else {"type": "string"}
                  for name, type_ in back.fields.items()}  # fmt: skip
    return GenerationRequest(
        kind=back.prompt, system=prompt.system, org_id=org_id, prompt_version=prompt.id,
        schema={"type": "object", "required": list(back.fields), "properties": properties},
        messages=({"role": "user", "content": prompt.render_user(
            language=str(item.context.get("language", "")))},),
        untrusted={back.untrusted_source: _copy_of(back, data)}, temperature=0,
    )  # fmt: skip


def back_translate(kind: GenerationKind, item: Item, data: dict, in_answer: Any,
                   backend: Backend, outcome: Outcome,
                   org_id: int | None = None) -> dict[str, Any] | None:  # fmt: skip
    """The back-translation evidence of a valid answer (runs in the worker's thread pool: a
    model call here is a call like any other, recorded in `outcome.calls`)."""
    back = kind.back_translation
    if back is None or not back.wanted(item):
        return None
    entry: dict[str, Any] = {"kind": "back_translation", "language": back.language}
    if backend.provider == "offline":
        if back.offline is None:
            return {**entry, "method": "needs_llm"}
        return {
            **entry,
            "method": "offline_templates",
            **_fields_of(back, dict(back.offline(item))),
        }
    if isinstance(in_answer, dict):
        return {**entry, "method": "llm", **_fields_of(back, in_answer)}
    if not back.ask_model:
        return {**entry, "method": "not_requested"}
    if not _copy_of(back, data):
        return {**entry, "method": "needs_llm"}
    request = back_translation_request(kind, item, data, org_id=org_id)
    answer = generate_validated(backend, request)
    outcome.calls += [(r, "back_translation") for r, _ in answer.calls]
    if not answer.ok:
        return {**entry, "method": "failed", "error": answer.error[:300]}
    return {**entry, "method": "llm", **_fields_of(back, answer.data or {})}


def generate_item(kind: GenerationKind, item: Item, request: GenerationRequest,
                  backend: Backend) -> tuple[Outcome, dict[str, Any] | None]:  # fmt: skip
    """Generate, validate, repair once, then back-translate: every model call of one target,
    in the worker's thread pool, before anything is written."""
    outcome = generate_validated(backend, request, kind_rules(kind, item))
    if not outcome.ok:
        return outcome, None
    data, in_answer = split_back_translation(kind, outcome.data or {})
    outcome.data = data
    try:
        back = back_translate(kind, item, data, in_answer, backend, outcome, request.org_id)
    except Exception as exc:  # the draft is good; only its back-translation is missing
        logger.exception("back-translation of %s failed", kind.name)
        language = kind.back_translation.language if kind.back_translation else "zh-Hans"
        back = {"kind": "back_translation", "language": language,
                "method": "failed", "error": f"{type(exc).__name__}: {exc}"[:300]}  # fmt: skip
    return outcome, back
