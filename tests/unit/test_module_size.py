"""No module of the package is over 800 lines: a longer one is split by responsibility."""

from __future__ import annotations

from pathlib import Path

import sogni
import sogni_async

LIMIT = 800


def _modules() -> dict[str, int]:
    """Every module of both packages (sub-packages included) and its number of lines."""
    sizes: dict[str, int] = {}
    for package in (sogni, sogni_async):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*.py")):
            name = f"{root.name}/{path.relative_to(root).as_posix()}"
            sizes[name] = len(path.read_text(encoding="utf-8").splitlines())
    return sizes


def test_no_module_is_over_800_lines() -> None:
    sizes = _modules()
    # The walk really covers both packages and their sub-packages.
    for name in ("sogni/client.py", "sogni/testing/_fake.py", "sogni_async/_client.py"):
        assert name in sizes
    too_long = [f"{name} ({lines} lines)" for name, lines in sizes.items() if lines > LIMIT]
    assert not too_long, f"modules over {LIMIT} lines, split them: {', '.join(too_long)}"
