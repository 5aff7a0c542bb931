"""Batch items: what ``run`` accepts, read lazily and converted to project parameters.

An item is a mapping of ``projects.create`` keyword arguments (with ``type`` and an optional
``key``), a params object, a row of a CSV or JSONL file, or a row of a pandas DataFrame. Cells
of a CSV file (and string cells of a DataFrame) are converted by the type of the parameter
they fill; every bad cell is reported by row and column in one ``ValidationError`` before
anything is sent.

Rows are numbered from 1 in input order (a CSV file's header is not a row). Each item has a
stable key: the one given (a ``key`` entry or column), else ``<row>-<digest>`` where the digest
is taken over the item's parameters, so a rerun over the same input recognises every item.

Media cells: a string in a CSV, JSONL or DataFrame cell is data, and data never names a file
on its own. Media columns are read only under ``media_root``, as paths relative to it that do
not leave it; without ``media_root`` a media cell is a bad cell. The same holds for the media
fields of nested values (a ``control_net`` object's ``image``, each of ``keyframes``).
Mappings and params objects come from the caller's code and take media as
``projects.create`` does.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Final, Union

import attrs

from ..errors import ValidationError, ValidationProblem
from ..projects.params import (
    PROJECT_TYPES,
    AudioProjectParams,
    ImageProjectParams,
    ProjectParams,
    VideoProjectParams,
    _unknown_name_error,
    make_params,
)

__all__ = ["BatchItem", "ItemSource", "ItemsInput"]

ItemsInput = Union[
    str,
    "os.PathLike[str]",
    Iterable[Mapping[str, Any] | ProjectParams],
    Any,  # a pandas DataFrame (pandas is imported only when one is given)
]
"""A CSV or JSONL file path, an iterable of mappings or params objects, or a DataFrame."""

_MAX_KEY: Final = 200
_TRUE: Final = frozenset({"true", "1", "yes", "y", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "n", "off"})
_RESERVED: Final = ("key", "type")
MAX_PROBLEMS: Final = 200
"""At most this many problems are listed in one error (the count says how many there were)."""


@attrs.frozen
class BatchItem:
    """One item of a batch: its stable ``key``, its ``row`` (1-based) and its parameters."""

    key: str
    row: int
    params: ProjectParams

    @property
    def type(self) -> str:
        return self.params.type

    @property
    def prompt(self) -> str:
        return self.params.positive_prompt or ""


# ---------------------------------------------------------------------------- field kinds


def _kind_of(hint: Any) -> str:
    """How a cell for a parameter of type ``hint`` is read."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        if BinaryIO in args:
            return "media"
        if set(args) == {str, int}:
            return "str"
        return _kind_of(args[0]) if len(args) == 1 else "json"
    if origin is not None and issubclass(origin, Sequence) and not issubclass(origin, str):
        inner = _kind_of(args[0]) if args else "json"
        return {"str": "list_str", "float": "list_float", "media": "media_list"}.get(inner, "json")
    if hint is bool:
        return "bool"
    if hint is int:
        return "int"
    if hint is float:
        return "float"
    if hint is str:
        return "str"
    return "json"


def _kinds(cls: type[Any]) -> dict[str, str]:
    hints = typing.get_type_hints(cls)
    return {f.name: _kind_of(hints[f.name]) for f in attrs.fields(cls)}


_KINDS: Final[dict[str, dict[str, str]]] = {t: _kinds(c) for t, c in PROJECT_TYPES.items()}
_HINTS: Final[dict[str, dict[str, Any]]] = {
    t: typing.get_type_hints(c) for t, c in PROJECT_TYPES.items()
}


class _Skip:
    """A missing cell: the parameter keeps its default."""


_SKIP: Final = _Skip()


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    # pandas' NA and NaT: compared by type name so pandas is never imported for this.
    return type(value).__name__ in ("NAType", "NaTType")


def _plain(value: Any) -> Any:
    """numpy scalars (from a DataFrame) as Python values."""
    if type(value).__module__ == "numpy" and callable(getattr(value, "item", None)):
        return value.item()
    return value


def _media_path(text: str, media_root: Path | None) -> Path:
    if media_root is None:
        raise ValueError("media cells are read only under media_root= (none was given)")
    relative = Path(text.strip())
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"{text!r} must be a path relative to media_root, inside it")
    resolved = (media_root / relative).resolve()
    if not resolved.is_relative_to(media_root):
        raise ValueError(f"{text!r} leads outside media_root")
    return resolved


def _split(text: str) -> list[str]:
    if text.lstrip().startswith("["):
        values = json.loads(text)
        if not isinstance(values, list):
            raise ValueError("is not a list")
        return [str(v) for v in values]
    return [part.strip() for part in text.split(";") if part.strip()]


