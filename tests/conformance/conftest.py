"""Fixtures of the conformance suite: the official clients (built once), a fresh FakeSupernet
per test, and a launcher for scenario scripts. See README.md in this folder."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sogni.testing import FakeSupernet

from .harness import DEFAULT_DEADLINE, LANGUAGES, ScenarioProcess, StartScenario
from .oracles import OracleBuildError, Oracles, ensure_oracles

_HERE = Path(__file__).resolve().parent
_BUILT = pytest.StashKey[Oracles | OracleBuildError]()


def _is_ours(item: pytest.Item) -> bool:
    return _HERE in Path(str(item.path)).parents


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _is_ours(item):
            item.add_marker(pytest.mark.conformance)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Build the oracles before the first test runs, so a cold build (npm and pip downloads)
    is not charged to one test's pytest-timeout."""
    if session.config.option.collectonly or not any(_is_ours(i) for i in session.items):
        return
    started = time.monotonic()
    try:
        session.config.stash[_BUILT] = ensure_oracles()
    except OracleBuildError as exc:
        session.config.stash[_BUILT] = exc
    elapsed = time.monotonic() - started
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if elapsed > 1.0 and reporter is not None:
        reporter.write_line(f"conformance: official clients built in {elapsed:.1f}s")


@pytest.fixture(scope="session")
def oracles(pytestconfig: pytest.Config) -> Oracles:
    """Paths of the official clients. Fails (never skips) when they cannot be built."""
    built = pytestconfig.stash.get(_BUILT, None)
    if built is None:
        try:
            built = ensure_oracles()
        except OracleBuildError as exc:
            built = exc
        pytestconfig.stash[_BUILT] = built
    if isinstance(built, OracleBuildError):
        pytest.fail(f"the official clients could not be built:\n{built}", pytrace=False)
    return built


@pytest.fixture
def fake() -> Iterator[FakeSupernet]:
    with FakeSupernet(time_scale=0.01) as server:
        yield server


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    """Each test taking this runs once per official client: ``js`` (TypeScript SDK under Node)
    and ``py`` (Python SDK)."""
    value: str = request.param
    return value


@pytest.fixture
def start_scenario(oracles: Oracles, fake: FakeSupernet) -> Iterator[StartScenario]:
    """``start_scenario(language, name, args=None, stdin=None, deadline=40.0)`` launches
    ``scenarios/<language>/<name>`` against ``fake`` with a fresh ``app_id`` (``stdin``: text
    fed to the script's standard input, then closed); every scenario started is stopped after
    the test."""
    started: list[ScenarioProcess] = []

    def start(
        language: str,
        name: str,
        *,
        args: dict[str, Any] | None = None,
        stdin: str | None = None,
        deadline: float = DEFAULT_DEADLINE,
    ) -> ScenarioProcess:
        process = ScenarioProcess(
            oracles,
            language,
            name,
            rest_url=fake.rest_url,
            socket_url=fake.socket_url,
            api_key=fake.api_key,
            args=args,
            stdin=stdin,
            deadline=deadline,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
