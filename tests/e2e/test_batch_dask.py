"""``sogni.batch.run`` on a Dask ``LocalCluster`` (two worker processes) against a fake in its
own process: one merged report, partition journals, the shared spend cap, no credential in
any task, and a worker killed mid-run. One cluster serves the module; the kill test starts
its own."""

from __future__ import annotations

import collections
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from distributed import Client, LocalCluster
from distributed import client as dask_client_module
from distributed.protocol import pickle as dask_pickle

from sogni import batch
from sogni.batch._dask import partition_of
from sogni.batch._fault import FAULT_ENV

from ..helpers import FakeProcess, fast_worker_client

CANARY = "sk-canary-7d1f0e9a4b2c"
MODEL = "flux1-schnell-fp8"


def cluster() -> LocalCluster:
    return LocalCluster(
        processes=True,
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        # The scheduler serves HTTP even without a dashboard, on 8787 unless told otherwise:
        # with two clusters up at once (the kill test's and the module's), the second warned.
        dashboard_address="127.0.0.1:0",
        scheduler_kwargs={"dashboard": False},
    )


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProcess]:
    server = FakeProcess(api_key=CANARY, time_scale=0.01)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def dask_client(fake: FakeProcess) -> Iterator[Client]:
    # The workers inherit this environment: their clients come from SOGNI_* variables.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOGNI_API_KEY", fake.api_key)
        env.setenv("SOGNI_REST_ENDPOINT", fake.rest_url)
        env.setenv("SOGNI_SOCKET_ENDPOINT", fake.socket_url)
        env.delenv(FAULT_ENV, raising=False)
        with cluster() as local, Client(local) as client:
            yield client


def items(prefix: str, count: int) -> list[dict[str, Any]]:
    return [
        {"model_id": MODEL, "positive_prompt": f"{prefix} {n}", "steps": 4, "seed": n}
        for n in range(count)
    ]


def control(fake: FakeProcess, what: str) -> Any:
    return requests.get(f"{fake.rest_url}/_fake/{what}", timeout=10).json()


def projects_of(fake: FakeProcess, prefix: str) -> dict[str, dict[str, Any]]:
    rows = control(fake, "projects")["projects"]
    return {p["id"]: p for p in rows if p["prompt"].startswith(prefix + " ")}


def check_each_item_paid_once(fake: FakeProcess, prefix: str, count: int) -> None:
    mine = projects_of(fake, prefix)
    sent = [r["job_id"] for r in control(fake, "job-requests")["job_requests"]]
    mine_sent = [job_id for job_id in sent if job_id in mine]
    assert len(mine_sent) == len(set(mine_sent)) == count  # zero duplicate project ids
    charges = collections.Counter(
        e["ref"] for e in control(fake, "ledger")["entries"] if e["kind"] == "charge"
    )
    charged = {ref: n for ref, n in charges.items() if ref in mine}
    assert set(charged.values()) == {1} and len(charged) == count
    assert sorted(mine[ref]["prompt"] for ref in charged) == sorted(
        f"{prefix} {n}" for n in range(count)
    )


def test_a_cluster_runs_the_batch_and_merges_one_report(
    fake: FakeProcess, dask_client: Client, tmp_path: Path
) -> None:
    seen: list[int] = []
    report = batch.run(
        None,
        items("merged", 12),
        out_dir=tmp_path,
        executor=dask_client,
        partitions=4,
        max_in_flight=3,
        progress=lambda p: seen.append(p.completed),
        client_factory=fast_worker_client,
    )
    assert (report.total, report.completed, report.failed) == (12, 12, ())
    journals = sorted((tmp_path / "journal").glob("part-*.jsonl"))
    # One journal per partition that has items (a hash of the key picks the partition).
    assert len(journals) >= 2
    assert {j.name for j in journals} <= {f"part-{i:05d}.jsonl" for i in range(4)}
    assert sorted(report.journals) == journals
    for journal in journals:
        index = int(journal.stem.split("-")[1])
        for line in journal.read_text().splitlines():
            record = json.loads(line)
            if "key" in record:
                assert partition_of(record["key"], 4) == index
    apps = {record["app_id"] for j in journals for record in map(json.loads, j.read_text().splitlines()) if record["event"] == "run"}  # fmt: skip
    assert all(app.startswith("sogni-batch-test-") for app in apps)  # made by the factory
    assert seen and seen[-1] == 12
    assert len(list(report.results())) == 12
    check_each_item_paid_once(fake, "merged", 12)
    # A rerun finds every item done in its partition's journal.
    again = batch.run(
        None,
        items("merged", 12),
        out_dir=tmp_path,
        executor=dask_client,
        client_factory=fast_worker_client,
    )
    assert (again.completed, again.completed_this_run) == (12, 0)


