"""The single cattrs converter: wire names, OMIT vs null, decimals, user JSON untouched."""

from __future__ import annotations

import types
import typing
from decimal import Decimal
from typing import Any

import attrs
import pytest
from cattrs.errors import ClassValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from sogni._wire import job_request, messages
from sogni._wire.converter import make_converter
from sogni._wire.envelope import decode_frame, encode_frame
from sogni._wire.fields import OMIT, Omit, wire
from sogni._wire.messages import (
    ArtistCancelConfirmation,
    CancelJob,
    JobError,
    JobProgress,
    JobResult,
    JobState,
    JobTokens,
    LLMJobResult,
    RecoveredProject,
    RecoveredWorkerJob,
)
from sogni.account import AccountInfo, Balances, TokenBalance

strict = make_converter(strict=True)
tolerant = make_converter()

ids = st.text(alphabet="0123456789ABCDEF-", min_size=1, max_size=36)
opt_text = st.none() | st.text(max_size=20)
opt_num = st.none() | st.floats(allow_nan=False, allow_infinity=False, width=32)
json_leaf = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=10)
json_any = st.recursive(
    json_leaf,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
    max_leaves=10,
)
decimals = st.decimals(
    allow_nan=False, allow_infinity=False, places=6, min_value=-(10**9), max_value=10**9
)

STRATEGIES = {
    JobProgress: st.builds(
        JobProgress,
        job_id=ids,
        img_id=st.none() | ids,
        has_image=st.none() | st.booleans(),
        step=opt_num,
        step_count=opt_num,
        progress=opt_num,
        eta_seconds=opt_num,
        eta_min=opt_num,
        eta_max=opt_num,
    ),
    JobState: st.builds(
        JobState,
        type=st.sampled_from(["queued", "initiatingModel", "jobStarted", "jobCompleted"]),
        job_id=ids,
        img_id=st.none() | ids,
        queue_position=st.none() | st.integers(-1, 100),
        estimated_start_seconds=json_any,
        queue_status=json_any,
        worker_name=opt_text,
        job_index=st.none() | st.integers(0, 16),
        preparation=json_any,
    ),
    JobResult: st.builds(
        JobResult,
        job_id=ids,
        img_id=st.none() | ids,
        last_seed=json_any,
        result=json_any,
        triggered_nsfw_filter=st.none() | st.booleans(),
        output_format=opt_text,
    ),
    JobError: st.builds(JobError, job_id=ids, error=json_any, error_message=json_any),
    ArtistCancelConfirmation: st.builds(
        ArtistCancelConfirmation, job_id=ids, did_cancel=st.booleans(), error_message=opt_text
    ),
    JobTokens: st.builds(
        JobTokens, job_id=ids, content=opt_text, tool_calls=json_any, usage=json_any
    ),
    LLMJobResult: st.builds(
        LLMJobResult, job_id=ids, usage=json_any, time_taken=opt_num, cost=json_any
    ),
    CancelJob: st.builds(CancelJob, job_id=ids),
    TokenBalance: st.builds(
        TokenBalance,
        settled=decimals,
        credit=decimals,
        debit=decimals,
        net=decimals,
        premium_credit=st.none() | decimals,
    ),
    AccountInfo: st.builds(AccountInfo, username=opt_text, email=opt_text, wallet_address=opt_text),
}


@pytest.mark.parametrize("cls", list(STRATEGIES), ids=lambda c: c.__name__)
def test_round_trip_through_the_wire(cls: type[Any]) -> None:
    @given(STRATEGIES[cls])
    def check(value: Any) -> None:
        wire_json = strict.unstructure(value)
        assert strict.structure(wire_json, cls) == value

    check()


@given(st.builds(Balances, sogni=STRATEGIES[TokenBalance], spark=STRATEGIES[TokenBalance]))
def test_balances_round_trip_as_decimal_strings(value: Balances) -> None:
    wire_json = strict.unstructure(value)
    assert isinstance(wire_json["sogni"]["net"], str)
    assert strict.structure(wire_json, Balances) == value


def test_explicit_wire_names_not_case_conversion() -> None:
    frame = JobResult(job_id="P", img_id="A", triggered_nsfw_filter=True, last_seed="7")
    out = tolerant.unstructure(frame)
    assert out["jobID"] == "P" and out["imgID"] == "A"
    assert out["triggeredNSFWFilter"] is True
    cancel = tolerant.unstructure(CancelJob(job_id="P"))
    assert cancel == {
        "jobID": "P",
        "error": "artistCanceled",
        "error_message": "artistCanceled",
        "isFromWorker": False,
    }


def test_balance_from_wire_is_decimal() -> None:
    balances = tolerant.structure(
        {
            "sogni": {"settled": "125.5", "credit": "0", "debit": "2.25", "net": "123.25"},
            "spark": {
                "settled": "40",
                "credit": "0",
                "debit": "0",
                "net": "40",
                "premiumCredit": "15",
            },
        },
        Balances,
    )
    assert balances.sogni.net == Decimal("123.25")
    assert balances.spark.premium_credit == Decimal("15")


def test_tolerant_reader_ignores_unknown_keys_strict_one_refuses() -> None:
    data = {"jobID": "P", "didCancel": True, "brandNewField": 1}
    assert tolerant.structure(data, ArtistCancelConfirmation).did_cancel is True
    with pytest.raises(ClassValidationError):
        strict.structure(data, ArtistCancelConfirmation)


