"""Text to music with ACE-Step 1.5: two versions of a song with lyrics, as FLAC.

Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

from sogni.testing import open_client

LYRICS = """[verse]
Paper boats on a rainy street
Sailing off where the rivers meet
[chorus]
Row, row, into the light
"""


def main() -> None:
    with open_client("sogni-text-to-music") as sogni:
        estimate = sogni.projects.estimate_audio_cost(
            model_id="ace_step_1.5_turbo", positive_prompt="x", duration=30, number_of_media=2
        )
        print(f"Estimated cost: {estimate.spark} Spark")
        project = sogni.projects.create(
            type="audio",
            model_id="ace_step_1.5_turbo",
            positive_prompt="Dreamy indie pop, soft female vocals, warm synths",
            lyrics=LYRICS,
            language="en",
            duration=30,
            bpm=96,
            keyscale="A minor",
            time_signature="4",
            number_of_media=2,
            output_format="flac",
        )
        project.wait(timeout=3600)
        for path in project.download("out/text_to_music"):
            print(f"Saved {path}")


if __name__ == "__main__":
    main()
