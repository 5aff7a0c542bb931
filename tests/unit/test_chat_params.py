"""Chat parameters: validation, the exact llmJobRequest body, tool-call helpers, trusted URLs."""

from __future__ import annotations

import pytest

from sogni import ClientConfig, ValidationError
from sogni._wire.converter import get_converter
from sogni._wire.fields import OMIT
from sogni.chat import (
    ChatCompletionResult,
    LLMModelInfo,
    LLMParamConstraint,
    ToolCall,
    Usage,
    is_trusted_url,
    parse_tool_call_arguments,
)
from sogni.chat._params import (
    OPTION_NAMES,
    build_request,
    check_keywords,
    validate_messages,
    validate_options,
)

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
        },
    }
]


def test_a_misspelled_keyword_names_the_closest_valid_one() -> None:
    with pytest.raises(TypeError, match=r"'temprature'.*did you mean 'temperature'"):
        check_keywords({"temprature": 0.5}, OPTION_NAMES, "create")


def test_every_bad_option_is_listed_in_one_error() -> None:
    problems = validate_options(
        {
            "model": "",
            "max_tokens": 0,
            "temperature": 3,
            "top_k": 2.5,
            "stop": [],
            "tools": [{"type": "function", "function": {"name": "bad name!"}}],
            "tool_choice": {"type": "function", "function": {"name": "other"}},
            "response_format": {"type": "json_schema", "json_schema": {"name": "x"}},
            "think": "yes",
            "task_profile": "fast",
            "token_type": "eth",
            "timeout": 0,
        },
        None,
    )
    assert {p.param for p in problems} == {
        "model",
        "max_tokens",
        "temperature",
        "top_k",
        "stop",
        "tools[0].function.name",
        "tool_choice",
        "response_format.json_schema.schema",
        "think",
        "task_profile",
        "token_type",
        "timeout",
    }


def test_the_model_limits_apply_when_the_model_is_known() -> None:
    info = LLMModelInfo(workers=1, max_output_tokens=LLMParamConstraint(min=1, max=100, default=50))
    (problem,) = validate_options({"model": "m", "max_tokens": 101}, info)
    assert problem.param == "max_tokens"
    assert "for model 'm'" in problem.message
    assert validate_options({"model": "m", "max_tokens": 100}, info) == []


def test_tool_choice_needs_tools_and_a_known_name() -> None:
    assert [p.param for p in validate_options({"model": "m", "tool_choice": "auto"}, None)] == [
        "tool_choice"
    ]
    choice = {"type": "function", "function": {"name": "get_weather"}}
    assert validate_options({"model": "m", "tools": TOOLS, "tool_choice": choice}, None) == []


def test_message_structure_problems_are_named_by_path() -> None:
    problems = validate_messages(
        [
            {"role": "user", "content": "ok"},
            {"role": "robot", "content": "x"},
            {"role": "user", "content": None},
            {"role": "tool", "content": "42"},
            {"role": "user", "content": [{"type": "audio"}, {"type": "image_url"}]},
            {"role": "assistant", "tool_calls": [{"id": "c", "type": "function"}]},
        ]
    )
    assert [p.param for p in problems] == [
        "messages[1].role",
        "messages[2].content",
        "messages[3].tool_call_id",
        "messages[4].content[0].type",
        "messages[4].content[1].image_url",
        "messages[5].tool_calls[0]",
    ]
    assert validate_messages([])[0].param == "messages"
    assert (
        validate_messages(
            [{"role": "assistant", "content": None, "tool_calls": [{"function": {"name": "f"}}]}]
        )
        == []
    )


