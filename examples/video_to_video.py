"""Video to video with LTX-2.3 and a pose ControlNet.

LTX renders at the fps you ask (1-60): frames = round(duration x fps) + 1, snapped to 1 + 8n.
The example first makes a short clip to use as the source, so it needs no input file.
Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

from pathlib import Path

from sogni.projects import video_frames
from sogni.testing import open_client

V2V = "ltx23-22b-fp8_v2v_distilled"


def main() -> None:
    print(f"{V2V}: 4 s at 24 fps renders {video_frames(V2V, 4, 24)} frames")
    with open_client("sogni-video-to-video") as sogni:
        source_project = sogni.projects.create(
            type="video",
            model_id="ltx23-22b-fp8_t2v_distilled",
            positive_prompt="A dancer turning in an empty studio",
            duration=4,
            fps=24,
            width=768,
            height=512,
        )
        [source] = source_project.download("out/video_to_video/source")
        project = sogni.projects.create(
            type="video",
            model_id=V2V,
            positive_prompt="The same dance, as a bronze statue come to life",
            reference_video=Path(source),
            control_net={"name": "pose", "strength": 0.8},
            duration=4,
            fps=24,
            width=768,
            height=512,
        )
        project.wait(timeout=3600)
        for path in project.download("out/video_to_video"):
            print(f"Saved {path}")


if __name__ == "__main__":
    main()
