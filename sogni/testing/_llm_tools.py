"""The fake LLM's tool calls for the Sogni platform tools, and the ``#rounds=N`` rule.

Rule 3a (Sogni tools). A tool named like one of the 30 hosted Sogni tools gets a documented
default argument set, not values generated from its schema, so every call is one the fake (and
the SDK executors) accept: no invented LoRA ids, model names or media URLs.

* ``prompt`` (where the tool has one) is the last user text without ``#rounds=N`` markers (or
  ``"sample prompt"`` when that is empty).
* ``generate_video``, ``sound_to_video``, ``video_to_video`` and ``extend_video``:
  ``duration: 2``; ``generate_music``: ``duration: 10``; ``video_to_video``:
  ``controlMode: "canny"`` (it needs no character image).
* ``edit_image`` and the image tools that read one: ``sourceImageIndex: -1`` when the user
  uploaded an image in the conversation.
* The other required arguments: ``change_angle.description`` ``"front view eye-level shot
  medium shot"``, ``stitch_video.videoIndices`` ``[0]``, ``replace_video_segment``
  ``startSeconds: 0, endSeconds: 1``, ``overlay_video.overlays`` one top-center text,
  ``dance_montage.dance`` ``"rasputin"``, ``enhance_prompt`` ``target_output: "image_prompt"``
  and ``destination_model: "z_image_turbo_bf16"``, ``brief`` (compose tools) the prompt text,
  ``compose_workflow_template.name`` ``"Sample template"``. Anything else the offered schema
  requires is generated from it (rule 7).

Rule 3b (``#rounds=N``). When the last user message contains ``#rounds=N``, the model keeps
calling tools until N tool rounds followed that message: after a round's ``tool`` messages it
calls again instead of answering, then answers as rule 4 says. Round k (from 0) calls one tool,
the k-th (cycling) of those rule 3 would call. From the second round on, the call names the
first media output of the previous round by index: the previous round's first ``tool`` message
whose content is a successful result (``{"success": true, "media_type": ..., "urls": [...]}``),
at the index it has among the outputs of its kind since that user message. The argument is the
one the tool reads for that kind (``referenceImageIndices``, ``sourceImageIndex``,
``videoSourceIndex``, ``audioSourceIndex`` ...); a tool with none for that kind gets no index.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ._schema_values import generate_from_schema

__all__ = ["SOGNI_TOOL_NAMES", "rounds_wanted", "sogni_arguments", "tool_rounds_done"]

_ROUNDS = re.compile(r"#rounds=(\d+)")

# The fake's own list of the hosted tool names (it never imports the client's manifest).
SOGNI_TOOL_NAMES = frozenset(
    [
        "generate_image",
        "generate_video",
        "generate_music",
        "generate_speech",
        "edit_image",
        "apply_style",
        "restore_photo",
        "upscale_image",
        "upscale_video",
        "refine_result",
        "animate_photo",
        "change_angle",
        "video_to_video",
        "stitch_video",
        "orbit_video",
        "dance_montage",
        "sound_to_video",
        "extend_video",
        "replace_video_segment",
        "overlay_video",
        "add_subtitles",
        "enhance_prompt",
        "compose_lyrics",
        "compose_instrumental",
        "compose_script",
        "compose_workflow",
        "compose_workflow_template",
        "image_to_3d",
        "remove_background",
        "segment_image",
    ]
)
_PROMPTED = frozenset(
    [
        "generate_image",
        "generate_video",
        "generate_music",
        "generate_speech",
        "edit_image",
        "apply_style",
        "restore_photo",
        "refine_result",
        "animate_photo",
        "video_to_video",
        "sound_to_video",
        "extend_video",
        "replace_video_segment",
        "orbit_video",
        "enhance_prompt",
        "compose_lyrics",
        "compose_instrumental",
    ]
)
_BRIEFED = frozenset(("compose_script", "compose_workflow", "compose_workflow_template"))
_UPLOAD_SOURCE = frozenset(
    [
        "edit_image",
        "apply_style",
        "restore_photo",
        "refine_result",
        "change_angle",
        "upscale_image",
        "animate_photo",
        "orbit_video",
        "dance_montage",
        "image_to_3d",
        "remove_background",
        "segment_image",
    ]
)
_FIXED: dict[str, dict[str, Any]] = {
    "generate_video": {"duration": 2},
    "sound_to_video": {"duration": 2},
    "video_to_video": {"controlMode": "canny", "duration": 2},
    "extend_video": {"duration": 2},
    "generate_music": {"duration": 10},
    "change_angle": {"description": "front view eye-level shot medium shot"},
    "stitch_video": {"videoIndices": [0]},
    "replace_video_segment": {"startSeconds": 0, "endSeconds": 1},
    "overlay_video": {"overlays": [{"kind": "text", "position": "top-center", "text": "sample"}]},
    "dance_montage": {"dance": "rasputin"},
    "enhance_prompt": {"target_output": "image_prompt", "destination_model": "z_image_turbo_bf16"},
    "compose_workflow_template": {"name": "Sample template"},
}
# Which argument names earlier media of each kind, per tool (a list argument takes [index]).
_INDEX_ARGS: dict[str, dict[str, str]] = {
    "image": {
        "generate_video": "referenceImageIndices",
        "sound_to_video": "sourceImageIndex",
        "video_to_video": "sourceImageIndex",
        **{name: "sourceImageIndex" for name in _UPLOAD_SOURCE},
    },
    "video": {
        "video_to_video": "videoSourceIndex",
        "generate_video": "referenceVideoIndices",
        "extend_video": "videoIndex",
        "replace_video_segment": "videoIndex",
        "upscale_video": "sourceVideoIndex",
        "overlay_video": "sourceVideoIndex",
        "add_subtitles": "sourceVideoIndex",
        "stitch_video": "videoIndices",
    },
    "audio": {
        "sound_to_video": "audioSourceIndex",
        "generate_video": "referenceAudioIndices",
        "stitch_video": "audioIndex",
        "generate_speech": "voiceSourceIndex",
    },
}
_LIST_ARGS = frozenset(
    ("referenceImageIndices", "referenceVideoIndices", "referenceAudioIndices", "videoIndices")
)


def rounds_wanted(text: str) -> int | None:
    match = _ROUNDS.search(text)
    return int(match.group(1)) if match else None


def prompt_text(text: str) -> str:
    cleaned = " ".join(_ROUNDS.sub(" ", text).split())
    return cleaned or "sample prompt"


def _since_last_user(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].get("role") == "user":
            return messages[i + 1 :]
    return list(messages)


def tool_rounds_done(messages: list[dict[str, Any]]) -> int:
    """Assistant turns that called tools since the last user message."""
    return sum(
        1
        for m in _since_last_user(messages)
        if m.get("role") == "assistant" and m.get("tool_calls")
    )


def _output(message: dict[str, Any]) -> tuple[str, int] | None:
    """(media kind, URL count) of a successful media tool result, else None."""
    try:
        content = json.loads(message.get("content") or "")
    except (TypeError, ValueError):
        return None
    if not isinstance(content, dict) or content.get("success") is not True:
        return None
    kind, urls = content.get("media_type"), content.get("urls")
    if kind not in ("image", "video", "audio") or not isinstance(urls, list) or not urls:
        return None
    return kind, len(urls)


def previous_output(messages: list[dict[str, Any]]) -> tuple[str, int] | None:
    """The previous round's first media output: its kind and index among its kind."""
    recent = _since_last_user(messages)
    rounds: list[list[dict[str, Any]]] = []
    for message in recent:
        if message.get("role") == "assistant" and message.get("tool_calls"):
            rounds.append([])
        elif message.get("role") == "tool" and rounds:
            rounds[-1].append(message)
    if not rounds:
        return None
    counts = {"image": 0, "video": 0, "audio": 0}
    for earlier in rounds[:-1]:
        for message in earlier:
            output = _output(message)
            if output is not None:
                counts[output[0]] += output[1]
    for message in rounds[-1]:
        output = _output(message)
        if output is not None:
            return output[0], counts[output[0]]
    return None


