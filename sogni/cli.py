"""``sogni``: a command line over the SDK (credentials from ``SOGNI_*`` variables).

    sogni account                        who am I, balances
    sogni models                         models with workers now
    sogni image "a cat" --out out/       render images (every parameter is an option)
    sogni video "a boat" --duration 5    render a video
    sogni music "calm piano"             render music
    sogni estimate image "a cat"         what it would cost (also video, music)
    sogni chat "Hello"                   stream a chat reply
    sogni batch prompts.csv --out out/   a resumable, budgeted batch (report.html)
    sogni fake                           run a FakeSupernet (same as python -m sogni.testing)

``--fake`` (before or after the command) runs it against an embedded FakeSupernet instead of
the real service.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from ._cli_batch import add_batch_command, run_batch
from ._cli_params import add_param_options, params_from_args
from .client import SogniClient
from .errors import SogniError
from .projects.params import AudioProjectParams, VideoProjectParams, make_params

# The media commands and the project type each renders.
_MEDIA = {"image": "image", "video": "video", "music": "audio"}


@contextlib.contextmanager
def _client(args: argparse.Namespace, app_id: str | None = None) -> Iterator[SogniClient]:
    app = app_id or args.app_id
    if args.fake:
        from .testing import FakeSupernet

        with (
            FakeSupernet() as fake,
            SogniClient(
                app_id=app,
                api_key=fake.api_key,
                rest_endpoint=fake.rest_url,
                socket_endpoint=fake.socket_url,
            ) as client,
        ):
            yield client
        return
    with SogniClient.from_env(app_id=app) as client:
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


def _render(client: SogniClient, args: argparse.Namespace) -> None:
    kind = _MEDIA[args.command]
    project = client.projects.create(make_params(kind, **params_from_args(args, kind)))
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


def _estimate(client: SogniClient, args: argparse.Namespace) -> None:
    kind = _MEDIA[args.media]
    params = make_params(kind, **params_from_args(args, kind))
    projects = client.projects
    if isinstance(params, VideoProjectParams):
        quote = projects.estimate_video_cost(params)
    elif isinstance(params, AudioProjectParams):
        quote = projects.estimate_audio_cost(params)
    else:
        quote = projects.estimate_cost(params)
    token = params.token_type or "spark"
    print(f"{quote.token} {token} ({quote.usd} USD)")


def _chat(client: SogniClient, args: argparse.Namespace) -> None:
    with client.chat.completions.create(
        messages=[{"role": "user", "content": args.message}], stream=True
    ) as stream:
        for chunk in stream:
            print(chunk.content or "", end="", flush=True)
    print()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sogni",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--fake", action="store_true", help="use an embedded FakeSupernet")
    parser.add_argument("--app-id", default="sogni-cli")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("account", "account and balances"), ("models", "models with workers now")):
        plain = commands.add_parser(name, help=text)
        plain.add_argument("--fake", action="store_true", default=argparse.SUPPRESS)
    for command, kind in _MEDIA.items():
        media = commands.add_parser(
            command, help=f"render {command if kind != 'audio' else 'music'}"
        )
        add_param_options(media, kind)
        media.add_argument("--out", default=".", help="where the results go (default .)")
        media.add_argument("--fake", action="store_true", default=argparse.SUPPRESS)
    estimate = commands.add_parser("estimate", help="what a project would cost")
    estimate.add_argument("--fake", action="store_true", default=argparse.SUPPRESS)
    kinds = estimate.add_subparsers(dest="media", required=True)
    for command, kind in _MEDIA.items():
        quoted = kinds.add_parser(command, help=f"the cost of a {command} project")
        add_param_options(quoted, kind)
        quoted.add_argument("--fake", action="store_true", default=argparse.SUPPRESS)
    chat = commands.add_parser("chat", help="stream a chat reply")
    chat.add_argument("message")
    chat.add_argument("--fake", action="store_true", default=argparse.SUPPRESS)
    add_batch_command(commands)
    commands.add_parser("fake", help="run a FakeSupernet until interrupted")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "fake":
        from .testing.__main__ import main as fake_main

        return fake_main([])
    handlers = {
        "account": _account,
        "models": _models,
        "image": _render,
        "video": _render,
        "music": _render,
        "estimate": _estimate,
        "chat": _chat,
    }
    try:
        if args.command == "batch":
            if args.fake and args.dask:
                print("error: --fake and --dask cannot be combined", file=sys.stderr)
                return 2
            return run_batch(args, lambda app_id: _client(args, app_id), args.app_id)
        with _client(args) as client:
            handlers[args.command](client, args)
    except ValueError as exc:  # a bad option value (a SogniError ValidationError is one too)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SogniError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
