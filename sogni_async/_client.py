"""``AsyncSogniClient``: the same namespaces, names, models and errors as ``SogniClient``,
awaitable. It owns a ``SogniClient``; there is no second implementation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sogni import SogniClient
from sogni.account import (
    AccountInfo,
    Balances,
    CurrentAccount,
    Reward,
    SubscriptionPlan,
    SubscriptionStatus,
    TransactionPage,
)
from sogni.auth import Tokens
from sogni.config import ClientConfig, ClientOptions, RetryPolicy, Timeouts

from ._bridge import Bridge
from ._chat import AsyncChatAPI
from ._extras import AsyncAnnouncementsAPI, AsyncReplayAPI, AsyncStatsAPI
from ._projects import AsyncProjectsAPI
from ._workflows import AsyncWorkflowsAPI

if TYPE_CHECKING:
    from typing_extensions import Never, Unpack


class AsyncAccountAPI:
    """``client.account``, awaitable."""

    def __init__(self, client: AsyncSogniClient) -> None:
        self._bridge = client._bridge
        self._sync = client._sync.account

    @property
    def current(self) -> CurrentAccount:
        return self._sync.current

    async def me(self) -> AccountInfo:
        return await self._bridge.run(self._sync.me)

    async def balance(self) -> Balances:
        return await self._bridge.run(self._sync.balance)

    async def refresh_balance(self) -> Balances:
        return await self._bridge.run(self._sync.refresh_balance)

    async def subscription_status(self) -> SubscriptionStatus:
        return await self._bridge.run(self._sync.subscription_status)

    async def refresh_subscription(self) -> SubscriptionStatus:
        return await self._bridge.run(self._sync.refresh_subscription)

    async def subscription_plans(self) -> list[SubscriptionPlan]:
        return await self._bridge.run(self._sync.subscription_plans)

    async def subscription_usage(self) -> dict[str, Any]:
        return await self._bridge.run(self._sync.subscription_usage)

    async def trial_eligibility(self) -> dict[str, Any]:
        return await self._bridge.run(self._sync.trial_eligibility)

    async def create_subscription_checkout(
        self,
        plan_id: str,
        term: str,
        *,
        redirect_type: str = "web",
        app_source: str | None = None,
        device_id: str | None = None,
    ) -> str:
        return await self._bridge.run(
            self._sync.create_subscription_checkout,
            plan_id,
            term,
            redirect_type=redirect_type,
            app_source=app_source,
            device_id=device_id,
        )

    async def create_subscription_portal_session(self) -> str:
        return await self._bridge.run(self._sync.create_subscription_portal_session)

    async def rewards(self, *, provider: str | None = None) -> list[Reward]:
        return await self._bridge.run(self._sync.rewards, provider=provider)

    async def claim_rewards(self, reward_ids: list[str], *, provider: str = "base") -> None:
        await self._bridge.run(self._sync.claim_rewards, reward_ids, provider=provider)

    async def transaction_history(
        self,
        *,
        limit: int = 100,
        offset: int | None = None,
        address: str | None = None,
        provider: str | None = None,
    ) -> TransactionPage:
        return await self._bridge.run(
            self._sync.transaction_history,
            limit=limit,
            offset=offset,
            address=address,
            provider=provider,
        )

    async def switch_network(self, network: str) -> str:
        return await self._bridge.run(self._sync.switch_network, network)


class AsyncSogniClient:
    """The asyncio face of :class:`sogni.SogniClient`.

    ``async with AsyncSogniClient(app_id=..., api_key=...) as sogni:`` — same arguments as the
    sync client. Blocking work runs on a small thread pool of the client's own; futures are
    awaited without blocking the loop; cancelling a task that awaits a project only stops the
    waiting (``await project.cancel()`` cancels paid work).
    """

    def __init__(
        self,
        *,
        app_id: str | None = None,
        api_key: str | None = None,
        tokens: Tokens | Mapping[str, str] | None = None,
        config: ClientConfig | None = None,
        max_threads: int = 8,
        **options: Unpack[ClientOptions],
    ) -> None:
        self._sync = SogniClient(
            app_id=app_id, api_key=api_key, tokens=tokens, config=config, **options
        )
        self._bridge = Bridge(max_threads)

    @classmethod
    def from_env(
        cls,
        *,
        app_id: str | None = None,
        api_key: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> AsyncSogniClient:
        """As ``SogniClient.from_env``."""
        return cls(config=ClientConfig.from_env(app_id=app_id, api_key=api_key, **options))

    @property
    def sync(self) -> SogniClient:
        """The underlying synchronous client."""
        return self._sync

    @property
    def config(self) -> ClientConfig:
        return self._sync.config

    @property
    def current_account(self) -> CurrentAccount:
        return self._sync.current_account

    @property
    def is_connected(self) -> bool:
        return self._sync.is_connected

    @property
    def closed(self) -> bool:
        return self._sync.closed

    @cached_property
    def account(self) -> AsyncAccountAPI:
        return AsyncAccountAPI(self)

    @cached_property
    def projects(self) -> AsyncProjectsAPI:
        return AsyncProjectsAPI(self)

    @cached_property
    def chat(self) -> AsyncChatAPI:
        return AsyncChatAPI(self)

    @cached_property
    def workflows(self) -> AsyncWorkflowsAPI:
        return AsyncWorkflowsAPI(self._sync.workflows, self._bridge)

    @cached_property
    def replay(self) -> AsyncReplayAPI:
        return AsyncReplayAPI(self)

    @cached_property
    def stats(self) -> AsyncStatsAPI:
        return AsyncStatsAPI(self)

    @cached_property
    def announcements(self) -> AsyncAnnouncementsAPI:
        return AsyncAnnouncementsAPI(self)

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Same as ``SogniClient.on``; ``fn`` runs on the callback worker thread, so use
        ``loop.call_soon_threadsafe`` inside it to touch loop objects."""
        return self._sync.on(event, fn)

    async def connect(self, *, wait: bool = True, timeout: float | None = None) -> None:
        await self._bridge.run(self._sync.connect, wait=wait, timeout=timeout)

    async def change_network(self, network: str) -> str:
        return await self._bridge.run(self._sync.change_network, network)

    async def set_socket_event_subscriptions(self, update: dict[str, Any]) -> None:
        await self._bridge.run(self._sync.set_socket_event_subscriptions, update)

    async def set_tokens(
        self, tokens: Tokens | Mapping[str, str], *, refresh_if_expired: bool = True
    ) -> None:
        await self._bridge.run(self._sync.set_tokens, tokens, refresh_if_expired=refresh_if_expired)

    def get_tokens(self) -> Tokens | None:
        return self._sync.get_tokens()

    def on_tokens_refreshed(self, fn: Callable[[Tokens], Any]) -> Callable[[], None]:
        return self._sync.on_tokens_refreshed(fn)

    async def login(self, username: str, password: str, *, remember_me: bool = False) -> Tokens:
        return await self._bridge.run(self._sync.login, username, password, remember_me=remember_me)

    async def logout(self) -> None:
        await self._bridge.run(self._sync.logout)

    def with_options(
        self,
        *,
        timeout: float | None = None,
        timeouts: Timeouts | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        **not_per_call: Never,
    ) -> AsyncSogniClient:
        """A view with other per-call settings, as ``SogniClient.with_options`` (identity and
        connection settings raise ``TypeError``: create a new client for them)."""
        view = AsyncSogniClient.__new__(AsyncSogniClient)
        view._sync = self._sync.with_options(
            timeout=timeout,
            timeouts=timeouts,
            max_retries=max_retries,
            retry=retry,
            **not_per_call,
        )
        view._bridge = self._bridge
        return view

    async def aclose(self) -> None:
        """Close the client (idempotent)."""
        if not self._sync.closed:
            await self._bridge.run(self._sync.close)
        self._bridge.shutdown()

    async def __aenter__(self) -> AsyncSogniClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"Async{self._sync!r}"
