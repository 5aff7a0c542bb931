"""The one tool loop (``completions.create(auto_execute_tools=True)`` and ``chat.tools.run``)
end to end: Sogni platform calls run as projects round after round, a later round sees the
earlier rounds' media, rounds running out keep the paid media in ``ToolLoopError``, user code
runs where the rules say, and nothing of a finished loop stays reachable."""

from __future__ import annotations

import gc
import json
import pickle
import threading
import weakref
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from sogni import SogniClient, ToolLoopError, ValidationError
from sogni.chat import SogniTools, ToolCall, ToolProgress, image_part
from sogni.testing import FakeSupernet

from ..helpers import wait_until
from ._tool_support import png, sha, uploads

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}


@pytest.fixture
def client(make_client: Callable[..., SogniClient], fake: FakeSupernet) -> Iterator[SogniClient]:
    fake.set_balance(Decimal(10**6), token_type="sogni")
    client = make_client(app_id="tool-loop-e2e")
    yield client
    assert len(client._core.registry) == 0
    assert client.projects.tracked == []


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def llm_requests(fake: FakeSupernet) -> list[dict[str, Any]]:
    return [r.payload for r in fake.frames("llmJobRequest")]


def _download(url: str) -> bytes:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return response.content


def test_the_second_round_sees_the_first_rounds_media(
    client: SogniClient, fake: FakeSupernet
) -> None:
    reply = client.chat.completions.create(
        messages=[user("#rounds=2 generate_image of a lighthouse, then generate_video of it")],
        tools=SogniTools.direct,
        auto_execute_tools=True,
    )
    assert reply.finish_reason == "stop"
    first, second = reply.tool_history
    assert [c.name for c in first.tool_calls] == ["generate_image"]
    assert [c.name for c in second.tool_calls] == ["generate_video"]
    assert second.tool_calls[0].parsed_arguments()["referenceImageIndices"] == [0]
    (image,) = first.results
    (video,) = second.results
    assert image.success and video.success, video.error
    assert video.model_id == "ltx23-22b-fp8_i2v_distilled"
    # The video's first frame is the image the first round made (its URL was fetched).
    assert uploads(fake, video.project_id) == {
        "referenceImage": sha(_download(image.result_urls[0]))
    }
    assert first.project_ids == [image.project_id] and second.result_urls == list(video.result_urls)
    # Three chat requests, each stream:false with the history so far.
    bodies = llm_requests(fake)
    assert [b["stream"] for b in bodies] == [False, False, False]
    assert bodies[2]["messages"][1:] == [*first.messages, *second.messages]
    assert json.loads(second.messages[1]["content"])["urls"] == list(video.result_urls)


