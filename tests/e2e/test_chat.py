"""Socket chat end to end against FakeSupernet: results, streams, turns, thinking, events,
tool calls, errors, deadlines, early close, the LLM model list and cost estimates."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from sogni import (
    ChatError,
    ClientClosedError,
    NotFoundError,
    SogniClient,
    SogniTimeoutError,
    ToolLoopError,
    ValidationError,
)
from sogni.chat import DEFAULT_CHAT_MODEL, ChatCompletionChunk, ChatJobState
from sogni.testing import FakeSupernet

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a place",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}
CLOCK = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {
            "type": "object",
            "properties": {"timezone": {"type": "string"}, "hour24": {"type": "boolean"}},
            "required": ["timezone"],
        },
    },
}


def reply_to(text: str, turn: int = 1) -> str:
    """The fake's documented answer to a plain user message (rule 6)."""
    return f'You said: "{text}". This is turn {turn} of our conversation.'


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


@pytest.fixture
def client(make_client: Callable[..., SogniClient]) -> Iterator[SogniClient]:
    client = make_client(app_id="chat-e2e")
    client.connect()
    yield client
    assert len(client._core.registry) == 0, "a chat job was left in the in-flight registry"


def requests_sent(fake: FakeSupernet) -> list[dict[str, Any]]:
    return [r.payload for r in fake.frames("llmJobRequest")]


# ---------------------------------------------------------------------------- completions


def test_a_completion_returns_content_usage_cost_and_worker(
    client: SogniClient, fake: FakeSupernet
) -> None:
    reply = client.chat.completions.create(messages=[user("Hello")])

    assert reply.content == reply_to("Hello")
    assert reply.role == "assistant"
    assert reply.finish_reason == "stop"
    assert reply.reasoning is None
    assert reply.tool_calls == ()
    assert reply.parsed is None
    assert reply.usage.completion_tokens == len(reply.content.split())
    assert reply.usage.prompt_tokens > 0
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    assert reply.time_taken > 0
    assert reply.worker_name
    assert reply.worker_name.startswith("fake-llm-worker")
    assert isinstance(reply.cost, Decimal)
    assert reply.cost > 0
    assert reply.cost_details is not None
    assert reply.cost == reply.cost_details.token == reply.cost_details.sogni  # default token
    assert reply.cost_details.output_tokens == reply.usage.completion_tokens
    (sent,) = requests_sent(fake)
    assert sent == {
        "jobID": reply.job_id,
        "type": "llm",
        "model": DEFAULT_CHAT_MODEL,
        "messages": [user("Hello")],
    }
    assert reply.job_id == str(uuid.UUID(reply.job_id)).upper()


def test_a_stream_yields_chunks_in_order_that_join_to_the_final_result(
    client: SogniClient, fake: FakeSupernet
) -> None:
    expected = reply_to("Tell me a story")
    with client.chat.completions.create(
        messages=[user("Tell me a story")], stream=True, max_tokens=200, token_type="spark"
    ) as stream:
        chunks = list(stream)

    result = stream.final_result
    assert result is not None
    assert stream.done
    words = re.findall(r"\S+\s*", expected)
    assert [c.content for c in chunks] == [*words, ""]  # one word per frame, then the end
    assert "".join(c.content for c in chunks) == result.content == expected
    assert chunks[0].role == "assistant"
    assert chunks[-1].finish_reason == "stop"
    assert chunks[-1].usage == result.usage
    assert all(isinstance(c, ChatCompletionChunk) and c.job_id == result.job_id for c in chunks)
    assert result.cost_details is not None
    assert result.cost == result.cost_details.spark
    (sent,) = requests_sent(fake)
    assert sent["stream"] is True
    assert sent["max_tokens"] == 200
    assert sent["tokenType"] == "spark"


def test_a_multi_turn_conversation_sends_the_whole_history(
    client: SogniClient, fake: FakeSupernet
) -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are terse."},
        user("What is the Supernet?"),
    ]
    first = client.chat.completions.create(messages=messages)
    messages += [first.to_message(), user("And compared to a data centre?")]
    second = client.chat.completions.create(messages=messages)

    assert first.content == reply_to("What is the Supernet?", turn=1)
    assert second.content == reply_to("And compared to a data centre?", turn=2)
    assert requests_sent(fake)[1]["messages"] == messages


