"""The sync and async surfaces match: every public method, property and handle of the sync
client has an async twin with the same parameters (names, kinds, defaults) and the same
annotations, read through one declared sync→async map. Nothing is excluded outside the map."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import attrs

from sogni import SogniClient
from sogni.chat import ChatRun, ChatRunEventIterator, ChatRunEventStream, ChatStream
from sogni.projects import EventIterator, Job, Project
from sogni.workflows import WorkflowEventIterator, WorkflowEventStream, WorkflowRun
from sogni_async import AsyncSogniClient
from sogni_async._chat import AsyncChatStream
from sogni_async._projects import AsyncEventIterator, AsyncJob, AsyncProject
from sogni_async._runs import AsyncChatRun, AsyncChatRunEventIterator, AsyncChatRunEventStream
from sogni_async._workflows import (
    AsyncWorkflowEventIterator,
    AsyncWorkflowEventStream,
    AsyncWorkflowRun,
)

# Names in annotations: the sync type and its async twin.
TYPE_MAP = {
    "SogniClient": "AsyncSogniClient",
    "AccountAPI": "AsyncAccountAPI",
    "ProjectsAPI": "AsyncProjectsAPI",
    "ChatAPI": "AsyncChatAPI",
    "Completions": "AsyncCompletions",
    "ToolsAPI": "AsyncToolsAPI",
    "HostedAPI": "AsyncHostedAPI",
    "RunsAPI": "AsyncRunsAPI",
    "ChatRun": "AsyncChatRun",
    "ChatRunEventIterator": "AsyncChatRunEventIterator",
    "ChatRunEventStream": "AsyncChatRunEventStream",
    "Project": "AsyncProject",
    "Job": "AsyncJob",
    "ChatStream": "AsyncChatStream",
    "EventIterator": "AsyncEventIterator",
    "Iterator": "AsyncIterator",
    "WorkflowsAPI": "AsyncWorkflowsAPI",
    "TemplatesAPI": "AsyncTemplatesAPI",
    "WorkflowRun": "AsyncWorkflowRun",
    "WorkflowEventIterator": "AsyncWorkflowEventIterator",
    "WorkflowEventStream": "AsyncWorkflowEventStream",
    "ReplayAPI": "AsyncReplayAPI",
    "StatsAPI": "AsyncStatsAPI",
    "AnnouncementsAPI": "AsyncAnnouncementsAPI",
}
# Members whose twin has another name.
MEMBER_MAP = {
    "close": "aclose",
    "__enter__": "__aenter__",
    "__exit__": "__aexit__",
    "__iter__": "__aiter__",
    "__next__": "__anext__",
}
# What only the async side has, and why.
ASYNC_ONLY = {
    "sync": "the sync object behind the twin",
    "max_threads": "the size of the shim's thread pool (an __init__ parameter)",
    "close": "AsyncChatStream/AsyncEventIterator: a synchronous close() besides aclose()",
}
# Members that never block, so their twins are plain methods, not coroutines.
NON_BLOCKING = {
    "on",
    "job",
    "with_options",
    "get_tokens",
    "on_tokens_refreshed",
    "events",
    "stream_events",
    "__iter__",
}
# Handles the namespaces return, with their async twins.
HANDLES = [
    (Project, AsyncProject),
    (Job, AsyncJob),
    (ChatStream, AsyncChatStream),
    (EventIterator, AsyncEventIterator),
    (ChatRun, AsyncChatRun),
    (ChatRunEventIterator, AsyncChatRunEventIterator),
    (ChatRunEventStream, AsyncChatRunEventStream),
    (WorkflowRun, AsyncWorkflowRun),
    (WorkflowEventIterator, AsyncWorkflowEventIterator),
    (WorkflowEventStream, AsyncWorkflowEventStream),
]
DUNDERS = {
    "__init__",
    "__enter__",
    "__exit__",
    "__iter__",
    "__next__",
    "__aenter__",
    "__aexit__",
    "__aiter__",
    "__anext__",
}


def _public(cls: type) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.split(".")[0] not in ("sogni", "sogni_async"):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") and name not in DUNDERS:
                continue
            if inspect.isfunction(value) or isinstance(value, property):
                members[name] = value
    return members


def _is_namespace(value: Any) -> bool:
    cls = type(value)
    return (
        cls.__module__.split(".")[0] == "sogni"
        and not attrs.has(cls)
        and any(inspect.isfunction(v) for n, v in vars(cls).items() if not n.startswith("_"))
    )


def _namespaces(sync_obj: Any, async_obj: Any, path: str = "client") -> Iterator[tuple[str, Any]]:
    """Every public attribute (not property) of a live client holding an SDK namespace."""
    yield path, (type(sync_obj), type(async_obj))
    for name in sorted(set(dir(type(sync_obj))) | set(vars(sync_obj))):
        static = inspect.getattr_static(sync_obj, name)
        if name.startswith("_") or isinstance(static, property) or inspect.isfunction(static):
            continue
        value = getattr(sync_obj, name)
        if _is_namespace(value):
            twin = getattr(async_obj, name, None)
            assert twin is not None, f"{path}.{name} has no async twin"
            yield from _namespaces(value, twin, f"{path}.{name}")


def _mapped(annotation: Any) -> str:
    text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    for sync_name, async_name in TYPE_MAP.items():
        text = re.sub(rf"\b{sync_name}\b", async_name, text)
    return text


def _text(annotation: Any) -> str:
    if annotation is inspect.Parameter.empty:
        return "<none>"
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def _compare(where: str, member: Any, twin: Any, problems: list[str]) -> None:
    if isinstance(member, property) or isinstance(twin, property):
        if not (isinstance(member, property) and isinstance(twin, property)):
            problems.append(f"{where}: a property on one side only")
            return
        sync_ret = inspect.signature(member.fget).return_annotation
        async_ret = inspect.signature(twin.fget).return_annotation
        if _mapped(sync_ret) != _text(async_ret):
            problems.append(f"{where}: returns {_text(async_ret)}, expected {_mapped(sync_ret)}")
        return
    sync_sig, async_sig = inspect.signature(member), inspect.signature(twin)
    sync_params = list(sync_sig.parameters.values())
    async_params = [p for p in async_sig.parameters.values() if p.name not in ASYNC_ONLY]
    if [(p.name, p.kind) for p in sync_params] != [(p.name, p.kind) for p in async_params]:
        problems.append(f"{where}: parameters {async_sig} differ from {sync_sig}")
        return
    for sp, ap in zip(sync_params, async_params):
        if sp.default != ap.default and not (
            sp.default is not inspect.Parameter.empty
            and ap.default is not inspect.Parameter.empty
            and repr(sp.default) == repr(ap.default)
        ):
            problems.append(f"{where}({sp.name}): default {ap.default!r} != {sp.default!r}")
        if _mapped(sp.annotation) != _text(ap.annotation) and sp.name != "self":
            problems.append(
                f"{where}({sp.name}): {_text(ap.annotation)}, expected {_mapped(sp.annotation)}"
            )
    sync_ret = sync_sig.return_annotation
    async_ret = async_sig.return_annotation
    if where.endswith(".__init__"):
        return
    if _mapped(sync_ret) != _text(async_ret):
        problems.append(f"{where}: returns {_text(async_ret)}, expected {_mapped(sync_ret)}")


def test_every_public_member_has_a_twin_with_the_same_signature() -> None:
    sync = SogniClient(app_id="parity", api_key="sk-parity", auto_connect=False)
    client = AsyncSogniClient(app_id="parity", api_key="sk-parity", auto_connect=False)
    try:
        pairs = [pair for _, pair in _namespaces(sync, client)] + HANDLES
        paths = {path for path, _ in _namespaces(sync, client)}
        # The walk sees the namespaces we know of; a new one is then checked by itself.
        assert {"client", "client.account", "client.projects", "client.chat"} <= paths
        assert {"client.chat.completions", "client.chat.tools"} <= paths
        assert {"client.chat.hosted", "client.chat.runs"} <= paths
        problems: list[str] = []
        for sync_cls, async_cls in pairs:
            sync_members = _public(sync_cls)
            async_members = _public(async_cls)
            if sync_cls is not SogniClient:
                # Namespaces and handles are made by the SDK, not by users.
                sync_members.pop("__init__", None)
                async_members.pop("__init__", None)
            for name, member in sync_members.items():
                twin_name = MEMBER_MAP.get(name, name)
                twin = async_members.get(twin_name)
                where = f"{async_cls.__name__}.{twin_name}"
                if twin is None:
                    problems.append(f"{where} is missing")
                    continue
                _compare(where, member, twin, problems)
                blocking = inspect.isfunction(member) and name not in NON_BLOCKING | {"__init__"}
                if blocking and not inspect.iscoroutinefunction(twin):
                    problems.append(f"{where} must be awaitable")
            expected = {MEMBER_MAP.get(n, n) for n in sync_members}
            for name in async_members:
                if name not in expected and name not in ASYNC_ONLY:
                    problems.append(f"{async_cls.__name__}.{name} has no sync twin")
        assert problems == []
    finally:
        sync.close()
        client.sync.close()


# Module-level functions and their async twins (not namespaces, so the walk above misses
# them). What may differ, and why:
FUNCTION_EXCEPTIONS = {
    "client_factory": "it makes each Dask worker's client, a sync one on both sides",
}


def test_the_batch_functions_have_async_twins_with_the_same_signature() -> None:
    from sogni import batch
    from sogni_async import batch as async_batch

    problems: list[str] = []
    for name in ("run", "estimate"):
        sync_fn = getattr(batch, name)
        async_fn = getattr(async_batch, name)
        assert inspect.iscoroutinefunction(async_fn), name
        sync_sig = inspect.signature(sync_fn)
        async_sig = inspect.signature(async_fn)
        if [(p.name, p.kind, p.default) for p in sync_sig.parameters.values()] != [
            (p.name, p.kind, p.default) for p in async_sig.parameters.values()
        ]:
            problems.append(f"batch.{name}: {async_sig} differs from {sync_sig}")
            continue
        for sp, ap in zip(sync_sig.parameters.values(), async_sig.parameters.values()):
            expected = (
                _text(sp.annotation) if sp.name in FUNCTION_EXCEPTIONS else _mapped(sp.annotation)
            )
            if _text(ap.annotation) != expected:
                problems.append(f"batch.{name}({sp.name}): {_text(ap.annotation)} != {expected}")
        if _mapped(sync_sig.return_annotation) != _text(async_sig.return_annotation):
            problems.append(f"batch.{name}: return annotations differ")
    assert problems == []
