"""What the environment says about the network, read once per client (and per host), with the
meaning ``requests`` gives it, so that a deployment configured for ``requests`` keeps working.

* Proxies: ``<scheme>_proxy`` and ``all_proxy`` (lower case wins over upper case, an empty
  value removes the upper-case one), a proxy without a scheme being ``http://``; ``no_proxy``
  (else ``NO_PROXY``) keeps hosts off the proxy: ``*``, host names and the domains under them
  (``example.com`` covers ``api.example.com``, not ``sample.com``), ``host:port``, and for an
  IPv4 host its address or a CIDR range.
* The CA bundle: ``REQUESTS_CA_BUNDLE``, else ``CURL_CA_BUNDLE``.

Reading it per call cost a third of a call's CPU; a client reads it once per scheme and host.
``~/.netrc`` is not consulted: the SDK sends its own credentials.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from urllib.parse import urlsplit

from .tls import environment_ca_bundle

__all__ = ["EnvironmentSettings", "environment_proxies", "proxy_for"]

# Hosts remembered per client: the api host, the socket host and a few storage hosts. Past
# this (a client that talks to many hosts) the cache starts over rather than grow.
_MAX_HOSTS = 64


def environment_proxies(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{scheme: proxy URL}`` from ``*_proxy`` variables (``no`` holds ``no_proxy``)."""
    env = os.environ if environ is None else environ
    proxies: dict[str, str] = {}
    for name, value in env.items():
        lowered = name.lower()
        if value and lowered.endswith("_proxy"):
            proxies[lowered[:-6]] = value
    # A CGI script must not take HTTP_PROXY from a request header (httpoxy).
    if "REQUEST_METHOD" in env:
        proxies.pop("http", None)
    for name, value in env.items():
        if name.endswith("_proxy"):  # the lower-case spelling wins, even empty
            if value:
                proxies[name.lower()[:-6]] = value
            else:
                proxies.pop(name.lower()[:-6], None)
    return proxies


def _bypass(url: str, no_proxy: str | None) -> bool:
    parts = urlsplit(url)
    hostname = parts.hostname
    if hostname is None:
        return True
    if not no_proxy:
        return False
    if no_proxy == "*":
        return True
    entries = [e for e in no_proxy.replace(" ", "").split(",") if e]
    if _is_ipv4(hostname):
        for entry in entries:
            if _is_cidr(entry):
                if _in_network(hostname, entry):
                    return True
            elif hostname == entry:
                return True
    else:
        with_port = f"{hostname}:{parts.port}" if parts.port else hostname
        for entry in entries:
            name = entry.lstrip(".")
            if name in (hostname, with_port):
                return True
            if hostname.endswith("." + name) or with_port.endswith("." + name):
                return True
    # What urllib adds (requests asks it too): the same suffixes, without case.
    host = hostname.lower()
    for entry in no_proxy.split(","):
        name = entry.strip().lstrip(".").lower()
        if name and (host == name or host.endswith("." + name)):
            return True
    return False


def _is_ipv4(host: str) -> bool:
    pieces = host.split(".")
    return len(pieces) == 4 and all(p.isdigit() and int(p) <= 255 for p in pieces)


def _is_cidr(entry: str) -> bool:
    address, slash, mask = entry.partition("/")
    return bool(slash) and mask.isdigit() and 1 <= int(mask) <= 32 and _is_ipv4(address)


def _in_network(address: str, cidr: str) -> bool:
    import ipaddress

    network = ipaddress.IPv4Network(cidr, strict=False)
    return ipaddress.IPv4Address(address) in network


def proxy_for(url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The proxy ``requests`` would use for ``url`` from the environment (None: go direct)."""
    env = os.environ if environ is None else environ
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY")
    if _bypass(url, no_proxy):
        return None
    proxies = environment_proxies(env)
    if "no" in proxies and _bypass(url, proxies["no"]):
        return None
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    for key in (f"{scheme}://{host}", scheme, f"all://{host}", "all"):
        found = proxies.get(key)
        if found:
            return found
    return None


class EnvironmentSettings:
    """The environment's proxy per scheme and host, and its CA bundle, read once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proxies: dict[str, str | None] = {}
        self._ca_bundle: str | None = None
        self._ca_read = False

    def proxy(self, url: str) -> str | None:
        """The proxy URL for ``url`` (None when there is none or ``NO_PROXY`` matches)."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}".lower()
        try:
            return self._proxies[key]
        except KeyError:
            pass
        found = proxy_for(url)
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
