"""Frame and duration math (protocol/02 §6), each rule at its edges; the values agree with
the official TypeScript client's ``calculateVideoFrames`` (§6.3 and runs of its build)."""

from __future__ import annotations

import pytest

from sogni.projects.frames import (
    default_fps,
    h3_frames_for_audio,
    js_round,
    video_duration_range,
    video_frames,
)

WAN = "wan_v2.2-14b-fp8_t2v_lightx2v"
LTX = "ltx23-22b-fp8_t2v_dev"
H3 = "minimax-h3-fl2va-fp8_i2v"


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (0.5, 1),
        (1.5, 2),
        (2.5, 3),
        (16.5, 17),
        (0.49999999999999994, 0),
        (-0.5, 0),
        (-1.5, -1),
        (-2.5, -2),
        (-2.6, -3),
        (7.0, 7),
    ],
)
def test_js_round_rounds_halves_up(value: float, rounded: int) -> None:
    assert js_round(value) == rounded


@pytest.mark.parametrize(
    ("duration", "frames"),
    [(1, 17), (2, 33), (3, 49), (4, 65), (5, 81), (6, 97), (8, 129), (10, 161), (2.53, 41)],
)
@pytest.mark.parametrize("fps", [16, 32, None])
def test_wan_renders_at_16_fps_whatever_the_fps(
    duration: float, frames: int, fps: int | None
) -> None:
    assert video_frames(WAN, duration, fps) == frames


@pytest.mark.parametrize(
    ("duration", "frames"),
    [
        (0.03125, 2),  # 0.5 frame rounds up (Python's round would give 1)
        (1.03125, 18),  # 16.5 frames
        (1.09375, 19),  # 17.5 frames
        (1.0, 17),
    ],
)
def test_wan_halves_round_up(duration: float, frames: int) -> None:
    assert video_frames("wan_v2.2-14b-fp8_animate-move_lightx2v", duration, 32) == frames


@pytest.mark.parametrize(
    ("duration", "fps", "frames"),
    [
        (1, 24, 25),
        (4, 24, 97),
        (5, 24, 121),
        (6, 24, 145),
        (8, 24, 193),
        (10, 24, 241),
        (20, 24, 481),
        (5, 25, 129),
        (5, 30, 153),
        (5, 12, 65),
        (3, 60, 185),
        (7, 25, 177),
        (20, 60, 1201),
    ],
)
def test_ltx_worked_values(duration: float, fps: int, frames: int) -> None:
    assert video_frames(LTX, duration, fps) == frames


@pytest.mark.parametrize(
    ("duration", "fps", "frames"),
    [
        (11 / 24, 24, 9),  # 12 frames: just below the midpoint between 9 and 17
        (12 / 24, 24, 17),  # 13 frames: exactly half way, snaps up
        (13 / 24, 24, 17),  # 14 frames
        (20 / 24, 24, 25),  # 21 frames: half way between 17 and 25
        (19 / 24, 24, 17),  # 20 frames
        (3, 1, 1),  # 4 frames: below half a step
        (4, 1, 9),  # 5 frames: half a step, up
        (1, 1, 1),
        (2, 1, 1),
        (1, 60, 65),
        (0.1, 60, 9),
    ],
)
def test_ltx_snaps_to_the_nearest_1_plus_8n(duration: float, fps: int, frames: int) -> None:
    result = video_frames("ltx25-22b-int8_i2v_distilled", duration, fps)
    assert result == frames
    assert (result - 1) % 8 == 0


def test_ltx_without_fps_assumes_24() -> None:
    assert video_frames(LTX, 6, None) == 145
    assert default_fps(LTX) is None


@pytest.mark.parametrize(
    ("duration", "frames"),
    [(3, 73), (4, 97), (5, 121), (10, 241), (12, 289), (15, 361), (30, 721)],
)
@pytest.mark.parametrize("model_id", ["seedance-2-0", "seedance-2-5", "happyhorse-1.1-t2v"])
def test_seedance_and_happyhorse_at_24_fps(model_id: str, duration: float, frames: int) -> None:
    assert video_frames(model_id, duration) == frames
    assert video_frames(model_id, duration, 24) == frames
    assert default_fps(model_id) == 24


@pytest.mark.parametrize(("duration", "frames"), [(2, 61), (5, 151), (30, 901)])
def test_wan3_at_30_fps(duration: float, frames: int) -> None:
    assert video_frames("wan3.0-video", duration) == frames
    assert default_fps("wan3.0-video") == 30


@pytest.mark.parametrize(
    ("duration", "frames"),
    [
        (124 / 24, 124),
        (6, 141),
        (6.5, 158),
        (7, 175),
        (8, 192),
        (10, 243),
        (12, 294),
        (362 / 24, 362),
        (132 / 24, 124),  # 132 frames: 8/17 of a step, down
        (133 / 24, 141),  # 133 frames: 9/17 of a step, up
        (132.5 / 24, 141),  # 132.5 frames round up to 133 first
        (1, 124),  # below the grid: clamped up
        (20, 362),  # above the grid: clamped down
    ],
)
def test_h3_grid_has_no_plus_one_and_clamps(duration: float, frames: int) -> None:
    result = video_frames(H3, duration, 30)  # the fps is ignored
    assert result == frames
    assert (result - 124) % 17 == 0
    assert default_fps(H3) == 24


@pytest.mark.parametrize(
    ("seconds", "frames"),
    [(5, 124), (6.5, 158), (141 / 24, 141), (10, 243), (14, 345), (15.1, 362), (0.01, 124)],
)
def test_h3_frames_for_an_audio_clip(seconds: float, frames: int) -> None:
    assert h3_frames_for_audio(seconds) == frames


@pytest.mark.parametrize("seconds", [0, -1, float("nan"), float("inf"), True, "5"])
def test_h3_frames_for_audio_refuses_non_positive_or_non_numbers(seconds: object) -> None:
    with pytest.raises(ValueError, match="audio duration"):
        h3_frames_for_audio(seconds)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("duration", "fps", "frames"),
    [(2.5, 30, 75), (158 / 24, 24, 158), (1 / 24, 24, 1), (0.5 / 24, 24, 1), (2.5, None, 60)],
)
def test_flashvsr_keeps_the_source_frames(duration: float, fps: int | None, frames: int) -> None:
    assert video_frames("flashvsr_v1.1_tiny_long_bf16", duration, fps) == frames


@pytest.mark.parametrize(
    ("model_id", "low", "high"),
    [
        ("wan_v2.2-14b-fp8_t2v", 1, 10),
        ("wan_v2.2-14b-fp8_s2v_lightx2v", 1, 10),
        ("wan_v2.2-14b-fp8_animate-replace_lightx2v", 1, 20),
        ("ltx2-19b-fp8_t2v", 1, 20),
        ("ltx25-22b-int8_v2v_dev", 1, 20),
        ("seedance-2-0-mini", 4, 15),
        ("seedance-2-5-uncensored", 4, 30),
        ("happyhorse-1.1-r2v", 3, 15),
        ("wan3.0-spicy-video", 2, 30),
        ("minimax-h3-ref2va-fp8_r2v", 124 / 24, 362 / 24),
    ],
)
def test_duration_ranges(model_id: str, low: float, high: float) -> None:
    assert video_duration_range(model_id) == (low, high)


def test_flashvsr_duration_is_one_frame_and_up() -> None:
    assert video_duration_range("flashvsr_v1.1_tiny_long_bf16", 30) == (1 / 30, None)
    assert video_duration_range("flashvsr_v1.1_tiny_long_bf16") == (1 / 24, None)
