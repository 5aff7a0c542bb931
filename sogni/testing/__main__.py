"""``python -m sogni.testing``: run a FakeSupernet until interrupted.

Prints one JSON line with ``rest_url``, ``socket_url`` and ``api_key`` so scripts, the
official SDKs or curl can use it. ``GET <rest_url>/_fake/stats`` reports the received log's size
and bound (``--max-log``) and the TCP connections accepted per origin; ``/_fake/ledger``,
``/_fake/projects`` and ``/_fake/job-requests`` report balance movements, projects and the
``jobRequest`` ids received.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading

from ._fake import FakeSupernet

# A standalone fake may run for days: its record of every request and frame stays bounded.
DEFAULT_MAX_LOG = 10_000


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sogni.testing", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="api host port (0: any free port)")
    parser.add_argument(
        "--socket-port",
        type=int,
        default=None,
        help="socket host port (default: --port + 1, or any)",
    )
    parser.add_argument("--api-key", default=None, help="API key to accept (default: random)")
    parser.add_argument("--time-scale", type=float, default=0.05, help="simulated time factor")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--max-log",
        type=_non_negative,
        default=DEFAULT_MAX_LOG,
        metavar="N",
        help=f"keep the last N received records (default {DEFAULT_MAX_LOG}; 0: keep all)",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="the fake's own log (requests, connections, frames; never credentials) on stderr",
    )
    args = parser.parse_args(argv)
    # Only the fake's logger: the server library's own logs stay quiet.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    fake_log = logging.getLogger("sogni.testing")
    fake_log.addHandler(handler)
    fake_log.setLevel(args.log_level.upper())
    socket_port = args.socket_port
    if socket_port is None:
        socket_port = args.port + 1 if args.port else 0
    fake = FakeSupernet(
        host=args.host,
        api_port=args.port,
        socket_port=socket_port,
        api_key=args.api_key,
        time_scale=args.time_scale,
        seed=args.seed,
        max_log=args.max_log or None,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with fake:
        print(
            json.dumps(
                {
                    "rest_url": fake.rest_url,
                    "socket_url": fake.socket_url,
                    "api_key": fake.api_key,
                }
            ),
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
