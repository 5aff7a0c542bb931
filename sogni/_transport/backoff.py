"""Back-off for the socket's reconnects and REST retries: capped exponential, fully jittered.

Full jitter (a uniform draw between zero and the ceiling) spreads the reconnects of many
clients dropped at the same moment, say by a server restart, over the whole window instead of
bringing them back in lock-step; the cap bounds the wait of a client that keeps failing.
"""

from __future__ import annotations

import random

__all__ = ["backoff_delay"]


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts the failed attempts
    of the series, from 0; for the socket, since the last authenticated connection):
    ``uniform(0, min(cap, base * 2 ** attempt))``."""
    ceiling = min(cap, base * 2 ** min(attempt, 30))
    return rng.uniform(0, ceiling)
