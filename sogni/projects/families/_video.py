"""Video families: the :class:`VideoFamily` hooks, the :class:`VideoCheck` they receive, and
the workflow asset table the families share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ..._wire.js import trim
from .._checks import MAX_SEED, Problems
from .._numbers import js_round
from ..catalog import NumericRange
from ._base import Family, FamilyCheck, MediaType

if TYPE_CHECKING:
    from ..catalog import VideoModelOptions
    from ..params import VideoProjectParams

__all__ = [
    "DOCUMENTED_SHIFT",
    "URL_FIELDS",
    "VIDEO_ASSETS",
    "VIDEO_MIN_SIDE",
    "WORKFLOW_ASSETS",
    "VideoCheck",
    "VideoFamily",
    "check_assets",
    "ts_name",
]

VIDEO_MIN_SIDE: Final = 480
# The shift range WAN 2.2 and LTX document, used when their tier gives none.
DOCUMENTED_SHIFT: Final = (1, 8)
URL_FIELDS: Final = ("reference_image_urls", "reference_video_urls", "reference_audio_urls")

# The media inputs the workflow table speaks about, by parameter name.
VIDEO_ASSETS: Final = (
    "reference_image",
    "reference_image_end",
    "reference_audio",
    "reference_audio_identity",
    "reference_video",
    "reference_mask",
)
_R, _O, _F = "required", "optional", "forbidden"
# Workflow -> requirement of each of VIDEO_ASSETS, in that order.
WORKFLOW_ASSETS: Final = {
    "upscale": (_F, _F, _F, _F, _R, _F),
    "t2v": (_F, _F, _F, _O, _F, _F),
    "i2v": (_O, _O, _F, _O, _F, _F),
    "flf2v": (_R, _R, _F, _F, _F, _F),
    "flfa2v": (_R, _R, _R, _F, _F, _F),
    "s2v": (_R, _F, _R, _F, _F, _F),
    "ia2v": (_R, _F, _R, _F, _F, _F),
    "a2v": (_F, _F, _R, _F, _F, _F),
    "animate-move": (_R, _F, _F, _F, _R, _F),
    "animate-replace": (_R, _F, _F, _F, _R, _F),
    "v2v": (_O, _F, _F, _O, _R, _O),
    "r2v": (_O, _F, _F, _F, _F, _F),
}


def ts_name(name: str) -> str:
    """A parameter's TypeScript name, as the official error messages spell it."""
    from ..params import PARAM_NAMES_TS

    return PARAM_NAMES_TS.get(name, name)


class VideoCheck(FamilyCheck):
    """One video project under validation, as the family hooks see it.

    ``ok`` holds the values that passed their type check (the family rules reason only about
    usable values, so one mistake makes one problem); :meth:`given` says whether a parameter
    was set at all.
    """

    params: VideoProjectParams
    tier: VideoModelOptions | None
    family: VideoFamily | None

    def __init__(
        self,
        params: VideoProjectParams,
        model_id: str,
        tier: VideoModelOptions | None,
        problems: Problems,
        family: VideoFamily | None,
    ) -> None:
        super().__init__(params, model_id, tier, problems, family)
        self.workflow = family.workflow(model_id) if family is not None else None
        self.ok: dict[str, Any] = {}

    def number(
        self,
        name: str,
        low: float | None = None,
        high: float | None = None,
        *,
        integer: bool = False,
    ) -> None:
        value = getattr(self.params, name)
        if self.p.number(name, value, low, high, integer=integer):
            self.ok[name] = value

    def given(self, name: str) -> bool:
        value = getattr(self.params, name)
        return value != () if isinstance(value, tuple) else value is not None

    def urls(self, name: str) -> tuple[str, ...]:
        value = self.ok.get(name)
        return value if isinstance(value, tuple) else ()

    def refuse_unless(self, condition: bool, names: tuple[str, ...], message: str) -> None:
        for name in names:
            if not condition and self.given(name):
                self.p.add(name, message)


