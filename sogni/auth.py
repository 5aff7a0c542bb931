"""Credentials: API key, access/refresh tokens, and username/password login.

The credential store is the one place that reads secret values; it hands out request headers
and never lets a secret into a repr, a log line or an exception message.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from ._log import get_logger, register_secret
from ._secret import Secret, as_secret
from .errors import AuthenticationError, SogniError

if TYPE_CHECKING:
    from ._transport.rest import RestClient

__all__ = ["Tokens"]

log = get_logger("sogni.auth")


@attrs.frozen
class Tokens:
    """An access token and its refresh token (JWTs). ``repr`` shows neither."""

    access_token: Secret = attrs.field(converter=as_secret)
    refresh_token: Secret = attrs.field(converter=as_secret)

    @property
    def access_expires_at(self) -> float | None:
        return jwt_expiry(self.access_token.reveal())

    @property
    def refresh_expires_at(self) -> float | None:
        return jwt_expiry(self.refresh_token.reveal())

    def as_dict(self) -> dict[str, str]:
        """The raw values, for persisting them (``{"token", "refreshToken"}``, as the JS SDK's
        ``backup()``)."""
        return {"token": self.access_token.reveal(), "refreshToken": self.refresh_token.reveal()}


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, decoded without verification (only ``exp``/``addr`` are read)."""
    try:
        body = token.split(".")[1]
        body += "=" * (-len(body) % 4)
        claims = json.loads(base64.urlsafe_b64decode(body))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def jwt_expiry(token: str) -> float | None:
    exp = jwt_claims(token).get("exp")
    return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None


class CredentialStore:
    """Holds the current credentials and produces authentication headers.

    Modes: ``api_key`` (header ``api-key``), ``token`` (header ``Authorization: <JWT>``, renewed
    through the refresh token when expired, single-flight), or none.
    """

    def __init__(
        self, api_key: Secret | None, *, wall_clock: Callable[[], float] = time.time
    ) -> None:
        self._lock = threading.RLock()
        self._refresh_lock = threading.Lock()
        self._api_key = api_key
        self._tokens: Tokens | None = None
        self._wall_clock = wall_clock
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
            expires = self._tokens.refresh_expires_at
            return expires is None or expires > self._wall_clock()

    def set_api_key(self, api_key: str | Secret) -> None:
        secret = as_secret(api_key)
        if not secret:
            raise ValueError("api_key must be a non-empty string")
        register_secret(self, secret.reveal())
        with self._lock:
            self._api_key = secret
            self._tokens = None
        self._notify(True)

    def set_tokens(self, tokens: Tokens, *, notify: bool = True) -> None:
        register_secret(self, tokens.access_token.reveal())
        register_secret(self, tokens.refresh_token.reveal())
        with self._lock:
            self._tokens = tokens
        if notify:
            self._notify(True)

    def clear(self) -> None:
        with self._lock:
            had = bool(self._api_key or self._tokens)
            self._api_key = None
            self._tokens = None
        if had:
            log.info("Credentials cleared")
            self._notify(False)

    def on_unauthorized(self) -> None:
        # protocol/01 §4.1: a 401 forgets the credentials (API keys included).
        self.clear()

    def _notify(self, authenticated: bool) -> None:
        for listener in list(self._listeners):
            try:
                listener(authenticated)
            except Exception:
                log.exception("credential listener failed")

    # ------------------------------------------------------------------ headers

    def headers(self) -> dict[str, str]:
        with self._lock:
            api_key = self._api_key
            tokens = self._tokens
        if api_key:
            return {"api-key": api_key.reveal()}
        if tokens is None:
            return {}
        expires = tokens.access_expires_at
        if expires is not None and expires <= self._wall_clock():
            tokens = self.refresh()
        return {"Authorization": tokens.access_token.reveal()}

    def refresh(self) -> Tokens:
        """Renew the access token with the refresh token (one renewal at a time)."""
        with self._lock:
            before = self._tokens
        with self._refresh_lock:
            with self._lock:
                current = self._tokens
            if current is None:
                raise AuthenticationError("Not signed in", status=401)
            if current is not before:
                # Another thread renewed while we waited.
                return current
            exp = current.refresh_expires_at
            if exp is not None and exp <= self._wall_clock():
                self.clear()
                raise AuthenticationError("Refresh token expired", status=401)
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
            except SogniError as exc:
                if getattr(exc, "status", None) is not None:
                    self.clear()
                raise
            token = data.get("token") if isinstance(data, dict) else None
            refresh = data.get("refreshToken") if isinstance(data, dict) else None
            if (
                not isinstance(token, str)
                or not isinstance(refresh, str)
                or not token
                or not refresh
            ):
                self.clear()
                raise AuthenticationError(
                    "Token refresh response did not include a valid token pair", status=200
                )
            tokens = Tokens(token, refresh)
            self.set_tokens(tokens, notify=False)
        for listener in list(self._token_listeners):
            try:
                listener(tokens)
            except Exception:
                log.exception("tokens-refreshed listener failed")
        return tokens
