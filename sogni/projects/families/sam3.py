"""SAM3 image segmentation: a starting image and a point, box or text prompt; one PNG mask
per project, no previews."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Final

from ..._wire.fields import OMIT
from ..._wire.job_request import Sam3BoxWire, Sam3PointWire, Sam3PromptWire
from ..._wire.js import trim, utf16_length
from .._checks import Problems
from .._numbers import js_number
from ..params import Sam3Box, Sam3Point, Sam3Prompt
from ._image import ImageCheck, ImageFamily

if TYPE_CHECKING:
    from ..params import ImageProjectParams

__all__ = ["SAM3_MODEL_ID", "Sam3"]

#: The SAM 3 image segmentation model id.
SAM3_MODEL_ID: Final = "sam3_image_segment_bf16"
SAM3_MAX_POINTS: Final = 32
SAM3_MAX_BOXES: Final = 16
SAM3_MAX_TEXT: Final = 240
SAM3_MAX_INSTANCES: Final = 16


class Sam3(ImageFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "sam3"
    model_ids: ClassVar[frozenset[str]] = frozenset({SAM3_MODEL_ID})
    forced_output_format: ClassVar[str | None] = "png"
    takes_previews: ClassVar[bool] = False
    single_output: ClassVar[bool] = True

    def refuse(self, check: ImageCheck) -> None:
        if check.params.sam3_prompt is not None:
            check.add("sam3_prompt", f"is only supported by {SAM3_MODEL_ID}")

    def validate(self, check: ImageCheck) -> None:
        params, p = check.params, check.p
        prompt = params.sam3_prompt
        if params.starting_image is None:
            p.add("starting_image", "SAM3 image segmentation requires starting_image")
        if prompt is None:
            p.add("sam3_prompt", "SAM3 image segmentation requires sam3_prompt")
        elif p.instance("sam3_prompt", prompt, Sam3Prompt):
            _check_prompt(prompt, p)

    def write_key_frame(self, params: ImageProjectParams, kf: dict[str, Any]) -> None:
        if params.sam3_prompt is not None:
            kf["sam3_prompt"] = _prompt_wire(params.sam3_prompt)


def _bounded(p: Problems, param: str, value: Any, limit: int) -> tuple[Any, ...]:
    if not p.sequence(param, value):
        return ()
    if len(value) > limit:
        p.add(param, f"must contain at most {limit} entries")
    return tuple(value)


def _check_prompt(prompt: Sam3Prompt, p: Problems) -> None:
    points = _bounded(p, "sam3_prompt.points", prompt.points, SAM3_MAX_POINTS)
    for i, point in enumerate(points):
        where = f"sam3_prompt.points[{i}]"
        if p.instance(where, point, Sam3Point):
            p.number(f"{where}.x", point.x, 0, 1)
            p.number(f"{where}.y", point.y, 0, 1)
            p.string(f"{where}.label", point.label, choices=("positive", "negative"))
    boxes = _bounded(p, "sam3_prompt.boxes", prompt.boxes, SAM3_MAX_BOXES)
    for i, box in enumerate(boxes):
        where = f"sam3_prompt.boxes[{i}]"
        if not p.instance(where, box, Sam3Box):
            continue
        oks = [p.number(f"{where}.{c}", getattr(box, c), 0, 1) for c in ("x0", "y0", "x1", "y1")]
        p.string(f"{where}.label", box.label, choices=("positive", "negative"))
        if all(oks) and (box.x0 >= box.x1 or box.y0 >= box.y1):
            p.add(where, "must have x0 < x1 and y0 < y1")
    text = prompt.text
    if (
        p.string("sam3_prompt.text", text)
        and isinstance(text, str)
        and not 1 <= utf16_length(trim(text)) <= SAM3_MAX_TEXT
    ):
        p.add(
            "sam3_prompt.text",
            f"must contain 1 to {SAM3_MAX_TEXT} characters (UTF-16 code units, once trimmed)",
        )
    has_text = isinstance(text, str) and bool(trim(text))
    if not points and not boxes and not has_text:
        p.add("sam3_prompt", "requires at least one point, box, or text prompt")
    if has_text and points:
        p.add("sam3_prompt", "cannot combine text and point prompts")
    if points and len(boxes) > 1:
        p.add("sam3_prompt.boxes", "at most one box when point prompts are present")
    if points and any(isinstance(b, Sam3Box) and b.label == "negative" for b in boxes):
        p.add("sam3_prompt.boxes", "negative boxes require a text prompt")
    p.number("sam3_prompt.threshold", prompt.threshold, 0, 1)
    if p.boolean("sam3_prompt.multimask", prompt.multimask) and prompt.multimask and not points:
        p.add("sam3_prompt.multimask", "requires point prompts")
    p.boolean("sam3_prompt.apply_mask", prompt.apply_mask)
    p.number("sam3_prompt.max_instances", prompt.max_instances, 1, SAM3_MAX_INSTANCES, integer=True)


def _prompt_wire(prompt: Sam3Prompt) -> Sam3PromptWire:
    points = [
        Sam3PointWire(x=js_number(p.x), y=js_number(p.y), label=p.label) for p in prompt.points
    ]
    boxes = [
        Sam3BoxWire(
            x0=js_number(b.x0),
            y0=js_number(b.y0),
            x1=js_number(b.x1),
            y1=js_number(b.y1),
            label=b.label or "positive",
        )
        for b in prompt.boxes
    ]
    text = trim(prompt.text) if prompt.text else None
    return Sam3PromptWire(
        points=points,
        boxes=boxes,
        text=text or OMIT,
        threshold=0.5 if prompt.threshold is None else js_number(prompt.threshold),
        multimask=(True if prompt.multimask is None else prompt.multimask) if points else OMIT,
        apply_mask=prompt.apply_mask is True,
        max_instances=OMIT if prompt.max_instances is None else prompt.max_instances,
    )
