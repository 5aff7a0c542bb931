"""Vision chat: image parts from paths, bytes, data URIs and trusted URLs, and every rule of
protocol/04 §6.2 checked before anything is sent."""

from __future__ import annotations

import base64
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from sogni import NotFoundError, SogniClient, ValidationError
from sogni.chat import image_part, user_message
from sogni.testing import FakeSupernet


def picture(width: int, height: int, fmt: str = "PNG", color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, fmt)
    return out.getvalue()


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def decoded(url: str) -> Image.Image:
    header, _, body = url.partition(",")
    assert header.startswith("data:image/")
    assert header.endswith(";base64")
    return Image.open(io.BytesIO(base64.b64decode(body)))


@pytest.fixture
def client(make_client: Callable[..., SogniClient], fake: FakeSupernet) -> Iterator[SogniClient]:
    client = make_client(
        app_id="chat-vision", trusted_media_prefixes=[f"{fake.rest_url}/_fake/vision/"]
    )
    client.connect()
    return client


def sent_images(fake: FakeSupernet) -> list[dict[str, Any]]:
    (frame,) = fake.frames("llmJobRequest")
    return [
        part["image_url"]
        for message in frame.payload["messages"]
        if isinstance(message["content"], list)
        for part in message["content"]
        if part["type"] == "image_url"
    ]


def test_paths_bytes_and_data_uris_are_inlined(
    client: SogniClient, fake: FakeSupernet, tmp_path: Path
) -> None:
    jpeg_path = tmp_path / "photo.jpg"
    jpeg_path.write_bytes(picture(320, 200, "JPEG"))
    png = picture(64, 48)
    given_uri = data_uri(picture(10, 20)).rstrip("=")  # unpadded is valid and sent as given
    messages = [
        {"role": "system", "content": "You describe images."},
        user_message("Compare these.", jpeg_path, str(jpeg_path), png, given_uri, detail="low"),
    ]

    reply = client.chat.completions.create(messages=messages)

    assert reply.content == (
        'You said: "Compare these.". I see 4 image(s): 320x200 JPEG, 320x200 JPEG, 64x48 PNG, '
        "10x20 PNG. This is turn 1 of our conversation."
    )
    images = sent_images(fake)
    assert [i["detail"] for i in images] == ["low"] * 4
    assert images[0]["url"] == data_uri(jpeg_path.read_bytes(), "image/jpeg") == images[1]["url"]
    assert images[2]["url"] == data_uri(png)
    assert images[3]["url"] == given_uri
    assert messages[1]["content"][0] == image_part(jpeg_path, detail="low")  # not modified


def test_trusted_urls_are_fetched_and_inlined(client: SogniClient, fake: FakeSupernet) -> None:
    png = picture(100, 80)
    url = fake.put_vision_image("cat.png", png)
    untyped = fake.put_vision_image("dog", picture(30, 30, "JPEG"), content_type="application/x")

    reply = client.chat.completions.create(messages=[user_message("What is it?", url, untyped)])

    assert "I see 2 image(s): 100x80 PNG, 30x30 JPEG." in reply.content
    first, second = sent_images(fake)
    assert first == {"url": data_uri(png)}
    assert second["url"].startswith("data:image/jpeg;base64,")  # typed from the bytes
    fetches = fake.requests("/_fake/vision/")
    assert [r.path for r in fetches] == ["/_fake/vision/cat.png", "/_fake/vision/dog"]
    assert not any("api-key" in {k.lower() for k in r.headers} for r in fetches)


