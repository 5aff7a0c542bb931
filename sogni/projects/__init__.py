"""Projects: image, video and audio generation on the Supernet.

``client.projects`` (:class:`ProjectsAPI`) creates projects and returns :class:`Project`
handles; the parameter classes, catalog models and handles are exported here.
"""

from __future__ import annotations

from ._by_id import ProjectStatusSnapshot
from ._job_events import JobProgress
from ._kwargs import AudioProjectKwargs, ImageProjectKwargs, VideoProjectKwargs
from .api import CostEstimate, ProjectsAPI, new_project_id
from .catalog import (
    AudioModelOptions,
    AvailableModel,
    ImageModelOptions,
    LoraCatalog,
    LoraConstraints,
    LoraEntry,
    LoraUI,
    ModelOptions,
    NumberChoices,
    NumericRange,
    OptionList,
    SizePreset,
    StartOption,
    SupportedModel,
    TextLimit,
    VideoModelOptions,
)
from .frames import default_fps, h3_frames_for_audio, video_duration_range, video_frames
from .handles import (
    EventIterator,
    Job,
    JobStatus,
    Project,
    ProjectEvent,
    ProjectEventType,
    ProjectStatus,
)
from .media import MediaInput
from .params import (
    PARAM_NAMES_TS,
    AudioProjectParams,
    ControlNetParams,
    ImageProjectParams,
    ProjectParams,
    Sam2Coordinate,
    Sam3Box,
    Sam3Point,
    Sam3Prompt,
    VideoControlNetParams,
    VideoKeyframe,
    VideoProjectParams,
    WorkloadAttribution,
    WorldGenerationReceipt,
    make_params,
)

__all__ = [
    "AudioModelOptions",
    "AudioProjectKwargs",
    "AudioProjectParams",
    "AvailableModel",
    "ControlNetParams",
    "CostEstimate",
    "ImageModelOptions",
    "ImageProjectKwargs",
    "ImageProjectParams",
    "EventIterator",
    "Job",
    "JobStatus",
    "LoraCatalog",
    "LoraConstraints",
    "LoraEntry",
    "LoraUI",
    "MediaInput",
    "ModelOptions",
    "NumberChoices",
    "NumericRange",
    "OptionList",
    "PARAM_NAMES_TS",
    "Project",
    "ProjectEvent",
    "ProjectEventType",
    "ProjectParams",
    "ProjectStatus",
    "ProjectsAPI",
    "Sam2Coordinate",
    "Sam3Box",
    "Sam3Point",
    "Sam3Prompt",
    "SizePreset",
    "StartOption",
    "SupportedModel",
    "TextLimit",
    "VideoControlNetParams",
    "VideoKeyframe",
    "VideoModelOptions",
    "VideoProjectKwargs",
    "VideoProjectParams",
    "WorkloadAttribution",
    "WorldGenerationReceipt",
    "default_fps",
    "h3_frames_for_audio",
    "make_params",
    "new_project_id",
    "video_duration_range",
    "video_frames",
    "JobProgress",
    "ProjectStatusSnapshot",
]
