"""What the server's close code means for the transport.

* 1000: terminal, credentials kept; the next send reconnects lazily.
* 4015: another connection took our ``app_id``; terminal, no reconnect until ``connect()``.
* 4010, 4021 and other 4xxx: terminal; the credentials are cleared.
* anything else (1001 restart, 1006 drop, 1011, ...): reconnect with back-off; work stays in
  flight.
"""

from __future__ import annotations

from typing import NamedTuple

from ..errors import (
    AppIdBlockedError,
    AppIdConflictError,
    AuthenticationError,
    ConnectionLostError,
    SocketClosedError,
    SogniError,
)

__all__ = ["Terminal", "close_details", "terminal_close"]


class Terminal(NamedTuple):
    """A close that ends the connection for good (until asked again)."""

    error: SogniError  # what work in flight fails with
    clear: bool  # the credentials are cleared
    lazy: bool  # the next send may reconnect on its own


def terminal_close(code: int, app_id: str | None) -> Terminal | None:
    """The verdict on a close code from the server; None for a recoverable loss."""
    if code == 1000:
        error: SogniError = ConnectionLostError("the server closed the connection (1000)")
        return Terminal(error, clear=False, lazy=True)
    if code == 4015:
        return Terminal(AppIdConflictError(app_id), clear=False, lazy=False)
    if code == 4010:
        error = AppIdBlockedError("This app_id may not connect (close code 4010)", close_code=4010)
        return Terminal(error, clear=True, lazy=False)
    if code == 4021:
        error = AuthenticationError(
            "The server rejected the credentials (close code 4021)", close_code=4021
        )
        return Terminal(error, clear=True, lazy=False)
    if 4000 <= code <= 4999:
        error = SocketClosedError(
            f"The server closed the connection (code {code})", close_code=code
        )
        return Terminal(error, clear=True, lazy=False)
    return None


def close_details(data: bytes) -> tuple[int, str]:
    """The code and reason of a close frame's body (1005 when it has none)."""
    if len(data) >= 2:
        code = int.from_bytes(data[:2], "big")
        return code, data[2:].decode("utf-8", "replace")
    return 1005, ""
