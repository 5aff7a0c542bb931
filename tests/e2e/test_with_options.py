"""``client.with_options()``: per-call settings on a view that shares the client's connection and
credentials; identity and connection settings are refused instead of being ignored."""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from sogni import (
    ClientConfig,
    RetryPolicy,
    ServerError,
    SogniClient,
    SogniTimeoutError,
)
from sogni.testing import FakeSupernet
from sogni_async import AsyncSogniClient

from ..helpers import FAST

SECRET = "sk-not-for-messages-0123456789"

NOT_PER_CALL: dict[str, Any] = {
    "api_key": SECRET,
    "app_id": "other-app",
    "tokens": {"token": SECRET, "refreshToken": SECRET},
    "config": ClientConfig(app_id="other-app"),
    "rest_endpoint": "https://attacker.example",
    "socket_endpoint": "wss://attacker.example",
    "network": "relaxed",
    "app_source": "other",
    "testnet": True,
    "verify": False,
    "allow_insecure": True,
    "disable_socket": True,
    "auto_connect": False,
    "max_send_queue": 5,
    "max_connect_attempts": 5,
    "callback_queue_size": 5,
    "max_frame_bytes": 5,
    "socket_event_subscriptions": {"swarmModels": False},
    "trusted_media_prefixes": ["https://attacker.example/"],
}


@pytest.mark.parametrize("name", sorted(NOT_PER_CALL))
def test_identity_and_connection_settings_are_refused(
    make_client: Callable[..., SogniClient], fake: FakeSupernet, name: str
) -> None:
    client = make_client(app_id="with-options-refused")
    with pytest.raises(TypeError) as info:
        client.with_options(**{name: NOT_PER_CALL[name]})
    message = str(info.value)
    assert f"cannot change {name!r}" in message
    assert "create a new client" in message
    assert SECRET not in message and SECRET not in repr(info.value)
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is TypeError and again.args == info.value.args
    with pytest.raises(TypeError, match=f"cannot change {name!r}"):
        client.with_options(timeout=1, **{name: NOT_PER_CALL[name]})  # even beside a good one
    # The client is untouched: its calls still go where they went, with its own key.
    assert client.account.me().username == "alice"
    (me,) = fake.requests("/v1/account/me")
    assert me.headers.get("api-key") == fake.api_key


def test_a_misspelled_setting_names_the_closest_one(
    make_client: Callable[..., SogniClient],
) -> None:
    client = make_client(disable_socket=True)
    with pytest.raises(
        TypeError, match="unexpected keyword argument 'timout'; did you mean 'timeout'"
    ):
        client.with_options(timout=3)
    with pytest.raises(TypeError, match=r"'speed' \(per-call settings: timeout, timeouts, "):
        client.with_options(speed=3)


def test_per_call_settings_apply_to_the_view_only(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    client = make_client(disable_socket=True)
    quick = client.with_options(timeout=0.3)
    fake.delay_next(1.5, path="/v4/account/balance")
    with pytest.raises(SogniTimeoutError):
        quick.account.balance()
    fake.delay_next(1.0, path="/v4/account/balance")
    assert client.account.balance().spark is not None  # the parent kept its 5 s

    no_retries = client.with_options(max_retries=0)
    fake.fail_next(503, path="/v1/account/me")
    with pytest.raises(ServerError):
        no_retries.account.me()
    fake.fail_next(503, path="/v1/account/me")
    assert client.account.me().username == "alice"  # the parent retried
    one_try = client.with_options(retry=RetryPolicy(max_attempts=1))
    fake.fail_next(503, path="/v1/account/me")
    with pytest.raises(ServerError):
        one_try.account.me()
    assert [r.status for r in fake.requests("/v1/account/me")] == [503, 503, 200, 503]
    # A view of a view keeps what it did not change.
    stacked = one_try.with_options(timeout=0.3)
    fake.delay_next(1.5, path="/v4/account/balance")
    with pytest.raises(SogniTimeoutError):
        stacked.account.balance()
    fake.fail_next(503, path="/v1/account/me")
    with pytest.raises(ServerError):
        stacked.account.me()
    assert [r.status for r in fake.requests("/v1/account/me")] == [503, 503, 200, 503, 503]


def test_a_config_with_other_identity_still_builds_a_client(fake: FakeSupernet) -> None:
    # ClientConfig.with_options may change anything: SogniClient(config=..., app_id=...) uses it.
    base = ClientConfig(
        app_id="base-app",
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        timeouts=FAST,
    )
    with SogniClient(config=base, app_id="other-app", api_key=fake.api_key) as client:
        client.connect()
        assert client.account.me().username == "alice"
    (connect,) = [r for r in fake.received if r.kind == "ws_connect"]
    assert connect.app_id == "other-app"
    assert base.with_options(api_key="k", network="relaxed").network == "relaxed"


@pytest.mark.asyncio
async def test_the_async_view_has_the_same_signature_and_rules(fake: FakeSupernet) -> None:
    sync_params = inspect.signature(SogniClient.with_options).parameters
    async_params = inspect.signature(AsyncSogniClient.with_options).parameters
    assert list(sync_params) == [
        "self",
        "timeout",
        "timeouts",
        "max_retries",
        "retry",
        "not_per_call",
    ]
    assert [(p.name, p.kind, p.annotation, p.default) for p in sync_params.values()] == [
        (p.name, p.kind, p.annotation, p.default) for p in async_params.values()
    ]
    config = ClientConfig(
        app_id="async-view",
        api_key=fake.api_key,
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        timeouts=FAST,
        disable_socket=True,
    )
    async with AsyncSogniClient(config=config) as client:
        with pytest.raises(TypeError, match="cannot change 'api_key'"):
            client.with_options(api_key=SECRET)
        with pytest.raises(TypeError, match="cannot change 'app_id'"):
            client.with_options(app_id="other-app")
        quick = client.with_options(timeout=0.3)
        fake.delay_next(1.5, path="/v4/account/balance")
        with pytest.raises(SogniTimeoutError):
            await quick.account.balance()
        assert (await client.account.me()).username == "alice"
