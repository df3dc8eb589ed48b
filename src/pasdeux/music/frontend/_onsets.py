"""Beat-level audio features for choosing the pulse and the meter, computed as the audio
streams in: onset strength in three frequency bands, a chromagram, and a bass chromagram
that resolves the semitones of the bass register.

Everything is fed block by block (:class:`OnsetStream`) in bounded memory, at the audio's
own sample rate; the results are put on one grid of :data:`FPS` frames a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.fft
from numpy.typing import NDArray
from scipy.ndimage import maximum_filter1d, median_filter
from scipy.signal import butter, sosfilt

from pasdeux.music.frontend._features import FPS
from pasdeux.music.frontend._frames import FrameStream

#: Onset bands (Hz): bass drum and bass, snare and chords, cymbals and shakers.
_BAND_EDGES_HZ = (30.0, 150.0, 2000.0, 11000.0)


_ONSET_WINDOW_S = 0.046


_LOG_GAIN = 100.0  # log(1 + gain * magnitude) compression for onsets


#: Chroma: audio decimated to ~11 kHz, ~0.19 s frames, 200 Hz-4 kHz (above the bass, whose
#: walking and boogie lines change note every beat), 25 frames a second.
_CHROMA_RATE = 11025


_CHROMA_WINDOW = 2048


_CHROMA_FMIN = 200.0


_CHROMA_FMAX = 4000.0


#: Bass: the audio decimated to ~2.8 kHz and kept whole (~11 kB a second), for the
#: beat-synchronous bass chroma: a window over each beat (from 30 ms after it to 85 % of
#: it), zero-padded to 4096 samples, 38-260 Hz.
_BASS_RATE = 2756


_BASS_FFT = 4096


_BASS_FMIN = 38.0


_BASS_FMAX = 260.0


_BASS_FROM_S = 0.03


_BASS_TO = 0.85


_PEAK_BINS = 41  # ~28 Hz: the width over which a spectrum counts as smooth


_NOTE_REL = 0.3  # a bass note's peak is at least this share of the strongest


_CHROMA_FPS = 25


@dataclass(frozen=True)
class Onsets:
    """Onset features of a song at :data:`FPS` frames a second (frame ``k`` at ``k / FPS`` s).

    ``bands`` has shape ``(frames, 3)``: the half-wave rectified increase of the log
    spectrum summed over the low (30-150 Hz), middle (150-2000 Hz) and high (2-11 kHz)
    bands, each scaled so that its 95th percentile is 1. ``chroma`` has shape
    ``(frames, 12)``: magnitude per pitch class (C first), not normalised. ``bass`` is the
    audio low-passed and decimated to ``bass_rate`` (see :func:`beat_bass_notes`).
    """

    bands: NDArray[np.float64]
    chroma: NDArray[np.float64]
    bass: NDArray[np.float32]
    bass_rate: float

    @property
    def total(self) -> NDArray[np.float64]:
        """The three bands summed: a plain onset-strength envelope."""
        return np.asarray(self.bands.sum(axis=1), dtype=float)


class _Decimator:
    """Low-pass (8th-order Butterworth, state kept between blocks) and keep every n-th sample."""

    def __init__(self, factor: int) -> None:
        self.factor = factor
        self._sos = butter(8, 0.8 / factor, output="sos") if factor > 1 else None
        self._zi = np.zeros((4, 2)) if factor > 1 else None
        self._phase = 0

    def push(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        if self._sos is None:
            return x
        y, self._zi = sosfilt(self._sos, x, zi=self._zi)
        out = y[self._phase :: self.factor]
        self._phase = (self._phase - x.size) % self.factor
        return np.asarray(out, dtype=np.float32)


def _fold(freqs: NDArray[np.float64], fmin: float, fmax: float) -> tuple[NDArray[Any], Any]:
    """Indices of the bins in [fmin, fmax] and the matrix folding them onto 12 pitch classes."""
    sel = np.nonzero((freqs >= fmin) & (freqs <= fmax))[0]
    pc = np.round(12 * np.log2(freqs[sel] / 440.0) + 9).astype(int) % 12
    fold = np.zeros((sel.size, 12))
    fold[np.arange(sel.size), pc] = 1.0
    return sel, fold


class OnsetStream:
    """Compute :class:`Onsets` from mono samples fed block by block.

    Parameters
    ----------
    sample_rate
        Samples per second of the blocks.
    """

    def __init__(self, sample_rate: int) -> None:
        if sample_rate <= 0:
            raise ValueError(f"invalid sample rate {sample_rate}")
        self.sample_rate = int(sample_rate)
        rate = self.sample_rate
        # onsets, at the audio's own rate
        window = int(2 ** round(math.log2(_ONSET_WINDOW_S * rate)))
        self._onset_hop = max(1, round(rate / FPS))
        freqs = np.fft.rfftfreq(window, 1.0 / rate)
        top = int(np.searchsorted(freqs, _BAND_EDGES_HZ[-1]))
        band_of = np.full(top, -1)
        for k in range(3):
            band_of[(freqs[:top] >= _BAND_EDGES_HZ[k]) & (freqs[:top] < _BAND_EDGES_HZ[k + 1])] = k
        self._band_matrix = np.zeros((top, 3))
        used = band_of >= 0
        self._band_matrix[np.nonzero(used)[0], band_of[used]] = 1.0
        self._top = top
        self._prev: NDArray[np.float64] | None = None
        self._onsets = FrameStream(window, self._onset_hop, self._onset_rows)
        # chroma, decimated to ~22 kHz
        self._chroma_dec = _Decimator(max(1, rate // _CHROMA_RATE))
        chroma_rate = rate / self._chroma_dec.factor
        self._chroma_hop = max(1, round(chroma_rate / _CHROMA_FPS))
        self._chroma_rate = chroma_rate
        c_freqs = np.asarray(np.fft.rfftfreq(_CHROMA_WINDOW, 1.0 / chroma_rate), dtype=float)
        c_sel, c_fold = _fold(c_freqs, _CHROMA_FMIN, _CHROMA_FMAX)
        self._chroma = FrameStream(_CHROMA_WINDOW, self._chroma_hop, _pitch_rows(c_sel, c_fold))
        # the bass register, decimated further to ~2.5 kHz and kept
        self._bass_dec = _Decimator(max(1, round(chroma_rate / _BASS_RATE)))
        self._bass: list[NDArray[np.float32]] = []
        self._n = 0

    def _onset_rows(self, frames: NDArray[np.float32]) -> NDArray[np.float64]:
        spec = np.log1p(_LOG_GAIN * np.abs(scipy.fft.rfft(frames, axis=1)[:, : self._top]))
        first = spec[:1] if self._prev is None else self._prev
        self._prev = spec[-1:]
        diff = np.maximum(np.diff(spec, axis=0, prepend=first), 0.0)
        return np.asarray(diff @ self._band_matrix, dtype=float)

    def push(self, block: NDArray[np.floating[Any]]) -> None:
        """Add the next mono samples."""
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        if x.size == 0:
            return
        self._n += x.size
        self._onsets.push(x)
        low = self._chroma_dec.push(x)
        self._chroma.push(low)
        self._bass.append(self._bass_dec.push(low))

    def result(self) -> Onsets:
        """The features of everything pushed, on a grid of :data:`FPS` frames a second."""
        n = max(1, math.ceil(self._n / self.sample_rate * FPS))
        times = np.arange(n) / FPS
        bands = _on_grid(self._onsets.finish(1), self.sample_rate / self._onset_hop, times)
        scale = np.percentile(bands, 95, axis=0) if bands.size else np.ones(3)
        bands = bands / np.where(scale > 0, scale, 1.0)
        chroma = _on_grid(self._chroma.finish(1), self._chroma_rate / self._chroma_hop, times)
        bass = np.concatenate(self._bass) if self._bass else np.zeros(0, dtype=np.float32)
        bass_rate = self._chroma_rate / self._bass_dec.factor
        return Onsets(bands=bands, chroma=chroma, bass=bass, bass_rate=bass_rate)


def _pitch_rows(
    sel: NDArray[Any], fold: NDArray[np.float64]
) -> Callable[[NDArray[np.float32]], NDArray[np.float64]]:
    def rows(frames: NDArray[np.float32]) -> NDArray[np.float64]:
        mag = np.abs(scipy.fft.rfft(frames, axis=1))[:, sel].astype(float)
        return np.asarray(np.sqrt(mag**2 @ fold), dtype=float)

    return rows


def _on_grid(
    rows: NDArray[np.float64], fps: float, times: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The row of the frame nearest each time (frame ``k`` at ``k / fps`` s)."""
    if rows.shape[0] == 0:
        return np.zeros((times.size, rows.shape[1] if rows.ndim == 2 else 1))
    idx = np.clip(np.round(times * fps).astype(int), 0, rows.shape[0] - 1)
    return np.asarray(rows[idx], dtype=float)


