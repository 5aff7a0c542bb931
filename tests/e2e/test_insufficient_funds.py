"""``except InsufficientFundsError`` catches every way the Supernet refuses for balance: a render,
a chat job, and a REST answer with ``errorCode`` 123 or HTTP 402, whatever the status."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sogni import (
    BadRequestError,
    ChatError,
    ChatInsufficientFundsError,
    InsufficientFundsError,
    ProjectError,
    ProjectInsufficientFundsError,
    SogniClient,
)
from sogni.testing import FakeSupernet

MODEL = "flux1-schnell-fp8"


@pytest.fixture
def client(make_client: Callable[..., SogniClient]) -> Iterator[SogniClient]:
    client = make_client()
    client.connect()
    yield client
    assert len(client._core.registry) == 0, "a job was left in the in-flight registry"


def _caught(call: Callable[[], Any]) -> InsufficientFundsError:
    try:
        call()
    except InsufficientFundsError as exc:
        return exc
    raise AssertionError("the call did not fail")


def test_a_render_refused_for_balance(client: SogniClient, fake: FakeSupernet) -> None:
    fake.set_balance("0", token_type="spark")
    project = client.projects.create(type="image", model_id=MODEL, token_type="spark")
    error = _caught(lambda: project.wait(30))
    assert type(error) is ProjectInsufficientFundsError
    assert isinstance(error, ProjectError)
    assert error.error_code == 123 and error.job_id == project.id
    assert "Insufficient balance" in str(error) and not error.retryable
    assert project.status == "failed"
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ProjectInsufficientFundsError and str(copy) == str(error)


def test_an_affordable_render_still_fails_as_a_plain_project_error(
    client: SogniClient, fake: FakeSupernet
) -> None:
    fake.fail_next_job(error="genfailure", error_message="Generation failed on worker")
    project = client.projects.create(type="image", model_id=MODEL, token_type="spark")
    with pytest.raises(ProjectError) as info:
        project.wait(30)
    assert not isinstance(info.value, InsufficientFundsError)


@pytest.mark.parametrize("stream", [False, True])
def test_a_chat_job_refused_for_balance(
    client: SogniClient, fake: FakeSupernet, stream: bool
) -> None:
    fake.set_balance(0, token_type="spark")
    messages = [{"role": "user", "content": "hello"}]

    def run() -> None:
        if stream:
            list(client.chat.completions.create(messages=messages, token_type="spark", stream=True))
        else:
            client.chat.completions.create(messages=messages, token_type="spark")

    error = _caught(run)
    assert type(error) is ChatInsufficientFundsError
    assert isinstance(error, ChatError)
    assert error.error_type == "insufficient_balance" and error.job_id
    assert not error.retryable
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ChatInsufficientFundsError and copy.job_id == error.job_id


@pytest.mark.parametrize(
    ("status", "error_code"), [(400, 123), (403, "123"), (402, 402), (402, None)]
)
def test_a_rest_refusal_for_balance(
    client: SogniClient, fake: FakeSupernet, status: int, error_code: Any
) -> None:
    body: dict[str, Any] = {"status": "error", "message": "Insufficient balance"}
    if error_code is not None:
        body["errorCode"] = error_code
    fake.fail_next(status, path="/v1/account/me", body=body)
    error = _caught(client.account.me)
    assert type(error) is InsufficientFundsError
    assert error.status == status
    assert error.error_code == (status if error_code is None else error_code)
    assert str(error) == "Insufficient balance"
    assert client.account.me().username == "alice"  # one refusal, then the call works


def test_other_rest_codes_are_not_insufficient_funds(
    client: SogniClient, fake: FakeSupernet
) -> None:
    body = {"status": "error", "message": "Username taken", "errorCode": 108}
    fake.fail_next(400, path="/v1/account/me", body=body)
    with pytest.raises(BadRequestError) as info:
        client.account.me()
    assert not isinstance(info.value, InsufficientFundsError)
    assert info.value.error_code == 108
