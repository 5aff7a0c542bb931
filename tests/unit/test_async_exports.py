"""What ``sogni_async`` exports: an async twin for every sync namespace and handle, and the
same batch names as ``sogni.batch``; internals stay out of ``__all__``."""

from __future__ import annotations

import importlib
import inspect

import pytest

import sogni.announcements
import sogni.batch
import sogni_async
import sogni_async._extras
import sogni_async.batch

from .test_signature_parity import HANDLES, TYPE_MAP


def test_every_async_twin_is_exported_by_sogni_async() -> None:
    twins = {name for name in TYPE_MAP.values() if name.startswith("Async")}
    twins.discard("AsyncIterator")  # the standard library's, not a twin of ours
    twins |= {async_cls.__name__ for _, async_cls in HANDLES}
    missing = sorted(twins - set(sogni_async.__all__))
    assert not missing, f"async twins sogni_async does not export: {missing}"
    for name in sogni_async.__all__:
        assert hasattr(sogni_async, name), name


def test_async_extras_declare_their_exports() -> None:
    assert sorted(sogni_async._extras.__all__) == [
        "AsyncAnnouncementsAPI",
        "AsyncReplayAPI",
        "AsyncStatsAPI",
    ]
    for name in sogni_async._extras.__all__:
        assert getattr(sogni_async, name) is getattr(sogni_async._extras, name)


def test_the_async_batch_namespace_exports_what_sogni_batch_exports() -> None:
    assert sorted(sogni_async.batch.__all__) == sorted(sogni.batch.__all__)
    for name in sogni.batch.__all__:
        if name == "SogniWorkerPlugin":
            continue  # resolved only where dask.distributed imports
        ours, theirs = getattr(sogni_async.batch, name), getattr(sogni.batch, name)
        if name in ("run", "estimate"):
            assert inspect.iscoroutinefunction(ours), name
        else:
            assert ours is theirs, name


def test_the_fault_hook_is_not_batch_api() -> None:
    for module in (sogni.batch, sogni_async.batch):
        assert not [name for name in module.__all__ if "FAULT" in name], module.__name__


@pytest.mark.parametrize("module_name", ["sogni.announcements", "sogni.batch", "sogni_async"])
def test_public_modules_define_no_public_name_outside_all(module_name: str) -> None:
    module = importlib.import_module(module_name)
    stray = [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module_name
        and name not in module.__all__
    ]
    assert not stray, f"{module_name}: public names not in __all__: {stray}"
