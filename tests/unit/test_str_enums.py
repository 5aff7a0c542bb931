"""Closed vocabularies are ``str`` enums whose ``str()`` and ``format()`` give the value, on every
Python the package supports (the mix-in's behaviour changed between 3.10, 3.11 and 3.12)."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from pathlib import Path

from sogni.projects import JobStatus, ProjectEventType, ProjectStatus

ENUMS_FILE = Path(__file__).resolve().parents[2] / "sogni" / "_enums.py"
PROBE = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("enums", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
class Status(module.StrEnum):
    DONE = "done"
member = Status.DONE
print(sys.version_info[:2], str(member), format(member), f"{member}", f"{member:>6}",
      member == "done", "done" == member, hash(member) == hash("done"), repr(member))
"""
EXPECTED = "done done done   done True True True Status.DONE"


def interpreters() -> dict[str, str]:
    """Python 3.10 to 3.13 on this machine (pyenv), keyed by version."""
    found = {f"{sys.version_info[0]}.{sys.version_info[1]}": sys.executable}
    home = os.path.expanduser("~/.pyenv/versions")
    for minor in (10, 11, 12, 13):
        for path in sorted(glob.glob(f"{home}/3.{minor}.*/bin/python3")):
            found.setdefault(f"3.{minor}", path)
    return found


def test_str_and_format_give_the_value_on_3_10_to_3_13() -> None:
    found = interpreters()
    assert {"3.10", "3.11", "3.12", "3.13"} <= set(found), f"interpreters found: {found}"
    for version, python in sorted(found.items()):
        out = subprocess.run(
            [python, "-c", PROBE, str(ENUMS_FILE)], capture_output=True, text=True, timeout=30
        )
        assert out.returncode == 0, out.stderr
        printed = out.stdout.strip()
        assert printed.split(") ", 1)[1] == EXPECTED, (version, printed)


def test_the_sdk_vocabularies_are_strings() -> None:
    assert ProjectStatus.COMPLETED == "completed"
    assert f"{JobStatus.PROCESSING}" == "processing"
    assert str(ProjectEventType.JOB_STARTED) == "job_started"
    assert ProjectStatus("failed").finished and not ProjectStatus.QUEUED.finished
    assert ProjectEventType.CANCELED.is_final and not ProjectEventType.PREVIEW.is_final
    assert {ProjectStatus.PENDING: 1}["pending"] == 1
