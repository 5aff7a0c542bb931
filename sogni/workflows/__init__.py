"""``client.workflows``: durable creative workflows (image, video, music ... in dependency
order, run by the service) and their saved templates (``client.workflows.templates``)."""

from __future__ import annotations

from ._api import INLINE_MEDIA_MESSAGE, WorkflowEventStream, WorkflowsAPI
from ._models import (
    FINAL_WORKFLOW_STATUSES,
    TERMINAL_WORKFLOW_STATUSES,
    WORKFLOW_WAITING_REASONS,
    CreativeWorkflowFrame,
    ReseedResult,
    ResumeResult,
    TemplatePage,
    WorkflowArtifact,
    WorkflowEvent,
    WorkflowRecord,
    WorkflowStatus,
    WorkflowTemplate,
    parse_creative_workflow_sse_chunk,
)
from ._run import WORKFLOW_EVENTS, WorkflowEventIterator, WorkflowRun
from ._templates import TemplatesAPI

__all__ = [
    "FINAL_WORKFLOW_STATUSES",
    "INLINE_MEDIA_MESSAGE",
    "TERMINAL_WORKFLOW_STATUSES",
    "WORKFLOW_EVENTS",
    "WORKFLOW_WAITING_REASONS",
    "CreativeWorkflowFrame",
    "ReseedResult",
    "ResumeResult",
    "TemplatePage",
    "TemplatesAPI",
    "WorkflowArtifact",
    "WorkflowEvent",
    "WorkflowEventIterator",
    "WorkflowEventStream",
    "WorkflowRecord",
    "WorkflowRun",
    "WorkflowStatus",
    "WorkflowTemplate",
    "WorkflowsAPI",
    "parse_creative_workflow_sse_chunk",
]
