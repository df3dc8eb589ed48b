"""Third-octave band power per frame (24 bands, 50 Hz to 12.8 kHz, about 20 frames a second),
computed as the audio streams in (:class:`BandFrames`), for the texture of the bars."""

from __future__ import annotations

import math

import numpy as np
import scipy.fft
from numpy.typing import NDArray

from pasdeux.music.frontend._frames import FrameStream

__all__ = ["FRAME_FPS", "BandFrames", "frame_bands"]

#: Band frames a second (about; :attr:`BandFrames.fps` is exact for a sample rate).
FRAME_FPS = 20.0

_WINDOW_S = 0.093  # analysis window (4096 samples at 44.1 kHz)

_BANDS_PER_OCTAVE = 3

_FMIN_HZ = 50.0

_N_BANDS = 24  # 50 Hz .. 12.8 kHz

_BLOCK_FRAMES = 256  # frames transformed at a time


def _band_matrix(window: int, sample_rate: int) -> NDArray[np.float32]:
    """``(bins, bands)`` 0/1 matrix summing rfft power bins into third-octave bands."""
    freqs = np.fft.rfftfreq(window, 1.0 / sample_rate)
    edges = _FMIN_HZ * 2.0 ** (np.arange(_N_BANDS + 1) / _BANDS_PER_OCTAVE)
    band = np.searchsorted(edges, freqs, side="right") - 1
    inside = (band >= 0) & (band < _N_BANDS)
    m = np.zeros((freqs.size, _N_BANDS), dtype=np.float32)
    m[np.nonzero(inside)[0], band[inside]] = 1.0
    return m


class BandFrames:
    """Third-octave band power per frame (24 bands, 50 Hz to 12.8 kHz), fed block by block.

    Frames come every ``hop = round(sample_rate / 20)`` samples (:attr:`fps` a second, 20 at
    44.1 or 48 kHz), frame ``k`` centred on sample ``k * hop`` (a Hann window of about
    93 ms; the signal counts as zero before its start and after its end). Feeding the
    signal in blocks of any size gives the same frames as feeding it whole; memory is one
    window of samples plus 24 values a frame.

    Parameters
    ----------
    sample_rate
        Samples per second of the mono blocks.

    Examples
    --------
    >>> frames = BandFrames(44100)
    >>> for block in blocks:  # doctest: +SKIP
    ...     frames.push(block)
    >>> bands = frames.result()  # doctest: +SKIP
    """

    def __init__(self, sample_rate: int = 44100) -> None:
        if sample_rate <= 0:
            raise ValueError(f"invalid sample rate {sample_rate}")
        self.sample_rate = int(sample_rate)
        self.hop = max(1, round(self.sample_rate / FRAME_FPS))
        self.window = int(2 ** round(math.log2(_WINDOW_S * self.sample_rate)))
        self._done = False
        # rows twice over: it sums the squares of the interleaved real and imaginary parts
        bands = np.repeat(_band_matrix(self.window, self.sample_rate), 2, axis=0)

        def band_power(frames: NDArray[np.float32]) -> NDArray[np.float32]:
            parts = scipy.fft.rfft(frames, axis=1).view(np.float32)  # re, im, re, im, ...
            return np.asarray((parts * parts) @ bands, dtype=np.float32)

        self._frames = FrameStream(self.window, self.hop, band_power, _BLOCK_FRAMES)

    @property
    def fps(self) -> float:
        """Frames a second."""
        return self.sample_rate / self.hop

    def push(self, block: NDArray[np.floating]) -> None:
        """Add the next mono samples."""
        if self._done:
            raise RuntimeError("the band frames are finished")
        self._frames.push(np.asarray(block, dtype=np.float32).reshape(-1))

    def result(self) -> NDArray[np.float32]:
        """Band power of every frame of the signal: ``(frames, 24)``. Ends the signal (the
        frames at its end see zeros after it); call it once, after the last :meth:`push`."""
        if self._done:
            raise RuntimeError("the band frames are finished")
        self._done = True
        return np.asarray(self._frames.finish(_N_BANDS), dtype=np.float32)


def frame_bands(samples: NDArray[np.floating], sample_rate: int = 44100) -> NDArray[np.float32]:
    """Third-octave band power per frame of a whole signal (see :class:`BandFrames`).

    Parameters
    ----------
    samples
        Mono samples.
    sample_rate
        Their sample rate.

    Returns
    -------
    numpy.ndarray
        ``(frames, 24)`` band power, about 20 frames a second from time 0.
    """
    frames = BandFrames(sample_rate)
    frames.push(samples)
    return frames.result()
