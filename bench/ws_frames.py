"""The SDK's WebSocket codec against websocket-client: reading server frames, writing client ones.

* read: N server text frames (``--size`` bytes of payload each, about a streamed chat chunk's
  envelope) are written into a socketpair by a thread; the reader decodes all N. The reader
  thread's CPU time per frame is compared: ours (``WebSocket.recv``) and websocket-client's
  ``recv_data_frame(True)``, which the transport used before.
* write: ``--big`` bytes sent as one masked text frame, repeated (masking is the cost).

Rounds alternate between the two; the medians and their ratio are printed (< 1: ours is
cheaper). Usage: ``python bench/ws_frames.py [--frames 100000] [--size 250] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import threading
import time
from collections.abc import Callable

import websocket

from sogni._transport.wsframe import OP_TEXT, WebSocket, encode_frame

Reader = Callable[[socket.socket, int], None]


def _ours(sock: socket.socket, frames: int) -> None:
    ws = WebSocket(sock, keep_size=1 << 27, max_size=1 << 29)
    recv = ws.recv
    for _ in range(frames):
        recv()


def _theirs(sock: socket.socket, frames: int) -> None:
    ws = websocket.WebSocket(skip_utf8_validation=True)
    ws.sock = sock
    ws.connected = True
    recv = ws.recv_data_frame
    for _ in range(frames):
        recv(True)


def _read_round(reader: Reader, stream: bytes, frames: int) -> float:
    """CPU seconds of the reading thread for ``frames`` frames."""
    client, server = socket.socketpair()
    client.settimeout(30)
    writer = threading.Thread(target=server.sendall, args=(stream,), daemon=True)
    spent: list[float] = []

    def read() -> None:
        start = time.thread_time()
        reader(client, frames)
        spent.append(time.thread_time() - start)

    thread = threading.Thread(target=read)
    thread.start()
    writer.start()
    thread.join()
    writer.join()
    client.close()
    server.close()
    return spent[0]


def _write_round(write: Callable[[bytes], bytes], payload: bytes, times: int) -> float:
    start = time.process_time()
    for _ in range(times):
        write(payload)
    return time.process_time() - start


def _ours_write(payload: bytes) -> bytes:
    return encode_frame(OP_TEXT, payload, mask=os.urandom(4))


def _theirs_write(payload: bytes) -> bytes:
    return websocket.ABNF.create_frame(payload, websocket.ABNF.OPCODE_TEXT).format()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=250)
    parser.add_argument("--big", type=int, default=4 * 1024 * 1024)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    payload = b"x" * args.size
    one = websocket.ABNF(1, 0, 0, 0, websocket.ABNF.OPCODE_TEXT, 0, payload).format()
    stream = one * args.frames
    reads: dict[str, list[float]] = {"ours": [], "websocket-client": []}
    for _ in range(args.rounds):
        reads["ours"].append(_read_round(_ours, stream, args.frames))
        reads["websocket-client"].append(_read_round(_theirs, stream, args.frames))
    big = os.urandom(args.big)
    writes: dict[str, list[float]] = {"ours": [], "websocket-client": []}
    for _ in range(args.rounds):
        writes["ours"].append(_write_round(_ours_write, big, 5))
        writes["websocket-client"].append(_write_round(_theirs_write, big, 5))

    read_us = {k: statistics.median(v) / args.frames * 1e6 for k, v in reads.items()}
    write_mbs = {k: 5 * args.big / statistics.median(v) / 1e6 for k, v in writes.items()}
    print(
        f"read {args.frames} frames of {args.size} bytes (CPU per frame, median of {args.rounds})"
    )
    for name, value in read_us.items():
        print(f"  {name:<17} {value:8.2f} µs  ({1e6 / value:,.0f} frames/s)")
    print(f"  ratio ours/websocket-client: {read_us['ours'] / read_us['websocket-client']:.2f}")
    print(f"write one masked frame of {args.big} bytes (throughput, median of {args.rounds})")
    for name, value in write_mbs.items():
        print(f"  {name:<17} {value:8.0f} MB/s")
    print(f"  ratio ours/websocket-client: {write_mbs['ours'] / write_mbs['websocket-client']:.2f}")


if __name__ == "__main__":
    main()
