"""``sogni batch FILE``: a resumable, budgeted batch from a CSV or JSONL file.

Progress goes to stderr: one line redrawn in place on a terminal, plain lines otherwise.
The first Ctrl-C stops sending (items in flight finish and are journaled); a second one
leaves at once, with the items in flight recorded in the journal for ``--resume``.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any

from . import batch
from ._cli_params import DEFAULT_MODELS

__all__ = ["add_batch_command", "run_batch"]


def add_batch_command(commands: Any) -> None:
    parser = commands.add_parser(
        "batch",
        help="render every row of a CSV or JSONL file (resumable, with a spend cap)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("file", type=Path, help="a .csv or .jsonl file of items")
    parser.add_argument("--out", type=Path, default=Path("out"), help="results (default out/)")
    parser.add_argument(
        "--journal", type=Path, default=None, help="journal (default OUT/journal.jsonl)"
    )
    parser.add_argument("--resume", action="store_true", help="continue an existing journal")
    parser.add_argument("--max-in-flight", type=int, default=8, metavar="N")
    parser.add_argument("--spend-cap", default=None, metavar="AMOUNT", help="in --token-type")
    parser.add_argument("--token-type", default="spark", choices=("spark", "sogni"))
    parser.add_argument("--retries", type=int, default=2, metavar="N")
    parser.add_argument("--type", default="image", choices=("image", "video", "audio"))
    parser.add_argument(
        "--model",
        default=None,
        metavar="MODEL",
        help="model for rows without a model_id (default by --type: "
        + ", ".join(f"{t} {m}" for t, m in DEFAULT_MODELS.items())
        + ")",
    )
    parser.add_argument("--media-root", type=Path, default=None, metavar="DIR")
    parser.add_argument(
        "--estimate", action="store_true", help="print the total estimate and send nothing"
    )
    parser.add_argument(
        "--dask", default=None, metavar="ADDRESS", help="run on this Dask scheduler"
    )
    parser.add_argument("--fake", action="store_true", default=argparse.SUPPRESS)


class _Display:
    """Progress on stderr: redrawn on a terminal, a plain line at most every few seconds
    otherwise."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last = 0.0
        self._last_line = ""

    def __call__(self, p: batch.BatchProgress) -> None:
        eta = "" if p.eta_seconds is None else f", ETA {_duration(p.eta_seconds)}"
        line = (
            f"{p.completed}/{p.total} done, {p.failed} failed, "
            f"{p.in_flight} in flight, spent {p.spent} {p.token_type}{eta}"
        )
        now = time.monotonic()
        if self._tty:
            self._stream.write("\r\x1b[K" + line)
            self._stream.flush()
        elif line != self._last_line and (now - self._last >= 2.0 or p.completed == p.total):
            self._stream.write("progress: " + line + "\n")
            self._stream.flush()
            self._last = now
        self._last_line = line

    def end(self) -> None:
        if self._tty and self._last_line:
            self._stream.write("\n")
            self._stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


@contextlib.contextmanager
def _interrupts(stop: threading.Event) -> Iterator[None]:
    """First Ctrl-C: stop sending. Second: leave now (KeyboardInterrupt)."""

    def handle(signum: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            stop.set()
            print(
                "\nStopping: no more items are sent; the ones in flight finish and are "
                "journaled. Ctrl-C again to leave them in flight for --resume.",
                file=sys.stderr,
                flush=True,
            )
            return
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _journal_has_records(path: Path) -> bool:
    if path.is_dir():
        return any(p.stat().st_size for p in path.glob("part-*.jsonl"))
    return path.exists() and path.stat().st_size > 0


def run_batch(
    args: argparse.Namespace, make_client: Callable[[str | None], Any], default_app: str
) -> int:
    """``make_client(app_id)`` opens the client (a context manager)."""
    journal: Path = args.journal or (args.out / ("journal" if args.dask else "journal.jsonl"))
    defaults = {"model_id": args.model or DEFAULT_MODELS[args.type]}
    if args.estimate:
        with make_client(None) as client:
            quote = batch.estimate(
                client,
                args.file,
                type=args.type,
                token_type=args.token_type,
                media_root=args.media_root,
                defaults=defaults,
            )
        print(
            f"{quote.items} items: estimated total {quote.total} {quote.token_type} "
            f"({quote.quotes} distinct quote{'s' if quote.quotes != 1 else ''}); nothing was sent"
        )
        return 0
    if _journal_has_records(journal) and not args.resume:
        print(
            f"error: {journal} already records a batch: pass --resume to continue it, "
            "or choose another --journal",
            file=sys.stderr,
        )
        return 2
    stop = threading.Event()
    display = _Display(sys.stderr)
    common: dict[str, Any] = {
        "out_dir": args.out,
        "journal": journal,
        "max_in_flight": args.max_in_flight,
        "spend_cap": args.spend_cap,
        "retries": args.retries,
        "progress": display,
        "type": args.type,
        "token_type": args.token_type,
        "media_root": args.media_root,
        "defaults": defaults,
        "stop": stop,
    }
    try:
        with _interrupts(stop):
            if args.dask:
                import distributed

                connect: Any = distributed.Client  # unannotated constructor
                with connect(args.dask) as executor:
                    report = batch.run(None, args.file, executor=executor, **common)
            else:
                app_id = batch.journal_app_id(journal) if journal.is_file() else None
                with make_client(app_id or default_app) as client:
                    report = batch.run(client, args.file, **common)
    except KeyboardInterrupt:
        display.end()
        print(
            f"Left at once: the items in flight are recorded in {journal}; "
            "run the same command with --resume to follow them (they are not sent again).",
            file=sys.stderr,
        )
        return 130
    display.end()
    html = batch.write_html(report)
    print(
        f"{report.completed} of {report.total} completed, {len(report.failed)} failed, "
        f"{len(report.unsubmitted)} not sent; spent {report.spent} {report.token_type}"
    )
    for failure in report.failed[:20]:
        print(f"  failed {failure.key}: {failure.error}: {failure.message}")
    if report.stopped == "spend_cap":
        print(f"Stopped at the spend cap ({report.spend_cap} {report.token_type}).")
    elif report.stopped == "stopped":
        print("Stopped: the items not sent are left for --resume.")
    print(f"Report: {html}")
    return 0 if report.ok else 1