def onsets(samples: NDArray[np.floating[Any]], sample_rate: int = 44100) -> Onsets:
    """:class:`Onsets` of a whole mono signal (see :class:`OnsetStream`).

    Parameters
    ----------
    samples
        Mono samples.
    sample_rate
        Their sample rate.

    Returns
    -------
    Onsets
        Band onsets, chroma and bass chroma at :data:`FPS` frames a second.
    """
    stream = OnsetStream(sample_rate)
    stream.push(samples)
    return stream.result()


def window_max(x: NDArray[np.float64], times: NDArray[np.float64], half: int = 3) -> NDArray[Any]:
    """Max of ``x`` (frames at :data:`FPS`) within ±``half`` frames of each time (s)."""
    wide = maximum_filter1d(x, size=2 * half + 1, mode="nearest", axis=0)
    idx = np.clip(np.round(np.asarray(times) * FPS).astype(int), 0, x.shape[0] - 1)
    return np.asarray(wide[idx], dtype=float)


def pitch_change(chroma: NDArray[np.float64]) -> NDArray[np.float64]:
    """How much the pitch content rises at each frame: the half-wave rectified increase of
    the chroma, each frame scaled to unit length, summed over the pitch classes.

    Parameters
    ----------
    chroma
        ``(frames, 12)`` chroma magnitudes.

    Returns
    -------
    numpy.ndarray
        ``(frames,)``, 0 at the first frame; from 0 to 1 (one pitch class replaced by
        another) and at most sqrt(12).
    """
    unit = chroma / np.maximum(np.linalg.norm(chroma, axis=1, keepdims=True), 1e-9)
    rise = np.maximum(np.diff(unit, axis=0, prepend=unit[:1]), 0.0)
    return np.asarray(rise.sum(axis=1), dtype=float)


