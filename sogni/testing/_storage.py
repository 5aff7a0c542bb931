"""Object storage of the fake: presigned ``PUT`` targets for uploads, signed ``GET`` targets for
results and previews, served by the api host under ``/_fake/storage/<key>``.

Results and previews are stored as recipes and drawn when first read: most projects' media is
never downloaded, and drawing and encoding an image cost more than everything else the fake does
for a project.

A signed URL carries ``X-Expires`` (unix seconds) and ``X-Signature`` (``FakeServer.sign`` over
method, key and expiry). URLs live 30 minutes. Uploads are streamed in
chunks into a spooled temporary file that moves to disk past 8 MiB, so a 200 MB body never sits
in memory.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from aiohttp import web

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._server import FakeServer
    from ._state import FakeAccount

__all__ = ["StoredObject", "Storage", "Upload"]

URL_LIFETIME = 30 * 60
_SPOOL_MEMORY = 8 * 1024 * 1024
# [INV-UPLOAD-LIMIT] far above anything a client sends; a bigger body is answered 413.
MAX_UPLOAD_BYTES = 1024 * 1024 * 1024
_CHUNK = 1 << 16


@dataclass
class StoredObject:
    content_type: str
    data: bytes | None = None
    spool: IO[bytes] | None = None
    size: int = 0
    sha256: str = ""
    # Makes ``data`` on first read (``size`` and ``sha256`` are only known after it).
    render: Callable[[], bytes] | None = None

    def load(self) -> None:
        """Make the bytes of a lazily rendered object (no-op for the others)."""
        if self.render is not None:
            data = self.render()
            self.render = None
            self.data, self.size = data, len(data)
            self.sha256 = hashlib.sha256(data).hexdigest()

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None


@dataclass
class Upload:
    """One asset a client uploaded for a project, addressed by (jobId, type, id)."""

    account: FakeAccount
    job_id: str
    slot: str
    slot_id: str | None
    image_id: str | None
    endpoint: str
    key: str
    declared_type: str | None
    received: StoredObject | None = None
    created: float = field(default_factory=time.time)

    def summary(self) -> dict[str, Any]:
        obj = self.received
        return {
            "job_id": self.job_id,
            "type": self.slot,
            "id": self.slot_id,
            "image_id": self.image_id,
            "endpoint": self.endpoint,
            "content_type": obj.content_type if obj else self.declared_type,
            "size": obj.size if obj else None,
            "sha256": obj.sha256 if obj else None,
            "complete": obj is not None,
        }


class Storage:
    """Objects by key, the uploads registry, and the signed-URL routes."""

    def __init__(self, fake: FakeSupernet, server: FakeServer) -> None:
        self.fake = fake
        self.server = server
        self.objects: dict[str, StoredObject] = {}
        self.uploads: dict[str, Upload] = {}
        server.api_route("PUT", "/_fake/storage/{key:.+}", self._put)
        server.api_route("GET", "/_fake/storage/{key:.+}", self._get)

    # ------------------------------------------------------------------ objects

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self._replace(
            key,
            StoredObject(
                content_type=content_type,
                data=data,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            ),
        )

    def put_lazy(self, key: str, render: Callable[[], bytes], content_type: str) -> None:
        """Store the object ``render()`` makes, called when the object is first read."""
        self._replace(key, StoredObject(content_type=content_type, render=render))

    def _replace(self, key: str, obj: StoredObject) -> None:
        old = self.objects.get(key)
        if old is not None:
            old.close()
        self.objects[key] = obj

    def delete_prefix(self, prefix: str) -> None:
        for key in [k for k in self.objects if k.startswith(prefix)]:
            self.objects.pop(key).close()
        for key in [k for k, u in self.uploads.items() if u.key.startswith(prefix)]:
            del self.uploads[key]

    # ------------------------------------------------------------------ uploads

    def register_upload(self, upload: Upload) -> str:
        """Remember a pending upload slot and return its presigned PUT URL."""
        self.uploads[upload.key] = upload
        return self.signed_url("PUT", upload.key)

    def find_upload(
        self, account: FakeAccount, job_id: str, slot: str, slot_id: str | None = None
    ) -> Upload | None:
        """The latest completed upload of ``account`` for (jobId, type[, id])."""
        best: Upload | None = None
        for upload in self.uploads.values():
            if (
                upload.account is account
                and upload.job_id == job_id
                and upload.slot == slot
                and (slot_id is None or upload.slot_id == slot_id)
                and upload.received is not None
                and (best is None or upload.created >= best.created)
            ):
                best = upload
        return best

    # ------------------------------------------------------------------ signing

    def signed_url(self, method: str, key: str) -> str:
        expires = int(time.time()) + URL_LIFETIME
        query = urlencode({"X-Expires": expires, "X-Signature": self._sign(method, key, expires)})
        return f"{self.fake.rest_url}/_fake/storage/{quote(key, safe='/')}?{query}"

    def _sign(self, method: str, key: str, expires: int) -> str:
        return self.server.sign(f"{method} {key} {expires}")

    def _refusal(self, request: web.Request, method: str, key: str) -> web.Response | None:
        """A plain-text 403 for a bad or expired signature [INV-STORAGE-ERRORS], else None."""
        try:
            expires = int(request.query.get("X-Expires", ""))
        except ValueError:
            return _plain(403, "Missing or malformed signature")
        if request.query.get("X-Signature") != self._sign(method, key, expires):
            return _plain(403, "Signature does not match")
        if expires < time.time():
            return _plain(403, "Request has expired")
        return None

    # ------------------------------------------------------------------ routes

    async def _put(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        refusal = self._refusal(request, "PUT", key)
        if refusal is not None:
            return refusal
        upload = self.uploads.get(key)
        if upload is None:
            return _plain(403, "Unknown upload target")
        declared = request.content_length
        if declared is not None and declared > MAX_UPLOAD_BYTES:
            return _plain(413, "Upload too large")
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY)  # noqa: SIM115
        digest = hashlib.sha256()
        size = 0
        try:
            async for chunk in request.content.iter_chunked(_CHUNK):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    spool.close()
                    return _plain(413, "Upload too large")
                digest.update(chunk)
                spool.write(chunk)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        content_type = request.headers.get("Content-Type") or upload.declared_type or ""
        obj = StoredObject(
            content_type=content_type, spool=spool, size=size, sha256=digest.hexdigest()
        )
        self._replace(key, obj)
        upload.received = obj
        return web.Response(status=200)

    async def _get(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        refusal = self._refusal(request, "GET", key)
        if refusal is not None:
            return refusal
        obj = self.objects.get(key)
        if obj is None:
            return _plain(404, "No such object")
        obj.load()
        headers = {"Content-Type": obj.content_type or "application/octet-stream"}
        if obj.data is not None:
            return web.Response(body=obj.data, headers=headers)
        response = web.StreamResponse(headers=headers)
        response.content_length = obj.size
        await response.prepare(request)
        position = 0
        # Several readers may stream one object at once: each keeps its own position.
        while obj.spool is not None:
            obj.spool.seek(position)
            chunk = obj.spool.read(_CHUNK)
            if not chunk:
                break
            position += len(chunk)
            await response.write(chunk)
        await response.write_eof()
        return response


def _plain(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text)
