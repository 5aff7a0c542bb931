"""How the client reacts to its credentials: connect when signed in, disconnect and forget the
account when signed out, renew tokens for the socket off its thread, and tell the user's
listeners about renewed tokens."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import ClientClosedError

if TYPE_CHECKING:
    from ._transport.callbacks import CallbackWorker
    from .account import AccountState
    from .auth import CredentialStore, Tokens

__all__ = ["CredentialsWiring"]


class CredentialsWiring:
    """Subscribes to a :class:`CredentialStore` on behalf of the client's core."""

    def __init__(
        self,
        credentials: CredentialStore,
        *,
        auto_connect: bool,
        io: CallbackWorker,
        callbacks: CallbackWorker,
        account: AccountState,
        closed: Callable[[], bool],
        connect: Callable[[], None],
        disconnect: Callable[[], None],
    ) -> None:
        self._credentials = credentials
        self._auto_connect = auto_connect
        self._io = io
        self._callbacks = callbacks
        self._account = account
        self._closed = closed
        self._connect = connect
        self._disconnect = disconnect
        self._tokens_listeners: list[Callable[[Tokens], Any]] = []
        credentials.on_change(self._on_credentials_changed)
        credentials.on_tokens_refreshed(self._on_tokens_refreshed)

    def on_tokens_refreshed(self, fn: Callable[[Tokens], Any]) -> Callable[[], None]:
        """``fn(tokens)`` on the callback worker after every renewal; returns its remover."""
        listeners = self._tokens_listeners
        listeners.append(fn)

        def remove() -> None:
            if fn in listeners:
                listeners.remove(fn)

        return remove

    def renew_in_background(self) -> concurrent.futures.Future[Tokens]:
        """Renew the access token on an I/O worker (for the socket thread, which must not
        block on REST)."""
        future: concurrent.futures.Future[Tokens] = concurrent.futures.Future()

        def run() -> None:
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(self._credentials.refresh())
                except BaseException as exc:
                    future.set_exception(exc)

        if not self._io.submit(run, essential=True):
            future.set_exception(ClientClosedError("the client is closed"))
        return future

    def _on_credentials_changed(self, authenticated: bool) -> None:
        if authenticated:
            if self._auto_connect and not self._closed():
                self._connect()
        else:
            self._account.reset()
            if not self._closed():
                self._disconnect()

    def _on_tokens_refreshed(self, tokens: Tokens) -> None:
        for fn in list(self._tokens_listeners):
            self._callbacks.submit(fn, tokens)
