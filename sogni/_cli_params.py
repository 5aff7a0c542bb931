"""Command-line options generated from the project parameter classes (``sogni image``,
``video``, ``music`` and ``estimate``): one ``--option`` per field, read by the field's type
the way a CSV cell is (``--loras a;b``, JSON for nested parameters, paths for media)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Final

import attrs

from .batch._items import _KINDS, _SKIP, convert_cell
from .projects.params import PROJECT_TYPES

__all__ = ["DEFAULT_MODELS", "add_param_options", "params_from_args"]

DEFAULT_MODELS: Final = {
    "image": "flux1-schnell-fp8",
    "video": "wan_v2.2-14b-fp8_t2v_lightx2v",
    "audio": "ace_step_1.5_turbo",
}
# Fields with a place of their own on the command line.
_OWN: Final = {"positive_prompt", "model_id"}
_METAVAR: Final = {
    "int": "N",
    "float": "X",
    "str": "TEXT",
    "list_str": "A;B",
    "list_float": "X;Y",
    "json": "JSON",
    "media": "PATH",
    "media_list": "PATH",
}
_HELP: Final = {
    "list_str": "';'-separated or a JSON list",
    "list_float": "';'-separated numbers or a JSON list",
    "json": "a JSON object or list",
    "media": "a file",
    "media_list": "a file (repeat the option for more)",
}
_DEST: Final = "param_"


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_param_options(parser: argparse.ArgumentParser, project_type: str) -> None:
    """PROMPT, ``--model`` and one option per parameter of ``project_type``."""
    cls = PROJECT_TYPES[project_type]
    parser.add_argument("prompt", help="the positive prompt")
    parser.add_argument(
        "--model",
        "--model-id",
        dest=_DEST + "model_id",
        metavar="MODEL",
        default=DEFAULT_MODELS[project_type],
        help=f"model id (default {DEFAULT_MODELS[project_type]})",
    )
    group = parser.add_argument_group(f"{project_type} parameters (TypeScript SDK name)")
    kinds = _KINDS[project_type]
    for field in attrs.fields(cls):
        if field.name in _OWN:
            continue
        kind = kinds[field.name]
        names = [_option(field.name)]
        if field.name == "number_of_media":
            names.append("--count")
        what = _HELP.get(kind, kind)
        text = f"{field.metadata.get('sogni.ts', field.name)}: {what}"
        if kind == "bool":
            group.add_argument(
                *names,
                dest=_DEST + field.name,
                action=argparse.BooleanOptionalAction,
                default=None,
                help=text,
            )
        elif kind == "media_list":
            group.add_argument(
                *names,
                dest=_DEST + field.name,
                action="append",
                type=Path,
                metavar="PATH",
                help=text,
            )
        elif kind == "media":
            group.add_argument(
                *names, dest=_DEST + field.name, type=Path, metavar="PATH", help=text
            )
        else:
            group.add_argument(
                *names, dest=_DEST + field.name, metavar=_METAVAR.get(kind), help=text
            )


def params_from_args(args: argparse.Namespace, project_type: str) -> dict[str, Any]:
    """The ``create`` keyword arguments the options name (``ValueError`` for a bad value)."""
    kinds = _KINDS[project_type]
    values: dict[str, Any] = {"positive_prompt": args.prompt}
    for name, value in vars(args).items():
        if not name.startswith(_DEST) or value is None:
            continue
        field = name[len(_DEST) :]
        kind = kinds[field]
        if kind in ("media", "media_list", "bool"):
            values[field] = value  # paths the user typed, and flags
            continue
        try:
            converted = convert_cell(kind, value, None)
        except ValueError as exc:
            raise ValueError(f"{_option(field)}: {exc}") from None
        if converted is not _SKIP:
            values[field] = converted
    return values