def test_thinking_on_moves_the_reasoning_out_of_the_answer(
    client: SogniClient, fake: FakeSupernet
) -> None:
    reply = client.chat.completions.create(messages=[user("Why is the sky blue?")], think=True)
    assert reply.content == reply_to("Why is the sky blue?")
    assert reply.reasoning == "The user wrote 20 characters. I will answer in text."

    with client.chat.completions.create(
        messages=[user("Why is the sky blue?")], think=True, stream=True
    ) as stream:
        chunks = list(stream)
    assert stream.final_result is not None
    assert "".join(c.content for c in chunks) == stream.final_result.content == reply.content
    assert "".join(c.reasoning for c in chunks) == stream.final_result.reasoning
    assert not any("think>" in c.content or "think>" in c.reasoning for c in chunks)
    sent = requests_sent(fake)
    assert sent[0]["chat_template_kwargs"] == {"enable_thinking": True}


def test_thinking_off_sends_false_and_gives_no_reasoning(
    client: SogniClient, fake: FakeSupernet
) -> None:
    off = client.chat.completions.create(messages=[user("Quick one")], think=False)
    default = client.chat.completions.create(messages=[user("Quick one")])
    assert off.reasoning is None
    assert default.reasoning is None
    assert off.content == default.content == reply_to("Quick one")
    first, second = requests_sent(fake)
    assert first["chat_template_kwargs"] == {"enable_thinking": False}
    assert "chat_template_kwargs" not in second


def test_chat_events_reach_listeners_on_the_callback_worker(client: SogniClient) -> None:
    states: list[ChatJobState] = []
    tokens: list[ChatCompletionChunk] = []
    done = threading.Event()
    client.chat.on("job_state", states.append)
    client.chat.on("token", tokens.append)
    client.chat.on("completed", lambda result: done.set())

    reply = client.chat.completions.create(messages=[user("Hi")], stream=True).wait()

    assert done.wait(5)
    assert [s.type for s in states] == ["pending", "queued", "assigned", "jobStarted"]
    assert isinstance(states[0].estimated_cost, Decimal)
    assert states[0].model_id == DEFAULT_CHAT_MODEL
    assert states[-1].worker_name == reply.worker_name
    assert "".join(t.content for t in tokens) == reply.content
    with pytest.raises(ValidationError, match="did you mean 'token'"):
        client.chat.on("tokens", print)


# ---------------------------------------------------------------------------- tool calling


def test_the_model_calls_the_offered_tool_with_schema_valid_arguments(
    client: SogniClient, fake: FakeSupernet
) -> None:
    reply = client.chat.completions.create(
        messages=[user("What's the weather in Austin?")], tools=[WEATHER], tool_choice="auto"
    )
    assert reply.finish_reason == "tool_calls"
    assert reply.content == ""
    (call,) = reply.tool_calls
    assert call.name == "get_weather"
    assert call.id.startswith("call_")
    assert call.parsed_arguments() == {"location": "sample location", "unit": "celsius"}
    sent = requests_sent(fake)[0]
    assert sent["tools"] == [WEATHER]
    assert sent["tool_choice"] == "auto"


def test_streamed_tool_call_deltas_merge_by_index(client: SogniClient) -> None:
    with client.chat.completions.create(
        messages=[user("Use get_weather and get_time for Paris")],
        tools=[WEATHER, CLOCK],
        stream=True,
    ) as stream:
        chunks = list(stream)

    deltas = [d for c in chunks for d in c.tool_calls]
    assert {d.index for d in deltas} == {0, 1}
    indices = [d.index for d in deltas if d.arguments]
    assert indices[:4] == [0, 1, 0, 1]  # the fake interleaves the two calls
    result = stream.final_result
    assert result is not None
    assert result.finish_reason == "tool_calls"
    assert [c.name for c in result.tool_calls] == ["get_weather", "get_time"]
    assert result.tool_calls[1].parsed_arguments() == {
        "timezone": "sample timezone",
        "hour24": True,
    }
    assert [c.name for c in stream.tool_calls] == ["get_weather", "get_time"]


def test_tool_choice_none_gets_a_text_answer(client: SogniClient) -> None:
    reply = client.chat.completions.create(
        messages=[user("No tools please")], tools=[WEATHER], tool_choice="none"
    )
    assert reply.finish_reason == "stop"
    assert reply.tool_calls == ()
    assert reply.content == reply_to("No tools please")


