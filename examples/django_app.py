"""Django: one SogniClient per process, made on first use and closed at exit.

A one-file Django project. ``sogni.get()`` builds the client the first time a view needs it,
in the process that serves the request: under a pre-forking server (gunicorn, uWSGI) each
worker makes its own after the fork, with its own app id from ``worker_app_id``. Views on
every thread share it (the client is thread-safe), and it closes when the process exits.

Run it: 16 concurrent requests go through Django's test client, each rendering its own
image. Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

from __future__ import annotations

import atexit
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from _supernet import use_supernet
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.urls import path

from sogni import SogniClient, ValidationError, worker_app_id


class ProcessClient:
    """This process's one SogniClient: made on first use, closed at interpreter exit."""

    def __init__(self, app_id_base: str) -> None:
        self._base = app_id_base
        self._lock = threading.Lock()  # two first requests at once must not make two clients
        self._client: SogniClient | None = None

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


sogni = ProcessClient("django-demo")


def render(request: HttpRequest) -> JsonResponse:
    """``GET /render?prompt=...&seed=N``: render one image into MEDIA_ROOT."""
    try:
        project = sogni.get().projects.create(
            type="image",
            model_id="flux1-schnell-fp8",
            positive_prompt=request.GET.get("prompt", "A lighthouse at dusk"),
            seed=int(request.GET.get("seed", "1")),
            steps=int(request.GET.get("steps", "4")),
            guidance=1,
        )
    except ValidationError as exc:  # bad input: nothing was sent
        return JsonResponse({"problems": [str(p) for p in exc.problems]}, status=400)
    project.wait(timeout=120)
    files = project.download(settings.MEDIA_ROOT)
    return JsonResponse({"project_id": project.id, "files": [str(f) for f in files]})


urlpatterns = [path("render", render)]


def configure(media_root: str) -> None:
    """The settings of this one-file project (a real site keeps them in settings.py)."""
    settings.configure(
        DEBUG=False,
        SECRET_KEY="django-demo-only",
        ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MEDIA_ROOT=media_root,
    )
    django.setup()


def main() -> None:
    use_supernet()
    with tempfile.TemporaryDirectory() as media_root:
        configure(media_root)

        def ask(seed: int) -> Any:
            # One test client per thread, like one browser per user.
            response = Client().get(
                "/render", {"prompt": f"A lighthouse, take {seed}", "seed": seed}
            )
            return response.json()

        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(ask, range(1, 17)))
        for answer in answers:
            print(f"project {answer['project_id']}: {len(answer['files'])} image(s)")
    # No close() here: the client closes at exit, as it would in a web server.


if __name__ == "__main__":
    main()
