"""The :class:`Family` base every model family derives from, and the registry that finds one.

A family is the set of model ids whose requests follow the same rules. The official clients
recognise families by exact id sets or id prefixes, never by the catalog, and so does this
registry: :meth:`Family.matches` looks only at the id. The media type of a project (its
``type``) picks which kind of family is consulted; the catalog still decides whether the id
exists and which tier it has.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

import attrs

if TYPE_CHECKING:
    from .._checks import MediaSlot, Problems
    from ..media import MediaKind

__all__ = [
    "Family",
    "FamilyCheck",
    "MediaType",
    "find_family",
    "register_builtin",
    "register_family",
    "registered_families",
    "with_defaults",
]

#: The project types a family can serve: ``image``, ``video`` or ``audio``.
MediaType = Literal["image", "video", "audio"]
_P = TypeVar("_P")


class FamilyCheck:
    """One project under validation, as the family hooks see it: ``params`` (with the
    family's defaults filled in), the model's ``tier`` options (None when the model is
    unknown), and the ``family``. :meth:`add` records a problem; ``p`` offers typed checks
    (``p.number``, ``p.string``…) that record one and return whether the value is usable;
    :meth:`media` queues an upload. Each media type's subclass narrows the attributes' types."""

    def __init__(
        self, params: Any, model_id: str, tier: Any, problems: Problems, family: Any
    ) -> None:
        self.params = params
        self.model_id = model_id
        self.tier = tier
        self.p = problems
        self.family = family
        self.slots: list[MediaSlot] = []

    def add(self, param: str, message: str) -> None:
        self.p.add(param, message)

    def media(
        self,
        slot: str,
        param: str,
        value: Any,
        kind: MediaKind = "image",
        upload_id: str | None = None,
    ) -> None:
        self.p.media(self.slots, slot, param, value, kind, upload_id)


class Family:
    """What one model family changes in the request pipeline.

    Subclass :class:`~sogni.projects.families.ImageFamily`,
    :class:`~sogni.projects.families.VideoFamily` or
    :class:`~sogni.projects.families.AudioFamily` (they fix :attr:`media` and carry the hooks
    of that media type, each with the behaviour of a family with no special rules) and
    override what differs. The members every family has:

    * :attr:`name`: a short unique name (``"wan22"``, ``"gpt_image"``…);
    * :attr:`model_ids` and :attr:`prefixes`: the ids it claims, exactly or by prefix
      (:meth:`matches` may be overridden for anything else);
    * :meth:`defaults`: values for parameters the caller left unset (``None``), used for
      validation, the request and cost estimates alike;
    * ``validate(check)``: the family's rules for a project of one of its ids, reported
      through ``check.add(param, message)`` so that every problem is reported at once;
    * ``refuse(check)``: run for projects of *other* families of the same media type, to
      refuse the options only this family takes.
    """

    name: ClassVar[str] = ""
    media: ClassVar[MediaType]
    model_ids: ClassVar[frozenset[str]] = frozenset()
    prefixes: ClassVar[tuple[str, ...]] = ()

    def matches(self, model_id: str) -> bool:
        """Whether ``model_id`` belongs to this family (by id, never by catalog)."""
        return model_id in self.model_ids or (
            bool(self.prefixes) and model_id.startswith(self.prefixes)
        )

    def defaults(self, model_id: str) -> Mapping[str, Any]:
        """Parameter name -> value for parameters the caller leaves as ``None``."""
        return {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} ({getattr(self, 'media', None)})>"


class _Registry:
    """Families in lookup order: those added with :func:`register_family` first (in the order
    they were added), then the built-in ones. Readers take the current tuple without a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._added: tuple[Family, ...] = ()
        self._builtin: tuple[Family, ...] = ()

    def all(self) -> tuple[Family, ...]:
        return self._added + self._builtin

    def add(self, family: Family, *, builtin: bool) -> None:
        if not isinstance(family, Family) or not family.name:
            raise TypeError(
                "a family is an ImageFamily, VideoFamily or AudioFamily instance with a name, "
                f"not {family!r}"
            )
        if getattr(family, "media", None) not in ("image", "video", "audio"):
            raise TypeError(
                f"{family!r} has no media type: derive it from ImageFamily, VideoFamily or "
                "AudioFamily"
            )
        with self._lock:
            if any(f.name == family.name for f in self.all()):
                raise ValueError(f"a family named {family.name!r} is already registered")
            if builtin:
                self._builtin += (family,)
            else:
                self._added += (family,)

    def remove(self, family: Family) -> None:
        with self._lock:
            self._added = tuple(f for f in self._added if f is not family)

    def find(self, media: str, model_id: str) -> Family | None:
        for family in self.all():
            if family.media == media and family.matches(model_id):
                return family
        return None


_REGISTRY = _Registry()


def register_family(family: Family) -> Callable[[], None]:
    """Add ``family`` to the registry (process-wide) and return a function that removes it.

    Added families are consulted before the built-in ones, in the order they were added, so a
    family can claim ids a built-in family would also match. Names must be unique. Projects,
    estimates and the frame math started after this call use the family; nothing caches it.
    """
    _REGISTRY.add(family, builtin=False)
    return lambda: _REGISTRY.remove(family)


def register_builtin(family: Family) -> None:
    _REGISTRY.add(family, builtin=True)


def registered_families(media: MediaType | None = None) -> tuple[Family, ...]:
    """Every registered family (of ``media``, when given), in lookup order."""
    return tuple(f for f in _REGISTRY.all() if media is None or f.media == media)


def find_family(media: str, model_id: Any) -> Family | None:
    """The first family of ``media`` that claims ``model_id`` (None for a non-string id)."""
    if not isinstance(model_id, str):
        return None
    return _REGISTRY.find(media, model_id)


def with_defaults(params: _P, family: Family | None) -> _P:
    """``params`` with the family's defaults filled into the fields left as ``None``."""
    model_id = getattr(params, "model_id", None)
    if family is None or not isinstance(model_id, str):
        return params
    missing = {
        name: value
        for name, value in family.defaults(model_id).items()
        if getattr(params, name) is None
    }
    return attrs.evolve(params, **missing) if missing else params  # type: ignore[misc]
