"""A mutation fuzzer and fault injector for the ``pasdeux`` command line, and its oracle.

The contract every case is held to (:func:`judge`): exit code 0 or 2 (never 1, never a
hang, never an escaped exception; a killed run may also end with its signal), one line on
stderr for exit 2 and no traceback, no file of the user's changed or removed, no staging
folder or stray file left behind, an output folder either complete or absent, and a
truncated song either refused or analysed with a ``warning:`` line.

Seeds are short synthetic songs (:func:`make_seeds`) written as WAV (16-bit and float),
FLAC, OGG Vorbis, MP3 and M4A (with ``ffmpeg``; skipped when it is missing). A case
(:func:`make_case`) is one of four families:

``input``
    A mutated seed (truncation, bit flips, byte overwrites, header lies, appended garbage,
    zero-filled regions, a wrong suffix) given to ``analyze`` or ``dance``; run in-process
    by a long-lived worker (:func:`worker_loop`) the parent kills and restarts on a
    timeout or when it grows past a memory limit.
``options``
    Random option values and ``-o`` targets (an existing file, a foreign folder, a path
    through a file, non-UTF-8 and very long names, ...), also in the worker.
``signal``
    ``pasdeux dance`` in a fresh process, sent SIGINT, SIGTERM or SIGKILL at a random
    moment (or just after its staging folder appears), then a normal run into the same
    folder.
``concurrency``
    Two or four ``pasdeux dance`` processes into one folder at once.

Everything here is generic: the harness knows the command line's contract, not its bugs.
This module imports only the standard library, numpy, soundfile, ``synth`` and (lazily)
``pasdeux``; ``python tests/fuzz_harness.py --worker`` is the worker.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import traceback
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

FAMILIES = ("input", "options", "signal", "concurrency")
MUTATIONS = ("truncate", "bitflip", "overwrite", "header_lie", "append", "zero_fill", "suffix")
#: Share of each family. A signal or concurrency case runs two to four fresh `dance`
#: processes (10-15 s, against 0.5 s for an in-process case): 3 % of the cases, 300 in
#: a 10,000-case run, keep the long run within a working session.
FAMILY_WEIGHTS = (0.83, 0.14, 0.02, 0.01)
MUTATION_WEIGHTS = (2, 2, 1, 3, 1, 1, 0.5)
USER_TEXT = b"the user's own notes; pasdeux must never touch this file\n"
_PROGRESS_LINE = re.compile(r"^\[\s*\d+(\.\d+)?s\] ")
_WARNING_LINE = re.compile(r"^(\[\s*\d+(\.\d+)?s\] )?(pasdeux: )?warning:", re.IGNORECASE)


# --------------------------------------------------------------------------- seeds


@dataclass(frozen=True)
class SeedSpec:
    """How one seed format is written: suffix, sample rate (Hz), channels, encoder."""

    suffix: str
    sr_hz: int
    channels: int
    writer: str
    subtype: str = ""


SEED_SPECS: dict[str, SeedSpec] = {
    "wav16": SeedSpec(".wav", 44100, 2, "WAV", "PCM_16"),
    "wavf": SeedSpec(".wav", 22050, 1, "WAV", "FLOAT"),
    "flac": SeedSpec(".flac", 44100, 1, "FLAC", "PCM_16"),
    "ogg": SeedSpec(".ogg", 22050, 2, "OGG", "VORBIS"),
    "mp3": SeedSpec(".mp3", 44100, 1, "MP3", "MPEG_LAYER_III"),
    "m4a": SeedSpec(".m4a", 44100, 2, "ffmpeg"),
    "m4a_fast": SeedSpec(".m4a", 22050, 1, "ffmpeg", "+faststart"),
}


@dataclass(frozen=True)
class Seeds:
    """The seed songs (bytes by format) and pasdeux's own earlier outputs to copy.

    Attributes
    ----------
    data : dict of str to bytes
        Each available format's file contents.
    folder : Path
        Where the seeds and templates live.
    output_template : Path
        A complete ``pasdeux dance`` output folder, made by the code under test.
    output_files : tuple of str
        ``pasdeux.export.OUTPUT_FILES``: what a complete output folder holds.
    svg_names : tuple of str
        The file names ``pasdeux figures waltz --svg`` writes.
    """

    data: dict[str, bytes]
    folder: Path
    output_template: Path
    output_files: tuple[str, ...]
    svg_names: tuple[str, ...]

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats available on this machine, in a fixed order."""
        return tuple(f for f in SEED_SPECS if f in self.data)


def _song_samples(spec: SeedSpec, seconds: float, seed: int) -> np.ndarray[Any, Any]:
    """A drum song ``seconds`` long (about) at ``spec``'s rate and channel count."""
    from synth import drum_loop

    bars = max(2, round((seconds - 2.0) / 2.0))
    song = drum_loop(120.0, 4, bars, spec.sr_hz, seed=seed)
    mono = song.samples * 0.8
    if spec.channels == 1:
        return mono
    shifted = np.roll(mono, 7) * 0.9
    return np.stack([mono, shifted][: spec.channels], axis=1)


