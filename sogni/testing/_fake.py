"""``FakeSupernet``: a faithful local Sogni Supernet for tests, demos and offline development."""

from __future__ import annotations

import asyncio
import concurrent.futures
import secrets
import ssl
import threading
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from ._extras_control import ExtrasControl
from ._llm_control import LlmControl
from ._runs_control import RunsControl
from ._state import (
    ConnectionCounter,
    FakeAccount,
    LedgerEntry,
    LedgerLog,
    Received,
    ReceivedLog,
    RestFailure,
    load_catalog,
    new_api_key,
    wallet_address_for,
)
from ._workflows_control import WorkflowsControl

if TYPE_CHECKING:
    from ._projects import ProjectsExtension
    from ._server import FakeServer, Session

__all__ = ["FakeSupernet"]

T = TypeVar("T")

_DEFAULT_WALLET = "0x1111111111111111111111111111111111111111"


class FakeSupernet(LlmControl, RunsControl, WorkflowsControl, ExtrasControl):
    """The api host and the socket host of the Supernet, on 127.0.0.1 with free ports.

    Use it as a context manager (or ``start()``/``stop()``). Everything runs on one background
    event loop; every control method is thread-safe and returns once the change is in effect.

    ``time_scale`` multiplies every simulated duration (queue waits, render steps, token
    cadence): ``0.01`` makes a 10-second render take 100 ms.

    ``max_log`` bounds :attr:`received` (the oldest records are dropped first); the default,
    ``None``, keeps everything, as tests that inspect the whole log need. A fake that runs for
    days should set it (``python -m sogni.testing`` keeps 10,000 records by default).

    ``ssl_context`` (a server-side context holding a certificate, e.g. from ``trustme``) serves
    both hosts over TLS: the URLs become ``https://`` and ``wss://``.
    """

    _projects_ext: ProjectsExtension | None = None

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        api_port: int = 0,
        socket_port: int = 0,
        api_key: str | None = None,
        time_scale: float = 0.02,
        seed: int = 0,
        max_frame_bytes: int = 100 * 1024 * 1024,
        max_log: int | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("FakeSupernet only listens on loopback")
        self.host = host
        self._requested_ports = (api_port, socket_port)
        self.time_scale = time_scale
        self.seed = seed
        self.max_frame_bytes = max_frame_bytes
        self.ssl_context = ssl_context
        self.received = ReceivedLog(max_log)
        self.ledger_log = LedgerLog(max_log)
        self._connections = ConnectionCounter()
        self.catalog = load_catalog()
        self._signing_key = secrets.token_bytes(32)
        self.access_token_ttl: float = 3600.0
        """Lifetime of minted access tokens, in real seconds (0: already expired)."""
        self.refresh_token_ttl: float = 30 * 86400.0
        """Lifetime of minted refresh tokens, in real seconds."""
        self._auth_ext: Any = None  # sign-in sessions and JWTs, set by the server's _auth module
        self._lock = threading.Lock()
        self._failures: list[RestFailure] = []
        self._disconnect_hooks: list[Callable[[Session], None]] = []
        self.accounts: list[FakeAccount] = []
        self.api_key = api_key or new_api_key()
        self.account = self.add_account(
            username="alice",
            email="alice@example.com",
            wallet_address=_DEFAULT_WALLET,
            api_key=self.api_key,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: FakeServer | None = None
        self.worker_counts: dict[str, int] = {}
        self.llm_models: dict[str, Any] = {}
        """The ``swarmLLMModels`` push (filled with the default LLMs when the server starts)."""
        self.llm_tokens_per_second = 50.0
        """Simulated LLM speed (one ``jobTokens`` frame per word), scaled by ``time_scale``."""
        self.llm_rebind_grace = 30.0
        """Seconds (real time) an LLM job waits for its artist to reconnect before it ends."""
        self._llm: Any = None
        self._extensions_ready = False

    # ------------------------------------------------------------------ accounts

    def add_account(
        self,
        *,
        username: str,
        email: str | None = None,
        wallet_address: str | None = None,
        api_key: str | None = None,
        password: str | None = None,
    ) -> FakeAccount:
        """Register an account. With ``password`` (and no ``wallet_address``) its wallet is
        derived from username and password, so ``SogniClient.login`` works for it."""
        if wallet_address is None and password is not None:
            wallet_address = wallet_address_for(username, password)
        account = FakeAccount(
            username=username,
            email=email or f"{username.lower()}@example.com",
            wallet_address=wallet_address or "0x" + secrets.token_hex(20),
            password=password,
        )
        if api_key:
            account.api_keys.add(api_key)
        with self._lock:
            self.accounts.append(account)
        return account

    def _account_by_key(self, key: str) -> FakeAccount | None:
        with self._lock:
            for account in self.accounts:
                if key in account.api_keys:
                    return account
        return None

    def _account_by_access_token(self, token: str) -> FakeAccount | None:
        auth = getattr(self, "_auth_ext", None)
        if auth is None:
            return None
        result: FakeAccount | None = auth.account_for_access_token(token)
        return result

    def issue_tokens(
        self,
        account: FakeAccount | None = None,
        *,
        access_ttl: float | None = None,
        refresh_ttl: float | None = None,
    ) -> dict[str, str]:
        """Start a sign-in session as a login would and return ``{"token", "refreshToken"}``
        (TTLs in real seconds; default ``access_token_ttl``/``refresh_token_ttl``; a TTL of 0 or
        less gives an already expired token)."""
        target = account or self.account

        def issue() -> dict[str, str]:
            pair: dict[str, str] = self._auth_ext.issue(
                target, access_ttl=access_ttl, refresh_ttl=refresh_ttl
            )
            return pair

        tokens: dict[str, str] = self.call(issue)
        return tokens

    # ------------------------------------------------------------------ lifecycle

    @property
    def rest_url(self) -> str:
        """The api host (``restEndpoint`` / ``rest_endpoint``)."""
        return f"{self._scheme('http')}://{self._url_host}:{self._require_server().api_port}"

    @property
    def socket_url(self) -> str:
        """The socket host (``socketEndpoint`` / ``socket_endpoint``)."""
        return f"{self._scheme('ws')}://{self._url_host}:{self._require_server().socket_port}"

    @property
    def socket_rest_url(self) -> str:
        return f"{self._scheme('http')}://{self._url_host}:{self._require_server().socket_port}"

    def _scheme(self, plain: str) -> str:
        return plain + "s" if self.ssl_context is not None else plain

    @property
    def _url_host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> FakeSupernet:
        if self._server is not None:
            return self
        try:
            from . import _server  # noqa: F401  (fails clearly without the extra)
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "FakeSupernet needs the 'testing' extra: pip install 'sogni[testing]'"
            ) from exc
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._run_loop, args=(ready,), name="fake-supernet", daemon=True
        )
        self._thread.start()
        ready.result(timeout=30)
        return self

    def _run_loop(self, ready: concurrent.futures.Future[None]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            server = self._build_server()
            api_port, socket_port = self._requested_ports
            loop.run_until_complete(server.start(self.host, api_port, socket_port))
            self._server = server
        except BaseException as exc:
            ready.set_exception(exc)
            loop.close()
            return
        ready.set_result(None)
        try:
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(server.stop())
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    def _build_server(self) -> FakeServer:
        from . import _routes
        from ._server import FakeServer

        server = FakeServer(self)
        _routes.install(self, server)
        return server

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._server = None
        self._loop = None
        self._thread = None

    def __enter__(self) -> FakeSupernet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"rest_url={self.rest_url!r}" if self.running else "stopped"
        return f"FakeSupernet({state})"

    def _require_server(self) -> FakeServer:
        if self._server is None:
            raise RuntimeError("FakeSupernet is not running; call start() or use 'with'")
        return self._server

    # ------------------------------------------------------------------ running on the loop

    def call(self, fn: Callable[[], Any], timeout: float = 10) -> Any:
        """Run ``fn`` on the server's loop (awaiting it if it is a coroutine) and return its
        result. The way every control method touches server state."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("FakeSupernet is not running")

        async def runner() -> Any:
            result = fn()
            if asyncio.iscoroutine(result):
                return await result
            return result

        return asyncio.run_coroutine_threadsafe(runner(), loop).result(timeout)

    def spawn(self, coro: Awaitable[Any]) -> None:
        """Start a task on the server loop (used by simulated workers)."""
        loop = self._loop
        if loop is None:
            return
        asyncio.run_coroutine_threadsafe(_await(coro), loop)

    async def sleep(self, seconds: float) -> None:
        """A simulated wait, scaled by ``time_scale``."""
        await asyncio.sleep(max(0.0, seconds * self.time_scale))

    # ------------------------------------------------------------------ control plane: REST

    def fail_next(
        self,
        status: int = 503,
        *,
        path: str | None = None,
        method: str | None = None,
        retry_after: float | None = None,
        times: int = 1,
        body: Any = None,
    ) -> None:
        """Answer the next ``times`` matching REST calls with ``status`` (and ``Retry-After``)."""
        with self._lock:
            self._failures.append(RestFailure(status, path, method, retry_after, body, times))

    def delay_next(
        self, seconds: float, *, path: str | None = None, method: str | None = None, times: int = 1
    ) -> None:
        """Hold the next matching REST calls for ``seconds`` (real time) before answering.
        Downloads and uploads of result media are held too when ``path`` starts with
        ``/_fake/storage/``."""
        with self._lock:
            self._failures.append(RestFailure(0, path, method, None, None, times, delay=seconds))

    def _take_failure(self, method: str, path: str) -> RestFailure | None:
        control = path.startswith("/_fake/")
        with self._lock:
            for failure in self._failures:
                # The control plane is never failed; the storage host only when a rule names it.
                if control and not (failure.path or "").startswith("/_fake/storage/"):
                    continue
                if failure.matches(method, path):
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                    return failure
        return None

    # ------------------------------------------------------------------ control plane: socket

    @property
    def connection_count(self) -> int:
        return int(self.call(lambda: len(self._require_server().sessions_for())))

    def http_connections(self, origin: str | None = "api", *, open_only: bool = False) -> int:
        """TCP connections accepted so far on ``origin``: ``"api"`` (the api host),
        ``"socket"`` (the socket host, WebSockets and its REST calls) or ``None`` (both).
        With ``open_only``, those still open. A kept-alive connection counts once however many
        requests it carries, so a client that reuses its connections keeps this low.
        Thread-safe; counts run from construction and survive :meth:`stop`."""
        return self._connections.count(origin, open_only=open_only)

    def wait_for_connections(self, count: int = 1, *, timeout: float = 10.0) -> None:
        """Block until ``count`` authenticated connections are open."""
        deadline = time.monotonic() + timeout
        while True:
            live = self.call(
                lambda: sum(1 for s in self._require_server().sessions_for() if s.authenticated)
            )
            if live >= count:
                return
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{live} of {count} connections after {timeout}s")
            time.sleep(0.005)

    def drop_connections(self, *, app_id: str | None = None) -> int:
        """Abort matching sockets at the TCP level (no close frame). Returns how many."""

        def drop() -> int:
            sessions = self._require_server().sessions_for(app_id=app_id)
            for session in sessions:
                session.abort()
            return len(sessions)

        return int(self.call(drop))

    def close_connections(
        self, code: int = 1000, reason: str = "", *, app_id: str | None = None
    ) -> int:
        """Close matching sockets with ``code``. Returns how many."""

        async def close() -> int:
            sessions = self._require_server().sessions_for(app_id=app_id)
            for session in sessions:
                await session.close(code, reason)
            return len(sessions)

        return int(self.call(close))

    def restart(self, *, downtime: float = 0.2) -> None:
        """Simulate a platform release: close every socket with 1001 and refuse new ones for
        ``downtime`` seconds (real time). Projects survive and are re-announced on reconnect."""

        async def restart() -> None:
            server = self._require_server()
            server.refuse_until = time.monotonic() + downtime
            for session in server.sessions_for():
                await session.close(1001, "Server restarting")

        self.call(restart)

    def refuse_connections(self, refuse: bool = True) -> None:
        """Answer every WebSocket upgrade with HTTP 503 until called with ``False``."""

        def apply() -> None:
            self._require_server().refuse_connections = refuse

        self.call(apply)

    def set_restarting(self, restarting: bool = True) -> None:
        """While set, new ``jobRequest`` messages are refused with project-level error 1001."""

        def apply() -> None:
            self._require_server().restarting = restarting

        self.call(apply)

    def stall_pings(self, stall: bool = True) -> None:
        """Stop (or resume) answering WebSocket pings: a half-open connection."""

        def apply() -> None:
            self._require_server().stall_pings = stall

        self.call(apply)

    def delay_authenticated(self, seconds: float) -> None:
        """Wait ``seconds`` (real time) before sending ``authenticated`` on new connections."""

        def apply() -> None:
            self._require_server().authenticated_delay = seconds

        self.call(apply)

    def withhold_authenticated(self, withhold: bool = True) -> None:
        """Never send ``authenticated`` on new connections until called with ``False``."""

        def apply() -> None:
            self._require_server().withhold_authenticated = withhold

        self.call(apply)

    def inject_frame(
        self,
        frame_type: str | None = None,
        payload: Any = None,
        *,
        raw: str | bytes | None = None,
        app_id: str | None = None,
    ) -> int:
        """Send a frame (or raw bytes/text) to every matching connection. Returns how many."""

        async def inject() -> int:
            sessions = self._require_server().sessions_for(app_id=app_id)
            for session in sessions:
                if raw is not None:
                    await session.send_raw(raw)
                else:
                    assert frame_type is not None
                    await session.send(frame_type, payload)
            return len(sessions)

        return int(self.call(inject))

    # ------------------------------------------------------------------ control plane: state

    def set_balance(
        self,
        amount: Decimal | int | str,
        *,
        token_type: str = "spark",
        account: FakeAccount | None = None,
    ) -> None:
        """Set an account's settled balance (and push a ``balanceUpdate``)."""
        target = account or self.account

        async def apply() -> None:
            ledger = target.ledger(token_type)
            ledger.settled = Decimal(str(amount))
            ledger.debit = Decimal(0)
            await self._require_server().broadcast_balance(target)

        self.call(apply)

    def ledger(
        self, token_type: str | None = None, *, account: FakeAccount | None = None
    ) -> list[LedgerEntry]:
        """The balance movements so far, oldest first (optionally of one token type or one
        account): holds when renders are admitted, their releases, and charges."""
        return [
            entry
            for entry in self.ledger_log.snapshot()
            if (token_type is None or entry.token_type == token_type)
            and (account is None or entry.account == account.username)
        ]

    def frames(self, frame_type: str | None = None) -> list[Received]:
        """Client frames received so far (optionally of one type)."""
        return [
            r
            for r in self.received
            if r.kind == "frame" and (frame_type is None or r.frame_type == frame_type)
        ]

    def requests(self, path: str | None = None, *, method: str | None = None) -> list[Received]:
        """REST calls received so far (optionally by path prefix and method)."""
        return [
            r
            for r in self.received
            if r.kind == "http"
            and (path is None or (r.path or "").startswith(path))
            and (method is None or r.method == method.upper())
        ]

    def wait_for_frame(
        self, frame_type: str, *, count: int = 1, timeout: float = 10.0
    ) -> list[Received]:
        return self.received.wait_for(
            lambda r: r.kind == "frame" and r.frame_type == frame_type, count=count, timeout=timeout
        )

    # ------------------------------------------------------------------ catalog views

    def _swarm_models(self, network: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        # [INV-NETWORKS] the catalog's `serving` data says which network runs a model: the
        # CoreML models and Flux Schnell run on both (the official examples render CoreML on a
        # `fast` client); every other model, vendor, video and audio included, on fast only.
        serving = self.catalog.get("serving", {})
        for model in self.catalog["models"]:
            if network not in serving.get(model["id"], {}).get("networks", ["fast"]):
                continue
            counts[model["id"]] = self.worker_counts.get(model["id"], 3)
        return counts

    def _swarm_llm_models(self) -> dict[str, Any]:
        return dict(self.llm_models)

    # ------------------------------------------------------------------ control plane: projects
    #
    # Media projects (sogni.testing._projects). Every method is thread-safe: it runs on the
    # server loop and returns once the change is in effect.

    def _projects(self) -> ProjectsExtension:
        ext = self._projects_ext
        if ext is None or self._server is None:
            raise RuntimeError("FakeSupernet is not running; call start() or use 'with'")
        return ext

    def pause_workers(self) -> None:
        """Workers stop taking work: queued projects stay queued (``jobState:queued`` keeps
        coming every 0.5 simulated s, without a start estimate) and renders in progress freeze
        between steps, until :meth:`resume_workers`."""
        ext = self._projects()
        self.call(lambda: ext.set_paused(True))

    def resume_workers(self) -> None:
        ext = self._projects()
        self.call(lambda: ext.set_paused(False))

    def hold_results(self, hold: bool = True) -> None:
        """While held, workers finish rendering but keep their ``jobResult`` (and so the
        project's completion) until called with ``False``."""
        ext = self._projects()
        self.call(lambda: ext.set_holding(hold))

    def forget_project(self, project_id: str) -> bool:
        """The server loses every record of a project: its workers stop, no more frames, and it
        is absent from the ``authenticated`` lists, sync, the live list and REST (404), as after a
        crash. Its hold is released. Returns whether the project existed."""
        ext = self._projects()
        return bool(self.call(lambda: ext.forget(project_id)))

    def drop_after_job_request(self, received: bool) -> None:
        """Abort the connection (no close frame) right after the next ``jobRequest`` arrives.
        ``received=True``: the server keeps and runs the project, so it shows up in the next
        ``authenticated`` frame; ``received=False``: the request is discarded as if it never
        arrived, so only a client resend can start it."""
        ext = self._projects()

        def apply() -> None:
            ext.drop_next = received

        self.call(apply)

    def fail_next_job(
        self,
        job_index: int | None = None,
        *,
        error: str | int = "genfailure",
        error_message: str = "Generation failed on worker",
        after_steps: int = 1,
    ) -> None:
        """The next job attempt (of any project) with ``job_index`` (any index if None) fails
        after ``after_steps`` progress steps with a job-level ``jobError``. Rules queue up."""
        self._add_job_rule("fail_rules", job_index, error, error_message, after_steps)

    def retry_next_job(
        self,
        job_index: int | None = None,
        *,
        error: str | int = "workerDisconnected",
        error_message: str = "Worker disconnected",
        after_steps: int = 1,
    ) -> None:
        """The next job attempt with ``job_index`` (any if None) is abandoned by its worker after
        ``after_steps`` steps: ``jobRetry``, then the render is reassigned under a new ``imgID``
        with the same ``jobIndex``."""
        self._add_job_rule("retry_rules", job_index, error, error_message, after_steps)

    def _add_job_rule(
        self, kind: str, job_index: int | None, error: str | int, message: str, after_steps: int
    ) -> None:
        from ._project_records import JobRule

        ext = self._projects()
        rule = JobRule(job_index, error, message, after_steps)
        self.call(lambda: getattr(ext, kind).append(rule))

    def refuse_next_cancel(
        self,
        error_message: str = "The provider already started this render and cannot cancel it.",
    ) -> None:
        """Answer the next cancel with ``didCancel:false`` and ``error_message``; the project
        keeps running."""
        ext = self._projects()
        self.call(lambda: ext.cancel_refusals.append(error_message))

    def ignore_next_cancel(self) -> None:
        """Never answer the next cancel (the project keeps running): exercises a client's
        confirmation timeout."""
        ext = self._projects()

        def apply() -> None:
            ext.cancels_to_ignore += 1

        self.call(apply)

    def set_worker_count(self, model_id: str, count: int) -> None:
        """Set how many workers serve ``model_id`` and push ``swarmModels``. With 0 workers,
        new projects wait in the queue with ``queueStatus:"no-workers"``."""

        async def apply() -> None:
            self.worker_counts[model_id] = count
            for session in self._require_server().sessions_for():
                if session.authenticated and session.wants("swarmModels"):
                    await session.send("swarmModels", self._swarm_models(session.network))

        self.call(apply)

    def add_model(
        self,
        model_id: str,
        *,
        tier: dict[str, Any],
        media: str = "image",
        name: str | None = None,
        serving: dict[str, Any] | None = None,
    ) -> None:
        """Serve one more model, as if the Supernet had just added it.

        ``tier`` is its entry in ``/api/v2/models/tiers`` (stored under ``model_id``), in the
        tier shape of ``data/catalog.json`` (``type``, ``benchmark``, ``steps``…); ``serving``
        holds the facts the public catalog does not carry (``networks``, ``size``, ``family``…,
        see that file's ``serving._doc``). Clients that fetch the catalog afterwards see the
        model, and connected ones get a ``swarmModels`` push. Works before ``start()`` too.
        """

        def apply() -> None:
            if any(m["id"] == model_id for m in self.catalog["models"]):
                raise ValueError(f"model {model_id!r} is already in the catalog")
            sid = 1 + max((int(m.get("SID", 0)) for m in self.catalog["models"]), default=0)
            self.catalog["tiers"][model_id] = tier
            self.catalog["models"].append(
                {
                    "id": model_id,
                    "name": name or model_id,
                    "SID": sid,
                    "tier": model_id,
                    "media": media,
                }
            )
            if serving is not None:
                self.catalog.setdefault("serving", {})[model_id] = serving

        if self._server is None:
            apply()
            return

        async def apply_and_push() -> None:
            apply()
            for session in self._require_server().sessions_for():
                if session.authenticated and session.wants("swarmModels"):
                    await session.send("swarmModels", self._swarm_models(session.network))

        self.call(apply_and_push)

    def projects_snapshot(self) -> list[dict[str, Any]]:
        """Plain-data copies of every project the server knows: ids, status (the raw server
        names: active, assigned, progress, completed, errored, cancelled), plan (with ``media``:
        image, video or audio, and for video ``frames``/``fps``, for video and audio
        ``duration`` in seconds), cost, hold, the original request, and per job its ``imgID``,
        status, seed, attempts and media."""
        ext = self._projects()
        snapshot: list[dict[str, Any]] = self.call(ext.snapshot)
        return snapshot

    def project_snapshot(self, project_id: str) -> dict[str, Any] | None:
        for project in self.projects_snapshot():
            if project["id"] == project_id.upper():
                return project
        return None

    def wait_for_project(
        self, project_id: str, *, status: str | None = None, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Block until the project exists (and, with ``status``, has that raw status; with
        ``status="finished"``, any terminal one). Returns its snapshot."""
        deadline = time.monotonic() + timeout
        while True:
            project = self.project_snapshot(project_id)
            if project is not None and (
                status is None
                or project["status"] == status
                or (status == "finished" and project["finished"])
            ):
                return project
            if time.monotonic() >= deadline:
                state = project["status"] if project else "unknown"
                raise TimeoutError(f"project {project_id} is {state} after {timeout}s")
            time.sleep(0.005)

    def uploads(self, project_id: str | None = None) -> list[dict[str, Any]]:
        """Uploads received (or announced) per project: slot, size, sha256, content type."""
        ext = self._projects()

        def collect() -> list[dict[str, Any]]:
            rows = [u.summary() for u in ext.storage.uploads.values()]
            if project_id is not None:
                rows = [r for r in rows if r["job_id"] == project_id.upper()]
            return rows

        rows: list[dict[str, Any]] = self.call(collect)
        return rows


async def _await(coro: Awaitable[Any]) -> Any:
    return await coro
