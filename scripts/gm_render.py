"""Render General MIDI with the ``fluidsynth`` command line and the FluidR3 soundfont, and
find where the rendered audio starts: shared by the demo song (``make_demo_song.py``)
and the benchmark corpus (``bench/corpus.py``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import numpy.typing as npt

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
"""General MIDI soundfont (Debian's ``fluid-soundfont-gm``)."""


def render(
    midi_path: Path, wav_path: Path, sample_rate: int, gain: float, float_wav: bool = False
) -> None:
    """Render a MIDI file to WAV with the ``fluidsynth`` CLI.

    Parameters
    ----------
    midi_path : pathlib.Path
        Input MIDI file.
    wav_path : pathlib.Path
        Output WAV file.
    sample_rate : int
        Output sample rate (Hz).
    gain : float
        fluidsynth's master gain (``-g``).
    float_wav : bool, optional
        Write 32-bit float samples instead of 16-bit.
    """
    exe = shutil.which("fluidsynth")
    if exe is None:
        raise RuntimeError("fluidsynth not found; install the Debian 'fluidsynth' package")
    if not SOUNDFONT.exists():
        raise RuntimeError(f"soundfont {SOUNDFONT} not found; install 'fluid-soundfont-gm'")
    fmt = ["-o", "audio.file.format=float"] if float_wav else []
    cmd = [exe, "-ni", "-g", str(gain), "-r", str(sample_rate), *fmt, "-F", str(wav_path),
           str(SOUNDFONT), str(midi_path)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True)


def first_onset_s(audio: npt.NDArray[np.float64], sr: int, rel_db: float = -40.0) -> float:
    """Time of the first sample above ``rel_db`` relative to the peak.

    Parameters
    ----------
    audio : numpy.ndarray
        Samples, shape ``(n,)`` or ``(n, channels)``.
    sr : int
        Sample rate in Hz.
    rel_db : float, optional
        Threshold relative to the peak, in dB.

    Returns
    -------
    float
        Onset time in seconds.
    """
    mono = np.abs(audio).max(axis=1) if audio.ndim == 2 else np.abs(audio)
    above = np.flatnonzero(mono > mono.max() * 10.0 ** (rel_db / 20.0))
    return float(above[0]) / sr if above.size else 0.0
