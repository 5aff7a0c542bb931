"""Sound to video (lip sync): WAN 2.2 s2v animates a portrait to an audio clip.

Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

from _media_samples import still_image, tone

from sogni.testing import open_client


def main() -> None:
    with open_client("sogni-sound-to-video") as sogni:
        project = sogni.projects.create(
            type="video",
            model_id="wan_v2.2-14b-fp8_s2v_lightx2v",
            positive_prompt="A singer on a small stage, warm light",
            reference_image=still_image("maroon"),
            reference_audio=tone(seconds=3),
            audio_start=0,
            audio_duration=3,
            duration=3,
            width=832,
            height=480,
            steps=4,
        )
        project.wait(timeout=3600)
        for path in project.download("out/sound_to_video"):
            print(f"Saved {path}")


if __name__ == "__main__":
    main()
