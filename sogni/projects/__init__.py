"""Projects: image, video and audio generation on the Supernet.

``client.projects`` (:class:`ProjectsAPI`) creates projects and returns :class:`Project`
handles; the parameter classes, catalog models and handles are exported here.
"""

from __future__ import annotations

from .api import CostEstimate, ProjectsAPI
from .catalog import (
    AvailableModel,
    ImageModelOptions,
    LoraCatalog,
    LoraConstraints,
    LoraEntry,
    LoraUI,
    ModelOptions,
    NumericRange,
    OptionList,
    SizePreset,
    SupportedModel,
)
from .handles import Job, JobStatus, Project, ProjectEvent, ProjectStatus
from .media import MediaInput
from .params import (
    PARAM_NAMES_TS,
    ControlNetParams,
    ImageProjectParams,
    ProjectParams,
    Sam3Box,
    Sam3Point,
    Sam3Prompt,
    WorkloadAttribution,
    WorldGenerationReceipt,
    make_params,
)

__all__ = [
    "PARAM_NAMES_TS",
    "AvailableModel",
    "ControlNetParams",
    "CostEstimate",
    "ImageModelOptions",
    "ImageProjectParams",
    "Job",
    "JobStatus",
    "LoraCatalog",
    "LoraConstraints",
    "LoraEntry",
    "LoraUI",
    "MediaInput",
    "ModelOptions",
    "NumericRange",
    "OptionList",
    "Project",
    "ProjectEvent",
    "ProjectParams",
    "ProjectStatus",
    "ProjectsAPI",
    "Sam3Box",
    "Sam3Point",
    "Sam3Prompt",
    "SizePreset",
    "SupportedModel",
    "WorkloadAttribution",
    "WorldGenerationReceipt",
    "make_params",
]
