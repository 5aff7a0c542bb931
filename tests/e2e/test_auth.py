"""Authentication modes over real loopback against FakeSupernet: API key, username/password
login, token renewal with rotation, set_tokens, logout, 401 handling, single-flight renewal.

Every error raised here, and the reprs of the credential-carrying objects, are checked for
secrets (API key, tokens, password, derived private key).
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
import requests
import websocket

from sogni import (
    AuthenticationError,
    ClientConfig,
    SogniClient,
    SogniError,
    Tokens,
    ValidationError,
)
from sogni._secret import Secret
from sogni.testing import FakeAccount, FakeSupernet

from ..helpers import FAST, run_threads, wait_until

USERNAME = "Carol"
PASSWORD = "correct horse battery staple"
PRIVATE_KEY = hashlib.pbkdf2_hmac(
    "sha256", (USERNAME.lower() + PASSWORD).encode(), b"sogni-salt-value", 10_000, 32
).hex()


class Secrets:
    """Every secret seen in a test, and every object whose texts must not contain one."""

    def __init__(self, *initial: str) -> None:
        self.values: set[str] = {PASSWORD, PRIVATE_KEY, *initial}
        self.objects: list[object] = []

    def add(self, *values: str | Tokens | dict[str, str] | None) -> None:
        for value in values:
            if isinstance(value, Tokens):
                self.values.update(value.as_dict().values())
            elif isinstance(value, dict):
                self.values.update(value.values())
            elif value:
                self.values.add(value)

    def check(self, *objects: object) -> None:
        self.objects.extend(objects)

    def verify(self) -> None:
        texts: list[str] = []
        for obj in self.objects:
            texts += [repr(obj), str(obj)]
            cause = obj
            while isinstance(cause, BaseException):
                # The messages of the whole chain (full tracebacks would quote test sources).
                texts += traceback.format_exception_only(type(cause), cause)
                texts.append(repr(vars(cause)))
                cause = cause.__cause__ or cause.__context__
        for text in texts:
            for secret in self.values:
                assert secret not in text, "a secret leaked into a repr, str or error"


@pytest.fixture
def secrets(fake: FakeSupernet) -> Iterator[Secrets]:
    record = Secrets(fake.api_key)
    yield record
    record.verify()


@pytest.fixture
def carol(fake: FakeSupernet) -> FakeAccount:
    return fake.add_account(username=USERNAME, password=PASSWORD)


@pytest.fixture
def token_client(fake: FakeSupernet, secrets: Secrets) -> Iterator[Callable[..., SogniClient]]:
    """Clients without an API key (token sign-in), recorded for the secrets check."""
    clients: list[SogniClient] = []

    def factory(tokens: Any = None, **options: Any) -> SogniClient:
        options.setdefault("app_id", f"token-app-{len(clients)}")
        options.setdefault("timeouts", FAST)
        config = ClientConfig(
            rest_endpoint=fake.rest_url, socket_endpoint=fake.socket_url, **options
        )
        client = SogniClient(config=config, tokens=tokens)
        clients.append(client)
        secrets.check(client, client.config, client.current_account)
        return client

    yield factory
    for client in clients:
        client.close()


def raises(secrets: Secrets, kind: type[BaseException], fn: Callable[[], Any]) -> Any:
    with pytest.raises(kind) as info:
        fn()
    secrets.check(info.value)
    return info.value


def auth_headers(records: list[Any]) -> list[str | None]:
    return [r.headers.get("Authorization") for r in records]


def post(fake: FakeSupernet, path: str, body: Any, token: str | None = None) -> Any:
    headers = {"Authorization": token} if token else {}
    return requests.post(fake.rest_url + path, json=body, headers=headers, timeout=5)


# --------------------------------------------------------------------------- API key


def test_api_key_travels_on_rest_and_on_the_upgrade(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    client = make_client()
    secrets.check(client, client.config)
    client.connect()
    client.account.me()
    me = fake.requests("/v1/account/me")[-1]
    upgrade = [r for r in fake.received if r.kind == "ws_connect"][-1]
    for record in (me, upgrade):
        assert record.headers.get("api-key") == fake.api_key
        assert "Authorization" not in record.headers
    assert client.get_tokens() is None


def test_set_tokens_is_refused_by_an_api_key_client(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    client = make_client(auto_connect=False)
    pair = fake.issue_tokens()
    secrets.add(pair)
    error = raises(secrets, ValidationError, lambda: client.set_tokens(pair))
    assert error.params == ["tokens"]
    assert client._core.credentials.mode == "api_key"


# --------------------------------------------------------------------------- login


def test_login_then_rest_and_socket_use_the_raw_jwt(
    fake: FakeSupernet,
    carol: FakeAccount,
    token_client: Callable[..., SogniClient],
    secrets: Secrets,
) -> None:
    client = token_client(app_source="auth-tests")
    tokens = client.login(USERNAME, PASSWORD)
    secrets.add(tokens)
    secrets.check(tokens, tokens.access_token, Secret(PASSWORD))
    assert client.get_tokens() == tokens
    assert client.current_account.username == USERNAME
    assert client.current_account.wallet_address == carol.wallet_address

    nonce, login = fake.requests("/v1/account/nonce"), fake.requests("/v1/account/login")
    assert nonce[0].body == {"walletAddress": carol.wallet_address}
    assert login[0].body.keys() == {"walletAddress", "signature", "appSource", "rememberMe"}
    assert login[0].body["appSource"] == "auth-tests"
    assert login[0].body["rememberMe"] is False
    assert auth_headers(nonce + login) == [None, None]
    assert not any(PASSWORD in repr(r.body) for r in fake.received)

    client.connect()
    assert client.account.me().username == USERNAME
    access = tokens.access_token.reveal()
    upgrade = [r for r in fake.received if r.kind == "ws_connect"]
    assert auth_headers(upgrade) == [access]  # raw JWT, no "Bearer "
    assert set(auth_headers(fake.requests("/v1/account/me"))) == {access}
    assert "api-key" not in upgrade[0].headers
    claims = tokens.access_token.reveal().split(".")
    assert len(claims) == 3
    assert tokens.access_expires_at is not None and tokens.access_expires_at > time.time()


def test_login_with_a_wrong_password_is_refused(
    fake: FakeSupernet,
    carol: FakeAccount,
    token_client: Callable[..., SogniClient],
    secrets: Secrets,
) -> None:
    client = token_client(auto_connect=False)
    secrets.add("wrong password!")
    error = raises(secrets, AuthenticationError, lambda: client.login(USERNAME, "wrong password!"))
    assert error.status == 401
    assert client.get_tokens() is None
    assert fake.requests("/v1/account/login")[0].status == 401


def test_login_validates_before_sending(
    fake: FakeSupernet, token_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    client = token_client(auto_connect=False)
    error = raises(secrets, ValidationError, lambda: client.login("  ", ""))
    assert error.params == ["username", "password"]
    assert fake.requests() == []


def test_login_on_an_api_key_client_keeps_the_key(
    fake: FakeSupernet,
    carol: FakeAccount,
    make_client: Callable[..., SogniClient],
    secrets: Secrets,
) -> None:
    client = make_client(auto_connect=False)
    tokens = client.login(USERNAME, PASSWORD)
    secrets.add(tokens)
    assert client.get_tokens() is None
    client.account.me()
    assert fake.requests("/v1/account/me")[-1].headers.get("api-key") == fake.api_key


def test_the_fake_checks_login_signatures_and_nonces(
    fake: FakeSupernet, carol: FakeAccount, secrets: Secrets
) -> None:
    from sogni._wallet import Wallet

    wallet_address = carol.wallet_address
    nonce = post(fake, "/v1/account/nonce", {"walletAddress": wallet_address}).json()["data"]
    with Wallet("mallory", "guess") as other:
        forged = other.sign_authentication(nonce["nonce"])
    answer = post(
        fake,
        "/v1/account/login",
        {"walletAddress": wallet_address, "signature": forged, "rememberMe": False},
    )
    assert answer.status_code == 401
    assert answer.json()["status"] == "error"
    assert isinstance(answer.json()["errorCode"], int)

    # A nonce is single-use: the forged attempt consumed it, so even a valid signature over it
    # is refused; a fresh nonce works.
    with Wallet(USERNAME, PASSWORD) as wallet:
        replay = wallet.sign_authentication(nonce["nonce"])
        body = {"walletAddress": wallet_address, "signature": replay, "rememberMe": False}
        assert post(fake, "/v1/account/login", body).status_code == 401
        fresh = post(fake, "/v1/account/nonce", {"walletAddress": wallet_address}).json()
        body["signature"] = wallet.sign_authentication(fresh["data"]["nonce"], testnet=True)
    answer = post(fake, "/v1/account/login", body)
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert data.keys() == {"token", "refreshToken", "username"}
    assert data["username"] == USERNAME
    secrets.add(data["token"], data["refreshToken"])
    assert post(fake, "/v1/account/nonce", {"walletAddress": "0x12"}).status_code == 400


def test_without_eth_account_the_fake_skips_signature_checks(
    fake: FakeSupernet, carol: FakeAccount, monkeypatch: pytest.MonkeyPatch, secrets: Secrets
) -> None:
    monkeypatch.setitem(sys.modules, "eth_account", None)
    with pytest.raises(ImportError, match="wallet"):
        fake.add_account(username="dave", password="pw")
    address = carol.wallet_address
    post(fake, "/v1/account/nonce", {"walletAddress": address})
    body = {"walletAddress": address, "signature": "0x" + "00" * 65, "rememberMe": False}
    answer = post(fake, "/v1/account/login", body)  # [INV-LOGIN-NOVERIFY]
    assert answer.status_code == 200
    secrets.add(answer.json()["data"])
    unknown = "0x" + "ab" * 20
    post(fake, "/v1/account/nonce", {"walletAddress": unknown})
    body["walletAddress"] = unknown
    assert post(fake, "/v1/account/login", body).status_code == 401


# --------------------------------------------------------------------------- renewal


def test_expired_access_token_is_renewed_and_rotation_persisted(
    fake: FakeSupernet, token_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    saved = fake.issue_tokens(access_ttl=0)
    secrets.add(saved)
    client = token_client(auto_connect=False)
    persisted: list[Tokens] = []
    got = threading.Event()

    threads: list[str] = []

    def persist(tokens: Tokens) -> None:
        threads.append(threading.current_thread().name)
        persisted.append(tokens)
        got.set()

    client.on_tokens_refreshed(persist)
    client.set_tokens(saved, refresh_if_expired=False)
    assert fake.requests() == []  # stored only

    assert client.account.me().username == "alice"
    refresh = fake.requests("/v1/account/refresh-token")
    assert len(refresh) == 1
    assert refresh[0].body == {"refreshToken": saved["refreshToken"]}
    assert auth_headers(refresh) == [None]
    assert got.wait(5)
    new = client.get_tokens()
    assert new is not None
    secrets.add(new)
    secrets.check(new)
    assert persisted == [new]
    assert threads[0].startswith("sogni-callbacks")  # the callback worker, not the caller
    assert new.access_token.reveal() != saved["token"]
    assert new.refresh_token.reveal() != saved["refreshToken"]  # rotated
    assert fake.requests("/v1/account/me")[-1].headers["Authorization"] == (
        new.access_token.reveal()
    )
    # The old refresh token was used up; the new one works once.
    assert post(fake, "/v1/account/refresh-token", saved).status_code == 401
    answer = post(fake, "/v1/account/refresh-token", {"refreshToken": new.refresh_token.reveal()})
    assert answer.status_code == 200
    secrets.add(answer.json()["data"])


def test_set_tokens_with_an_expired_access_token_renews_at_once(
    fake: FakeSupernet, token_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    saved = fake.issue_tokens(access_ttl=0)
    secrets.add(saved)
    client = token_client()
    client.set_tokens(saved)
    paths = [r.path for r in fake.requests()]
    assert paths[:2] == ["/v1/account/refresh-token", "/v1/account/me"]
    assert client.current_account.username == "alice"
    new = client.get_tokens()
    assert new is not None and new.access_token.reveal() != saved["token"]
    secrets.add(new)
    client.connect()
    upgrade = [r for r in fake.received if r.kind == "ws_connect"][-1]
    assert upgrade.headers["Authorization"] == new.access_token.reveal()


def test_set_tokens_with_a_valid_access_token_sends_no_refresh(
    fake: FakeSupernet, token_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    saved = fake.issue_tokens()
    secrets.add(saved)
    client = token_client(auto_connect=False)
    client.set_tokens(Tokens.from_dict(saved))
    assert [r.path for r in fake.requests()] == ["/v1/account/me"]
    assert client.get_tokens() == Tokens.from_dict(saved)


def test_tokens_given_to_the_constructor_connect_the_socket(
    fake: FakeSupernet, token_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    saved = fake.issue_tokens()
    secrets.add(saved)
    client = token_client(tokens=saved)
    client.connect()
    upgrade = [r for r in fake.received if r.kind == "ws_connect"][-1]
    assert upgrade.headers["Authorization"] == saved["token"]
    assert client.account.me().username == "alice"
    with pytest.raises(ValidationError):
        SogniClient(app_id="x", api_key=fake.api_key, tokens=saved)


def test_the_socket_renews_an_expired_token_before_connecting(
    fake: FakeSupernet, token_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    saved = fake.issue_tokens(access_ttl=0)
    secrets.add(saved)
    client = token_client(tokens=saved)  # auto-connects: the transport must renew first
    client.connect()
    renewed = client.get_tokens()
    assert renewed is not None
    secrets.add(renewed)
    upgrade = [r for r in fake.received if r.kind == "ws_connect"]
    assert auth_headers(upgrade) == [renewed.access_token.reveal()]
    assert len(fake.requests("/v1/account/refresh-token")) == 1


def test_a_reconnect_after_expiry_uses_a_renewed_token(
    fake: FakeSupernet, token_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    # The fake's exp is whole seconds: a 3 s token has 2 to 3 s left. No early renewal here.
    saved = fake.issue_tokens(access_ttl=3)
    secrets.add(saved)
    client = token_client(tokens=saved, timeouts=attrs.evolve(FAST, token_refresh_margin=0))
    client.connect()
    first = Tokens.from_dict(saved)
    assert first.access_expires_at is not None
    wait_until(lambda: time.time() > first.access_expires_at, timeout=5)  # type: ignore[operator]
    auths: list[Any] = []
    client.on("authenticated", auths.append)
    fake.restart(downtime=0.05)  # 1001: the client reconnects on its own
    wait_until(lambda: auths, timeout=10)
    renewed = client.get_tokens()
    assert renewed is not None and renewed != first
    secrets.add(renewed)
    upgrades = [r for r in fake.received if r.kind == "ws_connect"]
    assert auth_headers(upgrades)[0] == saved["token"]
    assert set(auth_headers(upgrades)[1:]) == {renewed.access_token.reveal()}
    assert len(fake.requests("/v1/account/refresh-token")) == 1


def test_a_token_close_to_expiry_is_renewed_before_it_expires(
    fake: FakeSupernet, token_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    # The margin (30 s) is capped at half the token's life: 4 s. The fake's exp is whole
    # seconds, so the renewal falls due 3 to 4 s after it was issued.
    saved = fake.issue_tokens(access_ttl=8)
    secrets.add(saved)
    client = token_client(auto_connect=False)
    client.set_tokens(saved)
    assert not fake.requests("/v1/account/refresh-token")
    exp = Tokens.from_dict(saved).access_expires_at
    assert exp is not None
    wait_until(lambda: time.time() > exp - 3.9, timeout=8)
    client.account.me()
    assert time.time() < exp  # the old token was still valid when it was replaced
    assert len(fake.requests("/v1/account/refresh-token")) == 1
    renewed = client.get_tokens()
    assert renewed is not None and renewed.access_token.reveal() != saved["token"]
    secrets.add(renewed)
    last_me = fake.requests("/v1/account/me")[-1]
    assert last_me.headers["Authorization"] == renewed.access_token.reveal()


def test_sixteen_threads_share_one_renewal(
    fake: FakeSupernet, token_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    saved = fake.issue_tokens(access_ttl=0)
    secrets.add(saved)
    client = token_client(tokens=saved)  # the socket competes for the renewal too
    fake.delay_next(0.3, path="/v1/account/refresh-token")  # widen the race window
    barrier = threading.Barrier(16)
    results: list[Any] = []
    lock = threading.Lock()

    def call(_: int) -> None:
        barrier.wait(5)
        username = client.account.me().username
        with lock:
            results.append(username)

    run_threads(call, 16, timeout=20)
    assert results == ["alice"] * 16
    client.connect()
    assert len(fake.requests("/v1/account/refresh-token")) == 1
    renewed = client.get_tokens()
    assert renewed is not None
    secrets.add(renewed)
    assert set(auth_headers(fake.requests("/v1/account/me"))) == {renewed.access_token.reveal()}


# --------------------------------------------------------------------------- failures


def test_expired_refresh_token_signs_out(
    fake: FakeSupernet, token_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    saved = fake.issue_tokens(access_ttl=0, refresh_ttl=0)
    secrets.add(saved)
    client = token_client()
    error = raises(secrets, AuthenticationError, lambda: client.set_tokens(saved))
    assert "expired" in str(error)
    assert client.get_tokens() is None
    assert fake.requests("/v1/account/refresh-token") == []  # known locally: nothing sent

    # Stored without checking, the failure comes with the first call instead.
    client.set_tokens(saved, refresh_if_expired=False)
    raises(secrets, AuthenticationError, client.account.me)
    assert client.get_tokens() is None
    assert fake.requests() == []


def test_a_session_that_ends_while_the_socket_is_down_fails_work_in_flight(
    fake: FakeSupernet, token_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    saved = fake.issue_tokens(refresh_ttl=4)  # 3 to 4 s left: time to start the project
    secrets.add(saved)
    client = token_client(tokens=saved)
    client.connect()
    fake.pause_workers()
    project = client.projects.create(type="image", model_id="flux1-schnell-fp8")
    fake.wait_for_project(project.id)
    refresh_exp = Tokens.from_dict(saved).refresh_expires_at
    assert refresh_exp is not None
    wait_until(lambda: time.time() > refresh_exp, timeout=8)
    fake.drop_connections()  # the reconnect finds the session over
    with pytest.raises(AuthenticationError, match="Not signed in"):
        project.wait(5)
    fake.resume_workers()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, None),
        (500, None),
        (200, {"status": "success", "data": {"token": "x"}}),
        (200, "not json"),
    ],
    ids=["refused", "server-error", "no-token-pair", "unreadable"],
)
def test_a_failed_renewal_signs_out(
    fake: FakeSupernet,
    token_client: Callable[..., SogniClient],
    secrets: Secrets,
    status: int,
    body: Any,
) -> None:
    saved = fake.issue_tokens(access_ttl=0)
    secrets.add(saved)
    client = token_client(tokens=saved, auto_connect=False)
    fake.fail_next(status, path="/v1/account/refresh-token", body=body)
    disconnected = raises(secrets, AuthenticationError, client.account.me)
    assert disconnected.retryable is False
    assert client.get_tokens() is None
    assert fake.requests("/v1/account/me") == []


def test_a_rest_401_while_signed_in_clears_the_credentials(
    fake: FakeSupernet,
    carol: FakeAccount,
    token_client: Callable[..., SogniClient],
    secrets: Secrets,
) -> None:
    client = token_client()
    tokens = client.login(USERNAME, PASSWORD)
    secrets.add(tokens)
    client.connect()
    closed = threading.Event()
    client.on("disconnected", lambda _: closed.set())
    # The session ends elsewhere (e.g. signed out from another device).
    assert post(fake, "/v1/account/logout", {}, tokens.access_token.reveal()).status_code == 200
    error = raises(secrets, AuthenticationError, client.account.me)
    assert error.status == 401
    assert client.get_tokens() is None
    assert client.current_account.username is None
    assert closed.wait(5)
    fake.received.wait_for(lambda r: r.kind == "ws_closed")
    assert client._core.credentials.mode == "none"


def test_the_fake_refuses_expired_tokens_on_rest_and_on_the_upgrade(
    fake: FakeSupernet, secrets: Secrets
) -> None:
    expired = fake.issue_tokens(access_ttl=0)
    valid = fake.issue_tokens()
    secrets.add(expired, valid)
    me = fake.rest_url + "/v1/account/me"
    answer = requests.get(me, headers={"Authorization": expired["token"]}, timeout=5)
    assert answer.status_code == 401
    assert answer.json()["status"] == "error"
    # A refresh token is not an access token; the cookie form is accepted as browsers send it.
    refresh_as_access = {"Authorization": valid["refreshToken"]}
    assert requests.get(me, headers=refresh_as_access, timeout=5).status_code == 401
    cookie = {"authorization": valid["token"]}
    assert requests.get(me, cookies=cookie, timeout=5).status_code == 200

    ws = websocket.WebSocket()
    ws.connect(
        fake.socket_url + "/?appId=raw&clientType=artist",
        header=[f"Authorization: {expired['token']}"],
        timeout=5,
    )
    try:
        opcode, data = ws.recv_data_frame(True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE
        assert int.from_bytes(data.data[:2], "big") == 4021
    finally:
        ws.close()


# --------------------------------------------------------------------------- logout


def test_logout_ends_the_session_and_closes_the_socket(
    fake: FakeSupernet,
    carol: FakeAccount,
    token_client: Callable[..., SogniClient],
    secrets: Secrets,
) -> None:
    client = token_client()
    tokens = client.login(USERNAME, PASSWORD)
    secrets.add(tokens)
    client.connect()
    client.logout()
    logout = fake.requests("/v1/account/logout")
    assert len(logout) == 1
    assert logout[0].body == {}
    assert logout[0].headers["Authorization"] == tokens.access_token.reveal()
    assert client.get_tokens() is None
    assert client.current_account.username is None
    fake.received.wait_for(lambda r: r.kind == "ws_closed")
    # The server ended the session: the old tokens are refused.
    me = fake.rest_url + "/v1/account/me"
    headers = {"Authorization": tokens.access_token.reveal()}
    assert requests.get(me, headers=headers, timeout=5).status_code == 401
    refresh = {"refreshToken": tokens.refresh_token.reveal()}
    assert post(fake, "/v1/account/refresh-token", refresh).status_code == 401
    raises(secrets, AuthenticationError, client.account.me)
    client.logout()  # signed out already: nothing to do
    assert len(fake.requests("/v1/account/logout")) == 1


def test_logout_tolerates_an_ended_session(
    fake: FakeSupernet,
    carol: FakeAccount,
    token_client: Callable[..., SogniClient],
    secrets: Secrets,
) -> None:
    client = token_client(auto_connect=False)
    tokens = client.login(USERNAME, PASSWORD)
    secrets.add(tokens)
    post(fake, "/v1/account/logout", {}, tokens.access_token.reveal())
    client.logout()
    assert fake.requests("/v1/account/logout")[-1].status == 401
    assert client.get_tokens() is None


def test_logout_keeps_credentials_when_the_server_fails(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], secrets: Secrets
) -> None:
    client = make_client(auto_connect=False)
    fake.fail_next(400, path="/v1/account/logout")
    raises(secrets, SogniError, client.logout)
    assert client._core.credentials.mode == "api_key"
    client.logout()
    assert client._core.credentials.mode == "none"


def test_config_and_secret_reprs_hide_credentials(fake: FakeSupernet, secrets: Secrets) -> None:
    config = ClientConfig(app_id="x", api_key=fake.api_key)
    secrets.check(config, config.api_key, Secret(fake.api_key))
