"""Which error answers are capability answers (a refused request feature) and which are real
failures, judged by the body whatever the status."""

from __future__ import annotations

import pytest

from apps.ai.capabilities import Capabilities, feature_rejection

from .fake_server import LLAMA_CPP_PYTHON_JSON_SCHEMA_REFUSAL

SENT = {"response_format": {"type": "json_schema"}, "temperature": 0.4, "max_tokens": 1500}


@pytest.mark.parametrize(
    ("status", "body", "feature"),
    [
        (500, LLAMA_CPP_PYTHON_JSON_SCHEMA_REFUSAL, "response_format=json_schema"),
        (400, "response_format json_schema is not supported", "response_format=json_schema"),
        (400, "Unrecognized request argument supplied: response_format",
         "response_format=json_schema"),
        (422, "Extra inputs are not permitted (response_format)", "response_format=json_schema"),
        (400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with "
              "this model.", "response_format=json_schema"),
        (400, "Unsupported value: 'temperature' does not support 0.4 with this model.",
         "temperature"),
        (400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
              "'max_completion_tokens' instead.", "max_tokens"),
        (500, "CUDA error: out of memory", None),
        (503, "The server is overloaded, please try again later", None),
        (500, "Internal Server Error", None),
        (429, "Rate limit reached for requests: response_format unsupported", None),
        (401, "Incorrect API key provided", None),
        (400, "This model's maximum context length is 2048 tokens. However, you requested 2600 "
              "tokens (1100 in the messages, 1500 in the completion).", None),
    ],
)  # fmt: skip
def test_an_error_answer_is_a_capability_answer_only_when_its_body_refuses_a_feature(
    status, body, feature
):
    rejection = feature_rejection(status, body, Capabilities(), SENT)
    assert (rejection.feature if rejection else None) == feature


def test_nothing_is_refused_twice_or_below_the_last_mode():
    plain = Capabilities(
        mode="prompt", omit=["temperature"], max_tokens_key="max_completion_tokens"
    )
    sent = {"max_completion_tokens": 1500}
    for body in ("response_format is not supported", "temperature unsupported",
                 "max_tokens unsupported"):  # fmt: skip
        assert feature_rejection(400, body, plain, sent) is None


def test_capabilities_stored_before_reasons_were_kept_still_read():
    assert Capabilities.from_json("json_object").mode == "json_object"
    assert Capabilities.from_json("garbage{").mode == "json_schema"
    assert Capabilities.from_json('{"mode": "nonsense"}').mode == "json_schema"
