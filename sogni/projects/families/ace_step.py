"""ACE-Step 1.5 music (Turbo, SFT and the XL ids): 10-600 s, tempo, time signature, key,
lyrics language, prompt strength, creativity and shift, each with a documented range or list
used when the tier declares none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final

from ..catalog import NumericRange
from ._audio import AudioFamily

__all__ = ["ACE_STEP_RANGES", "KEYSCALES", "LYRICS_LANGUAGES", "TIME_SIGNATURES", "AceStep"]


def _range(low: float, high: float, default: float) -> NumericRange:
    return NumericRange(min=low, max=high, step=1, default=default)


#: ACE-Step's numeric ranges (min, max, step, default) by parameter name.
ACE_STEP_RANGES: Final[dict[str, NumericRange | None]] = {
    "duration": _range(10, 600, 30),
    "bpm": _range(30, 300, 120),
    "prompt_strength": _range(0, 10, 2),
    "creativity": _range(0, 2, 0.85),
    "shift": _range(1, 5, 3),
}
_KEY_ROOTS: Final = tuple(
    f"{letter}{accidental}"
    for letter in "ABCDEFG"
    for accidental in ("", "#", "b", "\u266f", "\u266d")
)
#: Every ``keyscale`` ACE-Step accepts: a root (with #, b, ♯ or ♭) and ``major`` or ``minor``.
KEYSCALES: Final = tuple(f"{root} {mode}" for root in _KEY_ROOTS for mode in ("major", "minor"))
#: The ``timesignature`` values ACE-Step accepts (beats per bar).
TIME_SIGNATURES: Final = ("2", "3", "4", "6")
# fmt: off
#: The lyrics languages ACE-Step accepts (``language`` codes).
LYRICS_LANGUAGES: Final = (
    "ar", "az", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "es", "fa", "fi", "fr", "he",
    "hi", "hr", "ht", "hu", "id", "is", "it", "ja", "ko", "la", "lt", "ms", "ne", "nl", "no",
    "pa", "pl", "pt", "ro", "ru", "sa", "sk", "sr", "sv", "sw", "ta", "te", "th", "tl", "tr",
    "uk", "ur", "vi", "yue", "zh", "unknown",
)
# fmt: on
_CHOICES: Final = {
    "time_signature": TIME_SIGNATURES,
    "keyscale": KEYSCALES,
    "language": LYRICS_LANGUAGES,
}


class AceStep(AudioFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "ace_step"
    prefixes: ClassVar[tuple[str, ...]] = ("ace_step",)

    def documented_ranges(self, model_id: str) -> Mapping[str, NumericRange | None]:
        return ACE_STEP_RANGES

    def documented_choices(self, model_id: str) -> Mapping[str, tuple[str, ...]]:
        return _CHOICES
