"""Stay connected through a platform restart: after READY the test closes every socket with 1001
and refuses upgrades for a moment. The client must reconnect and re-authenticate on its own, then
still work over the new connection (a REST call and a socket request with its reply)."""

from __future__ import annotations

from typing import Any

from _harness import create_client, emit, expect_event, run


async def main() -> dict[str, Any]:
    sogni = await create_client()
    async with sogni:
        socket = sogni.api_client.socket
        await expect_event(socket, "authenticated", 10)
        await sogni.projects.wait_for_models(10)

        for name in ("connecting", "connected", "disconnected"):
            sogni.api_client.on(
                name, lambda payload, name=name: emit({"event": name, "payload": payload})
            )
        reauthenticated = expect_event(socket, "authenticated", 20)
        emit({"event": "READY"})

        auth = await reauthenticated
        emit({"event": "reauthenticated", "username": auth["username"]})

        acknowledged = expect_event(
            socket,
            "socketEventSubscriptionsUpdated",
            10,
            lambda payload: (
                (payload or {}).get("socketEventSubscriptions", {}).get("subscriptionLimitNotice")
                is True
            ),
        )
        await sogni.set_socket_event_subscriptions({"subscriptionLimitNotice": True})
        ack = await acknowledged
        balance = await sogni.account.refresh_balance()
        models = await sogni.projects.wait_for_models(10)
        return {
            "username": auth["username"],
            "subscriptions": ack["socketEventSubscriptions"],
            "sparkNet": balance["spark"]["net"],
            "modelCount": len(models),
            "networkStatus": sogni.current_account.network_status,
        }


run(main)
