"""Server-side validation of a ``jobRequest``, as the Supernet does it before queueing.

The fake's own reading of the request format (never the client's validators). A request that passes
becomes a :class:`Plan`; one that does not raises :class:`Refusal`, which the projects module
turns into a project-level ``jobError``. The top-level keys and the shared key frame keys
(steps, guidance, seed, LoRAs) are checked here for every media type, the image key frame too;
video and audio key frames are checked by ``_mediacheck``.

Refusal codes [INV-JOB-REFUSALS] (the protocol gives only 1001, 4078-4081, 4103, 4104):

* ``4000``: the request is invalid. The message lists every problem, ``"; "``-separated, each
  naming the wire key (``numberOfImages``, ``keyFrames[0].steps``, an upload slot, ...).
* ``4104``: the model is not served on the request's network (as in PY 5.70).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._mediacheck import MediaPlan
    from ._state import FakeAccount
    from ._storage import Storage

__all__ = ["COMFY_PREFIXES", "Plan", "Refusal", "check_job_request"]

INVALID_REQUEST = 4000
MODEL_NOT_ON_NETWORK = 4104
# [INV-NUMBER-OF-IMAGES] the fake accepts 1-16 images, 1-4 videos or 1-4 audio tracks per
# project.
MAX_MEDIA = {"image": 16, "video": 4, "audio": 4}
MAX_LORAS = 8
LORA_STRENGTH_RANGE = (-100.0, 100.0)
MAX_SEED = 2**32 - 1
# Per media type: accepted outputFormat -> stored format; the first is the default.
OUTPUT_FORMATS = {
    "image": {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp"},
    "video": {"mp4": "mp4", "mov": "mov"},
    "audio": {"mp3": "mp3", "wav": "wav", "flac": "flac"},
}
DEFAULT_SIZE_LIMITS = (256, 2048)
DEFAULT_MAX_CONTEXT_IMAGES = 3

# Models whose sampler/scheduler travel as comfySampler/comfyScheduler/vae
# (the union of the TS 5.54 and PY 5.70 lists); every other image model uses the legacy
# scheduler/timeStepSpacing keys.
COMFY_PREFIXES = (
    "z_image_",
    "dark_beast_z_image_",
    "krea2_",
    "dark_beast_krea2_",
    "qwen_image_",
    "flux3_",
    "moss_image_",
    "rtx_vsr_",
    "flashvsr_",
    "wan_",
    "ace_step",
    "minimax_music3",
    "qwen3_tts_",
)

# Display names the tiers advertise, and the aliases clients send; the server takes either.
SAMPLER_ALIASES = {
    "Euler": "euler",
    "Euler a": "euler_a",
    "Euler Ancestral": "euler_ancestral",
    "Heun": "heun",
    "DPM++ 2M": "dpmpp_2m",
    "DPM++ 2M SDE": "dpmpp_2m_sde",
    "DPM++ SDE": "dpmpp_sde",
    "DPM++ 3M SDE": "dpmpp_3m_sde",
    "UniPC": "uni_pc",
    "LCM (Latent Consistency Model)": "lcm",
    "LMS": "lms",
    "DPM 2": "dpm_2",
    "DPM 2 Ancestral": "dpm_2_ancestral",
    "DPM Fast": "dpm_fast",
    "DPM Adaptive": "dpm_adaptive",
    "DPM++ 2S Ancestral": "dpmpp_2s_ancestral",
    "DDPM": "ddpm",
    "Discrete Flow Sampler (SD3)": "dfs_sd3",
    "Discrete Flow Scheduler (SD3)": "dfs_sd3",
    "DPM Solver Multistep (DPM-Solver++)": "dpm_pp",
    "PNDM (Pseudo-linear multi-step)": "pndm_plms",
}
SCHEDULER_ALIASES = {
    "Simple": "simple",
    "Normal": "normal",
    "Karras": "karras",
    "Exponential": "exponential",
    "SGM Uniform": "sgm_uniform",
    "DDIM Uniform": "ddim_uniform",
    "Beta": "beta",
    "Linear Quadratic": "linear_quadratic",
    "KL Optimal": "kl_optimal",
    "DDIM": "ddim",
    "Leading": "leading",
    "Linear": "linear",
}


class Refusal(Exception):
    """A request the server refuses with a project-level ``jobError``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Plan:
    """A validated request: everything the workers and the cost model need."""

    model_id: str
    model: dict[str, Any]
    tier: dict[str, Any]
    serving: dict[str, Any]
    network: str
    token_type: str
    billing_mode: str | None
    count: int
    previews: int
    steps: int
    width: int
    height: int
    size_preset: str | None
    fmt: str
    prompt: str
    negative_prompt: str
    seed: int | None
    disable_safety: bool
    controlnet: bool
    denoise: Decimal
    context_images: int
    vendor: bool
    fee_usd: Decimal
    loras: list[str] = field(default_factory=list)
    media: str = "image"
    av: MediaPlan | None = None
    """Video/audio specifics (frames, fps, duration, workflow); None for images."""


