"""The fault-injection set stays honest: one fault per checklist point, each touching only the
product, each naming tests that exist, each still applying to the current tree, and the table in
tests/README.md saying the same. (``python tests/faults/run.py`` checks that the tests catch
them; this only keeps the set from rotting between runs.)"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def _load_runner() -> Any:
    spec = importlib.util.spec_from_file_location("sogni_fault_runner", TESTS / "faults" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


faults = _load_runner()
ALL = faults.load_faults()


def test_one_fault_per_point_of_the_checklist() -> None:
    assert sorted(f.point for f in ALL) == list(range(1, 28))
    for fault in ALL:
        assert fault.number == f"{fault.point:02d}", fault.name


@pytest.mark.parametrize("fault", ALL, ids=lambda f: f.name)
def test_a_fault_breaks_only_the_product(fault: Any) -> None:
    touched = faults.touched_files(fault.path)
    assert touched, f"{fault.name} changes nothing"
    assert all(path.startswith(faults.PRODUCT) for path in touched), touched


@pytest.mark.parametrize("fault", ALL, ids=lambda f: f.name)
def test_a_fault_names_tests_that_exist(fault: Any) -> None:
    assert fault.tests
    for test in fault.tests:
        file, _, name = test.partition("::")
        path = ROOT / file
        assert path.is_file(), f"{fault.name}: no file {file}"
        if name:
            function = name.split("[")[0]
            assert re.search(rf"^(async )?def {function}\(", path.read_text(), re.M), (
                f"{fault.name}: no test {function} in {file}"
            )


@pytest.mark.parametrize("fault", ALL, ids=lambda f: f.name)
def test_a_fault_still_applies_to_the_tree(fault: Any) -> None:
    # A change to the product that moves a patched line makes the patch stale: re-make the
    # one-line change on the new code and save ``git diff`` under the same header.
    check = subprocess.run(
        ["git", "apply", "--check", str(fault.path)], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


def test_the_readme_table_lists_every_fault_with_its_tests() -> None:
    readme = (TESTS / "README.md").read_text(encoding="utf-8")
    rows = {
        int(m.group(1)): m.group(0)
        for m in re.finditer(r"^\| (\d+) \|.*$", readme, re.M)
        if 1 <= int(m.group(1)) <= 27
    }
    assert sorted(rows) == list(range(1, 28))
    for fault in ALL:
        row = rows[fault.point]
        assert f"`{fault.path.name}`" in row, f"row {fault.point} does not name {fault.path.name}"
        for test in fault.tests:
            shown = test.split("::")[-1].split("[")[0] if "::" in test else Path(test).name
            assert shown in row, f"row {fault.point} does not list {shown}"
