"""The workloads of ``compare_official.py``, run as a child process inside one SDK's venv.

    python bench/_compare_work.py FIGURE SIDE

``SIDE`` is ``ours`` (``sogni``), ``official`` (``sogni_client``) or ``raw`` (plain
``requests``, for the transfer figure). The fake's URLs, the API key, a fresh app id and the
figure's arguments come in ``BENCH_*`` environment variables; the last line printed is one JSON
object of measurements. Only the standard library is imported at the top, so the ``script``
figure measures what a user's script loads and nothing else.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

IMAGE_MODEL = "flux1-schnell-fp8"
CHAT_MODEL = "qwen3.6-35b-a3b-gguf-iq4xs"
_CHUNK = 1 << 16


def _env() -> tuple[dict[str, Any], dict[str, Any]]:
    settings = {
        "app_id": os.environ["BENCH_APP_ID"],
        "api_key": os.environ["BENCH_API_KEY"],
        "rest_endpoint": os.environ["BENCH_REST_URL"],
        "socket_endpoint": os.environ["BENCH_SOCKET_URL"],
    }
    return settings, json.loads(os.environ.get("BENCH_ARGS") or "{}")


def _peak_rss_kib() -> int:
    """The peak RSS of this process's own address space (``VmHWM``). ``ru_maxrss`` would not
    do: it keeps the size of the parent that forked this process before the exec."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc/self/status")


def _chat_prompt(words: int) -> str:
    # The fake streams one jobTokens frame per word of this prompt.
    return " ".join(f"w{i}" for i in range(words))


# --------------------------------------------------------------------------- ours


def ours_script(settings: dict[str, Any], _: dict[str, Any]) -> dict[str, Any]:
    from sogni import SogniClient

    with SogniClient(**settings) as sogni:
        sogni.connect()
        sogni.account.me()
    return {}


def ours_first_image(settings: dict[str, Any], _: dict[str, Any]) -> dict[str, Any]:
    # Timed from the import: ours loads its network stacks when the client is created, the
    # official client when it is imported.
    started = time.perf_counter()
    from sogni import SogniClient

    with SogniClient(**settings) as sogni:
        project = sogni.projects.create(
            type="image", model_id=IMAGE_MODEL, positive_prompt="first image", steps=4
        )
        urls = project.wait(timeout=60)
        latency = time.perf_counter() - started
    return {"latency": latency, "ok": bool(urls)}


