"""Vision chat: send images with a question.

Image parts may hold a ``pathlib.Path``, PNG/JPEG bytes, a binary file object, a ``data:`` URI,
or an HTTPS URL on a Sogni or Sogni storage host; the SDK reads, checks (PNG/JPEG, at most 20
images, 10 MiB each, longest side 1024 px) and inlines them before sending. A plain string in a
message is never read as a file path (``user_message`` turns a ``str`` path of yours into a
``Path``). ``downscale_images=True`` (the
``images`` extra) shrinks larger pictures instead of refusing them.

Runs against the real Supernet when SOGNI_API_KEY is set, otherwise against an embedded
FakeSupernet (no network needed).
"""

import io
import sys
import tempfile
from pathlib import Path

from sogni.chat import user_message
from sogni.testing import open_client


def sample_pictures(folder: Path) -> tuple[Path, bytes]:
    """A large JPEG on disk and a small PNG in memory (drawn with Pillow)."""
    from PIL import Image, ImageDraw

    big = Image.new("RGB", (2048, 1536), "skyblue")
    ImageDraw.Draw(big).ellipse((700, 400, 1350, 1050), fill="gold")
    path = folder / "sunny.jpg"
    big.save(path, "JPEG")
    small = Image.new("RGB", (256, 256), "white")
    ImageDraw.Draw(small).rectangle((64, 64, 192, 192), fill="crimson")
    buffer = io.BytesIO()
    small.save(buffer, "PNG")
    return path, buffer.getvalue()


def main() -> None:
    try:
        import PIL  # noqa: F401
    except ImportError:
        sys.exit("This example draws its pictures with Pillow: pip install 'sogni[images]'")
    with tempfile.TemporaryDirectory() as tmp, open_client("sogni-chat-vision-example") as sogni:
        photo, drawing = sample_pictures(Path(tmp))
        reply = sogni.chat.completions.create(
            messages=[
                {"role": "system", "content": "You are a visual analysis assistant."},
                user_message("Compare these two images.", photo, drawing),
            ],
            think=False,
            task_profile="general",
            downscale_images=True,  # the photo is 2048 px wide: shrink it to 1024
        )
        print(reply.content)


if __name__ == "__main__":
    main()
