"""The inline-thinking splitter: streamed deltas split exactly as the whole content."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sogni.chat._think import ThinkSplitter


def split_all(pieces: list[str]) -> tuple[str, str, bool]:
    splitter = ThinkSplitter()
    answer, reasoning = [], []
    for piece in pieces:
        a, r = splitter.feed(piece)
        answer.append(a)
        reasoning.append(r)
    a, r = splitter.flush()
    return "".join(answer) + a, "".join(reasoning) + r, splitter.thought


@pytest.mark.parametrize(
    ("content", "answer", "reasoning", "thought"),
    [
        ("Hello", "Hello", "", False),
        ("<think>\nI ponder.\n</think>\n\nHello there", "Hello there", "I ponder.", True),
        ("  \n<think>x</think>y", "y", "x", True),
        ("<think></think>Answer", "Answer", "", True),
        ("Say <think>literally</think>", "Say <think>literally</think>", "", False),
        ("<think>never closed  ", "", "never closed  ", True),
        ("<thi", "<thi", "", False),
        ("", "", "", False),
    ],
)
def test_whole_content_splits(content: str, answer: str, reasoning: str, thought: bool) -> None:
    assert split_all([content]) == (answer, reasoning, thought)


def test_a_tag_cut_across_deltas_is_held_back_not_leaked() -> None:
    splitter = ThinkSplitter()
    assert splitter.feed("<th") == ("", "")
    assert splitter.feed("ink>plan</thi") == ("", "plan")
    assert splitter.feed("nk>\n") == ("", "")
    assert splitter.feed("Done") == ("Done", "")


_alphabet = st.sampled_from(["<think>", "</think>", "<", "th", "ink>", " ", "\n", "a", "b", "/"])


@given(parts=st.lists(_alphabet, max_size=20), cuts=st.lists(st.integers(0, 60), max_size=6))
def test_any_cut_gives_the_same_split_as_the_whole(parts: list[str], cuts: list[int]) -> None:
    content = "".join(parts)
    points = sorted({min(c, len(content)) for c in cuts})
    pieces = [content[i:j] for i, j in zip([0, *points], [*points, len(content)])]
    assert split_all(pieces) == split_all([content])
