"""Every ``sogni`` command end to end, through a subprocess: ``--fake`` for the embedded fake,
or ``SOGNI_*`` variables pointing at the test's fake when the test inspects the server."""

from __future__ import annotations

import collections
import html
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from sogni._cli_batch import _Display
from sogni.batch import BatchProgress
from sogni.testing import FakeSupernet, read_image_metadata

from ..helpers import wait_until
from ..media_checks import check_mp3, check_mp4

MODEL = "flux1-schnell-fp8"


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sogni.cli", *args],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=cwd,
        env=env,
    )


def fake_env(fake: FakeSupernet) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOGNI_")}
    env.update(
        SOGNI_API_KEY=fake.api_key,
        SOGNI_REST_ENDPOINT=fake.rest_url,
        SOGNI_SOCKET_ENDPOINT=fake.socket_url,
    )
    return env


def test_account_and_models(tmp_path: Path) -> None:
    account = cli("--fake", "account", cwd=tmp_path)
    assert account.returncode == 0, account.stderr
    assert account.stdout.startswith("alice 0x") and "spark 400" in account.stdout
    models = (
        cli("models", "--fake", cwd=tmp_path) if False else cli("--fake", "models", cwd=tmp_path)
    )
    assert models.returncode == 0 and MODEL in models.stdout


