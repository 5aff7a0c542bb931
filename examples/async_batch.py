"""Many concurrent projects on one event loop, at most N in flight (a semaphore).

Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

import asyncio

from sogni import ProjectError
from sogni.testing import open_async_client
from sogni_async import AsyncSogniClient

PROMPTS = [
    f"A watercolor of a {animal} in a {place}"
    for animal in ("fox", "owl", "whale", "cat")
    for place in ("forest", "city", "desert", "harbour", "library")
]


async def render(
    client: AsyncSogniClient, gate: asyncio.Semaphore, prompt: str, seed: int
) -> str | None:
    async with gate:
        project = await client.projects.create(
            type="image", model_id="flux1-schnell-fp8", positive_prompt=prompt, seed=seed, steps=4
        )
        try:
            [url] = await project.wait(timeout=600)
        except ProjectError as exc:
            print(f"failed: {prompt!r}: {exc}")
            return None
        return url


async def run(client: AsyncSogniClient) -> None:
    gate = asyncio.Semaphore(8)
    urls = await asyncio.gather(*(render(client, gate, p, i) for i, p in enumerate(PROMPTS)))
    done = [u for u in urls if u]
    print(f"{len(done)} of {len(PROMPTS)} images rendered")


async def main() -> None:
    async with open_async_client("sogni-async-batch") as client:
        await run(client)


if __name__ == "__main__":
    asyncio.run(main())
