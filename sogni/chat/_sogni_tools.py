"""The Sogni platform tools: the 30 hosted creative tools, as OpenAI-style definitions.

The names and argument schemas are the service's (the hosted tool manifest); the descriptions
are this SDK's own and explain how media is addressed by index. The manifest ships as package
data (``data/sogni_tools.json``) and is read on first use.

Six tools run directly from this SDK as media projects (``chat.tools.execute``):
``generate_image``, ``edit_image``, ``generate_video``, ``sound_to_video``, ``video_to_video``
and ``generate_music``. The other 24 run only on the server (hosted chat and durable runs).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from ._models import ToolCall

__all__ = [
    "DIRECT_TOOLS",
    "SOGNI_TOOLS_VERSION",
    "SogniTools",
    "is_sogni_tool_call",
    "is_tool_name",
    "manifest_tools",
    "tool_schema",
]

DIRECT_TOOLS = frozenset(
    (
        "generate_image",
        "edit_image",
        "generate_video",
        "sound_to_video",
        "video_to_video",
        "generate_music",
    )
)
"""The tools ``chat.tools.execute`` runs as projects; the others answer that they are hosted."""

SOGNI_TOOLS_VERSION = "2026-08-24.1"
"""The version of the hosted tool manifest the package data follows."""


@functools.lru_cache(maxsize=1)
def _manifest() -> tuple[dict[str, Any], ...]:
    text = resources.files("sogni.chat").joinpath("data/sogni_tools.json").read_text("utf-8")
    data = json.loads(text)
    return tuple(data["tools"])


@functools.lru_cache(maxsize=1)
def _by_name() -> dict[str, dict[str, Any]]:
    return {tool["function"]["name"]: tool for tool in _manifest()}


def manifest_tools() -> tuple[dict[str, Any], ...]:
    """The shared (read-only) definitions; callers that hand them out copy them."""
    return _manifest()


def is_tool_name(name: Any) -> bool:
    return isinstance(name, str) and name in _by_name()


def tool_schema(name: str) -> dict[str, Any] | None:
    """The shared ``parameters`` schema of a tool (None: no such tool, or no parameters)."""
    tool = _by_name().get(name)
    if tool is None:
        return None
    schema: dict[str, Any] | None = tool["function"].get("parameters")
    return schema


def _tool(name: str) -> dict[str, Any]:
    return copy.deepcopy(_by_name()[name])


class _SogniToolsType:
    """The namespace behind :data:`SogniTools`: one accessor per tool, each returning a fresh
    copy of its definition (so an app may change it without touching the manifest)."""

    __slots__ = ()

    @property
    def all(self) -> list[dict[str, Any]]:
        """All 30 tool definitions, in the manifest's order (fresh copies)."""
        return copy.deepcopy(list(_manifest()))

    @property
    def names(self) -> frozenset[str]:
        """The 30 tool names."""
        return frozenset(_by_name())

    @property
    def direct(self) -> list[dict[str, Any]]:
        """The six tools ``chat.tools.execute`` runs from this SDK, as definitions."""
        return [copy.deepcopy(t) for t in _manifest() if t["function"]["name"] in DIRECT_TOOLS]

    @property
    def version(self) -> str:
        return SOGNI_TOOLS_VERSION

    def get(self, name: str) -> dict[str, Any]:
        """One tool by its name (``KeyError`` for an unknown name)."""
        if name not in _by_name():
            raise KeyError(f"no Sogni tool named {name!r}")
        return _tool(name)

    # One accessor per tool, snake_case like the tool names.
    @property
    def image_to_3d(self) -> dict[str, Any]:
        return _tool("image_to_3d")

    @property
    def remove_background(self) -> dict[str, Any]:
        return _tool("remove_background")

    @property
    def segment_image(self) -> dict[str, Any]:
        return _tool("segment_image")

    @property
    def generate_image(self) -> dict[str, Any]:
        return _tool("generate_image")

    @property
    def edit_image(self) -> dict[str, Any]:
        return _tool("edit_image")

    @property
    def generate_video(self) -> dict[str, Any]:
        return _tool("generate_video")

    @property
    def sound_to_video(self) -> dict[str, Any]:
        return _tool("sound_to_video")

    @property
    def video_to_video(self) -> dict[str, Any]:
        return _tool("video_to_video")

    @property
    def generate_music(self) -> dict[str, Any]:
        return _tool("generate_music")

    @property
    def generate_speech(self) -> dict[str, Any]:
        return _tool("generate_speech")

    @property
    def apply_style(self) -> dict[str, Any]:
        return _tool("apply_style")

    @property
    def restore_photo(self) -> dict[str, Any]:
        return _tool("restore_photo")

    @property
    def refine_result(self) -> dict[str, Any]:
        return _tool("refine_result")

    @property
    def change_angle(self) -> dict[str, Any]:
        return _tool("change_angle")

    @property
    def animate_photo(self) -> dict[str, Any]:
        return _tool("animate_photo")

    @property
    def upscale_image(self) -> dict[str, Any]:
        return _tool("upscale_image")

    @property
    def upscale_video(self) -> dict[str, Any]:
        return _tool("upscale_video")

    @property
    def stitch_video(self) -> dict[str, Any]:
        return _tool("stitch_video")

    @property
    def orbit_video(self) -> dict[str, Any]:
        return _tool("orbit_video")

    @property
    def dance_montage(self) -> dict[str, Any]:
        return _tool("dance_montage")

    @property
    def extend_video(self) -> dict[str, Any]:
        return _tool("extend_video")

    @property
    def replace_video_segment(self) -> dict[str, Any]:
        return _tool("replace_video_segment")

    @property
    def overlay_video(self) -> dict[str, Any]:
        return _tool("overlay_video")

    @property
    def add_subtitles(self) -> dict[str, Any]:
        return _tool("add_subtitles")

    @property
    def enhance_prompt(self) -> dict[str, Any]:
        return _tool("enhance_prompt")

    @property
    def compose_lyrics(self) -> dict[str, Any]:
        return _tool("compose_lyrics")

    @property
    def compose_instrumental(self) -> dict[str, Any]:
        return _tool("compose_instrumental")

    @property
    def compose_script(self) -> dict[str, Any]:
        return _tool("compose_script")

    @property
    def compose_workflow(self) -> dict[str, Any]:
        return _tool("compose_workflow")

    @property
    def compose_workflow_template(self) -> dict[str, Any]:
        return _tool("compose_workflow_template")

    def __repr__(self) -> str:
        return f"<SogniTools: {len(_manifest())} hosted tools, manifest {SOGNI_TOOLS_VERSION}>"


SogniTools = _SogniToolsType()
"""The Sogni platform tools: ``SogniTools.all`` (every definition, for ``tools=``),
``SogniTools.generate_image`` and one accessor per tool, ``SogniTools.get(name)``."""


def _call_name(call: Any) -> Any:
    if isinstance(call, ToolCall):
        return call.name
    function = call.get("function") if isinstance(call, Mapping) else None
    return function.get("name") if isinstance(function, Mapping) else None


def is_sogni_tool_call(call: ToolCall | Mapping[str, Any]) -> bool:
    """Whether a tool call names one of the 30 Sogni platform tools (a :class:`ToolCall` or
    its dict form)."""
    return is_tool_name(_call_name(call))
