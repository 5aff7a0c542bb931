"""Every Python block of the guides runs, page by page, against one FakeSupernet per page.

A page's blocks run in order in one namespace, in a temporary directory, with the ``SOGNI_*``
variables pointing at the page's fake, so ``SogniClient.from_env()`` in the text finds it. A
block whose first line is ``# Needs real credentials`` is only compiled. A function named
``test_*`` that a block defines is called with the page's fake as ``fake_supernet``, as pytest
would. Programs included from ``examples/`` are not counted here: CI runs every example.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from sogni.testing import FakeSupernet

from .conftest import DOCS

FENCE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
NEEDS_CREDENTIALS = "# Needs real credentials"
PAGES = sorted(path for path in DOCS.glob("*.md") if FENCE.search(path.read_text("utf-8")))


def blocks(page: Path) -> list[str]:
    return FENCE.findall(page.read_text(encoding="utf-8"))


def test_the_guides_have_runnable_blocks() -> None:
    every = [block for page in PAGES for block in blocks(page)]
    runnable = [block for block in every if not block.startswith(NEEDS_CREDENTIALS)]
    # The counts the documentation's claim rests on; update them when blocks are added.
    assert (len(every), len(runnable)) == (23, 22)


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_page_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with FakeSupernet(time_scale=0.01) as fake:
        monkeypatch.setenv("SOGNI_API_KEY", fake.api_key)
        monkeypatch.setenv("SOGNI_REST_ENDPOINT", fake.rest_url)
        monkeypatch.setenv("SOGNI_SOCKET_ENDPOINT", fake.socket_url)
        monkeypatch.delenv("SOGNI_APP_ID", raising=False)
        monkeypatch.delenv("SOGNI_NETWORK", raising=False)
        namespace: dict[str, Any] = {"__name__": f"docs_{page.stem}"}
        for number, block in enumerate(blocks(page), 1):
            code = compile(block, f"{page.name} block {number}", "exec")
            if block.startswith(NEEDS_CREDENTIALS):
                continue
            before = set(namespace)
            exec(code, namespace)
            for name in sorted(set(namespace) - before):
                function = namespace[name]
                if name.startswith("test_") and inspect.isfunction(function):
                    function(fake_supernet=fake)