def write_seed(fmt: str, path: Path, *, seconds: float = 8.0, seed: int = 0) -> bool:
    """Write one seed song to ``path``; False when its encoder is missing (M4A, ffmpeg)."""
    import soundfile as sf

    spec = SEED_SPECS[fmt]
    samples = _song_samples(spec, seconds, seed)
    if spec.writer != "ffmpeg":
        sf.write(str(path), samples, spec.sr_hz, format=spec.writer, subtype=spec.subtype)
        return True
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return False
    wav = path.with_suffix(".src.wav")
    sf.write(str(wav), samples, spec.sr_hz, subtype="PCM_16")
    cmd = [ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-i", str(wav), "-c:a", "aac"]
    cmd += ["-b:a", "96k"] + (["-movflags", spec.subtype] if spec.subtype else []) + [str(path)]
    done = subprocess.run(cmd, capture_output=True, check=False, timeout=120)
    wav.unlink()
    return done.returncode == 0 and path.is_file()


def write_seeds(folder: Path, *, seconds: float = 8.0, seed: int = 0) -> dict[str, bytes]:
    """Write a seed song in every format this machine can into ``folder``; their bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    data: dict[str, bytes] = {}
    for fmt, spec in SEED_SPECS.items():
        path = folder / f"seed_{fmt}{spec.suffix}"
        if write_seed(fmt, path, seconds=seconds, seed=seed):
            data[fmt] = path.read_bytes()
    return data


def make_seeds(folder: Path, *, seconds: float = 8.0, seed: int = 0) -> Seeds:
    """Write every seed format and pasdeux's own output templates into ``folder``.

    The output template is made by running ``pasdeux dance`` on the 16-bit WAV seed, and
    the footprint-chart names by ``pasdeux figures waltz --svg``, both in a subprocess.
    """
    from pasdeux.export import OUTPUT_FILES

    data = write_seeds(folder, seconds=seconds, seed=seed)
    template = folder / "template-out"
    svg = folder / "template-svg"
    for argv in (
        ["dance", str(folder / "seed_wav16.wav"), "-q", "-o", str(template)],
        ["figures", "waltz", "--svg", str(svg)],
    ):
        done = run_pasdeux(argv, cwd=folder, timeout_s=300)
        if done.code != 0:
            raise RuntimeError(f"pasdeux {' '.join(argv)} failed: {done.stderr}")
    svg_names = tuple(sorted(p.name for p in svg.iterdir()))
    return Seeds(data, folder, template, tuple(OUTPUT_FILES), svg_names)


# --------------------------------------------------------------------------- mutations


@dataclass(frozen=True)
class Field:
    """A header field: a bit range of a ``nbytes`` integer at one or more offsets."""

    name: str
    offsets: tuple[int, ...]
    nbytes: int
    order: str
    shift: int
    bits: int
    values: tuple[int, ...]
    ogg_pages: tuple[int, ...] = ()
    length: bool = False

    def claims_longer(self, real: int, value: int) -> bool:
        """Whether ``value`` in this length field claims a clearly longer song than ``real``.

        All-ones and negative (64-bit) values are the formats' "length unknown" marks.
        """
        unknown = value == (1 << self.bits) - 1 or value >= 2**63
        return self.length and not unknown and value > real * 1.05 + 1

    def get(self, buf: bytes | bytearray) -> int:
        """The field's value at its first offset."""
        o = self.offsets[0]
        word = int.from_bytes(buf[o : o + self.nbytes], self.order)  # type: ignore[arg-type]
        return (word >> self.shift) & ((1 << self.bits) - 1)

    def set(self, buf: bytearray, value: int) -> None:
        """Write ``value`` (masked to the field's width) at every offset."""
        mask = ((1 << self.bits) - 1) << self.shift
        for o in self.offsets:
            if o + self.nbytes > len(buf):
                continue
            word = int.from_bytes(buf[o : o + self.nbytes], self.order)  # type: ignore[arg-type]
            word = (word & ~mask) | ((value << self.shift) & mask)
            buf[o : o + self.nbytes] = word.to_bytes(self.nbytes, self.order)  # type: ignore[arg-type]


def _f(name: str, offset: int, nbytes: int, order: str, values: Sequence[int]) -> Field:
    """A whole-bytes field at one offset."""
    return Field(name, (offset,), nbytes, order, 0, nbytes * 8, tuple(values))


_U32 = (0, 1, 2, 7, 2**31, 2**32 - 1)


def wav_fields(data: bytes) -> list[Field]:
    """The RIFF/WAVE header fields of ``data`` (fmt, fact and data chunks)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return []
    fields = [_f("riff size", 4, 4, "little", (0, 8, 2**32 - 1))]
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        if cid == b"fmt ":
            fields += [
                _f("format tag", body, 2, "little", (0, 1, 2, 3, 0xFFFE, 0xFFFF)),
                _f("channels", body + 2, 2, "little", (0, 3, 8, 255, 65535)),
                _f("sample rate", body + 4, 4, "little", (1000, 8000, 384000, *_U32)),
                _f("byte rate", body + 8, 4, "little", _U32),
                _f("block align", body + 12, 2, "little", (0, 1, 3, 65535)),
                _f("bits per sample", body + 14, 2, "little", (0, 1, 7, 12, 20, 64, 65535)),
            ]
        elif cid == b"fact":
            fields.append(_f("fact sample count", body, 4, "little", _U32))
        elif cid == b"data":
            fields.append(replace(_f("data size", pos + 4, 4, "little", _U32), length=True))
            break
        fields.append(_f(f"{cid!r} chunk size", pos + 4, 4, "little", _U32))
        pos = body + size + (size & 1)
    return fields


def flac_fields(data: bytes) -> list[Field]:
    """The FLAC STREAMINFO fields (sample rate, channels, bits, total samples, ...)."""
    if data[:4] != b"fLaC" or len(data) < 42:
        return []
    packed = (18,)
    return [
        _f("metadata block length", 5, 3, "big", (0, 1, 33, 2**24 - 1)),
        _f("min block size", 8, 2, "big", (0, 1, 16, 65535)),
        _f("max block size", 10, 2, "big", (0, 1, 16, 65535)),
        _f("min frame size", 12, 3, "big", (0, 1, 2**24 - 1)),
        _f("max frame size", 15, 3, "big", (0, 1, 2**24 - 1)),
        Field("sample rate", packed, 8, "big", 44, 20, (0, 1, 2, 7, 1000, 655350, 2**20 - 1)),
        Field("channels-1", packed, 8, "big", 41, 3, tuple(range(8))),
        Field("bits per sample-1", packed, 8, "big", 36, 5, (0, 3, 7, 15, 23, 31)),
        Field("total samples", packed, 8, "big", 0, 36, (0, 1, 2**32, 2**36 - 1), length=True),
    ]


def ogg_pages(data: bytes) -> list[tuple[int, int]]:
    """``(offset, length)`` of each well-formed Ogg page, in order."""
    pages = []
    pos = data.find(b"OggS")
    while pos >= 0 and pos + 27 <= len(data):
        nsegs = data[pos + 26]
        body = sum(data[pos + 27 : pos + 27 + nsegs])
        length = 27 + nsegs + body
        if pos + length > len(data):
            break
        pages.append((pos, length))
        pos = data.find(b"OggS", pos + length)
    return pages


def _ogg_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
        table.append(r & 0xFFFFFFFF)
    return tuple(table)


_OGG_TABLE = _ogg_table()


def ogg_crc(page: bytes | bytearray) -> int:
    """The Ogg page checksum of ``page`` (its checksum field taken as zero)."""
    crc = 0
    for i, b in enumerate(page):
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _OGG_TABLE[
            ((crc >> 24) & 0xFF) ^ (0 if 22 <= i < 26 else b)
        ]
    return crc


def ogg_fix_crcs(buf: bytearray) -> None:
    """Recompute the checksum of every page that still parses (so damage reaches the codec)."""
    for pos, length in ogg_pages(bytes(buf)):
        buf[pos + 22 : pos + 26] = ogg_crc(buf[pos : pos + length]).to_bytes(4, "little")


def ogg_fields(data: bytes) -> list[Field]:
    """Vorbis identification header fields and the last page's granule position."""
    pages = ogg_pages(data)
    if not pages:
        return []
    first, (last, _) = pages[0][0], pages[-1]
    ident = first + 27 + data[first + 26]
    fields = [
        replace(
            _f("last granule position", last + 6, 8, "little", (0, 1, 2**40, 2**64 - 1)),
            length=True,
        ),
        _f("last page serial", last + 14, 4, "little", (0, 1)),
        _f("first page header type", first + 5, 1, "little", (0, 1, 4, 255)),
    ]
    if data[ident : ident + 7] == b"\x01vorbis":
        fields += [
            _f("vorbis channels", ident + 11, 1, "little", (0, 3, 8, 255)),
            _f("vorbis sample rate", ident + 12, 4, "little", (1000, 384000, *_U32)),
            _f("vorbis nominal bitrate", ident + 20, 4, "little", (0, 2**32 - 1)),
            _f("vorbis block sizes", ident + 28, 1, "little", (0, 0x11, 0xFF, 0xB8)),
        ]
    return [replace(f, ogg_pages=(first, last)) for f in fields]


def _mp3_first_frame(data: bytes) -> int:
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = 0
        for b in data[6:10]:
            size = (size << 7) | (b & 0x7F)
        pos = 10 + size
    while 0 <= pos < len(data) - 4:
        if data[pos] == 0xFF and data[pos + 1] & 0xE0 == 0xE0:
            return pos
        pos = data.find(b"\xff", pos + 1)
    return -1


def mp3_fields(data: bytes) -> list[Field]:
    """Frame-header fields of the first frame and of every frame, and the Xing/LAME tag."""
    first = _mp3_first_frame(data)
    if first < 0:
        return []
    frames, pos = [], first
    sync = data[first : first + 2]
    while pos >= 0:
        frames.append(pos)
        pos = data.find(sync, pos + 4)
    fields = []
    for where, offs in (("first frame", (first,)), ("every frame", tuple(frames))):
        fields += [
            Field(f"{where} version", offs, 4, "big", 19, 2, (0, 1, 2, 3)),
            Field(f"{where} layer", offs, 4, "big", 17, 2, (0, 1, 2, 3)),
            Field(f"{where} bitrate index", offs, 4, "big", 12, 4, (0, 1, 14, 15)),
            Field(f"{where} sample rate index", offs, 4, "big", 10, 2, (0, 1, 2, 3)),
            Field(f"{where} channel mode", offs, 4, "big", 6, 2, (0, 1, 2, 3)),
        ]
    tag = max(data.find(b"Xing", first, first + 200), data.find(b"Info", first, first + 200))
    if tag > 0:
        flags = int.from_bytes(data[tag + 4 : tag + 8], "big")
        fields.append(_f("xing flags", tag + 4, 4, "big", (0, 1, 3, 15)))
        if flags & 1:
            fields.append(replace(_f("xing frame count", tag + 8, 4, "big", _U32), length=True))
        if flags & 3 == 3:
            fields.append(_f("xing byte count", tag + 12, 4, "big", _U32))
        if data[tag + 120 : tag + 124] in (b"LAME", b"Lavf", b"Lavc"):
            delay = (tag + 141,)
            fields.append(Field("encoder delay", delay, 3, "big", 12, 12, (0, 4095)))
            fields.append(Field("encoder padding", delay, 3, "big", 0, 12, (0, 4095)))
    return fields


def m4a_fields(data: bytes) -> list[Field]:
    """mvhd/mdhd timescales and durations, sample-table counts, atom sizes, mp4a rate."""
    fields = []
    for atom in (b"mvhd", b"mdhd"):
        i = data.find(atom)
        while i >= 0:
            v1 = data[i + 4 : i + 5] == b"\x01"
            ts = i + 8 + (16 if v1 else 8)
            name = atom.decode()
            fields.append(_f(f"{name} timescale", ts, 4, "big", _U32))
            duration = _f(f"{name} duration", ts + 4, 8 if v1 else 4, "big", _U32)
            # The movie header's duration is the container's claim. A track's mdhd duration
            # is not: ffmpeg (like players) takes the track's length from its sample table,
            # so a lie there leaves a complete file that nothing needs to warn about.
            fields.append(replace(duration, length=atom == b"mvhd"))
            i = data.find(atom, i + 4)
    for atom in (b"moov", b"trak", b"mdia", b"stbl", b"mdat", b"stsz", b"stco", b"stts"):
        i = data.find(atom)
        if i >= 4:
            fields.append(_f(f"{atom.decode()} size", i - 4, 4, "big", (0, 1, 7, 2**32 - 1)))
    for atom, off, what in ((b"stsz", 12, "sample count"), (b"stco", 12, "first chunk offset")):
        i = data.find(atom)
        if i >= 0:
            fields.append(_f(f"{atom.decode()} {what}", i + off, 4, "big", _U32))
    i = data.find(b"mp4a")
    if i >= 0:
        fields.append(_f("mp4a channels", i + 20, 2, "big", (0, 3, 255, 65535)))
        fields.append(_f("mp4a sample rate", i + 28, 4, "big", (0, 1 << 16, 2**32 - 1)))
    return fields


def header_fields(data: bytes, fmt: str) -> list[Field]:
    """The header fields of a seed in format ``fmt`` that a header lie may change."""
    if fmt.startswith("wav"):
        return wav_fields(data)
    finders = {"flac": flac_fields, "ogg": ogg_fields, "mp3": mp3_fields}
    return finders.get(fmt, m4a_fields)(data)


def _position(rng: random.Random, n: int) -> int:
    """A byte position, half the time in the first 512 bytes (the header)."""
    return rng.randrange(min(n, 512)) if rng.random() < 0.5 else rng.randrange(n)


@dataclass(frozen=True)
class Mutation:
    """A mutated song, what was done, and whether a header now claims a longer song."""

    data: bytes
    detail: str
    claims_longer: bool = False


def mutate(data: bytes, fmt: str, kind: str, rng: random.Random) -> Mutation:
    """``data`` with one mutation of ``kind`` applied, and a description of it."""
    n, buf = len(data), bytearray(data)
    if kind == "truncate":
        cut = rng.randrange(min(n, 4096)) if rng.random() < 0.3 else rng.randrange(n)
        return Mutation(data[:cut], f"cut at byte {cut} of {n}")
    if kind == "bitflip":
        spots = sorted(_position(rng, n) for _ in range(rng.randint(1, 16)))
        for p in spots:
            buf[p] ^= 1 << rng.randrange(8)
        detail = f"bits flipped at {spots}"
    elif kind == "overwrite":
        runs = [(_position(rng, n), rng.randint(1, 16)) for _ in range(rng.randint(1, 4))]
        for p, k in runs:
            buf[p : p + k] = rng.randbytes(k)[: max(0, n - p)]
        detail = f"random bytes over (offset, length) {runs}"
    elif kind == "zero_fill":
        start, length = _position(rng, n), rng.randint(1, max(1, n // 4))
        buf[start : start + length] = bytes(len(buf[start : start + length]))
        detail = f"zeros over bytes {start}..{start + length}"
    elif kind == "append":
        what = rng.choice(("random", "zeros", "head", "copy"))
        size = rng.randint(1, 65536)
        extra = {"random": rng.randbytes(size), "zeros": bytes(size), "head": data[:4096]}
        buf += extra.get(what, data)
        detail = f"appended {what} ({len(buf) - n} bytes)"
    elif kind == "header_lie":
        return _header_lie(buf, fmt, rng)
    else:
        raise ValueError(f"unknown mutation {kind!r}")
    if fmt == "ogg" and rng.random() < 0.5:
        ogg_fix_crcs(buf)
        detail += ", page checksums fixed"
    return Mutation(bytes(buf), detail)


def _header_lie(buf: bytearray, fmt: str, rng: random.Random) -> Mutation:
    fields = header_fields(bytes(buf), fmt)
    if not fields:
        return mutate(bytes(buf), fmt, "overwrite", rng)
    f = rng.choice(fields)
    real = f.get(buf)
    derived = (real * 2, real // 2, real * 1000, real + 1, max(real - 1, 0))
    mask = (1 << f.bits) - 1
    values = [v & mask for v in f.values + derived if v & mask != real] or [real ^ 1]
    value = rng.choice(values)
    f.set(buf, value)
    detail = f"{f.name}: {real} -> {value}" + (
        f" in {len(f.offsets)} frames" * (len(f.offsets) > 1)
    )
    fixed = not f.ogg_pages or rng.random() < 0.75  # a bad checksum hides the lie
    if f.ogg_pages and fixed:
        ogg_fix_crcs(buf)
        detail += ", page checksums fixed"
    return Mutation(bytes(buf), detail, fixed and f.claims_longer(real, value))


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    """One fuzz case: what to put in a fresh sandbox folder and what to run there.

    Attributes
    ----------
    index, seed : int
        The case's number and the run's seed; ``make_case(index, seed, ...)`` rebuilds it.
    family : str
        ``input``, ``options``, ``signal`` or ``concurrency``.
    kind : str
        The mutation, the option under test, the signal's name or the writer count.
    fmt : str
        The seed format the song was made from.
    detail : str
        What exactly was done, for the report.
    argv : tuple of str
        The command line after ``pasdeux`` (paths relative to the sandbox).
    song_name : str
        The song's file name in the sandbox (may hold non-UTF-8 bytes as surrogates).
    data : bytes
        The song file's contents.
    target : str
        The kind of ``-o`` (or ``--svg``) target the sandbox holds (see :func:`prepare`).
    out : str
        The output path relative to the sandbox ("" when the command writes nothing).
    cut_bytes : int
        For a truncation, how many bytes were cut off the end.
    claims_longer : bool
        A header lie made the file claim a clearly longer song than it holds.
    signum, delay_s, trigger, writers
        For the signal and concurrency families: which signal, when, and how many
        processes write at once.
    damage, replacement, must_refuse
        For ``check`` cases: ``FILE:HOW`` done to one file of a copied output folder,
        the file's new bytes (for the damages that rewrite it), and whether the folder
        is now unreadable (exit 0 would be a finding).
    """

    index: int
    seed: int
    family: str
    kind: str
    fmt: str
    detail: str
    argv: tuple[str, ...]
    song_name: str
    data: bytes = field(repr=False)
    target: str = "new"
    out: str = ""
    cut_bytes: int = 0
    claims_longer: bool = False
    signum: int = 0
    delay_s: float = 0.0
    trigger: str = ""
    writers: int = 1
    damage: str = ""
    replacement: bytes = field(default=b"", repr=False)
    must_refuse: bool = False

    def describe(self) -> dict[str, Any]:
        """The case as JSON-able data (without the song's bytes)."""
        d = asdict(self)
        d.pop("data")
        d.pop("replacement")
        d["song_bytes"] = len(self.data)
        d["replacement_bytes"] = len(self.replacement)
        return d


OPTION_VALUES: dict[str, tuple[str, ...]] = {
    "--seed": (
        "0",
        "1",
        "42",
        "-1",
        "-0",
        "2147483648",
        "99999999999999999999999",
        "1e3",
        "abc",
        "",
        " 7",
        "0x10",
        "\u0663",
    ),
    "--floor": (
        "10x8",
        "4x3",
        "1x1",
        "0x0",
        "-5x4",
        "nanxnan",
        "infx8",
        "8xinf",
        "1e400x8",
        "1e9x1e9",
        "1e-9x1e-9",
        "10x",
        "x8",
        "10x8x2",
        "",
        "10\u00d78",
        " 10 x 8 ",
        "10X8",
        "0.5x0.5",
        "100x100",
    ),
    "--level": ("newcomer", "bronze", "silver", "gold", "Gold", "platinum", "", "-1"),
    "--style": (
        "auto",
        "waltz",
        "Waltz",
        "cha cha",
        "cha-cha",
        "Tango",
        "jive",
        "salsa",
        "bachata",
        "quickstep",
        "nope",
        "",
        "auto ",
        "\U0001f483",
        "../etc/passwd",
    ),
}
TARGETS = (
    "default",
    "new",
    "nested",
    "prior",
    "prior_user",
    "file",
    "foreign",
    "foreign_clash",
    "empty",
    "readonly",
    "through_file",
    "non_utf8",
    "long_name",
    "long_path",
    "song",
    "dot",
)
SONG_NAMES = ("plain", "non_utf8", "spaces_html", "newline", "long", "dash")
OPTION_COMMANDS = ("dance", "analyze", "figures", "check")
OPTION_COMMAND_WEIGHTS = (0.6, 0.15, 0.15, 0.1)


def _song_name(variant: str, suffix: str) -> str:
    names = {
        "plain": "song",
        "non_utf8": os.fsdecode(b"caf\xe9 \xff song"),
        "spaces_html": "my <b>song<\\b> & 'co' \"x\"",
        "newline": "two\nlines",
        "long": "s" * (250 - len(suffix)),
        "dash": "-q",
    }
    return names[variant] + suffix


def _target_path(target: str, song_name: str) -> str:
    paths = {
        "default": "pasdeux-out",
        "nested": "a/b/out",
        "file": "notes.txt",
        "foreign": "photos",
        "foreign_clash": "mine",
        "empty": "empty",
        "readonly": "ro/out",
        "through_file": "notes.txt/out",
        "non_utf8": os.fsdecode(b"out\xff\xfe"),
        "long_name": "o" * 300,
        "long_path": "/".join(["d" * 200] * 25),
        "song": song_name,
        "dot": ".",
    }
    return paths.get(target, "out")


def make_case(
    index: int,
    seed: int,
    seeds: Seeds,
    *,
    family: str | None = None,
    fmt: str | None = None,
    kind: str | None = None,
    command: str | None = None,
) -> Case:
    """Case number ``index`` of the run with ``seed`` (the same case every time).

    ``family``, ``fmt`` and ``kind`` force those choices; otherwise they are drawn with
    :data:`FAMILY_WEIGHTS` and :data:`MUTATION_WEIGHTS`. ``command`` (one of
    :data:`OPTION_COMMANDS`) makes an ``options`` case of that command.
    """
    rng = random.Random(f"{seed}/{index}")
    family = "options" if command else family or rng.choices(FAMILIES, FAMILY_WEIGHTS)[0]
    fmt = fmt or rng.choice(seeds.formats)
    if family == "input":
        return _input_case(index, seed, seeds, fmt, kind, rng)
    if family == "options":
        return _options_case(index, seed, seeds, fmt, rng, command)
    return _process_case(index, seed, seeds, family, kind, rng)


def _input_case(
    index: int, seed: int, seeds: Seeds, fmt: str, kind: str | None, rng: random.Random
) -> Case:
    kind = kind or rng.choices(MUTATIONS, MUTATION_WEIGHTS)[0]
    data = seeds.data[fmt]
    suffix = SEED_SPECS[fmt].suffix
    if kind == "suffix":
        suffix = rng.choice([".wav", ".flac", ".ogg", ".mp3", ".m4a", ".aac", ".txt", ""])
        m = Mutation(data, f"{fmt} data named *{suffix}")
    else:
        m = mutate(data, fmt, kind, rng)
    song = "song" + suffix
    command = "dance" if rng.random() < 0.3 else "analyze"
    argv = [command, song] + (["-q"] if rng.random() < 0.5 else [])
    out = ""
    if command == "dance":
        out = "out"
        argv += ["-o", out]
    elif rng.random() < 0.5:
        argv.append("--json")
    cut = len(data) - len(m.data) if kind == "truncate" else 0
    return Case(
        index,
        seed,
        "input",
        kind,
        fmt,
        m.detail,
        tuple(argv),
        song,
        m.data,
        "new",
        out,
        cut,
        m.claims_longer,
    )


def _options_case(
    index: int, seed: int, seeds: Seeds, fmt: str, rng: random.Random, command: str | None
) -> Case:
    drawn = rng.choices(OPTION_COMMANDS, OPTION_COMMAND_WEIGHTS)[0]
    command = command or drawn
    if command == "check":
        return _check_case(index, seed, seeds, rng)
    song = _song_name(
        rng.choice(SONG_NAMES) if rng.random() < 0.4 else "plain", SEED_SPECS[fmt].suffix
    )
    target = rng.choice(TARGETS)
    out = _target_path(target, song)
    tried = [opt for opt in OPTION_VALUES if rng.random() < 0.5]
    if command != "dance":
        tried = []
    if command == "figures":
        dance = rng.choice(["", "waltz", "tango", "nope"])
        argv = ["figures", *([dance] if dance else []), "--svg", out]
    elif command == "analyze":
        argv = ["analyze", song, *rng.sample(["-q", "--json"], rng.randint(0, 2))]
        out, target = "", "new"
    else:
        argv = ["dance", song, "-q"] if rng.random() < 0.7 else ["dance", song]
        argv += [] if target == "default" else ["-o", out]
    for opt in tried:
        value = rng.choice(OPTION_VALUES[opt]) if rng.random() < 0.7 else OPTION_VALUES[opt][0]
        argv += [f"{opt}={value}"] if value.startswith("-") or not value else [opt, value]
    kind = "+".join([command, target, *tried]) if command != "analyze" else "analyze"
    detail = " ".join(argv)
    return Case(
        index, seed, "options", kind, fmt, detail, tuple(argv), song, seeds.data[fmt], target, out
    )


def option_case(
    index: int,
    seeds: Seeds,
    *,
    options: Sequence[str] = (),
    target: str = "new",
    song: str = "plain",
    command: str = "dance",
) -> Case:
    """A ``dance`` (or ``figures``) case with these options, ``-o`` target and song name."""
    name = _song_name(song, ".wav")
    out = _target_path(target, name)
    if command == "figures":
        argv = ["figures", "waltz", "--svg", out]
    else:
        argv = ["dance", name, "-q", "-o", out, *options]
    detail = " ".join(argv)
    kind = "+".join([command, target, *options])
    return Case(
        index,
        0,
        "options",
        kind,
        "wav16",
        detail,
        tuple(argv),
        name,
        seeds.data["wav16"],
        target,
        out,
    )


def lie_case(index: int, seeds: Seeds, fmt: str, name: str, value: int) -> Case:
    """An ``analyze`` case on the ``fmt`` seed with header field ``name`` set to ``value``."""
    buf = bytearray(seeds.data[fmt])
    (f,) = [f for f in header_fields(bytes(buf), fmt) if f.name == name]
    real = f.get(buf)
    f.set(buf, value)
    if f.ogg_pages:
        ogg_fix_crcs(buf)
    song = "song" + SEED_SPECS[fmt].suffix
    detail = f"{name}: {real} -> {value}"
    argv = ("analyze", song)
    return Case(
        index,
        0,
        "input",
        "header_lie",
        fmt,
        detail,
        argv,
        song,
        bytes(buf),
        claims_longer=f.claims_longer(real, value),
    )


# --------------------------------------------------------------------------- check cases

#: What ``pasdeux check DIR`` is pointed at: no such path, a user's file, an empty folder,
#: a foreign folder (photos), the user's files named like pasdeux's, a copied output folder
#: as written (``good``), or with one file damaged (``damaged``), the folder itself made
#: unreadable (``dir_unreadable``) or a symlink to itself (``dir_loop``).
CHECK_TARGETS = (
    "missing",
    "file",
    "empty",
    "foreign",
    "foreign_clash",
    "good",
    "damaged",
    "dir_unreadable",
    "dir_loop",
)
CHECK_TARGET_WEIGHTS = (0.04, 0.04, 0.04, 0.04, 0.04, 0.1, 0.62, 0.04, 0.04)
#: The files ``pasdeux check`` reads, and what may be done to one of them.
CHECK_FILES = ("performance.json", "routine.json", "leader.bvh", "follower.bvh")
CHECK_DAMAGES = (
    "truncate",
    "bitflip",
    "wrong_shape",
    "frame_count",
    "delete",
    "directory",
    "symlink_loop",
    "unreadable",
)
CHECK_DIR_NAMES = ("out", "out", "out", os.fsdecode(b"caf\xe9 out"), "my <out> & 'x'", "two\nlines")
_ODD_JSON_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    1,
    2**63,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    "",
    "x",
    [],
    {},
    [0, 0, 0],
    [[]],
)


def check_case(
    index: int, seeds: Seeds, target: str, damage: str = "", options: Sequence[str] = ()
) -> Case:
    """``pasdeux check out OPTIONS`` with DIR ``target`` (and ``FILE:HOW`` damage, the
    rest of the damage drawn from ``index``)."""
    rng = random.Random(f"check/{index}")
    return _check_case(index, 0, seeds, rng, target, damage, tuple(options))


def _check_case(
    index: int,
    seed: int,
    seeds: Seeds,
    rng: random.Random,
    target: str = "",
    damage: str = "",
    options: tuple[str, ...] | None = None,
) -> Case:
    """A ``pasdeux check DIR`` case: DIR as in :data:`CHECK_TARGETS`."""
    target = target or rng.choices(CHECK_TARGETS, CHECK_TARGET_WEIGHTS)[0]
    out = rng.choice(CHECK_DIR_NAMES) if options is None else "out"
    if options is None:
        options = tuple(rng.sample(["-q", "--json"], rng.randint(0, 2)))
    argv = ["check", out, *options]
    detail, replacement = target, b""
    must_refuse = target not in ("good", "damaged")
    if target == "damaged":
        name = damage.split(":")[0] if damage else rng.choice(CHECK_FILES)
        other = "wrong_shape" if name.endswith(".bvh") else "frame_count"
        how = damage.split(":")[1] if damage else ""
        how = how or rng.choice([d for d in CHECK_DAMAGES if d != other])
        data = (seeds.output_template / name).read_bytes()
        replacement, detail, must_refuse = damage_file(data, name, how, rng)
        damage = f"{name}:{how}"
        target = f"{name} {how}"
    return Case(
        index,
        seed,
        "options",
        "+".join(["check", target.replace(" ", ":")]),
        "wav16",
        f"{' '.join(argv)}: {detail}",
        tuple(argv),
        "song.wav",
        seeds.data["wav16"],
        target,
        out,
        damage=damage,
        replacement=replacement,
        must_refuse=must_refuse,
    )


def damage_file(data: bytes, name: str, how: str, rng: random.Random) -> tuple[bytes, str, bool]:
    """Damage ``data`` (the output file ``name``) as ``how`` says: its new bytes (empty
    when the damage is not to the contents), what was done, and whether the file can no
    longer be read as pasdeux wrote it (then ``check`` must refuse the folder)."""
    if how == "truncate":
        m = mutate(data, "", "truncate", rng)
        lost = data[len(m.data) :]
        if name.endswith(".json"):
            return m.data, m.detail, bool(lost.strip())
        return m.data, m.detail, len(m.data.split()) < len(data.split())
    if how == "bitflip":
        m = mutate(data, "", "bitflip", rng)
        return m.data, m.detail, False
    if how == "wrong_shape":
        return _wrong_shape(data, rng)
    if how == "frame_count":
        real = int(re.search(rb"Frames:\s*(\d+)", data).group(1))  # type: ignore[union-attr]
        lie = rng.choice([0, 1, real - 1, real + 1, real * 2, real // 2, 2**31, 10**15, -1])
        text = rng.choice([str(lie), f"{real}.5", "", "many"]) if rng.random() < 0.2 else str(lie)
        new = re.sub(rb"Frames:\s*\d+", f"Frames: {text}".encode(), data, count=1)
        return new, f"MOTION says Frames: {text!r} (really {real})", True
    return b"", how, True


def _wrong_shape(data: bytes, rng: random.Random) -> tuple[bytes, str, bool]:
    """Valid JSON that is not what pasdeux wrote: another top-level value (refused), or
    one value somewhere inside replaced or removed (which may still be readable)."""
    if rng.random() < 0.3:
        depth = 200_000
        tops = ["[]", "null", '"performance"', "1e999", "{}", "NaN", '{"kind":"performance"}']
        tops += ['{"kind":"routine","schema":1}', "[" * depth + "]" * depth]
        tops += ['{"a":' * 5000 + "1" + "}" * 5000]
        text = rng.choice(tops)
        return text.encode(), f"replaced by {text[:40]!r} ({len(text)} chars)", True
    doc = json.loads(data)
    paths = list(_json_paths(doc, ()))
    path = rng.choice(paths[1:])
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    old = parent[path[-1]]
    if rng.random() < 0.15:
        del parent[path[-1]]
        detail = f"removed {'/'.join(map(str, path))}"
    else:
        new = rng.choice(_ODD_JSON_VALUES)
        if isinstance(old, (int, float)) and not isinstance(old, bool) and rng.random() < 0.5:
            new = rng.choice([-old, old * 10, old + 1, old - 1, old / 1000])
        parent[path[-1]] = new
        detail = f"{'/'.join(map(str, path))}: {str(old)[:30]} -> {str(new)[:30]}"
    return json.dumps(doc).encode(), detail, False


def _json_paths(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """The path (keys and indices) to every value in ``value``, itself first."""
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _json_paths(v, (*path, i))


def _process_case(
    index: int, seed: int, seeds: Seeds, family: str, kind: str | None, rng: random.Random
) -> Case:
    fmt = "wav16"
    song = "song.wav"
    target = "prior" if rng.random() < 0.4 else "new"
    argv = ("dance", song, "-q", "-o", "out")
    if family == "concurrency":
        writers = int(kind) if kind else rng.choice((2, 2, 4))
        detail = f"{writers} writers into one folder ({target})"
        return Case(
            index,
            seed,
            family,
            str(writers),
            fmt,
            detail,
            argv,
            song,
            seeds.data[fmt],
            target,
            "out",
            writers=writers,
        )
    sig = (
        getattr(signal, kind)
        if kind
        else rng.choice((signal.SIGINT, signal.SIGTERM, signal.SIGKILL))
    )
    trigger = rng.choice(("time", "staging", "staging"))
    delay = rng.uniform(0.0, 3.0) if trigger == "time" else rng.uniform(0.0, 0.15)
    name = signal.Signals(sig).name
    detail = f"{name} {delay:.2f} s after {'start' if trigger == 'time' else 'staging appears'}"
    return Case(
        index,
        seed,
        family,
        name,
        fmt,
        detail,
        argv,
        song,
        seeds.data[fmt],
        target,
        "out",
        signum=int(sig),
        delay_s=delay,
        trigger=trigger,
    )


# --------------------------------------------------------------------------- sandbox


def prepare(case: Case, seeds: Seeds, box: Path) -> set[str]:
    """Fill the fresh folder ``box`` for ``case``; return the paths pasdeux may replace.

    The sandbox holds the user's ``notes.txt``, the song and the case's target: an earlier
    pasdeux output folder (``prior``; with a user's file in it for ``prior_user``), a
    foreign folder of photos, a folder of the user's files named like pasdeux's outputs
    (``foreign_clash``), an empty or read-only folder, and so on.
    """
    box.mkdir(parents=True)
    (box / "notes.txt").write_bytes(USER_TEXT)
    (box / case.song_name).write_bytes(case.data)
    allowed: set[str] = set()
    out = box / case.out if case.out else box
    if case.argv[0] == "check":
        prepare_check(case, seeds, out)
    elif case.target in ("prior", "prior_user"):
        shutil.copytree(seeds.output_template, out)
        allowed = {case.out} | {f"{case.out}/{p.name}" for p in out.iterdir()}
        if case.target == "prior_user":
            (out / "mine.txt").write_bytes(USER_TEXT)
    elif case.target == "foreign":
        out.mkdir()
        (out / "cat.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a cat" * 100)
        (out / ".hidden").write_bytes(USER_TEXT)
    elif case.target == "foreign_clash":
        out.mkdir()
        names = seeds.svg_names if case.argv[0] == "figures" else seeds.output_files
        for name in names:
            (out / name).write_bytes(USER_TEXT + name.encode())
    elif case.target == "empty":
        out.mkdir()
        allowed = {case.out}
    elif case.target == "readonly":
        _make_read_only(out.parent)
    return allowed


def prepare_check(case: Case, seeds: Seeds, out: Path) -> None:
    """Make ``out``, the folder a ``check`` case points at (see :data:`CHECK_TARGETS`)."""
    if case.target == "file":
        out.write_bytes(USER_TEXT)
    elif case.target == "empty":
        out.mkdir()
    elif case.target == "foreign":
        out.mkdir()
        (out / "cat.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a cat" * 100)
    elif case.target == "foreign_clash":
        out.mkdir()
        for name in seeds.output_files:
            (out / name).write_bytes(USER_TEXT + name.encode())
    elif case.target == "dir_loop":
        out.symlink_to(out.name)
    elif case.target != "missing":
        shutil.copytree(seeds.output_template, out, symlinks=True)
        if case.target == "dir_unreadable":
            out.chmod(0)
        elif case.damage:
            name, how = case.damage.split(":")
            _damage(out / name, how, case.replacement)


def _damage(path: Path, how: str, replacement: bytes) -> None:
    """Do ``how`` (one of :data:`CHECK_DAMAGES`) to the output file ``path``."""
    if how == "unreadable":
        path.chmod(0)
    elif how in ("delete", "directory", "symlink_loop"):
        path.unlink()
        if how == "directory":
            path.mkdir()
            (path / "inside.txt").write_bytes(USER_TEXT)
        elif how == "symlink_loop":
            path.symlink_to(path.name)
    else:
        path.write_bytes(replacement)


def _make_read_only(folder: Path) -> None:
    """A folder nobody may write in: mode 555, and immutable when we are root."""
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)


def remove_box(box: Path) -> None:
    """Delete a sandbox, read-only folders included."""
    if not box.exists():
        return
    if (box / "ro").is_dir() and os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(box / "ro")], capture_output=True, check=False)
    for dirpath, _dirs, _files in os.walk(box):
        with contextlib.suppress(OSError):
            os.chmod(dirpath, 0o755)
    shutil.rmtree(box, ignore_errors=True)


def snapshot(box: Path, *, modes: bool = False) -> dict[str, str]:
    """Every entry under ``box``: relative path to the SHA-256 of a file, or ``dir``
    (a symlink: ``link to`` its target); with ``modes``, each entry's mode and
    modification time too."""
    found: dict[str, str] = {}
    for dirpath, dirs, files in os.walk(box):
        rel_dir = os.path.relpath(dirpath, box)
        for name in dirs + files:
            path = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            found[rel] = _entry(path, name in dirs)
            if modes:
                st = os.lstat(path)
                found[rel] += f" mode {st.st_mode:o} mtime {st.st_mtime_ns}"
    return found


def _entry(path: str, is_dir: bool) -> str:
    if os.path.islink(path):
        return f"link to {os.readlink(path)}"
    if is_dir:
        return "dir"
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc}"


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Run:
    """How one ``pasdeux`` run ended.

    ``code`` is the exit code (128 + N for a death by signal N), ``None`` if the run was
    killed by the harness (``killed`` says why: ``timeout`` or ``memory``) or raised out
    of ``main`` (``exception`` holds the traceback).
    """

    code: int | None
    stdout: str
    stderr: str
    seconds: float
    exception: str = ""
    killed: str = ""


def pasdeux_env() -> dict[str, str]:
    """The environment pasdeux runs in: the caller's, without ``PASDEUX_DEBUG``."""
    env = {k: v for k, v in os.environ.items() if k != "PASDEUX_DEBUG"}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _exit_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


def run_pasdeux(argv: Sequence[str], *, cwd: Path, timeout_s: float) -> Run:
    """Run ``python -m pasdeux ARGV`` in a fresh process in ``cwd``."""
    proc = start_pasdeux(argv, cwd=cwd)
    return finish(proc, time.monotonic(), timeout_s)


def start_pasdeux(argv: Sequence[str], *, cwd: Path) -> subprocess.Popen[bytes]:
    """Start ``python -m pasdeux ARGV`` in its own process group, with Ctrl-C's signal
    handled as in a terminal (a harness started in the background by a shell inherits
    SIGINT ignored, and Python then keeps ignoring it: a SIGINT case would test nothing)."""
    cmd = [sys.executable, "-m", "pasdeux", *argv]
    return subprocess.Popen(
        cmd,
        cwd=cwd,
        env=pasdeux_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_default_sigint,
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def finish(proc: subprocess.Popen[bytes], t0: float, timeout_s: float) -> Run:
    """Wait for ``proc`` (killing its group after ``timeout_s``) and collect its output."""
    try:
        out, err = proc.communicate(timeout=max(0.1, timeout_s - (time.monotonic() - t0)))
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        return Run(
            None,
            out.decode(errors="replace"),
            err.decode(errors="replace"),
            time.monotonic() - t0,
            killed="timeout",
        )
    return Run(
        _exit_code(proc.returncode),
        out.decode(errors="replace"),
        err.decode(errors="replace"),
        time.monotonic() - t0,
    )


#: Linux capabilities that let root read, write and enter files and folders whatever
#: their modes: CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH.
_FILE_ACCESS_CAPS = (1, 2)
_PR_CAPBSET_DROP = 24


def drop_root_file_access() -> None:
    """In a child about to exec: if it runs as root, drop from its bounding set the
    capabilities that ignore file modes, so that the program it runs (root still) is
    refused a ``chmod 000`` file as any user is. Does nothing for another user."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _FILE_ACCESS_CAPS:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    m = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(m.group(1)) / 1024 if m else 0.0


class Worker:
    """A long-lived ``python tests/fuzz_harness.py --worker`` running cases in-process.

    It is started on first use and killed (with its process group) and restarted after a
    case that times out or grows past ``mem_limit_mb`` of resident memory. With
    ``as_user`` it runs as root runs like any user: without the capabilities to read or
    enter what its mode forbids (see :func:`drop_root_file_access`).
    """

    def __init__(
        self, scratch: Path, *, timeout_s: float, mem_limit_mb: float, as_user: bool = False
    ) -> None:
        self.scratch = scratch
        self.timeout_s = timeout_s
        self.mem_limit_mb = mem_limit_mb
        self.as_user = as_user
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def _start(self) -> subprocess.Popen[bytes]:
        self.scratch.mkdir(parents=True, exist_ok=True)
        log = open(self.scratch / "worker.log", "ab")  # noqa: SIM115 (the child owns it)
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker"],
            cwd=self.scratch,
            env=pasdeux_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
            preexec_fn=drop_root_file_access if self.as_user else None,
        )
        log.close()
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 120)
        if not ready or proc.stdout.readline().strip() != b"ready":
            _kill_group(proc)
            raise RuntimeError(f"the fuzz worker did not start; see {self.scratch}/worker.log")
        self.starts += 1
        return proc

    def run(self, argv: Sequence[str], cwd: Path) -> Run:
        """Run ``pasdeux.cli.main(argv)`` in the worker with ``cwd`` as working folder."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        proc = self.proc
        assert proc.stdin is not None and proc.stdout is not None
        out_path, err_path = self.scratch / "stdout", self.scratch / "stderr"
        request = {
            "argv": list(argv),
            "cwd": str(cwd),
            "stdout": str(out_path),
            "stderr": str(err_path),
        }
        t0 = time.monotonic()
        proc.stdin.write(json.dumps(request).encode() + b"\n")
        proc.stdin.flush()
        killed = ""
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], 0.25)
            if ready:
                line = proc.stdout.readline()
                break
            if time.monotonic() - t0 > self.timeout_s:
                killed = "timeout"
            elif _rss_mb(proc.pid) > self.mem_limit_mb:
                killed = "memory"
            if killed or proc.poll() is not None:
                line = b""
                break
        if not line:
            _kill_group(proc)
            self.proc = None
            err = err_path.read_bytes().decode(errors="replace") if err_path.exists() else ""
            why = killed or f"worker died with {proc.returncode}"
            return Run(None, "", err, time.monotonic() - t0, killed=why)
        reply = json.loads(line)
        return Run(
            reply["code"],
            reply["stdout"],
            reply["stderr"],
            reply["seconds"],
            exception=reply["exception"],
        )

    def close(self) -> None:
        """Stop the worker."""
        if self.proc is not None:
            _kill_group(self.proc)
            self.proc = None


def worker_loop() -> None:
    """The worker: read one JSON request a line on stdin, run it, answer on stdout."""
    import pasdeux.export
    import pasdeux.music

    assert pasdeux.export.OUTPUT_FILES and pasdeux.music  # the heavy imports, once
    from pasdeux.cli import main

    reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    reply.write("ready\n")
    reply.flush()
    for line in sys.stdin:
        req = json.loads(line)
        os.chdir(req["cwd"])
        code: int | None = None
        exc_text = ""
        t0 = time.monotonic()
        with open(req["stdout"], "wb") as out_f, open(req["stderr"], "wb") as err_f:
            os.dup2(out_f.fileno(), 1)
            os.dup2(err_f.fileno(), 2)
            try:
                with warnings.catch_warnings():  # each case warns afresh, as a new process would
                    code = main(req["argv"])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
                exc_text = f"SystemExit({exc.code!r}) escaped main()"
            except BaseException:
                exc_text = traceback.format_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
        seconds = time.monotonic() - t0
        texts = [Path(req[k]).read_bytes().decode(errors="replace") for k in ("stdout", "stderr")]
        answer = {
            "code": code,
            "stdout": texts[0],
            "stderr": texts[1],
            "seconds": seconds,
            "exception": exc_text,
        }
        reply.write(json.dumps(answer) + "\n")
        reply.flush()


# --------------------------------------------------------------------------- the oracle


@dataclass(frozen=True)
class Finding:
    """One broken promise: its category, what was seen, and the run it was seen in."""

    category: str
    message: str
    code: int | None = None
    stderr: str = ""


def judge_run(case: Case, run: Run, allowed_codes: Sequence[int] = (0, 2)) -> list[Finding]:
    """The per-process promises: exit code, stderr, traceback, warnings, JSON."""
    found: list[Finding] = []

    def add(category: str, message: str) -> None:
        found.append(Finding(category, message, run.code, run.stderr[-4000:]))

    if run.killed:
        add(run.killed, f"killed by the harness ({run.killed}) after {run.seconds:.0f} s")
        return found
    if run.exception:
        add("exception", run.exception.strip().splitlines()[-1])
    if run.code not in allowed_codes:
        add("exit_1" if run.code == 1 else "exit_code", f"exit code {run.code}")
    if "Traceback (most recent call last)" in run.stderr:
        add("traceback", "a traceback on stderr")
    lines = [ln for ln in run.stderr.splitlines() if ln.strip() and not _PROGRESS_LINE.match(ln)]
    if run.code == 2 and (len(lines) != 1 or not lines[0].startswith("pasdeux: ")):
        add("stderr_lines", f"exit 2 with {len(lines)} stderr lines: {lines[:3]}")
    lost = case.cut_bytes >= max(4096, 0.02 * (len(case.data) + case.cut_bytes))
    if run.code == 0 and not any(_WARNING_LINE.match(ln) for ln in run.stderr.splitlines()):
        if lost:
            add("truncation_unwarned", f"{case.cut_bytes} bytes cut off, exit 0, no warning")
        elif case.claims_longer:
            add("truncation_unwarned", "header claims a longer song, exit 0, no warning")
    if run.code == 0 and "--json" in case.argv:
        try:
            json.loads(run.stdout, parse_constant=_not_json)
        except ValueError as exc:
            add("json_invalid", f"--json printed invalid JSON ({exc})")
    return found


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def judge_files(
    case: Case,
    before: dict[str, str],
    after: dict[str, str],
    allowed: set[str],
    output_files: Sequence[str],
    *,
    must_exist: bool = False,
) -> list[Finding]:
    """The folder promises: user files intact, no leftovers, output complete or absent."""
    found: list[Finding] = []
    lost = [
        f"{rel!r} {'removed' if rel not in after else 'changed'}"
        for rel, digest in before.items()
        if rel not in allowed and after.get(rel) != digest
    ]
    if lost:
        more = f" and {len(lost) - 4} more" if len(lost) > 4 else ""
        found.append(Finding("user_file_changed", ", ".join(lost[:4]) + more))
    writes = case.out and case.argv[0] != "check"  # check writes nothing, even in DIR
    out = os.path.normpath(case.out) if writes else ""
    inside = (
        (lambda rel: True) if out == "." else (lambda rel: rel == out or rel.startswith(out + "/"))
    )
    new = sorted(rel for rel in after if rel not in before)
    for rel in new:
        if out and inside(rel):
            continue
        if out and out in after and out.startswith(rel + "/"):
            continue  # a folder made on the way to an output folder that was written
        top = rel.split("/")[0]
        staging = top.startswith(".")
        if staging and "/" in rel:
            continue
        category = (
            "staging_left" if staging else "stray_" + ("dir" if after[rel] == "dir" else "file")
        )
        found.append(Finding(category, f"{rel!r} left behind"))
    if out and case.argv[0] != "figures":
        prefix = "" if out == "." else out + "/"
        fresh = [rel for rel in new if inside(rel)]
        missing = [n for n in output_files if prefix + n not in after]
        if (fresh or must_exist) and missing:
            category = "output_incomplete" if fresh or out in after else "output_missing"
            found.append(Finding(category, f"{out!r} lacks {missing}"))
    return found


def shown_name(name: str) -> str:
    """``name`` as pasdeux shows it in an error line: undecodable bytes as U+FFFD, line
    breaks and other control characters escaped."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def judge_check(case: Case, run: Run) -> list[Finding]:
    """The ``check`` promises: a folder that cannot be read as pasdeux wrote it refused
    (exit 2), a folder as written accepted (exit 0), and the error line naming the
    damaged file (or the folder, when the folder is at fault) and what is wrong."""
    found: list[Finding] = []

    def add(category: str, message: str) -> None:
        found.append(Finding(category, message, run.code, run.stderr[-4000:]))

    if run.code == 0 and case.must_refuse:
        add("damage_accepted", f"exit 0 on an unreadable folder ({case.detail})")
    if run.code not in (0, None) and case.target == "good":
        add("good_refused", f"exit {run.code} on a folder as pasdeux wrote it")
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith("pasdeux: ")]
    if run.code == 2 and lines:
        name = shown_name(case.damage.split(":")[0] if case.damage else case.out)
        where = lines[0].find(name)
        if where < 0:
            add("error_unnamed", f"the error line does not name {name!r}")
        elif len(lines[0].rstrip()) < len("pasdeux: ") + len(name) + 6:
            add("error_unexplained", "the error line names the file but not what is wrong")
    return found


# --------------------------------------------------------------------------- one case


@dataclass
class Outcome:
    """What one case did: an exit label per process, and its findings."""

    case: Case
    labels: list[str]
    findings: list[Finding]
    seconds: float


def _label(run: Run) -> str:
    return run.killed or ("exception" if run.exception else str(run.code))


class Runner:
    """Runs cases in sandboxes under ``workdir``, in-process or in fresh processes."""

    def __init__(
        self, seeds: Seeds, workdir: Path, *, timeout_s: float = 120.0, mem_limit_mb: float = 3000.0
    ) -> None:
        self.seeds = seeds
        self.workdir = workdir
        self.timeout_s = timeout_s
        self.worker = Worker(workdir / "worker", timeout_s=timeout_s, mem_limit_mb=mem_limit_mb)
        self.user_worker = Worker(
            workdir / "user-worker", timeout_s=timeout_s, mem_limit_mb=mem_limit_mb, as_user=True
        )

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers."""
        self.worker.close()
        self.user_worker.close()

    def run(self, case: Case, keep: Path | None = None) -> Outcome:
        """Run ``case`` and judge it; a case with findings is saved under ``keep``."""
        box = self.workdir / f"case{case.index}"
        remove_box(box)
        t0 = time.monotonic()
        allowed = prepare(case, self.seeds, box)
        before = snapshot(box, modes=case.argv[0] == "check")
        if case.argv[0] == "check":
            runs = [self.user_worker.run(case.argv, box)]
            findings = judge_run(case, runs[0]) + judge_check(case, runs[0])
            findings += judge_files(case, before, snapshot(box, modes=True), set(), ())
        elif case.family in ("input", "options"):
            runs = [self.worker.run(case.argv, box)]
            findings = judge_run(case, runs[0])
            findings += judge_files(
                case,
                before,
                snapshot(box),
                allowed,
                self.seeds.output_files,
                must_exist=runs[0].code == 0 and case.argv[0] == "dance",
            )
        elif case.family == "signal":
            runs, findings = self._signal(case, box, before, allowed)
        else:
            runs, findings = self._concurrent(case, box, before, allowed)
        outcome = Outcome(case, [_label(r) for r in runs], findings, time.monotonic() - t0)
        if findings and keep is not None:
            save_finding(outcome, runs, keep)
        remove_box(box)
        return outcome

    def _signal(
        self, case: Case, box: Path, before: dict[str, str], allowed: set[str]
    ) -> tuple[list[Run], list[Finding]]:
        t0 = time.monotonic()
        proc = start_pasdeux(case.argv, cwd=box)
        if case.trigger == "staging":
            while proc.poll() is None and time.monotonic() - t0 < self.timeout_s:
                if any(p.name.startswith(f".{case.out}.") for p in box.iterdir()):
                    break
                time.sleep(0.005)
        time.sleep(case.delay_s)
        with contextlib.suppress(ProcessLookupError):
            if proc.poll() is None:
                os.kill(proc.pid, case.signum)
        first = finish(proc, t0, self.timeout_s)
        findings = judge_run(case, first, (0, 2, 128 + case.signum))
        mid = snapshot(box)
        findings += [
            f
            for f in judge_files(case, before, mid, allowed, self.seeds.output_files)
            if f.category != "staging_left"
        ]
        again = run_pasdeux(case.argv, cwd=box, timeout_s=self.timeout_s)
        after_findings = judge_run(case, again, (0,))
        after_findings += judge_files(
            case, before, snapshot(box), allowed, self.seeds.output_files, must_exist=True
        )
        findings += [replace(f, message="after the next run: " + f.message) for f in after_findings]
        return [first, again], findings

    def _concurrent(
        self, case: Case, box: Path, before: dict[str, str], allowed: set[str]
    ) -> tuple[list[Run], list[Finding]]:
        t0 = time.monotonic()
        procs = [start_pasdeux(case.argv, cwd=box) for _ in range(case.writers)]
        runs = [finish(p, t0, self.timeout_s) for p in procs]
        findings = [f for r in runs for f in judge_run(case, r)]
        ok = any(r.code == 0 for r in runs)
        if not ok:
            findings.append(Finding("no_writer_succeeded", f"codes {[r.code for r in runs]}"))
        findings += judge_files(
            case, before, snapshot(box), allowed, self.seeds.output_files, must_exist=ok
        )
        return runs, findings


def save_finding(outcome: Outcome, runs: Sequence[Run], keep: Path) -> Path:
    """Save a case's song, command line, stderr and findings under ``keep``."""
    case = outcome.case
    folder = keep / f"seed{case.seed}-case{case.index:05d}-{case.family}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"input{Path(case.song_name).suffix}").write_bytes(case.data)
    record = {
        "case": case.describe(),
        "command": ["pasdeux", *case.argv],
        "runs": [asdict(r) for r in runs],
        "findings": [asdict(f) for f in outcome.findings],
    }
    (folder / "case.json").write_text(json.dumps(record, indent=1, ensure_ascii=True))
    return folder


def cases(seed: int, count: int, seeds: Seeds, start: int = 0) -> Iterator[Case]:
    """The run's cases ``start`` .. ``start + count - 1``."""
    for index in range(start, start + count):
        yield make_case(index, seed, seeds)


def signature(finding: Finding) -> str:
    """A finding's category and message with numbers and quoted names blurred, to group."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", finding.message)
    last = [ln for ln in finding.stderr.strip().splitlines() if not _PROGRESS_LINE.match(ln)]
    tail = re.sub(r"'[^']*'|\S*/\S+|\S{30,}|\d+(\.\d+)?", "…", last[-1])[:120] if last else ""
    text = re.sub(r"\d+", "N", text)[:100]
    return f"{finding.category}: {text} | {tail}"


def _main(argv: Sequence[str]) -> int:
    if list(argv) == ["--worker"]:
        worker_loop()
        return 0
    print("usage: python tests/fuzz_harness.py --worker (bench/fuzz.py runs the fuzzer)")
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
