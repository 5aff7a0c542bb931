"""Image editing with context images (Qwen Image Edit), then an enhancement pass.

Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

import io

from PIL import Image

from sogni.testing import open_client


def sample_image(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), color).save(buffer, "PNG")
    return buffer.getvalue()


def main() -> None:
    with open_client("sogni-image-edit") as sogni:
        project = sogni.projects.create(
            type="image",
            model_id="qwen_image_edit_2511_fp8_lightning",
            positive_prompt="Put the object from the first image on the table of the second",
            context_images=[sample_image("orange"), sample_image("white")],
            steps=4,
        )
        [url] = project.wait(timeout=300)
        print(f"Edited image: {url}")
        [job] = project.jobs
        path = job.download("out/image_edit.png")
        print(f"Saved {path}")


if __name__ == "__main__":
    main()
