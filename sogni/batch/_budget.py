"""Spending: what each item would cost (cached quotes) and the cap no submission may cross.

The budget counts, in the batch's token type, the actual cost of finished items plus the
estimate of every item in flight. An item is sent only if its estimate fits under the cap
on top of that; when it finishes, its estimate is replaced by its ``costActual``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from ..projects._estimate import audio_estimate_path, image_estimate_path, video_estimate_path
from ..projects.api import CostEstimate
from ._journal import ItemState

if TYPE_CHECKING:
    from ..client import SogniClient
    from ..projects.params import ProjectParams

__all__ = ["Budget", "Estimator", "LocalBudget", "committed_spend", "known_spend"]


class Budget(Protocol):
    def reserve(self, amount: Decimal) -> bool:
        """Count ``amount`` as committed if that stays within the cap; False otherwise."""

    def settle(self, reserved: Decimal, actual: Decimal) -> None:
        """An item finished: its reservation becomes what it actually cost."""


class LocalBudget:
    """The budget of a run in one process."""

    def __init__(self, cap: Decimal | None, committed: Decimal) -> None:
        self._cap = cap
        self._committed = committed
        self._lock = threading.Lock()

    def reserve(self, amount: Decimal) -> bool:
        with self._lock:
            if self._cap is not None and self._committed + amount > self._cap:
                return False
            self._committed += amount
            return True

    def settle(self, reserved: Decimal, actual: Decimal) -> None:
        with self._lock:
            self._committed += actual - reserved


def committed_spend(states: Iterable[ItemState]) -> Decimal:
    """What a journal already commits: finished items' actual cost (their estimate when the
    record had none) and the estimate of items in flight."""
    total = Decimal(0)
    for state in states:
        if state.status == "submitting":
            total += state.estimate
        elif state.status == "completed":
            total += state.cost_actual if state.cost_actual is not None else state.estimate
        elif state.cost_actual is not None:
            total += state.cost_actual
    return total


def known_spend(states: Iterable[ItemState]) -> Decimal:
    """The actual cost recorded for finished items."""
    return sum(
        (s.cost_actual for s in states if s.status != "submitting" and s.cost_actual is not None),
        Decimal(0),
    )


class Estimator:
    """Quotes, one request per cost-relevant parameter set (the estimate's path and query:
    prompts and seeds, for instance, do not change a price)."""

    def __init__(self, client: SogniClient) -> None:
        self._client = client
        self._cache: dict[tuple[str, tuple[tuple[str, str], ...]], Decimal] = {}
        self._lock = threading.Lock()

    def request_of(self, params: ProjectParams) -> tuple[str, dict[str, str]]:
        projects = self._client.projects
        service = projects._service
        catalog = service.catalog(projects._config)
        if params.type == "video":
            return video_estimate_path(params, catalog, network=service.network)
        if params.type == "audio":
            return audio_estimate_path(params, catalog, network=service.network)
        return image_estimate_path(
            params,
            catalog,
            network=service.network,
            size_presets=lambda net, model_id: projects.size_presets(model_id, network=net),
        )

    def estimate(self, params: ProjectParams) -> Decimal:
        """The price of ``params`` in its token type (``ValidationError`` if it cannot be
        quoted)."""
        path, query = self.request_of(params)
        key = (path, tuple(sorted(query.items())))
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        projects = self._client.projects
        data: Any = projects._core.request(
            "GET", path, origin="socket", params=query, config=projects._config
        )
        value = CostEstimate.from_response(projects._core, data).token
        with self._lock:
            self._cache[key] = value
        return value

    @property
    def quotes(self) -> int:
        """How many distinct quotes were fetched."""
        with self._lock:
            return len(self._cache)
