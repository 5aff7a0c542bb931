"""The package cites nothing that is not in the repository: the facts are stated in place."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITATION = re.compile(r"protocol/0|\.\./shared|ARCHITECTURE\.md")


def test_no_docstring_or_comment_cites_an_outside_document() -> None:
    hits = []
    files = 0
    for package in ("sogni", "sogni_async"):
        for path in sorted((ROOT / package).rglob("*")):
            if not path.is_file() or path.suffix not in {".py", ".md", ".txt", ".json", ".pyi"}:
                continue
            files += 1
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if CITATION.search(line):
                    hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert files > 100
    assert not hits, "\n".join(hits)
