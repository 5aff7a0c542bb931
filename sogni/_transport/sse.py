"""One client for server-sent event streams (durable chat runs, creative workflows).

Frames are parsed as the service's streams send them: a frame ends at a blank line (``\\n\\n``
or ``\\r\\n\\r\\n``); a line is ``field: value`` (one space after the colon dropped); ``event``
names the frame (``message`` by default), ``id`` its id, and several ``data`` lines are joined
with ``\\n``; the data is parsed as JSON when it is JSON, else kept as text. A frame holding
only comments (lines starting with ``:``, the keep-alives) carries nothing and is dropped.

:class:`SSEStream` reads one stream on the thread that iterates it and resumes it after a cut:

* what to resume from is the stream's business, so it is parameterised: ``resume_key(frame)``
  is the key a frame advances the stream to (None: it does not), ``resume_request(key)`` the
  query and headers that ask the server for what follows ``key``, ``is_terminal(frame)`` whether
  the frame is the last one, and ``keep(frame)`` whether the caller sees it (snapshot frames may
  be skipped);
* a stream silent for ``Timeouts.sse_idle`` (keep-alives count as traffic) is treated as cut;
* a cut stream reconnects with full-jitter back-off (``Timeouts.reconnect_base`` doubling up to
  ``reconnect_max``); when nothing at all has arrived for ``Timeouts.rest_total`` while it
  tries, or the server refuses the stream for good (a 4xx other than 408/429), the last error
  is raised;
* ``close()`` from any thread cuts the connection at once, so the reading thread returns
  within moments; so does closing the client.
"""

from __future__ import annotations

import codecs
import http.client
import json
import re
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from .._log import get_logger
from ..errors import APIError, ClientClosedError, SogniError, TransportError

if TYPE_CHECKING:
    from ..config import ClientConfig
    from .http11 import Response
    from .rest import RestClient

__all__ = ["SSEFrame", "SSEParser", "SSEStream", "StreamRequest", "parse_frames"]

log = get_logger("sogni.sse")

K = TypeVar("K")

_BOUNDARY = re.compile(r"\r?\n\r?\n")
_LINE = re.compile(r"\r?\n")
_READ_SIZE = 1 << 16
_WAKE_INTERVAL = 0.1  # how often a back-off sleep checks whether the client closed
# What reading a body can raise when the server goes silent or the connection is cut.
_READ_ERRORS = (http.client.HTTPException, OSError)


@attrs.frozen
class SSEFrame:
    """One frame of a stream: ``event`` (``message`` by default), ``data`` (parsed JSON, or the
    text when it is not JSON; None without data lines), ``id`` (None without an ``id`` line)."""

    event: str = "message"
    data: Any = None
    id: str | None = None
    raw: str = attrs.field(default="", repr=False)


def _parse_block(block: str) -> SSEFrame | None:
    event, frame_id, fields = "message", None, 0
    data: list[str] = []
    for line in _LINE.split(block):
        if not line or line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        fields += 1
        if name == "event":
            event = value or "message"
        elif name == "id":
            frame_id = value
        elif name == "data":
            data.append(value)
    if not fields:
        return None  # comments only: a keep-alive
    text = "\n".join(data)
    parsed: Any = None
    if data:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
    return SSEFrame(event=event, data=parsed, id=frame_id, raw=block)


