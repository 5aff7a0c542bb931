"""MiniMax Music 3: 10-300 s songs with a prompt strength; no tempo, time signature or
shift."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final

from ..catalog import NumericRange
from ._audio import AudioFamily

__all__ = ["MUSIC3_MODEL_ID", "MUSIC3_RANGES", "MinimaxMusic"]

#: The MiniMax Music 3 model id.
MUSIC3_MODEL_ID: Final = "minimax_music3"
#: MiniMax Music 3's numeric ranges (min, max, step, default) by parameter name.
MUSIC3_RANGES: Final[dict[str, NumericRange | None]] = {
    "duration": NumericRange(min=10, max=300, step=1, default=60),
    "bpm": None,
    "prompt_strength": NumericRange(min=0, max=10, step=1, default=1.7),
    "shift": None,
}


class MinimaxMusic(AudioFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "minimax_music"
    model_ids: ClassVar[frozenset[str]] = frozenset({MUSIC3_MODEL_ID})

    def documented_ranges(self, model_id: str) -> Mapping[str, NumericRange | None]:
        return MUSIC3_RANGES

    def refused_options(self, model_id: str) -> tuple[str, ...]:
        return ("time_signature",)
