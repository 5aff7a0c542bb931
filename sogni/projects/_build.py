"""Build the exact ``jobRequest`` body from validated parameters (protocol/02 §2-§3).

Call :func:`sogni.projects._validation.validate` first: the builder trusts its input. Where the
official clients disagree the body follows the TypeScript SDK, including its number rendering:
JavaScript has one number type, so a whole float (``7.0``, ``1 - 2.0``) is sent as ``7``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from .._wire.converter import unstructure
from .._wire.fields import OMIT, Omit
from .._wire.job_request import (
    ControlNetJob,
    ImageKeyFrame,
    JobRequest,
    Sam3BoxWire,
    Sam3PointWire,
    Sam3PromptWire,
    WorldGenerationReceiptWire,
)
from . import _families as fam
from ._validation import PIXAL3D_LIMITS, PIXAL3D_VIEW_SLOTS, MediaSlot
from .catalog import Catalog, ImageModelOptions, sampler_alias, scheduler_alias
from .params import (
    ImageProjectParams,
    ProjectParams,
    Sam3Prompt,
    WorkloadAttribution,
    WorldGenerationReceipt,
)

__all__ = ["build_job_request", "js_number", "resolve_attribution"]

_SAFE_INTEGER: Final = 2**53


def js_number(value: float) -> int | float:
    """``value`` as JavaScript's ``JSON.stringify`` writes it: whole floats lose the ``.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _SAFE_INTEGER:
        return int(value)
    return value


def _opt_number(value: float | None) -> int | float | Omit:
    return OMIT if value is None else js_number(value)


def build_job_request(
    params: ProjectParams,
    *,
    job_id: str,
    catalog: Catalog,
    app_source: str | None,
    slots: Sequence[MediaSlot],
) -> dict[str, Any]:
    """The JSON-ready ``jobRequest`` body for a validated project.

    ``app_source`` is the client-level default, used when ``params.app_source`` is unset.
    ``slots`` are the uploaded media (video and audio bodies carry their content types; image
    bodies only carry ``has*`` flags, so the image builder does not need them).
    """
    builder = _BUILDERS[params.type]
    request = builder(params, job_id, catalog, app_source or None, slots)
    body: dict[str, Any] = unstructure(request)
    return body


# ---------------------------------------------------------------------------- shared parts


def _receipt(receipt: WorldGenerationReceipt | None) -> WorldGenerationReceiptWire | Omit:
    if receipt is None:
        return OMIT
    if receipt.stage == "target_still":
        return WorldGenerationReceiptWire(
            stage=receipt.stage,
            source_image_sha256=str(receipt.source_image_sha256).lower(),
            selection_hash=str(receipt.selection_hash).lower(),
        )
    return WorldGenerationReceiptWire(
        stage=receipt.stage,
        first_frame_sha256=str(receipt.first_frame_sha256).lower(),
        last_frame_sha256=str(receipt.last_frame_sha256).lower(),
    )


def common_key_frame_fields(params: ProjectParams) -> dict[str, Any]:
    """Key-frame fields every media type sets the same way."""
    return {
        "steps": _opt_number(params.steps),
        "guidance_scale": _opt_number(params.guidance),
        "model_id": params.model_id,
        "seed": _opt_number(params.seed),
        "positive_prompt": params.positive_prompt,
        "style_prompt": params.style_prompt or "",
        "loras": list(params.loras) if params.loras else OMIT,
        "lora_strengths": [js_number(s) for s in params.lora_strengths]
        if params.lora_strengths
        else OMIT,
        "world_generation_receipt": _receipt(params.world_generation_receipt),
    }


_AGENT_FIELDS: Final = (
    "agent_framework",
    "agent_framework_version",
    "agent_surface",
    "agent_surface_version",
    "execution_mode",
)


def resolve_attribution(
    attribution: WorkloadAttribution | None, fallback_operation_id: str
) -> dict[str, str]:
    """The flat attribution fields of a request (protocol/02 §2.1), snake_case keys.

    Strings are trimmed; an operation id defaults to the project id; the scope is derived
    from the lineage (``top_level`` roots itself, ``child`` inherits its root as parent).
    """
    if attribution is None:
        return {}
    result: dict[str, str] = {}
    for name in ("workload_kind", *_AGENT_FIELDS, "operation_scope"):
        value = getattr(attribution, name)
        if isinstance(value, str) and value.strip():
            result[name] = value.strip()
    for name in ("operation_id", "root_operation_id", "parent_operation_id"):
        value = getattr(attribution, name)
        if value:
            result[name] = value
    if result.get("workload_kind", "agent_mediated") != "agent_mediated":
        result.pop("agent_framework", None)
        result.pop("agent_framework_version", None)
    if not result:
        return {}
    result.setdefault("operation_id", fallback_operation_id)
    operation_id = result["operation_id"]
    root, parent = result.get("root_operation_id"), result.get("parent_operation_id")
    if "operation_scope" not in result:
        child = parent is not None or (root is not None and root != operation_id)
        result["operation_scope"] = "child" if child else "top_level"
    if result["operation_scope"] == "child" and root and not parent:
        result["parent_operation_id"] = root
    if result["operation_scope"] == "top_level":
        result["root_operation_id"] = operation_id
        result.pop("parent_operation_id", None)
    return result


def job_request_fields(
    params: ProjectParams, job_id: str, app_source: str | None, output_format: str
) -> dict[str, Any]:
    """Top-level fields every media type sets the same way."""
    source = params.app_source or app_source
    return {
        "job_id": job_id,
        "disable_safety": bool(params.disable_nsfw_filter),
        "token_type": params.token_type or OMIT,
        "billing_mode": params.billing_mode or OMIT,
        "output_format": output_format,
        **resolve_attribution(params.attribution, job_id),
        "network": params.network or OMIT,
        "app_source": source or OMIT,
    }


