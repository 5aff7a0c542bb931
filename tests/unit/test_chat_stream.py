"""ChatStream state machine without a socket: loss bookkeeping, the bounded buffer, bad frames."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sogni import ChatError, ClientConfig, ProtocolError, Timeouts
from sogni._transport.inflight import InflightRegistry
from sogni._wire.converter import get_converter
from sogni._wire.envelope import Frame
from sogni.chat import ChatStream
from sogni.chat import _stream as stream_module


class _Transport:
    generation = 1


class _Core:
    """The parts of the client core a ChatStream uses."""

    def __init__(self) -> None:
        self.registry = InflightRegistry()
        self.transport = _Transport()
        self.events: list[tuple[str, Any]] = []
        self.callbacks = None  # no worker: done-callbacks run where the future settles

    def emit(self, event: str, payload: Any) -> None:
        self.events.append((event, payload))

    def structure(self, data: Any, cls: Any) -> Any:
        try:
            return get_converter().structure(data, cls)
        except Exception as exc:
            raise ProtocolError("bad shape") from exc


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make_stream(clock: _Clock | None = None) -> tuple[ChatStream, _Core]:
    core = _Core()
    config = ClientConfig(clock=clock or _Clock(), timeouts=Timeouts(chat_reconnect_grace=5))
    stream = ChatStream(core, config, "JOB", deadline=10_000.0, response_format=None)  # type: ignore[arg-type]
    core.registry.add("JOB", stream)
    return stream, core


def written_on(generation: int) -> concurrent.futures.Future[int]:
    future: concurrent.futures.Future[int] = concurrent.futures.Future()
    future.set_result(generation)
    return future


def tokens(text: str) -> Frame:
    return Frame("jobTokens", {"jobID": "JOB", "content": text})


def test_a_drop_seen_before_the_send_future_is_known_still_counts() -> None:
    clock = _Clock()
    stream, core = make_stream(clock)
    stream._connection_lost()  # the request went out on connection 1, then it dropped
    stream._set_send_future(written_on(1))
    stream._authenticated(2, {"activeLLMJobIDs": []})
    with pytest.raises(ChatError) as info:
        stream.wait()
    assert info.value.error_type == "transport_lost"
    assert len(core.registry) == 0


def test_a_request_still_queued_at_the_drop_goes_out_on_the_next_connection() -> None:
    stream, _ = make_stream()
    queued: concurrent.futures.Future[int] = concurrent.futures.Future()
    stream._set_send_future(queued)
    stream._connection_lost()
    queued.set_result(2)  # written after the reconnect
    stream._authenticated(2, {"activeLLMJobIDs": []})
    assert not stream.done


def test_a_frame_proves_the_job_alive_and_silence_beyond_the_grace_fails_it() -> None:
    clock = _Clock()
    stream, _ = make_stream(clock)
    stream._set_send_future(written_on(1))
    stream._connection_lost()
    stream._frame_arrived(tokens("still "))
    clock.now += 60
    assert next(stream).content == "still "  # no failure: the loss was cleared
    stream._connection_lost()
    clock.now += 6
    with pytest.raises(ChatError, match="transport_lost"):
        next(stream)


def test_a_slow_reader_gets_merged_chunks_and_loses_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stream_module, "_MAX_BUFFERED", 3)
    stream, _ = make_stream()
    words = [f"w{i} " for i in range(10)]
    for word in words:
        stream._frame_arrived(tokens(word))
    stream._frame_arrived(Frame("llmJobResult", {"jobID": "JOB", "usage": None, "timeTaken": 1}))
    chunks = list(stream)
    assert len(chunks) == 3
    assert "".join(c.content for c in chunks) == "".join(words)
    assert stream.final_result is not None
    assert stream.final_result.content == "".join(words)


def test_a_malformed_frame_fails_only_its_job() -> None:
    stream, core = make_stream()
    stream._frame_arrived(Frame("jobTokens", {"jobID": "JOB", "tool_calls": "nope"}))
    with pytest.raises(ProtocolError):
        stream.wait()
    assert len(core.registry) == 0
    assert core.events[-1][0] == "chat.error"


_field = st.none() | st.text(max_size=4) | st.integers(-2, 2) | st.booleans() | st.just([])
_token_payloads = st.fixed_dictionaries(
    {"jobID": st.just("JOB")},
    optional={
        "content": _field,
        "role": _field,
        "finishReason": _field,
        "usage": st.none() | st.just({}) | st.just({"prompt_tokens": 1, "completion_tokens": 2}),
        "tool_calls": st.none() | st.just([]),
    },
)


@settings(max_examples=200, deadline=None)
@given(payloads=st.lists(_token_payloads, min_size=1, max_size=6))
def test_plain_deltas_read_without_the_converter_give_the_same_chunks(
    payloads: list[dict[str, Any]],
) -> None:
    def read(fast: bool) -> list[Any]:
        with pytest.MonkeyPatch.context() as patch:
            if not fast:  # every frame through the converter, as before the shortcut
                patch.setattr(stream_module, "_plain_tokens", lambda _: (None, None, None))
            stream, core = make_stream()
            for payload in payloads:
                stream._frame_arrived(Frame("jobTokens", dict(payload)))
            stream._frame_arrived(Frame("llmJobResult", {"jobID": "JOB", "timeTaken": 1}))
            return [list(stream), stream.final_result, core.events]

    assert read(fast=True) == read(fast=False)
