"""Batch items without a server: cells read by parameter type, media cells, keys, the journal's
replay, and what importing ``sogni.batch`` loads."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from sogni.batch._items import _SKIP, ItemSource, convert_cell, derived_key
from sogni.batch._journal import Journal, replay
from sogni.batch._runner import safe_name
from sogni.projects import make_params


@pytest.mark.parametrize(
    ("kind", "cell", "value"),
    [
        ("int", "4", 4),
        ("int", " 12 ", 12),
        ("int", 4.0, 4),  # a DataFrame column made float by a missing cell
        ("int", np.int64(7), 7),
        ("float", "1.5", 1.5),
        ("float", "1e-3", 0.001),
        ("float", np.float32(0.5), 0.5),
        ("bool", "yes", True),
        ("bool", "FALSE", False),
        ("bool", "1", True),
        ("bool", np.bool_(True), True),
        ("str", "euler a", "euler a"),
        ("str", "", ""),
        ("list_str", "lora-a; lora-b", ["lora-a", "lora-b"]),
        ("list_str", '["x;y", "z"]', ["x;y", "z"]),
        ("list_float", "0.5;1", [0.5, 1.0]),
        ("json", '{"name": "canny"}', {"name": "canny"}),
        ("json", [{"x": 1}], [{"x": 1}]),
    ],
)
def test_a_cell_is_read_by_its_parameter_type(kind: str, cell: object, value: object) -> None:
    assert convert_cell(kind, cell, None) == value


@pytest.mark.parametrize("cell", ["", "  ", None, math.nan, float("nan")])
def test_an_empty_cell_leaves_the_default(cell: object) -> None:
    assert convert_cell("int", cell, None) is _SKIP


@pytest.mark.parametrize(
    ("kind", "cell", "message"),
    [
        ("int", "four", "'four' is not an integer"),
        ("int", "4.5", "'4.5' is not an integer"),
        ("int", 4.5, "4.5 is not an integer"),
        ("float", "inf", "is not a finite number"),
        ("float", "x", "'x' is not a number"),
        ("bool", "maybe", "'maybe' is not true or false"),
        ("json", "{oops", "is not JSON"),
        ("media", "photo.png", "media_root"),
    ],
)
def test_a_bad_cell_says_what_is_wrong(kind: str, cell: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        convert_cell(kind, cell, None)


def test_media_cells_stay_inside_media_root(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    assert convert_cell("media", "a/b.png", root) == root / "a" / "b.png"
    assert convert_cell("media_list", "x.png;y.png", root) == [root / "x.png", root / "y.png"]
    for escape in ("../secret.png", "/etc/passwd", "a/../../b.png"):
        with pytest.raises(ValueError, match="media_root"):
            convert_cell("media", escape, root)
    (tmp_path / "link").symlink_to("/etc")
    with pytest.raises(ValueError, match="outside media_root"):
        convert_cell("media", "link/passwd", root)


def test_keys_are_stable_and_tell_rows_apart() -> None:
    params = make_params("image", model_id="m", positive_prompt="a cat", seed=1)
    same = make_params("image", model_id="m", positive_prompt="a cat", seed=1)
    other = make_params("image", model_id="m", positive_prompt="a cat", seed=2)
    assert derived_key(params, 3) == derived_key(same, 3)
    assert derived_key(params, 3) != derived_key(params, 4)
    assert derived_key(params, 3) != derived_key(other, 3)
    assert derived_key(params, 3).startswith("3-")
    with_bytes = make_params("image", model_id="m", starting_image=b"\x89PNG")
    assert derived_key(with_bytes, 1) == derived_key(
        make_params("image", model_id="m", starting_image=b"\x89PNG"), 1
    )


def test_file_names_never_come_from_a_key_as_given() -> None:
    assert safe_name("row-7") == "row-7"
    for hostile in ("../../etc/passwd", "/abs", "a/b", "x" * 300, ""):
        name = safe_name(hostile)
        assert "/" not in name and ".." not in name and 0 < len(name) <= 69
    assert safe_name("a/b") != safe_name("a_b")


def test_a_generator_is_read_once_and_kept(tmp_path: Path) -> None:
    rows = ({"model_id": "m", "positive_prompt": f"p{n}"} for n in range(3))
    source = ItemSource(rows)
    assert source.check() == 3
    assert [item.prompt for item in source] == ["p0", "p1", "p2"]
    assert all(item.params.token_type == "spark" for item in source)


def test_the_journal_replays_each_items_last_word(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        journal.append({"event": "run", "app_id": "first"})
        journal.append({"event": "submitting", "key": "a", "project_id": "P1", "estimate": "0.5"})
        journal.append({"event": "failed", "key": "a", "project_id": "P1", "retryable": True})
        journal.append({"event": "submitting", "key": "a", "project_id": "P2", "estimate": "0.5"})
        journal.append({"event": "submitting", "key": "b", "project_id": "P3", "estimate": "1"})
        journal.append({"event": "completed", "key": "b", "project_id": "P3", "cost_actual": "0.9"})
        journal.append({"event": "run", "app_id": "second"})
    states, app_id = replay(path)
    assert app_id == "first"
    assert (states["a"].status, states["a"].attempts, states["a"].project_id) == (
        "submitting",
        2,
        "P2",
    )
    assert states["a"].estimate == Decimal("0.5")
    assert (states["b"].status, states["b"].cost_actual) == ("completed", Decimal("0.9"))
    lines = path.read_text().splitlines()
    assert len(lines) == 7 and all(json.loads(line) for line in lines)


def test_importing_the_batch_module_loads_neither_pandas_nor_dask() -> None:
    code = (
        "import sys, sogni.batch\n"
        "loaded = [m for m in ('pandas', 'dask', 'distributed', 'numpy') if m in sys.modules]\n"
        "print(loaded)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
