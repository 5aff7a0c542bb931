"""What a client loads and starts, and where REST calls go: dependencies load on the caller's
thread when a client needs them, a REST-only client starts no socket or callback thread, and the
proxy and CA-bundle settings of the environment are read once per client and host, with the
meaning requests gives them."""

from __future__ import annotations

import base64
import json
import os
import ssl
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from sogni import SogniClient, TLSError
from sogni.testing import FakeSupernet

from ..forwarder import Forwarder

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
_CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def _run(fake: FakeSupernet, code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter with the fake's settings; it prints one JSON line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOGNI_")}
    env.update(
        FAKE_API_KEY=fake.api_key, FAKE_REST_URL=fake.rest_url, FAKE_SOCKET_URL=fake.socket_url
    )
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_a_rest_only_client_loads_no_socket_stack_and_starts_no_socket_or_callback_thread(
    fake: FakeSupernet,
) -> None:
    result = _run(
        fake,
        """
        import json, os, sys, threading
        from sogni import SogniClient

        client = SogniClient(
            api_key=os.environ["FAKE_API_KEY"],
            rest_endpoint=os.environ["FAKE_REST_URL"],
            socket_endpoint=os.environ["FAKE_SOCKET_URL"],
            disable_socket=True,
        )
        client.account.me()
        client.account.refresh_balance()
        threads = sorted(t.name for t in threading.enumerate() if t.name.startswith("sogni-"))
        client.close()
        loaded = [m for m in ("websocket", "requests", "urllib3") if m in sys.modules]
        print(json.dumps({"loaded": loaded, "threads": threads}))
        """,
    )
    # The REST deadline watchdog is the one thread a REST call needs; REST is the standard
    # library's http.client, so neither requests nor urllib3 is loaded.
    assert result == {"loaded": [], "threads": ["sogni-rest-deadline"]}


def test_nothing_is_imported_for_the_first_time_on_an_sdk_thread(fake: FakeSupernet) -> None:
    # An import in progress on an SDK thread when the process forks (gunicorn --preload, Celery
    # prefork) leaves the import lock held in the child, which then hangs. Lazy loading must
    # therefore happen on the caller's thread: a finder at the head of sys.meta_path (asked
    # only for modules not loaded yet) records every import attempted on another thread.
    result = _run(
        fake,
        """
        import json, os, sys, threading

        late = []

        class Recorder:
            def find_spec(self, name, path=None, target=None):
                if threading.current_thread() is not threading.main_thread():
                    late.append((threading.current_thread().name, name))
                return None

        sys.meta_path.insert(0, Recorder())
        from sogni import SogniClient

        with SogniClient(
            app_id="first-imports",
            api_key=os.environ["FAKE_API_KEY"],
            rest_endpoint=os.environ["FAKE_REST_URL"],
            socket_endpoint=os.environ["FAKE_SOCKET_URL"],
        ) as client:
            client.on("authenticated", lambda _: None)
            client.connect()
            client.account.me()
            project = client.projects.create(
                type="image", model_id="flux1-schnell-fp8", positive_prompt="a", steps=4
            )
            project.on("progress", lambda _: None)
            project.wait(timeout=30)
            reply = client.chat.completions.create(
                model="qwen3.6-35b-a3b-gguf-iq4xs",
                messages=[{"role": "user", "content": "one two"}],
                stream=True,
            )
            chunks = sum(1 for _ in reply)
            # The socket is the SDK's own: websocket-client is not even installed for users.
            websocket = "websocket" in sys.modules
        http_stacks = [m for m in ("requests", "urllib3") if m in sys.modules]
        print(
            json.dumps(
                {"late": late, "chunks": chunks, "websocket": websocket, "http_stacks": http_stacks}
            )
        )
        """,
    )
    assert result["chunks"] and result["late"] == []
    assert result["websocket"] is False
    assert result["http_stacks"] == []  # the SDK never loads requests or urllib3


# --------------------------------------------------------------------------- the environment


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in _PROXY_VARIABLES + _CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@pytest.fixture
def proxy() -> Iterator[Forwarder]:
    with Forwarder() as forwarder:
        yield forwarder


def _account_calls(proxy: Forwarder, fake: FakeSupernet) -> list[tuple[str, str]]:
    return [s for s in proxy.seen if s == ("GET", f"{fake.rest_url}/v1/account/me")]


def test_rest_calls_use_the_proxy_the_environment_names(
    clean_environment: pytest.MonkeyPatch,
    proxy: Forwarder,
    fake: FakeSupernet,
    make_client: Callable[..., SogniClient],
) -> None:
    clean_environment.setenv("http_proxy", proxy.url)
    client = make_client(disable_socket=True)
    client.account.me()
    client.account.me()
    assert len(_account_calls(proxy, fake)) == 2


def test_no_proxy_keeps_a_host_off_the_proxy(
    clean_environment: pytest.MonkeyPatch,
    proxy: Forwarder,
    make_client: Callable[..., SogniClient],
) -> None:
    clean_environment.setenv("http_proxy", proxy.url)
    clean_environment.setenv("no_proxy", "127.0.0.1")
    make_client(disable_socket=True).account.me()
    assert proxy.seen == []


def test_the_environment_is_read_once_per_client_and_host(
    clean_environment: pytest.MonkeyPatch,
    proxy: Forwarder,
    fake: FakeSupernet,
    make_client: Callable[..., SogniClient],
) -> None:
    clean_environment.setenv("http_proxy", proxy.url)
    client = make_client(disable_socket=True)
    client.account.me()
    clean_environment.setenv("no_proxy", "*")
    client.account.me()  # the same client keeps what it read
    assert len(_account_calls(proxy, fake)) == 2
    make_client(disable_socket=True).account.me()  # a new client reads it again
    assert len(_account_calls(proxy, fake)) == 2


def _loopback_certificate(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context for 127.0.0.1 and the file of the CA that signed it."""
    authority = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    return context, bundle


def test_requests_ca_bundle_is_the_trust_store_of_verified_calls(
    clean_environment: pytest.MonkeyPatch,
    fake: FakeSupernet,
    make_client: Callable[..., SogniClient],
    tmp_path: Path,
) -> None:
    context, bundle = _loopback_certificate(tmp_path)
    with Forwarder(upstream=fake.rest_url, tls=context) as front:
        with pytest.raises(TLSError):
            make_client(disable_socket=True, rest_endpoint=front.url).account.me()
        clean_environment.setenv("REQUESTS_CA_BUNDLE", str(bundle))
        me = make_client(disable_socket=True, rest_endpoint=front.url).account.me()
    assert me.username
    assert ("GET", "/v1/account/me") in front.seen


def test_proxy_credentials_in_the_proxy_url_go_as_proxy_authorization(
    clean_environment: pytest.MonkeyPatch,
    proxy: Forwarder,
    fake: FakeSupernet,
    make_client: Callable[..., SogniClient],
) -> None:
    clean_environment.setenv("HTTP_PROXY", proxy.url.replace("://", "://agent:s%40fe@"))
    make_client(disable_socket=True).account.me()
    assert _account_calls(proxy, fake)
    assert set(proxy.authorizations) == {"Basic " + base64.b64encode(b"agent:s@fe").decode()}


def test_an_https_call_tunnels_through_the_proxy(
    clean_environment: pytest.MonkeyPatch,
    proxy: Forwarder,
    fake: FakeSupernet,
    make_client: Callable[..., SogniClient],
    tmp_path: Path,
) -> None:
    context, bundle = _loopback_certificate(tmp_path)
    clean_environment.setenv("https_proxy", proxy.url.replace("://", "://agent:secret@"))
    with Forwarder(upstream=fake.rest_url, tls=context) as front:
        client = make_client(disable_socket=True, rest_endpoint=front.url, verify=str(bundle))
        assert client.account.me().username
        client.account.me()
        target = front.url.removeprefix("https://")
        # One tunnel, kept alive for the second call; the proxy never sees inside it.
        assert proxy.seen == [("CONNECT", target)]
        assert proxy.authorizations == ["Basic " + base64.b64encode(b"agent:secret").decode()]
        assert front.seen.count(("GET", "/v1/account/me")) == 2
