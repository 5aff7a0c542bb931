"""One warnings-as-errors Sphinx build of ``docs/`` per test session, shared by the docs tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


class BuiltDocs:
    """The HTML output of the build and what the build printed."""

    def __init__(self, out: Path, returncode: int, log: str) -> None:
        self.out = out
        self.returncode = returncode
        self.log = log

    def page(self, name: str) -> str:
        return (self.out / f"{name}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built_docs(tmp_path_factory: pytest.TempPathFactory) -> BuiltDocs:
    out = tmp_path_factory.mktemp("docs-html")
    # -W --keep-going: every warning is an error, and all of them are listed; -n: every
    # cross-reference to a sogni object must resolve. A separate process keeps Sphinx's and
    # autodoc's module state out of the test process.
    command = [
        sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-j", "2",
        "-b", "html", "-d", str(out / ".doctrees"), str(DOCS), str(out),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    return BuiltDocs(out, done.returncode, done.stdout + done.stderr)
