"""Account models and the ``client.account`` namespace."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ._wire.fields import wire

if TYPE_CHECKING:
    from ._core_protocols import AccountCore
    from ._wire.messages import Authenticated
    from .config import ClientConfig

__all__ = [
    "AccountInfo",
    "AccountState",
    "Balances",
    "CurrentAccount",
    "Reward",
    "SubscriptionPlan",
    "SubscriptionStatus",
    "TokenBalance",
    "Transaction",
    "TransactionPage",
    "map_socket_entitlement",
]

_ZERO = Decimal(0)
UNLIMITED_TIERS = ("unlimited", "unlimited_pro")


@attrs.frozen
class TokenBalance:
    """One token's balance, as decimal amounts."""

    settled: Decimal = wire("settled", default=_ZERO)
    credit: Decimal = wire("credit", default=_ZERO)
    debit: Decimal = wire("debit", default=_ZERO)
    net: Decimal = wire("net", default=_ZERO)
    premium_credit: Decimal | None = wire("premiumCredit", default=None)
    relaxed_unclaimed: Decimal | None = wire("relaxedUnclaimed", default=None)
    fast_unclaimed: Decimal | None = wire("fastUnclaimed", default=None)


@attrs.frozen
class Balances:
    """SOGNI and Spark balances (``net`` is what can be spent)."""

    sogni: TokenBalance = wire("sogni", factory=TokenBalance)
    spark: TokenBalance = wire("spark", factory=lambda: TokenBalance(premium_credit=_ZERO))


@attrs.frozen
class AccountInfo:
    """``GET /v1/account/me``."""

    username: str | None = wire("username", default=None)
    email: str | None = wire("currentEmail", default=None)
    wallet_address: str | None = wire("walletAddress", default=None)
    email_verified: bool | None = wire("emailVerified", default=None)
    discord_linked: bool | None = wire("discordLinked", default=None)
    discord_username: str | None = wire("discordUsername", default=None)


@attrs.frozen
class SubscriptionStatus:
    """The subscription entitlement snapshot."""

    active: bool = wire("active", default=False)
    status: str = wire("status", default="none")
    tier: str | None = wire("tier", default=None)
    term: str | None = wire("term", default=None)
    provider: str | None = wire("provider", default=None)
    current_period_start: str | None = wire("currentPeriodStart", default=None)
    current_period_end: str | None = wire("currentPeriodEnd", default=None)
    cancel_at_period_end: bool | None = wire("cancelAtPeriodEnd", default=None)
    scheduled_tier: str | None = wire("scheduledTier", default=None)
    scheduled_term: str | None = wire("scheduledTerm", default=None)
    scheduled_change_at: str | None = wire("scheduledChangeAt", default=None)
    capabilities: dict[str, bool] | None = wire("capabilities", default=None)
    payment_pending: bool | None = wire("paymentPending", default=None)
    fair_use: Any = wire("fairUse", default=None)
    frontier_discount_bps: int | None = wire("frontierDiscountBps", default=None)

    @property
    def is_unlimited(self) -> bool:
        return self.active and self.tier in UNLIMITED_TIERS


@attrs.frozen
class SubscriptionPlan:
    """A subscription plan the account can buy or holds: id, tier, term and price in USD."""

    plan_id: str = wire("planId")
    tier: str | None = wire("tier", default=None)
    term: str | None = wire("term", default=None)
    interval: str | None = wire("interval", default=None)
    price_usd: Decimal | None = wire("priceUsd", default=None)
    display_name: str | None = wire("displayName", default=None)
    vendor_discount_bps: int | None = wire("vendorDiscountBps", default=None)
    google: Any = wire("google", default=None)


@attrs.frozen
class Reward:
    """A reward the account can claim (daily bonuses and the like), with its claim state."""

    id: str = wire("id")
    type: str | None = wire("type", default=None)
    title: str | None = wire("title", default=None)
    description: str | None = wire("description", default=None)
    amount: Decimal = wire("amount", default=_ZERO)
    token_type: str | None = wire("tokenType", default=None)
    claimed: bool = wire("claimed", default=False)
    can_claim: bool = wire("canClaim", default=False)
    cant_claim_reason: str | None = wire("cantClaimReason", default=None)
    last_claim_timestamp: int | None = wire("lastClaimTimestamp", default=None)
    claim_reset_frequency_sec: int | None = wire("claimResetFrequencySec", default=None)

    @property
    def last_claim(self) -> datetime | None:
        if not self.last_claim_timestamp:
            return None
        return datetime.fromtimestamp(self.last_claim_timestamp, tz=timezone.utc)

    @property
    def next_claim(self) -> datetime | None:
        freq = self.claim_reset_frequency_sec
        if not self.last_claim_timestamp or freq is None or freq <= -1:
            return None
        return datetime.fromtimestamp(self.last_claim_timestamp + freq, tz=timezone.utc)


