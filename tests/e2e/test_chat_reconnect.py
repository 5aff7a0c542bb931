"""A socket blip during a chat stream (protocol/04 §2.7): a job the server re-announces keeps
streaming; a job it lost fails with a retryable ``transport_lost`` error."""

from __future__ import annotations

import concurrent.futures
import re
import threading
from collections.abc import Callable, Iterator

import attrs
import pytest

from sogni import ChatError, SogniClient, SogniTimeoutError
from sogni.chat import ChatStream
from sogni.testing import FakeSupernet

from ..helpers import FAST

PROMPT = "Keep talking through the blip"
EXPECTED = f'You said: "{PROMPT}". This is turn 1 of our conversation.'


@pytest.fixture
def make_chat_client(
    make_client: Callable[..., SogniClient],
) -> Iterator[Callable[[float], SogniClient]]:
    made: list[SogniClient] = []

    def factory(grace: float) -> SogniClient:
        client = make_client(
            app_id="chat-blip", timeouts=attrs.evolve(FAST, chat_reconnect_grace=grace)
        )
        client.connect()
        made.append(client)
        return client

    yield factory
    assert all(len(c._core.registry) == 0 for c in made)


@pytest.fixture
def client(make_chat_client: Callable[[float], SogniClient]) -> SogniClient:
    # A grace far beyond the requests' 5 s deadline: only activeLLMJobIDs can end a job here.
    return make_chat_client(60.0)


def stream_held_after(client: SogniClient, fake: FakeSupernet, tokens: int) -> ChatStream:
    """A stream whose job the fake holds after ``tokens`` words, all of them read."""
    fake.llm_pause(after_tokens=tokens)
    stream = client.chat.completions.create(
        messages=[{"role": "user", "content": PROMPT}], stream=True, timeout=5
    )
    (held,) = fake.llm_wait_held()
    (job,) = fake.llm_jobs()
    assert job["job_id"] == held == stream.job_id
    assert job["tokens_sent"] == tokens
    assert job["held"]
    read = [next(stream).content for _ in range(tokens)]
    assert "".join(read) == "".join(re.findall(r"\S+\s*", EXPECTED)[:tokens])
    return stream


def go_offline(client: SogniClient, fake: FakeSupernet) -> None:
    """Refuse new connections, drop the current one, and wait until the client noticed."""
    lost = threading.Event()
    remove = client.on("connection_lost", lambda _: lost.set())
    fake.refuse_connections()
    fake.drop_connections()
    assert lost.wait(5)
    remove()


def connections(fake: FakeSupernet) -> int:
    return len([r for r in fake.received if r.kind == "ws_connect"])


def test_a_re_announced_job_keeps_streaming_on_the_new_connection(
    client: SogniClient, fake: FakeSupernet
) -> None:
    stream = stream_held_after(client, fake, 3)
    fake.drop_connections()
    fake.wait_for_connections(1)
    assert connections(fake) == 2
    fake.llm_resume()

    rest = list(stream)

    result = stream.final_result
    assert result is not None
    assert result.content == EXPECTED
    assert "".join(c.content for c in rest) == "".join(re.findall(r"\S+\s*", EXPECTED)[3:])


def test_a_job_the_server_lost_fails_as_retryable_transport_lost(
    client: SogniClient, fake: FakeSupernet
) -> None:
    stream = stream_held_after(client, fake, 2)
    assert fake.llm_forget_jobs() == 1
    fake.drop_connections()
    with pytest.raises(ChatError) as info:
        list(stream)
    assert info.value.error_type == "transport_lost"
    assert info.value.retryable
    assert info.value.job_id == stream.job_id
    assert stream.final_result is None
    assert connections(fake) == 2
    fake.llm_resume()


def test_a_restart_drops_llm_jobs(client: SogniClient, fake: FakeSupernet) -> None:
    stream = stream_held_after(client, fake, 1)
    fake.restart(downtime=0.1)
    with pytest.raises(ChatError) as info:
        stream.wait()
    assert info.value.error_type == "transport_lost"
    assert info.value.retryable
    fake.llm_resume()


@pytest.mark.parametrize("alive", [True, False])
def test_without_active_job_ids_the_grace_period_decides(
    make_chat_client: Callable[[float], SogniClient], fake: FakeSupernet, alive: bool
) -> None:
    client = make_chat_client(0.5)
    fake.llm_announce_jobs(False)  # an older server
    stream = stream_held_after(client, fake, 2)
    if not alive:
        fake.llm_forget_jobs()
    fake.drop_connections()
    fake.wait_for_connections(1)
    fake.llm_resume()
    if alive:  # its next frame proves the job survived
        assert stream.wait().content == EXPECTED
    else:  # silence for chat_reconnect_grace (0.5 s here)
        with pytest.raises(ChatError) as info:
            stream.wait()
        assert info.value.error_type == "transport_lost"


def test_a_request_made_while_disconnected_is_sent_after_the_reconnect(
    client: SogniClient, fake: FakeSupernet
) -> None:
    go_offline(client, fake)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pending = pool.submit(
            client.chat.completions.create, messages=[{"role": "user", "content": PROMPT}]
        )
        fake.received.wait_for(lambda r: r.kind == "ws_connect", count=2)  # a refused retry
        assert not pending.done()
        fake.refuse_connections(False)
        assert pending.result(10).content == EXPECTED


def test_a_request_that_cannot_be_sent_fails_as_retryable_transport_lost(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    client = make_client(app_id="chat-unsent", timeouts=attrs.evolve(FAST, send_ready=0.3))
    client.connect()
    go_offline(client, fake)
    with pytest.raises(ChatError) as info:
        client.chat.completions.create(messages=[{"role": "user", "content": PROMPT}])
    assert info.value.error_type == "transport_lost"
    assert info.value.retryable
    assert len(client._core.registry) == 0
    fake.refuse_connections(False)


def test_a_request_past_its_deadline_before_sending_is_never_sent(
    client: SogniClient, fake: FakeSupernet
) -> None:
    go_offline(client, fake)
    with pytest.raises(SogniTimeoutError):
        client.chat.completions.create(messages=[{"role": "user", "content": "late"}], timeout=0.2)
    fake.refuse_connections(False)
    reply = client.chat.completions.create(messages=[{"role": "user", "content": PROMPT}])
    assert reply.content == EXPECTED
    assert [f.payload["messages"][0]["content"] for f in fake.frames("llmJobRequest")] == [PROMPT]
