"""A string that matches a regular expression, for the ``pattern`` of a JSON Schema string.

A small parser of its own (no private ``re`` internals) covers what schema patterns use:

* literal characters and escaped metacharacters (``\\.``, ``\\-``, ``\\/``, ...), the escapes
  ``\\n \\r \\t \\f \\v \\a \\0``, ``\\xhh``, ``\\uhhhh``, ``\\Uhhhhhhhh`` and ``\\N{name}``;
* ``.``, the classes ``\\d \\D \\w \\W \\s \\S``, and sets ``[...]`` / ``[^...]`` with ranges and
  escapes;
* groups ``(...)``, ``(?:...)``, ``(?P<name>...)``, scoped flags ``(?i:...)``, alternation ``|``;
* quantifiers ``* + ? {n} {n,} {,m} {n,m}``, lazy (``*?``) or possessive (``*+``);
* backreferences ``\\1`` ... and ``(?P=name)``;
* anchors ``^ $ \\A \\Z \\b \\B``, lookarounds ``(?=...) (?!...) (?<=...) (?<!...)``, global flags
  ``(?i)`` and comments ``(?#...)``, which produce no text.

The sample is deterministic: a set gives the first of ``aA0_ -.zZ9x`` it accepts (else its
first member), ``.`` gives ``x``, an alternation its ``variant``-th branch (cycling), a
quantifier its minimum count but at least one (none for ``{0}``). Anything else (conditionals,
verbose mode, octal escapes), an invalid pattern, or a sample that fails to match (a lookaround
it ignored, say) gives None, and the caller falls back to another value.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple, TypeAlias

__all__ = ["regex_sample"]

_CANDIDATES = "aA0_ -.zZ9x"
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "f": "\f", "v": "\v", "a": "\a", "0": "\0"}
_CLASS_ESCAPES = "dDwWsS"
_ANCHOR_ESCAPES = "AZbB"
# ``{}`` alone is a literal, as in ``re``.
_QUANTIFIER = re.compile(r"\{(?=[\d,])(\d*)(,(\d*))?\}")
_INLINE_FLAGS = set("aiLmsu-")


class _Set(NamedTuple):
    """A character set: literal characters, ranges and classes (``d``, ``w``, ``s``, upper case
    for their complements)."""

    chars: str
    ranges: tuple[tuple[str, str], ...]
    classes: str
    negated: bool


class _Seq(NamedTuple):
    items: tuple[_Node, ...]


class _Alt(NamedTuple):
    branches: tuple[_Node, ...]


class _Group(NamedTuple):
    number: int | None  # None: not capturing
    body: _Node


class _Repeat(NamedTuple):
    low: int
    high: int | None  # None: unbounded
    body: _Node


class _Ref(NamedTuple):
    number: int


_Node: TypeAlias = "str | _Set | _Seq | _Alt | _Group | _Repeat | _Ref"


def regex_sample(pattern: str, variant: int = 0) -> str | None:
    """A string that ``re.search(pattern, ...)`` matches, or None (see the module docstring)."""
    try:
        compiled = re.compile(pattern)
        tree = _Parser(pattern).parse()
        text = _emit(tree, variant, {})
    except (re.error, ValueError, RecursionError):
        return None
    return text if compiled.search(text) else None


# --------------------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.pos = 0
        self.groups = 0
        self.names: dict[str, int] = {}

    def parse(self) -> _Node:
        node = self.alternation()
        if self.pos != len(self.text):
            raise ValueError("unbalanced parenthesis")
        return node

    # ------------------------------------------------------------------ reading

    def peek(self, offset: int = 0) -> str:
        at = self.pos + offset
        return self.text[at] if at < len(self.text) else ""

    def take(self) -> str:
        if self.pos >= len(self.text):
            raise ValueError("unexpected end of pattern")
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def expect(self, ch: str) -> None:
        if self.take() != ch:
            raise ValueError(f"expected {ch!r}")

    def until(self, end: str) -> str:
        stop = self.text.find(end, self.pos)
        if stop < 0:
            raise ValueError(f"missing {end!r}")
        value = self.text[self.pos : stop]
        self.pos = stop + len(end)
        return value

    # ------------------------------------------------------------------ structure

    def alternation(self) -> _Node:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else _Alt(tuple(branches))

    def sequence(self) -> _Node:
        items: list[_Node] = []
        while self.pos < len(self.text) and self.peek() not in "|)":
            atom = self.atom()
            if atom is not None:
                items.append(self.quantified(atom))
        return _Seq(tuple(items))

    def quantified(self, atom: _Node) -> _Node:
        while True:
            ch = self.peek()
            if ch in ("*", "+", "?"):
                self.pos += 1
                low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
            elif ch == "{" and (match := _QUANTIFIER.match(self.text, self.pos)):
                self.pos = match.end()
                low = int(match.group(1) or 0)
                if match.group(2) is None:
                    high = low
                else:
                    high = int(match.group(3)) if match.group(3) else None
            else:
                return atom
            if self.peek() in ("?", "+"):  # lazy or possessive: the same text matches
                self.pos += 1
            atom = _Repeat(low, high, atom)

    def atom(self) -> _Node | None:
        """The next atom, or None for one that produces no text (an anchor, a flag group)."""
        ch = self.take()
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.char_set()
        if ch == ".":
            return "x"
        if ch in ("^", "$"):
            return None
        if ch == "\\":
            return self.escape()
        if ch in ("*", "+", "?"):
            raise ValueError("nothing to repeat")
        return ch

    def group(self) -> _Node | None:
        if self.peek() != "?":
            self.groups += 1
            index = self.groups
            body = self.alternation()
            self.expect(")")
            return _Group(index, body)
        self.pos += 1
        kind = self.take()
        if kind == ":":
            return self.closed_group(None)
        if kind == "P" and self.peek() == "<":
            self.pos += 1
            name = self.until(">")
            self.groups += 1
            self.names[name] = self.groups
            return self.closed_group(self.groups)
        if kind == "P" and self.peek() == "=":
            self.pos += 1
            name = self.until(")")
            if name not in self.names:
                raise ValueError(f"unknown group {name!r}")
            return _Ref(self.names[name])
        if kind in ("=", "!") or (kind == "<" and self.peek() in ("=", "!")):
            if kind == "<":
                self.pos += 1
            self.closed_group(None)  # a lookaround: parsed, then left out
            return None
        if kind == "#":
            self.until(")")
            return None
        if kind in _INLINE_FLAGS:
            flags = kind
            while self.peek() not in (":", ")"):
                flags += self.take()
            if "x" in flags or not set(flags) <= _INLINE_FLAGS:
                raise ValueError("unsupported flags")
            if self.take() == ")":
                return None  # global flags
            return self.closed_group(None)
        raise ValueError(f"unsupported group (?{kind}")

    def closed_group(self, index: int | None) -> _Group:
        body = self.alternation()
        self.expect(")")
        return _Group(index, body)

    def escape(self) -> _Node | None:
        ch = self.take()
        if ch in _CLASS_ESCAPES:
            return _Set("", (), ch, False)
        if ch in _ANCHOR_ESCAPES:
            return None
        if ch.isdigit() and ch != "0":
            digits = ch
            while self.peek().isdigit() and len(digits) < 2:
                digits += self.take()
            return _Ref(int(digits))
        return self.char_escape(ch)

    def char_escape(self, ch: str) -> str:
        """A character written as an escape (after the backslash)."""
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        if ch == "N":
            self.expect("{")
            try:
                return unicodedata.lookup(self.until("}"))
            except KeyError:
                raise ValueError("unknown character name") from None
        width = {"x": 2, "u": 4, "U": 8}.get(ch)
        if width is not None:
            digits = self.text[self.pos : self.pos + width]
            if len(digits) != width:
                raise ValueError("truncated escape")
            self.pos += width
            return chr(int(digits, 16))
        if ch.isalnum():
            raise ValueError(f"unsupported escape \\{ch}")
        return ch

    def char_set(self) -> _Set:
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        chars: list[str] = []
        ranges: list[tuple[str, str]] = []
        classes = ""
        first = True
        while True:
            ch = self.take()
            if ch == "]" and not first:
                break
            first = False
            if ch == "\\":
                ch = self.take()
                if ch in _CLASS_ESCAPES:
                    classes += ch
                    continue
                ch = "\b" if ch == "b" else self.char_escape(ch)
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                end = self.take()
                if end == "\\":
                    end = self.char_escape(self.take())
                if end < ch:
                    raise ValueError("bad range")
                ranges.append((ch, end))
            else:
                chars.append(ch)
        return _Set("".join(chars), tuple(ranges), classes, negated)


# --------------------------------------------------------------------------- emitting


def _emit(node: _Node, variant: int, groups: dict[int, str]) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, _Set):
        return _set_char(node)
    if isinstance(node, _Seq):
        return "".join(_emit(item, variant, groups) for item in node.items)
    if isinstance(node, _Alt):
        return _emit(node.branches[variant % len(node.branches)], variant, groups)
    if isinstance(node, _Group):
        text = _emit(node.body, variant, groups)
        if node.number is not None:
            groups[node.number] = text
        return text
    if isinstance(node, _Repeat):
        count = max(node.low, 1) if node.high is None or node.high >= 1 else 0
        return "".join(_emit(node.body, variant, groups) for _ in range(count))
    return groups.get(node.number, "")


def _set_char(node: _Set) -> str:
    for ch in _CANDIDATES:
        if _accepts(node, ch):
            return ch
    if not node.negated:
        if node.chars:
            return node.chars[0]
        if node.ranges:
            return node.ranges[0][0]
    for code in range(0x21, 0x7F):
        if _accepts(node, chr(code)):
            return chr(code)
    raise ValueError("no character fits the set")


def _accepts(node: _Set, ch: str) -> bool:
    hit = ch in node.chars or any(low <= ch <= high for low, high in node.ranges)
    for cls in node.classes:
        if hit:
            break
        kind = cls.lower()
        if kind == "d":
            inside = ch.isdigit()
        elif kind == "w":
            inside = ch.isalnum() or ch == "_"
        else:
            inside = ch.isspace()
        hit = inside != cls.isupper()
    return hit != node.negated
