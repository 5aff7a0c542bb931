"""Image to video: WAN 2.2 i2v from a start frame to an end frame.

Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

from _media_samples import still_image

from sogni.testing import open_client


def main() -> None:
    with open_client("sogni-image-to-video") as sogni:
        project = sogni.projects.create(
            type="video",
            model_id="wan_v2.2-14b-fp8_i2v_lightx2v",
            positive_prompt="The sun rises slowly over the sea",
            reference_image=still_image("navy"),
            reference_image_end=still_image("orange"),
            duration=3,
            width=832,
            height=480,
            steps=4,
        )
        project.wait(timeout=3600)
        for path in project.download("out/image_to_video"):
            print(f"Saved {path}")


if __name__ == "__main__":
    main()
