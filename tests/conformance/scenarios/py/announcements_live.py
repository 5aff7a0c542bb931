"""Announcements over the socket: a client that opted in (``socket_event_subscriptions=
{"appAlert": True}``) receives the live pinned banner as ``appAlert`` when it connects; a client
that did not receives it as ``toastMessage``. Reports both payloads."""

from __future__ import annotations

import asyncio
from typing import Any

from _harness import API_KEY, APP_ID, REST_ENDPOINT, SOCKET_ENDPOINT, expect_event, run
from sogni_client import SogniClient


async def main() -> dict[str, Any]:
    alerts = await SogniClient.create(
        app_id=f"{APP_ID}-alerts",
        api_key=API_KEY,
        rest_endpoint=REST_ENDPOINT,
        socket_endpoint=SOCKET_ENDPOINT,
        socket_event_subscriptions={"appAlert": True},
    )
    plain = await SogniClient.create(
        app_id=APP_ID, api_key=API_KEY, rest_endpoint=REST_ENDPOINT, socket_endpoint=SOCKET_ENDPOINT
    )
    async with alerts, plain:
        app_alert, toast = await asyncio.gather(
            expect_event(alerts.api_client.socket, "appAlert", 10),
            expect_event(plain.api_client.socket, "toastMessage", 10),
        )
        return {"appAlert": app_alert, "toast": toast}


run(main)
