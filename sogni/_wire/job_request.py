"""The ``jobRequest`` body as attrs classes with explicit wire names.

The body is a fixed legacy template (workers need every key present) with some keys
overwritten and some added. Field order follows the order the official TypeScript client
produces. ``OMIT`` defaults are keys that may be absent; ``None`` defaults are sent as null.
Video and audio key frames subclass :class:`KeyFrame` the way :class:`ImageKeyFrame` does.
"""

from __future__ import annotations

from typing import Any

import attrs

from .fields import OMIT, Omit, wire

__all__ = [
    "AudioKeyFrame",
    "ControlNetJob",
    "ImageKeyFrame",
    "JobRequest",
    "KeyFrame",
    "Sam3BoxWire",
    "Sam3PointWire",
    "Sam3PromptWire",
    "VideoControlNetJob",
    "VideoKeyFrame",
    "WorldGenerationReceiptWire",
]


def _pair() -> list[int]:
    return [0, 0]


@attrs.frozen(kw_only=True)
class WorldGenerationReceiptWire:
    stage: str = wire("stage")
    source_image_sha256: str | Omit = wire("sourceImageSha256", default=OMIT)
    selection_hash: str | Omit = wire("selectionHash", default=OMIT)
    first_frame_sha256: str | Omit = wire("firstFrameSha256", default=OMIT)
    last_frame_sha256: str | Omit = wire("lastFrameSha256", default=OMIT)


@attrs.frozen(kw_only=True)
class KeyFrame:
    """The template key frame plus the keys every media type shares."""

    steps_is_enabled: bool = wire("stepsIsEnabled", default=True)
    si_rotation: int = wire("siRotation", default=0)
    si_drag_offset_is_enabled: bool = wire("siDragOffsetIsEnabled", default=True)
    strength: float = wire("strength", default=0.5)
    si_zoom_scale_is_enabled: bool = wire("siZoomScaleIsEnabled", default=True)
    is_enabled: bool = wire("isEnabled", default=True)
    processing: str = wire("processing", default="CPU, GPU")
    use_last_image_as_guide_image_in_animation: bool = wire(
        "useLastImageAsGuideImageInAnimation", default=True
    )
    guidance_scale_is_enabled: bool = wire("guidanceScaleIsEnabled", default=True)
    si_image_background_color: str = wire("siImageBackgroundColor", default="black")
    cn_drag_offset: list[int] = wire("cnDragOffset", factory=_pair)
    # Legacy (non-Comfy) image models carry the sampler here and the scheduler in
    # timeStepSpacing; everyone else leaves both null.
    scheduler: str | None = wire("scheduler", default=None)
    time_step_spacing: str | None = wire("timeStepSpacing", default=None)
    steps: int | float | Omit = wire("steps", default=OMIT)
    cn_rotation: int = wire("cnRotation", default=0)
    guidance_scale: int | float | Omit = wire("guidanceScale", default=OMIT)
    si_zoom_scale: int = wire("siZoomScale", default=1)
    model_id: str = wire("modelID", default="")
    cn_rotation_is_enabled: bool = wire("cnRotationIsEnabled", default=True)
    negative_prompt: str | Omit = wire("negativePrompt", default="")
    starting_image_zoom_pan_is_on: bool = wire("startingImageZoomPanIsOn", default=False)
    seed: int | float | Omit = wire("seed", default=OMIT)
    si_rotation_is_enabled: bool = wire("siRotationIsEnabled", default=True)
    cn_image_background_color: str = wire("cnImageBackgroundColor", default="clear")
    strength_is_enabled: bool = wire("strengthIsEnabled", default=True)
    si_drag_offset: list[int] = wire("siDragOffset", factory=_pair)
    use_last_image_as_cn_image_in_animation: bool = wire(
        "useLastImageAsCNImageInAnimation", default=False
    )
    positive_prompt: str | Omit = wire("positivePrompt", default="")
    control_net_zoom_pan_is_on: bool = wire("controlNetZoomPanIsOn", default=False)
    cn_zoom_scale_is_enabled: bool = wire("cnZoomScaleIsEnabled", default=True)
    current_control_nets: None = wire("currentControlNets", default=None)
    style_prompt: str = wire("stylePrompt", default="")
    cn_drag_offset_is_enabled: bool = wire("cnDragOffsetIsEnabled", default=True)
    frame_index: int = wire("frameIndex", default=0)
    starting_image: None = wire("startingImage", default=None)
    cn_zoom_scale: int = wire("cnZoomScale", default=1)
    # Added by every media type after the template keys.
    loras: list[str] | Omit = wire("loras", default=OMIT)
    lora_strengths: list[int | float] | Omit = wire("loraStrengths", default=OMIT)
    world_generation_receipt: WorldGenerationReceiptWire | Omit = wire(
        "worldGenerationReceipt", default=OMIT
    )


