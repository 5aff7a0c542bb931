"""Hypothesis strategies for random valid project parameters, as :class:`ParityCase` rows.

Each strategy draws our snake_case keyword arguments within the rules both SDKs apply (ours is
the stricter: tier ranges, pixel budgets, Spark-only vendors), and derives the TypeScript
parameters through ``PARAM_NAMES_TS``. Values go where the JavaScript rules matter: text with
non-ASCII, astral-plane and lone-surrogate characters and with whitespace that only one of
JavaScript and Python trims, numbers at half-way points (so that rounding shows), tiny and
huge numbers (so that their JSON text shows), sizes at their bounds, and optional keys left out.
A few draws go just past a limit that only counts right in UTF-16; both SDKs must then refuse.
"""

from __future__ import annotations

import math
from typing import Any, Final

from hypothesis import strategies as st

from sogni.projects import PARAM_NAMES_TS
from sogni.projects.catalog import Catalog, NumericRange
from sogni.testing._state import load_catalog

from .case import MediaFile, ParityCase, media
from .media_cases import _ts

__all__ = ["audio_cases", "image_cases", "video_cases"]

_RAW = load_catalog()
CATALOG: Final = Catalog(_RAW["models"], _RAW["tiers"])

# Whitespace to JavaScript's trim but not to str.strip (U+FEFF), and the other way round.
JS_ONLY_SPACE: Final = ("\ufeff",)
PY_ONLY_SPACE: Final = ("\x1c", "\x1d", "\x1e", "\x1f", "\x85")
BOTH_SPACE: Final = (" ", "\t", "\n", "\v", "\f", "\r", "\u00a0", "\u2028", "\u3000", "\u205f")
_SPECIAL: Final = (
    *JS_ONLY_SPACE,
    *PY_ONLY_SPACE,
    *BOTH_SPACE,
    "\x00",
    "\x07",
    "\x7f",
    '"',
    "\\",
    "/",
    "\u00e9",
    "\u00df",
    "\u4e2d",
    "\u0301",
    "\U0001f98a",
    "\U0001f600",
    "\U0001d11e",
    "\ud800",  # lone surrogates: JavaScript strings may hold them, JSON escapes them
    "\udfff",
    "\ud83d\ude00",  # a surrogate pair given as two code points: the emoji to JavaScript
)
_CHAR: Final = st.one_of(st.sampled_from(_SPECIAL), st.characters())
TEXT: Final = st.lists(_CHAR, max_size=24).map("".join)
_SPACE: Final = st.lists(st.sampled_from(JS_ONLY_SPACE + PY_ONLY_SPACE + BOTH_SPACE), max_size=3)
PADDED_TEXT: Final = st.tuples(_SPACE, TEXT, _SPACE).map(
    lambda t: "".join(t[0]) + t[1] + "".join(t[2])
)
ASTRAL: Final = st.sampled_from(("\U0001f98a", "\U0001f600", "\U0001d11e", "\U00020000"))
# Only JavaScript whitespace: a value the official client trims to a valid one.
_JS_SPACE: Final = st.lists(st.sampled_from(JS_ONLY_SPACE + BOTH_SPACE), max_size=2).map("".join)

_TINY: Final = (1e-7, 1.5e-7, 1e-6, 1e-5, 0.00001234, 5e-324, 2.5e-8)


def number(low: float, high: float, *, halves: bool = True) -> st.SearchStrategy[float]:
    """Numbers in [low, high]: whole ones (sometimes as floats), halves, tiny and any."""
    choices: list[st.SearchStrategy[float]] = [
        st.floats(low, high, allow_nan=False, allow_infinity=False),
        st.integers(math.ceil(low), math.floor(high)).map(float),
        st.sampled_from([low, high]),
    ]
    if math.floor(high) >= math.ceil(low):
        choices.append(st.integers(math.ceil(low), math.floor(high)))
    if halves and high - low >= 1:
        choices.append(st.integers(math.ceil(low), math.floor(high) - 1).map(lambda n: n + 0.5))
    tiny = [t for t in _TINY if low <= t <= high]
    if tiny:
        choices.append(st.sampled_from(tiny))
    return st.one_of(*choices)