def is_comfy(model_id: str) -> bool:
    return model_id.startswith(COMFY_PREFIXES)


def find_model(fake: FakeSupernet, model_id: Any) -> dict[str, Any] | None:
    for model in fake.catalog["models"]:
        if model["id"] == model_id:
            return dict(model)
    return None


def serving_of(fake: FakeSupernet, model_id: str) -> dict[str, Any]:
    entry = fake.catalog.get("serving", {}).get(model_id, {})
    return dict(entry) if isinstance(entry, dict) else {}


def default_size(tier: dict[str, Any], serving: dict[str, Any]) -> int:
    size = serving.get("defaultSize", tier.get("defaultSize", 512))
    return int(size) if isinstance(size, (int, float)) else 512


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[float]:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _in_range(spec: Any, value: float) -> bool:
    if not isinstance(spec, dict):
        return True
    low, high = spec.get("min"), spec.get("max")
    return (not _is_number(low) or value >= low) and (not _is_number(high) or value <= high)


def allowed_names(spec: Any, aliases: dict[str, str]) -> set[str]:
    if not isinstance(spec, dict):
        return set()
    names = {str(v) for v in spec.get("allowed") or [] if v is not None}
    return names | {aliases[n] for n in names if n in aliases}


def _size_presets() -> dict[str, tuple[int, int]]:
    from ._routes import SIZE_PRESETS

    return {pid: (w, h) for _label, pid, w, h, _ratio, _aspect in SIZE_PRESETS}