class SSEParser:
    """Incremental: ``feed(text)`` returns the frames completed so far, ``finish()`` the one
    left unterminated when the stream ended."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> list[SSEFrame]:
        self._buffer += text
        frames: list[SSEFrame] = []
        while True:
            match = _BOUNDARY.search(self._buffer)
            if match is None:
                return frames
            block, self._buffer = self._buffer[: match.start()], self._buffer[match.end() :]
            frame = _parse_block(block.strip("\r\n"))
            if frame is not None:
                frames.append(frame)

    def finish(self) -> list[SSEFrame]:
        block, self._buffer = self._buffer.strip("\r\n"), ""
        frame = _parse_block(block) if block.strip() else None
        return [frame] if frame is not None else []


def parse_frames(text: str) -> list[SSEFrame]:
    """Every frame of a complete stream text."""
    parser = SSEParser()
    return parser.feed(text) + parser.finish()


@attrs.frozen
class StreamRequest:
    """What one connection asks for: its query and headers."""

    params: Mapping[str, Any] = attrs.field(factory=dict)
    headers: Mapping[str, str] = attrs.field(factory=dict)


class SSEStream(Iterator[SSEFrame], Generic[K]):
    """The frames of one server stream, resumed across cuts, ending after the terminal frame.

    Iterate it on one thread; ``close()`` may come from any thread. ``resume_from`` is the key
    of the last frame already seen (None: from the beginning).
    """

    def __init__(
        self,
        rest: RestClient,
        config: ClientConfig,
        path: str,
        *,
        resume_request: Callable[[K | None], StreamRequest],
        resume_key: Callable[[SSEFrame], K | None],
        is_terminal: Callable[[SSEFrame], bool],
        keep: Callable[[SSEFrame], bool] = lambda frame: True,
        resume_from: K | None = None,
        label: str = "event stream",
    ) -> None:
        self._rest = rest
        self._config = config
        self._path = path
        self._resume_request = resume_request
        self._resume_key = resume_key
        self._is_terminal = is_terminal
        self._keep = keep
        self.last_key: K | None = resume_from
        self._label = label
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._stop_error: SogniError | None = None
        self._cut: Callable[[], None] | None = None
        self._frames: Generator[SSEFrame, None, None] | None = None
        self._reader_thread: int | None = None
        self._ended = False
        self.connections = 0
        """How many times the stream was opened (1 + the reconnects)."""

    def __iter__(self) -> SSEStream[K]:
        return self

    def __next__(self) -> SSEFrame:
        if self._ended:
            raise StopIteration
        if self._frames is None:
            self._frames = self._run()
            self._reader_thread = threading.get_ident()
        try:
            return next(self._frames)
        except StopIteration:
            self._ended = True
            if self._stop_error is not None:
                raise self._stop_error from None
            raise
        except BaseException:
            self._ended = True
            raise

    def close(self, error: SogniError | None = None) -> None:
        """Stop now: the connection is cut and the iterating thread ends (raising ``error``
        when one is given, else quietly)."""
        with self._lock:
            if self._stop.is_set():
                return
            self._stop_error = error
            self._stop.set()
            cut = self._cut
        if cut is not None:
            cut()
        frames = self._frames
        if frames is not None and threading.get_ident() == self._reader_thread:
            # On the reading thread, between reads: end the connection (its response, the
            # watchdog's entry) now. Another thread leaves that to the reader, which ends.
            try:
                frames.close()
            except ValueError:
                pass  # called from inside the loop (the terminal frame): it returns by itself

    def __enter__(self) -> SSEStream[K]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the loop

    def _stopped(self) -> Iterator[SSEFrame]:
        if self._stop_error is not None:
            raise self._stop_error
        if self._rest.closing.is_set():
            raise ClientClosedError("the client was closed")
        return iter(())

    def _run(self) -> Generator[SSEFrame, None, None]:
        failures = 0
        quiet_since = time.monotonic()
        last_error: SogniError = TransportError(f"the {self._label} could not be opened")
        while True:
            if self._stop.is_set() or self._rest.closing.is_set():
                yield from self._stopped()
                return
            got_frame = False
            try:
                for frame in self._connection():
                    got_frame = True
                    quiet_since = time.monotonic()
                    key = self._resume_key(frame)
                    if key is not None:
                        self.last_key = key
                    terminal = self._is_terminal(frame)
                    if self._keep(frame):
                        yield frame
                    if terminal:
                        self.close()
                        return
                last_error = TransportError(f"the server ended the {self._label}")
            except SogniError as exc:
                if self._stop.is_set() or self._rest.closing.is_set():
                    yield from self._stopped()
                    return
                if not _retryable(exc):
                    raise
                last_error = exc
            if got_frame:
                failures = 0
            if time.monotonic() - quiet_since >= self._config.timeouts.rest_total:
                raise _gave_up(last_error, self._label, self._config.timeouts.rest_total)
            self._back_off(failures, last_error)
            failures += 1

    def _connection(self) -> Iterator[SSEFrame]:
        """The frames of one connection, until it ends or is cut."""
        request = self._resume_request(self.last_key)
        with self._rest.stream(
            self._path,
            headers=request.headers,
            params=request.params,
            config=self._config,
            on_cut=self._set_cut,
        ) as response:
            if self._stop.is_set():
                return
            self.connections += 1
            parser = SSEParser()
            try:
                for text in _texts(response):
                    yield from parser.feed(text)
                yield from parser.finish()
            except _READ_ERRORS as exc:
                # A silent stream (the read timeout) or a cut one: resume it.
                raise TransportError(f"the {self._label} was interrupted") from exc
            finally:
                with self._lock:
                    self._cut = None

    def _set_cut(self, cut: Callable[[], None]) -> None:
        with self._lock:
            self._cut = cut
            stopped = self._stop.is_set()
        if stopped:
            cut()

    def _back_off(self, failures: int, error: SogniError) -> None:
        timeouts = self._config.timeouts
        delay = self._config.rng.uniform(
            0, min(timeouts.reconnect_max, timeouts.reconnect_base * 2**failures)
        )
        retry_after = error.retry_after if isinstance(error, APIError) else None
        if retry_after is not None:
            delay = max(delay, min(retry_after, self._config.retry.retry_after_cap))
        log.debug("%s cut; reconnecting in %.2fs", self._label, delay)
        deadline = time.monotonic() + delay
        while not self._stop.is_set() and not self._rest.closing.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._stop.wait(min(remaining, _WAKE_INTERVAL))


def _texts(response: Response) -> Iterator[str]:
    """The body as text, piece by piece as it arrives."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    for chunk in response.pieces(_READ_SIZE):
        yield decoder.decode(chunk)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


def _retryable(error: SogniError) -> bool:
    if isinstance(error, APIError):
        status = error.status
        return status is None or status >= 500 or status in (408, 429)
    return isinstance(error, TransportError) and error.retryable


def _gave_up(error: SogniError, label: str, seconds: float) -> SogniError:
    if isinstance(error, APIError):
        return error
    return TransportError(
        f"the {label} could not be resumed: nothing arrived for {seconds:g}s ({error})"
    )