def test_no_credential_travels_in_a_task(
    fake: FakeProcess, dask_client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert os.environ["SOGNI_API_KEY"] == CANARY  # the caller could leak it: it has it
    pickled: list[bytes] = []
    original = dask_pickle.dumps

    def recording(*args: Any, **kwargs: Any) -> Any:
        data = original(*args, **kwargs)
        pickled.append(bytes(data))
        return data

    # Graphs go through the pickle serializer; plugins and scheduler calls through the
    # client module's own reference to the same function.
    monkeypatch.setattr(dask_pickle, "dumps", recording)
    monkeypatch.setattr(dask_client_module, "dumps", recording)
    report = batch.run(
        None, items("canary", 6), out_dir=tmp_path, executor=dask_client, partitions=2
    )
    assert report.completed == 6
    tasks = [blob for blob in pickled if b"_run_partition" in blob]
    assert len(tasks) >= 1  # the tasks were seen as they were pickled
    assert any(b"SogniWorkerPlugin" in blob for blob in pickled)
    assert any(b"_budget_op" in blob for blob in pickled)
    for blob in pickled:
        assert CANARY.encode() not in blob


def test_the_spend_cap_holds_across_the_cluster(
    fake: FakeProcess, dask_client: Client, tmp_path: Path
) -> None:
    quote = Decimal("0.04")  # one flux1-schnell 4-step image on the fake, in Spark
    cap = quote * 7 + quote / 2
    report = batch.run(
        None,
        items("capped", 12),
        out_dir=tmp_path,
        executor=dask_client,
        partitions=4,
        max_in_flight=2,
        spend_cap=cap,
    )
    assert report.stopped == "spend_cap"
    assert report.completed == 7 and len(report.unsubmitted) == 5
    assert report.spent == quote * 7
    mine = projects_of(fake, "capped")
    committed = peak = Decimal(0)
    for entry in control(fake, "ledger")["entries"]:
        if entry["ref"] not in mine:
            continue
        sign = -1 if entry["kind"] == "release" else 1
        committed += sign * Decimal(entry["amount"])
        peak = max(peak, committed)
    assert 0 < peak <= cap


def test_a_worker_killed_mid_run_loses_nothing_and_pays_nothing_twice(
    fake: FakeProcess, tmp_path: Path
) -> None:
    once = tmp_path / "killed-once"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOGNI_API_KEY", fake.api_key)
        env.setenv("SOGNI_REST_ENDPOINT", fake.rest_url)
        env.setenv("SOGNI_SOCKET_ENDPOINT", fake.socket_url)
        env.setenv(FAULT_ENV, f"completed:2:{once}")  # the first worker to get there dies
        with cluster() as local, Client(local) as client:
            report = batch.run(
                None,
                items("killed", 12),
                out_dir=tmp_path / "out",
                executor=client,
                partitions=4,
                max_in_flight=2,
                client_factory=fast_worker_client,
            )
    assert once.exists()  # a worker was killed
    assert (report.completed, report.failed) == (12, ())
    check_each_item_paid_once(fake, "killed", 12)
    runs = [
        sum(1 for line in j.read_text().splitlines() if json.loads(line)["event"] == "run")
        for j in (tmp_path / "out" / "journal").glob("part-*.jsonl")
    ]
    assert max(runs) >= 2  # the dead worker's partition was resumed from its journal
