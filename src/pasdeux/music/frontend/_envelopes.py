"""Band-wise onset envelopes of the audio, for the rhythm of the dance fit: spectral flux in
three bands (``low`` below 200 Hz for the kick and the bass, ``mid`` 200 Hz-4 kHz for snare,
chords and comping, ``high`` above 4 kHz for hats and shakers) and the mid band's loudness,
200 frames a second, computed as the audio streams in (:class:`RhythmStream`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.fft
from numpy.typing import NDArray

from pasdeux.music.frontend._frames import FrameStream

__all__ = ["BandEnvelopes", "RhythmStream", "band_envelopes"]

_SR = 44100
#: Frames a second, and the Hann window (s) of the short-time spectrum.
_FPS = 200
_WINDOW_S = 0.023
_CHUNK_FRAMES = 1024
#: Band edges in Hz: low (kick, bass) | mid (snare, chords) | high (hats, shakers).
_LOW_HZ = 200.0
_HIGH_HZ = 4000.0
#: The samples are scaled to this RMS before the log-magnitude spectrum log(1 + |X|).
_RMS = 0.1


@dataclass(frozen=True)
class BandEnvelopes:
    """Onset envelopes of the three bands and the mid-band loudness, ``fps`` frames a second.

    ``flux`` has shape ``(3, n)`` (low, mid, high), each band scaled to mean 1 over the
    song; ``loudness_db`` has shape ``(n,)``.
    """

    fps: float
    flux: NDArray[np.float64]
    loudness_db: NDArray[np.float64]


class RhythmStream:
    """Band-wise onset envelopes and mid-band loudness (:class:`BandEnvelopes`) of mono samples
    fed block by block, in bounded memory (one window of samples plus 4 values a frame).

    Frames come every ``round(sample_rate / 200)`` samples, frame ``k`` centred on sample
    ``k * hop`` (a Hann window of about 23 ms; the signal counts as zero before its start
    and after its end). Feeding the signal in blocks of any size gives the same frames.
    The log-magnitude spectrum is taken of the signal scaled to an RMS of 0.1 (the RMS of
    everything pushed so far), so that a quiet recording reads like a loud one.

    Parameters
    ----------
    sample_rate
        Samples per second of the blocks.
    """

    def __init__(self, sample_rate: int = _SR) -> None:
        if sample_rate <= 0:
            raise ValueError(f"invalid sample rate {sample_rate}")
        self.sample_rate = int(sample_rate)
        self.hop = max(1, round(self.sample_rate / _FPS))
        self.window = int(2 ** round(math.log2(_WINDOW_S * self.sample_rate)))
        freqs = np.fft.rfftfreq(self.window, 1.0 / self.sample_rate)
        self._bands = (
            freqs < _LOW_HZ,
            (freqs >= _LOW_HZ) & (freqs < _HIGH_HZ),
            freqs >= _HIGH_HZ,
        )
        self._n_samples = 0
        self._sum_sq = 0.0
        self._prev: NDArray[np.float32] | None = None
        self._frames = FrameStream(self.window, self.hop, self._rows, _CHUNK_FRAMES)

    @property
    def fps(self) -> float:
        """Frames a second."""
        return self.sample_rate / self.hop

    def push(self, block: NDArray[np.floating[Any]]) -> None:
        """Add the next mono samples."""
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        self._n_samples += x.size
        self._sum_sq += float(np.dot(x.astype(float), x.astype(float)))
        self._frames.push(x)

    def result(self) -> BandEnvelopes:
        """The envelopes of everything pushed so far, each band scaled to mean 1."""
        rows = self._frames.finish(4)
        flux = rows[:, :3].T
        means = flux.mean(axis=1, keepdims=True) if flux.size else np.ones((3, 1))
        flux = flux / np.where(means > 0, means, 1.0)
        return BandEnvelopes(fps=self.fps, flux=flux, loudness_db=rows[:, 3].copy())

    def _rows(self, frames: NDArray[np.float32]) -> NDArray[np.float64]:
        """Per frame: the three bands' spectral flux, then the mid band's loudness (dB)."""
        rms = math.sqrt(self._sum_sq / self._n_samples) if self._n_samples else 0.0
        gain = _RMS / rms if rms > 0 else 1.0
        mag = np.abs(scipy.fft.rfft(frames, axis=1)) * np.float32(gain)
        logmag = np.log1p(mag)
        prev = logmag[:1] if self._prev is None else self._prev
        self._prev = logmag[-1:]
        diff = np.maximum(np.diff(logmag, axis=0, prepend=prev), 0.0)
        bands = [diff[:, sel].sum(axis=1, dtype=float) for sel in self._bands]
        power = np.sum(np.square(mag[:, self._bands[1]], dtype=float), axis=1)
        loud = 10.0 * np.log10(np.maximum(power, 1e-10))
        return np.column_stack([*bands, loud])


def band_envelopes(samples: NDArray[np.floating[Any]], sr: int = _SR) -> BandEnvelopes:
    """Band-wise spectral flux and mid-band loudness of a whole mono signal.

    Parameters
    ----------
    samples
        Mono samples.
    sr
        Their sample rate.

    Returns
    -------
    BandEnvelopes
        The envelopes at ``sr / round(sr / 200)`` frames a second (see :class:`RhythmStream`).
    """
    stream = RhythmStream(sr)
    stream.push(samples)
    return stream.result()
