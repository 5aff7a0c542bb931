"""Import cost, configuration and the public surface."""

from __future__ import annotations

import ast
import configparser
import json
import subprocess
import sys
from pathlib import Path

import pytest

import sogni
from sogni import ClientConfig, Timeouts, ValidationError, worker_app_id


def test_import_sogni_loads_no_network_stack() -> None:
    code = (
        "import sys, json, sogni, sogni.errors, sogni.config;"
        "print(json.dumps([m for m in ('requests','websocket','cattrs','urllib3')"
        " if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_importing_the_client_class_loads_no_network_stack() -> None:
    # What every script does first: the stacks load when a client is created, not here.
    code = (
        "import sys, json; from sogni import SogniClient;"
        "print(json.dumps([m for m in ('requests','websocket','cattrs','urllib3','ssl')"
        " if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_no_module_of_the_sdk_imports_websocket_client() -> None:
    # The socket speaks RFC 6455 itself (sogni/_transport/wsframe.py): websocket-client is a
    # test dependency only, and not one of the package's requirements.
    root = Path(sogni.__file__).parent
    importers = []
    for path in [*root.rglob("*.py"), *(root.parent / "sogni_async").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            if any(n == "websocket" or n.startswith("websocket.") for n in names):
                importers.append(str(path.relative_to(root.parent)))
    assert importers == []
    config = configparser.ConfigParser()
    config.read(root.parent / "setup.cfg")
    requirements = config["options"]["install_requires"].split()
    assert not [r for r in requirements if r.startswith("websocket")]


def test_importing_testing_and_plugin_needs_no_extra() -> None:
    code = (
        "import sys, json, sogni.testing, sogni.testing.pytest_plugin;"
        "print(json.dumps([m for m in ('aiohttp','PIL','eth_account') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_public_surface_is_curated() -> None:
    assert "SogniClient" in sogni.__all__
    for name in sogni.__all__:
        assert getattr(sogni, name) is not None
    assert not [n for n in sogni.__all__ if n.startswith("_") and n != "__version__"]


def test_from_env_reads_the_documented_variables() -> None:
    config = ClientConfig.from_env(
        {
            "SOGNI_API_KEY": " sk-env-1234 ",
            "SOGNI_APP_ID": "env-app",
            "SOGNI_REST_ENDPOINT": "https://rest.example.test",
            "SOGNI_SOCKET_ENDPOINT": "wss://socket.example.test",
            "SOGNI_NETWORK": "relaxed",
        }
    )
    assert config.api_key is not None and config.api_key.reveal() == "sk-env-1234"
    assert (config.app_id, config.network) == ("env-app", "relaxed")
    assert config.rest_endpoint == "https://rest.example.test"
    assert config.socket_rest_endpoint == "https://socket.example.test"


def test_config_is_frozen_and_with_options_copies() -> None:
    config = ClientConfig(app_id="a")
    other = config.with_options(timeout=3, max_retries=0)
    assert (other.timeouts.rest, other.timeouts.rest_total, other.retry.max_attempts) == (3, 3, 1)
    assert config.timeouts.rest == 30 and config.retry.max_attempts == 3
    with pytest.raises(AttributeError):
        config.app_id = "b"  # type: ignore[misc]


def test_every_problem_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        ClientConfig(network="turbo", rest_endpoint="ftp://x", socket_endpoint="ws://example.com")  # type: ignore[arg-type]
    assert set(info.value.params) == {"network", "rest_endpoint", "socket_endpoint"}


def test_insecure_schemes_only_for_loopback() -> None:
    ClientConfig(rest_endpoint="http://127.0.0.1:9", socket_endpoint="ws://localhost:9")
    ClientConfig(rest_endpoint="http://example.com", allow_insecure=True)
    with pytest.raises(ValidationError):
        ClientConfig(rest_endpoint="http://example.com")


def test_secrets_never_in_repr() -> None:
    config = ClientConfig(api_key="sk-canary-0123456789")
    assert "canary" not in repr(config) and "canary" not in str(config.api_key)


def test_timeouts_are_positive_and_scalable() -> None:
    with pytest.raises(ValueError):
        Timeouts(send_ready=0)
    assert Timeouts().scaled(0.01).cancel_confirmation == pytest.approx(1.2)


def test_worker_app_id_is_stable_per_process() -> None:
    assert worker_app_id("web", pid=42) == "web-42"
    assert worker_app_id("web") == worker_app_id("web")
