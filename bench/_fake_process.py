"""A FakeSupernet in its own process for the benchmarks, with a tiny stdin control channel.

Run as a script, it prints one JSON line (rest_url, socket_url, api_key, and the path of the
``sogni`` it imported), then reads commands on stdin: ``sign-latest-upload`` answers with a
signed GET URL of the newest completed upload;
``set-balance AMOUNT`` sets the account's Spark and SOGNI balances and answers ``ok``;
``forget-uploads`` drops every stored upload (a big transfer benchmark would otherwise fill the
disk) and answers ``ok``; ``quit`` stops it. Imported, :class:`BenchFake` starts and drives
it, so that the benchmark's own process measures the client alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import sogni
from sogni.testing import FakeSupernet


class BenchFake:
    """This script in a subprocess: ``info`` holds its URLs and API key."""

    def __init__(self, *, time_scale: float = 0.01, pythonpath: str | None = None) -> None:
        env = None
        if pythonpath is not None:  # the fake of another checkout
            env = dict(os.environ, PYTHONPATH=pythonpath)
        self._proc = subprocess.Popen(
            [sys.executable, __file__, "--time-scale", str(time_scale)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        line = self._read()
        if not line:
            self._proc.kill()
            raise SystemExit("the fake did not start")
        self.info: dict[str, str] = json.loads(line)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _read(self) -> str:
        assert self._proc.stdout is not None
        return self._proc.stdout.readline()

    def command(self, text: str) -> str:
        """Send one command and return its one-line answer."""
        assert self._proc.stdin is not None
        self._proc.stdin.write(text + "\n")
        self._proc.stdin.flush()
        return self._read().strip()

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.write("quit\n")
            self._proc.stdin.close()
            self._proc.wait(30)

    def __enter__(self) -> BenchFake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-scale", type=float, default=0.01)
    args = parser.parse_args()
    # The log is bounded: a soak run sends tens of thousands of frames.
    with FakeSupernet(time_scale=args.time_scale, max_log=10_000) as fake:
        storage = fake._projects().storage

        def sign_latest_upload() -> str:
            done = [u for u in storage.uploads.values() if u.received is not None]
            newest = max(done, key=lambda u: u.created)
            return str(storage.signed_url("GET", newest.key))

        print(
            json.dumps(
                {
                    "rest_url": fake.rest_url,
                    "socket_url": fake.socket_url,
                    "api_key": fake.api_key,
                    "sogni": sogni.__file__,
                }
            ),
            flush=True,
        )
        for line in sys.stdin:
            command = line.strip()
            if command == "sign-latest-upload":
                print(fake.call(sign_latest_upload), flush=True)
            elif command.startswith("set-balance "):
                amount = command.split(" ", 1)[1]
                fake.set_balance(amount, token_type="spark")
                fake.set_balance(amount, token_type="sogni")
                print("ok", flush=True)
            elif command == "forget-uploads":
                fake.call(lambda: storage.delete_prefix("uploads/"))
                print("ok", flush=True)
            elif command == "quit":
                return


if __name__ == "__main__":
    main()
