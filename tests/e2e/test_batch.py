"""``sogni.batch.run`` on one machine, against the fake over loopback: items, journal, spend
cap, retries, stop, and the async twin."""

from __future__ import annotations

import asyncio
import collections
import hashlib
import io
import json
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from sogni import JournalLockedError, SogniClient, ValidationError, batch
from sogni.batch._journal import Journal
from sogni.testing import FakeSupernet, read_image_metadata
from sogni_async import AsyncSogniClient

from ..helpers import FAST

MODEL = "flux1-schnell-fp8"


def image_items(count: int, prefix: str = "item") -> list[dict[str, object]]:
    return [
        {"model_id": MODEL, "positive_prompt": f"{prefix} {n}", "steps": 4, "seed": n}
        for n in range(count)
    ]


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def records(journal: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in journal.read_text().splitlines()]


def max_concurrent_holds(fake: FakeSupernet) -> int:
    """The most renders the fake held money for at once (from its ledger)."""
    live = peak = 0
    for entry in fake.ledger():
        if entry.kind == "hold":
            live += 1
            peak = max(peak, live)
        elif entry.kind == "release":
            live -= 1
    return peak


def test_500_items_at_32_in_flight_one_record_per_event(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    client = make_client()
    seen_in_flight: list[int] = []
    threads: set[int] = set()

    def progress(p: batch.BatchProgress) -> None:
        seen_in_flight.append(p.in_flight)
        threads.add(threading.get_ident())

    report = batch.run(
        client, image_items(500), out_dir=tmp_path, max_in_flight=32, progress=progress
    )
    assert threads == {threading.get_ident()}  # user code runs on the caller's thread
    assert (report.total, report.completed, report.failed, report.unsubmitted) == (
        500,
        500,
        (),
        (),
    ), report.failed[:3]
    log = records(tmp_path / "journal.jsonl")
    events = collections.Counter(str(r["event"]) for r in log)
    assert events == {"run": 1, "submitting": 500, "completed": 500}
    per_key = collections.Counter((r["event"], r["key"]) for r in log if r["event"] != "run")
    assert set(per_key.values()) == {1}
    sent = [f.payload["jobID"] for f in fake.frames("jobRequest")]
    assert len(sent) == len(set(sent)) == 500
    assert sorted(sent) == sorted(str(r["project_id"]) for r in log if r["event"] == "submitting")
    assert 1 < max(seen_in_flight) <= 32
    assert max_concurrent_holds(fake) <= 32
    charged = {e.ref: e.amount for e in fake.ledger() if e.kind == "charge"}
    assert report.spent == sum(charged.values()) > 0
    results = list(report.results())
    assert len(results) == 500
    for result in results:
        [file] = result.files
        data = file.path.read_bytes()
        assert len(data) == file.size and hashlib.sha256(data).hexdigest() == file.sha256
        assert read_image_metadata(data)["project_id"] == result.project_id
        assert result.cost_actual == charged[result.project_id]
    assert not list(tmp_path.glob(".*.part"))


def test_a_rerun_recognises_every_item_and_sends_nothing(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    client = make_client()
    items = image_items(6)
    first = batch.run(client, items, out_dir=tmp_path, max_in_flight=3)
    assert first.completed_this_run == 6
    again = batch.run(client, image_items(6), out_dir=tmp_path, max_in_flight=3)
    assert (again.completed, again.completed_this_run) == (6, 0)
    assert len(fake.frames("jobRequest")) == 6
    # Derived keys include the row; given keys survive a reordering of the input.
    keyed = [{**item, "key": f"k{n}"} for n, item in enumerate(items)]
    batch.run(client, keyed, out_dir=tmp_path / "keyed", max_in_flight=3)
    reordered = batch.run(client, keyed[::-1], out_dir=tmp_path / "keyed", max_in_flight=3)
    assert (reordered.completed, reordered.completed_this_run) == (6, 0)
    assert len(fake.frames("jobRequest")) == 12


def test_csv_cells_are_converted_by_the_parameter_types(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    csv_file = tmp_path / "items.csv"
    csv_file.write_text(
        "key,model_id,positive_prompt,steps,guidance,seed,number_of_media,disable_nsfw_filter\n"
        f"fox,{MODEL},a fox,4,1.5,7,2,yes\n"
        f"owl,{MODEL},an owl,,,,1,\n"
    )
    report = batch.run(make_client(), csv_file, out_dir=tmp_path / "out")
    assert report.completed == 2
    requests = {f.payload["keyFrames"][0]["positivePrompt"]: f.payload for f in fake.frames("jobRequest")}  # fmt: skip
    fox = requests["a fox"]
    assert fox["numberOfImages"] == 2 and fox["disableSafety"] is True
    assert fox["keyFrames"][0]["steps"] == 4 and fox["keyFrames"][0]["seed"] == 7
    assert fox["keyFrames"][0]["guidanceScale"] == 1.5
    assert fox["tokenType"] == "spark"
    results = {r.key: r for r in report.results()}
    assert len(results["fox"].files) == 2 and len(results["owl"].files) == 1


def test_every_bad_cell_is_reported_by_row_and_column_before_anything_is_sent(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(
        "model_id,positive_prompt,steps,seed,guidnce,starting_image\n"
        f"{MODEL},fine,4,1,,\n"
        f"{MODEL},bad steps,four,2,,\n"
        f"{MODEL},bad seed and steps,999,x,,\n"
        f"{MODEL},typo,4,3,1.5,\n"
        f"{MODEL},media,4,4,,../../etc/passwd\n"
    )
    with pytest.raises(ValidationError) as caught:
        batch.run(make_client(), csv_file, out_dir=tmp_path / "out")
    problems = {p.param: p.message for p in caught.value.problems}
    assert set(problems) == {
        "row 2: steps",
        "row 3: seed",
        "column guidnce",
        "row 5: starting_image",
    }
    assert "'four' is not an integer" in problems["row 2: steps"]
    assert "did you mean 'guidance'" in problems["column guidnce"]
    assert "media_root" in problems["row 5: starting_image"]
    assert fake.frames("jobRequest") == []
    assert not (tmp_path / "out" / "journal.jsonl").exists()
    # With the cells fixed, the range check (steps 999) is still found before anything is sent.
    csv_file.write_text(f"model_id,positive_prompt,steps\n{MODEL},too many,999\n")
    with pytest.raises(ValidationError) as ranged:
        batch.run(make_client(), csv_file, out_dir=tmp_path / "out")
    assert [p.param for p in ranged.value.problems] == ["row 1: steps"]
    assert fake.frames("jobRequest") == []


def test_media_cells_are_read_only_under_media_root(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "start.png").write_bytes(png())
    (tmp_path / "secret.png").write_bytes(png())
    lines = [
        {"model_id": MODEL, "positive_prompt": "edit", "starting_image": "start.png", "steps": 4},
        {"model_id": MODEL, "positive_prompt": "escape", "starting_image": "../secret.png"},
    ]
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.raises(ValidationError) as caught:
        batch.run(make_client(), jsonl, out_dir=tmp_path / "out", media_root=media)
    assert [p.param for p in caught.value.problems] == ["row 2: starting_image"]
    jsonl.write_text(json.dumps(lines[0]) + "\n")
    report = batch.run(make_client(), jsonl, out_dir=tmp_path / "out", media_root=media)
    assert report.completed == 1
    assert len(fake.uploads()) == 1


def test_a_dataframe_is_a_batch(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    frame = pd.DataFrame(
        {
            "model_id": [MODEL] * 3,
            "positive_prompt": ["one", "two", "three"],
            "steps": [4, 4, None],  # a missing cell makes the column float: 4.0 is still 4
            "seed": [1, 2, 3],
        }
    )
    report = batch.run(make_client(), frame, out_dir=tmp_path, max_in_flight=2)
    assert report.completed == 3
    steps = sorted(f.payload["keyFrames"][0].get("steps", 0) for f in fake.frames("jobRequest"))
    assert steps[1:] == [4, 4]


def test_a_spend_cap_below_the_estimate_is_never_crossed(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    client = make_client()
    items = image_items(20)
    quote = batch.estimate(client, items)
    assert quote.items == 20 and quote.quotes == 1 and quote.token_type == "spark"
    cap = quote.total * Decimal("0.42")
    report = batch.run(client, items, out_dir=tmp_path, max_in_flight=4, spend_cap=cap)
    assert report.stopped == "spend_cap"
    assert report.completed == 8  # 0.42 of 20 equal quotes fit 8 items
    sent = {f.payload["keyFrames"][0]["positivePrompt"] for f in fake.frames("jobRequest")}
    expected_left = {str(item["positive_prompt"]) for item in items} - sent
    left_prompts = {
        str(items[int(key.split("-")[0]) - 1]["positive_prompt"]) for key in report.unsubmitted
    }
    assert left_prompts == expected_left and len(expected_left) == 12
    # The ledger: what is held for renders in flight plus what was charged never passed the cap.
    committed = peak = Decimal(0)
    for entry in fake.ledger("spark"):
        committed += {"hold": entry.amount, "release": -entry.amount, "charge": entry.amount}[
            entry.kind
        ]
        peak = max(peak, committed)
    assert 0 < peak <= cap
    assert report.spent <= cap


def test_retryable_failures_are_retried_under_a_new_id(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    fake.fail_next_job(error="workerDisconnected", error_message="worker went away")
    items = [{"model_id": MODEL, "positive_prompt": "flaky", "steps": 4}]
    report = batch.run(make_client(), items, out_dir=tmp_path, retries=1)
    assert report.completed == 1
    log = records(tmp_path / "journal.jsonl")
    assert [r["event"] for r in log] == ["run", "submitting", "failed", "submitting", "completed"]
    assert log[2]["retryable"] is True and log[2]["error"] == "ProjectError"
    assert log[1]["project_id"] != log[3]["project_id"]
    charged = [e.ref for e in fake.ledger() if e.kind == "charge"]
    assert charged == [log[3]["project_id"]]


def test_a_failure_without_retries_left_is_reported(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    items = [
        {"key": "ok", "model_id": MODEL, "positive_prompt": "fine", "steps": 4},
        {"key": "bad", "model_id": MODEL, "positive_prompt": "[fail] broken", "steps": 4},
    ]
    report = batch.run(make_client(), items, out_dir=tmp_path, retries=3)
    assert report.completed == 1
    [failure] = report.failed
    assert (failure.key, failure.error, failure.retryable) == ("bad", "ProjectError", False)
    assert "Generation failed" in failure.message
    again = batch.run(make_client(), items, out_dir=tmp_path, retries=3)
    assert [f.key for f in again.failed] == ["bad"]
    assert len(fake.frames("jobRequest")) == 2  # the rerun sent nothing


def test_stop_ends_sending_and_lets_in_flight_items_finish(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    stop = threading.Event()

    def progress(p: batch.BatchProgress) -> None:
        if p.completed >= 3:
            stop.set()

    report = batch.run(
        make_client(), image_items(30), out_dir=tmp_path, max_in_flight=2, stop=stop,
        progress=progress,
    )  # fmt: skip
    assert report.stopped == "stopped"
    assert report.completed + len(report.unsubmitted) == 30
    assert 3 <= report.completed < 30
    assert len(fake.frames("jobRequest")) == report.completed  # in flight ones finished


def test_one_journal_one_run(make_client: Callable[..., SogniClient], tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    with Journal(journal), pytest.raises(JournalLockedError):
        batch.run(make_client(), image_items(1), out_dir=tmp_path)


def test_a_torn_last_record_is_dropped(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    batch.run(make_client(), image_items(2), out_dir=tmp_path)
    journal = tmp_path / "journal.jsonl"
    with journal.open("ab") as handle:
        handle.write(b'{"event":"completed","key":"torn')  # a crash mid-write
    report = batch.run(make_client(), image_items(2), out_dir=tmp_path)
    assert report.completed == 2
    assert all(line.startswith("{") for line in journal.read_text().splitlines())
    assert len(records(journal)) == 6  # run, 2 x (submitting, completed), run


def test_the_async_twin(fake: FakeSupernet, tmp_path: Path) -> None:
    from sogni_async import batch as async_batch

    seen: list[int] = []

    async def main() -> batch.BatchReport:
        loop = asyncio.get_running_loop()

        def progress(p: batch.BatchProgress) -> None:
            assert asyncio.get_running_loop() is loop  # called on the event loop
            seen.append(p.completed)

        async with AsyncSogniClient(
            app_id="async-batch",
            api_key=fake.api_key,
            rest_endpoint=fake.rest_url,
            socket_endpoint=fake.socket_url,
            timeouts=FAST,
        ) as client:
            quote = await async_batch.estimate(client, image_items(5))
            assert quote.items == 5
            return await async_batch.run(
                client, image_items(5), out_dir=tmp_path, max_in_flight=2, progress=progress
            )

    report = asyncio.run(main())
    assert report.completed == 5 and seen and seen[-1] == 5


def test_the_contact_sheet_shows_images_videos_and_audio(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    items = [
        {"key": "pic", "model_id": MODEL, "positive_prompt": "<b>bold</b> & co", "steps": 4},
        {
            "key": "clip",
            "type": "video",
            "model_id": "wan_v2.2-14b-fp8_t2v_lightx2v",
            "positive_prompt": "a boat",
            "duration": 2,
        },
        {
            "key": "song",
            "type": "audio",
            "model_id": "ace_step_1.5_turbo",
            "positive_prompt": "calm piano",
            "duration": 10,
        },
    ]
    report = batch.run(make_client(), items, out_dir=tmp_path / "out")
    assert report.completed == 3
    page = batch.write_html(report, tmp_path / "sheet" / "index.html").read_text()
    files = {r.key: r.files[0].path for r in report.results()}
    assert f'<img loading="lazy" src="../out/{files["pic"].name}"' in page
    assert f'<video controls preload="metadata" src="../out/{files["clip"].name}"' in page
    assert f'<audio controls preload="none" src="../out/{files["song"].name}"' in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page and "<b>" not in page
    assert page.count(" spark</div>") == 3
