"""The asyncio face of the SDK: the same names, awaitable.

Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

import asyncio
import os

from sogni.testing import FakeSupernet
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
    if os.environ.get("SOGNI_API_KEY"):
        async with AsyncSogniClient.from_env(app_id="sogni-async-quickstart") as client:
            await run(client)
        return
    print("SOGNI_API_KEY is not set: using an embedded FakeSupernet (offline demo).")
    with FakeSupernet() as fake:
        async with AsyncSogniClient(
            app_id="sogni-async-quickstart",
            api_key=fake.api_key,
            rest_endpoint=fake.rest_url,
            socket_endpoint=fake.socket_url,
        ) as client:
            await run(client)


if __name__ == "__main__":
    asyncio.run(main())
