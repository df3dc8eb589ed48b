"""Features of the audio for the later steps: madmom's beat and downbeat activations (100 fps),
the energy curve and a spectral-flux onset envelope."""

from __future__ import annotations

import math
import threading
from math import gcd
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import maximum_filter1d
from scipy.signal import resample_poly

from pasdeux.music._types import (
    EnergyCurve,
)

#: madmom's networks run at this sample rate and frame rate.
_SR = 44100


_FPS = 100


#: Beat tracking tempo limits (BPM).
_MIN_BPM = 55.0


_MAX_BPM = 215.0


#: Energy and accents.
_HOP_S = 0.1


_FLOOR_DB = -100.0


_lock = threading.Lock()


_processors: dict[str, Any] = {}


def _processor(name: str) -> Any:
    """The madmom processors, built once per process."""
    with _lock:
        if not _processors:
            import onnxruntime

            onnxruntime.set_default_logger_severity(3)
            from madmom.features.beats import DBNBeatTrackingProcessor
            from madmom.features.downbeats import RNNDownBeatProcessor

            _processors["rnn"] = RNNDownBeatProcessor()
            _processors["beats"] = DBNBeatTrackingProcessor(
                min_bpm=_MIN_BPM, max_bpm=_MAX_BPM, fps=_FPS
            )
        return _processors[name]


def _activations(y44: NDArray[np.float32]) -> NDArray[np.float64]:
    """Beat and downbeat activations at 100 fps: columns (beat-not-downbeat, downbeat)."""
    from madmom.audio.signal import Signal

    act = _processor("rnn")(Signal(y44, sample_rate=_SR))
    return np.asarray(act, dtype=float).reshape(-1, 2)


def _resample(x: NDArray[np.float32], rate: int, target: int) -> NDArray[np.float32]:
    if rate == target:
        return x
    g = gcd(rate, target)
    y = resample_poly(x, target // g, rate // g)
    return np.asarray(np.clip(y, -1.0, 1.0), dtype=np.float32)


def _energy_curve(samples: NDArray[np.float32], rate: int) -> EnergyCurve:
    hop = max(1, round(_HOP_S * rate))
    n = math.ceil(samples.size / hop)
    padded = np.zeros(n * hop, dtype=np.float64)
    padded[: samples.size] = samples
    rms = np.sqrt(np.mean(padded.reshape(n, hop) ** 2, axis=1))
    peak = float(rms.max())
    if peak <= 0:
        db = np.full(n, _FLOOR_DB)
    else:
        db = 20.0 * np.log10(np.maximum(rms / peak, 10 ** (_FLOOR_DB / 20)))
    return EnergyCurve(hop_s=_HOP_S, values_db=tuple(round(float(v), 1) for v in db))


def _onset_flux(y44: NDArray[np.float32]) -> NDArray[np.float64]:
    """Spectral-flux onset envelope at 100 fps (log-filtered spectrogram, positive diffs)."""
    from madmom.audio.signal import Signal
    from madmom.audio.spectrogram import LogarithmicFilteredSpectrogram

    spec = LogarithmicFilteredSpectrogram(
        Signal(y44, sample_rate=_SR), frame_size=2048, fps=_FPS, num_bands=12
    )
    s = np.asarray(spec, dtype=float)
    flux = np.zeros(s.shape[0])
    flux[1:] = np.sum(np.maximum(np.diff(s, axis=0), 0.0), axis=1)
    return flux


def _window_max(x: NDArray[np.float64], frames: NDArray[np.int64]) -> NDArray[np.float64]:
    """Max of ``x`` within ±``_Q_WINDOW`` frames of each frame index."""
    wide = maximum_filter1d(x, size=2 * _Q_WINDOW + 1, mode="nearest")
    return np.asarray(wide[np.clip(frames, 0, x.size - 1)], dtype=float)


def _frames(times: NDArray[np.float64]) -> NDArray[np.int64]:
    return np.asarray(np.round(times * _FPS), dtype=np.int64)


_Q_WINDOW = 3  # frames either side of a beat


_BREAK_DB = -35.0
