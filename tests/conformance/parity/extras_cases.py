"""REST wire-parity rows for replay, stats, announcements and the models of a network: the same
call through the TypeScript SDK (``ts``, its params exactly) and through ours (``py``, our
arguments). Each row sends one request, the compared one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["EXTRAS_CANARY", "EXTRAS_CASES", "ExtrasCase"]

KINDS = (
    "replay.write",
    "replay.list",
    "replay.get",
    "stats.leaderboard",
    "announcements.active",
    "announcements.dismiss",
    "projects.getAvailableModels",
)


@dataclass(frozen=True)
class ExtrasCase:
    name: str
    kind: str
    ts: dict[str, Any]
    py: dict[str, Any]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")


def _same(name: str, kind: str, params: dict[str, Any], py: dict[str, Any] | None = None) -> Any:
    return ExtrasCase(name, kind, params, params if py is None else py)


FULL_RECORD = {
    "run_id": "run full/1",
    "schema_version": 2,
    "session_id": "sess-1",
    "model_id": "qwen3-30b",
    "user_request": "Paint a harbour, at dawn ✨",
    "final_response": "Done.",
    "rounds": [
        {
            "round": 1,
            "assistant_message": "",
            "tool_calls": [{"name": "generate_image", "arguments": {"width": 1024, "cfg": 1.5}}],
            "tool_results": [{"ok": True, "payload": {"urls": ["https://x.example/a.png"]}}],
        }
    ],
    "total_cost": 0.25,
    "outcome": {"status": "completed"},
}

EXTRAS_CASES = [
    _same("replay-write-minimal", "replay.write", {"record": {"run_id": "run-1"}}),
    _same("replay-write-full", "replay.write", {"record": FULL_RECORD}),
    _same("replay-list-default", "replay.list", {}),
    _same("replay-list-limit", "replay.list", {"limit": 7}),
    ExtrasCase("replay-get", "replay.get", {"runId": "run-1"}, {"run_id": "run-1"}),
    ExtrasCase(
        "replay-get-quoted", "replay.get", {"runId": "run full/1"}, {"run_id": "run full/1"}
    ),
    _same("leaderboard-minimal", "stats.leaderboard", {"type": "referral", "period": "day"}),
    _same(
        "leaderboard-every-param",
        "stats.leaderboard",
        {
            "type": "renderTokenCompleteArtist",
            "period": "lifetime",
            "username": "ann",
            "network": "all",
            "page": 2,
            "limit": 10,
            "date": 1_700_000_000_000,
            "address": "0xabc",
        },
    ),
    _same("announcements-active", "announcements.active", {}),
    _same("announcements-active-platform", "announcements.active", {"platform": "sogni-mac"}),
    _same("announcements-dismiss", "announcements.dismiss", {"id": "ann-1"}),
    _same("announcements-dismiss-quoted", "announcements.dismiss", {"id": "ann 2/x"}),
    _same("models-relaxed", "projects.getAvailableModels", {"network": "relaxed"}),
    _same("models-fast", "projects.getAvailableModels", {"network": "fast"}),
]

# Differs on purpose (the page size): the harness must report exactly that difference.
EXTRAS_CANARY = ExtrasCase(
    "canary-leaderboard-limit",
    "stats.leaderboard",
    {"type": "referral", "period": "day", "limit": 5},
    {"type": "referral", "period": "day", "limit": 6},
)
