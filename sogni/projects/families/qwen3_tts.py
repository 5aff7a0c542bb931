"""Qwen3-TTS speech (voice clone, custom voice, voice design): the tier says which of
``speaker``, ``instruct``, ``reference_text`` and ``reference_audio`` each id takes."""

from __future__ import annotations

from typing import ClassVar

from ._audio import AudioFamily

__all__ = ["Qwen3Tts"]


class Qwen3Tts(AudioFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "qwen3_tts"
    prefixes: ClassVar[tuple[str, ...]] = ("qwen3_tts_",)
