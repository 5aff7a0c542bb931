#!/usr/bin/env python3
"""Fault injection: break the product one named fault at a time and check that a test notices.

Each ``NN-name.patch`` beside this script is a small change to the product (never to the tests)
that breaks exactly one property of the reliability checklist (the table in tests/README.md).
A header above the diff says which point it breaks, how, which tests must catch it, and whether
``.ci/run`` runs it::

    Point: 8
    Fault: the reconnect back-off has neither jitter nor a cap
    Tests:
        tests/unit/test_backoff.py
        tests/e2e/test_reconnect.py::test_many_clients_dropped_at_once_reconnect_spread_over_the_window
    CI: yes

For every selected patch the script copies the working tree (tracked and untracked files, as git
sees them) into a scratch directory, applies the patch there (the real tree is never touched),
and runs the patch's tests against the patched copy. The fault is *caught* when they fail. The
script exits non-zero when a fault survives, a patch no longer applies, or its tests cannot run.

    python tests/faults/run.py             # every fault (a few minutes)
    python tests/faults/run.py --ci        # the quick set that .ci/run runs
    python tests/faults/run.py 05 08       # some faults, by number
    python tests/faults/run.py --list      # the faults and their tests

Before the faults, the selected tests run once on the unpatched copy and must pass (skip that
with ``--no-baseline``, as ``.ci/run`` does right after the full test run).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# Everything a patch may touch: the product, never the tests that must catch it.
PRODUCT = ("sogni/", "sogni_async/")
FAULT_TIMEOUT = 300.0


@dataclass(frozen=True)
class Fault:
    path: Path
    point: int
    fault: str
    tests: tuple[str, ...]
    ci: bool

    @property
    def number(self) -> str:
        return self.path.name[:2]

    @property
    def name(self) -> str:
        return self.path.stem


def parse(path: Path) -> Fault:
    """Read a patch's header (the lines before its diff)."""
    header: dict[str, list[str]] = {}
    key: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("diff --git "):
            break
        match = re.match(r"^([A-Z][A-Za-z]*):\s*(.*)$", line)
        if match:
            key = match.group(1)
            header[key] = [match.group(2)] if match.group(2) else []
        elif line.startswith((" ", "\t")) and key is not None and line.strip():
            header[key].append(line.strip())
    missing = [k for k in ("Point", "Fault", "Tests", "CI") if not header.get(k)]
    if missing:
        raise ValueError(f"{path.name}: header lacks {', '.join(missing)}")
    return Fault(
        path=path,
        point=int(header["Point"][0]),
        fault=" ".join(header["Fault"]),
        tests=tuple(t for line in header["Tests"] for t in line.split()),
        ci=header["CI"][0].strip().lower() == "yes",
    )


def load_faults() -> list[Fault]:
    return [parse(p) for p in sorted(HERE.glob("[0-9][0-9]-*.patch"))]


def touched_files(path: Path) -> list[str]:
    return re.findall(r"^diff --git a/(\S+) b/", path.read_text(encoding="utf-8"), re.M)


def _tree_files() -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listing.split("\0") if name and (ROOT / name).is_file()]


def copy_tree(target: Path) -> None:
    """The working tree as git sees it (so no virtualenv, caches or build output)."""
    for name in _tree_files():
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination)


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)  # ahead of the editable install of the real tree
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no stale bytecode between near-identical copies
    return env


def check_imports_from(tree: Path) -> None:
    found = subprocess.run(
        [sys.executable, "-c", "import sogni, sogni_async; print(sogni.__file__)"],
        cwd=tree,
        env=_env(tree),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the scratch copy imports sogni from {found}, not from {tree}")


def run_tests(tree: Path, tests: tuple[str, ...], *, stop_early: bool) -> tuple[int, str, float]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
    if stop_early:
        command.insert(4, "-x")
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            cwd=tree,
            env=_env(tree),
            capture_output=True,
            text=True,
            timeout=FAULT_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else exc.stdout
        return -1, output or "", time.monotonic() - started
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def first_failure(output: str) -> str:
    lines = output.splitlines()
    found = next((x for x in lines if x.startswith("E   ")), None)
    found = found or next((x for x in lines if x.startswith(("FAILED", "ERROR"))), None)
    found = " ".join((found or "(no failure line)").split())
    return found if len(found) <= 160 else found[:157] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("numbers", nargs="*", help="fault numbers (e.g. 05 8); default: all")
    parser.add_argument("--ci", action="store_true", help="only the faults marked 'CI: yes'")
    parser.add_argument("--list", action="store_true", help="list the faults and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unpatched run")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args(argv)

    faults = load_faults()
    if args.numbers:
        wanted = {int(n) for n in args.numbers}
        faults = [f for f in faults if f.point in wanted]
    if args.ci:
        faults = [f for f in faults if f.ci]
    if not faults:
        print("no fault selected")
        return 2
    if args.list:
        for f in faults:
            ci = " [ci]" if f.ci else ""
            print(f"{f.name}{ci}: {f.fault}")
            for test in f.tests:
                print(f"    {test}")
        return 0

    scratch = Path(tempfile.mkdtemp(prefix="sogni-faults-"))
    started = time.monotonic()
    problems: list[str] = []
    caught = 0
    try:
        base = scratch / "base"
        copy_tree(base)
        check_imports_from(base)
        if not args.no_baseline:
            every_test = tuple(dict.fromkeys(t for f in faults for t in f.tests))
            code, output, took = run_tests(base, every_test, stop_early=False)
            print(f"baseline: the {len(every_test)} test targets, unpatched ({took:.0f} s)")
            if code != 0:
                print(output[-3000:])
                print("the tests fail without any fault: fix that first")
                return 1
        for fault in faults:
            tree = scratch / fault.name
            shutil.copytree(base, tree)
            outside = [p for p in touched_files(fault.path) if not p.startswith(PRODUCT)]
            applied = subprocess.run(
                ["git", "apply", "--whitespace=nowarn", str(fault.path)],
                cwd=tree,
                capture_output=True,
                text=True,
            )
            if outside or applied.returncode != 0:
                why = f"touches {outside}" if outside else applied.stderr.strip()
                problems.append(f"{fault.name}: patch not applied ({why})")
                print(f"{fault.name}: PATCH ERROR {why}")
                continue
            code, output, took = run_tests(tree, fault.tests, stop_early=True)
            if code in (1, -1):  # tests failed (or hung past the limit): the fault is caught
                caught += 1
                how = "hung" if code == -1 else first_failure(output)
                print(f"{fault.name}: caught in {took:.1f} s  {how}")
            elif code == 0:
                problems.append(f"{fault.name}: SURVIVED")
                print(f"{fault.name}: SURVIVED ({took:.1f} s): its tests pass with the fault")
            else:
                problems.append(f"{fault.name}: tests did not run (exit code {code})")
                print(f"{fault.name}: ERROR exit code {code}\n{output[-2000:]}")
            shutil.rmtree(tree, ignore_errors=True)
    finally:
        if args.keep:
            print(f"scratch kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"\n{caught}/{len(faults)} faults caught ({time.monotonic() - started:.0f} s)")
    for problem in problems:
        print(f"  {problem}")
    return 0 if caught == len(faults) else 1


if __name__ == "__main__":
    sys.exit(main())
