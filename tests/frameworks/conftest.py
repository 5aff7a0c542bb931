"""Framework tests: ``examples/`` is importable, and processes (this one or children) reach
the test's FakeSupernet through the ``SOGNI_*`` variables, as they would in production."""

from __future__ import annotations

import os
import sys

import pytest

from sogni.testing import FakeSupernet

from ._support import EXAMPLES, fake_environ

if str(EXAMPLES) not in sys.path:
    sys.path.append(str(EXAMPLES))  # after everything else: examples shadow nothing


@pytest.fixture
def fake_env(fake: FakeSupernet, monkeypatch: pytest.MonkeyPatch) -> FakeSupernet:
    """``fake``, with ``SogniClient.from_env()`` in this process pointing at it."""
    for name in [k for k in os.environ if k.startswith("SOGNI_")]:
        monkeypatch.delenv(name)
    for name, value in fake_environ(fake).items():
        if name.startswith("SOGNI_"):
            monkeypatch.setenv(name, value)
    return fake
