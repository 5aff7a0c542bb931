"""``report.html``: a contact sheet of a batch — each completed item's media (an image, a
video or an audio player), its prompt and its cost; then the failed and unsent items.

Written as the journal is read, one item at a time. Every value from the items or the server
(prompts, keys, error messages, file names) is HTML-escaped, and file references are relative
URLs, percent-encoded.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import IO
from urllib.parse import quote

from ._report import BatchReport, ItemResult

__all__ = ["write_html"]

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;background:#fafafa;color:#222}
.sheet{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:1rem}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:.5rem}
figure img,figure video{width:100%;height:auto;border-radius:4px}
figure audio{width:100%}
figcaption{font-size:.85rem;margin-top:.4rem;overflow-wrap:anywhere}
.cost{color:#555}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.3rem .5rem;text-align:left}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _src(path: Path, base: Path) -> str:
    relative = os.path.relpath(path, base)
    return _e(quote(Path(relative).as_posix()))


def _media(result: ItemResult, base: Path) -> str:
    parts = []
    for file in result.files:
        src = _src(file.path, base)
        if result.type == "video":
            parts.append(f'<video controls preload="metadata" src="{src}"></video>')
        elif result.type == "audio":
            parts.append(f'<audio controls preload="none" src="{src}"></audio>')
        else:
            parts.append(f'<a href="{src}"><img loading="lazy" src="{src}" alt=""></a>')
    return "".join(parts)


def _figure(result: ItemResult, base: Path, token: str) -> str:
    cost = "cost unknown" if result.cost_actual is None else f"{result.cost_actual} {token}"
    return (
        f'<figure id="{_e(result.key)}">{_media(result, base)}'
        f"<figcaption><div>{_e(result.prompt)}</div>"
        f'<div class="cost">{_e(result.key)} · {_e(cost)}</div></figcaption></figure>\n'
    )


def _write_summary(out: IO[str], report: BatchReport) -> None:
    cap = "" if report.spend_cap is None else f" of a {report.spend_cap} cap"
    out.write(
        f"<p>{report.completed} of {report.total} items completed · "
        f"{len(report.failed)} failed · {len(report.unsubmitted)} not sent · "
        f"spent {_e(report.spent)} {_e(report.token_type)}{_e(cap)}"
        + (f" · stopped: {_e(report.stopped)}" if report.stopped else "")
        + "</p>\n"
    )


def write_html(report: BatchReport, path: str | os.PathLike[str] | None = None) -> Path:
    """Write the contact sheet (default ``out_dir/report.html``) and return its path."""
    target = Path(path) if path is not None else report.out_dir / "report.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    base = target.parent.resolve()
    partial = target.with_name(f".{target.name}.part")
    with partial.open("w", encoding="utf-8") as out:
        out.write(
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>Batch report</title><style>{_STYLE}</style></head><body>\n"
            "<h1>Batch report</h1>\n"
        )
        _write_summary(out, report)
        out.write('<section class="sheet">\n')
        for result in report.results():
            out.write(_figure(result, base, report.token_type))
        out.write("</section>\n")
        if report.failed:
            out.write("<h2>Failed</h2>\n<table><tr><th>key</th><th>error</th><th>message</th>")
            out.write("<th>retryable</th></tr>\n")
            for failure in report.failed:
                out.write(
                    f"<tr><td>{_e(failure.key)}</td><td>{_e(failure.error)}</td>"
                    f"<td>{_e(failure.message)}</td><td>{_e(failure.retryable)}</td></tr>\n"
                )
            out.write("</table>\n")
        if report.unsubmitted:
            out.write(f"<h2>Not sent ({len(report.unsubmitted)})</h2>\n<ul>\n")
            for key in report.unsubmitted:
                out.write(f"<li>{_e(key)}</li>\n")
            out.write("</ul>\n")
        out.write("</body></html>\n")
    os.replace(partial, target)
    return target
