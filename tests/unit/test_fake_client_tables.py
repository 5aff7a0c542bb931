"""FakeSupernet's tables against the client's copies of them.

The fake is written apart from the client on purpose, and never imports client code at run time,
so both keep their own copy of every rule they share: sampler aliases, Comfy prefixes, workflow
asset rules, model families and workflows, per-model limits, frame math, duration ranges,
constants, content types, project statuses, sign-in domains. This test imports both sides and
compares each pair. ``INTENDED`` names every difference meant to be there, with its reason; a
difference not listed fails, and so does a listed one that is no longer there, so the list
cannot go stale.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import pytest

from sogni import _wallet
from sogni._wire import js as client_js
from sogni._wire.fields import WIRE_KEY
from sogni._wire.job_request import VideoKeyFrame
from sogni.projects import (
    _build,
    _checks,
    _service,
    _validate_audio,
    _validate_video,
    _validation,
    families,
)
from sogni.projects import catalog as client_catalog
from sogni.projects import frames as client_frames
from sogni.projects._codes import RAW_PROJECT_STATUS as _RAW_PROJECT_STATUS
from sogni.projects.families import (
    MediaType,
    ace_step,
    flashvsr,
    gpt_image,
    happyhorse,
    ltx,
    minimax_h3,
    minimax_music,
    seedance,
    wan3,
    wan22,
)
from sogni.projects.families import _video as video_base
from sogni.projects.families._image import COMFY_PREFIXES
from sogni.testing import _auth, _jobcheck, _media, _mediacheck
from sogni.testing._projects import NORMALIZED_STATUS
from sogni.testing._state import load_catalog, wallet_address_for

ABSENT = "<absent>"
Table = Mapping[str, Any]

CATALOG = load_catalog()
SERVING: dict[str, dict[str, Any]] = {
    k: v for k, v in CATALOG["serving"].items() if isinstance(v, dict)
}
MODELS: dict[str, dict[str, Any]] = {m["id"]: m for m in CATALOG["models"]}


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wire_key(field: str) -> str:
    """The key the client writes a video key frame field under."""
    key: str = attrs.fields_dict(VideoKeyFrame)[field].metadata[WIRE_KEY]
    return key


def ids(media: str) -> list[str]:
    return [model_id for model_id, model in MODELS.items() if model["media"] == media]


def tier_of(model_id: str) -> dict[str, Any]:
    tier: dict[str, Any] = CATALOG["tiers"][MODELS[model_id]["tier"]]
    return tier


# ---------------------------------------------------------------------------- the pairs
#
# Each entry: table name -> (the fake's table, the client's table), both as mappings.


def _flags(values: Any) -> dict[str, bool]:
    return dict.fromkeys(values, True)


def _asset_rules(order: tuple[str, ...], table: Mapping[str, tuple[str, ...]]) -> Table:
    return {workflow: dict(zip(order, rules)) for workflow, rules in table.items()}


CLIENT_ASSET_ORDER = tuple(camel(name) for name in video_base.VIDEO_ASSETS)


def _named(name: str, media: MediaType = "video") -> Callable[[str], bool]:
    """Whether the client's registry puts an id of ``media`` in the family called ``name``."""

    def test(model_id: str) -> bool:
        family = families.family_for(model_id, media)
        return family is not None and family.name == name

    return test


def _vendor_video(model_id: str) -> bool:
    family = families.video_family(model_id)
    return family is not None and family.vendor


def _video_workflow(model_id: str) -> str | None:
    family = families.video_family(model_id)
    return family.workflow(model_id) if family is not None else None


def _client_family(model_id: str) -> str | None:
    predicates: tuple[tuple[str, Callable[[str], bool]], ...] = (
        ("wan", _named("wan22")),
        ("ltx", _named("ltx")),
        ("seedance", _named("seedance")),
        ("happyhorse", _named("happyhorse")),
        ("wan3", _named("wan3")),
        ("h3", _named("minimax_h3")),
        ("flashvsr", _named("flashvsr")),
        ("ace_step", _named("ace_step", "audio")),
        ("music3", lambda m: m == minimax_music.MUSIC3_MODEL_ID),
        ("tts", lambda m: m.startswith("qwen3_tts_")),
    )
    return next((name for name, test in predicates if test(model_id)), None)