def test_image(tmp_path: Path) -> None:
    done = cli("image", "--fake", "a lighthouse", "--count", "2", "--seed", "3", "--out", "out", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    paths = [tmp_path / line for line in done.stdout.split()]
    assert sorted(read_image_metadata(p.read_bytes())["seed"] for p in paths) == ["3", "4"]


def test_video(tmp_path: Path) -> None:
    done = cli("--fake", "video", "a paper boat", "--duration", "2", "--fps", "16", "--out", "v", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    [path] = done.stdout.split()
    assert path.endswith(".mp4")
    check_mp4((tmp_path / path).read_bytes())


def test_music(tmp_path: Path) -> None:
    done = cli("--fake", "music", "calm piano", "--duration", "10", "--bpm", "90", "--out", "m", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    [path] = done.stdout.split()
    assert path.endswith(".mp3")
    check_mp3((tmp_path / path).read_bytes())


def test_the_options_come_from_the_params_fields(tmp_path: Path) -> None:
    expected = {
        "image": [
            "--steps",
            "--number-of-previews",
            "--starting-image",
            "--control-net",
            "--count",
        ],
        "video": ["--duration", "--fps", "--reference-image", "--generate-audio"],
        "music": ["--bpm", "--lyrics", "--time-signature", "--duration"],
    }
    for command, options in expected.items():
        shown = cli(command, "--help", cwd=tmp_path)
        assert shown.returncode == 0
        for option in options:
            assert option in shown.stdout, (command, option)
    quoted = cli("estimate", "video", "--help", cwd=tmp_path)
    assert "--duration" in quoted.stdout


def test_a_bad_option_value_is_an_error_exit(tmp_path: Path) -> None:
    bad = cli("--fake", "image", "x", "--steps", "four", cwd=tmp_path)
    assert bad.returncode == 1 and "--steps" in bad.stderr and "'four'" in bad.stderr
    out_of_range = cli("--fake", "image", "x", "--steps", "999", cwd=tmp_path)
    assert out_of_range.returncode == 1 and "steps" in out_of_range.stderr


def test_estimate(tmp_path: Path) -> None:
    figures: dict[str, Decimal] = {}
    for name, args in {
        "one": ["image", "a cat", "--steps", "4"],
        "two": ["image", "a cat", "--steps", "4", "--count", "2"],
        "video": ["video", "a boat", "--duration", "5"],
        "music": ["music", "piano", "--duration", "30"],
    }.items():
        done = cli("--fake", "estimate", *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        match = re.fullmatch(r"([0-9.]+) spark \(([0-9.]+) USD\)\n", done.stdout)
        assert match, done.stdout
        figures[name] = Decimal(match.group(1))
    assert figures["two"] == 2 * figures["one"] > 0
    assert figures["video"] > 0 and figures["music"] > 0


def test_chat(tmp_path: Path) -> None:
    done = cli("--fake", "chat", "Hello", cwd=tmp_path)
    assert done.returncode == 0 and 'You said: "Hello"' in done.stdout


def test_fake(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sogni.cli", "fake"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["rest_url"].startswith("http://127.0.0.1:") and info["api_key"]
    finally:
        proc.terminate()
        proc.wait(30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def write_csv(path: Path, prompts: list[str]) -> Path:
    lines = ["key,positive_prompt,steps,seed"]
    for n, prompt in enumerate(prompts):
        quoted = '"' + prompt.replace('"', '""') + '"'
        lines.append(f"k{n},{quoted},4,{n}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_batch_writes_a_contact_sheet(tmp_path: Path) -> None:
    prompts = ['<script>alert("x")</script> & friends', "a calm lake", "a red fox"]
    items = write_csv(tmp_path / "items.csv", prompts)
    done = cli("--fake", "batch", str(items), "--out", "out", "--max-in-flight", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "3 of 3 completed" in done.stdout and "progress: " in done.stderr
    report = (tmp_path / "out" / "report.html").read_text()
    assert "<script" not in report
    assert html.escape(prompts[0], quote=True) in report
    journal = [json.loads(line) for line in (tmp_path / "out" / "journal.jsonl").read_text().splitlines()]  # fmt: skip
    files = [f["path"] for r in journal if r["event"] == "completed" for f in r["files"]]
    assert len(files) == 3
    sources = re.findall(r'<img loading="lazy" src="([^"]+)"', report)
    assert sorted(sources) == sorted(files)
    assert all((tmp_path / "out" / name).is_file() for name in files)
    assert report.count("spark") >= 3  # each item's cost


def test_batch_estimate_sends_nothing(fake: FakeSupernet, tmp_path: Path) -> None:
    items = write_csv(tmp_path / "items.csv", [f"quote {n}" for n in range(5)])
    done = cli("batch", str(items), "--estimate", cwd=tmp_path, env=fake_env(fake))
    assert done.returncode == 0, done.stderr
    match = re.match(r"5 items: estimated total ([0-9.]+) spark \(1 distinct quote\)", done.stdout)
    assert match, done.stdout
    assert Decimal(match.group(1)) == 5 * Decimal("0.04")
    assert fake.frames("jobRequest") == []
    assert not (tmp_path / "out").exists()


def test_batch_resume_needs_resume(fake: FakeSupernet, tmp_path: Path) -> None:
    items = write_csv(tmp_path / "items.csv", ["one", "two"])
    env = fake_env(fake)
    assert cli("batch", str(items), cwd=tmp_path, env=env).returncode == 0
    again = cli("batch", str(items), cwd=tmp_path, env=env)
    assert again.returncode == 2 and "--resume" in again.stderr
    resumed = cli("batch", str(items), "--resume", cwd=tmp_path, env=env)
    assert resumed.returncode == 0 and "2 of 2 completed" in resumed.stdout
    assert len(fake.frames("jobRequest")) == 2


class Child:
    """``sogni batch`` in a subprocess whose stderr is read as it comes."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sogni.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env,
        )
        self.err: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.err.append(line)

    def said(self, text: str) -> bool:
        return any(text in line for line in self.err)

    def finish(self) -> tuple[int, str]:
        # stdout only: stderr belongs to the reader thread (communicate() would race it).
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        self.proc.wait(60)
        self._reader.join(10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        return self.proc.returncode, out


def journal_events(path: Path) -> collections.Counter[str]:
    if not path.exists():
        return collections.Counter()
    return collections.Counter(json.loads(line)["event"] for line in path.read_text().splitlines())


def test_ctrl_c_stops_sending_and_lets_in_flight_items_finish(
    fake: FakeSupernet, tmp_path: Path
) -> None:
    items = write_csv(tmp_path / "items.csv", [f"stop {n}" for n in range(6)])
    journal = tmp_path / "out" / "journal.jsonl"
    fake.pause_workers()
    child = Child(["batch", str(items), "--max-in-flight", "2"], tmp_path, fake_env(fake))
    try:
        wait_until(lambda: journal_events(journal)["submitting"] == 2, timeout=20)
        child.proc.send_signal(signal.SIGINT)
        wait_until(lambda: child.said("Stopping"), timeout=20)
    finally:
        fake.resume_workers()
    code, out = child.finish()
    assert code == 1
    assert "2 of 6 completed, 0 failed, 4 not sent" in out
    assert "left for --resume" in out
    assert journal_events(journal) == {"run": 1, "submitting": 2, "completed": 2}
    assert len(fake.frames("jobRequest")) == 2


def test_a_second_ctrl_c_leaves_in_flight_items_for_resume(
    fake: FakeSupernet, tmp_path: Path
) -> None:
    items = write_csv(tmp_path / "items.csv", [f"twice {n}" for n in range(5)])
    journal = tmp_path / "out" / "journal.jsonl"
    env = fake_env(fake)
    fake.pause_workers()
    try:
        child = Child(["batch", str(items), "--max-in-flight", "2"], tmp_path, env)
        wait_until(lambda: len(fake.frames("jobRequest")) == 2, timeout=20)
        child.proc.send_signal(signal.SIGINT)
        wait_until(lambda: child.said("Stopping"), timeout=20)
        child.proc.send_signal(signal.SIGINT)
        code, _ = child.finish()
        assert code == 130
        assert child.said("recorded in") and child.said("--resume")
        assert journal_events(journal) == {"run": 1, "submitting": 2}
    finally:
        fake.resume_workers()
    resumed = cli("batch", str(items), "--resume", cwd=tmp_path, env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "5 of 5 completed" in resumed.stdout
    sent = [f.payload["jobID"] for f in fake.frames("jobRequest")]
    assert len(sent) == len(set(sent)) == 5
    charges = collections.Counter(e.ref for e in fake.ledger() if e.kind == "charge")
    assert len(charges) == 5 and set(charges.values()) == {1}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def progress(completed: int) -> BatchProgress:
    return BatchProgress(
        total=10,
        completed=completed,
        failed=1,
        in_flight=2,
        unsubmitted=0,
        spent=Decimal("0.12"),
        token_type="spark",
        elapsed=3.0,
        eta_seconds=75.0,
    )


def test_progress_is_redrawn_on_a_terminal_and_plain_lines_otherwise() -> None:
    terminal = Terminal()
    display = _Display(terminal)
    display(progress(3))
    display(progress(4))
    display.end()
    text: Any = terminal.getvalue()
    assert text.count("\r\x1b[K") == 2 and text.endswith("\n")
    assert "4/10 done, 1 failed, 2 in flight, spent 0.12 spark, ETA 1m15s" in text
    plain = io.StringIO()
    display = _Display(plain)
    display(progress(3))
    display(progress(10))
    lines = plain.getvalue().splitlines()
    assert lines[0].startswith("progress: 3/10 done") and lines[-1].startswith("progress: 10/10")
    assert "\r" not in plain.getvalue()
