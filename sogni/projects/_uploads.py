"""Upload a project's media before its job request is sent.

For each slot: ask the api host for a presigned URL (``GET /v1/image/uploadUrl`` for images,
``GET /v1/media/uploadUrl`` for audio and video), then stream the bytes to it with a PUT that
carries only ``Content-Type``. The server matches uploads by ``jobId`` + ``type`` (+ ``id``);
the image endpoint's ``imageId`` is a fresh id that is never referenced again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._log import get_logger
from ..errors import APIError, ProtocolError, error_from_status
from ._checks import MediaSlot

if TYPE_CHECKING:
    from .._transport.rest import RestClient
    from ..config import ClientConfig

__all__ = ["upload_media"]

_log = get_logger("sogni.projects")


def _upload_url(rest: RestClient, config: ClientConfig, job_id: str, slot: MediaSlot) -> str:
    source = slot.source
    if slot.kind == "image":
        path = "/v1/image/uploadUrl"
        query: dict[str, Any] = {
            "imageId": str(uuid.uuid4()).upper(),
            "jobId": job_id,
            "type": slot.slot,
            "contentType": source.content_type,
        }
    else:
        path = "/v1/media/uploadUrl"
        query = {
            "jobId": job_id,
            "type": slot.slot,
            "id": slot.upload_id,  # None is left out of the query
            "contentType": source.content_type,
        }
    data = rest.request("GET", path, params=query, config=config)
    url = data.get("uploadUrl") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url:
        raise ProtocolError(f"{path} answered without an uploadUrl")
    return url


def upload_media(
    rest: RestClient, config: ClientConfig, job_id: str, slots: Sequence[MediaSlot]
) -> None:
    """Upload every slot, in order; the first failure stops and is raised.

    The PUT is retried under the REST retry policy with the same bytes (each attempt opens
    the source afresh). A refused upload raises the :class:`APIError` subclass for its status,
    with a message naming the parameter (``Failed to upload starting_image: ...``).
    """
    for slot in slots:
        url = _upload_url(rest, config, job_id, slot)
        source = slot.source
        _log.debug(
            "uploading %s (%s, %d bytes) for %s",
            slot.slot,
            source.content_type,
            source.size,
            job_id,
        )
        try:
            rest.upload(
                url,
                source.open,
                size=source.size,
                content_type=source.content_type,
                config=config,
            )
        except APIError as exc:
            if exc.status is None:
                raise
            raise error_from_status(
                exc.status,
                f"Failed to upload {source.param}: {exc.message}",
                error_code=exc.error_code,
                retry_after=exc.retry_after,
                details=exc.details,
            ) from exc
