"""Model families: one module per family, each a :class:`Family` the request pipeline asks.

What the official clients decide by model id lives here, one family per module: how ids are
recognised, parameter defaults, validation rules, frame math, the request fields a family
writes, the assets each workflow takes and what a cost estimate quotes. The shared pipeline
(the validation walk, the request skeleton, the estimate paths) asks the project's family and
knows no family by name.

The registry is public but provisional (its hooks may still change in a minor release): a
model the SDK does not know yet can be supported by a family registered from outside::

    from sogni.projects.families import ImageCheck, ImageFamily, register_family

    class Toy(ImageFamily):
        name = "toy"
        model_ids = frozenset({"toy-model-v1"})

        def defaults(self, model_id):
            return {"steps": 6}

        def validate(self, check: ImageCheck) -> None:
            if check.params.steps is not None and check.params.steps % 2:
                check.add("steps", "toy steps must be even")

    unregister = register_family(Toy())

Registered families are consulted before the built-in ones (in the order they were added);
the registry is process-wide, so tests remove what they add (call the returned function).
Image ids no family claims follow Stable Diffusion and Flux rules and audio ids the tier
alone; a video id no family claims is refused, as the official client refuses it.
"""

from __future__ import annotations

from typing import ClassVar

from ._audio import AudioCheck, AudioFamily
from ._base import (
    Family,
    MediaType,
    find_family,
    register_builtin,
    register_family,
    registered_families,
)
from ._image import ImageCheck, ImageFamily
from ._video import VideoCheck, VideoFamily
from .ace_step import AceStep
from .birefnet import BiRefNet
from .comfy_image import ComfyImage
from .flashvsr import FlashVsr
from .gpt_image import GptImage
from .happyhorse import HappyHorse
from .ltx import Ltx
from .minimax_h3 import MinimaxH3
from .minimax_music import MinimaxMusic
from .pixal3d import Pixal3D
from .qwen3_tts import Qwen3Tts
from .qwen_image import QwenImage
from .sam3 import Sam3
from .seedance import Seedance
from .standard_image import StandardImage
from .wan3 import Wan3
from .wan22 import Wan22

__all__ = [
    "AudioCheck",
    "AudioFamily",
    "Family",
    "ImageCheck",
    "ImageFamily",
    "MediaType",
    "VideoCheck",
    "VideoFamily",
    "audio_family",
    "family_for",
    "image_family",
    "register_family",
    "registered_families",
    "video_family",
]


class _AnyAudio(AudioFamily):
    """Audio ids no other family claims: the tier alone limits them."""

    name: ClassVar[str] = "audio"

    def matches(self, model_id: str) -> bool:
        return True


_STANDARD_IMAGE = StandardImage()
_ANY_AUDIO = _AnyAudio()
# Lookup order among the built-ins: the catch-all families come last.
for _family in (
    GptImage(),
    Sam3(),
    BiRefNet(),
    Pixal3D(),
    QwenImage(),
    ComfyImage(),
    _STANDARD_IMAGE,
    Wan22(),
    Ltx(),
    Seedance(),
    HappyHorse(),
    Wan3(),
    MinimaxH3(),
    FlashVsr(),
    AceStep(),
    MinimaxMusic(),
    Qwen3Tts(),
    _ANY_AUDIO,
):
    register_builtin(_family)


def family_for(model_id: str, media: MediaType) -> Family | None:
    """The family ``model_id`` belongs to for a project of ``media`` (None: a video id no
    family claims)."""
    return find_family(media, model_id)


def image_family(model_id: str) -> ImageFamily:
    """The family of an image model id (Stable Diffusion and Flux rules when none claims it)."""
    family = find_family("image", model_id)
    return family if isinstance(family, ImageFamily) else _STANDARD_IMAGE


def video_family(model_id: str) -> VideoFamily | None:
    """The family of a video model id, or None when no family claims it."""
    family = find_family("video", model_id)
    return family if isinstance(family, VideoFamily) else None


def audio_family(model_id: str) -> AudioFamily:
    """The family of an audio model id (the tier's own ranges when none claims it)."""
    family = find_family("audio", model_id)
    return family if isinstance(family, AudioFamily) else _ANY_AUDIO
