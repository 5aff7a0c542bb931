"""Video checks (protocol/02 §7.4-§7.6), collected like the image checks.

The official TypeScript client checks, before sending: export options, which models take
``context_images`` and the numbered H3 reference lists, the workflow's required and forbidden
media (§7.5), the Seedance, HappyHorse, Wan 3, FlashVSR and MiniMax H3 rules, the duration
range of each family, ``teacache_threshold`` 0..1, ControlNet strength 0..1, a 480 px video
minimum and the sampler/scheduler lists. This module checks all of them and, because a refusal
is cheaper before the uploads, this documented superset:

* every value's type; ``frames`` a positive integer and not together with ``duration``;
  ``width``/``height`` integers given together, within the tier's maximum and pixel budget;
* ``fps``: 16 or 32 on WAN 2.2, 1-60 on LTX and FlashVSR, 24 on Seedance and HappyHorse
  (documented as fixed), and the tier's ``fps`` list when it declares one;
* ``steps``, ``guidance`` and ``shift`` inside the tier's ranges (``shift`` 1-8 on WAN/LTX
  when the tier gives none), ``audio_start``/``video_start`` >= 0 and ``audio_duration`` > 0
  (and the tier's minimums), first/last-frame and detailer strengths 0..1,
  ``audio_identity_strength`` 0..10;
* Seedance output sizes inside the documented classes (2.0 up to 4K, Mini/Fast 720p, 2.5
  1080p, as the short edge on the 32 px grid: 2176, 736, 1088);
* Seedance, HappyHorse and Wan 3 are Spark-only (``token_type="sogni"`` is refused) and take
  no negative prompt (the official client drops it silently);
* inputs that would be dropped silently are refused: ``reference_mask`` without an
  ``inpaint`` ControlNet, ``control_net`` off the LTX v2v models, the Wan 3 options
  (``prompt_extend``, ``watermark``, ``ratio``, ``reference_file_url``, ``reference_link_url``)
  on other models, ``sam2_coordinates`` off animate-replace, and ``reference_audio`` together
  with ``reference_audio_identity`` (both upload to the one ``referenceAudio`` slot);
* MiniMax H3 ``keyframes`` (newer Python SDK): H3 i2v/flf2v/audio-guide/r2v ids only, at most
  8, each frame index an unused integer in 1 .. frames - 2.

Media is uploaded in the official client's order: reference image, H3 context images,
keyframe images, end image, audio, audio identity, video, H3 numbered audios and videos, mask.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlsplit

from . import _families as fam
from ._checks import MAX_SEED, MediaSlot, Problems, alias, check_choice, check_common, model_options
from .catalog import Catalog, NumericRange, VideoModelOptions, sampler_alias, scheduler_alias
from .frames import video_duration_range, video_frames
from .media import MediaKind
from .params import Sam2Coordinate, VideoControlNetParams, VideoKeyframe, VideoProjectParams

__all__ = ["validate_video"]

VIDEO_MIN_SIDE: Final = 480
DOCUMENTED_SHIFT: Final = (1, 8)
WAN_FPS: Final = (16, 32)
H3_VIDEO_SECONDS: Final = (2, 15)
_H3_SECONDS_TOLERANCE: Final = 0.05
FLASHVSR_RESOLUTIONS: Final = (1080, 1440)
FLASHVSR_DETAIL: Final = ("stable", "sharper")
FLASHVSR_SPEED: Final = ("stable", "faster")
WAN3_OPTIONS: Final = (
    "prompt_extend",
    "watermark",
    "ratio",
    "reference_file_url",
    "reference_link_url",
)
URL_FIELDS: Final = ("reference_image_urls", "reference_video_urls", "reference_audio_urls")


def validate_video(params: Any, catalog: Catalog, p: Problems) -> list[MediaSlot]:
    assert isinstance(params, VideoProjectParams)
    options = model_options(params, catalog, p)
    tier = options if isinstance(options, VideoModelOptions) else None
    model = params.model_id if isinstance(params.model_id, str) else ""
    if tier is not None and not fam.is_video_model(model):
        p.add("model_id", "Video generation is only supported for video models.")
    check = _VideoCheck(params, model, tier, p)
    check.run()
    return check.slots


class _VideoCheck:
    """One pass over a video project; ``ok`` remembers which values passed their type check so
    that the family rules only reason about usable values (one problem per mistake)."""

    def __init__(
        self, params: VideoProjectParams, model: str, tier: VideoModelOptions | None, p: Problems
    ) -> None:
        self.params = params
        self.model = model
        self.tier = tier
        self.p = p
        self.ok: dict[str, Any] = {}
        self.slots: list[MediaSlot] = []
        self.known = fam.is_video_model(model)
        self.workflow = fam.video_workflow(model) if self.known else None
        self.h3 = fam.is_h3_model(model)
        self.h3_r2v = fam.is_h3_reference_model(model)
        self.flashvsr = fam.is_flashvsr_model(model)
        self.external = fam.is_external_video_model(model)

    # ------------------------------------------------------------------ helpers

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

    # ------------------------------------------------------------------ the pass

    def run(self) -> None:
        params, tier = self.params, self.tier
        seed_range = (0, MAX_SEED)
        if fam.is_wan3_model(self.model):
            seed_range = (0, fam.WAN3_MAX_SEED)
        elif self.flashvsr:
            seed_range = (-1, MAX_SEED)  # -1 asks the worker for a random seed
        check_common(
            params,
            self.p,
            steps=None if self.h3 or self.flashvsr or tier is None else tier.steps,
            guidance=None if self.h3 or tier is None else tier.guidance,
            seed_range=seed_range,
        )
        self.check_types()
        if not self.known:
            return
        self.check_exports()
        self.check_h3_lists()
        if fam.is_happyhorse_model(self.model):
            self.check_happyhorse()
        elif fam.is_wan3_model(self.model):
            self.check_wan3()
        elif fam.is_seedance_model(self.model):
            self.check_seedance()
        else:
            if self.h3_r2v:
                self.check_h3_references()
            else:
                for name in (*URL_FIELDS, "reference_file_url", "reference_link_url"):
                    if self.given(name):
                        self.p.add(
                            name,
                            "External reference URLs are supported only by Seedance, "
                            "HappyHorse, and Wan 3 models.",
                        )
            self.check_assets()
        self.check_wan3_options()
        self.check_sam2()
        self.check_control_net()
        if self.flashvsr:
            self.check_flashvsr()
        if self.h3:
            self.check_h3()
        if self.external:
            self.check_external()
        self.check_timing()
        self.check_size()
        self.check_keyframes()
        self.collect_media()

    def check_types(self) -> None:
        params, p, tier = self.params, self.p, self.tier
        self.number("duration")
        self.number("frames", 1, integer=True)
        self.number("fps")
        if self.ok.get("fps") is not None and self.ok["fps"] <= 0:
            p.add("fps", f"must be greater than 0, got {params.fps!r}")
            del self.ok["fps"]
        self.number("width", 1, integer=True)
        self.number("height", 1, integer=True)
        shift = tier.shift if tier else None
        if shift is None and (fam.is_wan_model(self.model) or fam.is_ltx_model(self.model)):
            shift = NumericRange(*DOCUMENTED_SHIFT, step=0.1, default=5)
        self.number("shift", *((shift.min, shift.max) if shift else (None, None)))
        self.number("teacache_threshold", 0, 1)
        for name, floor in (
            ("audio_start", tier.audio_start if tier else None),
            ("video_start", tier.video_start if tier else None),
        ):
            self.number(name, max(0, floor.min) if floor else 0)
        floor = tier.audio_duration if tier else None
        self.number("audio_duration", floor.min if floor else 0)
        if self.ok.get("audio_duration") == 0:
            p.add("audio_duration", "must be greater than 0")
        for name in ("first_frame_strength", "last_frame_strength", "detailer_strength"):
            self.number(name, 0, 1)
        self.number("audio_identity_strength", 0, 10)
        self.number("upscale_resolution", integer=True)
        for name in ("generate_audio", "prompt_extend", "watermark", "return_last_frame"):
            if p.boolean(name, getattr(params, name)):
                self.ok[name] = getattr(params, name)
        p.boolean("trim_end_frame", params.trim_end_frame)
        p.string("output_format", params.output_format, choices=fam.VIDEO_OUTPUT_FORMATS)
        if self.known:
            p.string("outpaint_position", params.outpaint_position, choices=fam.OUTPAINT_POSITIONS)
            if (
                p.string("ratio", params.ratio)
                and fam.is_wan3_model(self.model)
                and params.ratio not in fam.WAN3_RATIOS
            ):
                p.add("ratio", "Wan 3 ratio must be adaptive, 16:9, 4:3, 1:1, 3:4, or 9:16.")
            if p.string("seedance_task_type", params.seedance_task_type):
                if params.seedance_task_type not in fam.SEEDANCE_TASK_TYPES:
                    p.add(
                        "seedance_task_type", "seedanceTaskType must be reference, edit, or extend."
                    )
                else:
                    self.ok["seedance_task_type"] = params.seedance_task_type
        for name in URL_FIELDS:
            self.check_url_list(name)
        for name in ("reference_file_url", "reference_link_url"):
            if p.string(name, getattr(params, name)):
                self.ok[name] = getattr(params, name)
        durations = params.reference_video_durations
        if p.sequence("reference_video_durations", durations) and all(
            [p.number(f"reference_video_durations[{i}]", d) for i, d in enumerate(durations)]
        ):
            self.ok["reference_video_durations"] = durations
        for name in ("context_images", "reference_audios", "reference_videos"):
            value = getattr(params, name)
            if p.sequence(name, value):
                if any(item is None for item in value):
                    p.add(
                        name,
                        "must not contain empty entries: reference ordinals follow the list "
                        "position, so a hole would renumber every later reference",
                    )
                else:
                    self.ok[name] = value
        self.check_choices()

    def check_url_list(self, name: str) -> None:
        value = getattr(self.params, name)
        if not self.p.sequence(name, value):
            return
        if any(not isinstance(url, str) or not url.strip() for url in value):
            self.p.add(name, f"{_ts(name)} must contain only non-empty URL strings.")
            return
        self.ok[name] = tuple(url.strip() for url in value)

    def check_choices(self) -> None:
        tier = self.tier
        check_choice(
            self.p,
            "sampler",
            alias(self.params.sampler, sampler_alias),
            tier.sampler.allowed if tier else (),
            "sampler",
        )
        check_choice(
            self.p,
            "scheduler",
            alias(self.params.scheduler, scheduler_alias),
            tier.scheduler.allowed if tier else (),
            "scheduler",
        )

    # ------------------------------------------------------------------ §7.4 steps 1-3

    def check_exports(self) -> None:
        seedance_25 = fam.is_seedance_25_model(self.model)
        if self.params.output_format == "mov" and not seedance_25:
            self.p.add("output_format", "MOV output is supported only by Seedance 2.5.")
        if self.ok.get("return_last_frame") is True and not seedance_25:
            self.p.add("return_last_frame", "Last-frame export is supported only by Seedance 2.5.")
        if "seedance_task_type" in self.ok and not seedance_25:
            self.p.add("seedance_task_type", "seedanceTaskType is supported only by Seedance 2.5.")

    def check_h3_lists(self) -> None:
        message = "is supported only by the MiniMax H3 r2v workflow (minimax-h3-ref2va-fp8_r2v)"
        self.refuse_unless(
            self.h3_r2v,
            ("context_images", "reference_audios", "reference_videos", "reference_video_durations"),
            message,
        )

    # ------------------------------------------------------------------ families

    def check_happyhorse(self) -> None:
        p, params = self.p, self.params
        if params.reference_video is not None or self.urls("reference_video_urls"):
            name = (
                "reference_video" if params.reference_video is not None else "reference_video_urls"
            )
            p.add(name, "HappyHorse models do not support reference video assets.")
        for name in ("reference_audio", "reference_audio_identity", "reference_audio_urls"):
            if self.given(name):
                p.add(name, "HappyHorse models do not support reference audio assets.")
        if params.reference_image_end is not None:
            p.add(
                "reference_image_end",
                "HappyHorse models do not support a separate end-frame image (referenceImageEnd).",
            )
        if "reference_image_urls" not in self.ok and self.given("reference_image_urls"):
            return
        images = (params.reference_image is not None) + len(self.urls("reference_image_urls"))
        if self.workflow == "i2v" and images != 1:
            p.add(
                "reference_image",
                "HappyHorse i2v requires exactly one first-frame reference image.",
            )
        elif self.workflow == "r2v" and not 1 <= images <= 9:
            p.add(
                "reference_image_urls", "HappyHorse r2v requires between 1 and 9 reference images."
            )
        elif self.workflow == "t2v" and images:
            p.add("reference_image", "HappyHorse t2v does not support reference images.")

    def check_wan3(self) -> None:
        p, params = self.p, self.params
        enhanced = self.model == fam.WAN3_ENHANCED_MODEL_ID
        for name in ("reference_file_url", "reference_link_url"):
            value = self.ok.get(name)
            if value is None:
                continue
            if not value.strip():
                p.add(name, f"{_ts(name)} must be a non-empty public HTTPS URL.")
            elif not _is_https_url(value.strip()):
                p.add(name, f"{_ts(name)} must be a valid public HTTPS URL.")
        if params.reference_file_url and params.reference_link_url:
            p.add(
                "reference_link_url",
                "Wan 3 accepts either one reference file or one reference link, not both.",
            )
        if enhanced:
            for name in ("reference_file_url", "reference_link_url"):
                if self.given(name):
                    p.add(name, "Wan 3.0 Enhanced does not accept document or webpage references.")
            if params.watermark is not None:
                p.add("watermark", "Wan 3.0 Enhanced does not expose a watermark option.")
        for name in ("reference_audio_identity", "reference_mask"):
            if self.given(name):
                p.add(name, "Wan 3 does not support audio-identity or mask inputs.")
        loose_images = len(self.urls("reference_image_urls"))
        videos = (params.reference_video is not None) + len(self.urls("reference_video_urls"))
        audios = (params.reference_audio is not None) + len(self.urls("reference_audio_urls"))
        anchors = params.reference_image is not None or params.reference_image_end is not None
        documents = bool(params.reference_file_url or params.reference_link_url)
        loose = loose_images > 0 or videos > 0 or audios > 0 or documents
        if (
            not enhanced
            and params.reference_image_end is not None
            and params.reference_image is None
        ):
            p.add(
                "reference_image",
                "Wan 3 last-frame generation requires a first-frame referenceImage.",
            )
        if anchors and loose:
            p.add(
                "reference_image" if params.reference_image is not None else "reference_image_end",
                "Wan 3 first/last-frame anchors cannot be combined with loose media, file, or "
                "link references.",
            )
        for name, count, limit, label in (
            ("reference_image_urls", loose_images, 10, "reference images"),
            ("reference_video_urls", videos, 5, "reference videos"),
            ("reference_audio_urls", audios, 5, "reference audio clips"),
        ):
            if count > limit:
                p.add(name, f"Wan 3 supports at most {limit} {label}.")
        prompt = params.positive_prompt if isinstance(params.positive_prompt, str) else ""
        if not prompt.strip() and not anchors and not loose:
            p.add(
                "positive_prompt",
                "Wan 3 requires a prompt or at least one media, file, or link input.",
            )

    def check_wan3_options(self) -> None:
        if fam.is_wan3_model(self.model):
            return
        for name in WAN3_OPTIONS:
            # Elsewhere the document and link URLs already got the external-URL refusal.
            if self.given(name) and (self.external or not name.endswith("_url")):
                self.p.add(name, "is supported only by Wan 3 (wan3.0-video)")

    def check_seedance(self) -> None:
        p, params = self.p, self.params
        task = self.ok.get("seedance_task_type")
        videos_given = params.reference_video is not None or bool(self.urls("reference_video_urls"))
        loose = (
            bool(self.urls("reference_image_urls"))
            or videos_given
            or params.reference_audio is not None
            or bool(self.urls("reference_audio_urls"))
        )
        anchors = params.reference_image is not None or params.reference_image_end is not None
        if fam.is_seedance_25_model(self.model):
            if params.seedance_task_type is None and loose:
                p.add(
                    "seedance_task_type",
                    "Seedance 2.5 loose-reference requests require seedanceTaskType.",
                )
            if task is not None and anchors:
                p.add(
                    "seedance_task_type",
                    "seedanceTaskType is for Seedance 2.5 loose-reference, edit, or extend "
                    "requests; omit it for first/last-frame generation.",
                )
            elif task in ("edit", "extend") and not videos_given:
                p.add(
                    "seedance_task_type",
                    f"Seedance 2.5 {task} requires at least one reference video.",
                )
            elif task == "reference" and not loose:
                p.add(
                    "seedance_task_type",
                    "Seedance 2.5 reference requires at least one loose image, video, or audio "
                    "reference.",
                )
        images = (
            (params.reference_image is not None)
            + (params.reference_image_end is not None)
            + len(self.urls("reference_image_urls"))
        )
        videos = (params.reference_video is not None) + len(self.urls("reference_video_urls"))
        audios = (
            params.reference_audio is not None or params.reference_audio_identity is not None
        ) + len(self.urls("reference_audio_urls"))
        max_images, max_videos, max_audios, max_total = fam.SEEDANCE_REFERENCE_LIMITS[self.model]
        for name, count, limit, label in (
            ("reference_image_urls", images, max_images, "image assets"),
            ("reference_video_urls", videos, max_videos, "video assets"),
            ("reference_audio_urls", audios, max_audios, "audio assets"),
        ):
            if count > limit:
                p.add(name, f"{self.model} supports at most {limit} {label}.")
        if images + videos + audios > max_total:
            p.add("model_id", f"{self.model} supports at most {max_total} total asset files.")
        if not fam.is_seedance_25_model(self.model) and audios and not images and not videos:
            p.add(
                "reference_audio_urls" if self.urls("reference_audio_urls") else "reference_audio",
                "Seedance audio references require at least one image or video reference.",
            )

    def check_h3_references(self) -> None:
        p, params = self.p, self.params
        for name in URL_FIELDS:
            if self.given(name):
                p.add(
                    name,
                    f"MiniMax H3 r2v does not accept {_ts(name)}; pass files through the Sogni "
                    "asset upload fields instead.",
                )
        images = (params.reference_image is not None) + len(self.ok.get("context_images", ()))
        videos = len(_h3_set(params.reference_video, self.ok.get("reference_videos", ())))
        audios = len(_h3_set(params.reference_audio, self.ok.get("reference_audios", ())))
        durations = self.ok.get("reference_video_durations")
        if durations:
            if len(durations) != videos:
                p.add(
                    "reference_video_durations",
                    "MiniMax H3 r2v referenceVideoDurations must contain one entry for each "
                    f"uploaded reference video (expected {videos}).",
                )
            else:
                low, high = H3_VIDEO_SECONDS
                for i, seconds in enumerate(durations):
                    if not (low - _H3_SECONDS_TOLERANCE <= seconds <= high + _H3_SECONDS_TOLERANCE):
                        p.add(
                            f"reference_video_durations[{i}]",
                            f"MiniMax H3 r2v referenceVideoDurations[{i}] must be between 2 and "
                            "15 seconds.",
                        )
                if sum(durations) > high + _H3_SECONDS_TOLERANCE:
                    p.add(
                        "reference_video_durations",
                        "MiniMax H3 r2v reference videos may total at most 15 seconds "
                        f"(got {sum(durations)}).",
                    )
        max_images, max_videos, max_audios, max_total = fam.H3_REFERENCE_LIMITS
        for name, count, limit, label in (
            ("context_images", images, max_images, "reference images"),
            ("reference_videos", videos, max_videos, "reference videos"),
            ("reference_audios", audios, max_audios, "reference audios"),
        ):
            if count > limit:
                p.add(
                    name,
                    f"MiniMax H3 r2v supports at most {limit} uploaded {label} (got {count}).",
                )
        total = images + videos + audios
        if total > max_total:
            p.add(
                "model_id",
                f"MiniMax H3 r2v supports at most {max_total} reference files in total (got "
                f"{total}: {images} image, {videos} video, {audios} audio).",
            )
        if images + videos < 1:
            p.add(
                "reference_image",
                "MiniMax H3 r2v needs at least one uploaded visual reference: an image "
                "(reference_image, context_images) or a video (reference_video, "
                "reference_videos).",
            )

    def check_assets(self) -> None:
        rules = fam.video_asset_rules(self.model)
        if rules is None or self.workflow is None:
            return
        params = self.params
        if (
            self.workflow == "i2v"
            and params.reference_image is None
            and params.reference_image_end is None
        ):
            self.p.add(
                "reference_image",
                "i2v workflow requires at least one of referenceImage or referenceImageEnd. "
                "Please provide this asset.",
            )
        for name, rule in rules.items():
            present = getattr(params, name) is not None
            if rule == "required" and not present:
                self.p.add(
                    name,
                    f"{self.workflow} workflow requires {_ts(name)}. Please provide this asset.",
                )
            elif rule == "forbidden" and present:
                self.p.add(
                    name,
                    f"{self.workflow} workflow does not support {_ts(name)}. Please remove this "
                    "asset.",
                )
                self.ok[f"forbidden:{name}"] = True

    def check_sam2(self) -> None:
        coordinates = self.params.sam2_coordinates
        if coordinates is None:
            return
        if not self.p.sequence("sam2_coordinates", coordinates):
            return
        for i, point in enumerate(coordinates):
            where = f"sam2_coordinates[{i}]"
            if self.p.instance(where, point, Sam2Coordinate):
                self.p.number(f"{where}.x", point.x, 0)
                self.p.number(f"{where}.y", point.y, 0)
        if self.workflow != "animate-replace":
            self.p.add(
                "sam2_coordinates",
                "sam2Coordinates is only supported for animate-replace workflows.",
            )

    def check_control_net(self) -> None:
        p, params = self.p, self.params
        cn = params.control_net
        name: str | None = None
        if p.instance("control_net", cn, VideoControlNetParams):
            assert isinstance(cn, VideoControlNetParams)
            if cn.name is None:
                p.add("control_net.name", "is required")
            elif p.string("control_net.name", cn.name, choices=fam.VIDEO_CONTROLNET_NAMES):
                name = cn.name
            p.number("control_net.strength", cn.strength, 0, 1)
            if not (fam.is_ltx_model(self.model) and self.workflow == "v2v"):
                p.add("control_net", "is supported only by the LTX v2v models")
        if name == "inpaint" and params.reference_mask is None:
            p.add("reference_mask", "control_net 'inpaint' needs a reference_mask")
        elif (
            params.reference_mask is not None
            and name != "inpaint"
            and "forbidden:reference_mask" not in self.ok
            and not fam.is_wan3_model(self.model)
        ):
            p.add("reference_mask", "is only used with control_net name 'inpaint'")
        if (
            params.reference_audio is not None
            and params.reference_audio_identity is not None
            and "forbidden:reference_audio_identity" not in self.ok
            and "forbidden:reference_audio" not in self.ok
        ):
            p.add(
                "reference_audio_identity",
                "reference_audio and reference_audio_identity upload to the same referenceAudio "
                "slot; give one of them",
            )

    def check_flashvsr(self) -> None:
        p, params = self.p, self.params
        p.string("detail_preference", params.detail_preference, choices=FLASHVSR_DETAIL)
        p.string("processing_speed", params.processing_speed, choices=FLASHVSR_SPEED)
        allowed = (self.tier.output_resolutions if self.tier else None) or FLASHVSR_RESOLUTIONS
        resolution = self.ok.get("upscale_resolution")
        if resolution is None and params.upscale_resolution is None:
            width, height = self.ok.get("width"), self.ok.get("height")
            resolution = min(width, height) if width and height else None
        if resolution not in allowed and (
            params.upscale_resolution is None or "upscale_resolution" in self.ok
        ):
            p.add(
                "upscale_resolution",
                f"Choose {'p or '.join(map(str, allowed))}p for video upscaling (or give "
                "width and height whose shorter side is one of them).",
            )
        fps = self.ok.get("fps")
        if fps is not None and not 1 <= fps <= 60:
            p.add("fps", "must be the source's frame rate, 1 to 60")
        for name in ("positive_prompt", "negative_prompt"):
            value = getattr(params, name)
            if isinstance(value, str) and value.strip():
                p.add(name, "FlashVSR is promptless.")
        for name in ("teacache_threshold", "control_net", "video_start"):
            if self.given(name):
                p.add(
                    name,
                    "Video upscaling preserves the complete source video and its audio; "
                    "generation controls are unsupported.",
                )
        if params.trim_end_frame is True:
            p.add("trim_end_frame", "Video upscaling keeps every source frame.")
        if params.generate_audio is False:
            p.add("generate_audio", "Video upscaling keeps the source audio.")
        if params.number_of_media != 1:
            p.add("number_of_media", "Upscale one source video per project.")
        if params.steps is not None and params.steps != 1:
            p.add("steps", "FlashVSR always runs 1 step.")

    def check_h3(self) -> None:
        p, params, model = self.p, self.params, self.model
        if "fps" in self.ok and self.ok["fps"] != fam.H3_FPS:
            p.add("fps", "MiniMax H3 fps is fixed at 24. Omit fps or set it to 24.")
        steps, label = fam.h3_fixed_steps(model)
        if params.steps is not None and params.steps != steps:
            p.add("steps", f"MiniMax H3{label} steps are fixed at {steps}.")
        if params.guidance is not None and params.guidance != 1:
            p.add("guidance", "MiniMax H3 guidance is fixed at 1.")
        if isinstance(params.negative_prompt, str) and params.negative_prompt.strip():
            p.add(
                "negative_prompt",
                "MiniMax H3 has no negative-prompt input. Put requested exclusions in "
                "positivePrompt.",
            )
        frames = self.ok.get("frames")
        if frames is not None and not _on_h3_grid(frames):
            p.add("frames", "MiniMax H3 frames must be 124 + n*17 in the inclusive range 124-362.")
        if params.audio_duration is not None:
            p.add(
                "audio_duration",
                "MiniMax H3 has no audioDuration input. Set frames or duration; the uploaded "
                "audio is trimmed to the video length.",
            )
        workflow = self.workflow
        if fam.is_h3_audio_guide_model(model):
            if params.generate_audio is False:
                p.add(
                    "generate_audio",
                    f"MiniMax H3 {workflow} output always carries the uploaded audio. Omit "
                    "generateAudio or set it to true.",
                )
            for name in ("loras", "lora_strengths"):
                if self.given(name):
                    p.add(
                        name,
                        f"MiniMax H3 {workflow} does not support LoRAs. Remove loras and "
                        "loraStrengths.",
                    )
        elif params.audio_start is not None:
            p.add(
                "audio_start",
                "audioStart is supported only by the MiniMax H3 FastH3 audio-guide workflows "
                "(minimax-h3-fastvideo-int8_ia2v_turbo, minimax-h3-fastvideo-int8_flfa2v_turbo, "
                "minimax-h3-fastvideo-int8_a2v_turbo and their _2stage ids).",
            )

    def check_external(self) -> None:
        p, params = self.p, self.params
        if params.token_type == "sogni":
            p.add("token_type", f"{self.model} is Spark-only: use token_type='spark'")
        if isinstance(params.negative_prompt, str) and params.negative_prompt.strip():
            p.add("negative_prompt", f"{self.model} takes no negative prompt")

    # ------------------------------------------------------------------ timing and size

    def check_timing(self) -> None:
        p, params, model = self.p, self.params, self.model
        fps = self.ok.get("fps")
        if fps is not None:
            allowed = self.tier.fps.allowed if self.tier and self.tier.fps else ()
            family_ok = True
            if fam.is_wan_model(model) and fps not in WAN_FPS:
                p.add("fps", "WAN 2.2 renders at 16 fps; fps must be 16, or 32 to interpolate")
                family_ok = False
            elif fam.is_ltx_model(model) and not 1 <= fps <= 60:
                p.add("fps", "LTX fps must be 1 to 60")
                family_ok = False
            elif fam.is_wan3_model(model) and fps != 30:
                p.add("fps", "Wan 3 output is fixed at 30 fps.")
                family_ok = False
            elif (fam.is_seedance_model(model) or fam.is_happyhorse_model(model)) and fps != 24:
                p.add("fps", f"{model} renders at a fixed 24 fps")
                family_ok = False
            if family_ok and allowed and fps not in allowed and not (self.h3 or self.flashvsr):
                p.add("fps", "must be one of " + ", ".join(f"{v:g}" for v in allowed))
        if params.duration is not None and params.frames is not None:
            p.add("frames", "give duration or frames, not both (frames is deprecated)")
        duration = self.ok.get("duration")
        if duration is not None:
            if self.flashvsr and params.fps is None:
                p.add("fps", "a FlashVSR duration needs the source's fps")
            else:
                low, high = video_duration_range(model, fps)
                if duration < low or (high is not None and duration > high):
                    limit = f"{low:g} to {high:g}" if high is not None else f"at least {low:g}"
                    p.add("duration", f"must be {limit} seconds for {model}, got {duration!r}")
        frames = self.ok.get("frames")
        tier_frames = self.tier.frames if self.tier else None
        if (
            frames is not None
            and tier_frames is not None
            and not self.h3
            and not tier_frames.min <= frames <= tier_frames.max
        ):
            p.add(
                "frames",
                f"must be {tier_frames.min:g} to {tier_frames.max:g} for {model}",
            )

    def check_size(self) -> None:
        p, params, tier = self.p, self.params, self.tier
        width, height = params.width, params.height
        if self.h3:
            if (width is None) != (height is None):
                p.add(
                    "height" if height is None else "width",
                    "MiniMax H3 width and height must be provided together.",
                )
            elif (
                width is not None
                and height is not None
                and "width" in self.ok
                and "height" in self.ok
                and not _on_h3_canvas(width, height)
            ):
                p.add(
                    "width",
                    "MiniMax H3 dimensions must use a 32px grid, stay at or below 1344px per "
                    "axis, and fit within 1,032,192 pixels.",
                )
            return
        if (width is None) != (height is None):
            p.add(
                "height" if height is None else "width", "width and height must be given together"
            )
            return
        if width is None or height is None or "width" not in self.ok or "height" not in self.ok:
            return
        for name, value, limit in (
            ("width", width, tier.width if tier else None),
            ("height", height, tier.height if tier else None),
        ):
            if value < VIDEO_MIN_SIDE:
                p.add(name, f"Video {name} must be at least {VIDEO_MIN_SIDE}, got {value}")
            elif limit is not None and value > limit.max:
                p.add(name, f"must be at most {limit.max:g} for {self.model}, got {value}")
        max_pixels = tier.max_pixels if tier else None
        if max_pixels and width * height > max_pixels:
            p.add("width", f"width x height must be at most {max_pixels} pixels for {self.model}")
        short_edge = fam.SEEDANCE_MAX_SHORT_EDGE.get(self.model)
        if short_edge is not None and min(width, height) > short_edge:
            p.add(
                "height" if height <= width else "width",
                f"{self.model} output is capped at a {short_edge} px short edge",
            )

    def check_keyframes(self) -> None:
        p, params = self.p, self.params
        keyframes = params.keyframes
        if not p.sequence("keyframes", keyframes) or not keyframes:
            return
        if not fam.is_h3_keyframe_model(self.model):
            p.add(
                "keyframes",
                "keyframes is supported only by the MiniMax H3 image-to-video, first/last-frame, "
                "Sound to Video and Reference to Video workflows (i2v, flf2v, ia2v, flfa2v, a2v "
                f"and r2v model ids); {self.model} does not accept keyframes.",
            )
            return
        if len(keyframes) > fam.H3_MAX_KEYFRAMES:
            p.add(
                "keyframes",
                f"keyframes accepts at most {fam.H3_MAX_KEYFRAMES} entries (got {len(keyframes)}).",
            )
        frames = self.ok.get("frames")
        video = f"a {frames}-frame video"
        if frames is None and "duration" in self.ok:
            duration = self.ok["duration"]
            frames = video_frames(self.model, duration, self.ok.get("fps"))
            video = f"the {frames}-frame video that duration {_js_text(duration)} resolves to"
        if frames is None and params.duration is None and params.frames is None:
            p.add("keyframes", "keyframes need the video length: pass frames or duration.")
        used: set[int] = set()
        for i, keyframe in enumerate(keyframes):
            where = f"keyframes[{i}]"
            if not p.instance(where, keyframe, VideoKeyframe):
                continue
            assert isinstance(keyframe, VideoKeyframe)
            if keyframe.image is None:
                p.add(f"{where}.image", f"keyframes[{i}].image is required.")
            index = keyframe.frame_index
            if not p.number(f"{where}.frame_index", index, integer=True) or frames is None:
                continue
            if not 1 <= index <= frames - 2:
                p.add(
                    f"{where}.frame_index",
                    f"keyframes[{i}].frameIndex must be an integer between 1 and {frames - 2} "
                    f"for {video} (got {index})"
                    + (f"; {_edge_hint(self.workflow, frames)}" if index in (0, frames - 1) else "")
                    + ".",
                )
            elif index in used:
                p.add(
                    f"{where}.frame_index",
                    f"keyframes must use different frames; frame {index} is used twice.",
                )
            used.add(index)

    # ------------------------------------------------------------------ media, in upload order

    def collect_media(self) -> None:
        p, params, slots = self.p, self.params, self.slots
        if params.reference_image is not None:
            p.media(slots, "referenceImage", "reference_image", params.reference_image)
        offset = 1 if params.reference_image is not None else 0
        for i, image in enumerate(self.ok.get("context_images", ())):
            p.media(slots, f"contextImage{offset + i + 1}", f"context_images[{i}]", image)
        if isinstance(params.keyframes, tuple):
            for i, keyframe in enumerate(params.keyframes[: fam.H3_MAX_KEYFRAMES]):
                if isinstance(keyframe, VideoKeyframe) and keyframe.image is not None:
                    p.media(slots, f"keyframeImage{i + 1}", f"keyframes[{i}].image", keyframe.image)
        if params.reference_image_end is not None:
            p.media(slots, "referenceImageEnd", "reference_image_end", params.reference_image_end)
        if not self.h3_r2v and params.reference_audio is not None:
            p.media(slots, "referenceAudio", "reference_audio", params.reference_audio, "audio")
        if params.reference_audio_identity is not None:
            p.media(
                slots,
                "referenceAudio",
                "reference_audio_identity",
                params.reference_audio_identity,
                "audio",
            )
        if not self.h3_r2v and params.reference_video is not None:
            p.media(slots, "referenceVideo", "reference_video", params.reference_video, "video")
        if self.h3_r2v:
            kinds: tuple[tuple[str, MediaKind, str, str], ...] = (
                ("referenceAudio", "audio", "reference_audio", "reference_audios"),
                ("referenceVideo", "video", "reference_video", "reference_videos"),
            )
            for slot, kind, single, many in kinds:
                first = getattr(params, single)
                named = [(single, first)] if first is not None else []
                named += [(f"{many}[{i}]", v) for i, v in enumerate(self.ok.get(many, ()))]
                for n, (param, value) in enumerate(named, 1):
                    p.media(slots, slot, param, value, kind, upload_id=f"{slot}{n}")
        if params.reference_mask is not None and _cn_name(params) == "inpaint":
            p.media(slots, "referenceMask", "reference_mask", params.reference_mask)


def _ts(name: str) -> str:
    from .params import PARAM_NAMES_TS

    return PARAM_NAMES_TS.get(name, name)


def _js_text(value: float) -> str:
    """A number as JavaScript prints it (8.0 is "8")."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _is_https_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname)


