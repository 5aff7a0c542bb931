"""The asyncio face of the SDK: the same names, awaitable.

Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

import asyncio

from sogni.testing import open_async_client
from sogni_async import AsyncSogniClient


async def run(client: AsyncSogniClient) -> None:
    me = await client.account.me()
    print(f"Signed in as {me.username}")
    models = await client.projects.wait_for_models()
    print(f"{len(models)} models available")
    project = await client.projects.create(
        type="image",
        model_id="flux1-schnell-fp8",
        positive_prompt="A paper boat on a lake",
        steps=4,
    )
    async for event in project.events(timeout=300):
        if event.type == "progress":
            print(f"  progress {event.progress}%")
    for path in await project.download("out/async_quickstart"):
        print(f"Saved {path}")


async def main() -> None:
    async with open_async_client("sogni-async-quickstart") as client:
        await run(client)


if __name__ == "__main__":
    asyncio.run(main())
