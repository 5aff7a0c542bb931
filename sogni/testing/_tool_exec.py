"""The FakeSupernet's server-side tool executor: what hosted chat (``sogni_tool_execution``),
durable chat runs and the composition-tool endpoint run when a Sogni tool is called.

* Media tools run as real fake projects, admitted, priced, billed and rendered like a client's
  (under the caller's account, an app id of their own, on the fast network) [INV-TOOL-EXEC]:
  ``generate_image`` (Flux Schnell, 4 steps, PNG), ``generate_video`` (LTX-2.3 text-to-video,
  ``duration`` seconds at 24 fps, default 2) and ``generate_music`` (ACE-Step 1.5 turbo,
  ``duration`` seconds, default 10, MP3). The result URLs are the storage's signed URLs, so
  they download like any result. Cancelling the task that awaits a tool stops its project and
  refunds what did not render.
* The six composition tools (``enhance_prompt``, ``compose_script``, ``compose_lyrics``,
  ``compose_instrumental``, ``compose_workflow``, ``compose_workflow_template``) answer at once
  with a deterministic result built from their arguments, free [INV-TOOL-COMPOSE].
* Every other hosted tool answers with an error result: the fake does not run it.

The hosted tool set the model is offered is the fake's own list of the 30 names, each with an
open object schema [INV-HOSTED-TOOLS]; the model's arguments come from ``_llm_tools`` rule 3a.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import _costs
from ._jobcheck import Refusal, check_job_request
from ._llm_tools import SOGNI_TOOL_NAMES
from ._state import new_id

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._project_records import ProjectRec
    from ._projects import ProjectsExtension
    from ._state import FakeAccount

__all__ = [
    "COMPOSITION_TOOLS",
    "EXECUTOR_APP_ID",
    "MEDIA_TOOLS",
    "ToolExecutor",
    "ToolOutcome",
    "hosted_tool_definitions",
]

EXECUTOR_APP_ID = "sogni-tool-executor"
"""The app id of the projects the executor makes (no client connects with it)."""

# tool: (media type, model, output format)
MEDIA_TOOLS: dict[str, tuple[str, str, str]] = {
    "generate_image": ("image", "flux1-schnell-fp8", "png"),
    "generate_video": ("video", "ltx23-22b-fp8_t2v_distilled", "mp4"),
    "generate_music": ("audio", "ace_step_1.5_turbo", "mp3"),
}
COMPOSITION_TOOLS = frozenset(
    (
        "enhance_prompt",
        "compose_script",
        "compose_lyrics",
        "compose_instrumental",
        "compose_workflow",
        "compose_workflow_template",
    )
)
_ORDER = (*MEDIA_TOOLS, *sorted(SOGNI_TOOL_NAMES - set(MEDIA_TOOLS)))
_FPS = 24


def hosted_tool_definitions(names: list[str] | None = None) -> list[dict[str, Any]]:
    """OpenAI-style definitions of the hosted tools (all, or ``names`` in the fake's order)."""
    wanted = _ORDER if names is None else [n for n in _ORDER if n in names]
    return [
        {
            "type": "function",
            "function": {"name": name, "parameters": {"type": "object", "properties": {}}},
        }
        for name in wanted
    ]


def named_hosted_tools(text: str) -> list[dict[str, Any]]:
    """The hosted tools the text names [INV-HOSTED-TOOLS]: a model offered the hosted tools
    calls one only when asked for it by name."""
    return hosted_tool_definitions([name for name in _ORDER if name in text])


@dataclass
class ToolOutcome:
    """What one tool call did."""

    tool: str
    tool_call_id: str
    ok: bool
    media_type: str | None = None
    urls: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None
    error: str | None = None
    project_id: str | None = None

    def content(self) -> str:
        """The ``tool`` message the model reads next (the shape ``_llm_tools`` rule 3b knows)."""
        if not self.ok:
            return json.dumps({"success": False, "error": self.error})
        if self.media_type is not None:
            return json.dumps({"success": True, "media_type": self.media_type, "urls": self.urls})
        return json.dumps({"success": True, "result": self.result})

    def entry(self) -> dict[str, Any]:
        """A ``sogni_tool_results`` entry [INV-SOGNI-TOOL-RESULTS]."""
        out: dict[str, Any] = {
            "tool": self.tool,
            "toolCallId": self.tool_call_id,
            "ok": self.ok,
            "urls": list(self.urls),
        }
        if self.error is not None:
            out["error"] = self.error
        return out


class ToolRefused(Exception):
    """A composition tool's arguments are unusable (the endpoint answers 400)."""


Progress = Callable[[dict[str, Any]], Awaitable[None]]


class ToolExecutor:
    """Runs hosted tool calls on the server loop."""

    def __init__(self, fake: FakeSupernet) -> None:
        self.fake = fake

    @property
    def _projects(self) -> ProjectsExtension:
        ext = self.fake._projects_ext
        assert ext is not None
        return ext

    # ------------------------------------------------------------------ pricing

    @staticmethod
    def is_paid(name: str) -> bool:
        return name in MEDIA_TOOLS

    def estimate_usd(
        self, account: FakeAccount, name: str, arguments: Mapping[str, Any]
    ) -> Decimal:
        """What the project of a media tool call would cost, in USD (0 for the others)."""
        if name not in MEDIA_TOOLS:
            return Decimal(0)
        payload = self._payload(name, arguments, "estimate", None)
        try:
            plan = check_job_request(self.fake, self._projects.storage, account, "fast", payload)
        except Refusal:
            return Decimal(0)
        return _costs.quote(self._projects.quote_input(plan)).project_usd

    # ------------------------------------------------------------------ running

    async def execute(
        self,
        account: FakeAccount,
        call_id: str,
        name: str,
        arguments: Mapping[str, Any],
        *,
        token_type: str | None = None,
        on_progress: Progress | None = None,
    ) -> ToolOutcome:
        """Run one call. Cancelling the awaiting task stops its project."""
        if name in COMPOSITION_TOOLS:
            try:
                return ToolOutcome(name, call_id, True, result=self.compose(name, arguments))
            except ToolRefused as exc:
                return ToolOutcome(name, call_id, False, error=str(exc))
        if name not in MEDIA_TOOLS:
            return ToolOutcome(
                name, call_id, False, error=f"{name} is not available on this server"
            )
        media = MEDIA_TOOLS[name][0]
        payload = self._payload(name, arguments, new_id(), token_type)
        try:
            project = await self._projects.submit(account, EXECUTOR_APP_ID, "fast", payload)
        except Refusal as refusal:
            return ToolOutcome(name, call_id, False, media_type=media, error=refusal.message)
        if on_progress is not None:
            await on_progress({"progress": 0, "status": "queued", "projectId": project.id})
        try:
            await self._finished(project)
        except asyncio.CancelledError:
            await self._projects.cancel(project)
            raise
        urls = self._urls(project)
        if project.status != "completed" or not urls:
            return ToolOutcome(
                name,
                call_id,
                False,
                media_type=media,
                error=f"{name} failed: {project.reason or 'the render failed'}",
                project_id=project.id,
            )
        return ToolOutcome(name, call_id, True, media, urls, project_id=project.id)

    async def _finished(self, project: ProjectRec) -> None:
        task = project.task
        if task is not None:
            # Shielded: cancelling the caller must not cancel the worker task by accident
            # (the project is stopped on purpose, with its refund, by the caller).
            await asyncio.wait({asyncio.shield(task)})

    def _urls(self, project: ProjectRec) -> list[str]:
        storage = self._projects.storage
        return [
            storage.signed_url("GET", job.media_key)
            for job in sorted(project.jobs, key=lambda j: j.index)
            if job.status == "jobCompleted" and job.media_key and not job.nsfw_withheld
        ]

    def _payload(
        self, name: str, arguments: Mapping[str, Any], job_id: str, token_type: str | None
    ) -> dict[str, Any]:
        media, model, fmt = MEDIA_TOOLS[name]
        prompt = arguments.get("prompt")
        frame: dict[str, Any] = {
            "modelID": model,
            "positivePrompt": prompt if isinstance(prompt, str) and prompt else "sample prompt",
        }
        duration = arguments.get("duration")
        if media == "image":
            frame["steps"] = 4
        elif media == "video":
            seconds = duration if isinstance(duration, (int, float)) and duration > 0 else 2
            frame["frames"] = int(seconds * _FPS) + 1
        else:
            seconds = duration if isinstance(duration, (int, float)) and duration > 0 else 10
            frame["duration"] = seconds
        payload: dict[str, Any] = {
            "jobID": job_id,
            "keyFrames": [frame],
            "numberOfImages": 1,
            "outputFormat": fmt,
        }
        if media == "video":
            payload["frameRate"] = _FPS
        if token_type in ("sogni", "spark"):
            payload["tokenType"] = token_type
        return payload

    # ------------------------------------------------------------------ composition tools

    def compose(self, name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """The deterministic result of a composition tool [INV-TOOL-COMPOSE]."""
        text = _text(arguments, name)
        digest = hashlib.sha256(f"{name}|{text}".encode()).hexdigest()[:8]
        if name == "enhance_prompt":
            return {"prompt": f"{text}, richly detailed, cinematic lighting, sharp focus"}
        if name == "compose_script":
            scenes = [f"Scene {i}: {text} ({part})" for i, part in enumerate(_PARTS, 1)]
            return {"title": f"Script {digest}", "scenes": scenes, "script": "\n".join(scenes)}
        if name == "compose_lyrics":
            return {"title": f"Song {digest}", "lyrics": f"[verse]\n{text}\n[chorus]\n{text}"}
        if name == "compose_instrumental":
            return {"prompt": f"instrumental, {text}", "bpm": 96, "duration": 30}
        steps = [
            {"id": "keyframe", "toolName": "generate_image", "arguments": {"prompt": text}},
            {
                "id": "clip",
                "toolName": "generate_video",
                "arguments": {"prompt": text, "duration": 2},
                "dependsOn": [{"sourceStepId": "keyframe", "sourceArtifactIndex": 0}],
            },
        ]
        if name == "compose_workflow":
            return {"workflow": {"title": f"Workflow {digest}", "steps": steps}}
        template_name = arguments.get("name")
        return {
            "template": {
                "name": template_name if isinstance(template_name, str) else f"Template {digest}",
                "steps": steps,
            }
        }


_PARTS = ("opening", "middle", "ending")


def _text(arguments: Mapping[str, Any], name: str) -> str:
    for key in ("prompt", "brief", "description", "text"):
        value = arguments.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    raise ToolRefused(f"{name} needs a prompt or a brief")