def check_job_request(
    fake: FakeSupernet,
    storage: Storage,
    account: FakeAccount,
    session_network: str,
    payload: dict[str, Any],
) -> Plan:
    """Validate ``payload`` for ``account``; return its :class:`Plan` or raise ``Refusal``."""
    job_id = payload["jobID"]
    frames = payload.get("keyFrames")
    if not isinstance(frames, list) or not frames or not isinstance(frames[0], dict):
        raise Refusal(INVALID_REQUEST, "keyFrames must be a list holding one key frame object")
    kf: dict[str, Any] = frames[0]
    model_id = kf.get("modelID")
    model = find_model(fake, model_id)
    if model is None:
        raise Refusal(INVALID_REQUEST, f"keyFrames[0].modelID: model {model_id!r} not supported")
    tier = fake.catalog["tiers"].get(model["tier"], {})
    media = model.get("media", "image")
    if media not in MAX_MEDIA:
        # [INV-MEDIA-NO-3D] the fake's workers render images, video and audio, not 3D models.
        raise Refusal(INVALID_REQUEST, f"{media} generation is not available on this server")
    serving = serving_of(fake, model["id"])
    problems: list[str] = []

    network = payload.get("network", session_network)
    if network not in ("fast", "relaxed"):
        problems.append(f"network must be 'fast' or 'relaxed', got {network!r}")
        network = session_network
    elif network not in serving.get("networks", ["fast"]):
        # As the swarmModels push decides it (FakeSupernet._swarm_models), for one model.
        other = "relaxed" if network == "fast" else "fast"
        raise Refusal(
            MODEL_NOT_ON_NETWORK,
            f"{model['name']} is not available on the {network} network yet. "
            f"Try the {other} network.",
        )

    limit = MAX_MEDIA[media]
    count = payload.get("numberOfImages", 1)
    if not _is_int(count) or not 1 <= count <= limit:
        problems.append(f"numberOfImages must be an integer from 1 to {limit}, got {count!r}")
        count = 1
    previews = payload.get("previews", 0)
    if not _is_int(previews) or previews < 0:
        problems.append(f"previews must be a non-negative integer, got {previews!r}")
        previews = 0
    disable_safety = payload.get("disableSafety", False)
    if not isinstance(disable_safety, bool):
        problems.append("disableSafety must be a boolean")
        disable_safety = False
    vendor = bool(serving.get("vendor"))
    # [INV-VENDOR-DEFAULT-SPARK] without a tokenType, Spark-only vendor models bill in Spark.
    token_type = payload.get("tokenType", "spark" if vendor else "sogni")
    if token_type not in ("sogni", "spark"):
        problems.append(f"tokenType must be 'sogni' or 'spark', got {token_type!r}")
        token_type = "sogni"
    billing_mode = payload.get("billingMode")
    if billing_mode is not None and billing_mode not in ("auto", "subscription", "tokens"):
        problems.append(
            f"billingMode must be 'auto', 'subscription' or 'tokens', got {billing_mode!r}"
        )
    formats = OUTPUT_FORMATS[media]
    default_format = next(iter(formats))
    raw_format = payload.get("outputFormat", default_format)
    fmt = formats.get(raw_format) if isinstance(raw_format, str) else None
    if fmt is None:
        listed = ", ".join(sorted(set(formats.values())))
        problems.append(f"outputFormat must be {listed} for {media}, got {raw_format!r}")
        fmt = formats[default_format]

    steps_spec = tier.get("steps")
    steps = kf.get("steps")
    if steps is None:
        steps = int(steps_spec.get("default", 1)) if isinstance(steps_spec, dict) else 1
    elif not _is_int(steps) or not _in_range(steps_spec, steps):
        problems.append(_range_problem("keyFrames[0].steps", steps_spec, steps, integer=True))
        steps = 1
    guidance = kf.get("guidanceScale")
    guidance_spec = tier.get("guidance")
    if (
        guidance is not None
        and guidance_spec is not None
        and (not _is_number(guidance) or not _in_range(guidance_spec, guidance))
    ):
        problems.append(_range_problem("keyFrames[0].guidanceScale", guidance_spec, guidance))
    seed = kf.get("seed")
    # FlashVSR takes -1 ("random") as a seed.
    min_seed = -1 if serving.get("family") == "flashvsr" else 0
    if seed is not None and (not _is_int(seed) or not min_seed <= seed <= MAX_SEED):
        problems.append(
            f"keyFrames[0].seed must be an integer from {min_seed} to {MAX_SEED}, got {seed!r}"
        )
        seed = None
    if seed == -1:
        seed = None
    prompt = kf.get("positivePrompt", "")
    if not isinstance(prompt, str):
        problems.append("keyFrames[0].positivePrompt must be a string")
        prompt = ""
    negative = kf.get("negativePrompt", "")
    negative = negative if isinstance(negative, str) else ""
    loras = _check_loras(fake, model["id"], kf, problems)
    if vendor and token_type != "spark":
        problems.append(f"{model['name']} is billed in Spark only: set tokenType to 'spark'")

    plan = Plan(
        model_id=model["id"],
        model=model,
        tier=tier,
        serving=serving,
        network=network,
        token_type=token_type,
        billing_mode=billing_mode,
        count=count,
        previews=0,
        steps=steps,
        width=0,
        height=0,
        size_preset=None,
        fmt=fmt,
        prompt=prompt,
        negative_prompt=negative,
        seed=seed,
        disable_safety=disable_safety,
        controlnet=False,
        denoise=Decimal(0),
        context_images=0,
        vendor=vendor,
        fee_usd=Decimal(str(serving.get("feeUSD", "0"))),
        loras=loras,
        media=media,
    )
    if media == "image":
        _check_image(fake, storage, account, job_id, plan, kf, previews, problems)
    else:
        from ._mediacheck import check_audio
        from ._videocheck import check_video

        check = check_video if media == "video" else check_audio
        plan.av = check(storage, account, job_id, model, tier, serving, payload, problems)
        plan.width, plan.height = plan.av.width, plan.av.height
    if problems:
        raise Refusal(INVALID_REQUEST, "; ".join(problems))
    return plan


