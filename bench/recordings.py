"""Real recordings for the music benchmark: truth from their titles, and degraded copies.

The recordings in ``../shared/music`` carry no annotations. Where a title names a dance
(``Frost Waltz``, ``No Frills Salsa``, ``Samba Isobel``) that dance is the truth, with
the meter the dance is counted in and its tempo range (:func:`title_truth`); the other
recordings are judged on whether they are analysed at all.

:func:`degrade` makes the degraded copies a user's old or cheap files look like, each
cached under ``<corpus>/degraded/`` with ffmpeg and numpy:

* ``11k``: mono, resampled to 11 025 Hz (16-bit WAV);
* ``8k``: mono, resampled to 8 000 Hz (16-bit WAV);
* ``mp3_64k``: mono MP3 at 64 kbit/s;
* ``noise_10db``: white noise added at 10 dB SNR (seeded by the name; 16-bit WAV).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

import corpus

TITLE_DANCES: dict[str, tuple[int, tuple[int, ...], tuple[float, float] | None]] = {
    **{
        name: (3 if "Waltz" in name else 2 if name in ("Samba", "Paso Doble") else 4, (), rng)
        for name, rng in corpus.STYLE_RANGES.items()
    },
    "Tango": (4, (2,), corpus.STYLE_RANGES["Tango"]),
    "Merengue": (4, (2,), corpus.STYLE_RANGES["Merengue"]),
    "Polka": (2, (), corpus.STYLE_RANGES["Polka"]),
}
"""Dance named by a title → (meter, other meters it is counted in, tempo range or None)."""

VARIANTS = ("11k", "8k", "mp3_64k", "noise_10db")
"""The degraded copies made of every recording."""

NOISE_SNR_DB = 10.0
"""Signal-to-noise ratio of the ``noise_10db`` copy."""

SEED = 1103
"""Base seed of the added noise (mixed with a checksum of the name)."""


def title_truth(path: Path) -> dict[str, Any] | None:
    """The dance a recording's title names, with its meter and tempo range.

    Parameters
    ----------
    path : pathlib.Path
        The recording (its title is the file name, ``_`` read as a space).

    Returns
    -------
    dict or None
        ``style``, ``meter``, ``meters_ok`` and ``bpm_range`` (``None`` when the style has
        no range here), or ``None`` when the title names no dance. The longest name wins
        (``Viennese Waltz`` over ``Waltz``).
    """
    title = " " + re.sub(r"[_\-]+", " ", path.stem).lower() + " "
    found = [n for n in TITLE_DANCES if f" {n.lower()} " in title]
    if not found:
        return None
    name = max(found, key=len)
    meter, meters_ok, rng = TITLE_DANCES[name]
    return {"style": name, "meter": meter, "meters_ok": list(meters_ok), "bpm_range": rng}


def _ffmpeg(args: list[str]) -> None:
    """Run ffmpeg quietly (raises on failure)."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise RuntimeError("ffmpeg not found; install the Debian 'ffmpeg' package")
    subprocess.run([exe, "-v", "error", "-y", *args], check=True, capture_output=True)


def _add_noise(src: Path, dst: Path, snr_db: float) -> None:
    """Write ``src`` (mono) plus white noise at ``snr_db`` as a 16-bit WAV."""
    data, sr = sf.read(str(src), dtype="float64", always_2d=True)
    y = data.mean(axis=1)
    rng = np.random.default_rng(SEED + zlib.crc32(src.name.encode()))
    power = float(np.mean(y**2))
    noise = rng.standard_normal(y.size) * np.sqrt(power / 10.0 ** (snr_db / 10.0))
    out = y + noise
    peak = float(np.abs(out).max())
    if peak > 0.99:
        out *= 0.99 / peak
    sf.write(str(dst), out, sr, subtype="PCM_16")


def degrade(path: Path, out_dir: Path) -> dict[str, Path]:
    """The degraded copies of one recording (made once, then taken from ``out_dir``).

    Parameters
    ----------
    path : pathlib.Path
        The clean recording.
    out_dir : pathlib.Path
        Cache folder.

    Returns
    -------
    dict
        Variant name (:data:`VARIANTS`) → file.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = path.stem
    files = {
        "11k": out_dir / f"{stem}.11k.wav",
        "8k": out_dir / f"{stem}.8k.wav",
        "mp3_64k": out_dir / f"{stem}.64k.mp3",
        "noise_10db": out_dir / f"{stem}.noise10db.wav",
    }
    if not files["11k"].exists():
        _ffmpeg(["-i", str(path), "-ac", "1", "-ar", "11025", str(files["11k"])])
    if not files["8k"].exists():
        _ffmpeg(["-i", str(path), "-ac", "1", "-ar", "8000", str(files["8k"])])
    if not files["mp3_64k"].exists():
        _ffmpeg(["-i", str(path), "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k",
                 str(files["mp3_64k"])])  # fmt: skip
    if not files["noise_10db"].exists():
        clean = out_dir / f"{stem}.mono.wav"
        _ffmpeg(["-i", str(path), "-ac", "1", str(clean)])
        _add_noise(clean, files["noise_10db"], NOISE_SNR_DB)
        clean.unlink()
    return files
