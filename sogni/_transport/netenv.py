"""The per-call work of ``requests`` that REST calls skip: reading the environment, merging
session settings.

A ``requests.Session`` that trusts the environment reads it again for every call: it walks
``os.environ`` for ``*_proxy`` variables (more than once), matches the host against
``NO_PROXY``, looks for ``~/.netrc`` on disk and reads ``REQUESTS_CA_BUNDLE``. For a client
that makes thousands of calls that was a third of its CPU. So the client's sessions do not
trust the environment, and each call is given what ``requests`` would have found there, read
once per client (the CA bundle) and per scheme and host (the proxies). A redirect to another
host is resolved as ``requests`` resolves it. ``~/.netrc`` is not consulted: the SDK sends its
own credentials, and a netrc entry would have replaced them.

``Session.request`` also merges the session's headers, parameters, cookies, auth and hooks into
fresh dictionaries for every call (through a runtime ``Protocol`` check per setting). The
client's sessions set none of them but their headers, so :func:`prepare` builds the request
those merges would give and the call goes to ``Session.send``.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.utils
from requests.structures import CaseInsensitiveDict

from .tls import environment_ca_bundle

__all__ = ["EnvironmentSettings", "new_session", "prepare"]

# Hosts remembered per client: the api host, the socket host and a few storage hosts. Past
# this (a client that talks to many hosts) the cache starts over rather than grow.
_MAX_HOSTS = 64


class EnvironmentSettings:
    """The environment's proxies per scheme and host, and its CA bundle, read once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proxies: dict[str, dict[str, str]] = {}
        self._ca_bundle: str | None = None
        self._ca_read = False

    def proxies(self, url: str) -> dict[str, str]:
        """The proxies ``requests`` would take from the environment for ``url`` (``{}`` when
        ``NO_PROXY`` matches its host)."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}".lower()
        found = self._proxies.get(key)
        if found is None:
            found = dict(requests.utils.get_environ_proxies(url))
            with self._lock:
                if len(self._proxies) >= _MAX_HOSTS:
                    self._proxies.clear()
                self._proxies[key] = found
        return found

    def verify(self, verify: bool | str) -> bool | str:
        """``verify=True`` becomes ``REQUESTS_CA_BUNDLE`` (else ``CURL_CA_BUNDLE``) when set,
        as in ``requests``; an explicit bundle or ``False`` is kept."""
        if verify is not True:
            return verify
        if not self._ca_read:
            self._ca_bundle = environment_ca_bundle()
            self._ca_read = True
        return self._ca_bundle or True


class _Session(requests.Session):
    def rebuild_proxies(self, prepared_request: Any, proxies: Any) -> Any:
        # A redirect may lead to another host: read the environment for it, as requests does.
        self.trust_env = True
        try:
            return super().rebuild_proxies(prepared_request, proxies)  # type: ignore[no-untyped-call]
        finally:
            self.trust_env = False


def new_session() -> requests.Session:
    """A session that leaves the environment to :class:`EnvironmentSettings`."""
    session = _Session()
    session.trust_env = False
    return session


def prepare(
    session: requests.Session,
    method: str,
    url: str,
    *,
    params: Any = None,
    data: Any = None,
    headers: Any = None,
) -> requests.PreparedRequest:
    """The request ``session.request(method, url, ...)`` would send, for a session whose only
    settings are its headers and its cookie jar."""
    merged: CaseInsensitiveDict[str | bytes] = CaseInsensitiveDict(session.headers)
    if headers:
        merged.update(headers)
    prepared = requests.PreparedRequest()
    prepared.prepare(
        method=method.upper(),
        url=url,
        headers=merged,
        data=data or {},
        params=params or {},
        cookies=session.cookies,
    )
    return prepared
