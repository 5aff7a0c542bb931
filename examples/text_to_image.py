"""Text to image: several images with previews, a fixed seed, and a size preset.

Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

from sogni import ImageProjectParams
from sogni.testing import open_client


def main() -> None:
    params = ImageProjectParams(
        model_id="flux1-schnell-fp8",
        positive_prompt="A lighthouse on a cliff at dawn, volumetric light",
        negative_prompt="blurry, watermark",
        number_of_media=2,
        number_of_previews=1,
        steps=4,
        guidance=1,
        seed=1234,
        size_preset="landscape_7_4",
        output_format="jpg",
    )
    with open_client("sogni-text-to-image") as sogni:
        estimate = sogni.projects.estimate_cost(params)
        print(f"Estimated cost: {estimate.spark} Spark")
        project = sogni.projects.create(params)
        for event in project.events(timeout=300):
            if event.type == "preview" and event.job is not None:
                print(f"  preview of job {event.job.job_index}: {event.url}")
            elif event.type == "job_completed" and event.job is not None:
                print(f"  job {event.job.job_index} done, seed {event.job.seed}")
        for path in project.download("out/text_to_image"):
            print(f"Saved {path}")


if __name__ == "__main__":
    main()
