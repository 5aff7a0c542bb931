"""The FakeSupernet servers: the api host and the socket host (WebSocket + ``/api/...`` REST on
one port), on aiohttp, running in one event loop.

Written independently of the client: only the envelope codec is shared.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, WSMsgType, web

from .._wire.envelope import FrameError, decode_frame
from ._coalesce import CoalescingTransport, coalesce
from ._encode import payload_base64
from ._state import ConnectionCounter, FakeAccount, Received, RestFailure, new_id

if TYPE_CHECKING:
    from ._fake import FakeSupernet

log = logging.getLogger("sogni.testing")

FrameHandler = Callable[["Session", Any], Awaitable[None]]
RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Frame types whose envelope start is kept (the fake sends a few dozen).
_MAX_FRAME_HEADS = 256

# Authentication failure shape [INV-AUTH] (see INVENTED.md).
_UNAUTHORIZED = {"status": "error", "message": "Unauthorized", "errorCode": 107}


class ApiError(Exception):
    """Raised by a handler to answer with the api host's error envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        error_code: int | None = None,
        *,
        retry_after: float | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code if error_code is not None else status
        self.retry_after = retry_after
        self.details = details

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "errorCode": self.error_code,
        }
        if self.retry_after is not None:
            out["retryAfter"] = self.retry_after
        if self.details is not None:
            out["details"] = self.details
        return out


async def json_body(request: web.Request) -> Any:
    """The request's JSON body (``None`` when empty or not JSON). aiohttp caches the bytes."""
    data = await request.read()
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def ok(data: Any) -> web.Response:
    """The api host's success envelope."""
    return web.json_response({"status": "success", "data": data}, dumps=dumps)


def raw(data: Any, status: int = 200) -> web.Response:
    """The socket host's unwrapped JSON."""
    return web.json_response(data, status=status, dumps=dumps)


def dumps(value: Any) -> str:
    """Compact JSON, Decimals as strings: the text of :func:`ok` and :func:`raw`."""
    return json.dumps(value, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class Session:
    """One WebSocket connection."""

    def __init__(
        self,
        server: FakeServer,
        session_id: int,
        ws: web.WebSocketResponse,
        request: web.Request,
        account: FakeAccount,
        app_id: str,
        network: str,
        subscriptions: dict[str, bool],
    ) -> None:
        self.server = server
        self.id = session_id
        self.ws = ws
        self.request = request
        self.account = account
        self.app_id = app_id
        self.network = network
        self.subscriptions = subscriptions
        self.authenticated = False
        self.closed = False
        # aiohttp reports 1000 for any close the server starts; remember the code we sent.
        self.sent_close_code: int | None = None
        self.client_name = request.query.get("clientName", "")
        self.opened_at = time.monotonic()
        # A close asked for by another task is carried out by the read loop: aiohttp closes
        # the TCP connection at once when close() races a receive(), and unread client data
        # then turns that into a reset that can swallow the close frame.
        self.close_requested: asyncio.Future[tuple[int, str]] = (
            asyncio.get_running_loop().create_future()
        )
        self.close_done = asyncio.Event()
        self.reading = False
        self.out: CoalescingTransport | None = None

    def wants(self, event: str) -> bool:
        """Whether this connection receives ``event`` under its socket event subscriptions."""
        groups = {"swarmModels": "modelAvailability", "swarmLLMModels": "modelAvailability"}
        opt_in = {"subscriptionLimitNotice", "appAlert", "projectQueue"}
        group = groups.get(event)
        if group is not None and self.subscriptions.get(group) is False:
            return False
        if event in self.subscriptions:
            return bool(self.subscriptions[event])
        if event == "toastMessage" and self.subscriptions.get("appAlert"):
            return False
        return event not in opt_in

    async def send(self, frame_type: str, payload: Any) -> bool:
        """Send one frame (binary, as the production server does). False if it could not."""
        if self.closed or self.ws.closed:
            return False
        # The bytes json.dumps writes for {"type": ..., "data": ...}; base64 needs no escapes.
        heads = self.server.frame_heads
        head = heads.get(frame_type)
        if head is None:
            head = f'{{"type":{json.dumps(frame_type)},"data":"'.encode()
            if len(heads) < _MAX_FRAME_HEADS:  # inject_frame can send any name
                heads[frame_type] = head
        data = head + payload_base64(payload) + b'"}'
        try:
            await self.ws.send_bytes(data)
        except (ConnectionError, RuntimeError):
            return False
        return True

    async def send_raw(self, data: str | bytes) -> None:
        if isinstance(data, str):
            await self.ws.send_str(data)
        else:
            await self.ws.send_bytes(data)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        self.closed = True
        if self.out is not None:
            self.out.flush()  # what was sent before the drop goes out first, as it always did
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    async def close(self, code: int, reason: str = "", *, wait: bool = True) -> None:
        """Close with ``code``. With ``wait``, return once the closing handshake is over (the
        client answered or dropped the connection), or after a second at most: a client that
        does not read its socket would otherwise hold the caller for aiohttp's whole close
        timeout."""
        self.closed = True
        if self.sent_close_code is None:
            self.sent_close_code = code
        if not self.reading:
            await self.ws.close(code=code, message=reason.encode("utf-8"))
            return
        if not self.close_requested.done():
            self.close_requested.set_result((code, reason))
        if wait:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.close_done.wait()), 1.0)