def _has_upload(messages: list[dict[str, Any]]) -> bool:
    for message in messages:
        content = message.get("content")
        if (
            message.get("role") == "user"
            and isinstance(content, list)
            and any(isinstance(p, dict) and p.get("type") == "image_url" for p in content)
        ):
            return True
    return False


def sogni_arguments(
    name: str,
    schema: Any,
    text: str,
    messages: list[dict[str, Any]],
    reference: tuple[str, int] | None,
) -> dict[str, Any]:
    """Rule 3a, with rule 3b's index reference when there is one."""
    args: dict[str, Any] = {}
    if name in _PROMPTED:
        args["prompt"] = prompt_text(text)
    if name in _BRIEFED:
        args["brief"] = prompt_text(text)
    args.update(json.loads(json.dumps(_FIXED.get(name, {}))))
    if name in _UPLOAD_SOURCE and _has_upload(messages):
        args["sourceImageIndex"] = -1
    if reference is not None:
        kind, index = reference
        key = _INDEX_ARGS[kind].get(name)
        if key is not None:
            args[key] = [index] if key in _LIST_ARGS else index
    required = schema.get("required") if isinstance(schema, dict) else None
    properties = schema.get("properties") if isinstance(schema, dict) else None
    for key in required or ():
        if key not in args and isinstance(properties, dict):
            args[key] = generate_from_schema(properties.get(key) or {"type": "string"})
    return args
