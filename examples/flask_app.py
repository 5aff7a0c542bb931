"""Flask: an app factory with one SogniClient per process in ``app.extensions``.

``create_app()`` registers a holder, not a client: the client is made by the first request
that needs it, in the process serving it. Under a pre-forking server (gunicorn, uWSGI) each
worker therefore makes its own after the fork, with its own app id from ``worker_app_id``.
Request threads share it (the client is thread-safe), and it closes when the process exits.

Run it: 16 concurrent requests go through Flask's test client, each rendering its own image.
Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

from __future__ import annotations

import atexit
import tempfile
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from _supernet import use_supernet
from flask import Blueprint, Flask, current_app, request

from sogni import SogniClient, ValidationError, worker_app_id


class SogniExtension:
    """The app's SogniClient for this process: made on first use, closed at exit."""

    def __init__(self, app: Flask) -> None:
        self._base = app.config["SOGNI_APP_ID"]
        self._lock = threading.Lock()  # two first requests at once must not make two clients
        self._client: SogniClient | None = None
        app.extensions["sogni"] = self

    def get(self) -> SogniClient:
        with self._lock:
            if self._client is None:
                # Reads SOGNI_API_KEY and the endpoints from the environment.
                self._client = SogniClient.from_env(app_id=worker_app_id(self._base))
                atexit.register(self.close)
            return self._client

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            atexit.unregister(self.close)
            client.close()


def sogni() -> SogniClient:
    """The current app's client."""
    extension: SogniExtension = current_app.extensions["sogni"]
    return extension.get()


images = Blueprint("images", __name__)


@images.get("/render")
def render() -> tuple[dict[str, Any], int]:
    """``GET /render?prompt=...&seed=N``: render one image into MEDIA_ROOT."""
    try:
        project = sogni().projects.create(
            type="image",
            model_id="flux1-schnell-fp8",
            positive_prompt=request.args.get("prompt", "A lighthouse at dusk"),
            seed=request.args.get("seed", 1, type=int),
            steps=request.args.get("steps", 4, type=int),
            guidance=1,
        )
    except ValidationError as exc:  # bad input: nothing was sent
        return {"problems": [str(p) for p in exc.problems]}, 400
    project.wait(timeout=120)
    files = project.download(current_app.config["MEDIA_ROOT"])
    return {"project_id": project.id, "files": [str(f) for f in files]}, 200


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(SOGNI_APP_ID="flask-demo", MEDIA_ROOT=tempfile.gettempdir())
    app.config.update(config or {})
    SogniExtension(app)
    app.register_blueprint(images)
    return app


def main() -> None:
    use_supernet()
    with tempfile.TemporaryDirectory() as media_root:
        app = create_app({"MEDIA_ROOT": media_root})

        def ask(seed: int) -> Any:
            # One test client per thread, like one browser per user.
            response = app.test_client().get(
                "/render", query_string={"prompt": f"A lighthouse, take {seed}", "seed": seed}
            )
            return response.get_json()

        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(ask, range(1, 17)))
        for answer in answers:
            print(f"project {answer['project_id']}: {len(answer['files'])} image(s)")
    # No close() here: the client closes at exit, as it would in a web server.


if __name__ == "__main__":
    main()