@attrs.frozen(kw_only=True)
class ControlNetJob:
    """One entry of ``currentControlNetsJob`` for image ControlNet."""

    name: str = wire("name")
    cn_image_state: str = wire("cnImageState", default="original")
    has_image: bool = wire("hasImage", default=False)
    control_strength: int | float | Omit = wire("controlStrength", default=OMIT)
    control_mode: int | Omit = wire("controlMode", default=OMIT)
    control_guidance_start: int | float | Omit = wire("controlGuidanceStart", default=OMIT)
    control_guidance_end: int | float | Omit = wire("controlGuidanceEnd", default=OMIT)


@attrs.frozen(kw_only=True)
class Sam3PointWire:
    x: int | float = wire("x")
    y: int | float = wire("y")
    label: str = wire("label")


@attrs.frozen(kw_only=True)
class Sam3BoxWire:
    x0: int | float = wire("x0")
    y0: int | float = wire("y0")
    x1: int | float = wire("x1")
    y1: int | float = wire("y1")
    label: str = wire("label", default="positive")


@attrs.frozen(kw_only=True)
class Sam3PromptWire:
    """The normalised SAM3 prompt: ``multimask`` only with points, ``text`` and
    ``maxInstances`` only when given."""

    points: list[Sam3PointWire] = wire("points", factory=list)
    boxes: list[Sam3BoxWire] = wire("boxes", factory=list)
    text: str | Omit = wire("text", default=OMIT)
    threshold: int | float = wire("threshold", default=0.5)
    multimask: bool | Omit = wire("multimask", default=OMIT)
    apply_mask: bool = wire("applyMask", default=False)
    max_instances: int | Omit = wire("maxInstances", default=OMIT)


@attrs.frozen(kw_only=True)
class ImageKeyFrame(KeyFrame):
    """Image keys, appended after the shared ones."""

    size_preset: str | Omit = wire("sizePreset", default=OMIT)
    has_context_image1: bool = wire("hasContextImage1", default=False)
    has_context_image2: bool = wire("hasContextImage2", default=False)
    has_context_image3: bool = wire("hasContextImage3", default=False)
    has_context_image4: bool = wire("hasContextImage4", default=False)
    has_context_image5: bool = wire("hasContextImage5", default=False)
    has_context_image6: bool = wire("hasContextImage6", default=False)
    has_context_image7: bool = wire("hasContextImage7", default=False)
    has_context_image8: bool = wire("hasContextImage8", default=False)
    has_context_image9: bool = wire("hasContextImage9", default=False)
    has_context_image10: bool = wire("hasContextImage10", default=False)
    has_context_image11: bool = wire("hasContextImage11", default=False)
    has_context_image12: bool = wire("hasContextImage12", default=False)
    has_context_image13: bool = wire("hasContextImage13", default=False)
    has_context_image14: bool = wire("hasContextImage14", default=False)
    has_context_image15: bool = wire("hasContextImage15", default=False)
    has_context_image16: bool = wire("hasContextImage16", default=False)
    # Comfy models only (always present there, possibly null).
    comfy_sampler: str | Omit | None = wire("comfySampler", default=OMIT)
    comfy_scheduler: str | Omit | None = wire("comfyScheduler", default=OMIT)
    vae: str | Omit | None = wire("vae", default=OMIT)
    has_starting_image: bool | Omit = wire("hasStartingImage", default=OMIT)
    sam3_prompt: Sam3PromptWire | Omit = wire("sam3Prompt", default=OMIT)
    apply_mask: bool | Omit = wire("applyMask", default=OMIT)
    template_variant: str | Omit = wire("templateVariant", default=OMIT)
    texture_size: int | Omit = wire("textureSize", default=OMIT)
    mesh_target_faces: int | Omit = wire("meshTargetFaces", default=OMIT)
    normal_map_size: int | Omit = wire("normalMapSize", default=OMIT)
    ambient_occlusion_size: int | Omit = wire("ambientOcclusionSize", default=OMIT)
    shape_resolution: int | Omit = wire("shapeResolution", default=OMIT)
    current_control_nets_job: list[ControlNetJob] | Omit = wire(
        "currentControlNetsJob", default=OMIT
    )
    width: int | float | Omit = wire("width", default=OMIT)
    height: int | float | Omit = wire("height", default=OMIT)
    has_reference_mask: bool | Omit = wire("hasReferenceMask", default=OMIT)
    reference_mask_content_type: str | Omit = wire("referenceMaskContentType", default=OMIT)
    gpt_image_mask_url: str | Omit = wire("gptImageMaskUrl", default=OMIT)
    gpt_image_quality: str | Omit = wire("gptImageQuality", default=OMIT)
    gpt_image_background: str | Omit = wire("gptImageBackground", default=OMIT)
    gpt_image_output_compression: int | Omit = wire("gptImageOutputCompression", default=OMIT)


