"""CredentialStore races that a live server cannot stage on cue: a sign-out or a new sign-in
while a renewal is in flight, and a renewal that never reached the server."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from sogni import AuthenticationError, Tokens, TransportError
from sogni.auth import CredentialStore

NOW = 1_800_000_000.0


def jwt(**claims: Any) -> str:
    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part(claims)}.c2ln"


def pair(access_exp: float, refresh_exp: float = NOW + 3600, tag: str = "a") -> Tokens:
    return Tokens(jwt(exp=access_exp, jti=tag), jwt(type="refresh", exp=refresh_exp, jti=tag))


class StubRest:
    """Answers the refresh call through ``answer`` (which may also act on the store)."""

    def __init__(self, answer: Callable[[], Any]) -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        self.calls.append({"method": method, "path": path, **kwargs})
        return self.answer()


def store_with(tokens: Tokens, answer: Callable[[], Any]) -> tuple[CredentialStore, StubRest]:
    store = CredentialStore(None, wall_clock=lambda: NOW)
    rest = StubRest(answer)
    store.bind(rest)  # type: ignore[arg-type]
    store.set_tokens(tokens, notify=False)
    return store, rest


def test_renewal_request_shape_and_result() -> None:
    new = pair(NOW + 60, tag="new")
    store, rest = store_with(pair(NOW - 1), lambda: new.as_dict())
    seen: list[Tokens] = []
    store.on_tokens_refreshed(seen.append)
    assert store.headers() == {"Authorization": new.access_token.reveal()}
    assert rest.calls[0]["path"] == "/v1/account/refresh-token"
    assert rest.calls[0]["authenticate"] is False
    assert seen == [new] and store.tokens == new


def test_a_sign_out_during_renewal_is_not_undone() -> None:
    holder: dict[str, CredentialStore] = {}

    def answer() -> Any:
        holder["store"].clear()  # the user signs out while the request is on the wire
        return pair(NOW + 60, tag="late").as_dict()

    store, _ = store_with(pair(NOW - 1), answer)
    holder["store"] = store
    with pytest.raises(AuthenticationError):
        store.headers()
    assert store.tokens is None and store.mode == "none"


def test_a_late_refusal_does_not_clear_a_newer_sign_in() -> None:
    newer = pair(NOW + 60, tag="newer")
    holder: dict[str, CredentialStore] = {}

    def answer() -> Any:
        holder["store"].set_tokens(newer, notify=False)
        return {"token": "x"}  # unusable: would sign out if the session were still current

    store, _ = store_with(pair(NOW - 1), answer)
    holder["store"] = store
    with pytest.raises(AuthenticationError):
        store.refresh()
    assert store.tokens == newer


def test_no_verdict_keeps_the_credentials() -> None:
    def answer() -> Any:
        raise TransportError("connection to http://127.0.0.1:9 failed")

    old = pair(NOW - 1)
    store, _ = store_with(old, answer)
    with pytest.raises(TransportError):
        store.headers()
    assert store.tokens == old and store.is_authenticated()


def test_authentication_state_follows_the_refresh_token() -> None:
    store, _ = store_with(pair(NOW - 1, refresh_exp=NOW + 1), dict)
    assert store.is_authenticated()
    store.set_tokens(pair(NOW + 60, refresh_exp=NOW), notify=False)
    assert not store.is_authenticated()


@pytest.mark.parametrize(
    ("issued", "expires", "renews"),
    [
        (NOW - 3600, NOW + 31, False),  # outside the 30 s margin
        (NOW - 3600, NOW + 29, True),  # inside it: renewed while still valid
        (NOW - 10, NOW + 20, False),  # a 30 s token: the margin shrinks to half its life (15 s)
        (NOW - 16, NOW + 14, True),
        (None, NOW + 29, False),  # no iat, so no known lifetime: renewed only once expired
        (None, NOW - 1, True),
        (NOW - 3600, NOW - 1, True),  # expired
    ],
)
def test_renewal_comes_before_expiry(issued: float | None, expires: float, renews: bool) -> None:
    claims: dict[str, Any] = {"exp": expires} if issued is None else {"exp": expires, "iat": issued}
    tokens = Tokens(jwt(**claims), jwt(type="refresh", exp=NOW + 3600))
    new = pair(NOW + 3600, tag="new")
    store = CredentialStore(None, wall_clock=lambda: NOW, refresh_margin=30.0)
    rest = StubRest(lambda: new.as_dict())
    store.bind(rest)  # type: ignore[arg-type]
    store.set_tokens(tokens, notify=False)
    store.headers()
    assert len(rest.calls) == (1 if renews else 0)
    assert store.tokens == (new if renews else tokens)