def test_the_tool_helper_runs_two_rounds_and_feeds_results_back(
    client: SogniClient, fake: FakeSupernet
) -> None:
    calls: list[dict[str, Any]] = []

    def get_weather(location: str, unit: str = "fahrenheit") -> dict[str, Any]:
        calls.append({"location": location, "unit": unit})
        return {"tempF": 91, "conditions": "sunny"}

    messages = [user("Weather in Austin, TX?")]
    result = client.chat.tools.run(
        messages=messages, tools=[WEATHER], functions={"get_weather": get_weather}
    )

    assert calls == [{"location": "sample location", "unit": "celsius"}]
    assert result.finish_reason == "stop"
    assert result.content == 'The tools returned: get_weather: {"tempF": 91, "conditions": "sunny"}'
    (round_,) = result.tool_history
    assert round_.round == 0
    assert round_.results[0].error is None
    first, second = requests_sent(fake)
    assert first["messages"] == messages
    call = round_.tool_calls[0]
    assert second["messages"] == [
        *messages,
        {"role": "assistant", "content": None, "tool_calls": [call.to_dict()]},
        {
            "role": "tool",
            "content": '{"tempF": 91, "conditions": "sunny"}',
            "tool_call_id": call.id,
            "name": "get_weather",
        },
    ]
    assert list(round_.messages) == second["messages"][1:]
    assert messages == [user("Weather in Austin, TX?")]  # the caller's list is not changed


def test_tool_errors_are_reported_to_the_model(client: SogniClient) -> None:
    def get_weather(location: str, unit: str) -> str:
        raise ValueError("no station there")

    result = client.chat.tools.run(
        messages=[user("Use get_weather and get_time")],
        tools=[WEATHER, CLOCK],
        functions=[get_weather],  # named by __name__; get_time is missing
    )
    weather, clock = result.tool_history[0].results
    assert weather.error == "ValueError: no station there"
    assert clock.error == "unknown tool 'get_time'"
    assert json.loads(clock.content) == {"error": "unknown tool 'get_time'"}
    assert result.content.startswith('The tools returned: get_weather: {"error":')


def test_the_tool_loop_is_bounded(client: SogniClient) -> None:
    with pytest.raises(ToolLoopError) as info:
        client.chat.tools.run(
            messages=[user("Weather?")],
            tools=[WEATHER],
            functions={"get_weather": lambda location, unit=None: "sunny"},
            max_rounds=1,
        )
    (round_,) = info.value.history
    assert round_.results[0].content == "sunny"
    with pytest.raises(ValidationError) as bad:
        client.chat.tools.run(messages=[user("x")], functions={"f": 3}, max_rounds=0)
    assert bad.value.params == ["functions['f']", "max_rounds", "tools"]


# ---------------------------------------------------------------------------- errors


def test_invalid_input_raises_one_validation_error_and_sends_nothing(
    client: SogniClient, fake: FakeSupernet
) -> None:
    with pytest.raises(ValidationError) as info:
        client.chat.completions.create(
            messages=[{"role": "wizard", "content": "x"}],
            temperature=9,
            top_p=-1,
            response_format={"type": "yaml"},
        )
    assert info.value.params == ["temperature", "top_p", "response_format", "messages[0].role"]
    assert not info.value.retryable
    with pytest.raises(TypeError, match="did you mean 'max_tokens'"):
        client.chat.completions.create(messages=[user("x")], max_token=5)  # type: ignore[call-overload]
    assert requests_sent(fake) == []


def test_the_models_own_limits_are_checked_before_sending(
    client: SogniClient, fake: FakeSupernet
) -> None:
    client.chat.wait_for_models()
    with pytest.raises(ValidationError) as info:
        client.chat.completions.create(messages=[user("x")], max_tokens=40000)
    assert info.value.params == ["max_tokens"]
    assert requests_sent(fake) == []


def test_a_refused_job_raises_chat_error_with_the_server_tag(client: SogniClient) -> None:
    with pytest.raises(ChatError) as info:
        client.chat.completions.create(model="no-such-llm", messages=[user("x")])
    assert info.value.error_type == "model_unavailable"
    assert not info.value.retryable
    assert info.value.job_id


def test_insufficient_balance_fails_the_stream(client: SogniClient, fake: FakeSupernet) -> None:
    fake.set_balance(0, token_type="spark")
    stream = client.chat.completions.create(messages=[user("x")], token_type="spark", stream=True)
    with pytest.raises(ChatError) as info:
        list(stream)
    assert info.value.error_type == "insufficient_balance"
    assert stream.final_result is None
    with pytest.raises(ChatError):
        stream.wait()


