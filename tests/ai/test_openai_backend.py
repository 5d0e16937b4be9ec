"""The OpenAI-compatible backend against a local scripted server: retries, timeouts, repair,
response_format fallback, the circuit breaker, and what each outcome leaves in the queue."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from apps.ai.capabilities import capabilities_get, mode_get
from apps.ai.models import AiSettings, UsageRecord
from apps.ai.resilience import CircuitBreaker
from apps.review.models import Draft, DraftStatus
from tests.factories import ListingFactory

from .conftest import VALID, Reply, run_batch
from .fake_server import llama_cpp_python, scripted


@pytest.fixture
def listing(org):
    return ListingFactory(organization=org)


def draft_of(org, listing) -> Draft:
    return Draft.objects.for_org(org).get(target_id=listing.pk, kind="listing_content")


def test_a_valid_answer_becomes_a_pending_draft_with_provenance(org, listing, llm):
    server = llm(Reply.json(VALID))
    job = run_batch(org, [listing])
    draft = draft_of(org, listing)
    assert draft.status == DraftStatus.PENDING
    assert draft.proposed == {**VALID, "confirmed_claims": []}  # reviewers confirm claims here
    assert (draft.provider, draft.model_name) == ("openai-compatible", "gpt-4o-mini")
    assert draft.prompt_version == "listing_content@v2"
    assert (draft.tokens_in, draft.tokens_out, draft.job_id) == (120, 80, job.id)
    assert draft.cost == Decimal("0.000066")  # 120 * 0.15 + 80 * 0.60 per 1M tokens
    assert server.requests[0]["response_format"]["type"] == "json_schema"
    assert (
        server.requests[0]["response_format"]["json_schema"]["schema"]["properties"]["title"][
            "maxLength"
        ]
        == 200
    )
    assert (job.status, job.done, job.failed) == ("succeeded", 1, 0)


def test_a_429_is_retried_after_a_pause_and_then_succeeds(org, listing, llm):
    server = llm(Reply.error(429, "slow down", headers={"Retry-After": "0"}), Reply.json(VALID))
    run_batch(org, [listing])
    assert len(server.requests) == 2
    assert draft_of(org, listing).status == DraftStatus.PENDING


def test_500s_until_the_retries_run_out_give_a_failed_draft_with_the_reason(org, listing, llm):
    server = llm(Reply.error(500, "boom"))
    job = run_batch(org, [listing])
    draft = draft_of(org, listing)
    assert len(server.requests) == 3  # the first attempt and CROSSBORDER_LLM_MAX_RETRIES=2
    assert draft.status == DraftStatus.FAILED
    assert "failed (500)" in draft.error and "Gave up after 3 attempts" in draft.error
    assert (job.status, job.done, job.failed) == ("succeeded", 0, 1)
    assert not UsageRecord.objects.for_org(org).exists()  # no answer, nothing billed


def test_a_timeout_is_retried_and_then_fails_with_the_reason(org, listing, llm, settings):
    settings.CROSSBORDER_LLM_TIMEOUT = 0.2
    settings.CROSSBORDER_LLM_MAX_RETRIES = 1
    server = llm(Reply.json(VALID, delay=1.0))
    started = time.monotonic()
    run_batch(org, [listing])
    assert time.monotonic() - started < 1.5
    assert len(server.requests) == 2
    draft = draft_of(org, listing)
    assert draft.status == DraftStatus.FAILED
    assert "did not answer within 0.2 s" in draft.error


def test_invalid_json_gets_one_repair_attempt_with_the_error_fed_back(org, listing, llm):
    server = llm(Reply(content="Sure! Here is your listing: title=Charger"), Reply.json(VALID))
    run_batch(org, [listing])
    assert draft_of(org, listing).status == DraftStatus.PENDING
    repair = server.requests[1]["messages"]
    assert repair[-2]["role"] == "assistant"
    assert repair[-2]["content"] == "Sure! Here is your listing: title=Charger"
    assert "not valid JSON" in repair[-1]["content"]
    purposes = sorted(UsageRecord.objects.for_org(org).values_list("purpose", flat=True))
    assert purposes == ["generate", "repair"]


def test_invalid_json_after_the_repair_gives_a_failed_draft(org, listing, llm):
    server = llm(Reply(content="{not json"))
    job = run_batch(org, [listing])
    draft = draft_of(org, listing)
    assert len(server.requests) == 2  # one repair, never more
    assert draft.status == DraftStatus.FAILED
    assert "failed validation after one repair attempt" in draft.error
    assert draft.tokens_in == 240  # both calls are on the draft's provenance
    assert job.failed == 1


def test_schema_violating_json_is_repaired_with_the_schema_errors(org, listing, llm):
    server = llm(Reply.json({"title": "Charger", "colour": "red"}), Reply.json(VALID))
    run_batch(org, [listing])
    feedback = server.requests[1]["messages"][-1]["content"]
    assert "'bullets' is a required property" in feedback
    assert "Additional properties are not allowed" in feedback
    assert draft_of(org, listing).proposed == {**VALID, "confirmed_claims": []}


def test_over_limit_and_banned_text_is_repaired_then_failed(org, listing, llm):
    too_long = {**VALID, "title": "Voltora " * 30}
    banned = {**VALID, "bullets": ["The best seller of 2024"]}
    server = llm(Reply.json(too_long), Reply.json(banned))
    run_batch(org, [listing])
    assert "title: " in server.requests[1]["messages"][-1]["content"]
    draft = draft_of(org, listing)
    assert draft.status == DraftStatus.FAILED
    assert "best seller" in draft.error and "marketplaces refuse" in draft.error


def _rejects(*types):
    def respond(body, n):
        kind = (body.get("response_format") or {}).get("type")
        if kind in types:
            return Reply.error(400, f"Unsupported response_format type: {kind}")
        return Reply.json(VALID)

    return respond


def test_a_server_that_rejects_json_schema_falls_back_to_json_object_and_is_validated(org, llm):
    answers = iter([Reply.json({"title": "Charger"}), Reply.json(VALID), Reply.json(VALID)])

    def respond(body, n):
        if body.get("response_format", {}).get("type") == "json_schema":
            return Reply.error(400, "response_format json_schema is not supported")
        return next(answers)

    server = llm(respond)
    first, second = ListingFactory(organization=org), ListingFactory(organization=org)
    run_batch(org, [first])
    fallback = server.requests[1]
    assert fallback["response_format"]["type"] == "json_object"
    assert fallback["response_format"]["schema"]["required"] == [
        "title", "bullets", "description", "search_terms"
    ]  # fmt: skip
    assert "JSON Schema" in fallback["messages"][0]["content"]
    assert "'bullets' is a required property" in server.requests[2]["messages"][-1]["content"]
    assert draft_of(org, first).status == DraftStatus.PENDING
    assert mode_get(server.url) == "json_object"  # remembered in Redis for every worker
    run_batch(org, [second])
    assert server.requests[3]["response_format"]["type"] == "json_object"
    assert len(server.requests) == 4


def test_a_server_without_response_format_gets_the_schema_in_the_prompt(org, listing, llm):
    def respond(body, n):
        if "response_format" in body:
            return Reply.error(400, "Unrecognized request argument: response_format")
        return Reply(content="```json\n" + json.dumps(VALID) + "\n```")

    server = llm(respond)
    run_batch(org, [listing])
    assert [r.get("response_format", {}).get("type") for r in server.requests] == [
        "json_schema", "json_object", None
    ]  # fmt: skip
    assert draft_of(org, listing).proposed == {**VALID, "confirmed_claims": []}


def test_an_authentication_error_fails_at_once_without_retries(org, listing, llm):
    server = llm(Reply.error(401, "Incorrect API key provided"))
    run_batch(org, [listing])
    assert len(server.requests) == 1
    assert "refused the request (401)" in draft_of(org, listing).error


def test_the_circuit_opens_after_consecutive_failures_and_stops_calling_the_endpoint(
    org, llm, settings
):
    settings.CROSSBORDER_LLM_BREAKER_THRESHOLD = 3
    settings.CROSSBORDER_LLM_MAX_RETRIES = 1
    AiSettings.objects.create(organization=org, max_concurrency=1)
    server = llm(Reply.error(503, "overloaded"))
    listings = [ListingFactory(organization=org) for _ in range(4)]
    job = run_batch(org, listings)
    assert len(server.requests) == 3  # 2 for the first listing, 1 more opens the circuit
    assert CircuitBreaker(server.url).state() == "open"
    errors = [draft_of(org, x).error for x in listings]
    assert all("circuit open" in e for e in errors[1:])
    assert (job.done, job.failed) == (0, 4)


def test_the_circuit_half_opens_after_the_cool_down_and_closes_on_success(org, llm, settings):
    settings.CROSSBORDER_LLM_BREAKER_THRESHOLD = 2
    settings.CROSSBORDER_LLM_BREAKER_COOLDOWN = (
        2.0  # long enough for a loaded machine to finish the batch
    )
    settings.CROSSBORDER_LLM_MAX_RETRIES = 1
    server = llm(Reply.error(502), Reply.error(502), Reply.json(VALID))
    first, second = ListingFactory(organization=org), ListingFactory(organization=org)
    run_batch(org, [first])
    breaker = CircuitBreaker(server.url)
    assert breaker.state() == "open"
    time.sleep(2.1)
    assert breaker.state() == "half-open"
    run_batch(org, [second])
    assert draft_of(org, second).status == DraftStatus.PENDING
    assert breaker.state() == "closed"


def test_a_body_that_is_not_a_completion_fails_the_draft_not_the_job(org, llm):
    server = llm(Reply(body={"unexpected": True}), Reply(body={"choices": "nope"}))
    listings = [ListingFactory(organization=org) for _ in range(2)]
    job = run_batch(org, listings)
    assert len(server.requests) >= 2
    assert (job.status, job.failed) == ("succeeded", 2)
    assert all(draft_of(org, x).status == DraftStatus.FAILED for x in listings)


def test_the_models_chinese_back_translation_comes_in_the_same_answer_and_is_shown_not_applied(
    org, listing, llm, client_for, user
):
    back = {
        "title": "Voltora 15W 无线充电器，铝制",
        "bullets": ["15 W 快充"],
        "description": "快充。",
    }
    server = llm(Reply.json({**VALID, "zh_back_translation": back}))
    run_batch(org, [listing])
    draft = draft_of(org, listing)
    assert len(server.requests) == 1  # one request per draft, not two
    schema = server.requests[0]["response_format"]["json_schema"]["schema"]
    assert "zh_back_translation" in schema["properties"]
    assert "zh_back_translation" not in draft.proposed
    entry = next(e for e in draft.evidence if e.get("kind") == "back_translation")
    assert (entry["method"], entry["title"], entry["bullets"]) == (
        "llm",
        back["title"],
        ["15 W 快充"],
    )
    page = client_for(user).get(f"/review/{draft.pk}/").content.decode()
    assert "Voltora 15W 无线充电器，铝制" in page


def test_an_answer_without_back_translation_says_so_on_the_draft(
    org, listing, llm, client_for, user
):
    llm(Reply.json(VALID))
    run_batch(org, [listing])
    draft = draft_of(org, listing)
    entry = next(e for e in draft.evidence if e.get("kind") == "back_translation")
    assert entry["method"] == "not_requested"
    page = client_for(user).get(f"/review/{draft.pk}/").content.decode()
    assert 'data-testid="back-translation-not-requested"' in page


def test_llama_cpp_pythons_500_refusing_json_schema_is_a_capability_answer_not_an_outage(
    org, llm, settings
):
    settings.CROSSBORDER_LLM_BREAKER_THRESHOLD = 1  # one real failure would open the circuit
    AiSettings.objects.create(organization=org, max_concurrency=1)
    server = llm(llama_cpp_python(scripted(Reply.json(VALID))))
    listings = [ListingFactory(organization=org) for _ in range(3)]
    job = run_batch(org, listings)
    kinds = [r.get("response_format", {}).get("type") for r in server.requests]
    assert kinds == ["json_schema", "json_object", "json_object", "json_object"]
    sent = server.requests[1]["response_format"]["schema"]
    assert sent["required"][0] == "title"
    # no bounds in the grammar's schema (llama.cpp cannot parse 2000 nested rules and
    # llama-cpp-python 0.3.36 then dies); they are checked on the answer instead
    assert "maxLength" not in json.dumps(sent) and "maxItems" not in json.dumps(sent)
    assert "maxLength" in server.requests[1]["messages"][0]["content"]  # the prompt has them
    assert (job.done, job.failed) == (3, 0)
    assert all(draft_of(org, x).status == DraftStatus.PENDING for x in listings)
    assert CircuitBreaker(server.url).state() == "closed"
    caps = capabilities_get(server.url)  # remembered for every worker, with the reason
    assert caps.mode == "json_object"
    (note,) = caps.notes
    assert (note["feature"], note["status"]) == ("response_format=json_schema", 500)
    assert "Input should be 'text' or 'json_object'" in note["reason"]


def test_a_server_refusing_every_response_format_gets_plain_text_and_the_json_is_extracted(
    org, listing, llm
):
    def respond(body, n):
        if "response_format" in body:
            return Reply.error(422, "Extra inputs are not permitted: response_format")
        return Reply(content="Here you go!\n" + json.dumps(VALID) + "\nHope it helps {:)}")

    server = llm(respond)
    run_batch(org, [listing])
    assert len(server.requests) == 3
    assert "JSON Schema" in server.requests[2]["messages"][0]["content"]
    assert draft_of(org, listing).proposed == {**VALID, "confirmed_claims": []}
    assert [n["feature"] for n in capabilities_get(server.url).notes] == [
        "response_format=json_schema", "response_format=json_object"
    ]  # fmt: skip


def test_a_refused_temperature_or_max_tokens_is_left_out_or_renamed(org, listing, llm):
    def respond(body, n):
        if "temperature" in body:
            return Reply.error(400, "Unsupported value: 'temperature' does not support 0.4 with "
                               "this model. Only the default (1) value is supported.")  # fmt: skip
        if "max_tokens" in body:
            return Reply.error(400, "Unsupported parameter: 'max_tokens' is not supported with "
                               "this model. Use 'max_completion_tokens' instead.")  # fmt: skip
        return Reply.json(VALID)

    server = llm(respond)
    run_batch(org, [listing])
    assert len(server.requests) == 3
    last = server.requests[-1]
    assert "temperature" not in last and last["max_completion_tokens"] == 1500
    assert draft_of(org, listing).status == DraftStatus.PENDING
    caps = capabilities_get(server.url)
    assert (caps.omit, caps.max_tokens_key, caps.mode) == (
        ["temperature"],
        "max_completion_tokens",
        "json_schema",
    )


def test_a_500_that_refuses_nothing_is_still_an_outage_for_the_breaker(org, listing, llm):
    server = llm(Reply.error(500, "CUDA error: out of memory"))
    run_batch(org, [listing])
    assert len(server.requests) == 3  # retried, not treated as a refusal
    assert capabilities_get(server.url).notes == []
    assert "failed (500)" in draft_of(org, listing).error


def test_a_refusal_in_plain_text_mode_fails_the_draft_with_the_servers_words(org, listing, llm):
    server = llm(Reply.error(400, "Invalid value for response_format: not supported, sorry"))
    run_batch(org, [listing])
    assert len(server.requests) == 3  # json_schema, json_object, then the prompt: refused too
    draft = draft_of(org, listing)
    assert draft.status == DraftStatus.FAILED and "refused the request (400)" in draft.error


def test_the_admin_shows_what_the_endpoint_refused_and_why(org, listing, llm):
    from django.contrib.admin.sites import site

    from apps.ai.admin import AiSettingsAdmin

    server = llm(llama_cpp_python(scripted(Reply.json(VALID))))
    run_batch(org, [listing])
    own = AiSettings.objects.create(organization=org, base_url=server.url)
    shown = str(AiSettingsAdmin(AiSettings, site).endpoint_status(own))
    assert "<b>json_object</b>" in shown and "<b>closed</b>" in shown
    assert "response_format=json_schema" in shown and "HTTP 500" in shown
    assert "Input should be &#x27;text&#x27; or &#x27;json_object&#x27;" in shown


def test_a_capability_answer_to_the_half_open_probe_does_not_keep_the_circuit_open(
    org, listing, llm, settings
):
    settings.CROSSBORDER_LLM_BREAKER_THRESHOLD = 2
    settings.CROSSBORDER_LLM_BREAKER_COOLDOWN = 0.2
    server = llm(llama_cpp_python(scripted(Reply.json(VALID))))
    breaker = CircuitBreaker(server.url)
    breaker.record_failure()
    breaker.record_failure()  # an earlier outage
    time.sleep(0.3)
    assert breaker.state() == "half-open"
    run_batch(org, [listing])
    assert draft_of(org, listing).status == DraftStatus.PENDING
    assert len(server.requests) == 2 and breaker.state() == "closed"


def test_a_schema_llama_cpp_cannot_turn_into_a_grammar_is_never_sent_to_it(org, llm):
    from apps.catalog.models import Marketplace

    server = llm(llama_cpp_python(scripted(Reply.json(VALID))))
    listing = ListingFactory(organization=org)
    marketplace = Marketplace.objects.get(pk=listing.store.marketplace_id)
    assert marketplace.limits.get("description_max", 0) > 1000  # would kill the real server
    run_batch(org, [listing])
    assert draft_of(org, listing).status == DraftStatus.PENDING
    assert len(server.requests) == 2  # the refusal, then one json_object answer: no crash


def test_schema_valid_debris_from_a_weak_model_is_repaired_or_failed_never_offered(
    org, listing, llm
):
    debris = {**VALID, "bullets": ["power_w", "Title_Max"], "description": "{"}
    server = llm(Reply.json(debris))
    run_batch(org, [listing])
    feedback = server.requests[1]["messages"][-1]["content"]
    assert "bullets/0: is a data key" in feedback and "bullets/1: is a data key" in feedback
    assert "description: has no words" in feedback
    draft = draft_of(org, listing)
    assert draft.status == DraftStatus.FAILED and "has no words" in draft.error