def test_untrusted_urls_are_refused_without_being_fetched(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    url = fake.put_vision_image("cat.png", picture(10, 10))
    client = make_client(app_id="chat-vision-strict")  # no extra trusted prefix
    client.connect()
    with pytest.raises(ValidationError) as info:
        client.chat.completions.create(
            messages=[
                user_message("x", url, "https://example.com/cat.png", "http://cdn.sogni.ai/cat.png")
            ]
        )
    assert len(info.value.problems) == 3
    assert all("only from Sogni" in p.message for p in info.value.problems)
    assert fake.requests("/_fake/vision/") == []
    assert fake.frames("llmJobRequest") == []


def test_redirects_and_missing_images_are_not_followed(
    client: SogniClient, fake: FakeSupernet
) -> None:
    target = fake.put_vision_image("real.png", picture(10, 10))
    moved = fake.put_vision_image("moved.png", redirect_to=target)
    with pytest.raises(ValidationError, match="redirects"):
        client.chat.completions.create(messages=[user_message("x", moved)])
    assert [r.path for r in fake.requests("/_fake/vision/")] == ["/_fake/vision/moved.png"]
    with pytest.raises(NotFoundError):
        client.chat.completions.create(messages=[user_message("x", target + "-gone")])
    assert fake.frames("llmJobRequest") == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (data_uri(picture(1025, 10)), "longest side may be at most 1024px"),
        (data_uri(picture(10, 1025, "JPEG"), "image/jpeg"), "longest side may be at most 1024px"),
        (data_uri(picture(8, 8) + b"\0" * (10 * 1024 * 1024)), "the limit is 10 MiB"),
        (data_uri(picture(8, 8, "GIF"), "image/gif"), "only image/png and image/jpeg"),
        (data_uri(picture(8, 8, "WEBP"), "image/webp"), "only image/png and image/jpeg"),
        (picture(8, 8, "GIF"), "is not a PNG or JPEG image"),
        (data_uri(picture(8, 8), "image/jpeg"), "not a JPEG image as its type says"),
        (data_uri(b"\x89PNG\r\n\x1a\n" + b"\0" * 8), "dimensions could not be read"),
        ("data:image/png;base64,iVBOR*w0K", "not a valid base64 data URI"),
        ("data:image/png;base64,iVBORw0KG", "invalid base64 payload"),  # length % 4 == 1
        ("data:image/png;base64,iVBORw0KGgp=", "invalid base64 payload"),  # non-canonical
        ("data:image/png,rawbytes", "not a valid base64 data URI"),
        ("/no/such/file.png", "readable file"),
        (12345, "must be a data URI"),
    ],
)
def test_each_vision_rule_refuses_before_sending(
    client: SogniClient, fake: FakeSupernet, source: Any, message: str
) -> None:
    with pytest.raises(ValidationError) as info:
        client.chat.completions.create(messages=[user_message("x", source)])
    (problem,) = info.value.problems
    assert problem.param == "messages[0].content[0].image_url.url"
    assert message in problem.message
    assert fake.frames("llmJobRequest") == []


def test_at_most_twenty_images_and_every_problem_in_one_error(
    client: SogniClient, fake: FakeSupernet
) -> None:
    small = data_uri(picture(4, 4))
    messages = [
        user_message("first", *[small] * 15),
        {"role": "assistant", "content": "ok"},
        user_message("second", *[small] * 5, data_uri(picture(2000, 4)), "https://evil.example/x"),
        {"role": "tool", "content": "x"},
    ]
    with pytest.raises(ValidationError) as info:
        client.chat.completions.create(messages=messages, temperature=7)
    assert info.value.params == [
        "temperature",
        "messages[3].tool_call_id",
    ]
    messages.pop()
    with pytest.raises(ValidationError) as info:
        client.chat.completions.create(messages=messages, temperature=7)
    assert info.value.params == [
        "temperature",
        "messages",
        "messages[2].content[5].image_url.url",
        "messages[2].content[6].image_url.url",
    ]
    assert "at most 20 vision images" in info.value.problems[1].message
    client.chat.completions.create(messages=[user_message("twenty", *[small] * 20)])


