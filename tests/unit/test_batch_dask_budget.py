"""The Dask runner's shared budget lives on the scheduler: it is closed however the run ends.
An executor stand-in runs the scheduler calls in this process (no cluster needed)."""

from __future__ import annotations

import threading
import types
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sogni.batch._dask import run_distributed
from sogni.batch._items import ItemSource


class _Executor:
    """What ``run_distributed`` uses of a ``distributed.Client``; ``gather`` fails."""

    def __init__(self) -> None:
        self.scheduler = types.SimpleNamespace()
        self.ops: list[str] = []

    def run_on_scheduler(self, fn: Callable[..., str], *args: Any) -> str:
        self.ops.append(args[0])
        return fn(*args, dask_scheduler=self.scheduler)

    def register_plugin(self, plugin: object, name: str) -> None:
        pass

    def submit(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("no partition to submit")

    def gather(self, futures: list[object]) -> list[object]:
        raise OSError("the scheduler went away")

    def budgets(self) -> dict[str, Any]:
        found: dict[str, Any] = self.scheduler.__dict__.get("_sogni_batch_budgets", {})
        return found


def test_the_scheduler_budget_is_closed_when_gather_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No futures to wait for; distributed's wait() would look for a live client.
    monkeypatch.setattr("sogni.batch._dask.dask_wait", lambda futures, timeout: None)
    executor = _Executor()
    with pytest.raises(OSError, match="went away"):
        run_distributed(
            executor,  # type: ignore[arg-type]
            ItemSource([]),
            0,
            out_dir=tmp_path,
            journal_dir=tmp_path / "journal",
            max_in_flight=2,
            spend_cap=Decimal(5),
            retries=0,
            progress=None,
            token_type="spark",
            stop=threading.Event(),
            partitions=None,
            client_factory=None,
        )
    assert executor.ops == ["open", "close"]
    assert executor.budgets() == {}