def _families() -> tuple[Table, Table]:
    client_ids = (
        wan22.WAN_MODEL_IDS
        | ltx.LTX_MODEL_IDS
        | seedance.SEEDANCE_MODEL_IDS
        | happyhorse.HAPPYHORSE_MODEL_IDS
        | wan3.WAN3_MODEL_IDS
        | minimax_h3.H3_MODEL_IDS
        | {flashvsr.FLASHVSR_MODEL_ID}
    )
    keys = set(ids("video")) | set(ids("audio")) | client_ids
    fake = {k: SERVING.get(k, {}).get("family", ABSENT) if k in MODELS else ABSENT for k in keys}
    return fake, {k: _client_family(k) for k in keys}


def _per_model(
    models: list[str], fake: Callable[[str], Any], client: Callable[[str], Any]
) -> tuple[Table, Table]:
    return {m: fake(m) for m in models}, {m: client(m) for m in models}


def _serving(key: str, default: Any = None) -> Callable[[str], Any]:
    return lambda model_id: SERVING.get(model_id, {}).get(key, default)


def _family_ids(family: str) -> list[str]:
    return [m for m in MODELS if SERVING.get(m, {}).get("family") == family]


def _output_formats() -> tuple[Table, Table]:
    fake = {media: sorted(formats) for media, formats in _jobcheck.OUTPUT_FORMATS.items()}
    client = {
        "image": sorted(_validation.IMAGE_OUTPUT_FORMATS),
        "video": sorted(_validate_video.VIDEO_OUTPUT_FORMATS),
        "audio": sorted(_validate_audio.AUDIO_OUTPUT_FORMATS),
    }
    return fake, client


def _download_content_types() -> tuple[Table, Table]:
    """What the client asks for when it signs a result download, per output format, and the
    type the fake serves that result with."""
    stored = _jobcheck.OUTPUT_FORMATS
    fake: dict[str, Any] = {}
    client: dict[str, Any] = {}
    for fmt in _service._IMAGE_CONTENT_TYPES:
        fake[f"image/{fmt}"] = _media.content_type_for(stored["image"][fmt])
        client[f"image/{fmt}"] = _service._IMAGE_CONTENT_TYPES[fmt]
    for fmt in _validate_audio.AUDIO_OUTPUT_FORMATS:
        fake[f"audio/{fmt}"] = _media.content_type_for(stored["audio"][fmt])
        # The client's rule: its table, else MP3.
        client[f"audio/{fmt}"] = _service._AUDIO_CONTENT_TYPES.get(fmt, "audio/mpeg")
    for fmt in _validate_video.VIDEO_OUTPUT_FORMATS:
        fake[f"video/{fmt}"] = _media.content_type_for(stored["video"][fmt])
        client[f"video/{fmt}"] = None  # the client signs video downloads without a type
    return fake, client


def _upload_content_type_keys() -> tuple[Table, Table]:
    """Upload slot -> the key frame key carrying its content type."""
    fake = {
        slot: key for asset, slot, key, _mime in _mediacheck.SINGLE_ASSETS.values() if asset == slot
    }
    client = {slot: wire_key(field) for slot, field in _build._CONTENT_TYPE_FIELDS.items()}
    return fake, client


def _duration_range(model_id: str) -> tuple[float, float | None]:
    """The fake's accepted clip length in seconds, from its own constants and tiers."""
    family = SERVING[model_id]["family"]
    seconds = _mediacheck.video_seconds
    if family == "wan":
        frames = tier_of(model_id)["frames"]
        return seconds("wan", frames["min"], 16), seconds("wan", frames["max"], 16)
    if family == "h3":
        return (
            seconds("h3", _mediacheck.H3_BASE_FRAMES, 24),
            seconds("h3", _mediacheck.H3_MAX_FRAMES, 24),
        )
    if family == "flashvsr":  # one frame at the default fps, no upper limit
        return seconds("flashvsr", 1, _fake_default_fps(model_id)), None
    low, high = _mediacheck._DURATIONS[family]
    if SERVING[model_id].get("seedance25"):
        high = _mediacheck.SEEDANCE_25_MAX_SECONDS
    return low, high


