"""Audio families: the :class:`AudioFamily` hooks and the :class:`AudioCheck` they receive."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..catalog import NumericRange
from ._base import Family, FamilyCheck, MediaType

if TYPE_CHECKING:
    from ..catalog import AudioModelOptions
    from ..params import AudioProjectParams

__all__ = ["AudioCheck", "AudioFamily"]


class AudioCheck(FamilyCheck):
    """One audio project under validation, as the family hooks see it."""

    params: AudioProjectParams
    tier: AudioModelOptions | None
    family: AudioFamily


class AudioFamily(Family):
    """Hooks of an audio family. Tiers carry most audio limits; a family adds the documented
    ranges and lists used when the tier declares none."""

    media: ClassVar[MediaType] = "audio"

    def documented_ranges(self, model_id: str) -> Mapping[str, NumericRange | None]:
        """Option -> range used when the tier declares none; None: the model has no such
        option (refused unless its tier declares it)."""
        return {}

    def documented_choices(self, model_id: str) -> Mapping[str, tuple[str, ...]]:
        """Option (``time_signature``, ``keyscale``, ``language``) -> values used when the tier
        declares none."""
        return {}

    def refused_options(self, model_id: str) -> tuple[str, ...]:
        """List options the model does not have (refused unless its tier declares them)."""
        return ()

    def validate(self, check: AudioCheck) -> None:
        """The family's own rules, after the checks every audio project shares."""

    def refuse(self, check: AudioCheck) -> None:
        """Called for audio projects of other families: refuse options only this one takes."""

    def write_key_frame(self, params: AudioProjectParams, kf: dict[str, Any]) -> None:
        """Set the family's own key-frame fields on a validated project."""
