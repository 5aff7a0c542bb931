"""``sogni``: a small command line over the SDK (credentials from ``SOGNI_*`` variables).

    sogni account                      who am I, balances
    sogni models                       models with workers now
    sogni image "a cat" --out out/     render images (progress bar with the ``cli`` extra)
    sogni chat "Hello"                 stream a chat reply
    sogni fake                         run a FakeSupernet (same as python -m sogni.testing)

``--fake`` runs any command against an embedded FakeSupernet instead of the real service.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from .client import SogniClient
from .errors import SogniError


@contextlib.contextmanager
def _client(args: argparse.Namespace) -> Iterator[SogniClient]:
    if args.fake:
        from .testing import FakeSupernet

        with (
            FakeSupernet() as fake,
            SogniClient(
                app_id=args.app_id,
                api_key=fake.api_key,
                rest_endpoint=fake.rest_url,
                socket_endpoint=fake.socket_url,
            ) as client,
        ):
            yield client
        return
    with SogniClient.from_env(app_id=args.app_id) as client:
        yield client


def _progress(total: int) -> Any:
    """A tqdm bar when the ``cli`` extra is installed, else percentages on stderr."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="%", file=sys.stderr)


def _account(client: SogniClient, args: argparse.Namespace) -> None:
    me = client.account.me()
    balance = client.account.refresh_balance()
    print(f"{me.username} {me.wallet_address}")
    print(f"spark {balance.spark.net}  sogni {balance.sogni.net}")


def _models(client: SogniClient, args: argparse.Namespace) -> None:
    for model in sorted(client.projects.wait_for_models(), key=lambda m: (m.media, m.id)):
        print(f"{model.media:<6} {model.id:<50} {model.worker_count}")


def _image(client: SogniClient, args: argparse.Namespace) -> None:
    project = client.projects.create(
        type="image",
        model_id=args.model,
        positive_prompt=args.prompt,
        number_of_media=args.count,
        steps=args.steps,
        seed=args.seed,
    )
    bar = _progress(100)
    last = 0

    def show(percent: int) -> None:
        nonlocal last
        if bar is not None:
            bar.update(max(0, percent - last))
        else:
            print(f"{percent}%", file=sys.stderr)
        last = max(last, percent)

    project.on("progress", show)
    project.wait()
    if bar is not None:
        bar.close()
    for path in project.download(args.out):
        print(path)


def _chat(client: SogniClient, args: argparse.Namespace) -> None:
    with client.chat.completions.create(
        messages=[{"role": "user", "content": args.message}], stream=True
    ) as stream:
        for chunk in stream:
            print(chunk.content or "", end="", flush=True)
    print()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sogni", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fake", action="store_true", help="use an embedded FakeSupernet")
    parser.add_argument("--app-id", default="sogni-cli")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("account", help="account and balances")
    commands.add_parser("models", help="models with workers now")
    image = commands.add_parser("image", help="render images")
    image.add_argument("prompt")
    image.add_argument("--model", default="flux1-schnell-fp8")
    image.add_argument("--count", type=int, default=1)
    image.add_argument("--steps", type=int, default=None)
    image.add_argument("--seed", type=int, default=None)
    image.add_argument("--out", default=".")
    chat = commands.add_parser("chat", help="stream a chat reply")
    chat.add_argument("message")
    commands.add_parser("fake", help="run a FakeSupernet until interrupted")
    args = parser.parse_args(argv)
    if args.command == "fake":
        from .testing.__main__ import main as fake_main

        return fake_main([])
    handlers = {"account": _account, "models": _models, "image": _image, "chat": _chat}
    try:
        with _client(args) as client:
            handlers[args.command](client, args)
    except SogniError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