def _fake_default_fps(model_id: str) -> int:
    return _mediacheck.default_video_fps(SERVING[model_id]["family"], tier_of(model_id))


def _client_render_fps(model_id: str) -> float:
    """The fps a request without one renders at, by the client's frame math."""
    if _named("wan22")(model_id):
        return client_frames.WAN_RENDER_FPS
    sent = client_frames.default_fps(model_id)
    return sent if sent is not None else client_frames._math_fps(model_id, None)


def _frame_counts() -> tuple[Table, Table]:
    """``frames`` for a duration, per model, fps and duration in the model's range (halves
    included: both sides must round them up, as JavaScript does)."""
    durations = [n / 4 for n in range(1, 121)] + [n / 48 for n in range(1, 1440, 7)]
    fake: dict[str, int] = {}
    client: dict[str, int] = {}
    for model_id in ids("video"):
        family = SERVING[model_id]["family"]
        for fps in (None, 16, 24, 25, 30, 32, 60):
            rate = fps if fps is not None else _fake_default_fps(model_id)
            low, high = client_frames.video_duration_range(model_id, fps)
            for seconds in durations:
                if seconds < low or (high is not None and seconds > high):
                    continue  # refused before any frame count is sent
                key = f"{model_id} {seconds}s fps={fps}"
                fake[key] = _mediacheck.frames_for_seconds(family, seconds, rate)
                client[key] = client_frames.video_frames(model_id, seconds, fps)
    return fake, client


def _audio_ranges() -> tuple[Table, Table]:
    """Music options' (min, max, default): the fake's tiers against the client's documented
    ranges (used when a tier declares none)."""
    fake: dict[str, Any] = {}
    client: dict[str, Any] = {}
    for model_id in ids("audio"):
        if _named("ace_step", "audio")(model_id):
            table = ace_step.ACE_STEP_RANGES
        elif model_id == minimax_music.MUSIC3_MODEL_ID:
            table = minimax_music.MUSIC3_RANGES
        else:
            continue
        tier = tier_of(model_id)
        for option in _mediacheck._AUDIO_RANGES:
            spec = tier.get(option)
            fake[f"{model_id} {option}"] = (
                (spec["min"], spec["max"], spec["default"]) if spec else None
            )
            snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), option)
            known = table.get(snake)
            client[f"{model_id} {option}"] = (
                (known.min, known.max, known.default) if known else None
            )
    return fake, client


def _audio_lists() -> tuple[Table, Table]:
    fake: dict[str, Any] = {}
    client: dict[str, Any] = {}
    lists = {
        "keyscale": ace_step.KEYSCALES,
        "timesignature": ace_step.TIME_SIGNATURES,
        "language": ace_step.LYRICS_LANGUAGES,
    }
    for model_id in ids("audio"):
        if not _named("ace_step", "audio")(model_id):
            continue
        for option, values in lists.items():
            fake[f"{model_id} {option}"] = sorted(tier_of(model_id)[option]["allowed"])
            client[f"{model_id} {option}"] = sorted(values)
    return fake, client


def _h3_tier_maxima(key: str) -> set[Any]:
    """The distinct maxima of ``key`` over the fake's MiniMax H3 tiers."""
    values = (tier_of(m)[key] for m in _family_ids("h3"))
    return {v if isinstance(v, int) else v["max"] for v in values}


