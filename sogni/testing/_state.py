"""In-memory state of a FakeSupernet: accounts, the received log, and control-plane settings.

Only the standard library here: ``sogni.testing`` must import without the ``testing`` extra.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

ZERO = Decimal(0)


def new_id() -> str:
    """An upper-case UUID v4, as the Supernet mints them."""
    import uuid

    return str(uuid.uuid4()).upper()


def dec(value: Decimal) -> str:
    """A balance as the server prints it: a plain decimal string."""
    text = format(value.normalize(), "f") if value != 0 else "0"
    return text


@dataclass
class TokenLedger:
    settled: Decimal = ZERO
    credit: Decimal = ZERO
    debit: Decimal = ZERO
    premium_credit: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.settled + self.credit - self.debit

    def to_wire(self, *, premium: bool, rest: bool) -> dict[str, str]:
        out = {
            "settled": dec(self.settled),
            "credit": dec(self.credit),
            "debit": dec(self.debit),
            "net": dec(self.net),
        }
        if premium:
            out["premiumCredit"] = dec(self.premium_credit)
        if rest:
            out["relaxedUnclaimed"] = "0"
            out["fastUnclaimed"] = "0"
        return out


@dataclass
class FakeAccount:
    """One Supernet account. ``api_keys`` authenticate it; tokens are minted on login."""

    username: str
    email: str
    wallet_address: str
    api_keys: set[str] = field(default_factory=set, repr=False)
    password: str | None = field(default=None, repr=False)
    sogni: TokenLedger = field(default_factory=lambda: TokenLedger(settled=Decimal("125.5")))
    spark: TokenLedger = field(
        default_factory=lambda: TokenLedger(settled=Decimal("400"), premium_credit=Decimal("15"))
    )
    subscription: dict[str, Any] | None = None
    sid: int = 4410

    def ledger(self, token_type: str) -> TokenLedger:
        return self.spark if token_type == "spark" else self.sogni

    def balances_wire(self, *, rest: bool = False) -> dict[str, Any]:
        return {
            "sogni": self.sogni.to_wire(premium=False, rest=rest),
            "spark": self.spark.to_wire(premium=True, rest=rest),
        }


@dataclass(frozen=True)
class LedgerEntry:
    """One movement on an account's balance, as the fake's ledger records it.

    ``kind`` is ``"hold"`` (a render's price set aside when it is admitted), ``"release"``
    (a hold given back when the render ends or is forgotten) or ``"charge"`` (what was paid);
    ``ref`` is the project's (or LLM job's) id.
    """

    time: float
    account: str
    token_type: str
    kind: str
    amount: Decimal
    ref: str

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "account": self.account,
            "token_type": self.token_type,
            "kind": self.kind,
            "amount": dec(self.amount),
            "ref": self.ref,
        }


class LedgerLog:
    """The ledger's entries, oldest first; bounded like the received log (``None``: all)."""

    def __init__(self, max_entries: int | None = None) -> None:
        self._lock = threading.Lock()
        self._items: deque[LedgerEntry] = deque(maxlen=max_entries)

    def record(
        self, account: FakeAccount, token_type: str, kind: str, amount: Decimal, ref: str
    ) -> None:
        if not amount:
            return
        entry = LedgerEntry(time.time(), account.username, token_type, kind, amount, ref)
        with self._lock:
            self._items.append(entry)

    def snapshot(self) -> list[LedgerEntry]:
        with self._lock:
            return list(self._items)


@dataclass(frozen=True)
class Received:
    """One thing the fake received.

    ``kind`` is ``"http"`` (a REST call), ``"ws_connect"`` (a WebSocket upgrade), ``"frame"``
    (a client frame) or ``"ws_closed"``. ``headers`` keep their received values: this is test
    data, never written to a log. ``raw`` is a frame's text, or an HTTP request's body as text
    (numbers exactly as the client wrote them).
    """

    kind: str
    time: float
    origin: str | None = None
    method: str | None = None
    path: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    status: int | None = None
    frame_type: str | None = None
    payload: Any = None
    raw: str | None = None
    connection_id: int | None = None
    app_id: str | None = None
    dropped: bool = False
    close_code: int | None = None


