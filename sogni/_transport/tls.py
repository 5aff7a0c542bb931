"""TLS for both the REST calls and the socket: one reading of ``ClientConfig.verify``, and
what a verification failure says."""

from __future__ import annotations

import os
import ssl
import threading
from typing import Any

__all__ = ["TLSContexts", "environment_ca_bundle", "ssl_context", "tls_failure", "tls_reason"]


def environment_ca_bundle() -> str | None:
    """The CA bundle ``REQUESTS_CA_BUNDLE`` (then ``CURL_CA_BUNDLE``) names, as ``requests``
    reads them for ``verify=True``."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None


def ssl_context(verify: Any) -> ssl.SSLContext:
    """The TLS context for ``ClientConfig.verify`` (a context, False, a CA bundle, or True).

    With True, ``REQUESTS_CA_BUNDLE`` (then ``CURL_CA_BUNDLE``) names the CA bundle when set,
    as it does for ``requests``, so a deployment set up for it keeps working."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if verify is True:
        verify = environment_ca_bundle() or True
    if isinstance(verify, str):
        # A directory of hashed certificates, as requests also accepts.
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    return _system_context()


def _system_context() -> ssl.SSLContext:
    """The system's trust store; certifi's bundle when the system has none (a Python built
    without one, as on macOS before "Install Certificates") and certifi is installed."""
    paths = ssl.get_default_verify_paths()
    has_store = any(p and os.path.exists(p) for p in (paths.cafile, paths.capath))
    if not has_store:
        try:
            import certifi
        except ImportError:
            pass
        else:
            return ssl.create_default_context(cafile=certifi.where())
    return ssl.create_default_context()


class TLSContexts:
    """One context per ``verify`` setting, built when first needed and then reused (building
    one reads the whole trust store), for a client's REST calls and its socket."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._contexts: dict[bool | str, ssl.SSLContext] = {}

    def get(self, verify: Any) -> ssl.SSLContext:
        if isinstance(verify, ssl.SSLContext):
            return verify
        key: bool | str = verify if isinstance(verify, (bool, str)) else True
        context = self._contexts.get(key)
        if context is None:
            with self._lock:
                context = self._contexts.get(key)
                if context is None:
                    context = self._contexts[key] = ssl_context(key)
        return context


def tls_failure(exc: BaseException | None) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure behind ``exc`` (followed through causes), if any."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, ssl.SSLCertVerificationError):
            return exc
        seen.add(id(exc))
        nested = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = exc.__cause__ or exc.__context__ or nested or getattr(exc, "reason", None)
    return None


def tls_reason(error: ssl.SSLCertVerificationError) -> str:
    """Why verification failed, in OpenSSL's words (an expired or self-signed certificate,
    a host name mismatch): it names certificates and hosts, never credentials."""
    return str(getattr(error, "verify_message", None) or error.reason or "verification failed")
