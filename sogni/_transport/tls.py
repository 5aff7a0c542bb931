"""TLS for both the REST calls and the socket: one reading of ``ClientConfig.verify``, and
what a verification failure says."""

from __future__ import annotations

import os
import ssl
from typing import Any

__all__ = ["environment_ca_bundle", "ssl_context", "tls_failure", "tls_reason"]


def environment_ca_bundle() -> str | None:
    """The CA bundle ``REQUESTS_CA_BUNDLE`` (then ``CURL_CA_BUNDLE``) names, as ``requests``
    reads them for ``verify=True``."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None


def ssl_context(verify: Any) -> ssl.SSLContext:
    """The TLS context for ``ClientConfig.verify`` (a context, False, a CA bundle, or True).

    With True, ``REQUESTS_CA_BUNDLE`` (then ``CURL_CA_BUNDLE``) names the CA bundle when set,
    as it does for the REST calls that ``requests`` makes, so one setting covers both."""
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
    return ssl.create_default_context()


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