@attrs.frozen
class Transaction:
    """One entry of the account's transaction history (amounts as ``Decimal``)."""

    id: str = wire("id")
    address: str | None = wire("address", default=None)
    status: str | None = wire("status", default=None)
    role: str | None = wire("role", default=None)
    amount: Decimal = wire("amount", default=_ZERO)
    description: str | None = wire("description", default=None)
    source: str | None = wire("source", default=None)
    type: str | None = wire("type", default=None)
    token_type: str | None = wire("tokenType", default=None)
    create_time: int | None = wire("createTime", default=None)
    end_time: int | None = wire("endTime", default=None)
    billing_mode: str | None = wire("billingMode", default=None)
    payment_model: str | None = wire("paymentModel", default=None)

    @property
    def created_at(self) -> datetime | None:
        if self.create_time is None:
            return None
        return datetime.fromtimestamp(self.create_time / 1000, tz=timezone.utc)


@attrs.frozen
class TransactionPage:
    """A page of transactions; ``next`` is the cursor of the following page, None at the end."""

    transactions: list[Transaction] = wire("transactions", factory=list)
    next: int | None = wire("next", default=None)


class CurrentAccount:
    """Live view of the signed-in account, kept current by socket frames and REST calls.

    Readable from any thread; every read returns a consistent snapshot value.
    """

    def __init__(self, network: str) -> None:
        self._lock = threading.Lock()
        self._configured_network = network
        self._reset_locked()

    def _reset_locked(self) -> None:
        self._balance = Balances()
        self._username: str | None = None
        self._email: str | None = None
        self._wallet_address: str | None = None
        self._subscription: SubscriptionStatus | None = None
        self._network: str | None = self._configured_network
        self._network_status = "disconnected"
        self._free_spark_locked: bool | None = None
        self._free_spark_unlock_path: str | None = None

    @property
    def balance(self) -> Balances:
        with self._lock:
            return self._balance

    @property
    def username(self) -> str | None:
        with self._lock:
            return self._username

    @property
    def email(self) -> str | None:
        with self._lock:
            return self._email

    @property
    def wallet_address(self) -> str | None:
        with self._lock:
            return self._wallet_address

    @property
    def subscription(self) -> SubscriptionStatus | None:
        with self._lock:
            return self._subscription

    @property
    def network(self) -> str | None:
        with self._lock:
            return self._network

    @property
    def network_status(self) -> str:
        with self._lock:
            return self._network_status

    @property
    def free_spark_locked(self) -> bool | None:
        with self._lock:
            return self._free_spark_locked

    @property
    def free_spark_unlock_path(self) -> str | None:
        with self._lock:
            return self._free_spark_unlock_path

    @property
    def is_unlimited(self) -> bool:
        sub = self.subscription
        return sub is not None and sub.is_unlimited

    @property
    def is_authenticated(self) -> bool:
        return self.wallet_address is not None

    def __repr__(self) -> str:
        return (
            f"CurrentAccount(username={self.username!r}, network={self.network!r}, "
            f"net_spark={self.balance.spark.net}, net_sogni={self.balance.sogni.net})"
        )

    # ------------------------------------------------------------------ internal updates

    def _update(self, **changes: Any) -> list[str]:
        changed: list[str] = []
        with self._lock:
            for key, value in changes.items():
                attr = "_" + key
                if getattr(self, attr) != value:
                    setattr(self, attr, value)
                    changed.append(key)
        return changed

    def _reset(self) -> None:
        with self._lock:
            self._reset_locked()


