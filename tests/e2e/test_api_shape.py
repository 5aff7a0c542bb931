"""The API's shape: chat jobs have futures like projects; properties never do network I/O."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable

import pytest

from sogni import SogniClient, SogniError
from sogni.chat import ChatCompletionResult
from sogni.testing import FakeSupernet

from ..helpers import wait_until


def test_chat_jobs_join_as_completed_with_projects(
    make_client: Callable[..., SogniClient],
) -> None:
    client = make_client()
    project = client.projects.create(
        type="image", model_id="flux1-schnell-fp8", positive_prompt="a kite", steps=4, seed=1
    )
    stream = client.chat.completions.create(
        messages=[{"role": "user", "content": "Hi"}], stream=True
    )
    futures = {project.future: "project", stream.future: "chat"}
    finished = [futures[f] for f in concurrent.futures.as_completed(futures, timeout=30)]
    assert sorted(finished) == ["chat", "project"]
    result = stream.future.result()
    assert isinstance(result, ChatCompletionResult)
    assert result is stream.final_result
    assert "".join(chunk.content or "" for chunk in stream) == result.content


def test_a_stream_closed_early_fails_its_future(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    fake.llm_pause(after_tokens=1)
    stream = client.chat.completions.create(
        messages=[{"role": "user", "content": "Tell me a long story"}], stream=True
    )
    next(iter(stream))
    stream.close()
    with pytest.raises(SogniError, match="closed before it ended"):
        stream.future.result(timeout=5)
    fake.llm_resume()


def test_available_models_reads_only_what_the_server_pushed(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    client.connect()
    wait_until(lambda: client.projects.available_models)  # the swarmModels push, named roughly
    assert fake.requests("/api/v1/models") == []  # the property fetched no catalog
    client.projects.wait_for_models()  # a method may fetch it
    fetched = len(fake.requests())
    names = {m.id: m.name for m in client.projects.available_models}
    assert names["flux1-schnell-fp8"] != "flux1 schnell fp8"  # named from the fetched catalog
    assert len(fake.requests()) == fetched
