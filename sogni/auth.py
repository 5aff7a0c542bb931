"""Credentials: API key, access/refresh tokens, and username/password login.

The credential store is the one place that reads secret values; it hands out request headers
and never lets a secret into a repr, a log line or an exception message.

Token sign-in: requests carry ``Authorization: <access JWT>`` (no ``Bearer``).
An access token whose ``exp`` is near (``Timeouts.token_refresh_margin``) or past is renewed
first with ``POST /v1/account/refresh-token``; concurrent callers share one renewal. The server
may rotate the refresh token, so both tokens are replaced and reported to
``on_tokens_refreshed`` listeners for persisting.
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._log import get_logger, register_secret
from ._secret import Secret, as_secret
from ._wire.envelope import parse_json
from ._wire.js import trim
from .errors import (
    APIError,
    AuthenticationError,
    ProtocolError,
    SogniError,
    ValidationError,
    ValidationProblem,
)

if TYPE_CHECKING:
    from ._core_protocols import AuthCore
    from ._transport.rest import RestClient
    from .config import ClientConfig

__all__ = ["Tokens"]

log = get_logger("sogni.auth")


def _token_problem(name: str, value: Secret | None) -> ValidationProblem | None:
    if not value:
        return ValidationProblem(name, "must be a non-empty string")
    parts = value.reveal().split(".")
    if len(parts) != 3 or not jwt_claims(value.reveal()):
        # Never quote the value: it is a credential.
        return ValidationProblem(name, "must be a JWT (header.payload.signature)")
    return None


@attrs.frozen
class Tokens:
    """An access token and its refresh token (JWTs). ``repr`` shows neither.

    Persist them with :meth:`as_dict` and restore them with :meth:`from_dict` (the same
    ``{"token", "refreshToken"}`` shape as the JavaScript SDK's ``backup()``).
    """

    access_token: Secret = attrs.field(converter=as_secret)
    refresh_token: Secret = attrs.field(converter=as_secret)

    def __attrs_post_init__(self) -> None:
        problems = [
            p
            for p in (
                _token_problem("access_token", self.access_token),
                _token_problem("refresh_token", self.refresh_token),
            )
            if p is not None
        ]
        if problems:
            raise ValidationError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tokens:
        """Tokens from ``{"token": ..., "refreshToken": ...}``."""
        if not isinstance(data, Mapping):
            raise ValidationError(
                [("tokens", "must be Tokens or a {'token', 'refreshToken'} dict")]
            )
        problems = [
            ValidationProblem(f"tokens[{key!r}]", "must be a non-empty string")
            for key in ("token", "refreshToken")
            if not isinstance(data.get(key), str) or not data[key].strip()
        ]
        if problems:
            raise ValidationError(problems)
        return cls(data["token"], data["refreshToken"])

    @property
    def access_expires_at(self) -> float | None:
        """The access token's ``exp`` (epoch seconds), if it has one."""
        return jwt_expiry(self.access_token.reveal())

    @property
    def refresh_expires_at(self) -> float | None:
        return jwt_expiry(self.refresh_token.reveal())

    def as_dict(self) -> dict[str, str]:
        """The raw values, for persisting them (``{"token", "refreshToken"}``)."""
        return {"token": self.access_token.reveal(), "refreshToken": self.refresh_token.reveal()}


def coerce_tokens(tokens: Tokens | Mapping[str, Any]) -> Tokens:
    return tokens if isinstance(tokens, Tokens) else Tokens.from_dict(tokens)


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, decoded without verification (only ``exp`` is relied on)."""
    try:
        body = token.split(".")[1]
        body += "=" * (-len(body) % 4)
        claims = parse_json(base64.urlsafe_b64decode(body))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


def jwt_expiry(token: str) -> float | None:
    return _seconds(jwt_claims(token).get("exp"))


def _seconds(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _token_pair(data: Any) -> Tokens | None:
    """The ``{token, refreshToken}`` of a login/refresh answer, or None if unusable."""
    if not isinstance(data, dict):
        return None
    try:
        return Tokens.from_dict(data)
    except ValidationError:
        return None


class CredentialStore:
    """Holds the current credentials and produces authentication headers.

    Modes: ``api_key`` (header ``api-key``), ``token`` (header ``Authorization: <JWT>``, renewed
    through the refresh token when expired, single-flight), or none.
    """

    def __init__(
        self,
        api_key: Secret | None,
        *,
        wall_clock: Callable[[], float] = time.time,
        refresh_margin: float = 0.0,
    ) -> None:
        self._lock = threading.RLock()
        self._refresh_lock = threading.Lock()
        self._api_key = api_key
        self._tokens: Tokens | None = None
        # Bumped whenever the credentials are replaced or cleared, so that a renewal that
        # finishes late neither restores a signed-out session nor clears a newer one.
        self._generation = 0
        self._wall_clock = wall_clock
        self._refresh_margin = refresh_margin
        self._rest: RestClient | None = None
        self._listeners: list[Callable[[bool], None]] = []
        self._token_listeners: list[Callable[[Tokens], None]] = []
        if api_key:
            register_secret(self, api_key.reveal())

    def __repr__(self) -> str:
        return f"CredentialStore(mode={self.mode!r})"

    # ------------------------------------------------------------------ wiring

    def bind(self, rest: RestClient) -> None:
        self._rest = rest

    def on_change(self, listener: Callable[[bool], None]) -> None:
        """``listener(authenticated)`` after credentials are set or cleared."""
        self._listeners.append(listener)

    def on_tokens_refreshed(self, listener: Callable[[Tokens], None]) -> None:
        self._token_listeners.append(listener)

    # ------------------------------------------------------------------ state

    @property
    def mode(self) -> str:
        with self._lock:
            if self._api_key:
                return "api_key"
            if self._tokens is not None:
                return "token"
            return "none"

    @property
    def tokens(self) -> Tokens | None:
        with self._lock:
            return self._tokens

    def is_authenticated(self) -> bool:
        with self._lock:
            if self._api_key:
                return True
            if self._tokens is None:
                return False
            return not self._expired(self._tokens.refresh_expires_at)

    def _expired(self, exp: float | None) -> bool:
        return exp is not None and exp <= self._wall_clock()

    def _renewal_due(self, tokens: Tokens) -> bool:
        """The access token expires within the margin. The margin is capped at half the
        token's lifetime, so a short-lived token is not renewed on every request; without an
        ``iat`` the lifetime is unknown and only an expired token is renewed."""
        claims = jwt_claims(tokens.access_token.reveal())
        exp, iat = _seconds(claims.get("exp")), _seconds(claims.get("iat"))
        if exp is None:
            return False
        margin = min(self._refresh_margin, (exp - iat) / 2) if iat is not None and exp > iat else 0
        return exp - margin <= self._wall_clock()

    def set_api_key(self, api_key: str | Secret) -> None:
        secret = as_secret(api_key)
        if not secret:
            raise ValueError("api_key must be a non-empty string")
        register_secret(self, secret.reveal())
        with self._lock:
            self._api_key = secret
            self._tokens = None
            self._generation += 1
        self._notify(True)

    def set_tokens(self, tokens: Tokens, *, notify: bool = True) -> None:
        """Sign in with ``tokens`` (replacing any other credentials)."""
        self._register(tokens)
        with self._lock:
            self._api_key = None
            self._tokens = tokens
            self._generation += 1
        if notify:
            self._notify(True)

    def notify_signed_in(self) -> None:
        self._notify(True)

    def clear(self) -> None:
        with self._lock:
            had = bool(self._api_key or self._tokens)
            self._api_key = None
            self._tokens = None
            self._generation += 1
        if had:
            log.info("Credentials cleared")
            self._notify(False)

    def _clear_if_current(self, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return  # newer credentials arrived meanwhile: they are not ours to drop
        self.clear()

    def on_unauthorized(self) -> None:
        # A 401 forgets the credentials (API keys included).
        self.clear()

    def _register(self, tokens: Tokens) -> None:
        register_secret(self, tokens.access_token.reveal())
        register_secret(self, tokens.refresh_token.reveal())

    def _notify(self, authenticated: bool) -> None:
        for listener in list(self._listeners):
            try:
                listener(authenticated)
            except Exception:
                log.exception("credential listener failed")

    # ------------------------------------------------------------------ headers

    def headers(self) -> dict[str, str]:
        """The authentication headers of a REST call or socket upgrade (renewing an expired
        access token first). Raises :class:`AuthenticationError` when renewal is refused."""
        with self._lock:
            api_key = self._api_key
            tokens = self._tokens
        if api_key:
            return {"api-key": api_key.reveal()}
        if tokens is None:
            return {}
        if self._renewal_due(tokens):
            tokens = self.refresh()
        return {"Authorization": tokens.access_token.reveal()}

    def headers_nowait(self) -> dict[str, str] | None:
        """The headers if no renewal is due, else None (call :meth:`refresh` off the socket
        thread first: it is a REST call with retries)."""
        with self._lock:
            tokens = self._tokens
            if tokens is not None and not self._api_key and self._renewal_due(tokens):
                return None
        return self.headers()

    def refresh(self) -> Tokens:
        """Renew the access token (expired, or expiring within the margin) with the refresh
        token.

        Single-flight: callers that arrive while a renewal runs wait for it and use its result.
        """
        with self._refresh_lock:
            with self._lock:
                current = self._tokens
                generation = self._generation
            if current is None:
                raise AuthenticationError("Not signed in")
            if not self._renewal_due(current):
                return current  # renewed by the caller we waited for
            if self._expired(current.refresh_expires_at):
                self._clear_if_current(generation)
                raise AuthenticationError("The refresh token has expired; sign in again")
            tokens = self._renew(current, generation)
        log.debug("Access token renewed")
        for listener in list(self._token_listeners):
            try:
                listener(tokens)
            except Exception:
                log.exception("tokens-refreshed listener failed")
        return tokens

    def _renew(self, current: Tokens, generation: int) -> Tokens:
        if self._rest is None:
            raise SogniError("credential store is not bound to a REST client")
        try:
            data = self._rest.request(
                "POST",
                "/v1/account/refresh-token",
                json_body={"refreshToken": current.refresh_token.reveal()},
                authenticate=False,
                idempotent=False,
            )
        except APIError as exc:
            # Any refusal of a token refresh signs out.
            self._clear_if_current(generation)
            raise AuthenticationError(
                f"Token renewal was refused (HTTP {exc.status}): {exc.message}. Signed out.",
                status=exc.status,
                error_code=exc.error_code,
                retry_after=exc.retry_after,
                details=exc.details,
            ) from exc
        except ProtocolError as exc:
            self._clear_if_current(generation)
            raise AuthenticationError(
                "Token renewal returned an unreadable response. Signed out."
            ) from exc
        # Transport errors (no verdict from the server) keep the credentials: retrying may work.
        tokens = _token_pair(data)
        if tokens is None:
            self._clear_if_current(generation)
            raise AuthenticationError(
                "Token renewal response did not include a valid token pair. Signed out."
            )
        self._register(tokens)
        with self._lock:
            if generation != self._generation:
                # Signed out or signed in anew while renewing: this pair belongs to the old
                # session and must not come back.
                if self._tokens is None:
                    raise AuthenticationError("Signed out while the token was being renewed")
                return self._tokens
            self._tokens = tokens
        return tokens


# --------------------------------------------------------------------------- client operations


def set_tokens(
    core: AuthCore,
    tokens: Tokens | Mapping[str, Any],
    *,
    refresh_if_expired: bool = True,
    config: ClientConfig | None = None,
) -> None:
    """Token sign-in with saved tokens (the official clients' ``setTokens``).

    An unexpired access token is stored as is; an expired one is renewed at once. Then
    ``me()`` refreshes ``current_account``. With ``refresh_if_expired=False`` the tokens are only
    stored: nothing is sent until the first call, which renews an expired access token.
    """
    pair = coerce_tokens(tokens)
    store = core.credentials
    if store.mode == "api_key":
        raise ValidationError(
            [("tokens", "cannot be used by a client that authenticates with an API key")]
        )
    if not refresh_if_expired:
        store.set_tokens(pair)
        return
    if store._expired(pair.refresh_expires_at):
        store.clear()
        raise AuthenticationError("The refresh token has expired; sign in again")
    if store._renewal_due(pair):
        store.set_tokens(pair, notify=False)
        store.refresh()
        store.notify_signed_in()
    else:
        store.set_tokens(pair)
    _me(core, config or core.config)


def login(
    core: AuthCore,
    username: str,
    password: str,
    *,
    remember_me: bool = False,
    config: ClientConfig,
) -> Tokens:
    """Username/password sign-in. The password and the derived key never
    leave this function; only the wallet address and a signature are sent."""
    problems: list[tuple[str, str]] = []
    if not isinstance(username, str) or not username.strip():
        problems.append(("username", "must be a non-empty string"))
    if not isinstance(password, str) or not password:
        problems.append(("password", "must be a non-empty string"))
    if problems:
        raise ValidationError(problems)
    from ._wallet import Wallet

    with Wallet(username, password) as wallet:
        address = wallet.address
        answer = core.request(
            "POST",
            "/v1/account/nonce",
            json_body={"walletAddress": address},
            authenticate=False,
            idempotent=True,  # a nonce request changes nothing that a retry could repeat
            config=config,
        )
        nonce = answer.get("nonce") if isinstance(answer, dict) else None
        if not isinstance(nonce, str) or not nonce:
            raise ProtocolError("The nonce response did not include a nonce")
        signature = wallet.sign_authentication(nonce, testnet=config.testnet)
    body: dict[str, Any] = {"walletAddress": address, "signature": signature}
    if config.app_source and trim(config.app_source):
        body["appSource"] = trim(config.app_source)
    body["rememberMe"] = bool(remember_me)
    data = core.request(
        "POST", "/v1/account/login", json_body=body, authenticate=False, config=config
    )
    tokens = _token_pair(data)
    if tokens is None:
        raise ProtocolError("The login response did not include a token pair")
    if core.credentials.mode == "api_key":
        # As in the official clients, an API key stays the credential.
        log.info("Signed in with a password, but the API key remains the client's credential")
        return tokens
    core.credentials.set_tokens(tokens)
    _me(core, config)
    return tokens


def logout(core: AuthCore, config: ClientConfig) -> None:
    """``POST /v1/account/logout`` then forget the credentials."""
    if core.credentials.mode == "none":
        return
    try:
        core.request("POST", "/v1/account/logout", json_body={}, idempotent=True, config=config)
    except AuthenticationError:
        # A 401 (or a refused renewal) means the session had already ended: the goal is met.
        log.info("Logout: the session had already ended")
    core.credentials.clear()


def _me(core: AuthCore, config: ClientConfig) -> None:
    from .account import AccountAPI

    AccountAPI(core, config).me()