def _check_image(
    fake: FakeSupernet,
    storage: Storage,
    account: FakeAccount,
    job_id: str,
    plan: Plan,
    kf: dict[str, Any],
    previews: int,
    problems: list[str],
) -> None:
    _check_sampling(plan.model_id, plan.tier, kf, problems)
    plan.width, plan.height, plan.size_preset = _check_size(
        plan.model_id, plan.tier, plan.serving, kf, problems
    )
    plan.controlnet, plan.denoise, plan.context_images = _check_assets(
        storage, account, job_id, plan.serving, kf, problems
    )
    _check_gpt_image(plan.model_id, plan.serving, kf, plan.fmt, problems)
    # [INV-PREVIEW-CAP] a worker sends at most one preview per step before the last; video
    # and audio workers send none.
    plan.previews = min(previews, max(plan.steps - 1, 0))


def _range_problem(name: str, spec: Any, value: Any, *, integer: bool = False) -> str:
    kind = "an integer" if integer else "a number"
    if isinstance(spec, dict) and "min" in spec and spec.get("min") == spec.get("max"):
        return f"{name} is fixed at {spec['min']} for this model, got {value!r}"
    if isinstance(spec, dict) and "min" in spec and "max" in spec:
        return f"{name} must be {kind} from {spec['min']} to {spec['max']}, got {value!r}"
    return f"{name} must be {kind}, got {value!r}"


def _check_sampling(
    model_id: str, tier: dict[str, Any], kf: dict[str, Any], problems: list[str]
) -> None:
    comfy = is_comfy(model_id)
    sampler_key, scheduler_key = (
        ("comfySampler", "comfyScheduler") if comfy else ("scheduler", "timeStepSpacing")
    )
    checks = [
        (sampler_key, tier.get("comfySampler") or tier.get("sampler"), SAMPLER_ALIASES),
        (scheduler_key, tier.get("comfyScheduler") or tier.get("scheduler"), SCHEDULER_ALIASES),
    ]
    if comfy:
        checks.append(("vae", tier.get("vae"), {}))
    for key, spec, aliases in checks:
        value = kf.get(key)
        allowed = allowed_names(spec, aliases)
        # A value for an empty list is dropped, as the clients do.
        if value is None or not allowed:
            continue
        if value not in allowed:
            listed = ", ".join(sorted(allowed))
            problems.append(f"keyFrames[0].{key} must be one of {listed}; got {value!r}")


def _check_size(
    model_id: str,
    tier: dict[str, Any],
    serving: dict[str, Any],
    kf: dict[str, Any],
    problems: list[str],
) -> tuple[int, int, str | None]:
    preset = kf.get("sizePreset")
    fallback = default_size(tier, serving)
    if preset is None and kf.get("width") is None and kf.get("height") is None:
        return fallback, fallback, None
    if preset not in (None, "custom"):
        presets = _size_presets()
        if preset not in presets:
            problems.append(f"keyFrames[0].sizePreset {preset!r} is not a preset of {model_id}")
            return fallback, fallback, None
        width, height = presets[preset]
        return width, height, str(preset)
    low, high = (int(v) for v in serving.get("size", DEFAULT_SIZE_LIMITS))
    sizes = []
    for key in ("width", "height"):
        value = kf.get(key)
        if _is_int(value) and low <= value <= high:
            sizes.append(int(value))
            continue
        problems.append(
            f"keyFrames[0].{key} must be an integer from {low} to {high} for {model_id}, "
            f"got {value!r}"
        )
        sizes.append(fallback)
    return sizes[0], sizes[1], "custom"


