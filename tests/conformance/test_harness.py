"""The harness itself: a scenario that never ends is killed at its deadline together with
everything in its process group, and the failure carries the scenario's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import ScenarioFailed, StartScenario


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie waits for its new parent to reap it, but runs no more


def test_stuck_scenario_is_killed_with_its_process_group(start_scenario: StartScenario) -> None:
    with start_scenario("py", "harness_stuck", deadline=1.5) as scenario:
        grandchild = scenario.wait_for_event("child")["pid"]
        assert _alive(grandchild)
        with pytest.raises(ScenarioFailed, match=r"killed at its 1\.5s deadline") as failure:
            scenario.result()
    assert '"event": "child"' in str(failure.value)
    assert not _alive(grandchild)