# ---------------------------------------------------------------------------- image


def _sam3_prompt(prompt: Sam3Prompt) -> Sam3PromptWire:
    points = [
        Sam3PointWire(x=js_number(p.x), y=js_number(p.y), label=p.label) for p in prompt.points
    ]
    boxes = [
        Sam3BoxWire(
            x0=js_number(b.x0),
            y0=js_number(b.y0),
            x1=js_number(b.x1),
            y1=js_number(b.y1),
            label=b.label or "positive",
        )
        for b in prompt.boxes
    ]
    text = prompt.text.strip() if prompt.text else None
    return Sam3PromptWire(
        points=points,
        boxes=boxes,
        text=text or OMIT,
        threshold=0.5 if prompt.threshold is None else js_number(prompt.threshold),
        multimask=(True if prompt.multimask is None else prompt.multimask) if points else OMIT,
        apply_mask=prompt.apply_mask is True,
        max_instances=OMIT if prompt.max_instances is None else prompt.max_instances,
    )


def _control_net(params: ImageProjectParams) -> list[ControlNetJob] | Omit:
    cn = params.control_net
    if cn is None:
        return OMIT
    return [
        ControlNetJob(
            name=cn.name,
            has_image=cn.image is not None,
            control_strength=_opt_number(cn.strength),
            control_mode=fam.CONTROLNET_MODES[cn.mode] if cn.mode else OMIT,
            control_guidance_start=_opt_number(cn.guidance_start),
            control_guidance_end=_opt_number(cn.guidance_end),
        )
    ]


def _choice(value: str | None, allowed: Sequence[str], alias: Callable[[str], str]) -> str | None:
    """The validated value, or null when unset or when the model offers no choice."""
    if not value or not allowed:
        return None
    return alias(value)


def _build_image(
    params: ProjectParams,
    job_id: str,
    catalog: Catalog,
    app_source: str | None,
    slots: Sequence[MediaSlot],
) -> JobRequest:
    assert isinstance(params, ImageProjectParams)
    options = catalog.model_options(params.model_id)
    assert isinstance(options, ImageModelOptions)
    model = params.model_id
    kf: dict[str, Any] = common_key_frame_fields(params)
    kf["negative_prompt"] = params.negative_prompt or ""

    preset = params.size_preset or ("custom" if params.width and params.height else None)
    kf["size_preset"] = preset or OMIT
    if preset == "custom" and params.width and params.height:
        kf["width"] = js_number(params.width)
        kf["height"] = js_number(params.height)

    for index, image in enumerate(params.context_images[:16]):
        kf[f"has_context_image{index + 1}"] = image is not None
    for name, slot in PIXAL3D_VIEW_SLOTS.items():
        if getattr(params, name) is not None:
            kf[f"has_context_image{slot}"] = True

    sampler = _choice(params.sampler, options.sampler.allowed, sampler_alias)
    scheduler = _choice(params.scheduler, options.scheduler.allowed, scheduler_alias)
    if fam.is_comfy_model(model):
        kf["comfy_sampler"] = sampler
        kf["comfy_scheduler"] = scheduler
        kf["vae"] = _choice(params.vae, options.vae.allowed if options.vae else (), str)
    else:
        kf["scheduler"] = sampler
        kf["time_step_spacing"] = scheduler

    if params.starting_image is not None:
        kf["has_starting_image"] = True
        kf["strength_is_enabled"] = True
        keep = params.starting_image_strength or 0.5
        kf["strength"] = js_number(1 - keep)

    if model == fam.SAM3_MODEL_ID and params.sam3_prompt is not None:
        kf["sam3_prompt"] = _sam3_prompt(params.sam3_prompt)
    if model == fam.BIREFNET_MODEL_ID:
        kf["apply_mask"] = params.apply_mask is True
    if params.template_variant is not None:
        kf["template_variant"] = params.template_variant
    for name in PIXAL3D_LIMITS:
        value = getattr(params, name)
        if value is not None:
            kf[name] = value
    kf["current_control_nets_job"] = _control_net(params)

    mask_url = params.gpt_image_mask_url
    if params.gpt_image_mask is not None or (mask_url and mask_url.startswith("data:")):
        # A data: URI mask is uploaded as bytes, exactly like a binary mask.
        kf["has_reference_mask"] = True
        kf["reference_mask_content_type"] = "image/png"
    elif mask_url is not None:
        kf["gpt_image_mask_url"] = mask_url
    kf["gpt_image_quality"] = params.gpt_image_quality or OMIT
    kf["gpt_image_background"] = params.gpt_image_background or OMIT
    if params.gpt_image_output_compression is not None:
        kf["gpt_image_output_compression"] = params.gpt_image_output_compression

    segmentation = fam.is_segmentation_model(model)
    pixal = fam.is_pixal3d_model(model)
    if pixal:
        output_format = "glb"
    elif segmentation:
        output_format = "png"
    else:
        output_format = params.output_format or "png"
    return JobRequest(
        key_frames=[ImageKeyFrame(**kf)],
        previews=0 if segmentation or pixal else params.number_of_previews or 0,
        number_of_images=1 if segmentation else params.number_of_media or 1,
        **job_request_fields(params, job_id, app_source, output_format),
    )


_Builder = Callable[[Any, str, Catalog, "str | None", Sequence[MediaSlot]], JobRequest]
_BUILDERS: Final[dict[str, _Builder]] = {"image": _build_image}