def _check_assets(
    storage: Storage,
    account: FakeAccount,
    job_id: str,
    serving: dict[str, Any],
    kf: dict[str, Any],
    problems: list[str],
) -> tuple[bool, Decimal, int]:
    """Uploaded-asset flags need their upload to exist already (matched by jobId + type)."""

    def require(slot: str) -> None:
        if storage.find_upload(account, job_id, slot) is None:
            problems.append(
                f"{slot} was not uploaded for project {job_id}: upload it "
                "(GET /v1/image/uploadUrl, then PUT the bytes) before sending the jobRequest"
            )

    denoise = Decimal(0)
    if kf.get("hasStartingImage") is True:
        require("startingImage")
        strength = kf.get("strength", 0.5)
        if not _is_number(strength) or not 0 <= strength <= 1:
            problems.append(f"keyFrames[0].strength must be a number from 0 to 1, got {strength!r}")
        else:
            denoise = Decimal(str(strength))
    controlnet = False
    nets = kf.get("currentControlNetsJob")
    if isinstance(nets, list) and nets and isinstance(nets[0], dict):
        controlnet = True
        net = nets[0]
        if net.get("hasImage") is True:
            require("cnImage")
        for key in ("controlStrength", "controlGuidanceStart", "controlGuidanceEnd"):
            value = net.get(key)
            if value is not None and (not _is_number(value) or not 0 <= value <= 1):
                problems.append(
                    f"keyFrames[0].currentControlNetsJob[0].{key} must be a number from 0 to 1, "
                    f"got {value!r}"
                )
    context = 0
    for n in range(1, 17):
        if kf.get(f"hasContextImage{n}") is True:
            context += 1
            require(f"contextImage{n}")
    limit = int(serving.get("maxContextImages", DEFAULT_MAX_CONTEXT_IMAGES))
    if context > limit:
        problems.append(f"up to {limit} context images are supported for this model, got {context}")
    if kf.get("hasReferenceMask") is True:
        require("referenceMask")
    return controlnet, denoise, context


def _check_gpt_image(
    model_id: str, serving: dict[str, Any], kf: dict[str, Any], fmt: str, problems: list[str]
) -> None:
    options = serving.get("gptImage")
    keys = ("gptImageQuality", "gptImageBackground", "gptImageOutputCompression")
    if not isinstance(options, dict):
        for key in keys:
            if kf.get(key) is not None:
                problems.append(f"keyFrames[0].{key} is supported only by GPT Image models")
        return
    quality = kf.get("gptImageQuality")
    if quality is not None and quality not in options.get("quality", []):
        problems.append(f"keyFrames[0].gptImageQuality {quality!r} is not supported by {model_id}")
    background = kf.get("gptImageBackground")
    if background is not None and background not in options.get("background", []):
        problems.append(
            f"keyFrames[0].gptImageBackground {background!r} is not supported by {model_id}"
        )
    if background == "transparent" and fmt == "jpg":
        problems.append("transparent GPT Image output requires PNG or WebP")
    compression = kf.get("gptImageOutputCompression")
    if compression is not None:
        if not _is_int(compression) or not 0 <= compression <= 100:
            problems.append("keyFrames[0].gptImageOutputCompression must be an integer 0-100")
        elif fmt not in ("jpg", "webp"):
            problems.append("gptImageOutputCompression requires JPEG or WebP output")


def _check_loras(
    fake: FakeSupernet, model_id: str, kf: dict[str, Any], problems: list[str]
) -> list[str]:
    loras = kf.get("loras")
    if loras is None:
        return []
    if not isinstance(loras, list) or not all(isinstance(x, str) for x in loras):
        problems.append("keyFrames[0].loras must be a list of LoRA ids")
        return []
    if len(loras) > MAX_LORAS:
        problems.append(f"at most {MAX_LORAS} LoRAs per request, got {len(loras)}")
    catalog = {row["loraId"]: row for row in fake.catalog.get("loras", {}).get("loras", [])}
    for lora_id in loras:
        row = catalog.get(lora_id)
        if row is None:
            problems.append(f"unknown LoRA {lora_id!r}")
        elif model_id not in row.get("modelIds", []):
            problems.append(f"LoRA {lora_id!r} does not support {model_id}")
    strengths = kf.get("loraStrengths")
    if strengths is not None:
        low, high = LORA_STRENGTH_RANGE
        if (
            not isinstance(strengths, list)
            or len(strengths) > len(loras)
            or not all(_is_number(s) and low <= s <= high for s in strengths)
        ):
            problems.append(
                f"keyFrames[0].loraStrengths must hold at most one number from {low:g} to "
                f"{high:g} per LoRA"
            )
    return list(loras)
