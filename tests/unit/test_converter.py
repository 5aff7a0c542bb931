"""The single cattrs converter: wire names, OMIT vs null, decimals, user JSON untouched."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from cattrs.errors import ClassValidationError
from hypothesis import given
from hypothesis import strategies as st

from sogni._wire.converter import make_converter
from sogni._wire.fields import OMIT, wire
from sogni._wire.messages import (
    ArtistCancelConfirmation,
    CancelJob,
    JobError,
    JobProgress,
    JobResult,
    JobState,
    JobTokens,
    LLMJobResult,
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
