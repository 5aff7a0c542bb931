"""``sogni_async``: the asyncio shim over the synchronous ``sogni`` core (grows with the SDK)."""

from __future__ import annotations

from sogni import __version__

__all__ = ["__version__"]
