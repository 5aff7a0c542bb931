"""The ``sogni`` command line, against an embedded fake (``--fake``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sogni.cli import main
from sogni.testing import read_image_metadata


def test_account_and_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--fake", "account"]) == 0
    assert main(["--fake", "models"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("alice 0x")
    assert "spark 400" in out
    assert "flux1-schnell-fp8" in out


def test_image_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "--fake",
                "image",
                "a lighthouse",
                "--count",
                "2",
                "--seed",
                "3",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    paths = [Path(line) for line in capsys.readouterr().out.split()]
    assert len(paths) == 2
    assert sorted(read_image_metadata(p.read_bytes())["seed"] for p in paths) == ["3", "4"]


def test_chat_streams(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--fake", "chat", "Hello"]) == 0
    assert 'You said: "Hello"' in capsys.readouterr().out


def test_invalid_input_is_an_error_exit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--fake", "image", "x", "--steps", "999"]) == 1
    assert "steps" in capsys.readouterr().err


def test_the_console_script_is_installed() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sogni.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "account" in result.stdout
