"""Wire-parity rows for the platform tool executor: one tool call each, with the argument
spellings the TypeScript SDK's executor reads, run through its ``chat.tools.execute`` and through
ours. Media arguments are inline data URIs (or indices into a media context of data URIs)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sogni.chat import MediaContext

from .case import MediaFile

__all__ = ["TOOL_CASES", "ToolCase", "data_uri"]

_MIME = {"png": "image/png", "jpg": "image/jpeg", "wav": "audio/wav", "mp4": "video/mp4"}


def data_uri(spec: MediaFile) -> str:
    return f"data:{_MIME[spec.kind]};base64,{base64.b64encode(spec.render()).decode('ascii')}"


PORTRAIT = data_uri(MediaFile("png", 64, 96, "teal"))
SQUARE = data_uri(MediaFile("png", 64, 64, "maroon"))
VOICE = data_uri(MediaFile("wav", 20))  # 2 seconds
CLIP = data_uri(MediaFile("mp4"))


@dataclass(frozen=True)
class ToolCase:
    """One call: ``tool`` with ``arguments`` (TypeScript spellings) and the executor options in
    the TypeScript SDK's form (``tokenType``, ``network``, ``numberOfMedia``, ``mediaContext``).
    ``ours`` replaces the arguments on our side (only the canary row differs on purpose)."""

    name: str
    tool: str
    arguments: Mapping[str, Any]
    options: Mapping[str, Any] = field(default_factory=dict)
    ours: Mapping[str, Any] | None = None

    @property
    def prompt(self) -> str:
        return f"parity tool {self.name}"

    def ts_call(self) -> dict[str, Any]:
        return _call(self.name, self.tool, {"prompt": self.prompt, **self.arguments})

    def our_call(self) -> dict[str, Any]:
        arguments = self.arguments if self.ours is None else self.ours
        return _call(self.name, self.tool, {"prompt": self.prompt, **arguments})

    def our_options(self) -> dict[str, Any]:
        names = {
            "tokenType": "token_type",
            "network": "network",
            "numberOfMedia": "number_of_media",
        }
        out: dict[str, Any] = {names[k]: v for k, v in self.options.items() if k in names}
        context = self.options.get("mediaContext")
        if context is not None:
            out["media_context"] = MediaContext(
                images=context.get("images", ()),
                videos=context.get("videos", ()),
                audio=context.get("audio", ()),
                uploaded_images=context.get("uploadedImages", ()),
                uploaded_videos=context.get("uploadedVideos", ()),
                uploaded_audio=context.get("uploadedAudio", ()),
            )
        return out


def _call(name: str, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    import json

    return {
        "id": f"call_{name}",
        "type": "function",
        "function": {"name": tool, "arguments": json.dumps(arguments)},
    }


TOOL_CASES: list[ToolCase] = [
    # ------------------------------------------------------------------ generate_image
    ToolCase("image_plain", "generate_image", {}),
    ToolCase(
        "image_z_turbo_sized",
        "generate_image",
        {
            "model": "z-turbo",
            "width": 1024,
            "height": 768,
            "seed": 7,
            "steps": 6,
            "negative_prompt": "blurry",
            "numberOfVariations": 2,
            "output_format": "jpeg",
        },
    ),
    ToolCase(
        "image_gpt_options",
        "generate_image",
        {
            "model": "GPT Image",
            "gpt_image_quality": "High",
            "gptImageBackground": "opaque",
            "outputFormat": "webp",
            "gptImageOutputCompression": 80,
        },
    ),
    ToolCase(
        "image_options_spark",
        "generate_image",
        {"model": "flux1-schnell-fp8"},
        {"tokenType": "spark", "network": "fast", "numberOfMedia": 3},
    ),
    # ------------------------------------------------------------------ edit_image
    ToolCase("edit_default_model", "edit_image", {"source_image_url": PORTRAIT}),
    ToolCase(
        "edit_gpt_two_references",
        "edit_image",
        {
            "model": "gpt-image-2",
            "source_image_url": PORTRAIT,
            "reference_image_urls": [SQUARE],
            "gpt_image_quality": "low",
            "width": 1024,
            "height": 1024,
        },
    ),
    ToolCase(
        "edit_krea_identity",
        "edit_image",
        {
            "model": "krea-identity-edit",
            "source_image_url": SQUARE,
            "seed": 11,
            "negative_prompt": "text",
        },
    ),
    # ------------------------------------------------------------------ generate_video
    ToolCase("video_t2v_default", "generate_video", {"duration": 3}),
    ToolCase(
        "video_i2v_uploaded_index",
        "generate_video",
        {
            "videoModel": "ltx23",
            "referenceImageIndices": [-1],
            "negativePrompt": "shaky",
            "seed": 5,
            "generateAudio": False,
            "duration": 2,
        },
        {"mediaContext": {"images": [], "uploadedImages": [PORTRAIT]}},
    ),
    ToolCase(
        "video_h3_inline_image",
        "generate_video",
        {"videoModel": "minimax-h3-turbo", "reference_image_url": SQUARE, "duration": 6},
    ),
    ToolCase(
        "video_seedance_generated_index",
        "generate_video",
        {"videoModel": "seedance2", "referenceImageIndices": [0], "duration": 5},
        {"mediaContext": {"images": [SQUARE]}},
    ),
    ToolCase(
        "video_wan_sized",
        "generate_video",
        {"videoModel": "wan22", "width": 832, "height": 480, "fps": 16, "duration": 2},
    ),
    # ------------------------------------------------------------------ sound_to_video
    ToolCase("sound_a2v", "sound_to_video", {"reference_audio_url": VOICE, "duration": 2}),
    ToolCase(
        "sound_ia2v_audio_start",
        "sound_to_video",
        {
            "reference_audio_url": VOICE,
            "reference_image_url": PORTRAIT,
            "audio_start": 0.5,
            "generateAudio": True,
            "duration": 2,
        },
    ),
    ToolCase(
        "sound_wan_s2v",
        "sound_to_video",
        {
            "videoModel": "wan-s2v",
            "reference_audio_url": VOICE,
            "reference_image_url": SQUARE,
            "duration": 2,
            "seed": 3,
        },
    ),
    ToolCase(
        "sound_h3_flfa2v",
        "sound_to_video",
        {
            "reference_audio_url": VOICE,
            "reference_image_url": SQUARE,
            "reference_image_end_url": PORTRAIT,
            "audioStart": 0,
            "duration": 2,
        },
    ),
    # ------------------------------------------------------------------ video_to_video
    ToolCase(
        "v2v_animate_move_default",
        "video_to_video",
        {"reference_video_url": CLIP, "reference_image_url": PORTRAIT, "duration": 2},
    ),
    ToolCase(
        "v2v_canny",
        "video_to_video",
        {
            "reference_video_url": CLIP,
            "control_mode": "canny",
            "negativePrompt": "noise",
            "duration": 2,
            "seed": 9,
        },
    ),
    ToolCase(
        "v2v_detailer_ltx25",
        "video_to_video",
        {
            "reference_video_url": CLIP,
            "control_mode": "detailer",
            "videoModel": "ltx25-v2v",
            "detailer_strength": 0.5,
            "duration": 2,
        },
    ),
    ToolCase(
        "v2v_animate_replace",
        "video_to_video",
        {
            "reference_video_url": CLIP,
            "reference_image_url": SQUARE,
            "control_mode": "animate-replace",
            "duration": 2,
        },
    ),
    # ------------------------------------------------------------------ generate_music
    ToolCase("music_default", "generate_music", {}),
    ToolCase(
        "music_music3_lyrics",
        "generate_music",
        {"model": "minimax_music3", "duration": 30, "lyrics": "la la la\nsing along"},
    ),
    ToolCase(
        "music_ace_full",
        "generate_music",
        {
            "model": "ace_step_1.5_turbo",
            "duration": 20,
            "bpm": 100,
            "keyscale": "A minor",
            "timesignature": 3,
            "language": "en",
            "output_format": "wav",
            "creativity": 0.5,
            "seed": 42,
        },
    ),
]