def _limits() -> tuple[Table, Table]:
    mc, jc = _mediacheck, _jobcheck
    pairs: dict[str, tuple[Any, Any]] = {
        "max LoRAs": (jc.MAX_LORAS, _checks.MAX_LORAS),
        "seed maximum": (jc.MAX_SEED, _checks.MAX_SEED),
        "LoRA strength": (
            jc.LORA_STRENGTH_RANGE,
            (-_checks.LORA_STRENGTH_LIMIT, _checks.LORA_STRENGTH_LIMIT),
        ),
        "image numberOfImages maximum": (jc.MAX_MEDIA["image"], ABSENT),
        "video numberOfImages maximum": (jc.MAX_MEDIA["video"], ABSENT),
        "audio numberOfImages maximum": (jc.MAX_MEDIA["audio"], _validate_audio.AUDIO_MAX_VERSIONS),
        "Wan 3 seed maximum": (mc.WAN3_MAX_SEED, wan3.WAN3_MAX_SEED),
        "Wan 3 ratios": (mc.WAN3_RATIOS, wan3.WAN3_RATIOS),
        "Seedance task types": (mc.SEEDANCE_TASKS, seedance.SEEDANCE_TASK_TYPES),
        "video ControlNets": (mc.VIDEO_CONTROLNETS, _validate_video.VIDEO_CONTROLNET_NAMES),
        "outpaint positions": (mc.OUTPAINT_POSITIONS, _validate_video.OUTPAINT_POSITIONS),
        "FlashVSR detail": (mc.FLASHVSR_DETAIL, flashvsr.FLASHVSR_DETAIL),
        "FlashVSR speed": (mc.FLASHVSR_SPEED, flashvsr.FLASHVSR_SPEED),
        "WAN render fps": (mc.WAN_RENDER_FPS, client_frames.WAN_RENDER_FPS),
        "documented shift": (mc.DOCUMENTED_SHIFT, video_base.DOCUMENTED_SHIFT),
        "H3 fps": (mc.H3_FPS, minimax_h3.H3_FPS),
        "H3 base frames": (mc.H3_BASE_FRAMES, minimax_h3.H3_BASE_FRAMES),
        "H3 frame step": (mc.H3_FRAME_STEP, minimax_h3.H3_FRAME_STEP),
        "H3 max frames": (mc.H3_MAX_FRAMES, minimax_h3.H3_MAX_FRAMES),
        "H3 size grid": (mc.H3_GRID, minimax_h3.H3_DIMENSION_STEP),
        "H3 max side (tiers)": (_h3_tier_maxima("width"), {minimax_h3.H3_MAX_DIMENSION}),
        "H3 max height (tiers)": (_h3_tier_maxima("height"), {minimax_h3.H3_MAX_DIMENSION}),
        "H3 max pixels (tiers)": (_h3_tier_maxima("maxPixels"), {minimax_h3.H3_MAX_PIXELS}),
        "H3 max keyframes": (mc.H3_MAX_KEYFRAMES, minimax_h3.H3_MAX_KEYFRAMES),
        "H3 r2v reference limits": (mc.H3_R2V_LIMITS, minimax_h3.H3_REFERENCE_LIMITS),
        "H3 reference video seconds": (mc.H3_REFERENCE_SECONDS, minimax_h3.H3_VIDEO_SECONDS),
        "H3 reference seconds slack": (mc.H3_SECONDS_SLACK, minimax_h3.H3_SECONDS_TOLERANCE),
        "reference URL keys": (mc.URL_KEYS, tuple(wire_key(f) for f in video_base.URL_FIELDS)),
    }
    return {k: f for k, (f, _) in pairs.items()}, {k: c for k, (_, c) in pairs.items()}


def _wallets() -> tuple[Table, Table]:
    samples = [("alice", "correct horse"), ("Bob.Builder", "pässwörd-Ü"), ("x", "")]
    fake: dict[str, Any] = {}
    client: dict[str, Any] = {}
    for username, password in samples:
        fake[username] = wallet_address_for(username, password)
        client[username] = _wallet.Wallet(username, password).address
    return fake, client


def _signing() -> tuple[Table, Table]:
    fake = {
        "mainnet domain": _auth._DOMAINS[0],
        "testnet domain": _auth._DOMAINS[1],
        "types": _auth._AUTH_TYPES,
    }
    client = {
        "mainnet domain": _wallet.eip712_domain(),
        "testnet domain": _wallet.eip712_domain(testnet=True),
        "types": {"Authentication": _wallet.AUTHENTICATION_TYPES["Authentication"]},
    }
    return fake, client


