"""What mypy says about user code: typed ``projects.create`` and estimates, sync and async.

One ``mypy.api.run`` over every snippet (a cold mypy start is the slow part), with the
repository on ``MYPYPATH`` and the cache in a temporary directory.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parents[2]

SNIPPETS = {
    "typos.py": """
        from sogni import SogniClient
        from sogni_async import AsyncSogniClient

        def run(client: SogniClient) -> None:
            client.projects.create(type="image", modle_id="flux1-schnell-fp8")  # TYPO modle_id
            client.projects.create(type="video", model_id="m", duraton=5)  # TYPO duraton
            client.projects.create(type="audio", model_id="m", frames=5)  # WRONG frames
            client.projects.estimate_cost(type="image", model_id="m", stesp=4)  # TYPO stesp
            client.projects.estimate_video_cost(model_id="m", source_widht=3)  # TYPO source_widht
            client.projects.estimate_audio_cost(model_id="m", bmp=120)  # TYPO bmp
            client.projects.create(type="image", model_id="m", steps="4")  # WRONG steps
            client.projects.create(type="image", positive_prompt="x")  # WRONG model_id

        async def run_async(client: AsyncSogniClient) -> None:
            await client.projects.create(type="image", modle_id="m")  # TYPO modle_id
            await client.projects.estimate_video_cost(model_id="m", fsp=16)  # TYPO fsp
    """,
    "corrected.py": """
        from sogni import SogniClient
        from sogni.projects import ImageProjectKwargs, ImageProjectParams, Project

        def run(client: SogniClient) -> list[str]:
            project = client.projects.create(type="image", model_id="flux1-schnell-fp8")
            client.projects.create(type="video", model_id="m", duration=5, fps=16)
            client.projects.create(
                type="video", model_id="m", keyframes=[{"image": b"x", "frame_index": 3}]
            )
            client.projects.create(type="audio", model_id="m", bpm=120, time_signature=4)
            client.projects.create(model_id="m", steps=4, control_net={"name": "canny"})
            client.projects.create(ImageProjectParams(model_id="m"))
            client.projects.estimate_cost(type="image", model_id="m", steps=4)
            client.projects.estimate_video_cost(model_id="m", source_width=3, duration=5)
            client.projects.estimate_audio_cost(model_id="m", bpm=120)
            options: ImageProjectKwargs = {"model_id": "m", "steps": 4}
            client.projects.create(type="image", **options)
            handles: list[Project] = [project]  # a bare Project takes any project
            return handles[0].wait()
    """,
    "reveal.py": """
        from sogni import SogniClient
        from sogni.projects import AudioProjectParams, make_params
        from sogni_async import AsyncSogniClient

        def run(client: SogniClient, kind: str) -> None:
            video = client.projects.create(type="video", model_id="m", duration=5)
            reveal_type(video.params)  # REVEAL video
            reveal_type(client.projects.create(type="image", model_id="m").params)  # REVEAL image
            reveal_type(client.projects.create(model_id="m").params)  # REVEAL default
            reveal_type(client.projects.create(AudioProjectParams(model_id="m")))  # REVEAL audio
            reveal_type(client.projects.get("x").params)  # REVEAL recovered
            reveal_type(client.projects.create(make_params(kind, model_id="m")))  # REVEAL union

        async def run_async(client: AsyncSogniClient) -> None:
            project = await client.projects.create(type="video", model_id="m")
            reveal_type(project.params)  # REVEAL async
            reveal_type(project.sync)  # REVEAL sync
    """,
}

PARAMS = "sogni.projects.params."
HANDLES = "sogni.projects.handles."
EXPECTED_REVEALS = {
    "video": f"{PARAMS}VideoProjectParams",
    "image": f"{PARAMS}ImageProjectParams",
    "default": f"{PARAMS}ImageProjectParams",
    "audio": f"{HANDLES}Project[{PARAMS}AudioProjectParams]",
    "recovered": (
        f"{PARAMS}ImageProjectParams | {PARAMS}VideoProjectParams | "
        f"{PARAMS}AudioProjectParams | None"
    ),
    "union": (
        f"{HANDLES}Project[{PARAMS}ImageProjectParams] | {HANDLES}Project[{PARAMS}"
        f"VideoProjectParams] | {HANDLES}Project[{PARAMS}AudioProjectParams]"
    ),
    "async": f"{PARAMS}VideoProjectParams",
    "sync": f"{HANDLES}Project[{PARAMS}VideoProjectParams]",
}


def _marked(name: str, tag: str) -> list[tuple[str, int]]:
    """``(label, line)`` of each ``# TAG label`` comment in a snippet, in order."""
    source = textwrap.dedent(SNIPPETS[name]).lstrip("\n")
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = re.search(rf"# {tag} (\w+)$", line)
        if match:
            found.append((match.group(1), number))
    return found


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """mypy's report, per snippet file, one line per message."""
    workdir = tmp_path_factory.mktemp("typing_snippets")
    files = []
    for name, source in SNIPPETS.items():
        path = workdir / name
        path.write_text(textwrap.dedent(source).lstrip("\n"))
        files.append(str(path))
    # An empty config file: the repository's own mypy settings must not leak in.
    config = workdir / "mypy.ini"
    config.write_text("[mypy]\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MYPYPATH", str(ROOT))
        patch.chdir(workdir)
        stdout, stderr, _status = mypy_api.run(
            [
                "--config-file",
                str(config),
                "--strict",
                "--python-version",
                "3.10",
                "--cache-dir",
                str(workdir / ".mypy_cache"),
                # The SDK's own modules are checked by the repository's mypy run (with its
                # settings for untyped dependencies); only the snippets' errors matter here.
                "--follow-imports=silent",
                "--show-error-codes",
                "--no-error-summary",
                "--hide-error-context",
                *files,
            ]
        )
    assert stderr == ""
    assert stdout.strip(), "mypy printed nothing"
    report: dict[str, list[str]] = {name: [] for name in SNIPPETS}
    for line in stdout.splitlines():
        path, _, rest = line.partition(":")
        report.setdefault(Path(path).name, []).append(rest)
    return report


