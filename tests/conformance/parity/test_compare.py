"""The parity comparison is strict where JSON is, and the normaliser touches only its allow-list."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from .compare import (
    ABSENT,
    BODY_NORMALISATIONS,
    UPLOAD_NORMALISATIONS,
    Difference,
    compare_json,
    format_path,
    normalise,
    parse_frame_body,
    uploads_document,
)

PROJECT = "9B1DEB4D-3B7D-4BAD-9BDD-2B0D7B3DCB6D"
OTHER = "1C6F0E2A-5B3D-4E7F-8A9B-0C1D2E3F4A5B"


def frame(body_text: str) -> str:
    data = base64.b64encode(body_text.encode()).decode()
    return json.dumps({"type": "jobRequest", "data": data})


def diff(ts_text: str, ours_text: str) -> list[str]:
    found = compare_json(parse_frame_body(frame(ts_text)), parse_frame_body(frame(ours_text)))
    return [d.describe("row") for d in found]


def test_identical_documents_have_no_difference() -> None:
    text = '{"a":[1,0.5,true,null,"x",{"b":[]}],"c":{}}'
    assert diff(text, text) == []


def test_one_and_one_point_zero_differ() -> None:
    assert diff('{"a":1}', '{"a":1.0}') == ["row: a: TypeScript SDK sent 1, ours sent 1.0"]
    assert diff('{"a":0.5}', '{"a":0.50}') == ["row: a: TypeScript SDK sent 0.5, ours sent 0.50"]


def test_number_texts_are_compared_exactly_as_written() -> None:
    # Decimal alone would call each pair equal ("1E-7" for both, "0.00001" for both).
    assert diff('{"a":1e-7}', '{"a":1e-07}') == [
        "row: a: TypeScript SDK sent 1e-7, ours sent 1e-07"
    ]
    assert diff('{"a":0.00001}', '{"a":1e-05}') == [
        "row: a: TypeScript SDK sent 0.00001, ours sent 1e-05"
    ]
    assert diff('{"a":1e+21}', '{"a":1e21}') == [
        "row: a: TypeScript SDK sent 1e+21, ours sent 1e21"
    ]


def test_number_texts_survive_parsing() -> None:
    body = parse_frame_body(frame('{"a":0.30000000000000004,"b":7,"c":7.0}'))
    assert body == {"a": Decimal("0.30000000000000004"), "b": 7, "c": Decimal("7.0")}
    assert type(body["b"]) is int


def test_null_is_not_absent_and_a_boolean_is_not_a_number() -> None:
    assert diff('{"a":null}', "{}") == ["row: a: TypeScript SDK sent null, ours sent <absent>"]
    assert diff("{}", '{"a":null}') == ["row: a: TypeScript SDK sent <absent>, ours sent null"]
    assert diff('{"a":true}', '{"a":1}') == ["row: a: TypeScript SDK sent true, ours sent 1"]
    assert diff('{"a":0}', '{"a":false}') == ["row: a: TypeScript SDK sent 0, ours sent false"]
    assert diff('{"a":"1"}', '{"a":1}') == ['row: a: TypeScript SDK sent "1", ours sent 1']


def test_key_sets_are_compared_at_every_level() -> None:
    ts = '{"keyFrames":[{"a":1,"cn":[{"x":1}]}]}'
    ours = '{"keyFrames":[{"a":1,"cn":[{"x":1,"y":2}]}],"extra":[]}'
    assert diff(ts, ours) == [
        "row: keyFrames[0].cn[0].y: TypeScript SDK sent <absent>, ours sent 2",
        "row: extra: TypeScript SDK sent <absent>, ours sent []",
    ]


def test_lists_compare_item_by_item() -> None:
    assert diff('{"l":[1,2]}', '{"l":[1]}') == [
        "row: l[1]: TypeScript SDK sent 2, ours sent <absent>"
    ]
    assert diff('{"l":[]}', '{"l":{}}') == ["row: l: TypeScript SDK sent [], ours sent {}"]


def test_a_difference_names_the_row_path_and_both_values() -> None:
    d = Difference(("keyFrames", 0, "currentControlNetsJob", 0, "controlMode"), 1, ABSENT)
    assert d.describe("controlnet_canny") == (
        "controlnet_canny: keyFrames[0].currentControlNetsJob[0].controlMode: "
        "TypeScript SDK sent 1, ours sent <absent>"
    )
    assert format_path(()) == "<root>"


def test_long_values_are_cut() -> None:
    [message] = diff('{"a":"' + "x" * 500 + '"}', '{"a":"y"}')
    assert len(message) < 300 and message.endswith('ours sent "y"')


# ---------------------------------------------------------------------------- normaliser


def test_the_allow_list() -> None:
    assert [(r.path, r.shape) for r in BODY_NORMALISATIONS] == [
        (("jobID",), "project-id"),
        (("operationId",), "project-id"),
        (("rootOperationId",), "project-id"),
    ]
    assert [(r.path, r.shape) for r in UPLOAD_NORMALISATIONS] == [
        (("uploads", "*", "job_id"), "project-id"),
        (("uploads", "*", "image_id"), "uuid"),
    ]


def test_project_ids_are_replaced_only_at_their_paths() -> None:
    body = {
        "jobID": PROJECT,
        "operationId": PROJECT,
        "rootOperationId": PROJECT,
        "parentOperationId": PROJECT,
        "keyFrames": [{"jobID": PROJECT, "seed": 5}],
    }
    assert normalise(body, PROJECT, BODY_NORMALISATIONS) == {
        "jobID": "<project-id>",
        "operationId": "<project-id>",
        "rootOperationId": "<project-id>",
        "parentOperationId": PROJECT,
        "keyFrames": [{"jobID": PROJECT, "seed": 5}],
    }


def test_values_of_the_wrong_shape_are_kept() -> None:
    body = {"jobID": PROJECT.lower(), "operationId": OTHER, "rootOperationId": 7}
    assert normalise(body, PROJECT, BODY_NORMALISATIONS) == body
    uploads = uploads_document(
        [{"type": "startingImage", "id": None, "job_id": OTHER, "image_id": "not-a-uuid"}]
    )
    assert normalise(uploads, PROJECT, UPLOAD_NORMALISATIONS) == uploads


def test_uploads_are_keyed_by_slot() -> None:
    rows: list[dict[str, Any]] = [
        {"type": "contextImage2", "id": None, "job_id": PROJECT, "image_id": OTHER, "size": 9},
        {"type": "referenceVideo", "id": "referenceVideo2", "job_id": PROJECT, "size": 3},
        {"type": "contextImage2", "id": None, "job_id": PROJECT, "image_id": PROJECT, "size": 4},
    ]
    document = normalise(uploads_document(rows), PROJECT, UPLOAD_NORMALISATIONS)
    assert document == {
        "uploads": {
            "contextImage2": {
                "type": "contextImage2",
                "id": None,
                "job_id": "<project-id>",
                "image_id": "<image-id>",
                "size": 9,
            },
            "referenceVideo#referenceVideo2": {
                "type": "referenceVideo",
                "id": "referenceVideo2",
                "job_id": "<project-id>",
                "size": 3,
            },
            "contextImage2~2": {
                "type": "contextImage2",
                "id": None,
                "job_id": "<project-id>",
                "image_id": "<image-id>",
                "size": 4,
            },
        }
    }


_KEYS = st.sampled_from(
    ["jobID", "operationId", "rootOperationId", "uploads", "job_id", "image_id", "seed", "x"]
)
# Mostly values the rules accept, some they must refuse.
_IDS = st.sampled_from([PROJECT, PROJECT, OTHER, PROJECT.lower(), "<project-id>", "", 7, None])
_LEAVES = st.one_of(_IDS, st.booleans(), st.integers())
_DOCUMENTS = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=5)),
    max_leaves=30,
)
# Bodies and upload documents with the allow-listed keys where they belong, and elsewhere.
_SHAPED = st.fixed_dictionaries(
    {},
    optional={
        "jobID": _IDS,
        "operationId": _IDS,
        "rootOperationId": _IDS,
        "parentOperationId": _IDS,
        "keyFrames": st.lists(_DOCUMENTS, max_size=2),
        "uploads": st.dictionaries(
            st.sampled_from(["startingImage", "contextImage1", "referenceAudio#referenceAudio2"]),
            st.fixed_dictionaries(
                {}, optional={"job_id": _IDS, "image_id": _IDS, "nested": _DOCUMENTS}
            ),
            max_size=3,
        ),
    },
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    out = {path: value}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.update(_paths(item, (*path, index)))
    return out


# The allow-list written out independently of compare.py: path pattern -> (placeholder, values
# that may be replaced there).
_ALLOWED = {
    ("jobID",): ("<project-id>", {PROJECT}),
    ("operationId",): ("<project-id>", {PROJECT}),
    ("rootOperationId",): ("<project-id>", {PROJECT}),
    ("uploads", "*", "job_id"): ("<project-id>", {PROJECT}),
    ("uploads", "*", "image_id"): ("<image-id>", {PROJECT, OTHER}),
}


def _allowed(path: tuple[Any, ...]) -> tuple[str, set[str]] | None:
    for pattern, rule in _ALLOWED.items():
        if len(pattern) == len(path) and all(
            p == "*" or (isinstance(q, str) and p == q) for p, q in zip(pattern, path)
        ):
            return rule
    return None


@given(st.one_of(_SHAPED, _DOCUMENTS))
def test_normaliser_changes_nothing_outside_the_allow_list(document: Any) -> None:
    rules = (*BODY_NORMALISATIONS, *UPLOAD_NORMALISATIONS)
    before, after = _paths(document), _paths(normalise(document, PROJECT, rules))
    assert after.keys() == before.keys()  # the shape is kept: only strings are replaced
    for path, value in before.items():
        if isinstance(value, (dict, list)):
            continue
        rule = _allowed(path)
        if rule is not None and isinstance(value, str) and value in rule[1]:
            assert after[path] == rule[0]
        else:
            assert type(after[path]) is type(value) and after[path] == value, path


# ---------------------------------------------------------------------------- REST requests


def _received(path: str, headers: dict[str, str], raw: str | None, method: str = "POST") -> Any:
    from sogni.testing import Received

    return Received(kind="http", time=0.0, method=method, path=path, headers=headers, raw=raw)


def test_a_rest_request_keeps_only_the_protocols_headers_and_numbers_as_written() -> None:
    from .rest_run import normalise_request

    record = _received(
        "/v1/chat/completions",
        {
            "Content-Type": "application/json",
            "api-key": "secret",
            "User-Agent": "node",
            "X-App-Source": "app",
            "x-sogni-workload-kind": "direct",
            "Idempotency-Key": "k",
        },
        '{"temperature":1.0,"n":1}',
    )
    document = normalise_request(record, None)
    assert document["headers"] == {
        "content-type": "application/json",
        "x-app-source": "app",
        "x-sogni-workload-kind": "direct",
        "idempotency-key": "k",
    }
    assert diff('{"temperature":1.0,"n":1}', '{"temperature":1,"n":1}') == [
        "row: temperature: TypeScript SDK sent 1.0, ours sent 1"
    ]
    assert document["body"] == {"temperature": Decimal("1.0"), "n": 1}


def test_the_rest_normaliser_touches_only_its_allow_list() -> None:
    from .rest_run import normalise_request

    headers = {
        "X-Sogni-Operation-Id": PROJECT,
        "X-Sogni-Root-Operation-Id": PROJECT.lower(),  # not an upper-case UUID: kept
        "X-Sogni-Parent-Operation-Id": PROJECT,  # never generated: kept
        "Idempotency-Key": PROJECT,  # given by the rows: kept
    }
    body = {
        "tool_call_id": "call_1",
        "decision": "confirm",
        "acceptedCostPreview": {"validityUntil": "2026-09-01T10:10:00.000Z", "n": 1},
        "validityUntil": "2026-09-01T10:10:00.000Z",  # not in the preview: kept
    }
    record = _received("/v1/chat/runs/run_1/confirm-cost", headers, json.dumps(body))
    document = normalise_request(record, "run_1")
    assert document["path"] == "/v1/chat/runs/<run-id>/confirm-cost"
    assert document["headers"] == {
        "x-sogni-operation-id": "<generated-uuid>",
        "x-sogni-root-operation-id": PROJECT.lower(),
        "x-sogni-parent-operation-id": PROJECT,
        "idempotency-key": PROJECT,
    }
    assert document["body"]["acceptedCostPreview"] == {"validityUntil": "<time>", "n": 1}
    assert document["body"]["validityUntil"] == "2026-09-01T10:10:00.000Z"
    # Another run's id in the path is left alone (it shows as a difference).
    assert normalise_request(record, "run_2")["path"] == "/v1/chat/runs/run_1/confirm-cost"
    stale = {**body, "acceptedCostPreview": {"validityUntil": "tomorrow"}}
    other = normalise_request(_received(record.path, {}, json.dumps(stale)), "run_1")
    assert other["body"]["acceptedCostPreview"] == {"validityUntil": "tomorrow"}
