"""What a batch run hands back: :class:`BatchReport`, its parts, and :class:`BatchProgress`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ._journal import read_records

__all__ = ["BatchProgress", "BatchReport", "ItemFailure", "ItemResult", "ResultFile"]


@attrs.frozen
class ItemFailure:
    """An item whose last attempt failed: the error's class name and message, and whether
    a rerun would try it again (``retryable`` and attempts left)."""

    key: str
    project_id: str | None
    error: str
    message: str
    retryable: bool


@attrs.frozen
class ResultFile:
    """One result file of a completed item."""

    path: Path
    size: int
    sha256: str


@attrs.frozen
class ItemResult:
    """A completed item, as its journal records it."""

    key: str
    project_id: str
    type: str
    prompt: str
    files: tuple[ResultFile, ...]
    cost_actual: Decimal | None


@attrs.frozen
class BatchProgress:
    """A snapshot for the ``progress`` callback (called on the thread that called ``run``)."""

    total: int
    completed: int
    failed: int
    in_flight: int
    unsubmitted: int
    spent: Decimal
    token_type: str
    elapsed: float
    eta_seconds: float | None


@attrs.frozen
class BatchReport:
    """The outcome of a batch, all runs of its journal counted.

    ``completed`` counts items done (``completed_this_run`` of them by this run); ``failed``
    lists items whose last attempt failed; ``unsubmitted`` lists the keys of items never sent
    because the run stopped (``stopped`` says why: ``"spend_cap"`` or ``"stopped"``).
    ``spent`` is the sum of the projects' ``costActual`` in ``token_type``. Per-item results
    stay on disk: :meth:`results` reads them from the journal(s).
    """

    total: int
    completed: int
    completed_this_run: int
    failed: tuple[ItemFailure, ...]
    unsubmitted: tuple[str, ...]
    spent: Decimal
    token_type: str
    spend_cap: Decimal | None
    stopped: str | None
    out_dir: Path
    journals: tuple[Path, ...]
    elapsed: float

    @property
    def ok(self) -> bool:
        """Every item completed."""
        return self.completed == self.total

    def results(self) -> Iterator[ItemResult]:
        """Every completed item, read from the journal(s) as they are iterated."""
        for journal in self.journals:
            for record in read_records(journal):
                if record.get("event") != "completed":
                    continue
                cost = record.get("cost_actual")
                yield ItemResult(
                    key=str(record.get("key")),
                    project_id=str(record.get("project_id")),
                    type=str(record.get("type") or "image"),
                    prompt=str(record.get("prompt") or ""),
                    files=tuple(
                        ResultFile(self.out_dir / str(f["path"]), int(f["size"]), str(f["sha256"]))
                        for f in record.get("files") or ()
                        if isinstance(f, dict)
                    ),
                    cost_actual=Decimal(str(cost)) if cost is not None else None,
                )


def merge_reports(reports: Sequence[BatchReport], *, elapsed: float) -> BatchReport:
    """One report for the partitions of a distributed batch."""
    first = reports[0]
    stopped = next((r.stopped for r in reports if r.stopped == "spend_cap"), None)
    stopped = stopped or next((r.stopped for r in reports if r.stopped), None)
    return BatchReport(
        total=sum(r.total for r in reports),
        completed=sum(r.completed for r in reports),
        completed_this_run=sum(r.completed_this_run for r in reports),
        failed=tuple(f for r in reports for f in r.failed),
        unsubmitted=tuple(k for r in reports for k in r.unsubmitted),
        spent=sum((r.spent for r in reports), Decimal(0)),
        token_type=first.token_type,
        spend_cap=first.spend_cap,
        stopped=stopped,
        out_dir=first.out_dir,
        journals=tuple(j for r in reports for j in r.journals),
        elapsed=elapsed,
    )


def as_dict(report: BatchReport) -> dict[str, Any]:
    """The report as JSON values (the CLI prints it)."""
    return {
        "total": report.total,
        "completed": report.completed,
        "completed_this_run": report.completed_this_run,
        "failed": [attrs.asdict(f) for f in report.failed],
        "unsubmitted": list(report.unsubmitted),
        "spent": str(report.spent),
        "token_type": report.token_type,
        "spend_cap": None if report.spend_cap is None else str(report.spend_cap),
        "stopped": report.stopped,
        "out_dir": str(report.out_dir),
        "journals": [str(j) for j in report.journals],
        "elapsed": round(report.elapsed, 3),
    }
