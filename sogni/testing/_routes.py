"""REST routes of the fake: account (api host) and catalog (socket host)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._server import ApiError, FakeServer, dumps, json_body, ok, raw

if TYPE_CHECKING:
    from ._fake import FakeSupernet

_SIZE_PRESETS = [
    ("Square", "square", 512, 512, "1:1", "1"),
    ("Square HD", "square_hd", 1024, 1024, "1:1", "1"),
    ("Portrait: Standard", "portrait_7_9", 896, 1152, "7:9", "0.78"),
    ("Portrait: Tall", "portrait_13_19", 832, 1216, "13:19", "0.68"),
    ("Portrait: Phone", "portrait_4_7", 768, 1344, "4:7", "0.57"),
    ("Portrait: Banner", "portrait_5_12", 640, 1536, "5:12", "0.42"),
    ("Landscape: Standard", "landscape_9_7", 1152, 896, "9:7", "1.29"),
    ("Landscape: Wide", "landscape_19_13", 1216, 832, "19:13", "1.46"),
    ("Landscape: Widescreen", "landscape_7_4", 1344, 768, "7:4", "1.75"),
    ("Landscape: Banner", "landscape_12_5", 1536, 640, "12:5", "2.4"),
]

_PLANS = [
    {
        "planId": "unlimited",
        "tier": "unlimited",
        "term": "monthly",
        "interval": "month",
        "priceUsd": 20,
        "displayName": "Unlimited (Monthly)",
        "vendorDiscountBps": 500,
    },
    {
        "planId": "unlimited",
        "tier": "unlimited",
        "term": "annual",
        "interval": "year",
        "priceUsd": 200,
        "displayName": "Unlimited (Annual)",
        "vendorDiscountBps": 500,
    },
    {
        "planId": "unlimited_pro",
        "tier": "unlimited_pro",
        "term": "monthly",
        "interval": "month",
        "priceUsd": 50,
        "displayName": "Unlimited Pro (Monthly)",
        "vendorDiscountBps": 1000,
    },
]


def install(fake: FakeSupernet, server: FakeServer) -> None:
    _install_account(fake, server)
    _install_catalog(fake, server)
    _install_control(fake, server)
    # Later feature modules install their routes and frame handlers here as well.
    for installer in _extension_installers():
        installer(fake, server)


def _extension_installers() -> list[Any]:
    installers: list[Any] = []
    import importlib

    for name in (
        "_auth",
        "_projects",
        "_llm",
        "_hosted",
        "_run_routes",
        "_workflow_routes",
        "_extras",
    ):
        try:
            module = importlib.import_module(f"sogni.testing.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"sogni.testing.{name}":
                raise
            continue
        installers.append(module.install)
    return installers


# --------------------------------------------------------------------------- control plane


def _install_control(fake: FakeSupernet, server: FakeServer) -> None:
    """The control plane over HTTP on the api host, for a fake in another process:
    ``GET /_fake/stats`` (the received log's size and bound, TCP connections per origin),
    ``/_fake/ledger`` (balance movements), ``/_fake/projects`` (each project's id, app id,
    status, prompt, price and charge) and ``/_fake/job-requests`` (the ``jobID`` of every
    ``jobRequest`` frame received, in order). No credentials in any of them."""

    async def stats(request: web.Request) -> web.Response:
        log = fake.received
        return raw(
            {
                "log": {
                    "max_log": log.max_log,
                    "length": len(log),
                    "total": log.total,
                    "dropped": log.dropped,
                },
                "connections": {
                    origin: {
                        "accepted": fake.http_connections(origin),
                        "open": fake.http_connections(origin, open_only=True),
                    }
                    for origin in ("api", "socket")
                },
            }
        )

    async def ledger(request: web.Request) -> web.Response:
        return raw({"entries": [entry.to_json() for entry in fake.ledger()]})

    async def projects(request: web.Request) -> web.Response:
        # What tests of a fake in another process check: no request bodies, no credentials.
        fields = ("id", "app_id", "status", "model_id", "token_type", "prompt", "cost")
        rows = [
            {**{key: p[key] for key in fields}, "charged": p["charged"], "held": p["held"]}
            for p in fake._projects().snapshot()  # on the server loop already
        ]
        return raw({"projects": rows})

    async def job_requests(request: web.Request) -> web.Response:
        rows = [
            {
                "job_id": r.payload.get("jobID") if isinstance(r.payload, dict) else None,
                "app_id": r.app_id,
                "time": r.time,
            }
            for r in fake.frames("jobRequest")
        ]
        return raw({"job_requests": rows})

    server.api_route("GET", "/_fake/stats", stats)
    server.api_route("GET", "/_fake/ledger", ledger)
    server.api_route("GET", "/_fake/projects", projects)
    server.api_route("GET", "/_fake/job-requests", job_requests)


# --------------------------------------------------------------------------- account


def _install_account(fake: FakeSupernet, server: FakeServer) -> None:
    async def me(request: web.Request) -> web.Response:
        account = server.require_account(request)
        return ok(
            {
                "currentEmail": account.email,
                "discord2FA": False,
                "discordLinked": False,
                "discordServerMember": False,
                "discordUsername": "",
                "emailVerified": True,
                "requestedUpdatedEmail": "",
                "username": account.username,
                "walletAddress": account.wallet_address,
            }
        )

    async def balance(request: web.Request) -> web.Response:
        account = server.require_account(request)
        return ok(account.balances_wire(rest=True))

    async def subscription_status(request: web.Request) -> web.Response:
        account = server.require_account(request)
        return ok({"subscription": _rest_subscription(account.subscription)})

    async def plans(request: web.Request) -> web.Response:
        return ok({"plans": _PLANS})

    async def usage(request: web.Request) -> web.Response:
        server.require_account(request)
        return ok({"usage": {"periodRenderSpark": 0, "periodJobs": 0}})

    async def trial(request: web.Request) -> web.Response:
        server.require_account(request)
        return ok({"eligible": True, "reasonCode": "eligible"})

    async def checkout(request: web.Request) -> web.Response:
        _require_session_auth(server, request)
        body = (await json_body(request)) or {}
        plan = body.get("planId")
        if plan not in ("unlimited", "unlimited_pro") or body.get("term") not in (
            "monthly",
            "annual",
        ):
            raise ApiError(400, "Unknown plan or term", 400)
        return ok({"url": f"https://checkout.stripe.test/c/{plan}-{body.get('term')}"})

    async def portal(request: web.Request) -> web.Response:
        _require_session_auth(server, request)
        return ok({"url": "https://billing.stripe.test/p/session"})

    async def rewards(request: web.Request) -> web.Response:
        server.require_account(request)
        return ok(
            {
                "rewards": [
                    {
                        "id": "daily-boost",
                        "type": "instant",
                        "title": "Daily boost",
                        "description": "Free Spark every day",
                        "amount": "10",
                        "tokenType": "spark",
                        "claimed": 0,
                        "canClaim": 1,
                        "cantClaimReason": None,
                        "lastClaimTimestamp": 0,
                        "claimResetFrequencySec": 86400,
                    }
                ]
            }
        )

    async def claim(request: web.Request) -> web.Response:
        server.require_account(request)
        body = (await json_body(request)) or {}
        if not isinstance(body.get("claims"), list) or not body["claims"]:
            raise ApiError(400, "claims must be a non-empty list", 400)
        return ok({})

    async def transactions(request: web.Request) -> web.Response:
        account = server.require_account(request)
        limit = int(request.query.get("limit", "100"))
        rows = [
            {
                "_id": f"tx{i}",
                "id": f"tx{i}",
                "SID": i,
                "address": account.wallet_address,
                "createTime": 1767225600000 + i * 1000,
                "updateTime": 1767225600000 + i * 1000,
                "status": "completed",
                "role": "artist",
                "clientSID": 1,
                "addressSID": account.sid,
                "amount": 0.5,
                "description": "Render",
                "source": "project",
                "sourceSID": i,
                "endTime": 1767225601000 + i * 1000,
                "type": "debit",
                "tokenType": "spark",
            }
            for i in range(min(limit, 3))
        ]
        return ok({"transactions": rows, "next": 0})

    for method, path, handler in (
        ("GET", "/v1/account/me", me),
        ("GET", "/v4/account/balance", balance),
        ("GET", "/v1/subscriptions/status", subscription_status),
        ("GET", "/v1/subscriptions/plans", plans),
        ("GET", "/v1/subscriptions/usage", usage),
        ("GET", "/v1/subscriptions/trial-eligibility", trial),
        ("POST", "/v1/iap/stripe/subscribe", checkout),
        ("POST", "/v1/subscriptions/stripe/portal", portal),
        ("GET", "/v4/account/rewards", rewards),
        ("POST", "/v3/account/reward/claim", claim),
        ("GET", "/v1/transactions/list", transactions),
    ):
        server.api_route(method, path, handler)


def _require_session_auth(server: FakeServer, request: web.Request) -> None:
    server.require_account(request)
    if request.headers.get("api-key"):
        # Stripe checkout and portal refuse API-key auth.
        raise ApiError(403, "This operation is not available with API key authentication", 403)


def _rest_subscription(socket_form: dict[str, Any] | None) -> dict[str, Any]:
    """The REST snapshot for an account's (socket-shaped) entitlement."""
    if not socket_form or not socket_form.get("subscription"):
        return {"active": False, "status": "none"}
    sub = socket_form["subscription"]
    status_map = {
        "grace": "grace_period",
        "revoked": "canceled",
        "needs_reconciliation": "past_due",
    }
    status = sub.get("status") or "none"
    active = bool(socket_form.get("active"))
    if status == "cancelled":
        status = "cancel_at_period_end" if active else "canceled"
    status = status_map.get(status, status)
    out: dict[str, Any] = {"active": active, "status": status}
    for key in ("tier", "term", "provider"):
        if sub.get(key):
            out[key] = sub[key]
    return out


# --------------------------------------------------------------------------- catalog


class _JsonText:
    """The JSON text of a big value that seldom changes (a catalog table some clients fetch for
    every project): written again only when the value no longer equals the copy kept of it
    when it was last written, so a change made any way (``add_model``, a test editing
    ``fake.catalog``) is served at once. Comparing costs a twentieth of writing."""

    def __init__(self) -> None:
        self._copy: Any = None
        self._text: str | None = None

    def response(self, value: Any) -> web.Response:
        if self._text is None or value != self._copy:
            self._text = dumps(value)
            self._copy = json.loads(self._text)
        return web.json_response(text=self._text)


def _install_catalog(fake: FakeSupernet, server: FakeServer) -> None:
    models_text, tiers_text = _JsonText(), _JsonText()

    async def models_list(request: web.Request) -> web.Response:
        return models_text.response(fake.catalog["models"])

    async def tiers(request: web.Request) -> web.Response:
        return tiers_text.response(fake.catalog["tiers"])

    async def size_presets(request: web.Request) -> web.Response:
        model_id = request.match_info["model"]
        if not any(m["id"] == model_id for m in fake.catalog["models"]):
            raise ApiError(404, f"Model {model_id} not found", 404)
        return raw(
            [
                {
                    "label": label,
                    "id": pid,
                    "width": w,
                    "height": h,
                    "ratio": ratio,
                    "aspect": aspect,
                }
                for label, pid, w, h, ratio, aspect in _SIZE_PRESETS
            ]
        )

    async def status_models(request: web.Request) -> web.Response:
        network = request.match_info["network"]
        counts = fake._swarm_models(network)
        by_sid = {
            str(m["SID"]): counts[m["id"]] for m in fake.catalog["models"] if m["id"] in counts
        }
        return raw(by_sid)

    server.socket_route("GET", "/api/v1/models/list", models_list)
    server.socket_route("GET", "/api/v2/models/tiers", tiers)
    server.socket_route("GET", "/api/v1/size-presets/network/{network}/model/{model}", size_presets)
    server.socket_route("GET", "/api/v1/status/network/{network}/models", status_models)


SIZE_PRESETS = _SIZE_PRESETS
