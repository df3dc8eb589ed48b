"""What an audio file's header and container say about its length, read cheaply.

Each reader looks at a few kilobytes (a WAV's chunk headers, an OGG file's last 64 KB, an
MP3's frame headers walked with seeks, ``ffprobe``'s answer for the ffmpeg formats) and
returns a :class:`Claim`: how long the audio should be and, when the container's own end is
missing (a WAV holding less data than its header promises, an OGG file without its
end-of-stream page, an MP3 whose last frame is cut short), why the file looks cut.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

__all__ = [
    "Claim",
    "ProbedStream",
    "aiff_claim",
    "ffprobe_stream",
    "mp3_claim",
    "ogg_cut",
    "wav_claim",
]


@dataclass(frozen=True, kw_only=True)
class Claim:
    """What a file's header says about its audio.

    Attributes
    ----------
    frames : int or None
        Frames (at the file's rate) a complete decoding gives; ``None`` when unknown.
    duration_s : float or None
        Length the header claims, bounded by what the file can hold where that is known
        (a PCM WAV); checked against the duration budget before decoding.
    cut : str or None
        Why the file looks cut short (its container's end is missing), else ``None``.
    slack_s : float
        How much ``duration_s`` may overstate a complete decoding (an MP3 frame count
        without its encoder's delay and padding).
    """

    frames: int | None = None
    duration_s: float | None = None
    cut: str | None = None
    slack_s: float = 0.0


def span(seconds: float) -> str:
    """A length for people: ``18.0 s``, ``12.5 min``, ``13.5 h``."""
    if seconds < 120.0:
        return f"{seconds:.1f} s"
    if seconds < 7200.0:
        return f"{seconds / 60.0:.1f} min"
    return f"{seconds / 3600.0:.1f} h"


# --------------------------------------------------------------------------- WAV

#: Chunks walked at most in a WAV or AIFF header (a hostile file may hold millions).
_MAX_CHUNKS = 256

#: WAV format tags whose frames are ``data bytes / block align`` (PCM, float, A-law, µ-law,
#: extensible).
_PCM_TAGS = frozenset({1, 3, 6, 7, 0xFFFE})


def _chunks(
    f: BinaryIO, size: int, byteorder: Literal["little", "big"]
) -> Iterator[tuple[int, bytes, int]]:
    """``(position, id, length)`` of the chunks of a RIFF or IFF file after its 12-byte
    header, at most :data:`_MAX_CHUNKS`; ``f`` is left just after each chunk's header."""
    pos = 12
    for _ in range(_MAX_CHUNKS):
        if pos + 8 > size:
            return
        f.seek(pos)
        header = f.read(8)
        length = int.from_bytes(header[4:8], byteorder)
        yield pos, header[:4], length
        pos += 8 + length + (length & 1)


def wav_claim(p: Path, size: int) -> Claim | None:
    """The data chunk's claim of a RIFF/WAVE file against the bytes the file holds.

    Returns ``None`` when the chunks cannot be walked (libsndfile's count is used then).
    """
    try:
        with p.open("rb") as f:
            if f.read(12)[8:12] != b"WAVE":
                return None
            tag, rate, align = 0, 0, 0
            for pos, ident, length in _chunks(f, size, "little"):
                if ident == b"fmt ":
                    fmt = f.read(16)
                    tag = int.from_bytes(fmt[0:2], "little")
                    rate = int.from_bytes(fmt[4:8], "little")
                    align = int.from_bytes(fmt[12:14], "little")
                elif ident == b"data":
                    return _wav_data(tag, rate, align, length, size - pos - 8)
    except OSError:
        return None
    return None


def _wav_data(tag: int, rate: int, align: int, length: int, held: int) -> Claim | None:
    if rate <= 0 or align <= 0:
        return None
    cut = None
    if length > held:
        cut = (
            f"its header promises {span(length / align / rate)} of audio, the file holds "
            f"{span(held / align / rate)}"
        )
    if tag not in _PCM_TAGS:
        return Claim(cut=cut)
    frames = min(length, held) // align
    return Claim(frames=None if cut else frames, duration_s=frames / rate, cut=cut)


def aiff_claim(p: Path, size: int, rate: int) -> Claim | None:
    """An uncompressed AIFF's frame count (COMM chunk) against the sound data the file
    holds (SSND chunk); ``None`` when the chunks cannot be walked."""
    try:
        with p.open("rb") as f:
            if f.read(12)[8:12] not in (b"AIFF", b"AIFC"):
                return None
            frames, frame_bytes = 0, 0
            for pos, ident, length in _chunks(f, size, "big"):
                if ident == b"COMM":
                    comm = f.read(min(length, 22))
                    if len(comm) < 18:
                        return None
                    frames = int.from_bytes(comm[2:6], "big")
                    frame_bytes = int.from_bytes(comm[0:2], "big") * -(-comm[7] // 8)
                    if comm[18:22] not in (b"", b"NONE", b"twos", b"sowt", b"fl32", b"fl64"):
                        return None  # compressed AIFC: no byte count to compare
                elif ident == b"SSND" and frames and frame_bytes:
                    offset = int.from_bytes(f.read(4), "big")
                    held = max(0, size - pos - 16 - offset) // frame_bytes
                    if held >= frames:
                        return Claim(frames=frames, duration_s=frames / rate)
                    cut = (
                        f"its header promises {span(frames / rate)} of audio, the file holds "
                        f"{span(held / rate)}"
                    )
                    return Claim(duration_s=held / rate, cut=cut)
    except OSError:
        return None
    return None


# --------------------------------------------------------------------------- OGG

#: An OGG page is at most 27 + 255 + 255 * 255 bytes: the tail read holds the last one.
_OGG_TAIL = 65536 + 512


def ogg_cut(p: Path, size: int) -> str | None:
    """Why an OGG file looks cut short: its last page is incomplete, or it is complete but
    not flagged end-of-stream. ``None`` for a file that ends as a finished stream."""
    try:
        with p.open("rb") as f:
            start = max(0, size - _OGG_TAIL)
            f.seek(start)
            tail = f.read()
    except OSError:
        return None
    at = tail.find(b"OggS")
    while at >= 0:
        last = _ogg_chain_end(tail, at)
        if last is not None:
            return None if tail[last + 5] & 0x04 else "it ends without an end-of-stream page"
        at = tail.find(b"OggS", at + 1)
    return "its last page is cut short"


def _ogg_chain_end(tail: bytes, at: int) -> int | None:
    """Follow pages from ``at``; the start of the last page if they end exactly at the end
    of ``tail``, else ``None``."""
    while True:
        if tail[at : at + 4] != b"OggS" or at + 27 > len(tail) or tail[at + 4] != 0:
            return None
        count = tail[at + 26]
        table = tail[at + 27 : at + 27 + count]
        if len(table) < count:
            return None
        end = at + 27 + count + sum(table)
        if end == len(tail):
            return at
        if end > len(tail):
            return None
        at = end


# --------------------------------------------------------------------------- MP3

_MP3_BITRATES_KBPS = {
    (1, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (1, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (1, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES_HZ = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}


@dataclass(frozen=True)
class _Frame:
    length: int
    samples: int
    rate: int
    mono: bool
    mpeg1: bool


def _mp3_frame(h: bytes) -> _Frame | None:
    """Parse a 4-byte MPEG audio frame header (``None`` if it is not one we can size)."""
    if len(h) < 4 or h[0] != 0xFF or (h[1] & 0xE0) != 0xE0:
        return None
    version = {3: 1, 2: 2, 0: 25}.get((h[1] >> 3) & 3)
    layer = 4 - ((h[1] >> 1) & 3)
    bitrate_i, rate_i, pad = h[2] >> 4, (h[2] >> 2) & 3, (h[2] >> 1) & 1
    if version is None or layer == 4 or bitrate_i in (0, 15) or rate_i == 3:
        return None
    table = _MP3_BITRATES_KBPS[(1, layer) if version == 1 else (2, 1 if layer == 1 else 2)]
    bitrate, rate = table[bitrate_i] * 1000, _MP3_RATES_HZ[version][rate_i]
    if layer == 1:
        return _Frame((12 * bitrate // rate + pad) * 4, 384, rate, h[3] >> 6 == 3, version == 1)
    samples = 576 if layer == 3 and version != 1 else 1152
    return _Frame(samples // 8 * bitrate // rate + pad, samples, rate, h[3] >> 6 == 3, version == 1)


def mp3_claim(p: Path, size: int) -> Claim | None:
    """Walk an MP3's frame headers (with seeks): its Xing/Info frame count (or the frames
    walked) as the claim, and whether the last frame is cut short."""
    try:
        with p.open("rb") as f:
            head = f.read(10)
            pos = 0
            if head[:3] == b"ID3" and len(head) == 10:
                for byte in head[6:10]:  # synchsafe: 7 bits a byte
                    pos = (pos << 7) | (byte & 0x7F)
                pos += 10
                pos += 10 if head[5] & 0x10 else 0
            f.seek(max(0, size - 128))
            end = size - 128 if f.read(3) == b"TAG" else size
            first = _first_frame(f, pos, end)
            if first is None:
                return None
            pos, frame = first
            f.seek(pos)
            xing = _xing_samples(f.read(frame.length), frame)
            walked, cut = _walk(f, pos, end)
    except OSError:
        return None
    total = xing if xing is not None else walked * frame.samples
    why = "its last frame is cut short" if cut else None
    # without a LAME tag the count includes the encoder's delay and padding: 2 frames at most
    slack = 0.0 if xing is not None else 2 * frame.samples / frame.rate
    return Claim(frames=total, duration_s=total / frame.rate, cut=why, slack_s=slack)


def _first_frame(f: BinaryIO, pos: int, end: int) -> tuple[int, _Frame] | None:
    """The first frame header at or after ``pos`` that a second valid header follows."""
    f.seek(pos)
    window = f.read(65536)
    at = window.find(b"\xff")
    while 0 <= at < len(window) - 4:
        frame = _mp3_frame(window[at : at + 4])
        if frame is not None:
            f.seek(pos + at + frame.length)
            after = _mp3_frame(f.read(4))
            if after is not None or pos + at + frame.length == end:
                return pos + at, frame
        at = window.find(b"\xff", at + 1)
    return None


def _xing_samples(data: bytes, frame: _Frame) -> int | None:
    """The samples a Xing/Info (or VBRI) header in the first frame promises, if there is
    one: its frame count, less the encoder's delay and padding when a LAME tag says them."""
    side = (17 if frame.mono else 32) if frame.mpeg1 else (9 if frame.mono else 17)
    at = 4 + side
    if data[at : at + 4] in (b"Xing", b"Info") and len(data) >= at + 12 and data[at + 7] & 1:
        flags = data[at + 7]
        frames = int.from_bytes(data[at + 8 : at + 12], "big")
        lame = at + 8 + 4 * bin(flags & 0x0B).count("1") + (100 if flags & 4 else 0)
        trim = 0
        if data[lame : lame + 4].isalnum() and len(data) >= lame + 24:  # "LAME", "Lavc"
            both = int.from_bytes(data[lame + 21 : lame + 24], "big")
            trim = (both >> 12) + (both & 0xFFF)
        return max(0, frames * frame.samples - trim)
    if data[36:40] == b"VBRI":
        return int.from_bytes(data[50:54], "big") * frame.samples
    return None


#: Bytes read at a time while walking MP3 frame headers.
_WALK_CHUNK = 1 << 20


def _walk(f: BinaryIO, pos: int, end: int) -> tuple[int, bool]:
    """Frames from ``pos`` to ``end`` (the audio's end, before an ID3v1 tag) and whether the
    last one is cut short. The walk stops quietly at data that is not a frame (a tag).
    Reads a megabyte at a time: memory stays bounded, a 60-minute file takes a second."""
    frames = 0
    lengths: dict[bytes, int] = {}  # a file has few distinct headers: parse each once
    while pos + 4 <= end:
        f.seek(pos)
        chunk = f.read(min(_WALK_CHUNK, end - pos))
        at = 0
        while at + 4 <= len(chunk):
            header = chunk[at : at + 3]
            length = lengths.get(header)
            if length is None:
                frame = _mp3_frame(chunk[at : at + 4])
                if frame is None:
                    return frames, False
                length = lengths[header] = frame.length
            if pos + at + length > end:
                return frames, True
            frames += 1
            at += length
        pos += at
        if len(chunk) < 4:
            break
    return frames, 0 < end - pos < 4


# --------------------------------------------------------------------------- ffprobe


@dataclass(frozen=True)
class ProbedStream:
    """The first audio stream ``ffprobe`` finds: its rate, its own duration and the
    container's (each ``None`` when the file states none and ``ffprobe`` only guesses it)."""

    sample_rate_hz: int | None
    duration_s: float | None
    container_duration_s: float | None = None


def ffprobe_stream(p: Path, target: str) -> ProbedStream | None:
    """Ask ``ffprobe`` (when installed) about the first audio stream of ``target`` (the
    ffmpeg input name of ``p``); ``None`` when it finds no audio stream."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return None
    cmd = [
        ffprobe, "-v", "warning", "-select_streams", "a:0", "-show_entries",
        "stream=codec_type,sample_rate,duration:format=duration", "-of", "json", target,
    ]  # fmt: skip
    try:
        run = subprocess.run(
            cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60, check=False
        )
        found = json.loads(run.stdout or b"{}")
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    streams = found.get("streams") if isinstance(found, dict) else None
    if run.returncode != 0 or not isinstance(streams, list) or not streams:
        return None
    stream, container = streams[0], found.get("format")
    if not isinstance(stream, dict) or stream.get("codec_type") != "audio":
        return None
    container = container if isinstance(container, dict) else {}
    whole = _positive(container.get("duration"))
    duration = _positive(stream.get("duration")) or whole
    if b"Estimating duration from bitrate" in run.stderr:
        duration = whole = None  # a raw stream (ADTS AAC): a guess, often far off for VBR
    rate = int(_positive(stream.get("sample_rate")) or 0) or None
    return ProbedStream(rate, duration, whole)


def _positive(text: object) -> float | None:
    """A positive, finite number from ffprobe's text (``None`` for ``N/A`` and the like)."""
    try:
        value = float(str(text))
    except ValueError:
        return None
    return value if 0.0 < value < float("inf") else None