def test_downscaling_shrinks_oversize_images_when_asked(
    client: SogniClient, fake: FakeSupernet, tmp_path: Path
) -> None:
    big = tmp_path / "big.jpg"
    big.write_bytes(picture(2048, 1024, "JPEG"))
    served = fake.put_vision_image("wide.png", picture(3000, 600))
    with pytest.raises(ValidationError):
        client.chat.completions.create(messages=[user_message("x", big)])

    reply = client.chat.completions.create(
        messages=[user_message("x", big, served, data_uri(picture(1500, 1500)))],
        downscale_images=True,
    )

    sizes = [(decoded(i["url"]).size, decoded(i["url"]).format) for i in sent_images(fake)]
    assert sizes == [((1024, 512), "JPEG"), ((1024, 205), "PNG"), ((1024, 1024), "PNG")]
    assert "I see 3 image(s): 1024x512 JPEG, 1024x205 PNG, 1024x1024 PNG." in reply.content


def test_downscaling_needs_pillow(
    client: SogniClient, fake: FakeSupernet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(ValidationError) as info:
        client.chat.completions.create(
            messages=[user_message("x", data_uri(picture(4, 4)))], downscale_images=True
        )
    assert info.value.params == ["downscale_images"]


def test_the_estimate_replaces_images_by_a_placeholder(client: SogniClient) -> None:
    client.chat.wait_for_models()
    small = client.chat.estimate_cost(messages=[user_message("x", data_uri(picture(4, 4)))])
    large = client.chat.estimate_cost(messages=[user_message("x", data_uri(picture(900, 900)))])
    # len('[{"role":"user","content":[{"type":"image_url","image_url":{"url":"[image]"}},'
    #     '{"type":"text","text":"x"}]}]') == 107, and ceil(107 / 4) == 27
    assert small.input_tokens == large.input_tokens == 27


# ---------------------------------------------------------------------------- local files


def image_message(url: Any) -> list[dict[str, Any]]:
    """A raw OpenAI-style message, as an app would forward it from its users."""
    return [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": url}},
            ],
        }
    ]


def leaked(fake: FakeSupernet, secret: bytes) -> list[str]:
    """Where the fake saw ``secret`` (base64, as a data URI would carry it)."""
    needle = base64.b64encode(secret).decode()[:64]
    return [
        f"{r.kind} {r.frame_type or r.path}"
        for r in fake.received
        if needle in f"{r.raw} {r.body} {r.payload} {r.query}"
    ]


@pytest.mark.parametrize(
    "spelling", ["absolute", "relative", "home", "padded", "file-url", "dot-dot"]
)
def test_a_string_in_a_message_is_never_read_as_a_path(
    client: SogniClient,
    fake: FakeSupernet,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spelling: str,
) -> None:
    secret = tmp_path / "home" / "secret.png"
    secret.parent.mkdir()
    secret.write_bytes(picture(32, 32, color="red"))
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setenv("HOME", str(secret.parent))
    url = {
        "absolute": str(secret),
        "relative": "../home/secret.png",
        "home": "~/secret.png",
        "padded": f"  {secret}\n",
        "file-url": secret.as_uri(),
        "dot-dot": str(tmp_path / "cwd" / ".." / "home" / "secret.png"),
    }[spelling]

    with pytest.raises(ValidationError) as info:
        client.chat.completions.create(messages=image_message(url))
    with pytest.raises(ValidationError) as estimate_info:
        client.chat.estimate_cost(messages=image_message(url))

    for error in (info.value, estimate_info.value):
        (problem,) = error.problems
        assert problem.param == "messages[0].content[1].image_url.url"
        if spelling == "file-url":
            assert "accepted only from Sogni" in problem.message
        else:
            assert "never read as a file path" in problem.message
            assert "pathlib.Path" in problem.message
        assert str(secret) not in str(error)
    assert fake.frames("llmJobRequest") == []
    assert fake.requests("/api/v1/job-llm/estimate") == []
    assert leaked(fake, secret.read_bytes()) == []


