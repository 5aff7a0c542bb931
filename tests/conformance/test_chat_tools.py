"""Sogni platform tools with each official client against the fake: ``chat.tools.execute`` of
``generate_image`` and ``generate_music``, and ``autoExecuteTools`` over two rounds driven by
the fake LLM's ``#rounds=2`` rule. Also: our manifest has exactly the TypeScript SDK's tool
names and argument schemas (descriptions aside)."""

from __future__ import annotations

import io
import json
import subprocess
from typing import Any

import requests
from PIL import Image

from sogni.chat import DEFAULT_CHAT_MODEL, SogniTools
from sogni.testing import FakeSupernet

from ..media_checks import check_mp3
from .harness import StartScenario
from .oracles import Oracles


def _call(call_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


def _auto(text: str, *tools: str) -> dict[str, Any]:
    return {
        "model": DEFAULT_CHAT_MODEL,
        "messages": [{"role": "user", "content": text}],
        "toolNames": list(tools),
    }


def _download(url: str) -> bytes:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return response.content


def _strip_descriptions(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _strip_descriptions(v)
            for k, v in value.items()
            if not (k == "description" and isinstance(v, str))
        }
    if isinstance(value, list):
        return [_strip_descriptions(v) for v in value]
    return value


def test_our_manifest_has_the_typescript_sdks_names_and_schemas(oracles: Oracles) -> None:
    script = (
        "const { SogniTools } = require('@sogni-ai/sogni-client');"
        "process.stdout.write(JSON.stringify(SogniTools.all));"
    )
    out = subprocess.run(
        [oracles.node, "-e", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        cwd=oracles.node_project,
        env={"NODE_PATH": str(oracles.node_project / "node_modules"), "PATH": ""},
    )
    theirs = _strip_descriptions(json.loads(out.stdout))
    ours = _strip_descriptions(SogniTools.all)
    assert len(theirs) == 30
    assert [t["function"]["name"] for t in ours] == [t["function"]["name"] for t in theirs]
    for mine, their in zip(ours, theirs):
        assert mine == their, mine["function"]["name"]
    # ... and every description is our own text, not theirs.
    originals = json.loads(out.stdout)
    for mine, their in zip(SogniTools.all, originals):
        assert mine["function"]["description"] != their["function"]["description"]


def test_tools_execute_and_auto_execute_over_two_rounds(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    args = {
        "calls": [
            _call("call_img", "generate_image", prompt="a lighthouse at dusk"),
            _call("call_music", "generate_music", prompt="calm jazz", duration=10),
        ],
        "auto": [
            _auto(
                "#rounds=2 generate_image then generate_music", "generate_image", "generate_music"
            ),
            _auto(
                "#rounds=2 generate_image then generate_video", "generate_image", "generate_video"
            ),
        ],
    }
    # The Python SDK runs a tool on the busiest model of its media type, whatever its workflow:
    # make a text-to-video model the busiest (the TypeScript SDK prefers it anyway).
    fake.set_worker_count("ltx23-22b-fp8_t2v_distilled", 5)
    with start_scenario(language, "chat_tools", args=args) as scenario:
        result = scenario.result()
        app_id = scenario.app_id

    image, music = result["executed"]
    assert (image["toolName"], image["success"], image["error"]) == ("generate_image", True, None)
    with Image.open(io.BytesIO(_download(image["resultUrls"][0]))) as picture:
        picture.load()
    assert json.loads(image["content"])["media_type"] == "image"
    assert image["progress"][0] == "creating" and image["progress"][-1] == "completed"
    assert (music["toolName"], music["success"]) == ("generate_music", True)
    assert check_mp3(_download(music["resultUrls"][0])) > 0
    projects = [f.payload for f in fake.frames("jobRequest") if f.app_id == app_id]
    prompts = [p["keyFrames"][0]["positivePrompt"] for p in projects]
    assert prompts[:2] == ["a lighthouse at dusk", "calm jazz"]

    both, indexed = result["auto"]
    # Two rounds, then the answer: each round ran its project.
    assert both["finishReason"] == "stop"
    assert [[c["name"] for c in r["calls"]] for r in both["toolHistory"]] == [
        ["generate_image"],
        ["generate_music"],
    ]
    assert all(r["results"][0]["success"] for r in both["toolHistory"])
    assert both["content"].startswith("The tools returned: generate_music: ")
    # The second round names the first round's image by index.
    first, second = indexed["toolHistory"]
    assert first["results"][0]["success"] is True
    assert json.loads(second["calls"][0]["arguments"])["referenceImageIndices"] == [0]
    assert indexed["finishReason"] == "stop"
    video = second["results"][0]
    if language == "js":
        # The TypeScript executor fetches indexed images only from Sogni and S3 hosts; the
        # fake's result URL is a loopback URL, so it answers the model with this error.
        assert video["success"] is False
        assert video["error"].startswith("Only inline base64-encoded data URIs are supported")
    else:
        # The Python SDK ignores media indices: it renders text-to-video.
        assert video["success"] is True, video["error"]
    chats = [f.payload for f in fake.frames("llmJobRequest") if f.app_id == app_id]
    assert len(chats) == 6 and all(c.get("stream") is False for c in chats)