def test_an_uploaded_image_is_index_minus_one(
    client: SogniClient, fake: FakeSupernet, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(png(96, 64, "teal"))
    reply = client.chat.completions.create(
        messages=[
            {"role": "user", "content": [image_part(photo), {"type": "text", "text": "edit_image"}]}
        ],
        tools=[SogniTools.edit_image],
        auto_execute_tools=True,
    )
    (round_,) = reply.tool_history
    assert round_.tool_calls[0].parsed_arguments()["sourceImageIndex"] == -1
    (edit,) = round_.results
    assert uploads(fake, edit.project_id) == {"contextImage1": sha(photo.read_bytes())}


def test_rounds_running_out_keep_the_urls_in_the_error(
    client: SogniClient, fake: FakeSupernet
) -> None:
    with pytest.raises(ToolLoopError) as info:
        client.chat.completions.create(
            messages=[user("#rounds=3 generate_music")],
            tools=[SogniTools.generate_music],
            auto_execute_tools=True,
            max_tool_rounds=2,
        )
    error = info.value
    assert str(error) == "the model still asked for tools after 2 rounds"
    assert len(error.tool_history) == 2
    projects = [pid for round_ in error.tool_history for pid in round_.project_ids]
    assert len(projects) == 2
    assert error.result_urls == [u for r in error.tool_history for u in r.result_urls]
    for url in error.result_urls:
        assert _download(url)[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")
    # The history survives pickling and a JSON round trip of args (Celery, multiprocessing).
    for copy in (
        pickle.loads(pickle.dumps(error)),
        type(error)(*json.loads(json.dumps(error.args))),
    ):
        assert copy.result_urls == error.result_urls
        assert [r.project_ids for r in copy.tool_history] == [
            r.project_ids for r in error.tool_history
        ]
    assert len(llm_requests(fake)) == 2  # no third chat request once the rounds ran out


def test_streaming_with_the_tool_loop_is_refused_before_sending(
    client: SogniClient, fake: FakeSupernet
) -> None:
    with pytest.raises(ValidationError) as info:
        client.chat.completions.create(
            messages=[user("generate_image")],
            tools=SogniTools.direct,
            auto_execute_tools=True,
            stream=True,
        )
    assert info.value.params == ["stream"]
    with pytest.raises(ValidationError) as loose:
        client.chat.completions.create(messages=[user("x")], max_tool_rounds=2)
    assert loose.value.params == ["max_tool_rounds"]
    with pytest.raises(ValidationError) as zero:
        client.chat.completions.create(
            messages=[user("x")], auto_execute_tools=True, max_tool_rounds=0
        )
    assert zero.value.params == ["max_tool_rounds"]
    assert llm_requests(fake) == []


def test_user_code_runs_where_the_rules_say(client: SogniClient) -> None:
    calls: list[tuple[str, str]] = []
    progress: list[tuple[str, str, str]] = []

    def on_tool_call(call: ToolCall) -> dict[str, Any]:
        calls.append((call.name, threading.current_thread().name))
        return {"sunny": True}

    def on_tool_progress(call: ToolCall, update: ToolProgress) -> None:
        progress.append((call.name, update.status, threading.current_thread().name))

    reply = client.chat.completions.create(
        messages=[user("get_weather in Paris and generate_image of it")],
        tools=[WEATHER, SogniTools.generate_image],
        auto_execute_tools=True,
        on_tool_call=on_tool_call,
        on_tool_progress=on_tool_progress,
    )
    (round_,) = reply.tool_history
    assert [r.name for r in round_.results] == ["get_weather", "generate_image"]
    assert round_.results[0].content == '{"sunny": true}'
    assert calls == [("get_weather", threading.current_thread().name)]
    wait_until(lambda: progress and progress[-1][1] == "completed")
    assert {name for name, _, _ in progress} == {"generate_image"}
    assert all(thread.startswith("sogni-callbacks") for _, _, thread in progress)


def test_tools_run_shares_the_loop_with_functions_and_platform_tools(
    client: SogniClient, fake: FakeSupernet
) -> None:
    def get_weather(location: str) -> str:
        return f"sunny in {location}"

    result = client.chat.tools.run(
        messages=[user("get_weather then generate_music")],
        tools=[WEATHER, SogniTools.generate_music],
        functions=[get_weather],
    )
    (round_,) = result.tool_history
    weather, music = round_.results
    assert weather.content == "sunny in sample location"
    assert music.media_type == "audio" and music.project_id is not None
    assert result.content.startswith("The tools returned: get_weather: sunny in sample location")
    assert [b["stream"] for b in llm_requests(fake)] == [False, False]


def test_nothing_of_a_finished_loop_stays_reachable(client: SogniClient) -> None:
    class Callback:
        def __call__(self, *args: Any) -> Any:
            return "ok"

    handler, listener = Callback(), Callback()
    handler_ref, listener_ref = weakref.ref(handler), weakref.ref(listener)
    reply = client.chat.completions.create(
        messages=[user("#rounds=2 generate_image then generate_video")],
        tools=[WEATHER, *SogniTools.direct],
        auto_execute_tools=True,
        on_tool_call=handler,
        on_tool_progress=listener,
    )
    assert len(reply.tool_history) == 2
    reply_ref = weakref.ref(reply)
    transport = client._core.transport
    assert transport is not None
    wait_until(lambda: client._core.callbacks._queue.__len__() == 0)
    del handler, listener, reply
    gc.collect()
    assert handler_ref() is None and listener_ref() is None and reply_ref() is None
    assert client.projects.tracked == []
    assert len(client._core.registry) == 0
    wait_until(lambda: transport.timer_entries == 0)