class FakeServer:
    """Both origins of the fake and their shared state. Runs inside one asyncio loop."""

    def __init__(self, fake: FakeSupernet) -> None:
        self.fake = fake
        self.sessions: dict[int, Session] = {}
        # The start of each frame type's envelope, up to the payload's base64.
        self.frame_heads: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        self.frame_handlers: dict[str, FrameHandler] = {
            "changeNetwork": self._on_change_network,
            "setSocketEventSubscriptions": self._on_set_subscriptions,
        }
        self.connect_hooks: list[Callable[[Session], Awaitable[None]]] = []
        self.authenticated_extras: list[Callable[[Session], dict[str, Any]]] = []
        self._runners: list[web.AppRunner] = []
        self.api_app = web.Application(middlewares=[self._middleware("api")])
        self.socket_app = web.Application(middlewares=[self._middleware("socket")])
        self.socket_app.router.add_get("/", self._ws_handler)
        self.refuse_until: float | None = None
        self.refuse_connections = False
        self.restarting = False
        self.stall_pings = False
        self.authenticated_delay = 0.0
        self.withhold_authenticated = False
        self.api_port = 0
        self.socket_port = 0

    # ------------------------------------------------------------------ routes

    def api_route(self, method: str, path: str, handler: RouteHandler) -> None:
        self.api_app.router.add_route(method, path, handler)

    def socket_route(self, method: str, path: str, handler: RouteHandler) -> None:
        self.socket_app.router.add_route(method, path, handler)

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str, api_port: int, socket_port: int) -> None:
        for app, port, name in (
            (self.api_app, api_port, "api"),
            (self.socket_app, socket_port, "socket"),
        ):
            runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
            await runner.setup()
            assert runner.server is not None
            _count_connections(runner.server, name, self.fake._connections)
            site = web.TCPSite(runner, host, port, ssl_context=self.fake.ssl_context)
            await site.start()
            self._runners.append(runner)
            bound = runner.addresses[0][1]
            if name == "api":
                self.api_port = bound
            else:
                self.socket_port = bound

    async def stop(self) -> None:
        for session in list(self.sessions.values()):
            session.abort()
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()

    # ------------------------------------------------------------------ middleware

    def _middleware(self, origin: str) -> Any:
        @web.middleware
        async def middleware(request: web.Request, handler: RouteHandler) -> web.StreamResponse:
            if request.path == "/" and origin == "socket" and request.headers.get("Upgrade"):
                return await handler(request)
            body: Any = None
            raw_body: str | None = None
            if request.can_read_body and not request.path.startswith("/_fake/storage"):
                data = await request.read()
                raw_body = data.decode("utf-8", "replace") if data else None
                try:
                    body = json.loads(data) if data else None
                except ValueError:
                    body = raw_body
            failure = self.fake._take_failure(request.method, request.path)
            status: int | None = None
            try:
                if failure is not None:
                    if failure.delay:
                        await asyncio.sleep(failure.delay)
                    if failure.status:
                        status = failure.status
                        return self._failure_response(origin, failure)
                try:
                    response = await handler(request)
                except ApiError as err:
                    response = self._error_response(origin, err)
                except web.HTTPException as exc:
                    status = exc.status
                    raise
                status = response.status
                if failure is not None and failure.drop and request.transport is not None:
                    # The work was done, but its answer never arrives (a lost response).
                    request.transport.abort()
                return response
            finally:
                # The path only: queries and headers are not logged (credentials travel there).
                log.debug("%s %s %s -> %s", origin, request.method, request.path, status)
                self.fake.received.append(
                    Received(
                        kind="http",
                        time=time.monotonic(),
                        origin=origin,
                        method=request.method,
                        path=request.path,
                        query=dict(request.query),
                        headers=dict(request.headers),
                        body=body,
                        status=status,
                        raw=raw_body,
                    )
                )

        return middleware

    def _error_response(self, origin: str, err: ApiError) -> web.Response:
        headers = {}
        if err.retry_after is not None:
            headers["Retry-After"] = str(int(err.retry_after))
        if origin == "socket":  # [INV-SOCKET-REST-ERR]
            return web.Response(status=err.status, text=err.message, headers=headers)
        return web.json_response(err.body(), status=err.status, headers=headers, dumps=dumps)

    def _failure_response(self, origin: str, failure: RestFailure) -> web.Response:
        headers = {}
        if failure.retry_after is not None:
            headers["Retry-After"] = str(int(failure.retry_after))
        if failure.body is not None:
            if isinstance(failure.body, (dict, list)):
                return web.json_response(
                    failure.body, status=failure.status, headers=headers, dumps=dumps
                )
            return web.Response(status=failure.status, text=str(failure.body), headers=headers)
        err = ApiError(failure.status, _reason(failure.status), failure.status)
        if origin == "socket":
            return web.Response(status=failure.status, text=err.message, headers=headers)
        return web.json_response(err.body(), status=failure.status, headers=headers, dumps=dumps)

    # ------------------------------------------------------------------ auth

    def account_for(self, request: web.Request) -> FakeAccount | None:
        key = request.headers.get("api-key")
        if key:
            return self.fake._account_by_key(key)
        token = request.headers.get("Authorization")
        if not token:
            token = request.cookies.get("authorization")
        if token:
            if token.startswith("Bearer "):
                token = token[len("Bearer ") :]
            return self.fake._account_by_access_token(token)
        return None

    def require_account(self, request: web.Request) -> FakeAccount:
        account = self.account_for(request)
        if account is None:
            raise ApiError(401, "Unauthorized", 107)
        return account

    # ------------------------------------------------------------------ websocket

    async def _ws_handler(self, request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        headers = dict(request.headers)
        record = Received(
            kind="ws_connect",
            time=time.monotonic(),
            origin="socket",
            method="GET",
            path=request.path,
            query=query,
            headers=headers,
            app_id=query.get("appId"),
        )
        self.fake.received.append(record)
        log.debug("socket upgrade from app %r", query.get("appId"))
        if self.refuse_connections or (
            self.refuse_until is not None and time.monotonic() < self.refuse_until
        ):
            return web.Response(status=503, text="Service restarting")  # [INV-RESTART]
        app_id = (query.get("appId") or "").strip()
        if not app_id:
            return web.Response(status=400, text="appId is required")  # [INV-WS-APPID]
        has_credentials = bool(
            request.headers.get("api-key")
            or request.headers.get("Authorization")
            or request.cookies.get("authorization")
        )
        if not has_credentials:
            return web.json_response(_UNAUTHORIZED, status=401)  # [INV-WS-AUTH]
        account = self.account_for(request)
        ws = web.WebSocketResponse(
            autoping=False, max_msg_size=self.fake.max_frame_bytes, compress=False
        )
        await ws.prepare(request)
        if account is None:
            # Known-bad credentials: accept, then close with 4021 so clients drop them
            # instead of retrying forever.
            await ws.close(code=4021, message=b"Authentication failed")
            return ws
        subscriptions = _parse_subscriptions(query.get("socketEventSubscriptions"))
        network = "fast" if query.get("forceWorkerId") == "fast" else "relaxed"
        session = Session(
            self, next(self._ids), ws, request, account, app_id, network, subscriptions
        )
        session.out = coalesce(ws)
        for other in list(self.sessions.values()):
            if other.account is account and other.app_id == app_id and not other.closed:
                # Not waited for: the new connection must not depend on the old client.
                await other.close(4015, "Switched to another connection", wait=False)
        self.sessions[session.id] = session
        try:
            auth_task = asyncio.ensure_future(self._authenticate(session))
            await self._read_loop(session)
            auth_task.cancel()
        finally:
            self.sessions.pop(session.id, None)
            session.closed = True
            self.fake.received.append(
                Received(
                    kind="ws_closed",
                    time=time.monotonic(),
                    origin="socket",
                    connection_id=session.id,
                    app_id=session.app_id,
                    close_code=(
                        session.sent_close_code
                        if session.sent_close_code is not None
                        else ws.close_code
                    ),
                )
            )
            for hook in self.fake._disconnect_hooks:
                try:
                    hook(session)
                except Exception:  # pragma: no cover - a hook bug must not kill the server
                    log.exception("disconnect hook failed")
        return ws

    async def _authenticate(self, session: Session) -> None:
        if self.authenticated_delay:
            await asyncio.sleep(self.authenticated_delay)
        while self.withhold_authenticated and not session.closed:
            await asyncio.sleep(0.01)
        if session.closed:
            return
        account = session.account
        payload: dict[str, Any] = {
            "id": f"c-{session.id}",
            "clientType": "artist",
            "username": account.username,
            "address": account.wallet_address,
            "SID": 800 + session.id,
            "clientSID": 77000 + session.id,
            "addressSID": account.sid,
            "balanceVersion": 2,
            "tokens": {
                "sogni": account.sogni.to_wire(premium=False, rest=False),
                "spark": account.spark.to_wire(premium=False, rest=False),
            },
            "activeProjects": [],
            "unclaimedCompletedProjects": [],
            "isMainnet": True,
            "accountWasMigrated": False,
            "hasUnclaimedAirdrop": False,
            "firstLoginAfterMigration": False,
            "freeSparkLocked": False,
        }
        if account.subscription is not None:
            payload["subscriptionEntitlement"] = account.subscription
        for extra in self.authenticated_extras:
            payload.update(extra(session))
        if not await session.send("authenticated", payload):
            return
        session.authenticated = True
        await session.send("balanceUpdate", account.balances_wire())
        if session.wants("swarmModels"):
            await session.send("swarmModels", self.fake._swarm_models(session.network))
        if session.wants("swarmLLMModels"):
            await session.send("swarmLLMModels", self.fake._swarm_llm_models())
        for hook in self.connect_hooks:
            await hook(session)

    async def _read_loop(self, session: Session) -> None:
        session.reading = True
        try:
            await self._read_frames(session)
        finally:
            session.reading = False
            session.close_done.set()

    async def _read_frames(self, session: Session) -> None:
        ws = session.ws
        while True:
            receive = asyncio.ensure_future(ws.receive())
            try:
                await asyncio.wait(
                    (receive, session.close_requested), return_when=asyncio.FIRST_COMPLETED
                )
            except asyncio.CancelledError:
                receive.cancel()
                return
            if not receive.done():
                receive.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                    await receive
                code, reason = session.close_requested.result()
                # From this task, aiohttp performs the closing handshake: it reads (and drops)
                # what the client still sends until the client's close or EOF.
                await ws.close(code=code, message=reason.encode("utf-8"))
                return
            try:
                msg = receive.result()
            except (asyncio.CancelledError, ConnectionError):
                return
            if msg.type == WSMsgType.PING:
                if not self.stall_pings:
                    await ws.pong(msg.data)
                continue
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                if msg.type == WSMsgType.CLOSE and not ws.closed:
                    await ws.close()
                return
            if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            await self._on_frame(session, msg.data)

    async def _on_frame(self, session: Session, data: str | bytes) -> None:
        raw_text = data if isinstance(data, str) else data.decode("utf-8", "replace")
        try:
            frame = decode_frame(data)
        except FrameError:
            self.fake.received.append(
                Received(
                    kind="frame",
                    time=time.monotonic(),
                    raw=raw_text,
                    connection_id=session.id,
                    app_id=session.app_id,
                    dropped=True,
                )
            )
            return
        dropped = not session.authenticated
        log.debug("%s frame from app %r%s", frame.type, session.app_id, " (dropped)" * dropped)
        self.fake.received.append(
            Received(
                kind="frame",
                time=time.monotonic(),
                frame_type=frame.type,
                payload=frame.payload,
                raw=raw_text,
                connection_id=session.id,
                app_id=session.app_id,
                dropped=dropped,
            )
        )
        if dropped:
            # The real server drops frames that arrive before its ``authenticated`` frame.
            return
        handler = self.frame_handlers.get(frame.type)
        if handler is None:
            return
        try:
            await handler(session, frame.payload)
        except Exception:
            log.exception("fake handler for %s failed", frame.type)

    # ------------------------------------------------------------------ frame handlers

    async def _on_change_network(self, session: Session, payload: Any) -> None:
        if payload in ("fast", "relaxed"):
            session.network = payload
        await session.send("changeNetwork", {"network": session.network})
        if session.wants("swarmModels"):
            await session.send("swarmModels", self.fake._swarm_models(session.network))

    async def _on_set_subscriptions(self, session: Session, payload: Any) -> None:
        if not isinstance(payload, dict):
            return
        flags = session.subscriptions
        if payload.get("reset"):
            flags.clear()
        for name, value in (payload.get("subscriptions") or {}).items():
            if isinstance(value, bool):
                flags[name] = value
        for key, value in (("subscribe", True), ("unsubscribe", False)):
            names = payload.get(key)
            if isinstance(names, str):
                names = [names]
            for name in names or []:
                if isinstance(name, str):
                    flags[name] = value
        event = payload.get("event")
        if isinstance(event, str) and isinstance(payload.get("enabled"), bool):
            flags[event] = payload["enabled"]
        await session.send("socketEventSubscriptionsUpdated", {"socketEventSubscriptions": flags})

    # ------------------------------------------------------------------ helpers

    def sessions_for(
        self, account: FakeAccount | None = None, app_id: str | None = None
    ) -> list[Session]:
        return [
            s
            for s in self.sessions.values()
            if not s.closed
            and (account is None or s.account is account)
            and (app_id is None or s.app_id == app_id)
        ]

    async def broadcast_balance(self, account: FakeAccount) -> None:
        for session in self.sessions_for(account):
            if session.authenticated:
                await session.send("balanceUpdate", account.balances_wire())

    def sign(self, key: str) -> str:
        digest = hmac.new(self.fake._signing_key, key.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def _count_connections(server: web.Server, origin: str, counter: ConnectionCounter) -> None:
    """Count the TCP connections ``server`` accepts and loses: aiohttp's server object hears of
    each connection once, when it is made and when it is lost, whatever it carries (REST
    calls kept alive, a WebSocket), so the counts are connections, not requests."""
    made, lost = server.connection_made, server.connection_lost

    def connection_made(handler: Any, transport: Any) -> None:
        counter.opened(origin)
        made(handler, transport)

    def connection_lost(handler: Any, exc: BaseException | None = None) -> None:
        counter.closed(origin)
        lost(handler, exc)

    # Instance attributes shadow the methods (the protocol calls them through the instance).
    setattr(server, "connection_made", connection_made)  # noqa: B010
    setattr(server, "connection_lost", connection_lost)  # noqa: B010


def _parse_subscriptions(raw_value: str | None) -> dict[str, bool]:
    if not raw_value:
        return {}
    try:
        parsed = json.loads(raw_value)
    except ValueError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {k: v for k, v in parsed.items() if isinstance(v, bool)}


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


__all__ = [
    "ApiError",
    "FakeServer",
    "Session",
    "WSCloseCode",
    "dumps",
    "json_body",
    "new_id",
    "ok",
    "raw",
]
