"""``chat.tools.execute`` / ``execute_all`` end to end: each direct-dispatch tool runs as a real
project on FakeSupernet, both argument spellings reach the same wire fields, media indices
resolve, limits refuse before anything is sent, and the result URLs are real media."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import requests

from sogni import SogniClient, ValidationError
from sogni.chat import MediaContext, ToolProgress, ToolResult
from sogni.testing import FakeSupernet

from ..helpers import FAST, wait_until
from ..media_checks import check_mp3, check_mp4
from ._tool_support import (
    call,
    data_uri,
    job_request,
    key_frame,
    mp4,
    png,
    projects_sent,
    sha,
    uploads,
    wav,
)

IMAGE = png(64, 48, "navy")
OTHER = png(48, 64, "olive")


@pytest.fixture
def client(make_client: Callable[..., SogniClient], fake: FakeSupernet) -> Iterator[SogniClient]:
    fake.set_balance(Decimal(10**6), token_type="sogni")
    fake.set_balance(Decimal(10**6), token_type="spark")
    client = make_client(app_id="tools-e2e")
    yield client
    assert client.projects.tracked == [], "a tool project is still tracked"


def _content(result: ToolResult) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(result.content)
    return value


def _download(url: str) -> bytes:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return response.content


# ---------------------------------------------------------------------------- the six tools


def test_generate_image_runs_a_project_and_its_urls_are_real_images(
    client: SogniClient, fake: FakeSupernet
) -> None:
    from PIL import Image

    result = client.chat.tools.execute(
        call("generate_image", prompt="a red lighthouse", numberOfVariations=2, seed=4)
    )
    assert result.success and result.error is None
    assert (result.media_type, result.model_id) == ("image", "flux1-schnell-fp8")
    assert len(result.result_urls) == 2
    content = _content(result)
    assert content == {
        "success": True,
        "media_type": "image",
        "urls": list(result.result_urls),
        "model": "flux1-schnell-fp8",
        "prompt": "a red lighthouse",
    }
    body = job_request(fake, result.project_id)
    assert (body["numberOfImages"], body["keyFrames"][0]["seed"]) == (2, 4)
    for url in result.result_urls:
        with Image.open(io.BytesIO(_download(url))) as image:
            image.load()
            assert image.format in ("PNG", "JPEG")


def test_generate_music_and_video_results_parse_as_what_they_claim(client: SogniClient) -> None:
    music = client.chat.tools.execute(call("generate_music", prompt="calm jazz", duration=10))
    video = client.chat.tools.execute(call("generate_video", prompt="waves", duration=2))
    assert (music.media_type, music.model_id) == ("audio", "ace_step_1.5_xl_turbo")
    assert (video.media_type, video.model_id) == ("video", "ltx23-22b-fp8_t2v_distilled")
    assert check_mp3(_download(music.result_urls[0])) > 0
    check_mp4(_download(video.result_urls[0]))


def test_the_named_model_is_used_and_otherwise_the_busiest(
    client: SogniClient, fake: FakeSupernet
) -> None:
    fake.set_worker_count("z_image_turbo_bf16", 9)
    busiest = client.chat.tools.execute(call("generate_image", prompt="x"))
    named = client.chat.tools.execute(call("generate_image", prompt="x", model="gpt"))
    assert busiest.model_id == "z_image_turbo_bf16"
    assert named.model_id == "gpt-image-2"
    assert key_frame(fake, named.project_id)["modelID"] == "gpt-image-2"


# ---------------------------------------------------------------------------- both spellings


def test_generate_image_negative_prompt_either_spelling(
    client: SogniClient, fake: FakeSupernet
) -> None:
    manifest = client.chat.tools.execute(call("generate_image", prompt="p", negativePrompt="dogs"))
    executor = client.chat.tools.execute(call("generate_image", prompt="p", negative_prompt="dogs"))
    assert key_frame(fake, manifest.project_id)["negativePrompt"] == "dogs"
    assert key_frame(fake, executor.project_id)["negativePrompt"] == "dogs"


def test_generate_music_time_signature_either_spelling(
    client: SogniClient, fake: FakeSupernet
) -> None:
    manifest = client.chat.tools.execute(call("generate_music", prompt="p", timesig=3))
    executor = client.chat.tools.execute(call("generate_music", prompt="p", timesignature=3))
    assert key_frame(fake, manifest.project_id)["timesignature"] == "3"
    assert key_frame(fake, executor.project_id)["timesignature"] == "3"


def test_edit_image_source_by_index_or_data_uri(client: SogniClient, fake: FakeSupernet) -> None:
    context = MediaContext(uploaded_images=[IMAGE])
    manifest = client.chat.tools.execute(
        call("edit_image", prompt="p", sourceImageIndex=-1), media_context=context
    )
    executor = client.chat.tools.execute(
        call("edit_image", prompt="p", source_image_url=data_uri(IMAGE, "image/png"))
    )
    assert uploads(fake, manifest.project_id) == {"contextImage1": sha(IMAGE)}
    assert uploads(fake, executor.project_id) == {"contextImage1": sha(IMAGE)}
    assert manifest.model_id == executor.model_id == "qwen_image_edit_2511_fp8_lightning"


def test_sound_to_video_media_by_index_or_data_uri(client: SogniClient, fake: FakeSupernet) -> None:
    voice = wav(2)
    context = MediaContext(images=[IMAGE, OTHER], audio=[voice])
    manifest = client.chat.tools.execute(
        call(
            "sound_to_video",
            prompt="p",
            audioSourceIndex=0,
            sourceImageIndex=0,
            endImageIndex=1,
            audioStart=0.5,
        ),
        media_context=context,
    )
    executor = client.chat.tools.execute(
        call(
            "sound_to_video",
            prompt="p",
            reference_audio_url=data_uri(voice, "audio/wav"),
            reference_image_url=data_uri(IMAGE, "image/png"),
            reference_image_end_url=data_uri(OTHER, "image/png"),
            audioStart=0.5,
        )
    )
    expected = {
        "referenceAudio": sha(voice),
        "referenceImage": sha(IMAGE),
        "referenceImageEnd": sha(OTHER),
    }
    assert uploads(fake, manifest.project_id) == uploads(fake, executor.project_id) == expected
    assert manifest.model_id == "minimax-h3-fastvideo-int8_flfa2v_turbo"
    assert key_frame(fake, manifest.project_id)["audioStart"] == 0.5


def test_sound_to_video_audio_start_either_spelling(
    client: SogniClient, fake: FakeSupernet
) -> None:
    context = MediaContext(audio=[wav(2)])
    runs = [
        client.chat.tools.execute(
            call("sound_to_video", prompt="p", audioSourceIndex=0, **{key: 0.25}),
            media_context=context,
        )
        for key in ("audioStart", "audio_start")
    ]
    assert [r.model_id for r in runs] == ["ltx23-22b-fp8_a2v_distilled"] * 2
    assert [key_frame(fake, r.project_id)["audioStart"] for r in runs] == [0.25, 0.25]


def test_video_to_video_source_and_mode_either_spelling(
    client: SogniClient, fake: FakeSupernet
) -> None:
    clip = mp4()
    manifest = client.chat.tools.execute(
        call("video_to_video", prompt="p", videoSourceIndex=-1, controlMode="canny"),
        media_context=MediaContext(uploaded_videos=[clip]),
    )
    executor = client.chat.tools.execute(
        call(
            "video_to_video",
            prompt="p",
            reference_video_url=data_uri(clip, "video/mp4"),
            control_mode="canny",
        )
    )
    for result in (manifest, executor):
        assert result.model_id == "ltx23-22b-fp8_v2v_distilled", result.error
        assert uploads(fake, result.project_id) == {"referenceVideo": sha(clip)}
        job_net = key_frame(fake, result.project_id)["currentControlNetsJob"]
        assert job_net == [{"name": "canny", "controlStrength": 0.85}]


def test_video_to_video_animate_image_by_index(client: SogniClient, fake: FakeSupernet) -> None:
    clip = mp4()
    context = MediaContext(videos=[clip], uploaded_images=[IMAGE])
    result = client.chat.tools.execute(
        call("video_to_video", prompt="p", videoSourceIndex=0, sourceImageIndex=-1),
        media_context=context,
    )
    assert result.model_id == "wan_v2.2-14b-fp8_animate-move_lightx2v", result.error
    assert uploads(fake, result.project_id) == {
        "referenceVideo": sha(clip),
        "referenceImage": sha(IMAGE),
    }
    missing = client.chat.tools.execute(
        call("video_to_video", prompt="p", videoSourceIndex=0), media_context=context
    )
    assert missing.error == "animate-move requires reference_image_url or sourceImageIndex"


# ---------------------------------------------------------------------------- indices


def test_indices_name_generated_media_and_negative_ones_the_uploads(
    client: SogniClient, fake: FakeSupernet, tmp_path: Path
) -> None:
    upload = tmp_path / "upload.png"
    upload.write_bytes(OTHER)
    context = MediaContext(images=[IMAGE], uploaded_images=[upload])
    generated = client.chat.tools.execute(
        call("generate_video", prompt="p", referenceImageIndices=[0], duration=2),
        media_context=context,
    )
    uploaded = client.chat.tools.execute(
        call("generate_video", prompt="p", referenceImageIndices=[-1], duration=2),
        media_context=context,
    )
    assert generated.model_id == uploaded.model_id == "ltx23-22b-fp8_i2v_distilled"
    assert uploads(fake, generated.project_id) == {"referenceImage": sha(IMAGE)}
    assert uploads(fake, uploaded.project_id) == {"referenceImage": sha(OTHER)}


@pytest.mark.parametrize(
    ("arguments", "context", "error"),
    [
        (
            {"referenceImageIndices": [1]},
            MediaContext(images=[IMAGE]),
            "image media index 1 is unavailable in the media context",
        ),
        (
            {"referenceImageIndices": [-2]},
            MediaContext(uploaded_images=[IMAGE]),
            "image media index -2 is unavailable in the media context",
        ),
        (
            {"referenceImageIndices": [0]},
            None,
            "Indexed image arguments need a media context (media_context=...) when calling "
            "chat.tools.execute()",
        ),
        (
            {"referenceImageIndices": [0.5]},
            MediaContext(images=[IMAGE]),
            "referenceImageIndices must contain only integer media indices",
        ),
    ],
)
def test_a_missing_index_is_a_clear_error_and_sends_nothing(
    client: SogniClient,
    fake: FakeSupernet,
    arguments: dict[str, Any],
    context: MediaContext | None,
    error: str,
) -> None:
    result = client.chat.tools.execute(
        call("generate_video", prompt="p", **arguments), media_context=context
    )
    assert result.error == error
    assert _content(result) == {"success": False, "error": error}
    assert projects_sent(fake) == 0


# ---------------------------------------------------------------------------- media rules


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (
            data_uri(IMAGE, "image/gif"),
            "Unsupported inline image MIME type image/gif. Allowed types: image/jpeg, "
            "image/jpg, image/png",
        ),
        (
            data_uri(IMAGE, "image/jpeg"),
            "Inline image data does not match declared MIME type image/jpeg",
        ),
        ("data:image/png;base64,iVBORw0KGgo=x", "Invalid base64 payload"),
        ("/etc/passwd", "Only inline base64-encoded data URIs are supported for image inputs"),
    ],
)
def test_inline_media_is_checked_and_a_string_is_never_a_path(
    client: SogniClient, fake: FakeSupernet, value: str, error: str
) -> None:
    result = client.chat.tools.execute(call("edit_image", prompt="p", source_image_url=value))
    assert result.error is not None and result.error.startswith(error)
    assert projects_sent(fake) == 0


def test_an_untrusted_url_is_never_fetched(client: SogniClient, fake: FakeSupernet) -> None:
    url = fake.put_vision_image("bait.png", IMAGE)
    result = client.chat.tools.execute(
        call("generate_video", prompt="p", referenceImageIndices=[0]),
        media_context=MediaContext(images=[url]),
    )
    assert result.error is not None and "remote URLs are accepted only" in result.error
    assert fake.requests("/_fake/vision/") == []
    assert projects_sent(fake) == 0


def test_a_result_url_of_this_executor_may_be_fetched(
    client: SogniClient, fake: FakeSupernet
) -> None:
    first = client.chat.tools.execute(call("generate_image", prompt="p"))
    image = _download(first.result_urls[0])
    context = MediaContext().with_results([first])
    assert list(context.images) == list(first.result_urls)
    second = client.chat.tools.execute(
        call("edit_image", prompt="p", sourceImageIndex=0), media_context=context
    )
    assert uploads(fake, second.project_id) == {"contextImage1": sha(image)}
    forged = MediaContext(images=list(first.result_urls))  # the same URL, not from a result
    refused = client.chat.tools.execute(
        call("edit_image", prompt="p", sourceImageIndex=0), media_context=forged
    )
    assert refused.error is not None and "remote URLs are accepted only" in refused.error


# ---------------------------------------------------------------------------- refusals


def test_hosted_only_tools_answer_an_error_result(client: SogniClient, fake: FakeSupernet) -> None:
    result = client.chat.tools.execute(call("apply_style", prompt="oil painting"))
    message = "Tool 'apply_style' must be executed via chat.hosted.create() or chat.runs.create()."
    assert (result.error, _content(result)) == (message, {"success": False, "error": message})
    with pytest.raises(ValidationError) as info:
        client.chat.tools.execute(call("get_weather", location="Paris"))
    assert info.value.params == ["call"]
    assert projects_sent(fake) == 0


def test_invalid_arguments_are_refused_before_anything_is_sent(
    client: SogniClient, fake: FakeSupernet
) -> None:
    result = client.chat.tools.execute(
        call("generate_video", duration=31, ratio="2:1", numberOfVariations=0)
    )
    assert result.error == (
        'Invalid generate_video arguments: Missing required argument "prompt"; '
        'Argument "duration" must be at most 30; Argument "ratio" must be one of "adaptive", '
        '"16:9", "4:3", "1:1", "3:4", "9:16"; Argument "numberOfVariations" must be at least 1'
    )
    music = client.chat.tools.execute(call("generate_music", prompt="p", model="turbo"))
    assert music.error is not None and 'Argument "model" must be one of' in music.error
    image = client.chat.tools.execute(call("generate_image", prompt="p", model="any-model-id"))
    assert image.success, "an image model name is advice, not a rule"
    assert projects_sent(fake) == 1


def test_nine_sogni_calls_in_one_round_send_nothing(
    client: SogniClient, fake: FakeSupernet
) -> None:
    source = data_uri(IMAGE, "image/png")
    calls = [call("edit_image", f"call_{i}", prompt="p", source_image_url=source) for i in range(9)]
    with pytest.raises(ValidationError) as info:
        client.chat.tools.execute_all(calls)
    assert info.value.params == ["calls"]
    assert "has 9 Sogni tool calls that run projects; at most 8" in str(info.value)
    assert projects_sent(fake) == 0
    assert fake.requests("/v1/image/uploadUrl") == []
    # Hosted-only calls run no project, so they do not count.
    hosted = client.chat.tools.execute_all(
        [call("apply_style", f"h{i}", prompt="p") for i in range(9)]
    )
    assert [r.success for r in hosted] == [False] * 9


def test_execute_all_runs_in_order_and_routes_each_kind_of_call(
    client: SogniClient, fake: FakeSupernet
) -> None:
    seen: list[tuple[str, int]] = []

    def get_weather(location: str) -> dict[str, Any]:
        seen.append(("function", threading.get_ident()))
        return {"sunny": True}

    def handler(tool_call: Any) -> str:
        seen.append((tool_call.name, threading.get_ident()))
        return "ok"

    results = client.chat.tools.execute_all(
        [
            call("get_weather", "a", location="Paris"),
            call("generate_music", "b", prompt="p"),
            call("get_time", "c", timezone="UTC"),
        ],
        functions={"get_weather": get_weather},
        on_tool_call=handler,
    )
    assert [r.tool_call_id for r in results] == ["a", "b", "c"]
    assert [r.content for r in results[::2]] == ['{"sunny": true}', "ok"]
    assert results[1].media_type == "audio"
    me = threading.get_ident()
    assert seen == [("function", me), ("get_time", me)]
    unhandled = client.chat.tools.execute_all([call("get_time", timezone="UTC")])
    assert (
        unhandled[0].error == "no handler for the tool 'get_time': pass functions= or on_tool_call="
    )


# ---------------------------------------------------------------------------- progress, limits


def test_progress_runs_on_the_callback_worker_in_order_and_ends_with_completed(
    client: SogniClient,
) -> None:
    seen: list[tuple[ToolProgress, str]] = []

    def on_progress(progress: ToolProgress) -> None:
        seen.append((progress, threading.current_thread().name))

    result = client.chat.tools.execute(call("generate_image", prompt="p"), on_progress=on_progress)
    wait_until(lambda: seen and seen[-1][0].status == "completed")
    statuses = [p.status for p, _ in seen]
    assert statuses[:2] == ["creating", "queued"] and statuses[-1] == "completed"
    assert set(statuses[2:-1]) <= {"processing"}
    assert all(name.startswith("sogni-callbacks") for _, name in seen)
    assert seen[-1][0].result_urls == result.result_urls
    assert seen[-1][0].project_id == result.project_id


def test_a_project_stuck_in_the_queue_is_canceled_and_named(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    client = make_client(timeouts=attrs.evolve(FAST, tool_queue=0.3))
    fake.pause_workers()
    failed: list[ToolProgress] = []
    result = client.chat.tools.execute(
        call("generate_image", prompt="p"),
        on_progress=lambda p: failed.append(p) if p.status == "failed" else None,
    )
    assert result.project_id is not None
    assert result.error is not None
    assert result.error.startswith(
        f"image generation waited 0.3s without an active job (project {result.project_id}, "
        "jobs: 0/1 completed, 0 failed)"
    )
    assert result.error.endswith("the project was canceled")
    assert fake.project_snapshot(result.project_id)["status"] == "cancelled"  # type: ignore[index]
    wait_until(lambda: failed)
    assert client.projects.tracked == []


def test_the_timeout_bounds_the_whole_wait_and_cancels(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    # The render finishes but its result is held: a job is processing, so the queue clock
    # (0.2 s) stays stopped and only the 1 s timeout ends the wait.
    client = make_client(timeouts=attrs.evolve(FAST, tool_queue=0.2))
    fake.hold_results()
    result = client.chat.tools.execute(call("generate_image", prompt="p"), timeout=1.0)
    assert result.error is not None
    assert result.error.startswith(
        f"image generation did not finish within 1s (project {result.project_id}"
    )
    assert result.error.endswith("the project was canceled")
    assert fake.project_snapshot(result.project_id or "")["status"] == "cancelled"  # type: ignore[index]


def test_a_refused_cancel_is_reported_in_the_error(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    client = make_client(timeouts=attrs.evolve(FAST, tool_queue=0.2))
    fake.pause_workers()
    fake.refuse_next_cancel("already rendering")
    result = client.chat.tools.execute(call("generate_image", prompt="p"))
    assert result.error is not None and "canceling the project failed" in result.error
    fake.resume_workers()
    client.projects.get(result.project_id or "").wait(timeout=10)


def test_a_failed_project_is_an_error_result(client: SogniClient, fake: FakeSupernet) -> None:
    fake.fail_next_job(error_message="GPU on fire")
    result = client.chat.tools.execute(call("generate_image", prompt="p"))
    assert result.error is not None and "GPU on fire" in result.error
    assert result.project_id is not None and result.project_id in result.error
