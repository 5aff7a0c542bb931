"""The fake's sample strings for a schema ``pattern``: a parser of its own, no ``re`` internals."""

from __future__ import annotations

import re

import jsonschema
import pytest

from sogni.testing._regex_sample import regex_sample
from sogni.testing._schema_values import generate_from_schema

MATCHED = [
    r"^[A-Z]{3}-\d{4}$",
    r"^(red|green)_[a-f0-9]{2,}$",
    r"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$",
    r"^https?://[^\s/$.?#].[^\s]*$",
    r"^\+?[1-9]\d{1,14}$",
    r"^[A-Za-z]+(?: [A-Za-z]+)*$",
    r"^(\d{3})-(\d{3})-\1$",
    r"^(?P<x>ab)(?P=x)$",
    r"^(?:a|b|c)+$",
    r"[^abc]+",
    r"^\w+\s\W\S\D$",
    r"^#[0-9a-fA-F]{6}$",
    r"^v\d+\.\d+\.\d+(-[a-z]+)?$",
    r"a{0}b",
    r"a{,3}b",
    r"a{}b",
    r"(?i)^abc$",
    r"^(?i:abc)def$",
    r"(?=abc)abc",
    r"^[\]\-\\]+$",
    r"^[]a]$",
    r"\bword\b",
    r"^.{5}$",
    r"^[^\s]{3,8}$",
    r"^\x41\u0042\N{LATIN SMALL LETTER C}$",
    r"^(?#comment)a$",
    r"^[a-c-]+$",
    r"^\$\d+(\.\d\d)?$",
    r"^(?:[01]\d|2[0-3]):[0-5]\d$",
    r"^(a|bb|ccc)$",
    r"x*?y+?z??",
]


@pytest.mark.parametrize("pattern", MATCHED)
@pytest.mark.parametrize("variant", [0, 1, 2])
def test_the_sample_matches_the_pattern(pattern: str, variant: int) -> None:
    text = regex_sample(pattern, variant)
    assert text is not None
    assert re.search(pattern, text)


def test_the_sample_is_the_documented_one() -> None:
    assert regex_sample(r"^[A-Z]{3}-\d{4}$") == "AAA-0000"
    assert regex_sample(r"^(red|green)_[a-f0-9]{2,}$", 1) == "green_aa"
    assert regex_sample(r"^(a|bb|ccc)$", 5) == "ccc"
    assert regex_sample(r"^(\w)-\1$") == "a-a"
    assert regex_sample(r"^.+@x\.io$") == "x@x.io"


@pytest.mark.parametrize(
    "pattern",
    [
        "[",  # invalid
        "(?(1)a|b)",  # a conditional
        "(?x) a b",  # verbose mode
        "foo(?!bar)bar",  # a lookahead the sample cannot honour
        r"^\p{L}+$",  # not Python syntax
    ],
)
def test_no_sample_for_what_is_not_covered(pattern: str) -> None:
    assert regex_sample(pattern) is None


def test_array_items_of_a_pattern_schema_validate() -> None:
    schema = {
        "type": "array",
        "minItems": 3,
        "items": {"type": "string", "pattern": r"^(cat|dog|emu)-[0-9]{2}$"},
    }
    value = generate_from_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(value)
    assert value == ["cat-00", "dog-00", "emu-00"]