def test_the_body_has_exactly_the_keys_that_were_set_with_the_wire_casing() -> None:
    messages = [{"role": "user", "content": "Hi"}]
    options = {
        "model": "qwen3.6-35b-a3b-gguf-iq4xs",
        "max_tokens": 64,
        "temperature": 0.5,
        "top_p": 0.9,
        "top_k": 20,
        "min_p": 0.05,
        "repetition_penalty": 1.1,
        "frequency_penalty": 0.2,
        "presence_penalty": 0.3,
        "stop": ["END"],
        "tools": TOOLS,
        "tool_choice": "required",
        "response_format": {"type": "json_object"},
        "think": False,
        "task_profile": "reasoning",
        "token_type": "spark",
        "billing_mode": "tokens",
        "safe_content_filter": True,
        "timeout": 5,
        "downscale_images": True,
    }
    request = build_request("JOB", messages, options, stream=True, default_app_source="app")
    body = get_converter().unstructure(request)
    expected = {
        "jobID": "JOB",
        "type": "llm",
        "model": "qwen3.6-35b-a3b-gguf-iq4xs",
        "messages": messages,
        "appSource": "app",
        "max_tokens": 64,
        "temperature": 0.5,
        "top_p": 0.9,
        "top_k": 20,
        "min_p": 0.05,
        "stream": True,
        "repetition_penalty": 1.1,
        "frequency_penalty": 0.2,
        "presence_penalty": 0.3,
        "stop": ["END"],
        "tokenType": "spark",
        "safeContentFilter": True,
        "billingMode": "tokens",
        "tools": TOOLS,
        "tool_choice": "required",
        "taskProfile": "reasoning",
        "chat_template_kwargs": {"enable_thinking": False},
        "response_format": {"type": "json_object"},
    }
    assert body == expected
    assert list(body) == list(expected)  # the official client's key order
    minimal = get_converter().unstructure(
        build_request("JOB", messages, {"model": "m"}, stream=OMIT, default_app_source=None)
    )
    assert minimal == {"jobID": "JOB", "type": "llm", "model": "m", "messages": messages}


def test_tool_call_arguments_parse_safely() -> None:
    call = ToolCall(id="c1", name="f", arguments='{"a": 1}')
    assert call.parsed_arguments() == {"a": 1}
    assert parse_tool_call_arguments(call) == {"a": 1}
    assert parse_tool_call_arguments({"function": {"arguments": '{"b": [2]}'}}) == {"b": [2]}
    for bad in ("{not json", "[1, 2]", "", "null"):
        assert parse_tool_call_arguments(ToolCall(id="c", name="f", arguments=bad)) == {}
    assert parse_tool_call_arguments({"function": {}}) == {}
    assert parse_tool_call_arguments({}) == {}


def test_a_result_becomes_the_assistant_message_of_the_history() -> None:
    def result(content: str, calls: tuple[ToolCall, ...] = ()) -> ChatCompletionResult:
        return ChatCompletionResult(
            job_id="J",
            content=content,
            reasoning=None,
            role="assistant",
            finish_reason="stop",
            usage=Usage(1, 1, 2),
            time_taken=0.1,
            worker_name=None,
            cost=None,
            cost_details=None,
            tool_calls=calls,
        )

    assert result("Hi").to_message() == {"role": "assistant", "content": "Hi"}
    call = ToolCall(id="c1", name="f", arguments="{}")
    assert result("", (call,)).to_message() == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ],
    }


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://cdn.sogni.ai/a.png", True),
        ("https://media.sogni.ai/a.png", True),
        ("https://complete-images-production.s3.amazonaws.com/a.png", True),
        ("https://bucket.s3.amazonaws.com/a.png", True),
        ("https://bucket.s3.us-east-1.amazonaws.com/a.png", True),
        ("https://s3.eu-west-2.amazonaws.com/bucket/a.png", True),
        ("https://d111.cloudfront.net/a.png", True),
        ("http://cdn.sogni.ai/a.png", False),
        ("https://user:pw@cdn.sogni.ai/a.png", False),
        ("https://sogni.ai.evil.com/a.png", False),
        ("https://evilsogni.ai/a.png", False),
        ("https://example.com/a.png", False),
        ("ftp://cdn.sogni.ai/a.png", False),
    ],
)
def test_trusted_hosts(url: str, trusted: bool) -> None:
    assert is_trusted_url(url) is trusted


def test_an_explicit_prefix_extends_trust_to_that_prefix_only() -> None:
    prefix = "http://127.0.0.1:8000/_fake/vision/"
    assert is_trusted_url(prefix + "a.png", [prefix])
    assert not is_trusted_url("http://127.0.0.1:8000/other/a.png", [prefix])
    assert not is_trusted_url("http://127.0.0.1:8000@evil.com/_fake/vision/a.png", [prefix])
    assert not is_trusted_url(prefix + "a.png")


def test_trusted_prefixes_are_validated_in_the_config() -> None:
    ClientConfig(trusted_media_prefixes=["http://127.0.0.1:9/_fake/vision/"])
    with pytest.raises(ValidationError) as info:
        ClientConfig(
            trusted_media_prefixes=[
                "http://media.example.com/x/",
                "https://media.example.com",
                "https://u:p@media.example.com/x/",
            ]
        )
    assert info.value.params == [
        "trusted_media_prefixes[0]",
        "trusted_media_prefixes[1]",
        "trusted_media_prefixes[2]",
    ]