def test_a_request_times_out_and_leaves_nothing_behind(
    client: SogniClient, fake: FakeSupernet
) -> None:
    fake.llm_pause(after_tokens=0)
    with pytest.raises(SogniTimeoutError):
        client.chat.completions.create(messages=[user("slow")], timeout=0.3)
    stream = client.chat.completions.create(messages=[user("slow")], timeout=0.3, stream=True)
    with pytest.raises(SogniTimeoutError):
        list(stream)
    assert stream.final_result is None
    fake.llm_resume()


def test_closing_a_stream_early_stops_reading_and_frees_it(
    client: SogniClient, fake: FakeSupernet
) -> None:
    fake.llm_pause(after_tokens=2)
    stream = client.chat.completions.create(messages=[user("one two three")], stream=True)
    fake.llm_wait_held()
    first = [next(stream), next(stream)]
    stream.close()
    stream.close()  # idempotent
    assert len(client._core.registry) == 0
    assert list(stream) == []
    assert stream.final_result is None
    assert "".join(c.content for c in first) == "You said: "
    fake.llm_resume()
    assert client.chat.completions.create(messages=[user("again")]).content == reply_to("again")


def test_a_closed_client_refuses_new_chats(client: SogniClient) -> None:
    client.close()
    with pytest.raises(ClientClosedError):
        client.chat.completions.create(messages=[user("x")])


# ---------------------------------------------------------------------------- models and cost


def test_the_llm_model_list_arrives_even_before_chat_is_first_used(
    make_client: Callable[..., SogniClient],
) -> None:
    client = make_client(app_id="chat-models")
    pushed = threading.Event()
    client._core.add_frame_handler("swarmLLMModels", lambda frame: pushed.set())
    client.connect()
    assert pushed.wait(5)

    models = client.chat.models  # the namespace is created after the push
    assert set(models) == {DEFAULT_CHAT_MODEL, "qwen3-8b-gguf-q4km"}
    qwen = models[DEFAULT_CHAT_MODEL]
    assert qwen.workers == 4
    assert qwen.max_output_tokens is not None
    assert qwen.max_output_tokens.max == 32768
    assert qwen.defaults_thinking is not None
    assert qwen.defaults_thinking.temperature == 1.0
    assert models["qwen3-8b-gguf-q4km"].workers == 2  # the legacy numeric form
    assert client.with_options(timeout=5).chat.wait_for_models() == models


def test_a_new_model_list_replaces_the_old_one(client: SogniClient, fake: FakeSupernet) -> None:
    client.chat.wait_for_models()
    updated = threading.Event()
    client.chat.on("models_updated", lambda models: updated.set())
    fake.inject_frame("swarmLLMModels", {"tiny-llm": 1})
    assert updated.wait(5)
    assert list(client.chat.models) == ["tiny-llm"]


def test_a_cost_estimate_counts_tokens_like_the_server(
    client: SogniClient, fake: FakeSupernet
) -> None:
    client.chat.wait_for_models()
    messages = [user("Hello!")]
    estimate = client.chat.estimate_cost(messages=messages, token_type="spark")
    assert estimate.input_tokens == 9  # ceil(len('[{"role":"user","content":"Hello!"}]') / 4)
    assert estimate.output_tokens == 8192  # the model's default
    assert isinstance(estimate.spark, Decimal)
    assert estimate.token == estimate.spark
    (request,) = fake.requests("/api/v1/job-llm/estimate/")
    assert request.path == f"/api/v1/job-llm/estimate/spark/{DEFAULT_CHAT_MODEL}/9/8192"
    assert request.headers.get("api-key") == fake.api_key

    complex_ = client.chat.estimate_cost(messages=messages, think=True, task_profile="coding")
    assert complex_.output_tokens == 16384
    assert client.chat.estimate_cost(messages=messages, max_tokens=100).output_tokens == 100
    emoji = client.chat.estimate_cost(messages=[user("\U0001f600" * 9)])
    assert emoji.input_tokens == 12  # each emoji is two UTF-16 code units

    reply = client.chat.completions.create(messages=messages)
    assert reply.usage.prompt_tokens == estimate.input_tokens
    with pytest.raises(NotFoundError):
        client.chat.estimate_cost(messages=messages, model="no-such-llm")
