"""FakeSupernet sign-in: nonces, EIP-712 login, JWT access/refresh tokens, rotation, logout.

Server-side code, written independently of the client's ``sogni.auth``/``sogni._wallet``.
Tokens are real-shaped HS256 JWTs signed with the fake's key. Every login starts a session;
access tokens are valid while unexpired and their session lives; a refresh token works once
(rotation) and only while it is its session's latest one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._server import ApiError, FakeServer, json_body, ok
from ._state import FakeAccount

if TYPE_CHECKING:
    from ._fake import FakeSupernet

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_ENV = "production"  # [INV-JWT] the clients never read ``env``
_UNAUTHORIZED_CODE = 107  # [INV-AUTH] as for every other 401 of the fake
_CONTRACT = "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"
# [INV-LOGIN-DOMAIN] The fake serves both networks, so it accepts a signature made for either
# signing domain (mainnet "Sogni AI"/8453 or testnet "Sogni-testnet"/84532).
_DOMAINS = (
    {"name": "Sogni AI", "version": "1", "chainId": 8453, "verifyingContract": _CONTRACT},
    {"name": "Sogni-testnet", "version": "1", "chainId": 84532, "verifyingContract": _CONTRACT},
)
_AUTH_TYPES = {
    "Authentication": [
        {"name": "walletAddress", "type": "address"},
        {"name": "nonce", "type": "string"},
    ]
}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class LoginSession:
    """One sign-in: its account and the id of the only refresh token that may be used next."""

    id: str
    account: FakeAccount
    refresh_id: str
    remember_me: bool = False
    revoked: bool = False


class AuthExtension:
    """Nonces, sessions and token minting/checking. Used on the server loop only."""

    def __init__(self, fake: FakeSupernet) -> None:
        self.fake = fake
        self.nonces: dict[str, str] = {}
        self.sessions: dict[str, LoginSession] = {}

    # ------------------------------------------------------------------ JWT

    def _mint(self, claims: dict[str, Any]) -> str:
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{payload}".encode("ascii")
        signature = hmac.new(self.fake._signing_key, signing_input, hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64url(signature)}"

    def _verified_claims(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this fake signed, or None (expiry is checked by callers)."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii", "replace")
        expected = hmac.new(self.fake._signing_key, signing_input, hashlib.sha256).digest()
        try:
            if not hmac.compare_digest(expected, _b64url_decode(parts[2])):
                return None
            claims = json.loads(_b64url_decode(parts[1]))
        except (ValueError, binascii.Error):
            return None
        return claims if isinstance(claims, dict) else None

    def _pair(
        self, session: LoginSession, access_ttl: float | None, refresh_ttl: float | None
    ) -> dict[str, str]:
        now = time.time()
        access_ttl = self.fake.access_token_ttl if access_ttl is None else access_ttl
        refresh_ttl = self.fake.refresh_token_ttl if refresh_ttl is None else refresh_ttl
        session.refresh_id = secrets.token_hex(8)
        # ``sid``/``jti`` are extra claims [INV-JWT]: they tie tokens to a session and make
        # every token distinct, even two minted in the same second.
        access = self._mint(
            {
                "addr": session.account.wallet_address,
                "env": _ENV,
                "iat": int(now),
                "exp": int(now + access_ttl),
                "sid": session.id,
                "jti": secrets.token_hex(8),
            }
        )
        refresh = self._mint(
            {
                "type": "refresh",
                "env": _ENV,
                "iat": int(now),
                "exp": int(now + refresh_ttl),
                "sid": session.id,
                "jti": session.refresh_id,
            }
        )
        return {"token": access, "refreshToken": refresh}

    def issue(
        self,
        account: FakeAccount,
        *,
        access_ttl: float | None = None,
        refresh_ttl: float | None = None,
        remember_me: bool = False,
    ) -> dict[str, str]:
        session = LoginSession(secrets.token_hex(8), account, "", remember_me)
        self.sessions[session.id] = session
        return self._pair(session, access_ttl, refresh_ttl)

    def account_for_access_token(self, token: str) -> FakeAccount | None:
        claims = self._verified_claims(token)
        if claims is None or claims.get("type") == "refresh":
            return None
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or exp <= time.time():
            return None
        session = self.sessions.get(str(claims.get("sid")))
        if session is None or session.revoked:
            return None
        return session.account

    # ------------------------------------------------------------------ operations

    def new_nonce(self, wallet: str) -> str:
        nonce = secrets.token_hex(16)  # [INV-NONCE] one live nonce per wallet, single use
        self.nonces[wallet.lower()] = nonce
        return nonce

    def login(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(400, "Request body must be a JSON object", 400)
        wallet = body.get("walletAddress")
        signature = body.get("signature")
        if not isinstance(wallet, str) or not _ADDRESS.match(wallet):
            raise ApiError(400, "walletAddress must be an Ethereum address", 400)
        if not isinstance(signature, str) or not signature:
            raise ApiError(400, "signature is required", 400)
        # [INV-LOGIN-ERR] every login refusal is a 401 with the generic code.
        nonce = self.nonces.pop(wallet.lower(), None)
        if nonce is None:
            raise ApiError(
                401, "No pending nonce for this wallet; request a new one", _UNAUTHORIZED_CODE
            )
        if not _signature_matches(wallet, nonce, signature):
            raise ApiError(401, "Invalid signature", _UNAUTHORIZED_CODE)
        account = self._account_by_wallet(wallet)
        if account is None:
            raise ApiError(401, "Invalid username or password", _UNAUTHORIZED_CODE)
        # [INV-REMEMBER-ME] rememberMe is recorded but does not change token lifetimes.
        pair = self.issue(account, remember_me=body.get("rememberMe") is True)
        return {**pair, "username": account.username}

    def refresh(self, body: Any) -> dict[str, str]:
        token = body.get("refreshToken") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiError(400, "refreshToken is required", 400)
        claims = self._verified_claims(token)
        if claims is None or claims.get("type") != "refresh":
            raise ApiError(401, "Invalid refresh token", _UNAUTHORIZED_CODE)
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or exp <= time.time():
            raise ApiError(401, "Refresh token expired", _UNAUTHORIZED_CODE)
        session = self.sessions.get(str(claims.get("sid")))
        if session is None or session.revoked:
            raise ApiError(401, "Session ended", _UNAUTHORIZED_CODE)
        if claims.get("jti") != session.refresh_id:
            # [INV-REFRESH-ROTATE] a used (rotated-out) refresh token is refused; the session
            # itself stays valid.
            raise ApiError(401, "Refresh token already used", _UNAUTHORIZED_CODE)
        return self._pair(session, None, None)

    def logout(self, token: str | None) -> None:
        if token is None:
            return  # [INV-LOGOUT-APIKEY] an API-key caller has no session to end
        claims = self._verified_claims(token) or {}
        session = self.sessions.get(str(claims.get("sid")))
        if session is not None:
            session.revoked = True

    def _account_by_wallet(self, wallet: str) -> FakeAccount | None:
        for account in list(self.fake.accounts):
            if account.wallet_address.lower() == wallet.lower():
                return account
        return None


def _signature_matches(wallet: str, nonce: str, signature: str) -> bool:
    try:
        from eth_account import Account
        from eth_account.messages import encode_typed_data
    except ImportError:
        # [INV-LOGIN-NOVERIFY] without eth-account the fake cannot check signatures and
        # accepts any login for a known wallet that asked for a nonce.
        return True
    for domain in _DOMAINS:
        signable = encode_typed_data(
            domain_data=domain,
            message_types=_AUTH_TYPES,
            message_data={"walletAddress": wallet, "nonce": nonce},
        )
        try:
            signer = Account.recover_message(signable, signature=signature)
        except Exception:  # malformed signatures raise assorted errors
            return False
        if str(signer).lower() == wallet.lower():
            return True
    return False


def _request_token(request: web.Request) -> str | None:
    token = request.headers.get("Authorization") or request.cookies.get("authorization")
    if not token or request.headers.get("api-key"):
        return None
    return token[len("Bearer ") :] if token.startswith("Bearer ") else token


def install(fake: FakeSupernet, server: FakeServer) -> None:
    ext = AuthExtension(fake)
    fake._auth_ext = ext

    async def nonce(request: web.Request) -> web.Response:
        body = await json_body(request)
        wallet = body.get("walletAddress") if isinstance(body, dict) else None
        if not isinstance(wallet, str) or not _ADDRESS.match(wallet):
            raise ApiError(400, "walletAddress must be an Ethereum address", 400)
        return ok({"nonce": ext.new_nonce(wallet)})

    async def login(request: web.Request) -> web.Response:
        return ok(ext.login(await json_body(request)))

    async def refresh(request: web.Request) -> web.Response:
        return ok(ext.refresh(await json_body(request)))

    async def logout(request: web.Request) -> web.Response:
        server.require_account(request)
        ext.logout(_request_token(request))
        return ok({})  # [INV-LOGOUT] the clients ignore the answer's data

    for path, handler in (
        ("/v1/account/nonce", nonce),
        ("/v1/account/login", login),
        ("/v1/account/refresh-token", refresh),
        ("/v1/account/logout", logout),
    ):
        server.api_route("POST", path, handler)