class VideoFamily(Family):
    """Hooks of a video family. The official client refuses a video id no family claims."""

    media: ClassVar[MediaType] = "video"
    vendor: ClassVar[bool] = False
    """Rendered by an external provider: Spark-only, no negative prompt, URL references."""
    sends_negative_prompt: ClassVar[bool] = True
    """False: the request carries no ``negativePrompt`` key."""
    tier_steps: ClassVar[bool] = True
    """False: ``steps`` is not checked against the tier's range (the family fixes it)."""
    tier_guidance: ClassVar[bool] = True
    tier_fps: ClassVar[bool] = True
    """False: ``fps`` is not checked against the tier's list."""
    tier_frames: ClassVar[bool] = True
    """False: ``frames`` is not checked against the tier's range (the family has a grid)."""

    # ------------------------------------------------------------------ identity

    def workflow(self, model_id: str) -> str | None:
        """The workflow the id names (``t2v``, ``i2v``, ``s2v``, ``r2v``…), or None."""
        return None

    def asset_rules(self, model_id: str) -> Mapping[str, str] | None:
        """Parameter -> required/optional/forbidden for the id's workflow."""
        workflow = self.workflow(model_id)
        if workflow is None:
            return None
        return dict(zip(VIDEO_ASSETS, WORKFLOW_ASSETS[workflow]))

    def numbered_references(self, model_id: str) -> bool:
        """Whether references travel as numbered sets (``hasReferenceVideo1``…) that the
        list parameters (``context_images``, ``reference_videos``…) extend."""
        return False

    # ------------------------------------------------------------------ frame math

    def default_fps(self, model_id: str) -> int | None:
        """The ``fps`` the request carries when the caller gives none (None: no key)."""
        return None

    def math_fps(self, model_id: str, fps: float | None) -> float:
        """The frame rate the frame math uses."""
        return fps if fps is not None else 24

    def frames(self, model_id: str, duration: float, fps: float | None) -> int:
        """The frame count ``duration`` seconds become (``fps`` None: the default)."""
        return js_round(duration * self.math_fps(model_id, fps)) + 1

    def duration_range(self, model_id: str, fps: float | None) -> tuple[float, float | None]:
        """``(min, max)`` seconds (max None: no limit)."""
        return 1, 10

    # ------------------------------------------------------------------ validation

    def seed_range(self, model_id: str) -> tuple[int, int]:
        return 0, MAX_SEED

    def shift_range(self, model_id: str) -> NumericRange | None:
        """The ``shift`` range when the tier declares none (None: unchecked)."""
        return None

    def check_references(self, check: VideoCheck) -> None:
        """The reference media and URLs; the default refuses URL references and applies the
        workflow's asset table."""
        for name in (*URL_FIELDS, "reference_file_url", "reference_link_url"):
            if check.given(name):
                check.add(
                    name,
                    "External reference URLs are supported only by Seedance, HappyHorse, and "
                    "Wan 3 models.",
                )
        check_assets(check)

    def validate(self, check: VideoCheck) -> None:
        """The family's own rules, after the references and before timing and size."""
        if self.vendor:
            params, model = check.params, check.model_id
            if params.token_type == "sogni":
                check.add("token_type", f"{model} is Spark-only: use token_type='spark'")
            if isinstance(params.negative_prompt, str) and trim(params.negative_prompt):
                check.add("negative_prompt", f"{model} takes no negative prompt")

    def refuse(self, check: VideoCheck) -> None:
        """Called for video projects of other families: refuse options only this one takes."""

    def check_fps(self, check: VideoCheck, fps: float) -> bool:
        """The family's fps rule; False when it refused ``fps``."""
        return True

    def check_duration(self, check: VideoCheck, duration: float, fps: float | None) -> None:
        low, high = self.duration_range(check.model_id, fps)
        if duration < low or (high is not None and duration > high):
            limit = f"{low:g} to {high:g}" if high is not None else f"at least {low:g}"
            check.add("duration", f"must be {limit} seconds for {check.model_id}, got {duration!r}")

    def check_size(self, check: VideoCheck) -> None:
        """``width``/``height`` together, at least 480 px, within the tier's limits."""
        p, params, tier, model = check.p, check.params, check.tier, check.model_id
        width, height = params.width, params.height
        if (width is None) != (height is None):
            p.add(
                "height" if height is None else "width", "width and height must be given together"
            )
            return
        if width is None or height is None or "width" not in check.ok or "height" not in check.ok:
            return
        for name, value, limit in (
            ("width", width, tier.width if tier else None),
            ("height", height, tier.height if tier else None),
        ):
            if value < VIDEO_MIN_SIDE:
                p.add(name, f"Video {name} must be at least {VIDEO_MIN_SIDE}, got {value}")
            elif limit is not None and value > limit.max:
                p.add(name, f"must be at most {limit.max:g} for {model}, got {value}")
        max_pixels = tier.max_pixels if tier else None
        if max_pixels and width * height > max_pixels:
            p.add("width", f"width x height must be at most {max_pixels} pixels for {model}")

    # ------------------------------------------------------------------ request and estimate

    def write_key_frame(self, params: VideoProjectParams, kf: dict[str, Any]) -> None:
        """Set or force the family's own key-frame fields (snake_case names of
        :class:`sogni._wire.job_request.VideoKeyFrame`) after the shared ones."""

    def estimate_size(
        self,
        params: VideoProjectParams,
        source: tuple[int | None, int | None],
        query: dict[str, str],
    ) -> tuple[int | None, int | None, int | None]:
        """``(width, height, steps)`` a cost estimate quotes (None: the tier's default or, for
        steps, none); ``source`` is the caller's ``source_width``/``source_height``."""
        return params.width, params.height, params.steps


def check_assets(check: VideoCheck) -> None:
    """The workflow's required and forbidden media."""
    family, workflow = check.family, check.workflow
    rules = family.asset_rules(check.model_id) if family is not None else None
    if rules is None or workflow is None:
        return
    params = check.params
    if workflow == "i2v" and params.reference_image is None and params.reference_image_end is None:
        check.add(
            "reference_image",
            "i2v workflow requires at least one of referenceImage or referenceImageEnd. "
            "Please provide this asset.",
        )
    for name, rule in rules.items():
        present = getattr(params, name) is not None
        if rule == "required" and not present:
            check.add(
                name, f"{workflow} workflow requires {ts_name(name)}. Please provide this asset."
            )
        elif rule == "forbidden" and present:
            check.add(
                name,
                f"{workflow} workflow does not support {ts_name(name)}. Please remove this asset.",
            )
            check.ok[f"forbidden:{name}"] = True
