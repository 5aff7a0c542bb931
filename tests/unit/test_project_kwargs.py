"""The keyword TypedDicts of ``projects.create`` match the attrs params classes field by field."""

from __future__ import annotations

import functools
import operator
import os
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pytest

from sogni.projects import (
    AudioProjectKwargs,
    AudioProjectParams,
    ImageProjectKwargs,
    ImageProjectParams,
    VideoProjectKwargs,
    VideoProjectParams,
)
from sogni.projects import _kwargs as kwargs_module
from sogni.projects import params as params_module

PAIRS = [
    (ImageProjectParams, ImageProjectKwargs),
    (VideoProjectParams, VideoProjectKwargs),
    (AudioProjectParams, AudioProjectKwargs),
]
# ``MediaInput`` spells ``"os.PathLike[str]"`` as a forward reference.
_LOCALS = {"os": os}


def _canonical(tp: Any) -> Any:
    """A comparable form: unions as frozensets (``X | None`` and ``Optional[X]`` alike)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        flat: set[Any] = set()
        for arg in args:
            canon = _canonical(arg)
            flat |= canon[1] if isinstance(canon, tuple) and canon[0] == "union" else {canon}
        return ("union", frozenset(flat))
    if origin is not None:
        return (origin, tuple(_canonical(a) for a in args))
    return tp


def _accepted(tp: Any) -> Any:
    """What a keyword may be given as: a nested attrs class also as a mapping (its field's
    converter builds the class from one)."""
    if isinstance(tp, type) and attrs.has(tp):
        return tp | Mapping[str, Any]
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        return functools.reduce(operator.or_, (_accepted(a) for a in args))
    if origin is Sequence:
        return Sequence[_accepted(args[0])]
    return tp


def _nested_classes(tp: Any) -> list[type]:
    if isinstance(tp, type) and attrs.has(tp):
        return [tp]
    return [c for a in typing.get_args(tp) for c in _nested_classes(a)]


@pytest.mark.parametrize(("params_cls", "kwargs_cls"), PAIRS)
def test_the_typed_keywords_are_the_params_fields(
    params_cls: type[Any], kwargs_cls: type[Any]
) -> None:
    fields = {f.alias or f.name: f for f in attrs.fields(params_cls)}
    assert set(kwargs_cls.__annotations__) <= set(fields)  # own keys only, not the inherited
    assert set(typing.get_type_hints(kwargs_cls, localns=_LOCALS)) == set(fields)
    # ``type`` is the ``Literal`` argument the overloads dispatch on, never a keyword here.
    assert "type" not in typing.get_type_hints(kwargs_cls, localns=_LOCALS)


@pytest.mark.parametrize(("params_cls", "kwargs_cls"), PAIRS)
def test_the_required_keywords_are_the_fields_without_a_default(
    params_cls: type[Any], kwargs_cls: type[Any]
) -> None:
    required = {f.alias or f.name for f in attrs.fields(params_cls) if f.default is attrs.NOTHING}
    assert required == {"model_id"}
    assert kwargs_cls.__required_keys__ == required
    assert kwargs_cls.__optional_keys__ == {f.alias or f.name for f in attrs.fields(params_cls)} - (
        required
    )


@pytest.mark.parametrize(("params_cls", "kwargs_cls"), PAIRS)
def test_each_keyword_has_its_fields_annotation(
    params_cls: type[Any], kwargs_cls: type[Any]
) -> None:
    field_types = typing.get_type_hints(params_cls, globalns=vars(params_module), localns=_LOCALS)
    keyword_types = typing.get_type_hints(kwargs_cls, globalns=vars(kwargs_module), localns=_LOCALS)
    mismatched = {}
    for field in attrs.fields(params_cls):
        name = field.alias or field.name
        expected = _accepted(field_types[field.name])
        if _canonical(keyword_types[name]) != _canonical(expected):
            mismatched[name] = (keyword_types[name], expected)
        if _nested_classes(field_types[field.name]):
            # The mapping form is only true while a converter turns it into the class.
            assert field.converter is not None, name
    assert mismatched == {}


def test_a_nested_keyword_given_as_a_mapping_becomes_its_class() -> None:
    # The premise of the widened annotations, on one field of each shape.
    video = VideoProjectParams(
        model_id="m",
        control_net={"name": "canny"},
        keyframes=[{"image": b"x", "frame_index": 3}],
        sam2_coordinates=[{"x": 0.5, "y": 0.5}],
        attribution={"workload_kind": "agent"},
    )
    assert video.control_net is not None and video.control_net.name == "canny"
    assert [k.frame_index for k in video.keyframes] == [3]
    assert video.sam2_coordinates is not None and video.sam2_coordinates[0].x == 0.5
    assert video.attribution is not None and video.attribution.workload_kind == "agent"


def test_the_canonical_form_tells_annotations_apart() -> None:
    # The comparison above must be able to fail.
    assert _canonical(int | None) == _canonical(typing.Union[int, None])  # noqa: UP007
    assert _canonical(Sequence[int]) != _canonical(Sequence[float])
    assert _canonical(str | None) != _canonical(str)
    assert _canonical(_accepted(params_module.ControlNetParams | None)) != _canonical(
        params_module.ControlNetParams | None
    )
