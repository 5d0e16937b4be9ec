"""The offline generator: deterministic answers written by each generation kind's own offline
generator (its templates), with no model and no network.

The default when no endpoint is configured, and what the demo seeds with. The backend knows no
domain: the kind registered for `request.kind` supplies `offline(request)`, which reads the
structured facts in `request.context`. Labelled provider "offline"; it costs nothing.
"""

from __future__ import annotations

import json

from .base import GenerationError, GenerationRequest, GenerationResult


class OfflineBackend:
    provider = "offline"
    model = "offline-templates-v1"

    def generate(self, request: GenerationRequest) -> GenerationResult:
        from apps.ai.registry import find_generation_kind

        kind = find_generation_kind(request.kind)
        if kind is None or kind.offline is None:
            raise GenerationError(f"The offline generator has no templates for {request.kind}.")
        data = kind.offline(request)
        return GenerationResult(
            raw=json.dumps(data, ensure_ascii=False), data=data, provider=self.provider,
            model=self.model, prompt_version=request.prompt_version, mode="offline",
        )  # fmt: skip
