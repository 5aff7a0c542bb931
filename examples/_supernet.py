"""``use_supernet()``: where the framework examples' clients connect.

Their clients are built the production way, with ``SogniClient.from_env(...)``. With
``SOGNI_API_KEY`` set that is the real Supernet and nothing changes here. Without it, an
embedded FakeSupernet starts on 127.0.0.1 and its key and URLs go into ``os.environ``, so
clients made in this process and in child processes (Celery and gunicorn workers) find it.
"""

from __future__ import annotations

import atexit
import os
import sys

from sogni.testing import FakeSupernet


def use_supernet() -> None:
    """The real Supernet if ``SOGNI_API_KEY`` is set, else a fake that runs until exit."""
    if os.environ.get("SOGNI_API_KEY", "").strip():
        return
    print(
        "SOGNI_API_KEY is not set: using an embedded FakeSupernet on 127.0.0.1 (offline demo).",
        file=sys.stderr,
    )
    fake = FakeSupernet(time_scale=0.02).start()
    # Registered before any client exists, so at exit the clients close first (atexit runs
    # last-in first-out) and the fake still sees their goodbyes.
    atexit.register(fake.stop)
    os.environ.update(
        SOGNI_API_KEY=fake.api_key,
        SOGNI_REST_ENDPOINT=fake.rest_url,
        SOGNI_SOCKET_ENDPOINT=fake.socket_url,
    )
