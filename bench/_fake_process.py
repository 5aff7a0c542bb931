"""A FakeSupernet in its own process for the benchmarks, with a tiny stdin control channel.

Prints one JSON line (rest_url, socket_url, api_key). Then reads commands on stdin:
``sign-latest-upload`` answers with a signed GET URL of the newest completed upload;
``set-balance AMOUNT`` sets the account's Spark and SOGNI balances and answers ``ok``.
"""

from __future__ import annotations

import json
import sys

from sogni.testing import FakeSupernet


def main() -> None:
    # The log is bounded: a soak run sends tens of thousands of frames.
    with FakeSupernet(time_scale=0.01, max_log=10_000) as fake:
        storage = fake._projects().storage

        def sign_latest_upload() -> str:
            done = [u for u in storage.uploads.values() if u.received is not None]
            newest = max(done, key=lambda u: u.created)
            return str(storage.signed_url("GET", newest.key))

        print(
            json.dumps(
                {"rest_url": fake.rest_url, "socket_url": fake.socket_url, "api_key": fake.api_key}
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
            elif command == "quit":
                return


if __name__ == "__main__":
    main()