def _on_h3_grid(frames: int) -> bool:
    return (
        fam.H3_BASE_FRAMES <= frames <= fam.H3_MAX_FRAMES
        and (frames - fam.H3_BASE_FRAMES) % fam.H3_FRAME_STEP == 0
    )


def _on_h3_canvas(width: int, height: int) -> bool:
    step, top = fam.H3_DIMENSION_STEP, fam.H3_MAX_DIMENSION
    return (
        step <= width <= top
        and step <= height <= top
        and width % step == 0
        and height % step == 0
        and width * height <= fam.H3_MAX_PIXELS
    )


def _edge_hint(workflow: str | None, frames: int) -> str:
    if workflow in ("i2v", "flf2v", "flfa2v"):
        return "use referenceImage and referenceImageEnd for the first and last frames"
    if workflow == "ia2v":
        return (
            f"use referenceImage for the first frame, and the last frame ({frames - 1}) cannot "
            "be pinned"
        )
    return f"frames 0 and {frames - 1} cannot be pinned"


def _h3_set(single: Any, many: Any) -> list[Any]:
    """An H3 r2v numbered set: the single field first, then the list."""
    return ([single] if single is not None else []) + list(many)


def _cn_name(params: VideoProjectParams) -> str | None:
    cn = params.control_net
    return cn.name if isinstance(cn, VideoControlNetParams) else None