@attrs.frozen(kw_only=True)
class VideoControlNetJob:
    """The one entry of ``currentControlNetsJob`` for LTX v2v control (no image keys)."""

    name: str = wire("name")
    control_strength: int | float | Omit = wire("controlStrength", default=OMIT)


@attrs.frozen(kw_only=True)
class VideoKeyFrame(KeyFrame):
    """Video keys, appended after the shared ones in the order the official
    client adds them; numbered keys exist for MiniMax H3 r2v (references) and H3 keyframes.
    Content types come last: the official client adds them after the uploads."""

    has_reference_image: bool | Omit = wire("hasReferenceImage", default=OMIT)
    has_context_image1: bool | Omit = wire("hasContextImage1", default=OMIT)
    has_context_image2: bool | Omit = wire("hasContextImage2", default=OMIT)
    has_context_image3: bool | Omit = wire("hasContextImage3", default=OMIT)
    has_context_image4: bool | Omit = wire("hasContextImage4", default=OMIT)
    has_context_image5: bool | Omit = wire("hasContextImage5", default=OMIT)
    has_context_image6: bool | Omit = wire("hasContextImage6", default=OMIT)
    has_context_image7: bool | Omit = wire("hasContextImage7", default=OMIT)
    has_context_image8: bool | Omit = wire("hasContextImage8", default=OMIT)
    has_context_image9: bool | Omit = wire("hasContextImage9", default=OMIT)
    reference_image_urls: list[str] | Omit = wire("referenceImageURLs", default=OMIT)
    has_reference_image_end: bool | Omit = wire("hasReferenceImageEnd", default=OMIT)
    has_reference_audio: bool | Omit = wire("hasReferenceAudio", default=OMIT)
    has_reference_audio1: bool | Omit = wire("hasReferenceAudio1", default=OMIT)
    has_reference_audio2: bool | Omit = wire("hasReferenceAudio2", default=OMIT)
    has_reference_audio3: bool | Omit = wire("hasReferenceAudio3", default=OMIT)
    reference_audio_urls: list[str] | Omit = wire("referenceAudioURLs", default=OMIT)
    has_reference_video1: bool | Omit = wire("hasReferenceVideo1", default=OMIT)
    reference_video1_duration_seconds: int | float | Omit = wire(
        "referenceVideo1DurationSeconds", default=OMIT
    )
    has_reference_video2: bool | Omit = wire("hasReferenceVideo2", default=OMIT)
    reference_video2_duration_seconds: int | float | Omit = wire(
        "referenceVideo2DurationSeconds", default=OMIT
    )
    has_reference_video3: bool | Omit = wire("hasReferenceVideo3", default=OMIT)
    reference_video3_duration_seconds: int | float | Omit = wire(
        "referenceVideo3DurationSeconds", default=OMIT
    )
    has_reference_video: bool | Omit = wire("hasReferenceVideo", default=OMIT)
    has_reference_mask: bool | Omit = wire("hasReferenceMask", default=OMIT)
    reference_video_urls: list[str] | Omit = wire("referenceVideoURLs", default=OMIT)
    has_reference_audio_identity: bool | Omit = wire("hasReferenceAudioIdentity", default=OMIT)
    generate_audio: bool | Omit = wire("generateAudio", default=OMIT)
    reference_file_url: str | Omit = wire("referenceFileURL", default=OMIT)
    reference_link_url: str | Omit = wire("referenceLinkURL", default=OMIT)
    prompt_extend: bool | Omit = wire("promptExtend", default=OMIT)
    watermark: bool | Omit = wire("watermark", default=OMIT)
    ratio: str | Omit = wire("ratio", default=OMIT)
    return_last_frame: bool | Omit = wire("returnLastFrame", default=OMIT)
    seedance_task_type: str | Omit = wire("seedanceTaskType", default=OMIT)
    identity_guidance_scale: int | float | Omit = wire("identityGuidanceScale", default=OMIT)
    fps: int | float | Omit = wire("fps", default=OMIT)
    frames: int | Omit = wire("frames", default=OMIT)
    shift: int | float | Omit = wire("shift", default=OMIT)
    teacache_threshold: int | float | Omit = wire("teacacheThreshold", default=OMIT)
    audio_start: int | float | Omit = wire("audioStart", default=OMIT)
    audio_duration: int | float | Omit = wire("audioDuration", default=OMIT)
    video_start: int | float | Omit = wire("videoStart", default=OMIT)
    has_keyframe_image1: bool | Omit = wire("hasKeyframeImage1", default=OMIT)
    has_keyframe_image2: bool | Omit = wire("hasKeyframeImage2", default=OMIT)
    has_keyframe_image3: bool | Omit = wire("hasKeyframeImage3", default=OMIT)
    has_keyframe_image4: bool | Omit = wire("hasKeyframeImage4", default=OMIT)
    has_keyframe_image5: bool | Omit = wire("hasKeyframeImage5", default=OMIT)
    has_keyframe_image6: bool | Omit = wire("hasKeyframeImage6", default=OMIT)
    has_keyframe_image7: bool | Omit = wire("hasKeyframeImage7", default=OMIT)
    has_keyframe_image8: bool | Omit = wire("hasKeyframeImage8", default=OMIT)
    keyframe_frame_indices: list[int] | Omit = wire("keyframeFrameIndices", default=OMIT)
    # A JSON text, not an array: the workers parse it themselves.
    sam2_coordinates: str | Omit = wire("sam2Coordinates", default=OMIT)
    trim_end_frame: bool | Omit = wire("trimEndFrame", default=OMIT)
    first_frame_strength: int | float | Omit = wire("firstFrameStrength", default=OMIT)
    last_frame_strength: int | float | Omit = wire("lastFrameStrength", default=OMIT)
    current_control_nets_job: list[VideoControlNetJob] | Omit = wire(
        "currentControlNetsJob", default=OMIT
    )
    detailer_strength: int | float | Omit = wire("detailerStrength", default=OMIT)
    width: int | Omit = wire("width", default=OMIT)
    height: int | Omit = wire("height", default=OMIT)
    outpaint_position: str | Omit = wire("outpaintPosition", default=OMIT)
    comfy_sampler: str | None = wire("comfySampler", default=None)
    comfy_scheduler: str | None = wire("comfyScheduler", default=None)
    # FlashVSR upscaling, forced after the other keys.
    upscale_resolution: int | Omit = wire("upscaleResolution", default=OMIT)
    detail_preference: str | Omit = wire("detailPreference", default=OMIT)
    processing_speed: str | Omit = wire("processingSpeed", default=OMIT)
    # Same key as ``generate_audio``: FlashVSR forces it here unless the caller set it above.
    upscale_generate_audio: bool | Omit = wire("generateAudio", default=OMIT)
    interpolation: str | Omit = wire("interpolation", default=OMIT)
    reference_image_content_type: str | Omit = wire("referenceImageContentType", default=OMIT)
    reference_image_end_content_type: str | Omit = wire(
        "referenceImageEndContentType", default=OMIT
    )
    # An identity clip's type comes first and is copied to referenceAudioContentType (the two
    # share one upload slot, so validation never lets both clips through).
    reference_audio_identity_content_type: str | Omit = wire(
        "referenceAudioIdentityContentType", default=OMIT
    )
    reference_audio_content_type: str | Omit = wire("referenceAudioContentType", default=OMIT)
    reference_video_content_type: str | Omit = wire("referenceVideoContentType", default=OMIT)
    reference_audio1_content_type: str | Omit = wire("referenceAudio1ContentType", default=OMIT)
    reference_audio2_content_type: str | Omit = wire("referenceAudio2ContentType", default=OMIT)
    reference_audio3_content_type: str | Omit = wire("referenceAudio3ContentType", default=OMIT)
    reference_video1_content_type: str | Omit = wire("referenceVideo1ContentType", default=OMIT)
    reference_video2_content_type: str | Omit = wire("referenceVideo2ContentType", default=OMIT)
    reference_video3_content_type: str | Omit = wire("referenceVideo3ContentType", default=OMIT)
    reference_mask_content_type: str | Omit = wire("referenceMaskContentType", default=OMIT)


