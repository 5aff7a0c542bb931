"""Video and audio wire-parity rows. Each row is written once, with our snake_case parameters;
the TypeScript side is derived through ``PARAM_NAMES_TS`` (so the name table is checked too)."""

from __future__ import annotations

from typing import Any

from sogni.projects import PARAM_NAMES_TS

from .case import MediaFile, MediaRef, ParityCase, media

__all__ = ["MEDIA_CASES"]

IMAGE = MediaFile("png", 832, 480, "navy")
SQUARE = MediaFile("png", 768, 512, "olive")
AUDIO = MediaFile("wav", 30)  # 3 seconds
VIDEO = MediaFile("mp4")


def _ts(value: Any, prefix: str = "") -> Any:
    if isinstance(value, MediaRef):
        return value
    if isinstance(value, dict):
        return {
            PARAM_NAMES_TS.get(prefix + k, PARAM_NAMES_TS.get(k, k)).rsplit(".", 1)[-1]: _ts(
                v, prefix + k + "."
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_ts(v, prefix) for v in value]
    return value


def row(name: str, type_: str, files: dict[str, MediaFile] | None = None, **py: Any) -> ParityCase:
    """A row with a prompt (``positive_prompt=None``: none, the key is left out) and one
    ``number_of_media``, which the TypeScript SDK needs spelled out."""
    py = {"type": type_, "positive_prompt": f"parity {name}", "number_of_media": 1, **py}
    if py["positive_prompt"] is None:
        del py["positive_prompt"]
    ts = _ts(py)
    ts["type"] = type_
    return ParityCase(name, ts, py, files or {})


WAN = "wan_v2.2-14b-fp8_{}_lightx2v"
WAN_Q = "wan_v2.2-14b-fp8_{}"
LTX = "ltx23-22b-fp8_{}_distilled"
LTX_DEV = "ltx23-22b-fp8_{}_dev"

MEDIA_CASES: list[ParityCase] = [
    # ------------------------------------------------------------------ WAN 2.2
    row(
        "wan_t2v_speed_fps16",
        "video",
        model_id=WAN.format("t2v"),
        duration=5,
        fps=16,
        width=832,
        height=480,
        steps=4,
    ),
    row(
        "wan_t2v_speed_fps32",
        "video",
        model_id=WAN.format("t2v"),
        duration=3,
        fps=32,
        width=832,
        height=480,
    ),
    row(
        "wan_t2v_quality",
        "video",
        model_id=WAN_Q.format("t2v"),
        duration=2,
        width=832,
        height=480,
        steps=20,
        guidance=5,
        shift=8,
    ),
    row(
        "wan_t2v_seed_sampler",
        "video",
        model_id=WAN.format("t2v"),
        duration=2,
        width=832,
        height=480,
        seed=98765,
        sampler="euler",
        scheduler="simple",
        negative_prompt="blurry",
    ),
    row(
        "wan_t2v_teacache",
        "video",
        model_id=WAN_Q.format("t2v"),
        duration=2,
        width=832,
        height=480,
        teacache_threshold=0.2,
    ),
    row(
        "wan_i2v",
        "video",
        {"start": IMAGE},
        model_id=WAN.format("i2v"),
        duration=3,
        width=832,
        height=480,
        reference_image=media("start"),
    ),
    row(
        "wan_i2v_end_frame",
        "video",
        {"start": IMAGE, "end": IMAGE},
        model_id=WAN.format("i2v"),
        duration=5,
        fps=32,
        width=832,
        height=480,
        steps=4,
        guidance=1,
        shift=5,
        seed=98765,
        reference_image=media("start"),
        reference_image_end=media("end"),
    ),
    row(
        "wan_i2v_quality",
        "video",
        {"start": IMAGE},
        model_id=WAN_Q.format("i2v"),
        duration=2,
        width=832,
        height=480,
        reference_image=media("start"),
    ),
    row(
        "wan_s2v",
        "video",
        {"face": IMAGE, "voice": AUDIO},
        model_id=WAN.format("s2v"),
        duration=2,
        width=832,
        height=480,
        reference_image=media("face"),
        reference_audio=media("voice"),
        audio_start=0.5,
        audio_duration=2,
    ),
    row(
        "wan_animate_move",
        "video",
        {"face": IMAGE, "motion": VIDEO},
        model_id="wan_v2.2-14b-fp8_animate-move_lightx2v",
        duration=2,
        width=832,
        height=480,
        reference_image=media("face"),
        reference_video=media("motion"),
        video_start=0,
    ),
    row(
        "wan_animate_replace",
        "video",
        {"face": IMAGE, "motion": VIDEO},
        model_id="wan_v2.2-14b-fp8_animate-replace_lightx2v",
        duration=2,
        width=832,
        height=480,
        reference_image=media("face"),
        reference_video=media("motion"),
    ),
    # ------------------------------------------------------------------ LTX 2.x
    row(
        "ltx_t2v_24", "video", model_id=LTX.format("t2v"), duration=5, fps=24, width=768, height=512
    ),
    row(
        "ltx_t2v_60", "video", model_id=LTX.format("t2v"), duration=2, fps=60, width=768, height=512
    ),
    row(
        "ltx_t2v_1fps",
        "video",
        model_id=LTX.format("t2v"),
        duration=8,
        fps=1,
        width=768,
        height=512,
    ),
    row(
        "ltx_t2v_dev",
        "video",
        model_id=LTX_DEV.format("t2v"),
        duration=4,
        fps=30,
        width=768,
        height=512,
        steps=20,
    ),
    row(
        "ltx_i2v_strengths",
        "video",
        {"first": SQUARE, "last": SQUARE},
        model_id=LTX.format("i2v"),
        duration=3,
        fps=24,
        width=768,
        height=512,
        reference_image=media("first"),
        reference_image_end=media("last"),
        first_frame_strength=0.9,
        last_frame_strength=0.6,
    ),
    row(
        "ltx_a2v",
        "video",
        {"voice": AUDIO},
        model_id=LTX.format("a2v"),
        duration=2,
        fps=24,
        width=768,
        height=512,
        reference_audio=media("voice"),
    ),
    row(
        "ltx_ia2v",
        "video",
        {"face": SQUARE, "voice": AUDIO},
        model_id=LTX.format("ia2v"),
        duration=2,
        fps=24,
        width=768,
        height=512,
        reference_image=media("face"),
        reference_audio=media("voice"),
    ),
    *(
        row(
            f"ltx_v2v_{name}",
            "video",
            {"source": VIDEO},
            model_id=LTX.format("v2v"),
            duration=2,
            fps=24,
            width=768,
            height=512,
            reference_video=media("source"),
            control_net={"name": name, "strength": 0.7},
        )
        for name in ("canny", "pose", "depth")
    ),
    row(
        "ltx_v2v_detailer",
        "video",
        {"source": VIDEO},
        model_id=LTX.format("v2v"),
        duration=2,
        fps=24,
        width=768,
        height=512,
        reference_video=media("source"),
        control_net={"name": "detailer", "strength": 0.5},
        detailer_strength=0.4,
    ),
    row(
        "ltx25_t2v",
        "video",
        model_id="ltx25-22b-int8_t2v_distilled",
        duration=3,
        fps=25,
        width=768,
        height=512,
    ),
    row(
        "ltx25_i2v",
        "video",
        {"first": SQUARE},
        model_id="ltx25-22b-int8_i2v_distilled",
        duration=3,
        fps=24,
        width=768,
        height=512,
        reference_image=media("first"),
    ),
    # ------------------------------------------------------------------ Seedance, HappyHorse, Wan 3
    row(
        "seedance_t2v",
        "video",
        model_id="seedance-2-0",
        duration=5,
        width=1280,
        height=720,
        token_type="spark",
    ),
    row(
        "seedance_fast_i2v",
        "video",
        {"start": IMAGE},
        model_id="seedance-2-0-fast",
        duration=4,
        width=1280,
        height=720,
        token_type="spark",
        reference_image=media("start"),
    ),
    row(
        "seedance_url_references",
        "video",
        model_id="seedance-2-0",
        duration=6,
        width=1280,
        height=720,
        token_type="spark",
        reference_image_urls=["https://example.com/a.png", "https://example.com/b.png"],
        reference_video_urls=["https://example.com/clip.mp4"],
        reference_audio_urls=["https://example.com/a.mp3"],
    ),
    row(
        "seedance_25",
        "video",
        model_id="seedance-2-5",
        duration=4,
        width=1280,
        height=720,
        token_type="spark",
        generate_audio=True,
    ),
    row(
        "happyhorse_t2v",
        "video",
        model_id="happyhorse-1.1-t2v",
        duration=5,
        width=1280,
        height=720,
        token_type="spark",
    ),
    row(
        "happyhorse_i2v",
        "video",
        {"start": IMAGE},
        model_id="happyhorse-1.1-i2v",
        duration=5,
        width=1280,
        height=720,
        token_type="spark",
        reference_image=media("start"),
    ),
    row(
        "wan3",
        "video",
        model_id="wan3.0-video",
        duration=5,
        width=1280,
        height=720,
        token_type="spark",
    ),
    # ------------------------------------------------------------------ MiniMax H3
    row("h3_t2v", "video", model_id="minimax-h3-fl2va-fp8_t2v", duration=6, width=768, height=448),
    row(
        "h3_i2v",
        "video",
        {"start": IMAGE},
        model_id="minimax-h3-fl2va-fp8_i2v",
        duration=6,
        width=768,
        height=448,
        reference_image=media("start"),
    ),
    # ------------------------------------------------------------------ audio
    row("ace_turbo_mp3", "audio", model_id="ace_step_1.5_turbo", duration=30),
    row(
        "ace_turbo_full",
        "audio",
        model_id="ace_step_1.5_turbo",
        duration=45,
        bpm=96,
        keyscale="A minor",
        time_signature="4",
        lyrics="[verse]\nPaper boats\n[chorus]\nRow into the light",
        language="en",
        composer_mode=True,
        prompt_strength=2.5,
        creativity=1,
        shift=3,
        steps=8,
        seed=1234,
    ),
    row(
        "ace_sft_wav_versions",
        "audio",
        model_id="ace_step_1.5_sft",
        duration=20,
        output_format="wav",
        number_of_media=3,
        guidance=6,
        steps=40,
    ),
    row(
        "ace_flac_four",
        "audio",
        model_id="ace_step_1.5_turbo",
        duration=15,
        output_format="flac",
        number_of_media=4,
    ),
    row(
        "ace_xl",
        "audio",
        model_id="ace_step_1.5_xl_turbo",
        duration=30,
        keyscale="F# major",
        time_signature="3",
    ),
    row("minimax_music3", "audio", model_id="minimax_music3", duration=60, lyrics="la la la"),
]
