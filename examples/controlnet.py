"""ControlNet: guide the composition with a pose image, starting from an init image.

Any image works as the guide; file paths, bytes and open binary files are all accepted.
Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

import io

from PIL import Image, ImageDraw

from sogni.testing import open_client


def stick_figure() -> io.BytesIO:
    image = Image.new("RGB", (512, 512), "black")
    draw = ImageDraw.Draw(image)
    draw.ellipse((226, 60, 286, 120), outline="white", width=6)
    draw.line((256, 120, 256, 300), fill="white", width=6)
    draw.line((256, 170, 170, 240), fill="white", width=6)
    draw.line((256, 170, 342, 240), fill="white", width=6)
    draw.line((256, 300, 200, 440), fill="white", width=6)
    draw.line((256, 300, 312, 440), fill="white", width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def main() -> None:
    with open_client("sogni-controlnet") as sogni:
        project = sogni.projects.create(
            type="image",
            model_id="coreml-cyberrealistic_v70_768",
            network="relaxed",
            positive_prompt="A dancer on a stage, dramatic light",
            steps=20,
            guidance=7,
            control_net={
                "name": "openpose",
                "image": stick_figure(),
                "strength": 0.8,
                "mode": "balanced",
                "guidance_start": 0,
                "guidance_end": 0.9,
            },
        )
        project.wait(timeout=600)
        for path in project.download("out/controlnet"):
            print(f"Saved {path}")


if __name__ == "__main__":
    main()