def in_range(r: NumericRange | None, default: tuple[float, float]) -> tuple[float, float]:
    return (r.min, r.max) if r is not None else default


def optional(draw: st.DrawFn, params: dict[str, Any], name: str, strategy: Any) -> None:
    """Set ``params[name]`` from ``strategy``, or leave the key out (half the time)."""
    if draw(st.booleans()):
        params[name] = draw(strategy)


def to_case(name: str, type_: str, py: dict[str, Any], files: dict[str, MediaFile]) -> ParityCase:
    """A row from our keyword arguments; the TypeScript side always names ``numberOfMedia``
    (the official client's type requires it)."""
    py = {"type": type_, **py}
    ts = _ts(py)
    ts["type"] = type_
    ts.setdefault("numberOfMedia", 1)
    if "time_signature" in py:
        ts[PARAM_NAMES_TS["time_signature"]] = str(py["time_signature"])
    return ParityCase(name, ts, py, files)


def _common(draw: st.DrawFn, params: dict[str, Any], *, negative: bool, vendor: bool) -> None:
    optional(draw, params, "positive_prompt", PADDED_TEXT)
    if negative:
        optional(draw, params, "negative_prompt", PADDED_TEXT)
    optional(draw, params, "style_prompt", PADDED_TEXT)
    optional(
        draw,
        params,
        "token_type",
        st.just("spark") if vendor else st.sampled_from(("sogni", "spark")),
    )
    optional(draw, params, "network", st.sampled_from(("fast", "relaxed")))
    optional(draw, params, "billing_mode", st.sampled_from(("auto", "tokens")))
    optional(draw, params, "disable_nsfw_filter", st.booleans())
    optional(draw, params, "app_source", PADDED_TEXT.filter(bool))
    if draw(st.integers(0, 4)) == 4:
        params["attribution"] = draw(attribution())
    if draw(st.integers(0, 9)) == 9:
        params["world_generation_receipt"] = draw(receipt())


_VERSION_CHARS: Final = "0123456789abcXYZ.+_-"
_OPERATION_CHARS: Final = "abcXYZ0123456789._:-"


@st.composite
def attribution(draw: st.DrawFn) -> dict[str, Any]:
    """Valid attribution, padded with whitespace JavaScript's trim removes."""
    out: dict[str, Any] = {}

    def padded(value: str) -> str:
        return draw(_JS_SPACE) + value + draw(_JS_SPACE)

    fields: dict[str, st.SearchStrategy[str]] = {
        "workload_kind": st.sampled_from(("direct", "agent_mediated", "service", "unknown")),
        "agent_surface": st.sampled_from(("sdk", "cli", "mcp", "plugin", "direct_api")),
        "execution_mode": st.sampled_from(("browser", "durable", "server", "unknown")),
        "operation_scope": st.sampled_from(("top_level", "child")),
        # At most 60 code points, so at most 120 UTF-16 units: inside the limit either way.
        "agent_framework": st.tuples(
            st.characters(min_codepoint=0x21, max_codepoint=0x7E) | ASTRAL,
            st.lists(st.characters(exclude_categories=("Cc", "Cs")) | ASTRAL, max_size=58),
            st.characters(min_codepoint=0x21, max_codepoint=0x7E) | ASTRAL,
        ).map(lambda t: t[0] + "".join(t[1]) + t[2]),
        "agent_framework_version": st.tuples(
            st.sampled_from("0123456789"), st.text(_VERSION_CHARS, max_size=10)
        ).map("".join),
        "agent_surface_version": st.tuples(
            st.sampled_from("0123456789"), st.text(_VERSION_CHARS, max_size=10)
        ).map("".join),
    }
    for name, strategy in fields.items():
        if draw(st.booleans()):
            out[name] = padded(draw(strategy))
    for name in ("operation_id", "root_operation_id", "parent_operation_id"):
        if draw(st.integers(0, 2)) == 2:
            out[name] = draw(
                st.tuples(st.sampled_from("aZ7"), st.text(_OPERATION_CHARS, max_size=12)).map(
                    "".join
                )
            )
    if not out:
        out["workload_kind"] = "direct"
    return out