def _errors(report: list[str]) -> list[str]:
    return [m for m in report if ": error: " in m]


def test_a_misspelled_keyword_is_reported_on_its_line(mypy_output: dict[str, list[str]]) -> None:
    errors = _errors(mypy_output["typos.py"])
    typos = _marked("typos.py", "TYPO")
    assert len(typos) == 7
    for word, line in typos:
        assert any(
            m.startswith(f'{line}: error: Unexpected keyword argument "{word}"') for m in errors
        ), (word, line, errors)
    # The first one, as a user sees it: with the closest valid name.
    assert typos[0][0] == "modle_id"
    [first] = [m for m in errors if m.startswith(f"{typos[0][1]}: error: Unexpected keyword")]
    assert 'did you mean "model_id"?' in first


def test_a_wrong_keyword_value_or_a_missing_model_is_reported(
    mypy_output: dict[str, list[str]],
) -> None:
    errors = _errors(mypy_output["typos.py"])
    wrong = _marked("typos.py", "WRONG")
    assert [label for label, _ in wrong] == ["frames", "steps", "model_id"]
    for label, line in wrong:
        assert any(m.startswith(f"{line}: error: ") for m in errors), (label, errors)
    # Nothing else in that file is flagged: every error is on a marked line.
    marked_lines = {line for _, line in [*_marked("typos.py", "TYPO"), *wrong]}
    assert {int(m.split(":")[0]) for m in errors} == marked_lines


def test_the_corrected_snippet_passes(mypy_output: dict[str, list[str]]) -> None:
    assert mypy_output["corrected.py"] == []


def test_the_handle_is_typed_by_its_params(mypy_output: dict[str, list[str]]) -> None:
    reveals = _marked("reveal.py", "REVEAL")
    assert [label for label, _ in reveals] == list(EXPECTED_REVEALS)
    notes = mypy_output["reveal.py"]
    assert _errors(notes) == []
    for label, line in reveals:
        expected = f'{line}: note: Revealed type is "{EXPECTED_REVEALS[label]}"'
        assert expected in notes, (label, notes)