def _statuses() -> tuple[Table, Table]:
    """The raw project status the fake keeps -> the name its REST answers use; the client reads
    either spelling."""
    fake = {raw: NORMALIZED_STATUS.get(raw, ABSENT) for raw in _RAW_PROJECT_STATUS}
    fake.update(NORMALIZED_STATUS)
    client = {raw: _RAW_PROJECT_STATUS.get(raw, ABSENT) for raw in fake}
    return fake, client


PAIRS: dict[str, Callable[[], tuple[Table, Table]]] = {
    "JavaScript whitespace": lambda: (
        _flags(f"U+{ord(c):04X}" for c in _mediacheck.JS_WHITESPACE),
        _flags(f"U+{c:04X}" for c in range(0x10000) if client_js.is_whitespace(chr(c))),
    ),
    "sampler aliases": lambda: (_jobcheck.SAMPLER_ALIASES, client_catalog._SAMPLER_ALIASES),
    "scheduler aliases": lambda: (_jobcheck.SCHEDULER_ALIASES, client_catalog._SCHEDULER_ALIASES),
    "comfy prefixes": lambda: (_flags(_jobcheck.COMFY_PREFIXES), _flags(COMFY_PREFIXES)),
    "video workflow assets": lambda: (
        _asset_rules(_mediacheck._ASSET_ORDER, _mediacheck._WORKFLOW_ASSETS),
        _asset_rules(CLIENT_ASSET_ORDER, video_base.WORKFLOW_ASSETS),
    ),
    "H3 workflow assets": lambda: (
        _asset_rules(_mediacheck._ASSET_ORDER, _mediacheck._H3_WORKFLOW_ASSETS),
        _asset_rules(CLIENT_ASSET_ORDER, minimax_h3.H3_WORKFLOW_ASSETS),
    ),
    "model families": _families,
    "video workflows": lambda: _per_model(ids("video"), _serving("workflow"), _video_workflow),
    "Seedance reference limits": lambda: _per_model(
        _family_ids("seedance"),
        lambda m: tuple(SERVING[m]["referenceLimits"]),
        lambda m: seedance.SEEDANCE_REFERENCE_LIMITS.get(m, ABSENT),
    ),
    "Seedance 2.5 ids": lambda: _per_model(
        _family_ids("seedance"),
        lambda m: bool(SERVING[m].get("seedance25")),
        lambda m: m in seedance.SEEDANCE_25_MODEL_IDS,
    ),
    "H3 audio-guide ids": lambda: _per_model(
        _family_ids("h3"),
        lambda m: bool(SERVING[m].get("audioGuide")),
        minimax_h3.is_h3_audio_guide_model,
    ),
    "Wan 3 Enhanced ids": lambda: _per_model(
        _family_ids("wan3"),
        lambda m: bool(SERVING[m].get("enhanced")),
        lambda m: m == wan3.WAN3_ENHANCED_MODEL_ID,
    ),
    "vendor models": lambda: _per_model(
        list(MODELS),
        lambda m: bool(SERVING.get(m, {}).get("vendor")),
        lambda m: _vendor_video(m) or _named("gpt_image", "image")(m),
    ),
    "image size bounds": lambda: _per_model(
        ids("image"),
        lambda m: tuple(SERVING.get(m, {}).get("size", _jobcheck.DEFAULT_SIZE_LIMITS)),
        _validation.custom_image_size_bounds,
    ),
    "context image limits": lambda: _per_model(
        ids("image"),
        _serving("maxContextImages", _jobcheck.DEFAULT_MAX_CONTEXT_IMAGES),
        _validation.max_context_images,
    ),
    "GPT Image options": lambda: _per_model(
        [
            m
            for m in ids("image")
            if "gptImage" in SERVING.get(m, {}) or _named("gpt_image", "image")(m)
        ],
        lambda m: (
            tuple(SERVING[m]["gptImage"]["quality"]),
            tuple(SERVING[m]["gptImage"]["background"]),
        ),
        lambda m: (gpt_image.gpt_image_qualities(m), gpt_image.gpt_image_backgrounds(m)),
    ),
    "output formats": _output_formats,
    "download content types": _download_content_types,
    "upload content-type keys": _upload_content_type_keys,
    "video duration ranges": lambda: _per_model(
        ids("video"), _duration_range, client_frames.video_duration_range
    ),
    "default video fps": lambda: _per_model(ids("video"), _fake_default_fps, _client_render_fps),
    "video frame counts": _frame_counts,
    "music option ranges": _audio_ranges,
    "music option lists": _audio_lists,
    "limits and constants": _limits,
    "wallet derivation": _wallets,
    "sign-in typed data": _signing,
    "project statuses": _statuses,
}