@st.composite
def receipt(draw: st.DrawFn) -> dict[str, Any]:
    digest = st.text("0123456789abcdefABCDEF", min_size=64, max_size=64)
    if draw(st.booleans()):
        return {
            "stage": "target_still",
            "source_image_sha256": draw(digest),
            "selection_hash": draw(digest),
        }
    return {
        "stage": "transition",
        "first_frame_sha256": draw(digest),
        "last_frame_sha256": draw(digest),
    }


def _tier_common(
    draw: st.DrawFn, params: dict[str, Any], options: Any, *, seed_max: int = 2**32 - 1
) -> None:
    if getattr(options, "steps", None) is not None:
        optional(draw, params, "steps", st.integers(int(options.steps.min), int(options.steps.max)))
    if getattr(options, "guidance", None) is not None:
        optional(draw, params, "guidance", number(options.guidance.min, options.guidance.max))
    optional(draw, params, "seed", st.sampled_from((0, seed_max)) | st.integers(0, seed_max))
    sampler = getattr(options, "sampler", None)
    if sampler is not None and sampler.allowed:
        optional(draw, params, "sampler", st.sampled_from(sampler.allowed))
    scheduler = getattr(options, "scheduler", None)
    if scheduler is not None and scheduler.allowed:
        optional(draw, params, "scheduler", st.sampled_from(scheduler.allowed))


# ---------------------------------------------------------------------------- image

IMAGE_MODELS: Final = (
    "flux1-schnell-fp8",
    "z_image_turbo_bf16",
    "z_image_bf16",
    "krea2_turbo_fp8_scaled",
    "qwen_image_2512_fp8",
    "coreml-cyberrealistic_v70_768",
    "coreml-sdxl_turbo_1.0",
    "flux2_dev_fp8",
)
SAM3: Final = "sam3_image_segment_bf16"
SOURCE: Final = MediaFile("png", 40, 24, "teal")
_SIZE_BOUNDS: Final = {
    "z_image_turbo_bf16": (256, 2560),
    "z_image_bf16": (256, 2560),
    "krea2_turbo_fp8_scaled": (256, 2560),
    "qwen_image_2512_fp8": (256, 2560),
}
_CONTROLNETS: Final = ("canny", "depth", "openpose", "scribble", "tile")


@st.composite
def image_cases(draw: st.DrawFn) -> ParityCase:
    if draw(st.integers(0, 9)) == 9:
        return draw(sam3_cases())
    model = draw(st.sampled_from(IMAGE_MODELS))
    options = CATALOG.model_options(model)
    params: dict[str, Any] = {"model_id": model}
    files: dict[str, MediaFile] = {}
    _common(draw, params, negative=True, vendor=False)
    _tier_common(draw, params, options)
    optional(draw, params, "number_of_media", st.integers(1, 4))
    optional(draw, params, "number_of_previews", st.integers(0, 3))
    optional(draw, params, "output_format", st.sampled_from(("png", "jpg", "webp")))
    size = draw(st.integers(0, 3))
    low, high = _SIZE_BOUNDS.get(model, (256, 2048))
    side = st.sampled_from((low, high)) | st.integers(low, high)
    if size == 1:
        params["width"], params["height"] = draw(side), draw(side)
    elif size == 2:
        params.update(size_preset="custom", width=draw(side), height=draw(side))
    elif size == 3:
        params["size_preset"] = draw(st.sampled_from(("square_hd", "portrait_7_9")))
    if draw(st.integers(0, 7)) == 7:
        files["start"] = SOURCE
        params["starting_image"] = media("start")
        optional(draw, params, "starting_image_strength", number(0, 1).filter(lambda x: x > 0))
    if draw(st.integers(0, 7)) == 7:
        start = draw(number(0, 0.5, halves=False))
        end = draw(number(0.6, 1, halves=False))
        params["control_net"] = {
            "name": draw(st.sampled_from(_CONTROLNETS)),
            "strength": draw(number(0, 1)),
            "mode": draw(st.sampled_from(("balanced", "prompt_priority", "cn_priority"))),
            "guidance_start": start,
            "guidance_end": end,
        }
    if draw(st.integers(0, 5)) == 5:
        count = draw(st.integers(1, 3))
        params["loras"] = draw(
            st.lists(
                st.sampled_from(("lora-a", "multiple_angles", "x")), min_size=count, max_size=count
            )
        )
        params["lora_strengths"] = draw(st.lists(number(-100, 100), min_size=count, max_size=count))
    return to_case("image", "image", params, files)


