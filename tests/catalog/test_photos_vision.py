"""Photo facts with a vision-capable OpenAI-compatible endpoint (a scripted local server): the
photos travel as image parts (data: URLs) with the OCR readings as untrusted data; the answer's
facts become the draft; a fact naming no photo of the product, or a GTIN with a wrong check
digit, is refused by the kind's rules."""

from __future__ import annotations

import io
import re

import pytest

from apps.ai.resilience import key, redis_client
from apps.catalog.photos import synthetic
from apps.catalog.photos.services import photo_upload
from tests.ai.fake_server import FakeLLMServer, Reply
from tests.catalog.test_photos import GTIN, run_photo_facts
from tests.factories import ProductFactory


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    r = redis_client()
    for name in r.scan_iter(key("*")):
        r.delete(name)


def _vision_server(settings, answer):
    server = FakeLLMServer(answer).__enter__()
    settings.OPENAI_BASE_URL = server.url
    settings.OPENAI_API_KEY = "test-key"
    settings.CROSSBORDER_LLM_MODEL = "gpt-4o-mini"
    settings.CROSSBORDER_LLM_VISION = True
    settings.CROSSBORDER_LLM_BACKOFF_BASE = 0.001
    settings.CROSSBORDER_LLM_MAX_RETRIES = 0
    return server


def _photo_path(body: dict) -> str:
    user = next(m for m in body["messages"] if m["role"] == "user")
    text = user["content"][0]["text"] if isinstance(user["content"], list) else user["content"]
    return re.search(r"- (\S+\.png) \(", text).group(1)


@pytest.mark.django_db
def test_a_vision_model_gets_the_photos_and_its_facts_become_the_draft(org, user, settings):
    def answer(body: dict, n: int) -> Reply:
        path = _photo_path(body)
        gtin = GTIN
        return Reply.json({"facts": [
            {"key": "brand", "value": "VOLTORA", "unit": "", "photo": path,
             "evidence": "Brand: VOLTORA printed on the label"},
            {"key": "gtin", "value": gtin, "unit": "", "photo": path, "evidence": "EAN-13"},
            {"key": "colour", "value": "blue", "unit": "", "photo": path,
             "evidence": "the box is blue"},
        ]})  # fmt: skip

    server = _vision_server(settings, answer)
    try:
        product = ProductFactory(organization=org, brand="", attributes={})
        buf = io.BytesIO()
        synthetic.box_photo().save(buf, "PNG")
        photo_upload(org=org, actor=user, product=product, data=buf.getvalue(), role="packaging")
        draft = run_photo_facts(org, product)
    finally:
        server.__exit__(None, None, None)
    sent = server.requests[0]
    user_turn = next(m for m in sent["messages"] if m["role"] == "user")
    parts = user_turn["content"]
    assert isinstance(parts, list) and parts[0]["type"] == "text"
    assert parts[1]["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert "VOLTORA" in parts[0]["text"]  # the OCR readings, as untrusted data
    assert draft.provider != "offline"
    facts = {f["key"]: f for f in draft.proposed["facts"]}
    assert facts["colour"]["value"] == "blue" and facts["gtin"]["value"] == GTIN
    assert all(f["source"] == "vision" for f in facts.values())


@pytest.mark.django_db
def test_a_wrong_gtin_or_an_unknown_photo_from_the_model_is_refused(org, user, settings):
    bad = GTIN[:-1] + "2"

    def answer(body: dict, n: int) -> Reply:
        return Reply.json({"facts": [
            {"key": "gtin", "value": bad, "unit": "", "photo": "elsewhere.png", "evidence": "x"},
        ]})  # fmt: skip

    server = _vision_server(settings, answer)
    try:
        product = ProductFactory(organization=org, brand="", attributes={})
        buf = io.BytesIO()
        synthetic.box_photo().save(buf, "PNG")
        photo_upload(org=org, actor=user, product=product, data=buf.getvalue(), role="packaging")
        from apps.review.models import Draft

        with pytest.raises(AssertionError) as info:
            run_photo_facts(org, product)
        assert "wrong check digit" in str(info.value) and "photo must be" in str(info.value)
        assert not Draft.objects.for_org(org).filter(kind="product_facts", status="pending")
    finally:
        server.__exit__(None, None, None)