class AccountState:
    """The client's account state: the live :class:`CurrentAccount`, and the bookkeeping that
    decides which write of the subscription wins. Written by socket frames on the transport
    thread and by REST calls on callers' threads; ``emit`` must not block."""

    def __init__(self, network: str, emit: Callable[[str, Any], None]) -> None:
        self.current = CurrentAccount(network)
        self._emit = emit
        self._subscription_version = -1
        self._subscription_writes = 0

    @property
    def subscription_writes(self) -> int:
        """How many socket writes of the subscription happened so far (a REST reader takes it
        before its call, to learn whether a newer socket write landed meanwhile)."""
        return self._subscription_writes

    def apply(self, **changes: Any) -> None:
        """Update ``current`` and emit ``account_updated`` with the names that changed."""
        changed = self.current._update(**changes)
        if changed:
            self._emit("account_updated", changed)

    def reset(self) -> None:
        self.current._reset()

    def apply_authenticated(self, payload: Authenticated, *, api_key: bool) -> None:
        """The account fields of an ``authenticated`` frame."""
        changes: dict[str, Any] = {}
        if api_key:
            if payload.username:
                changes["username"] = payload.username
            if payload.address:
                changes["wallet_address"] = payload.address
        if isinstance(payload.free_spark_locked, bool):
            changes["free_spark_locked"] = payload.free_spark_locked
        if payload.free_spark_unlock_path in ("trial", "purchase"):
            changes["free_spark_unlock_path"] = payload.free_spark_unlock_path
        self.apply(**changes)
        if isinstance(payload.subscription_entitlement, dict):
            self.apply_socket_subscription(payload.subscription_entitlement)

    def apply_socket_subscription(self, payload: dict[str, Any]) -> None:
        snapshot, version = map_socket_entitlement(payload)
        if version is not None:
            if version < self._subscription_version:
                return  # an older entitlement version never overwrites a newer one
            self._subscription_version = version
        self._subscription_writes += 1
        changes: dict[str, Any] = {"subscription": snapshot}
        if isinstance(payload.get("freeSparkLocked"), bool):
            changes["free_spark_locked"] = payload["freeSparkLocked"]
        self.apply(**changes)

    def apply_rest_subscription(
        self, snapshot: SubscriptionStatus, writes_before: int | None = None
    ) -> SubscriptionStatus:
        if writes_before is not None and writes_before != self._subscription_writes:
            # A socket write landed while the REST call was in flight; it is newer.
            current = self.current.subscription
            return current if current is not None else snapshot
        self.apply(subscription=snapshot)
        return snapshot


class AccountAPI:
    """``client.account``: who am I, balances, subscriptions, rewards, transactions."""

    def __init__(self, core: AccountCore, config: ClientConfig) -> None:
        self._core = core
        self._config = config

    @property
    def current(self) -> CurrentAccount:
        """The live account view (same object as ``client.current_account``)."""
        return self._core.account_state.current

    def _get(self, path: str, **params: Any) -> Any:
        return self._core.request("GET", path, params=params, config=self._config)

    def _post(self, path: str, body: Any = None, *, idempotent: bool = False) -> Any:
        return self._core.request(
            "POST", path, json_body=body, idempotent=idempotent, config=self._config
        )

    def me(self) -> AccountInfo:
        """``GET /v1/account/me``; also refreshes ``current_account``'s identity."""
        info = self._core.structure(self._get("/v1/account/me"), AccountInfo)
        self._core.account_state.apply(
            username=info.username, email=info.email, wallet_address=info.wallet_address
        )
        return info

    def balance(self) -> Balances:
        """``GET /v4/account/balance`` without touching ``current_account``."""
        return self._core.structure(self._get("/v4/account/balance"), Balances)

    def refresh_balance(self) -> Balances:
        """Fetch the balance and store it in ``current_account.balance``."""
        balances = self.balance()
        self._core.account_state.apply(balance=balances)
        return balances

    def subscription_status(self) -> SubscriptionStatus:
        """``GET /v1/subscriptions/status``; stored in ``current_account.subscription``."""
        state = self._core.account_state
        writes_before = state.subscription_writes
        payload = self._get("/v1/subscriptions/status") or {}
        snapshot = self._core.structure(payload.get("subscription") or {}, SubscriptionStatus)
        return state.apply_rest_subscription(snapshot, writes_before)

    refresh_subscription = subscription_status

    def subscription_plans(self) -> list[SubscriptionPlan]:
        payload = self._get("/v1/subscriptions/plans") or {}
        plans: list[SubscriptionPlan] = self._core.structure_as(
            payload.get("plans") or [], list[SubscriptionPlan]
        )
        return plans

    def subscription_usage(self) -> dict[str, Any]:
        payload = self._get("/v1/subscriptions/usage") or {}
        usage: dict[str, Any] = payload.get("usage") or {}
        return usage

    def trial_eligibility(self) -> dict[str, Any]:
        payload: dict[str, Any] = self._get("/v1/subscriptions/trial-eligibility") or {}
        return payload

    def create_subscription_checkout(
        self,
        plan_id: str,
        term: str,
        *,
        redirect_type: str = "web",
        app_source: str | None = None,
        device_id: str | None = None,
    ) -> str:
        """Start a Stripe checkout; returns the URL to open. Not available with an API key."""
        body: dict[str, Any] = {"planId": plan_id, "term": term, "redirectType": redirect_type}
        source = app_source or self._config.app_source
        if source:
            body["appSource"] = source
        if device_id:
            body["deviceId"] = device_id
        payload = self._post("/v1/iap/stripe/subscribe", body) or {}
        return str(payload.get("url", ""))

    def create_subscription_portal_session(self) -> str:
        payload = self._post("/v1/subscriptions/stripe/portal", {}) or {}
        return str(payload.get("url", ""))

    def rewards(self, *, provider: str | None = None) -> list[Reward]:
        payload = self._get("/v4/account/rewards", provider=provider) or {}
        rewards: list[Reward] = self._core.structure_as(payload.get("rewards") or [], list[Reward])
        return rewards

    def claim_rewards(self, reward_ids: list[str], *, provider: str = "base") -> None:
        self._post("/v3/account/reward/claim", {"claims": list(reward_ids), "provider": provider})

    def transaction_history(
        self,
        *,
        limit: int = 100,
        offset: int | None = None,
        address: str | None = None,
        provider: str | None = None,
    ) -> TransactionPage:
        address = address or self._core.account_state.current.wallet_address
        payload = self._get(
            "/v1/transactions/list",
            status="completed",
            address=address,
            limit=limit,
            offset=offset,
            provider=provider,
        )
        return self._core.structure(payload or {}, TransactionPage)

    def switch_network(self, network: str) -> str:
        """Switch the connection's default network (``fast`` or ``relaxed``) over the socket."""
        return self._core.switch_network(network, self._config)


