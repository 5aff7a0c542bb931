"""The platform tool argument checks: every rule refuses with its own message, naming the
argument, and every problem is reported at once."""

from __future__ import annotations

from typing import Any

import pytest

from sogni.chat import check_tool_arguments
from sogni.errors import ValidationProblem


def errors(arguments: Any, schema: dict[str, Any], **options: Any) -> list[str]:
    return check_tool_arguments("my_tool", arguments, schema=schema, **options).errors


@pytest.mark.parametrize(
    ("schema", "value", "message"),
    [
        ({"type": "integer"}, 1.5, 'Argument "x" must be integer'),
        ({"type": "integer"}, True, 'Argument "x" must be integer'),
        ({"type": ["string", "null"]}, 3, 'Argument "x" must be string or null'),
        ({"type": "number"}, "3", 'Argument "x" must be number'),
        ({"type": "object"}, [], 'Argument "x" must be object'),
        ({"const": "fixed"}, "other", 'Argument "x" must be "fixed"'),
        ({"enum": [2, 3, 4]}, 5, 'Argument "x" must be one of 2, 3, 4'),
        ({"enum": [1]}, True, 'Argument "x" must be one of 1'),
        ({"minimum": 10}, 9, 'Argument "x" must be at least 10'),
        ({"maximum": 0.5}, 0.75, 'Argument "x" must be at most 0.5'),
        ({"exclusiveMinimum": 0}, 0, 'Argument "x" must be greater than 0'),
        ({"exclusiveMaximum": 1}, 1, 'Argument "x" must be less than 1'),
        ({"minimum": 2, "exclusiveMinimum": True}, 2, 'Argument "x" must be greater than 2'),
        ({"maximum": 2, "exclusiveMaximum": True}, 2, 'Argument "x" must be less than 2'),
        ({"minLength": 2}, "a", 'Argument "x" must contain at least 2 characters'),
        ({"maxLength": 1}, "ab", 'Argument "x" must contain at most 1 character'),
        ({"pattern": "abc"}, "xabcx", 'Argument "x" must match pattern "abc"'),
        ({"pattern": "[a-z]+"}, "abc\n", 'Argument "x" must match pattern "[a-z]+"'),
        ({"pattern": "(unclosed"}, "a", 'Argument "x" cannot be checked'),
        ({"minItems": 2}, [1], 'Argument "x" must contain at least 2 items'),
        ({"maxItems": 1}, [1, 2], 'Argument "x" must contain at most 1 item'),
        ({"items": {"type": "string"}}, ["a", 2], 'Argument "x[1]" must be string'),
        (
            {"items": [{"type": "string"}, {"type": "number"}]},
            [1, 2],
            'Argument "x[0]" must be string',
        ),
        (
            {"oneOf": [{"type": "number"}, {"type": "integer"}]},
            3,
            'Argument "x" must match exactly one allowed schema',
        ),
        (
            {"anyOf": [{"type": "string"}, {"type": "boolean"}]},
            3,
            'Argument "x" must match at least one allowed schema',
        ),
        (
            {"allOf": [{"type": "number"}, {"maximum": 2}]},
            3,
            'Argument "x" must be at most 2',
        ),
        (
            {"type": "object", "properties": {"y": {"type": "string"}}, "required": ["y"]},
            {},
            'Missing required argument "x.y"',
        ),
    ],
)
def test_each_rule_refuses_with_its_message(
    schema: dict[str, Any], value: Any, message: str
) -> None:
    root = {"type": "object", "properties": {"x": schema}}
    found = errors({"x": value}, root)
    assert len(found) == 1 and found[0].startswith(message), found


def test_the_pattern_must_match_the_whole_string() -> None:
    root = {"type": "object", "properties": {"id": {"type": "string", "pattern": "safe-[0-9]+"}}}
    assert errors({"id": "safe-12"}, root) == []
    assert errors({"id": "evil-safe-12-suffix"}, root) == [
        'Argument "id" must match pattern "safe-[0-9]+"'
    ]


@pytest.mark.parametrize(("value", "missing"), [(None, True), ("", True), ([], True), ({}, False)])
def test_required_treats_null_empty_string_and_empty_list_as_missing(
    value: Any, missing: bool
) -> None:
    root = {"type": "object", "properties": {"x": {}}, "required": ["x"]}
    assert errors({"x": value}, root) == (['Missing required argument "x"'] if missing else [])


def test_unknown_arguments_are_kept_stripped_or_checked_as_the_schema_says() -> None:
    open_schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    kept = check_tool_arguments("t", {"a": "x", "b": 1}, schema=open_schema)
    assert kept.ok and kept.arguments == {"a": "x", "b": 1}
    closed = check_tool_arguments(
        "t", {"a": "x", "b": 1}, schema={**open_schema, "additionalProperties": False}
    )
    assert closed.ok and closed.arguments == {"a": "x"}
    assert closed.warnings == ('Stripped unknown argument "b"',)
    stripped = check_tool_arguments("t", {"a": "x", "b": 1}, schema=open_schema, strip_unknown=True)
    assert stripped.arguments == {"a": "x"}
    typed = {**open_schema, "additionalProperties": {"type": "number"}}
    assert errors({"a": "x", "b": "1"}, typed) == ['Argument "b" must be number']


def test_coercion_is_off_unless_asked() -> None:
    root = {"type": "object", "properties": {"n": {"type": "integer"}, "f": {"type": "boolean"}}}
    assert len(errors({"n": "4", "f": "TRUE"}, root)) == 2
    check = check_tool_arguments("t", {"n": "4", "f": "TRUE"}, schema=root, coerce_primitives=True)
    assert check.ok and check.arguments == {"n": 4, "f": True}
    assert check.warnings == ('Coerced argument "n" to number', 'Coerced argument "f" to boolean')


def test_every_problem_is_reported_at_once_each_naming_its_argument() -> None:
    check = check_tool_arguments(
        "overlay_video", {"overlays": [{"kind": "gif", "fontSizePct": 40}], "sourceVideoIndex": "0"}
    )
    assert check.problems == (
        ValidationProblem("overlays[0].position", "is required"),
        ValidationProblem("overlays[0].kind", 'must be one of "text", "image"'),
        ValidationProblem("overlays[0].fontSizePct", "must be at most 30"),
        ValidationProblem("sourceVideoIndex", "must be number"),
    )


def test_model_enums_are_advice_except_for_music() -> None:
    assert check_tool_arguments("generate_image", {"prompt": "p", "model": "my-own"}).ok
    assert check_tool_arguments("edit_image", {"prompt": "p", "model": "my-own"}).ok
    music = check_tool_arguments("generate_music", {"prompt": "p", "model": "turbo"})
    assert [p.param for p in music.problems] == ["model"]
    video = check_tool_arguments("generate_video", {"prompt": "p", "videoModel": "my-own"})
    assert [p.param for p in video.problems] == ["videoModel"]
    strict = check_tool_arguments(
        "generate_image", {"prompt": "p", "model": "my-own"}, advisory_enums=()
    )
    assert [p.param for p in strict.problems] == ["model"]


def test_bad_input_shapes() -> None:
    assert check_tool_arguments("generate_image", ["p"]).errors == [
        "Tool arguments must be a JSON object"
    ]
    assert check_tool_arguments("no_such_tool", {}).errors == ["Unknown Sogni tool 'no_such_tool'"]