def _number(text: Any, kind: str) -> int | float:
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a number")
    if kind == "int":
        if isinstance(text, float):
            if not text.is_integer():
                raise ValueError(f"{text!r} is not an integer")
            return int(text)
        if isinstance(text, int):
            return text
        try:
            return int(str(text).strip())
        except ValueError:
            raise ValueError(f"{text!r} is not an integer") from None
    if isinstance(text, (int, float)):
        number = float(text)
    else:
        try:
            number = float(str(text).strip())
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is not a finite number")
    return number


def convert_cell(kind: str, value: Any, media_root: Path | None, hint: Any = None) -> Any:
    """One cell (a string, or a DataFrame value) as the value its parameter takes; raises
    ``ValueError`` with a message for a bad cell. ``hint`` (the parameter's type) lets a
    nested value's media fields be checked as media cells are."""
    value = _plain(value)
    if _missing(value) or (isinstance(value, str) and not value.strip() and kind != "str"):
        return _SKIP
    if kind == "str":
        return value if isinstance(value, str) else str(value)
    if kind in ("int", "float"):
        return _number(value, kind)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{value!r} is not true or false")
    if kind == "media":
        return _media_path(value, media_root) if isinstance(value, str) else value
    if kind == "media_list":
        parts = _split(value) if isinstance(value, str) else value
        if isinstance(parts, (list, tuple)):
            return [_media_path(p, media_root) if isinstance(p, str) else p for p in parts]
        return value
    if kind in ("list_str", "list_float"):
        if not isinstance(value, str):
            return value
        parts = _split(value)
        return parts if kind == "list_str" else [_number(p, "float") for p in parts]
    if isinstance(value, str):  # nested parameters: a JSON object or list
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError(f"{value!r} is not JSON") from None
    return value if hint is None else _nested_media(hint, value, media_root, "")