def beat_bass_notes(onsets: Onsets, beats: NDArray[np.float64]) -> NDArray[np.int64]:
    """The bass note of every beat: the lowest strong spectral peak in 38-260 Hz.

    Over each beat (from 30 ms after it to 85 % of it) the bass signal's spectrum is taken,
    its smooth part (drums) removed, and the lowest local peak within ``_NOTE_REL`` of the
    strongest is read as the note (its harmonics, the octave and the fifth above, lie
    higher).

    Parameters
    ----------
    onsets
        The song's features (its decimated bass signal).
    beats
        Beat times (s), at least two.

    Returns
    -------
    numpy.ndarray
        MIDI note numbers, -1 where a beat has no clear bass note.
    """
    rate = onsets.bass_rate
    x = onsets.bass
    freqs = np.fft.rfftfreq(_BASS_FFT, 1.0 / rate)
    lo = int(np.searchsorted(freqs, _BASS_FMIN))
    hi = int(np.searchsorted(freqs, _BASS_FMAX))
    span = np.diff(beats)
    span = np.append(span, span[-1]) if span.size else np.ones(1)
    out = np.full(beats.size, -1, dtype=np.int64)
    for i, (b, s) in enumerate(zip(beats, span)):
        a = max(0, round((b + _BASS_FROM_S) * rate))
        e = min(x.size, a + _BASS_FFT, round((b + _BASS_TO * s) * rate))
        if e - a < 16:
            continue
        mag = np.abs(np.fft.rfft(x[a:e] * np.hanning(e - a), _BASS_FFT))
        peaks = np.maximum(mag - median_filter(mag, size=_PEAK_BINS, mode="nearest"), 0.0)[lo:hi]
        top = float(peaks.max()) if peaks.size else 0.0
        if top <= 0.0:
            continue
        inner = peaks[1:-1]
        local = (inner >= peaks[:-2]) & (inner >= peaks[2:]) & (inner >= _NOTE_REL * top)
        found = np.nonzero(local)[0]
        if found.size:
            f = float(freqs[lo + 1 + found[0]])
            out[i] = round(12.0 * math.log2(f / 440.0) + 69.0)
    return out
