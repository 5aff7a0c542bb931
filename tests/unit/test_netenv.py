"""The proxy the environment names for a URL, as requests reads it: the same answer as requests
for every spelling of the variables and every form of NO_PROXY."""

from __future__ import annotations

import pytest
import requests.utils

from sogni._transport.netenv import EnvironmentSettings, proxy_for

_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")

ENVIRONMENTS: list[dict[str, str]] = [
    {},
    {"http_proxy": "http://p:3128"},
    {"HTTP_PROXY": "http://upper:3128"},
    {"HTTP_PROXY": "http://upper:3128", "http_proxy": "http://lower:3128"},
    {"HTTPS_PROXY": "p.example:8080"},
    {"ALL_PROXY": "http://all:1080"},
    {"all_proxy": "http://all:1080", "https_proxy": "http://tls:3128"},
    {"http_proxy": "http://p:3128", "no_proxy": "*"},
    {"http_proxy": "http://p:3128", "NO_PROXY": "example.com"},
    {"http_proxy": "http://p:3128", "no_proxy": ".example.com, other.test"},
    {"http_proxy": "http://p:3128", "no_proxy": "api.example.com:8443"},
    {"http_proxy": "http://p:3128", "no_proxy": "10.0.0.0/8,192.168.1.7"},
    {"http_proxy": "http://p:3128", "no_proxy": "10.0.0.0/33,ample.com"},
    {"https_proxy": "http://user:pa%40ss@p:3128", "no_proxy": "localhost,127.0.0.1"},
    {"http_proxy": "http://p:3128", "no_proxy": "*, other.test"},
    {"http_proxy": "http://p:3128", "no_proxy": "EXAMPLE.COM"},
    {"HTTP_PROXY": "http://upper:3128", "http_proxy": ""},
]

URLS = [
    "http://example.com/x",
    "https://api.example.com:8443/v1/account/me",
    "https://api.example.com/v1/account/me",
    "http://sample.com/",
    "http://other.test:8080/a?b=c",
    "https://10.1.2.3/storage/put?sig=1",
    "http://192.168.1.7:9000/",
    "http://192.168.1.8:9000/",
    "http://localhost:8000/",
    "https://127.0.0.1:9/",
]


def _requests_choice(url: str) -> str | None:
    proxies = requests.utils.get_environ_proxies(url)
    chosen: str | None = requests.utils.select_proxy(url, proxies)
    return chosen


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=lambda e: ",".join(sorted(e)) or "-")
def test_the_proxy_for_a_url_is_the_one_requests_would_use(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in _NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("REQUEST_METHOD", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    for url in URLS:
        assert proxy_for(url) == _requests_choice(url), url


def test_settings_read_the_environment_once_per_host(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("https_proxy", "http://p:3128")
    settings = EnvironmentSettings()
    assert settings.proxy("https://a.example/x") == "http://p:3128"
    monkeypatch.setenv("no_proxy", "*")
    assert settings.proxy("https://a.example/y") == "http://p:3128"  # the host was read
    assert settings.proxy("https://b.example/") is None  # a new host reads it again
