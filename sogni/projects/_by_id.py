"""Projects by id, for projects this client does not hold (another process, a crash, another
SDK): ``projects.cancel(id)``, ``projects.get_status(id)``, and the models of either network
(``projects.get_available_models(network)``) without switching the connection's network."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs

from .._wire.messages import ArtistCancelConfirmation, CancelJob
from ..errors import (
    CancellationError,
    ProtocolError,
    SogniError,
    ValidationError,
    ValidationProblem,
)
from ._tracker import CANCEL_UNCONFIRMED
from .catalog import AvailableModel
from .handles import ProjectStatus

if TYPE_CHECKING:
    from .._wire.envelope import Frame
    from ..config import ClientConfig
    from ._service import ProjectsService

__all__ = ["ProjectStatusSnapshot", "available_models_of", "cancel_by_id", "status_of"]


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0


@attrs.frozen
class ProjectStatusSnapshot:
    """Where a project of this account is, at any stage (``projects.get_status``). ``status``
    is a :class:`ProjectStatus` (another value the server may add comes as its string);
    ``jobs_in_flight`` and ``jobs_finished`` count its renders."""

    id: str
    status: ProjectStatus | str
    finished: bool
    model_id: str | None = None
    network: str | None = None
    jobs_in_flight: int = 0
    jobs_finished: int = 0
    reason: str | None = None
    waiting_reason: str | None = None

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> ProjectStatusSnapshot:
        value = str(raw.get("status") or "")
        value = "canceled" if value == "cancelled" else value
        status: ProjectStatus | str = (
            ProjectStatus(value) if value in ProjectStatus._value2member_map_ else value
        )
        model = raw.get("model")
        model_id = model.get("id") if isinstance(model, dict) else None
        finished = raw.get("finished")
        reason = raw.get("reason")
        waiting = raw.get("waitingReason")
        return cls(
            id=str(raw.get("id") or ""),
            status=status,
            finished=(
                finished
                if isinstance(finished, bool)
                else value in ("completed", "failed", "canceled")
            ),
            model_id=model_id if isinstance(model_id, str) else None,
            network=raw.get("network") if isinstance(raw.get("network"), str) else None,
            jobs_in_flight=_count(raw.get("workerJobs")),
            jobs_finished=_count(raw.get("completedWorkerJobs")),
            reason=reason if isinstance(reason, str) else None,
            waiting_reason=waiting if isinstance(waiting, str) else None,
        )


def _checked_id(project_id: object) -> str:
    if not isinstance(project_id, str) or not project_id.strip():
        raise ValidationError([ValidationProblem("project_id", "must be a project id")])
    return project_id.strip().upper()


def status_of(service: ProjectsService, project_id: str, config: ClientConfig) -> Any:
    """``GET /v2/projects/{id}``: the caller's own project at any stage."""
    path = f"/v2/projects/{quote(_checked_id(project_id), safe='')}"
    data = service.core.request("GET", path, config=config)
    raw = data.get("project") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        raise ProtocolError("the project status response has no project")
    return ProjectStatusSnapshot.from_wire(raw)


def cancel_by_id(
    service: ProjectsService, project_id: str, timeout: float | None, config: ClientConfig
) -> None:
    """Cancel a project by id: through its handle if this client follows it, else by the
    socket cancel message, waiting for the server's confirmation."""
    job_id = _checked_id(project_id)
    tracker = service.lookup(job_id)
    if tracker is not None:
        tracker.cancel(timeout)
        return
    core = service.core
    core.require_transport()
    core.start_socket_for_work()
    answered = threading.Event()
    answer: list[ArtistCancelConfirmation] = []

    def on_confirmation(frame: Frame) -> None:  # transport thread: only records the answer
        payload = frame.payload
        if not isinstance(payload, dict) or str(payload.get("jobID", "")).upper() != job_id:
            return
        try:
            answer.append(core.structure(payload, ArtistCancelConfirmation))
        except ProtocolError:
            return
        answered.set()

    remove = core.add_frame_handler("artistCancelConfirmation", on_confirmation)
    try:
        core.send("jobError", service.unstructure(CancelJob(job_id=job_id)))
        limit = core.config.timeouts.cancel_confirmation if timeout is None else timeout
        if not answered.wait(limit):
            raise CancellationError(CANCEL_UNCONFIRMED)
    finally:
        remove()
    if answer[0].did_cancel:
        return
    # Refused. A project that has already finished has nothing left to cancel, as with
    # project.cancel(); anything else is a refusal the caller must hear of.
    try:
        finished = status_of(service, job_id, config).finished
    except SogniError:
        finished = False
    if not finished:
        raise CancellationError(answer[0].error_message or CANCEL_UNCONFIRMED)


def available_models_of(
    service: ProjectsService, network: str | None, config: ClientConfig
) -> list[AvailableModel]:
    """``GET {socket}/api/v1/status/network/{network}/models``: worker counts by model SID,
    named from the catalog (an SID the catalog lacks keeps its SID as id and name)."""
    net = network or service.network or config.network
    if net not in ("fast", "relaxed"):
        raise ValidationError([ValidationProblem("network", "must be 'fast' or 'relaxed'")])
    data = service.core.request(
        "GET", f"/api/v1/status/network/{net}/models", origin="socket", config=config
    )
    counts = data if isinstance(data, dict) else {}
    try:
        by_sid = {
            str(m.sid): m for m in service.catalog(config).supported_models() if m.sid is not None
        }
    except SogniError:
        by_sid = {}  # named by SID, as the official clients do without a catalog
    out = []
    for sid, workers in counts.items():
        if not isinstance(workers, (int, float)) or isinstance(workers, bool):
            continue
        known = by_sid.get(str(sid))
        out.append(
            AvailableModel(
                id=known.id if known is not None else str(sid),
                name=known.name if known is not None else str(sid).replace("-", " "),
                worker_count=int(workers),
                media=known.media if known is not None else "image",
            )
        )
    return out