def _sam3_text(draw: st.DrawFn) -> str:
    """Text up to, at and (now and then) past 240 UTF-16 units once trimmed; sometimes blank
    to one of JavaScript and Python only."""
    if draw(st.integers(0, 3)) == 3:
        core = draw(ASTRAL) * draw(st.integers(112, 124))  # 224-248 units, <= 124 code points
    else:
        core = draw(TEXT)
    return "".join(draw(_SPACE)) + core + "".join(draw(_SPACE))


@st.composite
def sam3_cases(draw: st.DrawFn) -> ParityCase:
    params: dict[str, Any] = {"model_id": SAM3, "starting_image": media("start")}
    _common(draw, params, negative=True, vendor=False)
    coordinate = number(0, 1, halves=False)
    prompt: dict[str, Any] = {}
    if draw(st.booleans()):
        prompt["text"] = _sam3_text(draw)
        boxes = draw(st.integers(0, 2))
        labels = st.sampled_from(("positive", "negative"))
    else:
        prompt["points"] = [
            {
                "x": draw(coordinate),
                "y": draw(coordinate),
                "label": draw(st.sampled_from(("positive", "negative"))),
            }
            for _ in range(draw(st.integers(1, 3)))
        ]
        boxes = draw(st.integers(0, 1))
        labels = st.just("positive")
        optional(draw, prompt, "multimask", st.booleans())
    prompt["boxes"] = []
    for _ in range(boxes):
        x0, y0 = draw(number(0, 0.5, halves=False)), draw(number(0, 0.5, halves=False))
        box = {"x0": x0, "y0": y0, "x1": draw(number(0.6, 1)), "y1": draw(number(0.6, 1))}
        optional(draw, box, "label", labels)
        prompt["boxes"].append(box)
    optional(draw, prompt, "threshold", number(0, 1))
    optional(draw, prompt, "apply_mask", st.booleans())
    optional(draw, prompt, "max_instances", st.integers(1, 16))
    params["sam3_prompt"] = prompt
    return to_case("sam3", "image", params, {"start": SOURCE})


# ---------------------------------------------------------------------------- video

_WAN: Final = ("wan_v2.2-14b-fp8_t2v_lightx2v", "wan_v2.2-14b-fp8_t2v")
_LTX: Final = (
    "ltx23-22b-fp8_t2v_distilled",
    "ltx25-22b-int8_t2v_dev",
    "ltx2-19b-fp8_t2v_distilled",
)
_H3: Final = (
    "minimax-h3-fl2va-fp8_t2v",
    "minimax-h3-fl2va-fp8_t2v_turbo",
    "minimax-h3-fl2va-fp8_t2v_balanced",
)
MOTION: Final = MediaFile("mp4")
_URL: Final = st.tuples(
    _SPACE.map("".join),
    st.sampled_from(
        (
            "https://example.com/a.png",
            "https://cdn.example.org/x/y.jpg?z=1",
            "HTTPS://EXAMPLE.COM/b",
        )
    ),
    _SPACE.map("".join),
).map("".join)