@attrs.frozen
class _ToolRequest:
    model: str = wire("model")
    max_tokens: int | None = wire("max_tokens", default=OMIT)
    token_type: str | None = wire("tokenType", default=OMIT)
    tools: Any = wire("tools", default=OMIT)
    stop: Any = wire("stop", default=None)


def test_user_json_passes_through_untouched() -> None:
    schema = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {
                    "city_name": {"type": "string"},
                    "unit_system": {"enum": ["metric", "imperial"]},
                    "includeHourly": {"type": "boolean"},
                },
                "required": ["city_name"],
                "additionalProperties": False,
            },
        },
    }
    out = tolerant.unstructure(
        _ToolRequest(model="m", max_tokens=5, token_type="spark", tools=[schema])
    )
    assert out == {
        "model": "m",
        "max_tokens": 5,
        "tokenType": "spark",
        "tools": [schema],
        "stop": None,
    }
    assert out["tools"][0] is schema  # the very same object: nothing was converted


def test_omit_leaves_keys_out_but_none_is_null() -> None:
    out = tolerant.unstructure(_ToolRequest(model="m"))
    assert out == {"model": "m", "stop": None}


# --------------------------------------------------------------------------- every wire model

# What the official clients upper-case on receipt: generated upper-case so the envelope keeps them.
_UPPER_IDS = ("id", "job_id", "img_id")


def _strategy_for(tp: Any) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return json_any
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_strategy_for(arg) for arg in args))
    if tp is type(None):
        return st.none()
    if tp is Omit:
        return st.just(OMIT)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if tp is str:
        return st.text(max_size=20)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(-(2**31), 2**31)
    if tp is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if tp is Decimal:
        return decimals
    if origin is list:
        return st.lists(_strategy_for(args[0]), max_size=3)
    if origin is dict:
        return st.dictionaries(st.text(max_size=6), _strategy_for(args[1]), max_size=3)
    if attrs.has(tp):
        return model_strategy(tp)
    raise TypeError(f"no strategy for {tp!r}: teach _strategy_for about it")


def model_strategy(cls: type[Any]) -> st.SearchStrategy[Any]:
    """Every field of ``cls`` drawn from its type (not only the ones a test thought of)."""
    hints = typing.get_type_hints(cls)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(cls):
        strategy = _strategy_for(hints[field.name])
        if field.name in _UPPER_IDS:
            strategy = (
                st.one_of(ids, st.none())
                if type(None) in typing.get_args(hints[field.name])
                else ids
            )
        fields[field.name] = strategy
    return st.builds(cls, **fields)


WIRE_MODELS = [obj for name in messages.__all__ if attrs.has(obj := getattr(messages, name, None))]


def test_every_wire_model_is_covered() -> None:
    # Each inbound event class and each outbound message is a module member the next test
    # walks: a new model joins the round trip without anyone listing it.
    assert set(messages.EVENT_TYPES.values()) <= set(WIRE_MODELS)
    assert {CancelJob, RecoveredProject, RecoveredWorkerJob} <= set(WIRE_MODELS)
    assert len(WIRE_MODELS) == len(messages.__all__) - 1  # all but EVENT_TYPES


@pytest.mark.parametrize("cls", WIRE_MODELS, ids=lambda c: c.__name__)
def test_every_wire_model_round_trips_through_the_envelope(cls: type[Any]) -> None:
    @settings(max_examples=40, deadline=None)  # 16 models: a broad sample each, quickly
    @given(model_strategy(cls))
    def check(value: Any) -> None:
        wire_json = strict.unstructure(value)
        frame = decode_frame(encode_frame(cls.__name__, wire_json))
        assert strict.structure(frame.payload, cls) == value

    check()


@given(model_strategy(Balances))
def test_account_models_round_trip_through_the_envelope(value: Balances) -> None:
    frame = decode_frame(encode_frame("balanceUpdate", strict.unstructure(value)))
    assert strict.structure(frame.payload, Balances) == value


# --------------------------------------------------------------------------- outbound shortcut

OUTBOUND_MODELS = [
    obj
    for name in dir(job_request)
    if isinstance(obj := getattr(job_request, name), type) and attrs.has(obj)
] + [CancelJob]


def _reference_unstructure(conv: Any, obj: Any) -> Any:
    """Field by field through cattrs, each value by its declared type: what the converter
    did before scalar fields were handed over without a hook call."""
    out: dict[str, Any] = {}
    hints = typing.get_type_hints(type(obj))
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if value is OMIT:
            continue
        key = field.metadata.get("sogni.wire", field.name)
        tp = hints[field.name]
        if tp is Any:
            out[key] = value
        elif attrs.has(type(value)):
            out[key] = _reference_unstructure(conv, value)
        elif isinstance(value, list):
            out[key] = [
                _reference_unstructure(conv, v) if attrs.has(type(v)) else conv.unstructure(v)
                for v in value
            ]
        else:
            out[key] = conv.unstructure(value, tp)
    return out


@pytest.mark.parametrize("cls", OUTBOUND_MODELS, ids=lambda c: c.__name__)
def test_unstructuring_matches_cattrs_field_by_field(cls: type[Any]) -> None:
    @settings(max_examples=25, deadline=None)
    @given(model_strategy(cls))
    def check(value: Any) -> None:
        assert tolerant.unstructure(value) == _reference_unstructure(tolerant, value)

    check()
