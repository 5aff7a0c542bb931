"""Parsers that prove a downloaded file is real media of its format (not just its size).

Written for the tests, independently of the fake's own writers.
"""

from __future__ import annotations

import io
import struct
import wave

_MP3_BITRATES_V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0]
_MP3_BITRATES_V2_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0]
_MP3_RATES = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}


def check_wav(data: bytes) -> dict[str, int]:
    with wave.open(io.BytesIO(data)) as wav:
        frames = wav.getnframes()
        assert frames > 0, "no audio frames"
        assert wav.getframerate() > 0
        wav.readframes(frames)
        return {"frames": frames, "rate": wav.getframerate(), "channels": wav.getnchannels()}


def mp4_boxes(data: bytes) -> list[str]:
    """Walk the top-level ISO-BMFF boxes; every size must fit exactly."""
    names: list[str] = []
    offset = 0
    while offset < len(data):
        assert offset + 8 <= len(data), f"truncated box header at {offset}"
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        elif size == 0:
            size = len(data) - offset
        assert size >= 8 and offset + size <= len(data), f"bad size of box {kind!r} at {offset}"
        names.append(kind.decode("latin-1"))
        offset += size
    return names


def check_mp4(data: bytes) -> list[str]:
    boxes = mp4_boxes(data)
    assert boxes[0] == "ftyp", boxes
    assert "moov" in boxes, boxes
    return boxes


def check_mp3(data: bytes) -> int:
    """Skip an ID3v2 tag, then follow MPEG audio frames by their headers; returns the count."""
    offset = 0
    if data[:3] == b"ID3":
        size = data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9]
        offset = 10 + size
    frames = 0
    while offset + 4 <= len(data):
        header = struct.unpack(">I", data[offset : offset + 4])[0]
        if header >> 21 != 0x7FF:
            break
        version = (header >> 19) & 3
        layer = (header >> 17) & 3
        bitrate_index = (header >> 12) & 15
        rate_index = (header >> 10) & 3
        padding = (header >> 9) & 1
        assert version != 1 and layer == 1, "not MPEG audio layer III"
        assert bitrate_index not in (0, 15) and rate_index != 3, "invalid frame header"
        table = _MP3_BITRATES_V1_L3 if version == 3 else _MP3_BITRATES_V2_L3
        rate = _MP3_RATES[version][rate_index]
        coefficient = 144 if version == 3 else 72
        length = coefficient * table[bitrate_index] * 1000 // rate + padding
        offset += length
        frames += 1
    assert frames > 0, "no MPEG audio frames"
    return frames


def check_flac(data: bytes) -> dict[str, int]:
    assert data[:4] == b"fLaC", "no fLaC marker"
    block_type = data[4] & 0x7F
    length = int.from_bytes(data[5:8], "big")
    assert block_type == 0 and length == 34, "first metadata block is not STREAMINFO"
    info = data[8:42]
    sample_rate = int.from_bytes(info[10:13], "big") >> 4
    channels = ((info[12] >> 1) & 7) + 1
    bits = (((info[12] & 1) << 4) | (info[13] >> 4)) + 1
    assert sample_rate > 0 and 1 <= channels <= 8 and 4 <= bits <= 32
    # Walk the metadata blocks to the last one; the first audio frame follows.
    pos = 4
    while True:
        assert pos + 4 <= len(data), "metadata runs past the end of the file"
        last = data[pos] & 0x80
        pos += 4 + int.from_bytes(data[pos + 1 : pos + 4], "big")
        if last:
            break
    _check_flac_frame_header(data, pos, channels)
    return {"rate": sample_rate, "channels": channels, "bits": bits}


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _check_flac_frame_header(data: bytes, pos: int, channels: int) -> None:
    header = data[pos : pos + 16]
    assert len(header) >= 6, "no audio frame after the metadata"
    assert header[0] == 0xFF and header[1] in (0xF8, 0xF9), "no FLAC frame sync code"
    block_size_code, rate_code = header[2] >> 4, header[2] & 0x0F
    assert block_size_code != 0 and rate_code != 0x0F, "reserved block size or sample rate"
    assignment = header[3] >> 4
    assert assignment <= 10, "reserved channel assignment"
    assert (assignment + 1 if assignment < 8 else 2) == channels
    assert header[3] & 1 == 0, "reserved bit set"
    # The frame number is UTF-8-style coded: the leading ones give the byte count.
    first = header[4]
    extra = 0 if first < 0x80 else (8 - (~first & 0xFF).bit_length()) - 1
    end = 5 + extra
    end += {6: 1, 7: 2}.get(block_size_code, 0)
    end += {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    assert header[end] == _crc8(header[:end]), "frame header CRC-8 mismatch"


CHECKS = {
    "wav": check_wav,
    "mp4": check_mp4,
    "mov": check_mp4,
    "mp3": check_mp3,
    "flac": check_flac,
}
