"""Connect with an API key, read the account, the balance and the models, then disconnect."""

from __future__ import annotations

from typing import Any

from _harness import create_client, run


async def main() -> dict[str, Any]:
    sogni = await create_client()
    async with sogni:
        me = await sogni.account.me()
        balance = await sogni.account.refresh_balance()
        available = await sogni.projects.wait_for_models(10)
        supported = await sogni.projects.get_supported_models()
        return {
            "me": {
                "username": me["username"],
                "walletAddress": me["walletAddress"],
                "email": me["currentEmail"],
            },
            "balance": balance,
            "availableModels": [
                {key: model.get(key) for key in ("id", "name", "workerCount", "media")}
                for model in available
            ],
            "supportedModels": [model["id"] for model in supported],
            "currentAccount": {
                "username": sogni.current_account.username,
                "walletAddress": sogni.current_account.wallet_address,
            },
        }


run(main)
