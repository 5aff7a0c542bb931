"""``sogni.testing``: FakeSupernet, a local Supernet for tests, demos and offline work.

Importing this package needs nothing beyond the SDK itself; starting a ``FakeSupernet``
needs the ``testing`` extra (``pip install 'sogni[testing]'``).
"""

from ._demo import open_async_client, open_client
from ._fake import FakeSupernet
from ._media import read_image_metadata, read_media_metadata
from ._state import FakeAccount, LedgerEntry, Received

__all__ = [
    "FakeAccount",
    "FakeSupernet",
    "LedgerEntry",
    "Received",
    "open_async_client",
    "open_client",
    "read_image_metadata",
    "read_media_metadata",
]
