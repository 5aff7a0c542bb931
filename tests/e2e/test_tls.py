"""TLS against the FakeSupernet served over TLS with a test CA (``trustme``): verification is on
by default for REST and the socket alike, every kind of bad certificate raises ``TLSError`` after
exactly one attempt, a custom CA bundle (``verify=`` or ``REQUESTS_CA_BUNDLE``) works for both,
and ``verify=False`` logs one warning per client."""

from __future__ import annotations

import datetime
import ipaddress
import logging
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import trustme

from sogni import ClientConfig, SogniClient, TLSError
from sogni.testing import FakeSupernet

from ..helpers import FAST, wait_until

HOST = "127.0.0.1"
# Longer than several reconnect back-offs of FAST (0.05 s doubling up to 0.3 s): a client that
# retried a TLS failure would certainly have tried again within it.
RETRY_WINDOW = 1.0


class TlsFake:
    """A running FakeSupernet over TLS, and every TLS handshake it has seen (failed ones too:
    the count is taken while the server reads the ClientHello)."""

    def __init__(self, fake: FakeSupernet, handshakes: list[str | None]) -> None:
        self.fake = fake
        self.handshakes = handshakes

    def client(self, **options: Any) -> SogniClient:
        options.setdefault("app_id", "tls")
        options.setdefault("api_key", self.fake.api_key)
        options.setdefault("timeouts", FAST)
        return SogniClient(
            config=ClientConfig(
                rest_endpoint=self.fake.rest_url, socket_endpoint=self.fake.socket_url, **options
            )
        )

    def no_more_handshakes_than(self, count: int) -> None:
        with pytest.raises(AssertionError):
            wait_until(lambda: len(self.handshakes) > count, timeout=RETRY_WINDOW)
        assert len(self.handshakes) == count


@contextmanager
def serving(load: Callable[[ssl.SSLContext], None]) -> Iterator[TlsFake]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    load(context)
    handshakes: list[str | None] = []
    context.sni_callback = lambda _obj, name, _ctx: handshakes.append(name)
    with FakeSupernet(time_scale=0.01, ssl_context=context) as fake:
        yield TlsFake(fake, handshakes)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_bundle(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def good(ca: trustme.CA) -> Iterator[TlsFake]:
    with serving(ca.issue_cert(HOST).configure_cert) as server:
        yield server


def _self_signed(tmp_path: Path) -> Callable[[ssl.SSLContext], None]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "self.pem", tmp_path / "self.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return lambda context: context.load_cert_chain(str(cert_path), str(key_path))


BAD = {
    # kind: (how the server's certificate is made, whether the client trusts the test CA,
    #        what the TLSError says)
    "untrusted-ca": (lambda ca, _: ca.issue_cert(HOST).configure_cert, False, "local issuer"),
    "wrong-host": (
        lambda ca, _: ca.issue_cert("sogni.example").configure_cert,
        True,
        "mismatch",
    ),
    "expired": (
        lambda ca, _: (
            ca.issue_cert(
                HOST,
                not_before=datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
                not_after=datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc),
            ).configure_cert
        ),
        True,
        "expired",
    ),
    "self-signed": (lambda _, tmp: _self_signed(tmp), True, "self.signed"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_certificate_fails_rest_once_with_tls_error(
    ca: trustme.CA, ca_bundle: str, tmp_path: Path, kind: str
) -> None:
    make, trust_ca, says = BAD[kind]
    with serving(make(ca, tmp_path)) as server:
        options: dict[str, Any] = {"disable_socket": True}
        if trust_ca:
            options["verify"] = ca_bundle
        with server.client(**options) as client:
            with pytest.raises(TLSError, match=says) as info:
                client.account.me()
            assert not info.value.retryable
            # Retries are on (3 attempts by default), yet a TLS failure is tried once.
            assert client.config.retry.max_attempts == 3
            assert len(server.handshakes) == 1
        assert server.fake.requests() == []  # no request ever got through


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_certificate_fails_the_socket_once_with_tls_error(
    ca: trustme.CA, ca_bundle: str, tmp_path: Path, kind: str
) -> None:
    make, trust_ca, says = BAD[kind]
    with serving(make(ca, tmp_path)) as server:
        options: dict[str, Any] = {"auto_connect": False}
        if trust_ca:
            options["verify"] = ca_bundle
        with server.client(**options) as client:
            disconnected: list[Any] = []
            client.on("disconnected", disconnected.append)
            with pytest.raises(TLSError, match=says):
                client.connect(timeout=5)
            assert len(server.handshakes) == 1
            server.no_more_handshakes_than(1)  # never retried, not even with back-off
            assert len(disconnected) == 1
            # Work sent afterwards fails with the same verdict instead of hammering the host.
            with pytest.raises(TLSError):
                client.projects.create(type="image", model_id="flux1-schnell-fp8")
            assert not client.is_connected
        assert [r for r in server.fake.received if r.kind == "ws_connect"] == []


def _round_trip(client: SogniClient, server: TlsFake) -> None:
    assert client.account.me().username == "alice"
    client.connect(timeout=5)
    project = client.projects.create(type="image", model_id="flux1-schnell-fp8", steps=4)
    assert len(project.wait(timeout=30)) == 1
    assert [r.kind for r in server.fake.received if r.kind == "ws_connect"] == ["ws_connect"]


def test_verify_with_a_ca_bundle_works_for_rest_and_the_socket(
    good: TlsFake, ca_bundle: str
) -> None:
    assert good.fake.rest_url.startswith("https://")
    assert good.fake.socket_url.startswith("wss://")
    with good.client(verify=ca_bundle, auto_connect=False) as client:
        _round_trip(client, good)


def test_verify_with_an_ssl_context_works_for_rest_and_the_socket(
    good: TlsFake, ca: trustme.CA
) -> None:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with good.client(verify=context, auto_connect=False) as client:
        _round_trip(client, good)


def test_requests_ca_bundle_works_for_rest_and_the_socket(
    good: TlsFake, ca_bundle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_bundle)
    with good.client(auto_connect=False) as client:  # verify=True, the default
        assert client.config.verify is True
        _round_trip(client, good)


def test_verification_is_on_by_default(good: TlsFake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with good.client(auto_connect=False) as client:
        with pytest.raises(TLSError, match="local issuer"):
            client.account.me()
        with pytest.raises(TLSError, match="local issuer"):
            client.connect(timeout=5)
    assert len(good.handshakes) == 2


@pytest.mark.filterwarnings("error")  # only the SDK's one log line, no warning per request
def test_verify_false_warns_once_per_client(
    good: TlsFake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sogni")

    def warnings_about_verify() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "verify=False" in r.getMessage()]

    with good.client(verify=False, app_id="insecure", auto_connect=False) as client:
        auths: list[Any] = []
        client.on("authenticated", auths.append)
        for _ in range(3):
            assert client.account.me().username == "alice"
        client.with_options(timeout=5).account.balance()  # a view is the same client
        client.connect(timeout=5)
        good.fake.drop_connections()  # a reconnect does not warn again
        wait_until(lambda: len(auths) == 2)
        assert len(warnings_about_verify()) == 1
        assert warnings_about_verify()[0].levelno == logging.WARNING
        with good.client(verify=False, app_id="insecure-2", disable_socket=True) as other:
            other.account.me()
        assert len(warnings_about_verify()) == 2
    with good.client(app_id="verifying", disable_socket=True, verify=True):
        pass
    assert len(warnings_about_verify()) == 2
