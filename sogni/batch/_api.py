"""``sogni.batch.run`` and ``sogni.batch.estimate``."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import ValidationError, ValidationProblem
from ..projects._validation import validate
from ..projects.params import PROJECT_TYPES
from ._budget import Estimator
from ._items import ItemsInput, ItemSource, items_problem
from ._journal import replay
from ._report import BatchProgress, BatchReport
from ._runner import Runner

if TYPE_CHECKING:
    from ..client import SogniClient
    from ..projects.params import ProjectParams

__all__ = ["BatchEstimate", "estimate", "journal_app_id", "run"]

TOKEN_TYPES = ("spark", "sogni")


@attrs.frozen
class BatchEstimate:
    """What a batch would cost: ``total`` in ``token_type`` over ``items`` items, from
    ``quotes`` distinct quotes (items that differ only in prompts or seeds share one)."""

    total: Decimal
    token_type: str
    items: int
    quotes: int


def _cap(
    spend_cap: Decimal | int | str | None, problems: list[ValidationProblem]
) -> Decimal | None:
    if spend_cap is None:
        return None
    try:
        cap = Decimal(str(spend_cap))
    except ArithmeticError:
        cap = Decimal("NaN")
    if not cap.is_finite() or cap < 0:
        problems.append(ValidationProblem("spend_cap", "must be a number, 0 or more"))
        return None
    return cap


def _whole(value: object, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _arguments(
    items: ItemsInput,
    *,
    type: str,
    token_type: str,
    max_in_flight: int = 1,
    retries: int = 0,
    partitions: int | None = None,
) -> list[ValidationProblem]:
    """What is wrong with the arguments of a run (not its items), every problem at once."""
    problems: list[ValidationProblem] = []
    item_problem = items_problem(items)
    if item_problem is not None:
        problems.append(item_problem)
    if type not in PROJECT_TYPES:
        choices = ", ".join(map(repr, PROJECT_TYPES))
        problems.append(ValidationProblem("type", f"must be one of {choices}"))
    if token_type not in TOKEN_TYPES:
        problems.append(ValidationProblem("token_type", "must be 'spark' or 'sogni'"))
    if not _whole(max_in_flight, 1):
        problems.append(ValidationProblem("max_in_flight", "must be a whole number, 1 or more"))
    if not _whole(retries, 0):
        problems.append(ValidationProblem("retries", "must be a whole number, 0 or more"))
    if partitions is not None and not _whole(partitions, 1):
        problems.append(ValidationProblem("partitions", "must be a whole number, 1 or more"))
    return problems


def _token_type(token_type: str, source: ItemSource, *, cap: bool) -> str:
    if token_type not in TOKEN_TYPES:
        raise ValidationError([ValidationProblem("token_type", "must be 'spark' or 'sogni'")])
    used = source.token_types or {token_type}
    if len(used) > 1 and cap:
        raise ValidationError(
            [
                ValidationProblem(
                    "token_type",
                    f"the items pay in {' and '.join(sorted(used))}: a spend cap needs one token",
                )
            ]
        )
    return next(iter(used)) if len(used) == 1 else token_type


def _checker(client: SogniClient) -> Callable[[ProjectParams], object]:
    """What is checked of each item before anything is sent: everything ``create`` checks,
    and that it can be quoted (a video needs a duration, for instance)."""
    projects = client.projects
    catalog = projects._service.catalog(projects._config)
    quotes = Estimator(client)

    def check(params: ProjectParams) -> None:
        validate(params, catalog)
        quotes.request_of(params)

    return check


def journal_app_id(journal: str | os.PathLike[str]) -> str | None:
    """The ``app_id`` a journal's first run used (None for a new journal). A rerun on the
    same machine should make its client with it: projects left in flight are then followed
    live; under another ``app_id`` they are followed by reading their records."""
    return replay(Path(journal))[1]


def run(
    client: SogniClient | None,
    items: ItemsInput,
    *,
    out_dir: str | os.PathLike[str],
    journal: str | os.PathLike[str] | None = None,
    max_in_flight: int = 8,
    spend_cap: Decimal | int | str | None = None,
    retries: int = 2,
    progress: Callable[[BatchProgress], None] | None = None,
    type: str = "image",
    token_type: str = "spark",
    media_root: str | os.PathLike[str] | None = None,
    defaults: Mapping[str, Any] | None = None,
    stop: threading.Event | None = None,
    executor: Any = None,
    partitions: int | None = None,
    client_factory: Callable[[], SogniClient] | None = None,
) -> BatchReport:
    """Render every item, at most ``max_in_flight`` at once, results streamed into
    ``out_dir``; resumable from ``journal`` and never over ``spend_cap``.

    ``items``: a CSV or JSONL file, a pandas DataFrame, or an iterable of mappings of
    ``projects.create`` arguments (``type``, default ``type``; an optional ``key``) or params
    objects; ``defaults`` (create arguments) fill in what an item leaves out, such as a
    ``model_id`` for a file of prompts. Everything is checked first — each bad cell is
    reported by row and column in one ``ValidationError`` — and nothing is sent unless all
    items are valid. Items without a
    ``token_type`` pay in ``token_type``; ``spend_cap`` is in that token.

    ``journal`` (default ``out_dir/journal.jsonl``) records every step; run again with the
    same journal to resume: completed items are skipped, items in flight are followed to
    their end by id, retryable failures are retried (at most ``retries`` more times per item)
    and the rest is sent. Setting ``stop`` (from any thread) stops sending; items in flight
    finish. ``progress`` is called with a :class:`BatchProgress` on this thread.

    On a Dask cluster pass ``executor=<dask.distributed.Client>`` and ``client=None``: each
    worker process makes its own client once (``client_factory``, which must read its
    credentials where it runs; default ``SogniClient.from_env()``), no credential travels in
    a task, and the items are split into ``partitions`` with one journal each, under
    ``journal`` (a directory, default ``out_dir/journal``); ``max_in_flight`` is per
    partition. ``out_dir`` and ``journal`` must be on storage every worker shares. (There the
    checks that need the model catalog run in each partition before it sends anything.)
    """
    problems = _arguments(
        items,
        type=type,
        token_type=token_type,
        max_in_flight=max_in_flight,
        retries=retries,
        partitions=partitions,
    )
    cap = _cap(spend_cap, problems)
    if problems:
        raise ValidationError(problems)
    source = ItemSource(
        items, default_type=type, token_type=token_type, media_root=media_root, defaults=defaults
    )
    out = Path(out_dir)
    if executor is not None:
        if client is not None:
            raise TypeError(
                "with an executor pass client=None: each worker makes its own client "
                "(a client holds credentials and is never sent to workers)"
            )
        from ._dask import run_distributed

        total = source.check()
        unit = _token_type(token_type, source, cap=cap is not None)
        return run_distributed(
            executor,
            source,
            total,
            out_dir=out,
            journal_dir=Path(journal) if journal is not None else out / "journal",
            max_in_flight=max_in_flight,
            spend_cap=cap,
            retries=retries,
            progress=progress,
            token_type=unit,
            stop=stop,
            partitions=partitions,
            client_factory=client_factory,
        )
    if client is None:
        raise TypeError("run() needs a client (or executor=<dask.distributed.Client>)")
    total = source.check(_checker(client))
    unit = _token_type(token_type, source, cap=cap is not None)
    runner = Runner(
        client,
        journal=Path(journal) if journal is not None else out / "journal.jsonl",
        out_dir=out,
        budget=None,
        max_in_flight=max_in_flight,
        retries=retries,
        token_type=unit,
        spend_cap=cap,
        stop=stop,
        progress=progress,
    )
    return runner.run(source, total)


def estimate(
    client: SogniClient,
    items: ItemsInput,
    *,
    type: str = "image",
    token_type: str = "spark",
    media_root: str | os.PathLike[str] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> BatchEstimate:
    """What ``items`` would cost (nothing is sent): one quote per distinct cost-relevant
    parameter set. The items are checked as :func:`run` checks them."""
    problems = _arguments(items, type=type, token_type=token_type)
    if problems:
        raise ValidationError(problems)
    source = ItemSource(
        items, default_type=type, token_type=token_type, media_root=media_root, defaults=defaults
    )
    count = source.check(_checker(client))
    unit = _token_type(token_type, source, cap=True)
    estimator = Estimator(client)
    total = sum((estimator.estimate(item.params) for item in source), Decimal(0))
    return BatchEstimate(total=total, token_type=unit, items=count, quotes=estimator.quotes)
