"""``sogni.batch.run``: what a batch refuses before anything is sent (media named by nested
cells outside ``media_root``, bad run arguments, a malformed fault-hook variable is ignored),
and items whose journal write fails."""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from sogni import SogniClient, SogniError, ValidationError, batch
from sogni.batch._journal import Journal
from sogni.testing import FakeSupernet

CN_MODEL = "coreml-cyberrealistic_v70_768"
H3_MODEL = "minimax-h3-fl2va-fp8_flf2v"


def png(size: tuple[int, int] = (64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return buffer.getvalue()


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def control_net_row(image: str) -> dict[str, str]:
    return {
        "model_id": CN_MODEL,
        "network": "relaxed",
        "positive_prompt": "pose",
        "steps": "4",
        "control_net": json.dumps({"name": "canny", "image": image}),
    }


def test_nested_media_cells_never_name_a_file_outside_media_root(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "guide.png").write_bytes(png())
    secret = tmp_path / "secret.png"  # a readable image the data must not be able to reach
    secret.write_bytes(png())
    rows = [control_net_row(str(secret)), control_net_row("../secret.png")]
    csv_file = write_csv(tmp_path / "items.csv", rows)
    with pytest.raises(ValidationError) as caught:
        batch.run(make_client(), csv_file, out_dir=tmp_path / "out", media_root=media)
    problems = {p.param: p.message for p in caught.value.problems}
    assert set(problems) == {"row 1: control_net", "row 2: control_net"}
    assert problems["row 1: control_net"].startswith("image: ")
    assert "relative to media_root" in problems["row 1: control_net"]
    assert fake.frames("jobRequest") == [] and fake.uploads() == []
    assert not (tmp_path / "out" / "journal.jsonl").exists()
    # Without media_root a nested media cell is refused as a top-level one is.
    write_csv(csv_file, [control_net_row("guide.png")])
    with pytest.raises(ValidationError) as unrooted:
        batch.run(make_client(), csv_file, out_dir=tmp_path / "out")
    assert [p.param for p in unrooted.value.problems] == ["row 1: control_net"]
    assert "media_root" in unrooted.value.problems[0].message
    assert fake.frames("jobRequest") == [] and fake.uploads() == []
    # A path inside media_root is read from there and uploaded.
    report = batch.run(make_client(), csv_file, out_dir=tmp_path / "out", media_root=media)
    assert report.completed == 1
    assert len(fake.uploads()) == 1


def test_keyframe_images_in_a_jsonl_row_stay_inside_media_root(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    for name in ("first.png", "last.png"):
        (media / name).write_bytes(png((768, 448)))
    secret = tmp_path / "secret.png"
    secret.write_bytes(png((768, 448)))
    line = {
        "type": "video",
        "model_id": H3_MODEL,
        "duration": 10,
        "width": 768,
        "height": 448,
        "reference_image": "first.png",
        "reference_image_end": "last.png",
        "keyframes": [{"image": str(secret), "frame_index": 60}],
    }
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_text(json.dumps(line) + "\n")
    with pytest.raises(ValidationError) as caught:
        batch.run(make_client(), jsonl, out_dir=tmp_path / "out", media_root=media)
    [problem] = caught.value.problems
    assert problem.param == "row 1: keyframes"
    assert problem.message.startswith("[0].image: ")
    assert fake.frames("jobRequest") == [] and fake.uploads() == []


@pytest.mark.parametrize("value", ["bogus", "completed:x", "sent:0", "downloading:-1"])
def test_a_malformed_fault_variable_is_ignored_with_one_warning(
    fake: FakeSupernet,
    make_client: Callable[..., SogniClient],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    value: str,
) -> None:
    monkeypatch.setenv("SOGNI_BATCH_FAULT", value)
    items = [{"model_id": "flux1-schnell-fp8", "positive_prompt": "fine", "steps": 4}]
    with caplog.at_level(logging.WARNING, logger="sogni.batch"):
        report = batch.run(make_client(), items, out_dir=tmp_path)
    assert report.completed == 1
    warnings = [r for r in caplog.records if r.name == "sogni.batch"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "SOGNI_BATCH_FAULT ignored" in warnings[0].getMessage()


class _RecordingExecutor:
    """Stands in for a Dask client: records every use (there must be none)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Callable[..., None]:
        def call(*args: object, **kwargs: object) -> None:
            self.calls.append(name)
            raise AssertionError(f"executor.{name} called")

        return call


def test_bad_run_arguments_are_one_validation_error_before_anything_is_sent(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a cat\n")
    with pytest.raises(ValidationError) as caught:
        batch.run(
            make_client(), prompts, out_dir=tmp_path / "out", max_in_flight=0, retries=-1,
            spend_cap="lots",
        )  # fmt: skip
    problems = {p.param: p.message for p in caught.value.problems}
    assert set(problems) == {"items", "max_in_flight", "retries", "spend_cap"}
    assert "prompts.txt" in problems["items"] and ".csv" in problems["items"]
    assert "1 or more" in problems["max_in_flight"] and "0 or more" in problems["retries"]
    with pytest.raises(ValidationError) as typed:
        batch.estimate(make_client(), prompts, type="picture", token_type="gold")
    assert {p.param for p in typed.value.problems} == {"items", "type", "token_type"}
    assert fake.frames("jobRequest") == []
    assert not (tmp_path / "out").exists()


def test_partitions_0_is_refused_not_taken_for_the_default(tmp_path: Path) -> None:
    items = [{"model_id": "flux1-schnell-fp8", "positive_prompt": "x", "steps": 4}]
    executor = _RecordingExecutor()
    with pytest.raises(ValidationError) as caught:
        batch.run(None, items, out_dir=tmp_path, executor=executor, partitions=0, retries=True)
    assert [p.param for p in caught.value.problems] == ["retries", "partitions"]
    assert executor.calls == []
    # A rerun asking for other partitions than its journals were written with.
    (tmp_path / "journal").mkdir()
    (tmp_path / "journal" / "manifest.json").write_text(json.dumps({"partitions": 3}))
    with pytest.raises(ValidationError) as rerun:
        batch.run(None, items, out_dir=tmp_path, executor=executor, partitions=4)
    [problem] = rerun.value.problems
    assert problem.param == "partitions" and "written with 3" in problem.message
    assert executor.calls == []


def test_items_whose_journal_write_fails_are_reported_failed(
    fake: FakeSupernet,
    make_client: Callable[..., SogniClient],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The disk fills up when the first item completes: that write and every later one fail,
    # as the journal's own errors are sticky.
    append = Journal.append
    full = threading.Event()

    def failing_append(self: Journal, record: dict[str, Any]) -> None:
        if record.get("event") == "completed":
            full.set()
        if full.is_set():
            raise SogniError(f"could not write the journal {self.path}: No space left on device")
        append(self, record)

    monkeypatch.setattr(Journal, "append", failing_append)
    items = [
        {"key": f"k{n}", "model_id": "flux1-schnell-fp8", "positive_prompt": f"p{n}", "steps": 4}
        for n in range(3)
    ]
    report = batch.run(make_client(), items, out_dir=tmp_path, max_in_flight=1, retries=0)
    assert report.total == 3
    assert report.completed + len(report.failed) + len(report.unsubmitted) == 3
    assert sorted(f.key for f in report.failed) == ["k0", "k1", "k2"]
    assert all("No space left on device" in f.message for f in report.failed)
    # Nothing is sent unless its journal record is on disk: only the first item was.
    assert len(fake.frames("jobRequest")) == 1
