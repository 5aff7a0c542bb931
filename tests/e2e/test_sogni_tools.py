"""The Sogni platform tool definitions (``SogniTools``) and the hosted-tool switches of socket
chat (``sogni_tools``, ``sogni_tool_execution``), end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from sogni import SogniClient, ValidationError
from sogni.chat import SOGNI_TOOLS_VERSION, SogniTools, ToolCall, is_sogni_tool_call
from sogni.testing import FakeSupernet

HOSTED = {
    "generate_image", "generate_video", "generate_music", "generate_speech", "edit_image",
    "apply_style", "restore_photo", "upscale_image", "upscale_video", "refine_result",
    "animate_photo", "change_angle", "video_to_video", "stitch_video", "orbit_video",
    "dance_montage", "sound_to_video", "extend_video", "replace_video_segment", "overlay_video",
    "add_subtitles", "enhance_prompt", "compose_lyrics", "compose_instrumental",
    "compose_script", "compose_workflow", "compose_workflow_template", "image_to_3d",
    "remove_background", "segment_image",
}  # fmt: skip
INDEXED = ("sourceImageIndex", "referenceImageIndices", "videoSourceIndex", "audioSourceIndex")


def test_sogni_tools_has_the_30_hosted_tools_and_one_accessor_each() -> None:
    tools = SogniTools.all
    assert [t["function"]["name"] for t in tools] == [t["function"]["name"] for t in SogniTools.all]
    assert {t["function"]["name"] for t in tools} == HOSTED == SogniTools.names
    for name in HOSTED:
        definition = getattr(SogniTools, name)
        assert definition == SogniTools.get(name)
        assert definition["type"] == "function" and definition["function"]["name"] == name
        assert definition["function"]["description"]
        assert definition["function"]["parameters"]["type"] == "object"
    assert [t["function"]["name"] for t in SogniTools.direct] == [
        "generate_image",
        "generate_video",
        "generate_music",
        "edit_image",
        "video_to_video",
        "sound_to_video",
    ]
    assert SogniTools.version == SOGNI_TOOLS_VERSION == "2026-08-24.1"
    with pytest.raises(KeyError):
        SogniTools.get("sogni_generate_image")


def test_definitions_are_copies_an_app_may_change() -> None:
    mine = SogniTools.generate_image
    mine["function"]["parameters"]["properties"].clear()
    SogniTools.all[0]["function"]["name"] = "changed"
    assert SogniTools.generate_image["function"]["parameters"]["properties"]["prompt"]
    assert SogniTools.all[0]["function"]["name"] == "generate_image"


def test_descriptions_explain_the_index_rules() -> None:
    for tool in SogniTools.all:
        properties = tool["function"]["parameters"].get("properties", {})
        for name in INDEXED:
            if name in properties:
                text = properties[name]["description"]
                assert "-1" in text and "0, 1, 2" in text, (tool["function"]["name"], name)


def test_is_sogni_tool_call_takes_a_tool_call_or_its_dict() -> None:
    assert is_sogni_tool_call(ToolCall("c", "generate_music", "{}"))
    assert is_sogni_tool_call({"id": "c", "function": {"name": "stitch_video", "arguments": ""}})
    assert not is_sogni_tool_call(ToolCall("c", "get_weather", "{}"))
    assert not is_sogni_tool_call({"function": {"name": "sogni_generate_image"}})
    assert not is_sogni_tool_call({"function": None})


def test_the_manifest_is_read_on_first_use() -> None:
    code = (
        "import sogni.chat._sogni_tools as m, sogni.chat, sogni; "
        "before = m._manifest.cache_info().currsize; "
        "n = len(sogni.chat.SogniTools.all); "
        "print(before, m._manifest.cache_info().currsize, n)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert out.stdout.split() == ["0", "1", "30"]


# ---------------------------------------------------------------------------- socket switches


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        (True, True),
        (False, False),
        ("creative-tools", "creative-tools"),
        ("creative-agent", "creative-agent"),
        ("rich", "creative-tools"),
        (" RICH ", "creative-tools"),
    ],
)
def test_sogni_tools_is_forwarded_as_the_typescript_sdk_sends_it(
    make_client: Callable[..., SogniClient], fake: FakeSupernet, given: Any, sent: Any
) -> None:
    client = make_client()
    reply = client.chat.completions.create(
        messages=[{"role": "user", "content": "hi"}],
        sogni_tools=given,
        sogni_tool_execution=True,
    )
    (frame,) = fake.frames("llmJobRequest")
    assert frame.payload["sogni_tools"] == sent
    assert frame.payload["sogni_tool_execution"] is True
    assert reply.content.startswith('You said: "hi".')  # accepted, and ignored


def test_the_switches_are_absent_unless_given_and_checked(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    client = make_client()
    client.chat.completions.create(messages=[{"role": "user", "content": "hi"}])
    (frame,) = fake.frames("llmJobRequest")
    assert "sogni_tools" not in frame.payload and "sogni_tool_execution" not in frame.payload
    with pytest.raises(ValidationError) as info:
        client.chat.completions.create(
            messages=[{"role": "user", "content": "hi"}],
            sogni_tools="everything",  # type: ignore[typeddict-item]
            sogni_tool_execution="yes",  # type: ignore[typeddict-item]
        )
    assert info.value.params == ["sogni_tools", "sogni_tool_execution"]
    assert len(fake.frames("llmJobRequest")) == 1


def test_the_fake_calls_a_sogni_tool_with_its_documented_defaults(
    make_client: Callable[..., SogniClient],
) -> None:
    client = make_client()
    expected = {
        "generate_video": {"prompt": "generate_video now", "duration": 2},
        "video_to_video": {"prompt": "video_to_video now", "controlMode": "canny", "duration": 2},
        "generate_music": {"prompt": "generate_music now", "duration": 10},
        "change_angle": {"description": "front view eye-level shot medium shot"},
        "compose_workflow_template": {
            "brief": "compose_workflow_template now",
            "name": "Sample template",
        },
    }
    for name, arguments in expected.items():
        reply = client.chat.completions.create(
            messages=[{"role": "user", "content": f"#rounds=1 {name} now"}],
            tools=[SogniTools.get(name)],
        )
        (tool_call,) = reply.tool_calls
        assert (tool_call.name, json.loads(tool_call.arguments)) == (name, arguments)