class ReceivedLog:
    """Thread-safe record of everything received, oldest first, with waiting helpers.

    ``max_log`` bounds it: once full, each new record drops the oldest one (``None`` keeps
    everything). :attr:`total` counts every record ever appended, dropped ones included.
    """

    def __init__(self, max_log: int | None = None) -> None:
        if max_log is not None and max_log < 1:
            raise ValueError("max_log must be a positive integer or None")
        self.max_log = max_log
        self._cond = threading.Condition()
        self._items: deque[Received] = deque(maxlen=max_log)
        self._total = 0
        self._dropped = 0
        # One buffer per blocked wait_for: every record appended meanwhile lands there, so a
        # waiter sees it even when the bound drops it from the log before the waiter wakes.
        self._waiters: list[_Waiter] = []

    def append(self, item: Received) -> None:
        with self._cond:
            if self.max_log is not None and len(self._items) == self.max_log:
                self._dropped += 1
            self._items.append(item)
            self._total += 1
            for waiter in self._waiters:
                waiter.pending.append(item)
            self._cond.notify_all()

    def snapshot(self) -> list[Received]:
        with self._cond:
            return list(self._items)

    def __iter__(self) -> Iterator[Received]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        """How many records the log holds now (at most ``max_log``)."""
        with self._cond:
            return len(self._items)

    @property
    def total(self) -> int:
        """Records appended since the log was made, including dropped and cleared ones."""
        with self._cond:
            return self._total

    @property
    def dropped(self) -> int:
        """Records the bound has dropped so far (cleared ones are not counted)."""
        with self._cond:
            return self._dropped

    def clear(self) -> None:
        with self._cond:
            self._items.clear()

    def wait_for(
        self, predicate: Callable[[Received], bool], *, count: int = 1, timeout: float = 10.0
    ) -> list[Received]:
        """Block until ``count`` records match; raise ``TimeoutError`` otherwise.

        Counts the matching records the log holds when called plus every matching record
        appended while waiting, even one the bound drops before this thread looks at it.
        Records dropped before the call are gone and do not count.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            matches = [r for r in self._items if predicate(r)]
            if len(matches) >= count:
                return matches
            waiter = _Waiter()
            self._waiters.append(waiter)
            try:
                while True:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError(
                            f"only {len(matches)} of {count} expected records arrived in {timeout}s"
                        )
                    self._cond.wait(remaining)
                    arrived, waiter.pending = waiter.pending, []
                    matches.extend(r for r in arrived if predicate(r))
                    if len(matches) >= count:
                        return matches
            finally:
                # By identity: two waiters' buffers may be equal lists.
                self._waiters = [w for w in self._waiters if w is not waiter]


class _Waiter:
    """The records appended while one ``wait_for`` call blocks."""

    __slots__ = ("pending",)

    def __init__(self) -> None:
        self.pending: list[Received] = []


class ConnectionCounter:
    """TCP connections accepted per origin (``"api"``, ``"socket"``) and how many are still
    open. Updated on the server loop, read from any thread."""

    ORIGINS = ("api", "socket")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accepted = dict.fromkeys(self.ORIGINS, 0)
        self._open = dict.fromkeys(self.ORIGINS, 0)

    def opened(self, origin: str) -> None:
        with self._lock:
            self._accepted[origin] += 1
            self._open[origin] += 1

    def closed(self, origin: str) -> None:
        with self._lock:
            self._open[origin] -= 1

    def count(self, origin: str | None = None, *, open_only: bool = False) -> int:
        if origin is not None and origin not in self.ORIGINS:
            raise ValueError(f"origin must be 'api', 'socket' or None, got {origin!r}")
        with self._lock:
            table = self._open if open_only else self._accepted
            return table[origin] if origin is not None else sum(table.values())


@dataclass
class RestFailure:
    """A scripted REST failure consumed by the next matching request."""

    status: int
    path: str | None
    method: str | None
    retry_after: float | None
    body: Any
    times: int
    delay: float = 0.0
    drop: bool = False
    """Run the handler, then cut the connection instead of answering."""

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return not (self.path is not None and not path.startswith(self.path))


def load_catalog() -> dict[str, Any]:
    text = resources.files("sogni.testing").joinpath("data/catalog.json").read_text("utf-8")
    catalog: dict[str, Any] = json.loads(text)
    return catalog


def wallet_address_for(username: str, password: str) -> str:
    """The account wallet the Supernet expects for a username and password:
    the key is PBKDF2-HMAC-SHA256 of lower(username)+password. Needs eth-account."""
    try:
        from eth_account import Account
    except ImportError as exc:
        raise ImportError(
            "deriving a wallet from a password needs eth-account (pip install 'sogni[wallet]'); "
            "or pass wallet_address= explicitly"
        ) from exc
    key = hashlib.pbkdf2_hmac(
        "sha256", (username.lower() + password).encode("utf-8"), b"sogni-salt-value", 10_000, 32
    )
    address: str = Account.from_key(key).address
    return address


def new_api_key() -> str:
    return "sk-fake-" + secrets.token_hex(16)