@attrs.frozen(kw_only=True)
class AudioKeyFrame(KeyFrame):
    """Audio keys; the negative prompt is never sent for audio."""

    negative_prompt: str | Omit = wire("negativePrompt", default=OMIT)
    duration: int | float | Omit = wire("duration", default=OMIT)
    bpm: int | float | Omit = wire("bpm", default=OMIT)
    timesignature: str | Omit = wire("timesignature", default=OMIT)
    language: str | Omit = wire("language", default=OMIT)
    lyrics: str | Omit = wire("lyrics", default=OMIT)
    keyscale: str | Omit = wire("keyscale", default=OMIT)
    composer_mode: bool | Omit = wire("composerMode", default=OMIT)
    prompt_strength: int | float | Omit = wire("promptStrength", default=OMIT)
    creativity: int | float | Omit = wire("creativity", default=OMIT)
    shift: int | float | Omit = wire("shift", default=OMIT)
    speaker: str | Omit = wire("speaker", default=OMIT)
    instruct: str | Omit = wire("instruct", default=OMIT)
    reference_text: str | Omit = wire("referenceText", default=OMIT)
    has_reference_audio: bool | Omit = wire("hasReferenceAudio", default=OMIT)
    comfy_sampler: str | None = wire("comfySampler", default=None)
    comfy_scheduler: str | None = wire("comfyScheduler", default=None)
    reference_audio_content_type: str | Omit = wire("referenceAudioContentType", default=OMIT)