# ---------------------------------------------------------------------------- intended differences
#
# Table name -> key -> (the fake's value, the client's value, why they differ).

_PY_570 = "the fake also accepts the newer Python SDK's (5.70) prefix; the client follows TS 5.54"
_NO_CLIENT_MAX = (
    "[INV-NUMBER-OF-IMAGES] the server's cap is undocumented; the client checks only >= 1"
)
_NUMBERED = "the fake builds the numbered H3 r2v keys in code (check_assets), not from this table"
_RAW_ONLY = "the client also reads a status the fake never reports"

INTENDED: dict[str, dict[str, tuple[Any, Any, str]]] = {
    "comfy prefixes": {
        "flux3_": (True, ABSENT, _PY_570),
        "moss_image_": (True, ABSENT, _PY_570),
    },
    "output formats": {
        "image": (
            ["jpeg", "jpg", "png", "webp"],
            ["jpg", "png", "webp"],
            "the fake also takes the spelling 'jpeg' (stored as jpg); the client sends 'jpg'",
        ),
    },
    "download content types": {
        "video/mp4": ("video/mp4", None, "the client signs video downloads without a type"),
        "video/mov": ("video/quicktime", None, "the client signs video downloads without a type"),
    },
    "upload content-type keys": {
        **{
            f"reference{kind}{n}": (ABSENT, f"reference{kind}{n}ContentType", _NUMBERED)
            for kind in ("Audio", "Video")
            for n in (1, 2, 3)
        },
    },
    "limits and constants": {
        "image numberOfImages maximum": (16, ABSENT, _NO_CLIENT_MAX),
        "video numberOfImages maximum": (4, ABSENT, _NO_CLIENT_MAX),
    },
    "project statuses": {
        "pending": (ABSENT, "pending", _RAW_ONLY),
        "authorized": (ABSENT, "pending", _RAW_ONLY),
        "queued": (ABSENT, "queued", _RAW_ONLY + " (the normalised name)"),
        "processing": (ABSENT, "processing", _RAW_ONLY + " (the normalised name)"),
        "failed": (ABSENT, "failed", _RAW_ONLY + " (the normalised name)"),
        "canceled": (ABSENT, "canceled", _RAW_ONLY + " (the normalised name)"),
    },
}


def differences(fake: Table, client: Table) -> dict[str, tuple[Any, Any]]:
    out = {}
    for key in set(fake) | set(client):
        pair = (fake.get(key, ABSENT), client.get(key, ABSENT))
        if pair[0] != pair[1]:
            out[key] = pair
    return out


@pytest.mark.parametrize("table", sorted(PAIRS))
def test_fake_and_client_tables_agree_except_where_intended(table: str) -> None:
    fake, client = PAIRS[table]()
    assert fake or client, f"{table}: both tables are empty; the comparison checks nothing"
    intended = {key: (f, c) for key, (f, c, _why) in INTENDED.get(table, {}).items()}
    assert differences(fake, client) == intended


def test_every_intended_difference_names_a_compared_table() -> None:
    assert set(INTENDED) <= set(PAIRS)
    assert all(why for rows in INTENDED.values() for *_, why in rows.values())


def test_the_comparison_catches_a_drifted_row() -> None:
    # The r2v row the fake once lacked: dropping it shows up as a difference.
    fake, client = PAIRS["video workflow assets"]()
    drifted = {k: v for k, v in fake.items() if k != "r2v"}
    assert set(differences(drifted, client)) == {"r2v"}
    assert differences(drifted, client)["r2v"][0] == ABSENT