_STATUS_FROM_SOCKET = {
    "grace": "grace_period",
    "revoked": "canceled",
    "needs_reconciliation": "past_due",
    "expired": "expired",
    "trialing": "trialing",
    "active": "active",
}


def _iso_ms(value: Any) -> str | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        return None
    moment = datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def map_socket_entitlement(payload: dict[str, Any]) -> tuple[SubscriptionStatus, int | None]:
    """The entitlement pushed over the socket as a REST-style snapshot, plus its version."""
    sub = payload.get("subscription")
    active = payload.get("active") is True
    if not isinstance(sub, dict) or not sub.get("status"):
        return SubscriptionStatus(active=False, status="none"), None
    raw_status = str(sub["status"])
    if raw_status == "cancelled":
        status = "cancel_at_period_end" if active else "canceled"
    else:
        status = _STATUS_FROM_SOCKET.get(raw_status, "active" if active else "none")
    tier = sub.get("tier") or None
    period_end = sub.get("periodEnd")
    if status == "grace_period" and sub.get("graceEnd"):
        period_end = sub.get("graceEnd")
    cancel = sub.get("cancelAtPeriodEnd")
    if not isinstance(cancel, bool):
        cancel = True if raw_status == "cancelled" else None
    capabilities = sub.get("capabilities")
    if not isinstance(capabilities, dict):
        capabilities = {"unlimited": True} if active and tier in UNLIMITED_TIERS else {}
    fair_use = sub.get("fairUse")
    if isinstance(fair_use, dict) and fair_use.get("limited") and fair_use.get("resetAt"):
        reset_ms = fair_use["resetAt"]
        if (
            isinstance(reset_ms, (int, float))
            and reset_ms > datetime.now(timezone.utc).timestamp() * 1000
        ):
            fair_use = {**fair_use, "resetAt": _iso_ms(reset_ms)}
        else:
            fair_use = None
    else:
        fair_use = None
    version: int | None = None
    raw_version = sub.get("version")
    if isinstance(raw_version, str) and raw_version.isdigit():
        version = int(raw_version)
    snapshot = SubscriptionStatus(
        active=active,
        status=status,
        tier=tier,
        term=sub.get("term") or None,
        provider=sub.get("provider") or None,
        current_period_start=_iso_ms(sub.get("periodStart")),
        current_period_end=_iso_ms(period_end),
        cancel_at_period_end=cancel,
        scheduled_tier=sub.get("scheduledTier") or None,
        scheduled_term=sub.get("scheduledTerm") or None,
        scheduled_change_at=_iso_ms(sub.get("scheduledChangeAt")),
        capabilities=capabilities,
        payment_pending=True if sub.get("paymentPending") is True else None,
        fair_use=fair_use,
    )
    return snapshot, version
