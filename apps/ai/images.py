"""Image generation through an OpenAI-compatible images endpoint (POST {base}/images/generations),
called with the `openai` client. Generic: it knows prompts and pixels, not products; catalog
builds the prompt and decides what the picture is for.

Configured per deployment, separately from the chat endpoint (many chat servers, llama.cpp or
vLLM say, serve no images):

    CROSSBORDER_IMAGE_BASE_URL   e.g. https://api.openai.com/v1 — empty: no image generation
    CROSSBORDER_IMAGE_API_KEY    the key for that endpoint (OPENAI_API_KEY when the base URL is
                                 the chat endpoint's own)
    CROSSBORDER_IMAGE_MODEL      default gpt-image-1
    CROSSBORDER_IMAGE_SIZE       default 1024x1024 (callers upscale and compose)
    CROSSBORDER_IMAGE_TIMEOUT    seconds, default 120

A call that fails (HTTP error, timeout, no picture in the answer, bytes that are not an image)
raises ImageGenerationError with a reason a person can read; callers record it (a failed draft)
rather than hide it. Every successful call is one row in the usage ledger (purpose "image").
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings

if TYPE_CHECKING:
    from apps.accounts.models import Organization

MAX_IMAGE_BYTES = 20 * 1024 * 1024
# USD per image at the default size, public list prices; unknown models cost 0.
IMAGE_PRICES: dict[str, Decimal] = {
    "gpt-image-1": Decimal("0.042"),
    "dall-e-3": Decimal("0.040"),
    "dall-e-2": Decimal("0.020"),
}


class ImageGenerationError(Exception):
    """The endpoint gave no usable picture; `reason` says why, for the failed draft."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ImageEndpoint:
    base_url: str
    api_key: str
    model: str
    size: str
    timeout: float

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url


@dataclass
class GeneratedImage:
    data: bytes  # PNG/JPEG/WebP bytes as the endpoint sent them
    model: str
    host: str
    revised_prompt: str = ""
    cost: Decimal = Decimal(0)


def image_endpoint() -> ImageEndpoint | None:
    """The configured image endpoint, or None (offline: no generated pictures)."""
    base_url = (getattr(settings, "CROSSBORDER_IMAGE_BASE_URL", "") or "").rstrip("/")
    if not base_url:
        return None
    api_key = getattr(settings, "CROSSBORDER_IMAGE_API_KEY", "") or ""
    if not api_key and base_url == (settings.OPENAI_BASE_URL or "").rstrip("/"):
        api_key = settings.OPENAI_API_KEY  # the same host: its key, never another host's
    return ImageEndpoint(
        base_url=base_url,
        api_key=api_key,
        model=getattr(settings, "CROSSBORDER_IMAGE_MODEL", "") or "gpt-image-1",
        size=getattr(settings, "CROSSBORDER_IMAGE_SIZE", "") or "1024x1024",
        timeout=float(getattr(settings, "CROSSBORDER_IMAGE_TIMEOUT", 120) or 120),
    )


def _picture(item, endpoint: ImageEndpoint) -> bytes:
    b64 = getattr(item, "b64_json", None)
    if b64:
        try:
            return base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ImageGenerationError(
                f"The image endpoint {endpoint.host} sent a picture that is not valid base64."
            ) from exc
    url = getattr(item, "url", None)
    if url and str(url).startswith(("https://", "http://")):
        import httpx

        try:
            with httpx.stream("GET", str(url), timeout=endpoint.timeout) as response:
                response.raise_for_status()
                data = b""
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_IMAGE_BYTES:
                        raise ImageGenerationError("The generated picture is larger than 20 MB.")
                return data
        except httpx.HTTPError as exc:
            raise ImageGenerationError(
                f"The generated picture could not be downloaded: {exc}"
            ) from exc
    raise ImageGenerationError(f"The image endpoint {endpoint.host} answered without a picture.")


def _check_picture(data: bytes, endpoint: ImageEndpoint) -> None:
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise ImageGenerationError("The generated picture is larger than 20 MB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ImageGenerationError(
            f"The image endpoint {endpoint.host} sent bytes that are not a picture."
        ) from exc


def image_generate(*, org: Organization, prompt: str, kind: str) -> GeneratedImage:
    """One picture for `prompt` from the configured endpoint, or ImageGenerationError."""
    import openai

    from .models import UsageRecord
    from .services import budget_check

    endpoint = image_endpoint()
    if endpoint is None:
        raise ImageGenerationError(
            "No image-generation endpoint is configured (CROSSBORDER_IMAGE_BASE_URL)."
        )
    budget_check(org=org)
    client = openai.OpenAI(
        base_url=endpoint.base_url,
        api_key=endpoint.api_key or "none",
        max_retries=1,
        timeout=endpoint.timeout,
    )
    kwargs: dict = {"model": endpoint.model, "prompt": prompt[:4000], "n": 1,
                    "size": endpoint.size}  # fmt: skip
    if endpoint.model.startswith("dall-e"):
        kwargs["response_format"] = "b64_json"  # gpt-image-1 always answers base64
    try:
        answer = client.images.generate(**kwargs)
    except openai.APIStatusError as exc:
        detail = ""
        try:
            detail = str((exc.response.json().get("error") or {}).get("message") or "")
        except Exception:  # not JSON: the status says enough
            detail = exc.response.text[:300] if exc.response is not None else ""
        raise ImageGenerationError(
            f"The image endpoint {endpoint.host} answered HTTP {exc.status_code}: "
            f"{detail[:300] or exc.message[:300]}"
        ) from exc
    except openai.APITimeoutError as exc:
        raise ImageGenerationError(
            f"The image endpoint {endpoint.host} did not answer within {endpoint.timeout:.0f} s."
        ) from exc
    except openai.APIConnectionError as exc:
        raise ImageGenerationError(
            f"The image endpoint {endpoint.host} could not be reached: {exc}"
        ) from exc
    items = list(getattr(answer, "data", None) or [])
    if not items:
        raise ImageGenerationError(
            f"The image endpoint {endpoint.host} answered without a picture."
        )
    data = _picture(items[0], endpoint)
    _check_picture(data, endpoint)
    cost = IMAGE_PRICES.get(endpoint.model, Decimal(0))
    UsageRecord.objects.create(
        organization=org,
        kind=kind[:64],
        provider="openai-compatible",
        model=endpoint.model[:100],
        prompt_version="image",
        cost=cost,
        currency="USD",
        purpose="image",
    )
    return GeneratedImage(
        data=data,
        model=endpoint.model,
        host=endpoint.host,
        revised_prompt=str(getattr(items[0], "revised_prompt", "") or "")[:2000],
        cost=cost,
    )
