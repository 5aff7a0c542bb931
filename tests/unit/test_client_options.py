"""The keyword settings of SogniClient (a TypedDict, so IDEs and mypy see them) are exactly the
fields of ClientConfig."""

from __future__ import annotations

import inspect
import ssl
import typing

import attrs

from sogni import ClientConfig, SogniClient
from sogni.config import ClientOptions, ClientSettings
from sogni_async import AsyncSogniClient


def test_client_options_are_the_config_fields() -> None:
    fields = {field.name for field in attrs.fields(ClientConfig)}
    # sogni.config names ssl only for type checkers: importing sogni does not load it.
    names = {"ssl": ssl}
    assert set(typing.get_type_hints(ClientSettings, localns=names)) == fields
    assert set(typing.get_type_hints(ClientOptions, localns=names)) == fields - {
        "app_id",
        "api_key",
    }


def test_constructors_take_them_as_typed_keywords() -> None:
    for fn in (
        SogniClient.__init__,
        SogniClient.from_env,
        AsyncSogniClient.__init__,
        AsyncSogniClient.from_env,
        ClientConfig.from_env,
    ):
        (keywords,) = [
            p for p in inspect.signature(fn).parameters.values() if p.kind is p.VAR_KEYWORD
        ]
        assert keywords.annotation == "Unpack[ClientOptions]", fn


def test_every_option_reaches_the_config() -> None:
    with SogniClient(
        app_id="opts", api_key="sk-opts", auto_connect=False, max_connections=3, testnet=True
    ) as client:
        assert client.config.max_connections == 3
        assert client.config.testnet is True
        assert client.config.app_id == "opts"
