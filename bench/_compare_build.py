"""The two SDKs of ``compare_official.py``, each built as a wheel into its own venv.

Everything lives under ``bench/.venvs`` (git-ignored):

* ``ours-<key>``: a wheel of this repository's ``sogni`` (or of another checkout, for a
  before/after comparison), installed with its dependencies pinned to the versions of the
  interpreter that runs the benchmark, so both builds of ours load the same libraries;
* ``official``: the official ``sogni-client`` from the committed constraints file, as the
  conformance suite builds its oracle (``tests/conformance/oracles.py``).

A stamp file per venv, keyed on what went into it, makes a second run instant.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "bench" / ".venvs"
CONSTRAINTS = REPO / "tests" / "conformance" / "constraints.txt"
OFFICIAL = "sogni-client==5.70.0"
# Our runtime dependencies and theirs: pinned to this interpreter's versions when present.
_OUR_DEPENDENCIES = (
    "requests",
    "urllib3",
    "idna",
    "certifi",
    "charset-normalizer",
    "websocket-client",
    "attrs",
    "cattrs",
    "typing-extensions",
    "exceptiongroup",
)
_RECIPE = "1"


def _run(step: str, command: list[str], cwd: Path | None = None) -> None:
    done = subprocess.run(
        command, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise SystemExit(f"could not {step} (exit {done.returncode}):\n{tail}")


def _source_key(source: Path) -> str:
    """A hash of the files that make the wheel, so an edit rebuilds it."""
    digest = hashlib.sha256(f"{_RECIPE}\0{sys.version_info[:2]}\0".encode())
    files = [source / "setup.cfg", source / "pyproject.toml"]
    for package in ("sogni", "sogni_async"):
        files.extend(
            p
            for p in sorted((source / package).rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
        )
    for path in files:
        digest.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _pins() -> str:
    lines = []
    for name in _OUR_DEPENDENCIES:
        try:
            lines.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return "\n".join(lines) + "\n"


def _venv(path: Path) -> Path:
    _run("create a venv", [sys.executable, "-m", "venv", "--clear", str(path)])
    return path / "bin" / "python"


def _pip(python: Path, step: str, *args: str) -> None:
    _run(step, [str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args])


def _ready(stamp: Path, python: Path) -> bool:
    return stamp.is_file() and python.is_file()


def build_ours(source: Path = REPO) -> Path:
    """The interpreter of a venv with a wheel of ``source``'s ``sogni`` installed."""
    source = source.resolve()
    key = _source_key(source)
    home = ROOT / f"ours-{key}"
    python, stamp = home / "bin" / "python", home / ".built"
    if _ready(stamp, python):
        return python
    ROOT.mkdir(parents=True, exist_ok=True)
    wheels = ROOT / "wheels" / f"ours-{key}"
    shutil.rmtree(wheels, ignore_errors=True)
    print(f"building sogni from {source} into {home.name} ...", file=sys.stderr, flush=True)
    _run(
        "build the sogni wheel",
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
    )
    (wheel,) = wheels.glob("sogni-*.whl")
    pins = ROOT / f"ours-{key}.pins.txt"
    pins.write_text(_pins(), "utf-8")
    python = _venv(home)
    _pip(python, "install the sogni wheel", "install", "-c", str(pins), str(wheel))
    _pip(python, "install the raw reader's client", "install", "-c", str(pins), "websocket-client")
    _pip(python, "install requests (the raw transfer side)", "install", "-c", str(pins), "requests")
    stamp.write_text(str(source) + "\n", "utf-8")
    return python


def build_official() -> Path:
    """The interpreter of a venv with the official ``sogni-client`` installed from wheels."""
    digest = hashlib.sha256(CONSTRAINTS.read_bytes() + f"{sys.version_info[:2]}".encode())
    home = ROOT / "official"
    python, stamp = home / "bin" / "python", home / f".built-{digest.hexdigest()[:12]}"
    if _ready(stamp, python):
        return python
    ROOT.mkdir(parents=True, exist_ok=True)
    wheels = ROOT / "wheels" / "official"
    shutil.rmtree(wheels, ignore_errors=True)
    print(f"building {OFFICIAL} into {home.name} ...", file=sys.stderr, flush=True)
    _run(
        "build the official wheels",
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "-c",
            str(CONSTRAINTS),
            "-w",
            str(wheels),
            OFFICIAL,
        ],
    )
    python = _venv(home)
    _pip(
        python,
        "install the official wheels",
        "install",
        "--no-index",
        "--find-links",
        str(wheels),
        OFFICIAL,
    )
    stamp.write_text(OFFICIAL + "\n", "utf-8")
    return python
