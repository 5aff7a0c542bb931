"""A string whose ``repr``/``str`` never show the value."""

from __future__ import annotations

from typing import Any


class Secret:
    """Wraps a credential. Read it with :meth:`reveal` only where a header is built."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:
        # Pickling would be a way to write the secret somewhere by accident.
        raise TypeError("Secret values cannot be pickled")


def as_secret(value: str | Secret | None) -> Secret | None:
    if value is None or isinstance(value, Secret):
        return value
    stripped = value.strip()
    return Secret(stripped) if stripped else None
