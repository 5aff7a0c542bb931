"""Peak memory of a 200 MB upload and download, as a ratio of the file size.

The SDK streams media from disk to the presigned URL and from the signed URL to disk, so
the process's peak resident memory should grow by a small fraction of the file (target: under
0.1). The FakeSupernet runs in a subprocess so its buffers are not counted.

    python bench/upload_memory.py [--size-mb 200]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
from pathlib import Path

from _fake_process import BenchFake

from sogni import ClientConfig
from sogni._transport.rest import RestClient
from sogni.auth import CredentialStore
from sogni.projects._uploads import upload_media
from sogni.projects._validation import MediaSlot
from sogni.projects.media import resolve_media

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def peak_rss_bytes() -> int:
    # ru_maxrss is in KiB on Linux: the largest resident set so far in this process.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=200)
    args = parser.parse_args()
    size = args.size_mb * 1024 * 1024
    with BenchFake() as fake, tempfile.TemporaryDirectory() as tmp:
        info = fake.info
        source = Path(tmp) / "big.png"
        with open(source, "wb") as f:
            f.write(PNG_SIGNATURE)
            chunk = os.urandom(1 << 20)
            written = len(PNG_SIGNATURE)
            while written < size:
                piece = chunk[: size - written]
                f.write(piece)
                written += len(piece)
        config = ClientConfig(
            api_key=info["api_key"],
            rest_endpoint=info["rest_url"],
            socket_endpoint=info["socket_url"],
            disable_socket=True,
        )
        rest = RestClient(config, CredentialStore(config.api_key))
        slot = MediaSlot(
            slot="startingImage",
            kind="image",
            source=resolve_media(str(source), "starting_image", kind="image"),
        )
        before = peak_rss_bytes()
        upload_media(rest, config, "BENCH-0000-0000-0000-000000000000", [slot])
        after_upload = peak_rss_bytes()
        url = fake.command("sign-latest-upload")
        target = Path(tmp) / "copy.png"
        with open(target, "wb") as sink:
            rest.download(url, sink)
        after_download = peak_rss_bytes()
        rest.close()
        assert target.stat().st_size == size, "download size differs from the upload"
        up = (after_upload - before) / size
        down = (after_download - after_upload) / size
        print(f"file size: {size / 2**20:.0f} MiB")
        print(f"peak RSS before the transfers: {before / 2**20:.1f} MiB")
        print(
            f"upload:   peak RSS growth {(after_upload - before) / 2**20:.1f} MiB"
            f" / file size = {up:.4f}  (target < 0.1)"
        )
        print(
            f"download: peak RSS growth {(after_download - after_upload) / 2**20:.1f} MiB"
            f" / file size = {down:.4f}  (target < 0.1)"
        )


if __name__ == "__main__":
    main()
