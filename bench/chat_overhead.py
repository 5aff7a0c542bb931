"""How much time the SDK adds per streamed chat chunk, over decoding the raw frames.

A FakeSupernet runs in a subprocess (``python -m sogni.testing --time-scale 0``) so that its
work is not counted here. The same streamed completion (one ``jobTokens`` frame per word) is
read two ways, alternately:

* raw: one websocket-client connection that sends ``llmJobRequest`` and decodes every frame
  with the envelope codec (base64 + JSON), the least any client must do;
* sdk: ``client.chat.completions.create(..., stream=True)`` iterated to the end (transport
  thread, routing, ChatStream assembly, the reader's thread).

It prints the CPU time per chunk of each (all threads of this process) and the difference:
the SDK's added time per streamed chunk. Wall time is printed too; it is bounded by how fast the
fake sends. Usage: ``python bench/chat_overhead.py [--words 2000] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import websocket

from sogni import SogniClient
from sogni._wire.envelope import decode_frame, encode_frame

MODEL = "qwen3.6-35b-a3b-gguf-iq4xs"


def raw_reader(info: dict[str, str], prompt: str) -> Callable[[], int]:
    query = urlencode({"appId": "bench-raw", "clientType": "artist", "forceWorkerId": "fast"})
    ws = websocket.create_connection(
        f"{info['socket_url']}/?{query}", header=[f"api-key: {info['api_key']}"]
    )
    while decode_frame(ws.recv()).type != "authenticated":
        pass

    def run() -> int:
        job_id = str(uuid.uuid4()).upper()
        request = {
            "jobID": job_id,
            "type": "llm",
            "model": MODEL,
            "messages": [{"role": "user", "content": prompt}],
            "stream": True,
        }
        ws.send(encode_frame("llmJobRequest", request))
        chunks = 0
        while True:
            frame = decode_frame(ws.recv())
            payload: Any = frame.payload
            if not isinstance(payload, dict) or payload.get("jobID") != job_id:
                continue
            if frame.type == "jobTokens":
                chunks += 1
            elif frame.type in ("llmJobResult", "llmJobError"):
                return chunks

    return run


def sdk_reader(client: SogniClient, prompt: str) -> Callable[[], int]:
    def run() -> int:
        stream = client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": prompt}], stream=True
        )
        return sum(1 for _ in stream)

    return run


def measure(run: Callable[[], int]) -> tuple[float, float, int]:
    """(CPU seconds per chunk, wall seconds per chunk, chunks)."""
    cpu, wall = time.process_time(), time.perf_counter()
    chunks = run()
    return (time.process_time() - cpu) / chunks, (time.perf_counter() - wall) / chunks, chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=2000, help="words (chunks) per reply")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    # Imported here: compare_official.py reuses the readers in a venv without the fake.
    from _fake_process import BenchFake

    prompt = " ".join(f"w{i}" for i in range(args.words))
    with BenchFake(time_scale=0) as fake:
        info = fake.info
        client = SogniClient(
            app_id="bench-sdk",
            api_key=info["api_key"],
            rest_endpoint=info["rest_url"],
            socket_endpoint=info["socket_url"],
        )
        with client:
            client.connect()
            readers = {"raw": raw_reader(info, prompt), "sdk": sdk_reader(client, prompt)}
            for run in readers.values():
                run()  # warm up both paths
            results: dict[str, list[tuple[float, float, int]]] = {"raw": [], "sdk": []}
            for _ in range(args.rounds):
                for name, run in readers.items():
                    results[name].append(measure(run))
    chunks = results["sdk"][0][2]
    print(f"{args.rounds} rounds of one streamed reply of {chunks} chunks (median of rounds)")
    cpu = {name: statistics.median(r[0] for r in rows) for name, rows in results.items()}
    wall = {name: statistics.median(r[1] for r in rows) for name, rows in results.items()}
    for name in ("raw", "sdk"):
        print(
            f"  {name}: {cpu[name] * 1e6:7.1f} us CPU/chunk   {wall[name] * 1e6:7.1f} us wall/chunk"
        )
    added = cpu["sdk"] - cpu["raw"]
    print(
        f"SDK added time per streamed chunk: {added * 1e6:.1f} us CPU"
        f" = {added / cpu['raw']:.2f} x the baseline (decoding the raw frames)"
    )


if __name__ == "__main__":
    main()