def test_local_images_enter_as_path_bytes_or_binary_file(
    client: SogniClient, fake: FakeSupernet, tmp_path: Path
) -> None:
    png = picture(40, 30, color="navy")
    path = tmp_path / "photo.png"
    path.write_bytes(png)
    with path.open("rb") as handle:
        handle.seek(0)
        messages = [
            *image_message(path),
            {"role": "assistant", "content": "A navy square."},
            *image_message(png),
            {"role": "assistant", "content": "The same."},
            *image_message(handle),
        ]
        reply = client.chat.completions.create(messages=messages)
        assert handle.tell() == 0  # put back, so the same messages can be sent again
        client.chat.completions.create(messages=messages)

    assert "I see 1 image(s): 40x30 PNG. This is turn 3" in reply.content  # the file object
    first, second = fake.frames("llmJobRequest")
    for frame in (first, second):
        urls = [
            part["image_url"]["url"]
            for message in frame.payload["messages"]
            if isinstance(message["content"], list)
            for part in message["content"]
            if part["type"] == "image_url"
        ]
        assert urls == [data_uri(png)] * 3


def test_a_binary_file_is_read_from_its_position_and_no_further_than_the_limit(
    client: SogniClient, fake: FakeSupernet
) -> None:
    class Endless(io.RawIOBase):
        """A PNG header followed by zeros forever; counts what was read."""

        def __init__(self) -> None:
            self.given = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            size = len(buffer)
            head = picture(8, 8)[:24][self.given :][:size]
            buffer[:size] = head + bytes(size - len(head))
            self.given += size
            return size

    endless = Endless()
    with pytest.raises(ValidationError) as info:
        client.chat.completions.create(messages=image_message(endless))
    (problem,) = info.value.problems
    assert problem.param == "messages[0].content[1].image_url.url"
    assert "larger than 10 MiB" in problem.message
    assert endless.given == 10 * 1024 * 1024 + 1

    tail = io.BytesIO(b"not an image" + picture(12, 9))
    tail.seek(len(b"not an image"))
    client.chat.completions.create(messages=image_message(tail))
    assert sent_images(fake) == [{"url": data_uri(picture(12, 9))}]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: path.open("r", encoding="latin-1"), "binary mode"),
        (lambda path: io.BytesIO(b""), "gave no data"),
        (lambda path: io.BytesIO(b"GIF89a" + b"\0" * 20), "is not a PNG or JPEG image"),
    ],
    ids=["text-mode", "empty", "gif"],
)
def test_bad_file_objects_are_refused_before_sending(
    client: SogniClient,
    fake: FakeSupernet,
    tmp_path: Path,
    make: Callable[[Path], Any],
    message: str,
) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(picture(8, 8))
    with make(path) as stream:
        with pytest.raises(ValidationError) as info:
            client.chat.completions.create(messages=image_message(stream))
    (problem,) = info.value.problems
    assert problem.param == "messages[0].content[1].image_url.url"
    assert message in problem.message
    assert fake.frames("llmJobRequest") == []


def test_the_helpers_still_take_a_string_path(
    client: SogniClient, fake: FakeSupernet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "some").mkdir()
    (tmp_path / "some" / "path.png").write_bytes(picture(16, 8))
    monkeypatch.chdir(tmp_path)
    message = user_message("What is it?", "some/path.png", " https://example.com/a.png")
    assert message["content"][0]["image_url"]["url"] == Path("some/path.png")
    assert message["content"][1]["image_url"]["url"] == " https://example.com/a.png"  # a URL
    assert image_part("data:image/png;base64,AAAA")["image_url"]["url"] == (
        "data:image/png;base64,AAAA"
    )

    reply = client.chat.completions.create(messages=[user_message("Size?", "some/path.png")])

    assert "I see 1 image(s): 16x8 PNG." in reply.content
    assert sent_images(fake) == [{"url": data_uri(picture(16, 8))}]