def _field_hints(cls: type[Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.alias or f.name: hints[f.name] for f in attrs.fields(cls)}


def _nested_media(hint: Any, value: Any, media_root: Path | None, where: str) -> Any:
    """A nested value from a cell (a ``control_net`` object, a list of ``keyframes``) with each
    of its media fields read as a media cell is: a string there is data too, and would
    otherwise reach ``projects.create`` as a file path."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return _nested_media(args[0], value, media_root, where) if len(args) == 1 else value
    if origin is not None and issubclass(origin, Sequence) and not issubclass(origin, str):
        if args and isinstance(value, list):
            return [
                _nested_media(args[0], v, media_root, f"{where}[{i}]") for i, v in enumerate(value)
            ]
        return value
    if not (isinstance(hint, type) and attrs.has(hint) and isinstance(value, Mapping)):
        return value
    out = dict(value)
    for name, field_hint in _field_hints(hint).items():
        if name not in out:
            continue
        inner = f"{where}.{name}" if where else name
        kind = _kind_of(field_hint)
        try:
            if kind == "media" and isinstance(out[name], str):
                out[name] = _media_path(out[name], media_root)
            elif kind == "media_list" and isinstance(out[name], list):
                out[name] = [
                    _media_path(v, media_root) if isinstance(v, str) else v for v in out[name]
                ]
        except ValueError as exc:
            raise ValueError(f"{inner}: {exc}") from None
        if kind == "json":
            out[name] = _nested_media(field_hint, out[name], media_root, inner)
    return out


# ---------------------------------------------------------------------------- keys


def _canonical(value: Any) -> Any:
    if attrs.has(type(value)):
        body = {f.name: _canonical(getattr(value, f.name)) for f in attrs.fields(type(value))}
        kind = getattr(value, "type", None)
        return {"type": kind, **body} if isinstance(kind, str) else body
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"sha256": hashlib.sha256(bytes(value)).hexdigest()}
    if isinstance(value, os.PathLike):
        return {"path": os.fspath(value)}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return {"object": type(value).__name__}  # a file object: give the item a key instead


def derived_key(params: ProjectParams, row: int) -> str:
    body = json.dumps(_canonical(params), sort_keys=True, separators=(",", ":"))
    return f"{row}-{hashlib.sha256(body.encode()).hexdigest()[:16]}"


# ---------------------------------------------------------------------------- rows


def _unknown(name: str, cls: type[Any]) -> str:
    """ "unknown parameter 'x'; did you mean 'y'?" (or the retired parameter's story)."""
    text = str(_unknown_name_error(name, cls, "")).strip()
    return text.removeprefix("got an ")


class _RowError(Exception):
    def __init__(self, problems: list[ValidationProblem]) -> None:
        super().__init__(problems)
        self.problems = problems


def _where(row: int, name: str) -> str:
    return f"row {row}: {name}"


def _item_from_row(
    raw: Mapping[str, Any],
    row: int,
    *,
    cells: bool,
    default_type: str,
    media_root: Path | None,
    defaults: Mapping[str, Any],
) -> BatchItem:
    """A mapping (a row, or the caller's own dict) as an item; raises ``_RowError``."""
    problems: list[ValidationProblem] = []
    kind = raw.get("type")
    kind = default_type if _missing(kind) or kind == "" else _plain(kind)
    if kind not in PROJECT_TYPES:
        choices = ", ".join(map(repr, PROJECT_TYPES))
        raise _RowError([ValidationProblem(_where(row, "type"), f"must be one of {choices}")])
    cls = PROJECT_TYPES[kind]
    field_kinds = _KINDS[kind]
    hints = _HINTS[kind]
    key = raw.get("key")
    key = None if _missing(key) or key == "" else str(_plain(key))
    if key is not None and len(key) > _MAX_KEY:
        problems.append(ValidationProblem(_where(row, "key"), f"is over {_MAX_KEY} characters"))
    values: dict[str, Any] = {k: v for k, v in defaults.items() if k in field_kinds}
    for name, value in raw.items():
        if name in _RESERVED:
            continue
        if cells and (_missing(_plain(value)) or (isinstance(value, str) and not value.strip())):
            continue  # an empty cell says nothing, even in a column another type uses
        if name not in field_kinds:
            problems.append(ValidationProblem(_where(row, str(name)), _unknown(str(name), cls)))
            continue
        if not cells:
            values[name] = value
            continue
        try:
            converted = convert_cell(field_kinds[name], value, media_root, hints[name])
        except ValueError as exc:
            problems.append(ValidationProblem(_where(row, name), str(exc)))
            continue
        if converted is not _SKIP:
            values[name] = converted
    if "model_id" not in values:
        problems.append(ValidationProblem(_where(row, "model_id"), "is required"))
    if problems:
        raise _RowError(problems)
    try:
        params = make_params(kind, **values)
    except TypeError as exc:  # a caller's dict with a misspelled keyword
        raise _RowError([ValidationProblem(_where(row, "item"), str(exc))]) from None
    except ValidationError as exc:
        raise _RowError(
            [ValidationProblem(_where(row, p.param), p.message) for p in exc.problems]
        ) from None
    return BatchItem(key or derived_key(params, row), row, params)


def _read_csv(path: Path) -> Iterator[tuple[dict[str, Any], list[ValidationProblem]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, restkey="\0extra")
        for row, record in enumerate(reader, start=1):
            problems = []
            if "\0extra" in record:
                del record["\0extra"]
                problems.append(ValidationProblem(_where(row, "cells"), "more cells than columns"))
            yield {k: v for k, v in record.items() if k is not None}, problems


def _read_jsonl(path: Path) -> Iterator[tuple[dict[str, Any], list[ValidationProblem]]]:
    with path.open(encoding="utf-8") as handle:
        row = 0
        for line in handle:
            if not line.strip():
                continue
            row += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield {}, [ValidationProblem(_where(row, "line"), f"is not JSON ({exc.msg})")]
                continue
            if not isinstance(record, dict):
                yield {}, [ValidationProblem(_where(row, "line"), "is not a JSON object")]
                continue
            yield record, []


def _read_frame(frame: Any) -> Iterator[tuple[dict[str, Any], list[ValidationProblem]]]:
    columns = [str(c) for c in frame.columns]
    for values in frame.itertuples(index=False, name=None):
        yield dict(zip(columns, values)), []


def _is_frame(items: Any) -> bool:
    return type(items).__module__.split(".")[0] == "pandas" and hasattr(items, "itertuples")


def items_problem(items: ItemsInput) -> ValidationProblem | None:
    """What is wrong with ``items`` as a whole (a file that is not CSV or JSONL), if anything."""
    if isinstance(items, (str, os.PathLike)):
        path = Path(items)
        if path.suffix.lower() not in (".csv", ".jsonl", ".ndjson"):
            return ValidationProblem(
                "items", f"{path.name}: a batch file is .csv, .jsonl or .ndjson"
            )
    return None


class ItemSource:
    """The items of a batch, readable more than once (a first pass checks them all, a second
    submits): files are read again, sequences and DataFrames iterated again; any other
    iterable is read into a list once."""

    def __init__(
        self,
        items: ItemsInput,
        *,
        default_type: str = "image",
        token_type: str | None = "spark",
        media_root: str | os.PathLike[str] | None = None,
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        self._defaults = dict(defaults or {})
        for name in self._defaults:
            if name in _RESERVED or not any(name in kinds for kinds in _KINDS.values()):
                raise _unknown_name_error(name, PROJECT_TYPES[default_type], "defaults")
        self._default_type = default_type
        self._token_type = token_type
        self._media_root = Path(media_root).resolve() if media_root is not None else None
        self._path: Path | None = None
        self._frame: Any = None
        self._items: Sequence[Any] = ()
        if isinstance(items, (str, os.PathLike)):
            self._path = Path(items)
            problem = items_problem(items)
            if problem is not None:
                raise ValidationError([problem])
        elif _is_frame(items):
            self._frame = items
        elif isinstance(items, Sequence):
            self._items = items
        else:
            self._items = list(items)

    @property
    def cells(self) -> bool:
        """Whether values are data to convert (file rows, DataFrame cells), not values from
        the caller's code."""
        return self._path is not None or self._frame is not None

    def _rows(self) -> Iterator[tuple[Any, list[ValidationProblem]]]:
        if self._path is not None:
            if self._path.suffix.lower() == ".csv":
                yield from _read_csv(self._path)
            else:
                yield from _read_jsonl(self._path)
        elif self._frame is not None:
            yield from _read_frame(self._frame)
        else:
            for item in self._items:
                yield item, []

    def _columns(self) -> list[str]:
        if self._frame is not None:
            return [str(c) for c in self._frame.columns]
        if self._path is not None and self._path.suffix.lower() == ".csv":
            with self._path.open(newline="", encoding="utf-8-sig") as handle:
                return next(csv.reader(handle), [])
        return []

    def scan(self) -> Iterator[BatchItem | list[ValidationProblem]]:
        """Each item in order, or the problems of its row (a column no project type has is
        reported once, as ``column <name>``, before the rows)."""
        unknown = [
            c
            for c in self._columns()
            if c not in _RESERVED and not any(c in kinds for kinds in _KINDS.values())
        ]
        if unknown:
            yield [
                ValidationProblem(
                    f"column {name}",
                    _unknown(name, PROJECT_TYPES[self._default_type]),
                )
                for name in unknown
            ]
        for row, (raw, problems) in enumerate(self._rows(), start=1):
            if unknown and isinstance(raw, dict):
                raw = {k: v for k, v in raw.items() if k not in unknown}
            try:
                if isinstance(raw, (ImageProjectParams, VideoProjectParams, AudioProjectParams)):
                    item = BatchItem(derived_key(raw, row), row, raw)
                elif isinstance(raw, Mapping):
                    item = _item_from_row(
                        raw,
                        row,
                        cells=self.cells,
                        default_type=self._default_type,
                        defaults=self._defaults,
                        media_root=self._media_root,
                    )
                else:
                    raise _RowError(
                        [
                            ValidationProblem(
                                _where(row, "item"),
                                "must be a mapping of create() arguments or a params object, "
                                f"not {type(raw).__name__}",
                            )
                        ]
                    )
            except _RowError as exc:
                yield problems + exc.problems
                continue
            if problems:
                yield problems
                continue
            if self._token_type is not None and item.params.token_type is None:
                params = attrs.evolve(item.params, token_type=self._token_type)
                item = attrs.evolve(item, params=params)
            yield item

    def __iter__(self) -> Iterator[BatchItem]:
        for entry in self.scan():
            if isinstance(entry, BatchItem):
                yield entry

    def check(self, validate: Callable[[ProjectParams], object] | None = None) -> int:
        """Read every item once; raise one ``ValidationError`` listing every bad row and cell
        (and duplicate keys, and what ``validate`` finds in each item's parameters). Returns
        the number of items; :attr:`token_types` then holds the token types they use."""
        problems: list[ValidationProblem] = []
        count = 0
        seen: dict[str, int] = {}
        total = 0
        self.token_types: set[str] = set()
        for entry in self.scan():
            if isinstance(entry, BatchItem) and validate is not None:
                try:
                    validate(entry.params)
                except ValidationError as exc:
                    entry = [
                        ValidationProblem(_where(entry.row, p.param), p.message)
                        for p in exc.problems
                    ]
            if isinstance(entry, list):
                total += len(entry)
                problems.extend(entry[: max(0, MAX_PROBLEMS - len(problems))])
                continue
            count += 1
            if entry.params.token_type:
                self.token_types.add(entry.params.token_type)
            first = seen.setdefault(entry.key, entry.row)
            if first != entry.row:
                total += 1
                if len(problems) < MAX_PROBLEMS:
                    problems.append(
                        ValidationProblem(
                            _where(entry.row, "key"), f"{entry.key!r} is also row {first}'s key"
                        )
                    )
        if problems:
            if total > len(problems):
                problems.append(
                    ValidationProblem("items", f"{total - len(problems)} more problems not listed")
                )
            raise ValidationError(problems)
        return count
