"""pytest plugin (registered as ``sogni``): the ``fake_supernet`` fixture.

Imports nothing from the ``testing`` extra until the fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._fake import FakeSupernet


@pytest.fixture
def fake_supernet() -> Iterator[FakeSupernet]:
    """A running FakeSupernet on 127.0.0.1 with free ports, stopped after the test."""
    with FakeSupernet(time_scale=0.01) as fake:
        yield fake