def _duration(draw: st.DrawFn, low: float, high: float, fps: float) -> float:
    """A duration in [low, high], often exactly half a frame off the grid at ``fps``."""
    if draw(st.booleans()):
        frames = draw(st.integers(math.ceil(low * fps), math.floor(high * fps) - 1))
        value = (frames + 0.5) / fps
        if low <= value <= high:
            return value
    return draw(number(low, high))


def _video_size(
    draw: st.DrawFn, params: dict[str, Any], low: int, high: int, pixels: int, step: int = 1
) -> None:
    if draw(st.booleans()):
        return
    sides = st.sampled_from((low, high)) | st.integers(low // step, high // step).map(
        lambda n: n * step
    )
    width = draw(sides.filter(lambda w: w >= low))
    height = draw(sides.filter(lambda h: low <= h and width * h <= pixels))
    params["width"], params["height"] = width, height


@st.composite
def video_cases(draw: st.DrawFn) -> ParityCase:
    family = draw(
        st.sampled_from(
            (
                "wan",
                "ltx",
                "seedance",
                "happyhorse",
                "wan3",
                "h3",
                "flashvsr",
                "ltx_i2v",
                "animate",
                "h3_r2v",
            )
        )
    )
    params: dict[str, Any] = {}
    files: dict[str, MediaFile] = {}
    if family == "wan":
        model = params["model_id"] = draw(st.sampled_from(_WAN))
        options = CATALOG.model_options(model)
        _common(draw, params, negative=True, vendor=False)
        _tier_common(draw, params, options)
        optional(draw, params, "fps", st.sampled_from((16, 32, 16.0)))
        params["duration"] = _duration(draw, 1, 10, 16)
        _video_size(draw, params, 480, 1280, 921600)
        optional(draw, params, "shift", number(1, 8))
        optional(draw, params, "teacache_threshold", number(0, 1))
    elif family in ("ltx", "ltx_i2v"):
        model = params["model_id"] = draw(st.sampled_from(_LTX))
        if family == "ltx_i2v":
            model = params["model_id"] = model.replace("_t2v", "_i2v")
            files["first"] = SOURCE
            params["reference_image"] = media("first")
            optional(draw, params, "first_frame_strength", number(0, 1))
        options = CATALOG.model_options(model)
        _common(draw, params, negative=True, vendor=False)
        _tier_common(draw, params, options)
        fps = draw(st.sampled_from((1, 2, 8, 16, 24, 25, 30, 32, 60, 23.976)) | number(1, 60))
        if draw(st.booleans()):
            params["fps"] = fps
        params["duration"] = _duration(draw, 1, 20, fps if "fps" in params else 24)
        _video_size(draw, params, 480, 1920, 2088960)
        optional(draw, params, "shift", number(1, 8))
        optional(draw, params, "generate_audio", st.booleans())
    elif family == "seedance":
        model = params["model_id"] = draw(
            st.sampled_from(("seedance-2-0", "seedance-2-0-mini", "seedance-2-5"))
        )
        _common(draw, params, negative=False, vendor=True)
        optional(draw, params, "seed", st.integers(0, 2**32 - 1))
        params["duration"] = _duration(draw, 4, 30 if model == "seedance-2-5" else 15, 24)
        optional(draw, params, "generate_audio", st.booleans())
        if model != "seedance-2-5" and draw(st.booleans()):
            params["reference_image_urls"] = draw(st.lists(_URL, min_size=1, max_size=3))
            optional(draw, params, "reference_video_urls", st.lists(_URL, min_size=1, max_size=2))
    elif family == "happyhorse":
        params["model_id"] = "happyhorse-1.1-t2v"
        _common(draw, params, negative=False, vendor=True)
        optional(draw, params, "seed", st.integers(0, 2**32 - 1))
        params["duration"] = _duration(draw, 3, 15, 24)
    elif family == "wan3":
        model = params["model_id"] = draw(st.sampled_from(("wan3.0-video", "wan3.0-spicy-video")))
        _common(draw, params, negative=False, vendor=True)
        optional(draw, params, "seed", st.integers(0, 2**31 - 1))
        optional(draw, params, "fps", st.just(30))
        params["duration"] = _duration(draw, 2, 30, 30)
        optional(
            draw,
            params,
            "ratio",
            st.sampled_from(("adaptive", "16:9", "4:3", "1:1", "3:4", "9:16")),
        )
        optional(draw, params, "prompt_extend", st.booleans())
        if model == "wan3.0-video":
            optional(draw, params, "watermark", st.booleans())
            if draw(st.integers(0, 2)) == 2:
                params[draw(st.sampled_from(("reference_file_url", "reference_link_url")))] = draw(
                    _URL
                )
        if draw(st.integers(0, 2)) == 2:
            params["reference_image_urls"] = draw(st.lists(_URL, min_size=1, max_size=3))
        if "positive_prompt" not in params and not any(k.startswith("reference_") for k in params):
            params["positive_prompt"] = draw(TEXT) + "x"
    elif family == "animate":
        model = params["model_id"] = "wan_v2.2-14b-fp8_animate-replace_lightx2v"
        files.update(face=SOURCE, motion=MOTION)
        params.update(reference_image=media("face"), reference_video=media("motion"))
        _common(draw, params, negative=True, vendor=False)
        params["duration"] = _duration(draw, 1, 20, 16)
        # A JSON text inside the request: its numbers are written as JSON.stringify does.
        point = st.tuples(number(0, 2000), number(0, 2000)).map(lambda p: {"x": p[0], "y": p[1]})
        params["sam2_coordinates"] = draw(st.lists(point, min_size=1, max_size=3))
    elif family == "h3_r2v":
        model = params["model_id"] = "minimax-h3-ref2va-fp8_r2v"
        files["motion"] = MOTION
        params["reference_video"] = media("motion")
        _common(draw, params, negative=False, vendor=False)
        params["duration"] = _duration(draw, 124 / 24, 362 / 24, 24)
        optional(
            draw,
            params,
            "reference_video_durations",
            st.lists(number(2, 15), min_size=1, max_size=1),
        )
    elif family == "h3":
        model = params["model_id"] = draw(st.sampled_from(_H3))
        _common(draw, params, negative=False, vendor=False)
        # Only whitespace: H3 refuses a negative prompt that is not blank to JavaScript.
        optional(draw, params, "negative_prompt", _SPACE.map("".join))
        optional(draw, params, "seed", st.integers(0, 2**32 - 1))
        optional(draw, params, "fps", st.just(24))
        params["duration"] = _duration(draw, 124 / 24, 362 / 24, 24)
        _video_size(draw, params, 32, 1344, 1032192, step=32)
    else:  # flashvsr
        params["model_id"] = "flashvsr_v1.1_tiny_long_bf16"
        files["source"] = MediaFile("mp4")
        params["reference_video"] = media("source")
        params["number_of_media"] = 1
        fps = draw(st.sampled_from((24, 25, 30, 60, 23.976, 29.97)))
        params["fps"] = fps
        if draw(st.booleans()):
            params["duration"] = draw(
                st.integers(1, 400).map(lambda n: (n + 0.5) / fps) | number(1, 30)
            )
        else:
            params["frames"] = draw(st.integers(1, 900))
        resolution = draw(st.sampled_from((1080, 1440)))
        if draw(st.booleans()):
            params["upscale_resolution"] = resolution
        else:
            params["width"], params["height"] = resolution * 16 // 9, resolution
        optional(draw, params, "seed", st.integers(-1, 2**32 - 1))
        optional(draw, params, "detail_preference", st.sampled_from(("stable", "sharper")))
        optional(draw, params, "processing_speed", st.sampled_from(("stable", "faster")))
        optional(draw, params, "style_prompt", PADDED_TEXT)
        optional(draw, params, "network", st.sampled_from(("fast", "relaxed")))
        return to_case("flashvsr", "video", params, files)
    optional(draw, params, "number_of_media", st.integers(1, 2))
    optional(draw, params, "output_format", st.just("mp4"))
    return to_case(family, "video", params, files)


