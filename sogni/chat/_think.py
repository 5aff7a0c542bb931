"""Moving inline ``<think>...</think>`` reasoning out of the answer, delta by delta.

Thinking models put their reasoning at the start of the content, wrapped in ``<think>`` tags.
:class:`ThinkSplitter` takes the content deltas as they stream and returns, for each, the answer
part and the reasoning part, so that joining the parts of every delta gives the same text as
splitting the whole content at once. Only a think block that opens the content (after optional
whitespace) counts: a ``<think>`` later in an answer is left alone. Whitespace right after each
tag and before the closing tag is dropped. A tag split across deltas is held back until it is
complete (a few characters at most).
"""

from __future__ import annotations

__all__ = ["ThinkSplitter"]

_OPEN = "<think>"
_CLOSE = "</think>"

_BEFORE, _THINK_START, _THINKING, _ANSWER_START, _ANSWER = range(5)


class ThinkSplitter:
    def __init__(self) -> None:
        self._state = _BEFORE
        self._held = ""  # text not yet attributable (a possible tag prefix, trailing spaces)
        self.thought = False
        """Whether a think block was found."""

    def feed(self, text: str) -> tuple[str, str]:
        """The ``(answer, reasoning)`` parts that ``text`` completes."""
        if self._state == _ANSWER:
            return text, ""
        buffer = self._held + text
        self._held = ""
        answer: list[str] = []
        reasoning: list[str] = []
        while buffer:
            if self._state == _BEFORE:
                stripped = buffer.lstrip()
                if stripped.startswith(_OPEN):
                    buffer = stripped[len(_OPEN) :]
                    self._state = _THINK_START
                    self.thought = True
                elif _OPEN.startswith(stripped):
                    self._held = buffer  # may still become "<think>"
                    break
                else:
                    self._state = _ANSWER
                    answer.append(buffer)
                    break
            elif self._state in (_THINK_START, _ANSWER_START):
                buffer = buffer.lstrip()
                if buffer:
                    self._state = _THINKING if self._state == _THINK_START else _ANSWER
            elif self._state == _THINKING:
                end = buffer.find(_CLOSE)
                if end >= 0:
                    reasoning.append(buffer[:end].rstrip())
                    buffer = buffer[end + len(_CLOSE) :]
                    self._state = _ANSWER_START
                    continue
                keep = _partial_tag_length(buffer, _CLOSE)
                body = buffer[: len(buffer) - keep]
                kept = body.rstrip()
                reasoning.append(kept)
                self._held = body[len(kept) :] + buffer[len(buffer) - keep :]
                break
            else:
                answer.append(buffer)
                break
        return "".join(answer), "".join(reasoning)

    def flush(self) -> tuple[str, str]:
        """At the end of the content: whatever was held back, as answer or reasoning."""
        held, self._held = self._held, ""
        if self._state == _THINKING:
            return "", held
        return held, ""


def _partial_tag_length(text: str, tag: str) -> int:
    """The length of the longest end of ``text`` that is a beginning of ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0
