"""Parity one row at a time, for generated rows: :class:`LiveParity` keeps one TypeScript SDK
process (``scenarios/js/parity_serve.cjs``) and one client of ours open against one FakeSupernet
and sends each row through both when asked, so that Hypothesis can generate, check and shrink
rows one by one.

The fake's balances are zero: it logs each ``jobRequest`` and then refuses the project for want
of funds, so nothing renders and a long run costs no more than its requests. Rows are compared
exactly as :mod:`run` compares the table rows (bodies parsed from the frame text the fake
received, uploads by slot), except that admission is not asked for, and that a row both SDKs
refuse agrees (generated rows may go past a limit on purpose).
"""

from __future__ import annotations

import contextlib
import itertools
from decimal import Decimal
from pathlib import Path

from sogni import SogniClient
from sogni.testing import FakeSupernet

from ..harness import ScenarioProcess
from ..oracles import Oracles
from .case import MediaFile, ParityCase
from .compare import parse_frame_body, uploads_document
from .js_rule_cases import add_extra_models
from .run import SideResult, _py_params, _ts_params, side_problems

__all__ = ["LiveParity"]

_SCENARIO = "parity_serve"
_ARRIVAL_WAIT = 10.0
# One process serves a whole Hypothesis run: its deadline is the test's, not one row's.
_DEADLINE = 55.0


class LiveParity:
    """Both SDKs, ready to send one row at a time. Use as a context manager."""

    def __init__(self, fake: FakeSupernet, oracles: Oracles, workdir: Path) -> None:
        self.fake = fake
        self.workdir = workdir
        self._seq = itertools.count()
        self._media: dict[MediaFile, Path] = {}
        self.rows = 0
        self.sent = 0
        add_extra_models(fake)
        fake.set_balance(Decimal(0), token_type="spark")
        fake.set_balance(Decimal(0), token_type="sogni")
        self._stack = contextlib.ExitStack()
        self._ts = self._stack.enter_context(
            ScenarioProcess(
                oracles,
                "js",
                _SCENARIO,
                rest_url=fake.rest_url,
                socket_url=fake.socket_url,
                api_key=fake.api_key,
                interactive=True,
                deadline=_DEADLINE,
            )
        )
        self._client = self._stack.enter_context(
            SogniClient(
                app_id="parity-live",
                api_key=fake.api_key,
                rest_endpoint=fake.rest_url,
                socket_endpoint=fake.socket_url,
            )
        )
        self._ts.wait_for_event("READY")

    def __enter__(self) -> LiveParity:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def problems(self, case: ParityCase) -> list[str]:
        """Send ``case`` through both SDKs; every difference on the wire, one line each."""
        self.rows += 1
        paths = {(case.name, name): self._file(spec) for name, spec in case.media.items()}
        ts, ours = SideResult(), SideResult()
        seq = next(self._seq)
        start = len(self._ts.records)
        self._ts.send({"seq": seq, "params": _ts_params(case, paths)})
        try:
            with _py_params(case, paths) as params:
                ours.project_id = self._client.projects.create(**params).id
        except Exception as exc:  # reported as a difference, like any other
            ours.error = f"{type(exc).__name__}: {exc}"
        record = self._ts.wait_for_record(
            lambda r: r.get("event") == "created" and r.get("seq") == seq,
            f"the result of row {seq}",
            start=start,
        )
        ts.project_id = record.get("projectId")
        if record.get("error"):
            ts.error = f"{record['error'].get('name')}: {record['error'].get('message')}"
        if ts.error is not None and ours.error is not None:
            return []  # both refused it
        self._collect([ts, ours])
        if ts.body is not None and ours.body is not None:
            self.sent += 1
        return side_problems(case.name, ts, ours)

    def _file(self, spec: MediaFile) -> Path:
        path = self._media.get(spec)
        if path is None:
            path = self._media[spec] = spec.write(self.workdir, f"media{len(self._media)}")
        return path

    def _collect(self, sides: list[SideResult]) -> None:
        wanted = {s.project_id: s for s in sides if s.project_id is not None}
        if wanted:
            with contextlib.suppress(TimeoutError):  # a missing one is reported per side
                self.fake.received.wait_for(
                    lambda r: (
                        r.kind == "frame"
                        and r.frame_type == "jobRequest"
                        and (r.payload or {}).get("jobID") in wanted
                    ),
                    count=len(wanted),
                    timeout=_ARRIVAL_WAIT,
                )
        for record in self.fake.frames("jobRequest"):
            side = wanted.get(str((record.payload or {}).get("jobID")))
            if side is not None and record.raw is not None:
                side.body = parse_frame_body(record.raw)
                side.admitted = True  # refused on purpose (no funds): only the body counts
        for project_id, side in wanted.items():
            side.uploads = uploads_document(self.fake.uploads(project_id))
        # Each row starts from an empty log, so finding its frames stays cheap.
        self.fake.received.clear()
