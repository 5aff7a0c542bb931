"""Account over real loopback: me, balances (REST and live), subscriptions, rewards."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from sogni import PermissionDeniedError, SogniClient
from sogni.testing import FakeSupernet

from ..helpers import wait_until


def test_me_updates_current_account(make_client: Callable[..., SogniClient]) -> None:
    client = make_client(auto_connect=False)
    info = client.account.me()
    assert (info.username, info.email) == ("alice", "alice@example.com")
    assert client.current_account.wallet_address == info.wallet_address


def test_refresh_balance_is_decimal(make_client: Callable[..., SogniClient]) -> None:
    client = make_client(auto_connect=False)
    balances = client.account.refresh_balance()
    assert balances.spark.net == Decimal("400")
    assert balances.sogni.net == Decimal("125.5")
    assert client.current_account.balance == balances


def test_live_balance_update_reaches_current_account(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    client.connect()
    wait_until(lambda: client.current_account.balance.spark.net == Decimal("400"))
    seen: list[Any] = []
    client.on("account_updated", seen.append)
    fake.set_balance("12.34", token_type="spark")
    wait_until(lambda: client.current_account.balance.spark.net == Decimal("12.34"))
    wait_until(lambda: any("balance" in changed for changed in seen))


def test_identity_comes_from_the_authenticated_frame(
    make_client: Callable[..., SogniClient],
) -> None:
    client = make_client()
    client.connect()
    assert client.current_account.username == "alice"
    assert client.current_account.network == "fast"
    assert client.current_account.network_status == "connected"


def test_subscription_status_and_plans(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(auto_connect=False)
    status = client.account.subscription_status()
    assert (status.active, status.status) == (False, "none")
    assert not client.current_account.is_unlimited
    plans = client.account.subscription_plans()
    assert {p.plan_id for p in plans} == {"unlimited", "unlimited_pro"}
    assert all(isinstance(p.price_usd, Decimal) for p in plans)


def test_live_subscription_entitlement(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    client.connect()
    fake.inject_frame(
        "subscriptionEntitlementUpdated",
        {
            "active": True,
            "trialing": False,
            "trialCapped": False,
            "subscription": {
                "provider": "stripe",
                "tier": "unlimited",
                "term": "monthly",
                "status": "active",
                "periodStart": 1767225600000,
                "periodEnd": 1769904000000,
                "graceEnd": 0,
                "trialEnd": 0,
                "version": "17",
            },
        },
    )
    wait_until(lambda: client.current_account.is_unlimited)
    sub = client.current_account.subscription
    assert sub is not None and sub.current_period_start == "2026-01-01T00:00:00.000Z"
    # An older version never overwrites a newer one (protocol/01 §7.5).
    fake.inject_frame(
        "subscriptionEntitlementUpdated",
        {
            "active": False,
            "trialing": False,
            "trialCapped": False,
            "subscription": {"status": "expired", "tier": "unlimited", "version": "3"},
        },
    )
    fake.inject_frame(
        "balanceUpdate",
        {
            "sogni": {"settled": "1", "credit": "0", "debit": "0", "net": "1"},
            "spark": {"settled": "2", "credit": "0", "debit": "0", "net": "2"},
        },
    )
    wait_until(lambda: client.current_account.balance.spark.net == 2)
    assert client.current_account.is_unlimited


def test_checkout_refuses_api_keys(make_client: Callable[..., SogniClient]) -> None:
    client = make_client(auto_connect=False)
    with pytest.raises(PermissionDeniedError):
        client.account.create_subscription_checkout("unlimited", "monthly")


def test_rewards_and_transactions(make_client: Callable[..., SogniClient]) -> None:
    client = make_client(auto_connect=False)
    rewards = client.account.rewards()
    assert rewards[0].can_claim and rewards[0].amount == Decimal("10")
    client.account.claim_rewards([rewards[0].id])
    client.account.me()
    page = client.account.transaction_history(limit=2)
    assert len(page.transactions) == 2 and page.transactions[0].amount == Decimal("0.5")
