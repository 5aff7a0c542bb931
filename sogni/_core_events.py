"""The listeners of one client: public events, internal listeners and internal frame consumers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ._log import get_logger
from ._transport.callbacks import CallbackWorker
from ._wire.envelope import Frame

__all__ = ["EventHub"]

log = get_logger("sogni.client")


class EventHub:
    """Public listeners run on the callback worker; internal ones (``on_raw``, frame consumers)
    run on the emitting thread, which may be the transport thread: they must be quick."""

    def __init__(self, callbacks: CallbackWorker) -> None:
        self._callbacks = callbacks
        # Copy-on-write tuples: emit() reads them without the lock and copies nothing (most
        # events, such as each streamed chat chunk, have no listener at all).
        self._listeners: dict[str, tuple[Callable[[Any], Any], ...]] = {}
        self._raw_listeners: dict[str, tuple[Callable[[Any], Any], ...]] = {}
        self._lock = threading.Lock()
        # Copy-on-write tuples: the transport thread iterates them while callers add and remove.
        self._frame_handlers: dict[str, tuple[Callable[[Frame], None], ...]] = {}
        self._latest_frames: dict[str, Frame] = {}

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        return self._add(self._listeners, event, fn)

    def on_raw(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """An SDK-internal listener, called on the emitting thread: ``fn`` must be quick and
        must not block (it may run on the transport thread)."""
        return self._add(self._raw_listeners, event, fn)

    def _add(
        self,
        table: dict[str, tuple[Callable[[Any], Any], ...]],
        event: str,
        fn: Callable[[Any], Any],
    ) -> Callable[[], None]:
        with self._lock:
            table[event] = (*table.get(event, ()), fn)

        def remove() -> None:
            with self._lock:
                listeners = list(table.get(event, ()))
                if fn in listeners:
                    listeners.remove(fn)  # one registration, as list.remove did
                    table[event] = tuple(listeners)

        return remove

    def emit(self, event: str, payload: Any, *, internal: Any = None) -> None:
        """Deliver an event: internal listeners at once (with ``internal`` if given, else the
        payload), public ones on the callback worker."""
        listeners = self._listeners.get(event, ())
        raw = self._raw_listeners.get(event, ())
        for fn in raw:
            try:
                fn(payload if internal is None else internal)
            except Exception:
                log.exception("An internal %s listener failed", event)
        for fn in listeners:
            self._callbacks.submit(fn, payload)

    # ------------------------------------------------------------------ frame consumers

    def add_frame_handler(
        self, frame_type: str, handler: Callable[[Frame], None]
    ) -> Callable[[], None]:
        """Internal consumers of a frame type (run on the transport thread: must not block).
        Returns a function that removes the handler."""
        with self._lock:
            self._frame_handlers[frame_type] = (*self._frame_handlers.get(frame_type, ()), handler)

        def remove() -> None:
            with self._lock:
                handlers = self._frame_handlers.get(frame_type, ())
                self._frame_handlers[frame_type] = tuple(h for h in handlers if h is not handler)

        return remove

    def frame_handlers(self, frame_type: str) -> tuple[Callable[[Frame], None], ...]:
        return self._frame_handlers.get(frame_type, ())

    def ever_consumed(self, frame_type: str) -> bool:
        """Whether a consumer of ``frame_type`` was ever added (even if since removed)."""
        return frame_type in self._frame_handlers

    def remember(self, frame: Frame) -> None:
        self._latest_frames[frame.type] = frame

    def latest_frame(self, frame_type: str) -> Frame | None:
        """The last frame of a state-carrying type (``swarmModels``, ``swarmLLMModels``)."""
        return self._latest_frames.get(frame_type)
