"""Send every parity row through both SDKs against one FakeSupernet and collect what it received.

The TypeScript SDK runs all rows in one Node process (``scenarios/js/parity_create.cjs``, the
rows as JSON on stdin); ours runs them in this process meanwhile, with one client. Each project
is found in the fake's log by its id: the ``jobRequest`` frame text and the uploads.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sogni import SogniClient
from sogni.testing import FakeSupernet

from ..harness import ScenarioProcess
from ..oracles import Oracles
from .case import MediaRef, ParityCase
from .compare import (
    BODY_NORMALISATIONS,
    UPLOAD_NORMALISATIONS,
    compare_json,
    normalise,
    parse_frame_body,
    uploads_document,
)

__all__ = ["ParityRun", "SideResult", "run_parity", "side_problems"]

_SCENARIO = "parity_create"
_ARRIVAL_WAIT = 10.0
_ADMISSION_WAIT = 5.0


@dataclass
class SideResult:
    """What one SDK did with one row."""

    project_id: str | None = None
    error: str | None = None
    body: Any = None
    uploads: dict[str, Any] = field(default_factory=dict)
    admitted: bool = False


@dataclass
class ParityRun:
    ts: dict[str, SideResult]
    ours: dict[str, SideResult]

    def problems(self, case: ParityCase) -> list[str]:
        """Everything that keeps ``case`` from being identical on the wire, one line each."""
        return side_problems(case.name, self.ts[case.name], self.ours[case.name])


def side_problems(name: str, ts: SideResult, ours: SideResult) -> list[str]:
    """Everything that keeps the two sides of row ``name`` apart, one line each."""
    out = []
    for side, label in ((ts, "the TypeScript SDK"), (ours, "our SDK")):
        if side.error is not None:
            out.append(f"{name}: {label} did not send it: {side.error}")
        elif side.body is None:
            out.append(f"{name}: no jobRequest from {label} reached the fake")
        elif not side.admitted:
            out.append(f"{name}: the fake refused the project {label} sent")
    if ts.body is None or ours.body is None:
        return out
    assert ts.project_id is not None and ours.project_id is not None
    body_ts = normalise(ts.body, ts.project_id, BODY_NORMALISATIONS)
    body_ours = normalise(ours.body, ours.project_id, BODY_NORMALISATIONS)
    up_ts = normalise(ts.uploads, ts.project_id, UPLOAD_NORMALISATIONS)
    up_ours = normalise(ours.uploads, ours.project_id, UPLOAD_NORMALISATIONS)
    diffs = compare_json(body_ts, body_ours) + compare_json(up_ts, up_ours)
    out.extend(d.describe(name) for d in diffs)
    return out


def run_parity(
    fake: FakeSupernet, oracles: Oracles, cases: Sequence[ParityCase], workdir: Path
) -> ParityRun:
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError("parity rows need unique names")
    # Plenty of both currencies: the rows are priced like any render.
    fake.set_balance(Decimal(10**6), token_type="spark")
    fake.set_balance(Decimal(10**6), token_type="sogni")
    paths = _write_media(cases, workdir)
    sets = [{"name": c.name, "params": _ts_params(c, paths)} for c in cases]
    with ScenarioProcess(
        oracles,
        "js",
        _SCENARIO,
        rest_url=fake.rest_url,
        socket_url=fake.socket_url,
        api_key=fake.api_key,
        stdin=json.dumps(sets),
    ) as scenario:
        ours = _run_ours(fake, cases, paths)
        ts = {name: SideResult() for name in names}
        for record in scenario.result():
            side = ts[record["name"]]
            side.project_id = record.get("projectId")
            if record.get("error"):
                side.error = f"{record['error'].get('name')}: {record['error'].get('message')}"
    _collect(fake, [*ts.values(), *ours.values()])
    return ParityRun(ts=ts, ours=ours)


# ---------------------------------------------------------------------------- media


def _write_media(cases: Sequence[ParityCase], workdir: Path) -> dict[tuple[str, str], Path]:
    paths = {}
    for case in cases:
        for name, spec in case.media.items():
            paths[case.name, name] = spec.write(workdir, f"{case.name}-{name}")
    return paths


def _substitute(value: Any, replace: Callable[[MediaRef], Any]) -> Any:
    if isinstance(value, MediaRef):
        return replace(value)
    if isinstance(value, Mapping):
        return {k: _substitute(v, replace) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_substitute(v, replace) for v in value]
    return value


def _ts_params(case: ParityCase, paths: Mapping[tuple[str, str], Path]) -> Any:
    def replace(ref: MediaRef) -> dict[str, Any]:
        form = ref.form or "buffer"
        if form not in ("buffer", "blob"):
            raise ValueError(f"{case.name}: the TypeScript SDK takes media as buffer or blob")
        out: dict[str, Any] = {"$media": str(paths[case.name, ref.name])}
        if form == "blob":
            out.update({"as": "blob", "type": ref.blob_type or ""})
        return out

    return _substitute(case.ts_params, replace)


@contextlib.contextmanager
def _py_params(case: ParityCase, paths: Mapping[tuple[str, str], Path]) -> Iterator[dict[str, Any]]:
    opened: list[IO[bytes]] = []

    def replace(ref: MediaRef) -> Any:
        path = paths[case.name, ref.name]
        form = ref.form or "path"
        if form == "path":
            return path
        if form == "bytes":
            return path.read_bytes()
        if form == "file":
            stream = path.open("rb")
            opened.append(stream)
            return stream
        raise ValueError(f"{case.name}: our SDK takes media as path, bytes or file")

    try:
        params: dict[str, Any] = _substitute(case.py_params, replace)
        yield params
    finally:
        for stream in opened:
            stream.close()


# ---------------------------------------------------------------------------- our SDK


def _run_ours(
    fake: FakeSupernet, cases: Sequence[ParityCase], paths: Mapping[tuple[str, str], Path]
) -> dict[str, SideResult]:
    results = {}
    with SogniClient(
        app_id="parity-ours",
        api_key=fake.api_key,
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
    ) as client:
        for case in cases:
            side = results[case.name] = SideResult()
            try:
                with _py_params(case, paths) as params:
                    side.project_id = client.projects.create(**params).id
            except Exception as exc:  # reported per row, so one bad row hides no other
                side.error = f"{type(exc).__name__}: {exc}"
        # The request goes out on the transport thread; keep the client until the fake has it.
        _wait_for_requests(fake, {s.project_id for s in results.values() if s.project_id})
    return results


# ---------------------------------------------------------------------------- the fake's view


def _wait_for_requests(fake: FakeSupernet, project_ids: set[str]) -> None:
    """Until the fake logged a ``jobRequest`` for each id (a missing one is reported per row)."""
    with contextlib.suppress(TimeoutError):
        fake.received.wait_for(
            lambda r: (
                r.frame_type == "jobRequest" and (r.payload or {}).get("jobID") in project_ids
            ),
            count=len(project_ids),
            timeout=_ARRIVAL_WAIT,
        )


def _collect(fake: FakeSupernet, sides: Sequence[SideResult]) -> None:
    wanted = {s.project_id: s for s in sides if s.project_id is not None}
    # The Node process may exit before the server loop has logged its last frames.
    _wait_for_requests(fake, set(wanted))
    for record in fake.frames("jobRequest"):
        project_id = str((record.payload or {}).get("jobID"))
        side = wanted.get(project_id)
        if side is not None and record.raw is not None and not record.dropped:
            if side.body is not None:
                raise AssertionError(f"two jobRequest frames for project {project_id}")
            side.body = parse_frame_body(record.raw)
    # A refused request never becomes a project; give the fake a moment to admit the others.
    deadline = time.monotonic() + _ADMISSION_WAIT
    pending = {pid for pid, s in wanted.items() if s.body is not None}
    while True:
        known = {p["id"] for p in fake.projects_snapshot()}
        for pid in pending & known:
            wanted[pid].admitted = True
        pending -= known
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(0.01)
    for project_id, side in wanted.items():
        side.uploads = uploads_document(fake.uploads(project_id))
