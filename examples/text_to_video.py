"""Text to video with WAN 2.2 (speed variant): 5 seconds, interpolated to 32 fps.

WAN always renders 16 fps internally: frames = round(duration x 16) + 1 = 81 whatever the fps;
fps=32 only adds frame interpolation after the render.
Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

from sogni.projects import video_frames
from sogni.testing import open_client

MODEL = "wan_v2.2-14b-fp8_t2v_lightx2v"


def main() -> None:
    print(f"{MODEL}: 5 s at 32 fps renders {video_frames(MODEL, 5, 32)} frames")
    with open_client("sogni-text-to-video") as sogni:
        estimate = sogni.projects.estimate_video_cost(
            model_id=MODEL, positive_prompt="x", duration=5, fps=32, width=832, height=480
        )
        print(f"Estimated cost: {estimate.spark} Spark")
        project = sogni.projects.create(
            type="video",
            model_id=MODEL,
            positive_prompt="A paper boat drifting down a rainy street, cinematic",
            duration=5,
            fps=32,
            width=832,
            height=480,
            steps=4,
        )
        project.on("progress", lambda percent: print(f"  progress {percent}%"))
        project.wait(timeout=3600)
        for path in project.download("out/text_to_video"):
            print(f"Saved {path}")


if __name__ == "__main__":
    main()