def ours_projects(settings: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    from sogni import SogniClient

    count = int(args["count"])
    with SogniClient(**settings) as sogni:
        sogni.connect()
        sogni.projects.wait_for_models()
        cpu, wall = time.process_time(), time.perf_counter()
        projects = [
            sogni.projects.create(
                type="image",
                model_id=IMAGE_MODEL,
                positive_prompt=f"project {n}",
                steps=4,
                seed=n,
            )
            for n in range(count)
        ]
        completed = 0
        for project in projects:
            try:
                if project.wait(timeout=120):
                    completed += 1
            except Exception as exc:
                print(f"project failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": wall, "cpu": cpu, "lost": count - completed}


def ours_chat(settings: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from sogni import SogniClient

    count, prompt, pool_size = int(args["count"]), _chat_prompt(int(args["words"])), 16
    peak_threads = 0
    with SogniClient(**settings) as sogni:
        sogni.connect()

        def one(_: int) -> int:
            nonlocal peak_threads
            stream = sogni.chat.completions.create(
                model=CHAT_MODEL, messages=[{"role": "user", "content": prompt}], stream=True
            )
            chunks = sum(1 for _ in stream)
            peak_threads = max(peak_threads, threading.active_count())
            return chunks

        cpu, wall = time.process_time(), time.perf_counter()
        with ThreadPoolExecutor(pool_size) as pool:
            chunks = sum(pool.map(one, range(count)))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": wall, "cpu": cpu, "chunks": chunks, "threads": peak_threads}


def ours_chat_overhead(settings: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    from chat_overhead import measure, raw_reader, sdk_reader

    from sogni import SogniClient

    prompt = _chat_prompt(int(args["words"]))
    info = {
        "socket_url": settings["socket_endpoint"],
        "api_key": settings["api_key"],
        "rest_url": settings["rest_endpoint"],
    }
    rounds: list[dict[str, float]] = []
    with SogniClient(**settings) as sogni:
        sogni.connect()
        raw, sdk = raw_reader(info, prompt), sdk_reader(sogni, prompt)
        raw(), sdk()  # warm both paths up
        for _ in range(int(args["rounds"])):
            raw_cpu = measure(raw)[0]
            sdk_cpu = measure(sdk)[0]
            rounds.append({"raw": raw_cpu, "sdk": sdk_cpu})
    return {"rounds": rounds}


def ours_transfer(settings: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    import uuid

    from sogni import SogniClient

    source, target = args["source"], args["target"]
    size = os.path.getsize(source)
    job_id, image_id = str(uuid.uuid4()).upper(), str(uuid.uuid4()).upper()
    with SogniClient(**settings, disable_socket=True) as sogni:
        rest = sogni._core.rest
        rest.request("GET", "/v1/account/me")  # warm the connection pool up
        before, started = _peak_rss_kib(), time.perf_counter()
        query = {"jobId": job_id, "imageId": image_id, "type": "startingImage"}
        put = rest.request(
            "GET", "/v1/image/uploadUrl", params={**query, "contentType": "image/png"}
        )
        rest.upload(
            put["uploadUrl"],
            lambda: open(source, "rb"),  # noqa: SIM115 (the SDK closes it)
            size=size,
            content_type="image/png",
        )
        get = rest.request("GET", "/v1/image/downloadUrl", params=query)
        with open(target, "wb") as sink:
            rest.download(get["downloadUrl"], sink)
        wall = time.perf_counter() - started
    return _transfer_result(size, target, wall, before)


def _transfer_result(size: int, target: str, wall: float, before: int) -> dict[str, Any]:
    received = os.path.getsize(target)
    os.unlink(target)
    if received != size:
        raise SystemExit(f"downloaded {received} bytes, uploaded {size}")
    return {"wall": wall, "rss_growth_kib": _peak_rss_kib() - before, "bytes": 2 * size}


# --------------------------------------------------------------------------- raw requests


def raw_transfer(settings: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    import uuid

    import requests

    source, target = args["source"], args["target"]
    size = os.path.getsize(source)
    base = settings["rest_endpoint"].rstrip("/")
    auth = {"api-key": settings["api_key"]}
    job_id, image_id = str(uuid.uuid4()).upper(), str(uuid.uuid4()).upper()
    with requests.Session() as session:
        session.get(f"{base}/v1/account/me", headers=auth).raise_for_status()
        before, started = _peak_rss_kib(), time.perf_counter()
        query = {"jobId": job_id, "imageId": image_id, "type": "startingImage"}
        answer = session.get(
            f"{base}/v1/image/uploadUrl",
            params={**query, "contentType": "image/png"},
            headers=auth,
        )
        with open(source, "rb") as body:
            put = session.put(
                answer.json()["data"]["uploadUrl"], data=body, headers={"Content-Type": "image/png"}
            )
            put.raise_for_status()
        answer = session.get(f"{base}/v1/image/downloadUrl", params=query, headers=auth)
        with (
            session.get(answer.json()["data"]["downloadUrl"], stream=True) as response,
            open(target, "wb") as sink,
        ):
            response.raise_for_status()
            for piece in response.iter_content(_CHUNK):
                sink.write(piece)
        wall = time.perf_counter() - started
    return _transfer_result(size, target, wall, before)


# --------------------------------------------------------------------------- the official SDK


async def _official_client(settings: dict[str, Any], **options: Any) -> Any:
    from sogni_client import SogniClient

    return await SogniClient.create(**settings, **options)


async def _official_connected(sogni: Any) -> None:
    """Wait until the official client's socket is authenticated (its create() starts it)."""
    import asyncio

    socket = sogni.api_client.socket
    ready = asyncio.get_running_loop().create_future()

    def authenticated(_: Any) -> None:
        if not ready.done():
            ready.set_result(None)

    remove = socket.on("authenticated", authenticated)
    try:
        if not socket._is_ready_for_work():
            await asyncio.wait_for(ready, 30)
    finally:
        remove()


def official_script(settings: dict[str, Any], _: dict[str, Any]) -> dict[str, Any]:
    import asyncio

    from sogni_client import SogniClient

    async def main() -> None:
        async with await SogniClient.create(**settings) as sogni:
            await _official_connected(sogni)
            await sogni.account.me()

    asyncio.run(main())
    return {}


def official_first_image(settings: dict[str, Any], _: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    import asyncio

    import sogni_client  # noqa: F401 (timed, as ours is)

    async def main() -> dict[str, Any]:
        async with await _official_client(settings) as sogni:
            project = await sogni.projects.create(
                type="image",
                modelId=IMAGE_MODEL,
                positivePrompt="first image",
                numberOfMedia=1,
                steps=4,
            )
            urls = await project.wait_for_completion(timeout=60)
            latency = time.perf_counter() - started
        return {"latency": latency, "ok": bool(urls)}

    result: dict[str, Any] = asyncio.run(main())
    return result


def official_projects(settings: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    import asyncio

    count = int(args["count"])

    async def main() -> dict[str, Any]:
        async with await _official_client(settings) as sogni:
            await _official_connected(sogni)
            await sogni.projects.wait_for_models()
            cpu, wall = time.process_time(), time.perf_counter()

            async def one(n: int) -> bool:
                project = await sogni.projects.create(
                    type="image",
                    modelId=IMAGE_MODEL,
                    positivePrompt=f"project {n}",
                    numberOfMedia=1,
                    steps=4,
                    seed=n,
                )
                return bool(await project.wait_for_completion(timeout=120))

            outcomes = await asyncio.gather(*(one(n) for n in range(count)), return_exceptions=True)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                print(f"project failed: {type(outcome).__name__}: {outcome}", file=sys.stderr)
        completed = sum(1 for outcome in outcomes if outcome is True)
        return {"wall": wall, "cpu": cpu, "lost": count - completed}

    result: dict[str, Any] = asyncio.run(main())
    return result


def official_chat(settings: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    import asyncio
    import threading

    count, prompt = int(args["count"]), _chat_prompt(int(args["words"]))

    async def main() -> dict[str, Any]:
        async with await _official_client(settings) as sogni:
            await _official_connected(sogni)

            async def one(_: int) -> int:
                stream = await sogni.chat.completions.create(
                    {
                        "model": CHAT_MODEL,
                        "messages": [{"role": "user", "content": prompt}],
                        "stream": True,
                    }
                )
                return sum([1 async for _ in stream])

            cpu, wall = time.process_time(), time.perf_counter()
            chunks = sum(await asyncio.gather(*(one(n) for n in range(count))))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return {"wall": wall, "cpu": cpu, "chunks": chunks, "threads": threading.active_count()}

    result: dict[str, Any] = asyncio.run(main())
    return result


def official_transfer(settings: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    import asyncio
    import uuid

    source, target = args["source"], args["target"]
    size = os.path.getsize(source)

    async def main() -> dict[str, Any]:
        job_id, image_id = str(uuid.uuid4()).upper(), str(uuid.uuid4()).upper()
        async with await _official_client(settings, disable_socket=True) as sogni:
            await sogni.account.me()  # warm the connection pool up
            before, started = _peak_rss_kib(), time.perf_counter()
            query = {"jobId": job_id, "imageId": image_id, "type": "startingImage"}
            url = await sogni.projects.upload_url({**query, "contentType": "image/png"})
            # The official client uploads bytes: the file is read into memory first.
            with open(source, "rb") as body:
                data = body.read()
            await sogni.projects.client.rest.put_bytes(url, data, content_type="image/png")
            del data
            url = await sogni.projects.download_url(query)
            received = await sogni.projects.client.rest.get_bytes(url)
            with open(target, "wb") as sink:
                sink.write(received)
            del received
            wall = time.perf_counter() - started
        return _transfer_result(size, target, wall, before)

    result: dict[str, Any] = asyncio.run(main())
    return result


# --------------------------------------------------------------------------- entry point


def main() -> None:
    figure, side = sys.argv[1], sys.argv[2]
    work = globals().get(f"{side}_{figure}")
    if work is None:
        raise SystemExit(f"no workload {figure!r} for {side!r}")
    settings, args = _env()
    result = work(settings, args)
    result["peak_rss_kib"] = _peak_rss_kib()
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