@attrs.frozen(kw_only=True)
class JobRequest:
    """The top level of the body."""

    selected_upscaling_model: str = wire("selectedUpscalingModel", default="OFF")
    cn_video_frames_sketch: list[Any] = wire("cnVideoFramesSketch", factory=list)
    cn_video_frames_segmented_subject: list[Any] = wire(
        "cnVideoFramesSegmentedSubject", factory=list
    )
    cn_video_frames_face: list[Any] = wire("cnVideoFramesFace", factory=list)
    do_canvas_blending: bool = wire("doCanvasBlending", default=False)
    animation_is_on: bool = wire("animationIsOn", default=False)
    cn_video_frames_both: list[Any] = wire("cnVideoFramesBoth", factory=list)
    cn_video_frames_depth: list[Any] = wire("cnVideoFramesDepth", factory=list)
    # Typed Any so that each key frame is unstructured as its own (sub)class.
    key_frames: list[Any] = wire("keyFrames")
    previews: int = wire("previews", default=0)
    frame_rate: int = wire("frameRate", default=24)
    generated_video_seconds: int = wire("generatedVideoSeconds", default=10)
    canvas_is_on: bool = wire("canvasIsOn", default=False)
    cn_video_frames: list[Any] = wire("cnVideoFrames", factory=list)
    disable_safety: bool = wire("disableSafety", default=False)
    cn_video_frames_segmented_background: list[Any] = wire(
        "cnVideoFramesSegmentedBackground", factory=list
    )
    cn_video_frames_segmented: list[Any] = wire("cnVideoFramesSegmented", factory=list)
    number_of_images: int = wire("numberOfImages", default=1)
    cn_video_frames_pose: list[Any] = wire("cnVideoFramesPose", factory=list)
    job_id: str = wire("jobID")
    si_video_frames: list[Any] = wire("siVideoFrames", factory=list)
    token_type: str | Omit = wire("tokenType", default=OMIT)
    billing_mode: str | Omit = wire("billingMode", default=OMIT)
    output_format: str = wire("outputFormat")
    workload_kind: str | Omit = wire("workloadKind", default=OMIT)
    agent_framework: str | Omit = wire("agentFramework", default=OMIT)
    agent_framework_version: str | Omit = wire("agentFrameworkVersion", default=OMIT)
    agent_surface: str | Omit = wire("agentSurface", default=OMIT)
    agent_surface_version: str | Omit = wire("agentSurfaceVersion", default=OMIT)
    execution_mode: str | Omit = wire("executionMode", default=OMIT)
    operation_scope: str | Omit = wire("operationScope", default=OMIT)
    operation_id: str | Omit = wire("operationId", default=OMIT)
    root_operation_id: str | Omit = wire("rootOperationId", default=OMIT)
    parent_operation_id: str | Omit = wire("parentOperationId", default=OMIT)
    network: str | Omit = wire("network", default=OMIT)
    app_source: str | Omit = wire("appSource", default=OMIT)
