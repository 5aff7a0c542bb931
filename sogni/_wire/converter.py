"""The single cattrs converter of the SDK.

Every attrs class whose fields carry a wire name (:func:`sogni._wire.fields.wire`) is mapped
field by field; there is no blanket case conversion because the wire is irregular. Fields typed
``Any`` (user JSON: messages, tool schemas, raw extras) pass through untouched. Outbound fields
set to ``OMIT`` are left out; ``None`` is sent as ``null``.
"""

from __future__ import annotations

import functools
import operator
import types
import typing
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from .fields import OMIT, WIRE_KEY, Omit

__all__ = ["get_converter", "make_converter", "structure", "unstructure"]

T = TypeVar("T")


def _wire_name(field: attrs.Attribute[Any]) -> str:
    return str(field.metadata.get(WIRE_KEY, field.name))


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a decimal: {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal: {value!r}") from exc


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _scalar_type(tp: Any) -> bool:
    """Whether ``tp`` is a JSON scalar type, ``Literal`` of scalars, ``Omit``, or a union of
    these: the converter's hook returns a plain scalar value of such a type unchanged (a
    union's hook picks the hook of the value's own class)."""
    if tp in _SCALARS or tp is Omit:
        return True
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        return all(type(arg) in _SCALARS for arg in typing.get_args(tp))
    if origin is typing.Union or origin is types.UnionType:
        return all(_scalar_type(arg) for arg in typing.get_args(tp))
    return False


def _list_type(tp: Any) -> bool:
    """Whether ``tp`` is ``list[...]``, or a union of such lists with ``Omit`` or None: its hook
    turns a list into a new list of the items' unstructured forms."""
    origin = typing.get_origin(tp)
    if origin is list:
        return True
    if origin is typing.Union or origin is types.UnionType:
        args = [arg for arg in typing.get_args(tp) if arg is not Omit and arg is not type(None)]
        return bool(args) and all(typing.get_origin(arg) is list for arg in args)
    return False


def make_converter(*, strict: bool = False) -> cattrs.Converter:
    """A converter with the SDK's hooks. ``strict`` forbids unknown keys (tests use it)."""
    conv = cattrs.Converter(forbid_extra_keys=strict)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook(Omit, lambda _: None)

    def structure_factory(cls: type[Any]) -> Callable[[Any, type], Any]:
        overrides = {f.name: override(rename=_wire_name(f)) for f in attrs.fields(cls)}
        return make_dict_structure_fn(
            cls,
            conv,
            _cattrs_forbid_extra_keys=strict,
            **overrides,  # type: ignore[arg-type]
        )

    def unstructure_factory(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
        attrs.resolve_types(cls)
        # Per field: its wire key, whether it is ``Any`` (user JSON, handed over as is) or a
        # scalar type (a plain scalar value is its own unstructured form), and its type, whose
        # hook is looked up on first use (a class may name itself) and kept.
        fields = [
            (_wire_name(f), f.type is Any, _scalar_type(f.type), _list_type(f.type), f.type)
            for f in attrs.fields(cls)
        ]
        names = [f.name for f in attrs.fields(cls)]
        # All the values in one C call (attrgetter of one name returns the value, not a tuple).
        read = operator.attrgetter(*names) if len(names) > 1 else lambda o: (getattr(o, names[0]),)
        hooks: dict[Any, Callable[[Any], Any]] = {}

        def unstructure_instance(obj: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for (key, untyped, scalar, listed, typ), value in zip(fields, read(obj)):
                if value is OMIT:
                    continue
                if untyped or (scalar and type(value) in _SCALARS):
                    out[key] = value
                elif listed and type(value) is list and not value:
                    out[key] = []  # what the hook makes of an empty list, a new one
                else:
                    hook = hooks.get(typ)
                    if hook is None:
                        hook = hooks[typ] = conv.get_unstructure_hook(typ)
                    out[key] = hook(value)
            return out

        return unstructure_instance

    conv.register_structure_hook_factory(attrs.has, structure_factory)
    conv.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    return conv


@functools.lru_cache(maxsize=2)
def get_converter(strict: bool = False) -> cattrs.Converter:
    return make_converter(strict=strict)


def structure(data: Any, cls: type[T]) -> T:
    return get_converter().structure(data, cls)


def unstructure(obj: Any) -> Any:
    return get_converter().unstructure(obj)