# ---------------------------------------------------------------------------- audio

_ACE: Final = ("ace_step_1.5_turbo", "ace_step_1.5_sft", "ace_step_1.5_xl_turbo")
VOICE: Final = MediaFile("wav", 20)


def _bounded_text(draw: st.DrawFn, limit: int) -> str:
    """Text of at most ``limit`` UTF-16 units, often right at the limit with astral characters."""
    if draw(st.booleans()):
        astral = draw(st.integers(limit // 2 - 3, limit // 2))
        return draw(ASTRAL) * astral + "a" * (limit - 2 * astral) * draw(st.integers(0, 1))
    return draw(TEXT)


@st.composite
def audio_cases(draw: st.DrawFn) -> ParityCase:
    kind = draw(st.sampled_from(("ace", "ace", "music3", "tts_custom", "tts_design", "tts_clone")))
    params: dict[str, Any] = {}
    files: dict[str, MediaFile] = {}
    if kind == "ace":
        model = params["model_id"] = draw(st.sampled_from(_ACE))
        options = CATALOG.model_options(model)
        _common(draw, params, negative=False, vendor=False)
        _tier_common(draw, params, options)
        optional(draw, params, "duration", number(10, 600))
        optional(draw, params, "bpm", number(30, 300))
        optional(draw, params, "keyscale", st.sampled_from(options.keyscale.allowed))
        optional(draw, params, "time_signature", st.sampled_from(("2", "3", "4", "6", 2, 4)))
        optional(draw, params, "language", st.sampled_from(options.language.allowed))
        optional(draw, params, "lyrics", PADDED_TEXT)
        optional(draw, params, "composer_mode", st.booleans())
        optional(draw, params, "prompt_strength", number(0, 10))
        optional(draw, params, "creativity", number(0, 2))
        optional(draw, params, "shift", number(1, 5))
    elif kind == "music3":
        options = CATALOG.model_options("minimax_music3")
        params["model_id"] = "minimax_music3"
        _common(draw, params, negative=False, vendor=False)
        _tier_common(draw, params, options)
        optional(draw, params, "duration", number(10, 300))
        optional(draw, params, "lyrics", PADDED_TEXT)
        optional(draw, params, "prompt_strength", number(0, 10))
    else:
        model = params["model_id"] = {
            "tts_custom": "qwen3_tts_1.7b_custom_voice_bf16",
            "tts_design": "qwen3_tts_1.7b_voice_design_bf16",
            "tts_clone": "qwen3_tts_1.7b_voice_clone_bf16",
        }[kind]
        options = CATALOG.model_options(model)
        _common(draw, params, negative=False, vendor=False)
        optional(draw, params, "seed", st.integers(0, 2**32 - 1))
        if options.speaker is not None:
            optional(draw, params, "speaker", st.sampled_from(options.speaker.allowed))
        if options.instruct is not None:
            limit = options.instruct.max_length
            if options.instruct.required:
                # Never blank to JavaScript, though Python would strip some of these to nothing.
                params["instruct"] = draw(
                    st.sampled_from(PY_ONLY_SPACE) | st.just(_bounded_text(draw, limit - 1) + "v")
                )
            elif draw(st.booleans()):
                params["instruct"] = _bounded_text(draw, limit)
        if options.reference_text is not None:
            optional(
                draw,
                params,
                "reference_text",
                st.just(_bounded_text(draw, options.reference_text.max_length)),
            )
        if options.requires_reference_audio:
            files["voice"] = VOICE
            params["reference_audio"] = media("voice")
    optional(draw, params, "number_of_media", st.integers(1, 4))
    optional(draw, params, "output_format", st.sampled_from(("mp3", "wav", "flac")))
    return to_case(kind, "audio", params, files)
