"""Structured output: the fake answers JSON valid against each schema, and ``parsed`` holds it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest

from sogni import SogniClient
from sogni.testing import FakeSupernet

SCHEMAS: dict[str, dict[str, Any]] = {
    "todo_list": {  # the SDK reference's example
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string"},
                        "priority": {"type": "string", "enum": ["low", "medium", "high"]},
                    },
                    "required": ["title", "priority"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["items"],
        "additionalProperties": False,
    },
    "numbers": {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 3, "maximum": 9},
            "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "step": {"type": "number", "multipleOf": 0.25, "minimum": 2},
            "even": {"type": "integer", "multipleOf": 2, "exclusiveMinimum": 10},
            "negative": {"type": "integer", "maximum": -5},
            "ok": {"type": "boolean"},
        },
        "required": ["count", "ratio", "step", "even", "negative", "ok"],
    },
    "arrays": {
        "type": "object",
        "properties": {
            "tags": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 3,
                "uniqueItems": True,
            },
            "pair": {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "integer"}],
                "items": False,
            },
            "matrix": {
                "type": "array",
                "items": {"type": "array", "items": {"type": "number"}, "minItems": 2},
                "maxItems": 1,
            },
            "empty": {"type": "array", "maxItems": 0},
        },
        "required": ["tags", "pair", "matrix", "empty"],
    },
    "references": {
        "$defs": {
            "address": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
                "required": ["city", "zip"],
            },
            "named": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
        "type": "object",
        "properties": {
            "home": {"$ref": "#/$defs/address"},
            "work": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/address"}]},
            "nickname": {"type": ["null", "string"], "maxLength": 5},
            "person": {
                "allOf": [
                    {"$ref": "#/$defs/named"},
                    {
                        "properties": {"age": {"type": "integer", "minimum": 18}},
                        "required": ["age"],
                    },
                ]
            },
            "shape": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {"kind": {"const": "circle"}, "r": {"type": "number"}},
                        "required": ["kind", "r"],
                    },
                    {
                        "type": "object",
                        "properties": {"kind": {"const": "square"}, "side": {"type": "number"}},
                        "required": ["kind", "side"],
                        "additionalProperties": False,
                    },
                ]
            },
        },
        "required": ["home", "work", "nickname", "person", "shape"],
    },
    "strings": {
        "type": "object",
        "properties": {
            "sku": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"},
            "code": {"type": "string", "pattern": "^(red|green)_[a-f0-9]{2,}$"},
            "when": {"type": "string", "format": "date-time"},
            "day": {"type": "string", "format": "date"},
            "email": {"type": "string", "format": "email"},
            "site": {"type": "string", "format": "uri"},
            "id": {"type": "string", "format": "uuid"},
            "long": {"type": "string", "minLength": 40},
            "short": {"type": "string", "maxLength": 3},
            "version": {"const": "v2"},
        },
        "required": ["sku", "code", "when", "day", "email", "site", "id", "long", "short"],
        "additionalProperties": False,
    },
    "draft4_style": {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {
            "score": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1},
            "point": {"type": "array", "items": [{"type": "number"}, {"type": "number"}]},
        },
        "required": ["score", "point"],
    },
}


@pytest.fixture
def client(make_client: Callable[..., SogniClient]) -> Iterator[SogniClient]:
    client = make_client(app_id="chat-structured")
    client.connect()
    return client


def validate(value: Any, schema: dict[str, Any]) -> None:
    validator_class = jsonschema.validators.validator_for(schema, jsonschema.Draft202012Validator)
    validator_class(schema, format_checker=jsonschema.FormatChecker()).validate(value)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_json_schema_output_validates(client: SogniClient, name: str) -> None:
    schema = SCHEMAS[name]
    response_format = {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}
    result = client.chat.completions.create(
        messages=[{"role": "user", "content": f"Give me a {name} document"}],
        response_format=response_format,
    )
    assert result.parsed is not None
    validate(result.parsed, schema)
    assert result.finish_reason == "stop"


def test_streamed_json_with_thinking_parses_the_answer_only(client: SogniClient) -> None:
    schema = SCHEMAS["todo_list"]
    stream = client.chat.completions.create(
        messages=[{"role": "user", "content": "Two todos"}],
        response_format={"type": "json_schema", "json_schema": {"name": "t", "schema": schema}},
        think=True,
        stream=True,
    )
    result = stream.wait()
    assert result.reasoning == "The user wrote 9 characters. I will answer as JSON."
    validate(result.parsed, schema)
    assert stream.final_result == result


def test_json_object_output_is_parsed(client: SogniClient, fake: FakeSupernet) -> None:
    result = client.chat.completions.create(
        messages=[{"role": "user", "content": "Hi"}], response_format={"type": "json_object"}
    )
    assert result.parsed == {"reply": 'You said: "Hi". This is turn 1 of our conversation.'}
    assert fake.frames("llmJobRequest")[0].payload["response_format"] == {"type": "json_object"}
    text = client.chat.completions.create(
        messages=[{"role": "user", "content": "Hi"}], response_format={"type": "text"}
    )
    assert text.parsed is None
