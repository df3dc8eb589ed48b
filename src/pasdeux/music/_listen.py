"""Listen: audio → ``MusicMap`` (beats, bars with meter changes, sections, phrases, accents).

The beat and downbeat activations come from madmom's RNN ensemble (Böck, Krebs and
Widmer, ISMIR 2016; here as ONNX). Beats are tracked with madmom's DBN. Bars are found
with our own Viterbi over the tracked beats, whose states are (meter, position in bar),
so that a song may change meter (a ballad that turns into a waltz).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import maximum_filter1d, median_filter
from scipy.signal import find_peaks, resample_poly

from pasdeux.dances._model import DanceStyle
from pasdeux.errors import InputError
from pasdeux.music._audio import as_mono, check_audio_file, load_audio
from pasdeux.music._fit import rank_dances
from pasdeux.music._types import (
    Accent,
    EnergyCurve,
    MusicMap,
    Phrase,
    Section,
    TempoPoint,
)

__all__ = ["listen"]

Progress = Callable[[str], None]

#: madmom's networks run at this sample rate and frame rate.
_SR = 44100
_FPS = 100

#: Beat tracking tempo limits (BPM).
_MIN_BPM = 55.0
_MAX_BPM = 215.0

#: Danceable-beat check. Music puts clear activation peaks on the tracked beats and
#: almost none half way between them (contrast >= ~0.25 on real songs), and nearly all of
#: the activation's peaks fall on the tracked beats (>= ~85 %). Noise, steady tones and
#: silence give contrast <= ~0.05; speech-like sound has peaks all over (<= ~45 % on the
#: beat).
_MIN_BEATS = 8
_MIN_BEAT_STRENGTH = 0.15
_MIN_BEAT_CONTRAST = 0.15
_MIN_ON_GRID = 0.6
_PEAK_HEIGHT = 0.1
_ON_GRID_FRAMES = 5
#: Doubling a half-time track: the network fires half way between the beats too.
_DOUBLE_OFF_SHARE = 0.6
_DOUBLE_MIN_CONTRAST = 0.25
_DOUBLE_MIN_ON_GRID = 0.85

#: Bar model: meters, per-bar log prior (mildly against 2), log probability of a meter
#: change at a bar line, and the pseudo-count that pulls a weak beat's downbeat
#: probability towards ``_Q_PRIOR``.
_METERS = (2, 3, 4)
_METER_LOG_PRIOR = {2: math.log(0.5), 3: 0.0, 4: 0.0}
_SWITCH_LOG_PROB = math.log(1e-4)
_Q_PSEUDO = 0.05
_Q_PRIOR = 0.3
_Q_WINDOW = 3  # frames either side of a beat

#: Sections.
_TEMPO_SPLIT = math.log(1.08)
_TEMPO_WINDOW_BARS = 4
_MIN_SECTION_BARS = 4
_PHRASE_BARS = 8

#: Energy and accents.
_HOP_S = 0.1
_FLOOR_DB = -100.0
_BREAK_DB = -35.0
_MUSIC_DB = -20.0
_HIT_RATIO = 1.5  # a hit is this much above the 90th percentile of onsets within ±4 s
_HIT_MIN_SHARE = 0.1  # ignore onsets weaker than this share of the song's strong onsets
_HIT_WINDOW_S = 8.0
_FINAL_WITHIN_S = 20.0
_FINAL_MIN_HOLD_S = 0.75
_FINAL_MAX_BEAT_ACT = 0.15  # beat activation must die away after the final chord

_lock = threading.Lock()
_processors: dict[str, Any] = {}


def listen(
    source: str | Path | NDArray[Any],
    sr: int | None = None,
    *,
    progress: Progress | None = None,
    styles: Sequence[DanceStyle] | None = None,
) -> MusicMap:
    """Analyse a song: beats, bars and meter (changes too), sections, phrases, accents, dances.

    Parameters
    ----------
    source
        An audio file, or samples (mono ``(n,)`` or ``(n, channels)``) with ``sr``.
    sr
        Sample rate of ``source`` when it is samples; ignored for a file.
    progress
        Called with a short message as each step starts (e.g. ``"finding beats…"``).
    styles
        Dance styles to rank; by default the whole library
        (:func:`pasdeux.dances.load_library`).

    Returns
    -------
    MusicMap
        The song's map. ``sections`` cover the song from 0 to its end; inner section
        boundaries fall on downbeats.

    Raises
    ------
    InputError
        The file cannot be read as audio, is shorter than 5 s, or has no danceable beat.
    """
    say: Progress = progress if progress is not None else _quiet
    if isinstance(source, (str, Path)):
        check_audio_file(source)
    say("decoding…")
    path: str | None
    if isinstance(source, (str, Path)):
        path = str(source)
        samples, rate = load_audio(source)
    else:
        path = None
        if sr is None:
            raise InputError(None, "a sample rate is needed to analyse raw samples")
        rate = int(sr)
        samples = as_mono(source, rate, None)
    duration = samples.size / rate
    if float(np.max(np.abs(samples))) < 1e-5:
        raise InputError(path, "no danceable beat found (the audio is silent)")
    y44 = _resample(samples, rate, _SR)

    say("finding beats…")
    act = _activations(y44)
    beat_act = np.clip(act[:, 0] + act[:, 1], 0.0, 1.0)
    beats = np.asarray(_processor("beats")(beat_act), dtype=float)
    energy = _energy_curve(samples, rate)
    beats = _choose_pulse(_clean_beats(beats, energy, duration), beat_act, path)

    say("finding bars and meter…")
    flux = _onset_flux(y44)
    final = _final(energy, flux, beat_act, beats)
    if final is not None:
        # the tracker keeps counting through a held final chord; the music does not
        keep = beats <= final.time + 0.3 * float(np.median(np.diff(beats)))
        if np.count_nonzero(keep) >= _MIN_BEATS:
            beats = beats[keep]
    q = _downbeat_probability(act, beats)
    meters, positions = bar_viterbi(q)

    say("sections, phrases, accents…")
    library = tuple(styles) if styles is not None else _library()
    bar_starts = [i for i, p in enumerate(positions) if p == 1]
    sections = _sections(beats, meters, bar_starts, duration, energy, library)
    main_meter = _main_meter(sections)
    main_ibis = _section_ibis(beats, [s for s in sections if s.meter == main_meter])
    bpm = round(60.0 / float(np.median(main_ibis)), 2)
    draft = MusicMap(
        source=path if path is not None else "<samples>",
        duration_s=round(duration, 3),
        beats=tuple(round(float(b), 3) for b in beats),
        beat_in_bar=tuple(int(p) for p in positions),
        meter=main_meter,
        bpm=bpm,
        mpm=round(bpm / main_meter, 2),
        tempo_curve=_tempo_curve(beats),
        phrases=(),
        sections=sections,
        accents=(),
        energy=energy,
        dances=rank_dances(main_meter, bpm, library),
    )
    return replace(draft, phrases=_phrases(draft), accents=_accents(draft, flux, final))


def _quiet(_: str) -> None:
    return None


def _library() -> tuple[DanceStyle, ...]:
    from pasdeux.dances import load_library

    return tuple(load_library())


# --------------------------------------------------------------------------- madmom


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


def _clean_beats(
    beats: NDArray[np.float64], energy: EnergyCurve, duration: float
) -> NDArray[np.float64]:
    """Drop beats outside the song, repeated ones, and those in leading or trailing silence."""
    db = np.asarray(energy.values_db)
    sounding = np.nonzero(db >= _BREAK_DB)[0]
    if sounding.size == 0:
        return np.zeros(0)
    first = sounding[0] * energy.hop_s - 0.05
    last = (sounding[-1] + 1) * energy.hop_s + 0.05
    b = beats[(beats >= max(0.0, first)) & (beats <= min(duration, last))]
    if b.size == 0:
        return np.asarray(b, dtype=float)
    keep = np.concatenate([[True], np.diff(b) > 1e-3])
    return np.asarray(b[keep], dtype=float)


def _window_max(x: NDArray[np.float64], frames: NDArray[np.int64]) -> NDArray[np.float64]:
    """Max of ``x`` within ±``_Q_WINDOW`` frames of each frame index."""
    wide = maximum_filter1d(x, size=2 * _Q_WINDOW + 1, mode="nearest")
    return np.asarray(wide[np.clip(frames, 0, x.size - 1)], dtype=float)


def _frames(times: NDArray[np.float64]) -> NDArray[np.int64]:
    return np.asarray(np.round(times * _FPS), dtype=np.int64)


@dataclass(frozen=True)
class BeatEvidence:
    """How strongly the beat network supports a grid of beat times.

    ``strength`` is the mean activation (max within ±30 ms) at the grid's beats, ``off``
    the same half way between them, ``contrast`` = ``strength - off``, and ``on_grid``
    the share of the activation's peaks (weighted by height) within ±50 ms of a beat.
    """

    strength: float
    off: float
    on_grid: float

    @property
    def contrast(self) -> float:
        """Activation at the beats minus activation half way between them."""
        return self.strength - self.off


def beat_evidence(beats: NDArray[np.float64], beat_act: NDArray[np.float64]) -> BeatEvidence:
    """Measure how well a grid of beat times matches the beat activation.

    Parameters
    ----------
    beats
        Beat times in seconds (at least two).
    beat_act
        Beat activation (beat + downbeat) at 100 frames per second.

    Returns
    -------
    BeatEvidence
        Strength at the beats, activation half way between them, share of peaks on the grid.
    """
    frames = _frames(beats)
    on = _window_max(beat_act, frames)
    off = _window_max(beat_act, _frames(0.5 * (beats[1:] + beats[:-1])))
    peaks, _ = find_peaks(beat_act, height=_PEAK_HEIGHT, distance=10)
    if peaks.size:
        pos = np.searchsorted(frames, peaks)
        left = np.abs(peaks - frames[np.clip(pos - 1, 0, frames.size - 1)])
        right = np.abs(frames[np.clip(pos, 0, frames.size - 1)] - peaks)
        near = np.minimum(left, right) <= _ON_GRID_FRAMES
        heights = beat_act[peaks]
        on_grid = float(heights[near].sum() / heights.sum())
    else:
        on_grid = 0.0
    return BeatEvidence(float(on.mean()), float(off.mean()), on_grid)


def _doubled(beats: NDArray[np.float64]) -> NDArray[np.float64]:
    mids = 0.5 * (beats[1:] + beats[:-1])
    return np.sort(np.concatenate([beats, mids]))


def _choose_pulse(
    beats: NDArray[np.float64], beat_act: NDArray[np.float64], path: str | None
) -> NDArray[np.float64]:
    """Check that there is a danceable beat; return the beats (doubled if the DBN halved them).

    Raises
    ------
    InputError
        Too few beats, or the activation does not support a regular beat.
    """
    if beats.size < _MIN_BEATS:
        raise InputError(
            path, f"no danceable beat found (only {beats.size} beats tracked; need {_MIN_BEATS})"
        )
    one = beat_evidence(beats, beat_act)
    ok_one = (
        one.strength >= _MIN_BEAT_STRENGTH
        and one.contrast >= _MIN_BEAT_CONTRAST
        and one.on_grid >= _MIN_ON_GRID
    )
    # The DBN sometimes tracks a fast song (200+ BPM) at half time: then the network fires
    # half way between the tracked beats as strongly as on them.
    two_beats = _doubled(beats)
    doubled_bpm = 60.0 / float(np.median(np.diff(two_beats)))
    two = beat_evidence(two_beats, beat_act)
    ok_two = (
        one.off >= _DOUBLE_OFF_SHARE * one.strength
        and two.strength >= _MIN_BEAT_STRENGTH
        and two.contrast >= _DOUBLE_MIN_CONTRAST
        and two.on_grid >= _DOUBLE_MIN_ON_GRID
    )
    if ok_two and doubled_bpm <= _MAX_BPM * 1.03:
        return two_beats
    if ok_one or ok_two:
        return beats
    raise InputError(
        path,
        f"no danceable beat found (beat strength {one.strength:.2f}, contrast "
        f"{one.contrast:.2f}, {100 * one.on_grid:.0f}% of onsets on the beat; music has "
        f">= {_MIN_BEAT_CONTRAST:.2f} and >= {100 * _MIN_ON_GRID:.0f}%: is it silence, noise, "
        "a steady tone or speech?)",
    )


# --------------------------------------------------------------------------- bars


def _downbeat_probability(act: NDArray[np.float64], beats: NDArray[np.float64]) -> NDArray[Any]:
    """q = d / (b + d) at each beat (max over ±3 frames), pulled to a prior when both are weak."""
    frames = _frames(beats)
    b = _window_max(act[:, 0], frames)
    d = _window_max(act[:, 1], frames)
    q = (d + _Q_PSEUDO * _Q_PRIOR) / (b + d + _Q_PSEUDO)
    return np.clip(q, 1e-3, 1.0 - 1e-3)


def bar_viterbi(
    q: NDArray[np.float64],
    switch_log_prob: float = _SWITCH_LOG_PROB,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Most likely meter and position in bar of every beat, allowing meter changes.

    States are (meter m in {2, 3, 4}, position p in 1..m). Within a bar p moves to p + 1;
    after the last beat of a bar the next bar starts in the same meter, or (at a cost of
    ``switch_log_prob``) in another one. A beat's emission is ``log q`` on a downbeat and
    ``log(1 - q)`` elsewhere. The song may start anywhere in a bar (a pickup).

    Parameters
    ----------
    q
        Probability that each beat is a downbeat.
    switch_log_prob
        Log probability of changing meter at a bar line.

    Returns
    -------
    meters : numpy.ndarray
        The meter of the bar each beat belongs to.
    positions : numpy.ndarray
        Each beat's position in its bar (1 = downbeat).
    """
    states = [(m, p) for m in _METERS for p in range(1, m + 1)]
    index = {s: k for k, s in enumerate(states)}
    n_states = len(states)
    trans = np.full((n_states, n_states), -np.inf)
    n_other = len(_METERS) - 1
    for k, (m, p) in enumerate(states):
        if p < m:
            trans[k, index[(m, p + 1)]] = 0.0
            continue
        for m2 in _METERS:
            stay = math.log1p(-math.exp(switch_log_prob))
            base = stay if m2 == m else switch_log_prob - math.log(n_other)
            trans[k, index[(m2, 1)]] = base + _METER_LOG_PRIOR[m2]
    is_down = np.array([p == 1 for _, p in states])
    qq = np.asarray(q, dtype=float)
    emis = np.where(is_down[None, :], np.log(qq)[:, None], np.log1p(-qq)[:, None])
    init = np.array([_METER_LOG_PRIOR[m] - math.log(m) for m, _ in states])
    n = qq.size
    back = np.zeros((n, n_states), dtype=np.int64)
    delta = init + emis[0]
    for i in range(1, n):
        cand = delta[:, None] + trans
        back[i] = np.argmax(cand, axis=0)
        delta = cand[back[i], np.arange(n_states)] + emis[i]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(np.argmax(delta))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    meters = np.array([states[k][0] for k in path], dtype=np.int64)
    positions = np.array([states[k][1] for k in path], dtype=np.int64)
    if not np.any(positions == 1):  # too few beats to finish a bar: call the first a downbeat
        positions = np.arange(n, dtype=np.int64) % meters[0] + 1
    return meters, positions


# --------------------------------------------------------------------------- sections


@dataclass
class _Run:
    first_bar: int  # index into bar_starts
    n_bars: int
    meter: int


def _sections(
    beats: NDArray[np.float64],
    meters: NDArray[np.int64],
    bar_starts: list[int],
    duration: float,
    energy: EnergyCurve,
    styles: Sequence[DanceStyle],
) -> tuple[Section, ...]:
    n_bars = len(bar_starts)
    bar_meter = [int(meters[i]) for i in bar_starts]
    bar_ibi = []
    for k, i in enumerate(bar_starts):
        j = bar_starts[k + 1] if k + 1 < n_bars else beats.size - 1
        seg = np.diff(beats[i : j + 1]) if j > i else np.diff(beats[max(i - 1, 0) : i + 1])
        bar_ibi.append(seg if seg.size else np.array([float(np.median(np.diff(beats)))]))

    runs: list[_Run] = []
    for k in range(n_bars):
        if runs and runs[-1].meter == bar_meter[k]:
            runs[-1].n_bars += 1
        else:
            runs.append(_Run(k, 1, bar_meter[k]))
    runs = [piece for run in runs for piece in _split_on_tempo(run, bar_ibi)]
    runs = _merge_short(runs, bar_ibi)

    sections = []
    for r, run in enumerate(runs):
        start = 0.0 if r == 0 else float(beats[bar_starts[run.first_bar]])
        end = float(beats[bar_starts[runs[r + 1].first_bar]]) if r + 1 < len(runs) else duration
        ibis = np.concatenate(bar_ibi[run.first_bar : run.first_bar + run.n_bars])
        bpm = round(60.0 / float(np.median(ibis)), 2)
        fits = rank_dances(run.meter, bpm, styles)
        sections.append(
            Section(
                start=round(start, 3),
                end=round(end, 3),
                meter=run.meter,
                bpm=bpm,
                dance=fits[0].name if fits else "",
                energy=round(_mean_db(energy, start, end), 2),
            )
        )
    return tuple(sections)


def _split_on_tempo(run: _Run, bar_ibi: list[NDArray[np.float64]]) -> list[_Run]:
    """Split a run of bars where the local tempo jumps by more than 8 %."""
    if run.n_bars < 2 * 2:
        return [run]
    w = _TEMPO_WINDOW_BARS
    change = np.zeros(run.n_bars)
    for k in range(2, run.n_bars - 1):
        left = bar_ibi[run.first_bar + max(0, k - w) : run.first_bar + k]
        right = bar_ibi[run.first_bar + k : run.first_bar + min(run.n_bars, k + w)]
        if len(left) < 2 or len(right) < 2:
            continue
        lm = float(np.median(np.concatenate(left)))
        rm = float(np.median(np.concatenate(right)))
        change[k] = abs(math.log(rm / lm))
    cuts = []
    k = 0
    while k < run.n_bars:
        if change[k] > _TEMPO_SPLIT:
            j = k
            while j + 1 < run.n_bars and change[j + 1] > _TEMPO_SPLIT:
                j += 1
            cuts.append(k + int(np.argmax(change[k : j + 1])))
            k = j + 1
        else:
            k += 1
    if not cuts:
        return [run]
    edges = [0, *cuts, run.n_bars]
    return [_Run(run.first_bar + a, b - a, run.meter) for a, b in itertools.pairwise(edges)]


def _merge_short(runs: list[_Run], bar_ibi: list[NDArray[np.float64]]) -> list[_Run]:
    """Merge runs shorter than 4 bars into a neighbour (same meter, else closer tempo)."""
    runs = list(runs)

    def tempo(run: _Run) -> float:
        return float(np.median(np.concatenate(bar_ibi[run.first_bar : run.first_bar + run.n_bars])))

    def time_len(run: _Run) -> float:
        return float(sum(np.sum(x) for x in bar_ibi[run.first_bar : run.first_bar + run.n_bars]))

    while len(runs) > 1:
        short = [k for k, r in enumerate(runs) if r.n_bars < _MIN_SECTION_BARS]
        if not short:
            break
        k = min(short, key=lambda s: (runs[s].n_bars, s))
        options = [j for j in (k - 1, k + 1) if 0 <= j < len(runs)]

        def cost(j: int, k: int = k) -> tuple[int, float]:
            return (
                0 if runs[j].meter == runs[k].meter else 1,
                abs(math.log(tempo(runs[j]) / tempo(runs[k]))),
            )

        j = min(options, key=cost)
        a, b = sorted((j, k))
        ra, rb = runs[a], runs[b]
        meter = ra.meter if time_len(ra) >= time_len(rb) else rb.meter
        runs[a : b + 1] = [_Run(ra.first_bar, ra.n_bars + rb.n_bars, meter)]
    # neighbours that ended up with the same meter and tempo become one section
    out: list[_Run] = []
    for run in runs:
        if out and out[-1].meter == run.meter:
            prev = out[-1]
            if abs(math.log(tempo(run) / tempo(prev))) <= _TEMPO_SPLIT:
                out[-1] = _Run(prev.first_bar, prev.n_bars + run.n_bars, prev.meter)
                continue
        out.append(run)
    return out


def _main_meter(sections: Sequence[Section]) -> int:
    total: dict[int, float] = {}
    for s in sections:
        total[s.meter] = total.get(s.meter, 0.0) + (s.end - s.start)
    return max(total, key=lambda m: (total[m], m))


def _section_ibis(beats: NDArray[np.float64], sections: Sequence[Section]) -> NDArray[np.float64]:
    ibi = np.diff(beats)
    starts = beats[:-1]
    mask = np.zeros(ibi.size, dtype=bool)
    for s in sections:
        mask |= (starts >= s.start - 1e-6) & (starts < s.end - 1e-6)
    return ibi[mask] if np.any(mask) else ibi


def _tempo_curve(beats: NDArray[np.float64]) -> tuple[TempoPoint, ...]:
    ibi = np.diff(beats)
    ibi = np.append(ibi, ibi[-1])
    smooth = median_filter(ibi, size=3, mode="nearest")
    return tuple(
        TempoPoint(time=round(float(t), 3), bpm=round(60.0 / float(d), 2))
        for t, d in zip(beats, smooth)
    )


def _phrases(music: MusicMap) -> tuple[Phrase, ...]:
    """8-bar phrases, restarting at each section start; a shorter remainder is its own."""
    bars = music.bars
    if not bars:
        return ()
    section_starts = sorted({s.start for s in music.sections[1:]})
    groups: list[list[int]] = [[]]
    for bar in bars:
        if any(abs(bar.start - t) < 1e-3 for t in section_starts) and groups[-1]:
            groups.append([])
        groups[-1].append(bar.index)
    phrases = []
    for group in groups:
        for a in range(0, len(group), _PHRASE_BARS):
            chunk = group[a : a + _PHRASE_BARS]
            phrases.append(
                Phrase(
                    first_bar=chunk[0],
                    n_bars=len(chunk),
                    start=bars[chunk[0]].start,
                    end=bars[chunk[-1]].end,
                )
            )
    return tuple(phrases)


# --------------------------------------------------------------------------- energy, accents


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


def _mean_db(energy: EnergyCurve, start: float, end: float) -> float:
    v = np.asarray(energy.values_db)
    a = int(start / energy.hop_s)
    b = max(a + 1, math.ceil(end / energy.hop_s))
    seg = v[a:b]
    return float(seg.mean()) if seg.size else _FLOOR_DB


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


def _accents(
    music: MusicMap, flux: NDArray[np.float64], final: Accent | None
) -> tuple[Accent, ...]:
    accents = _breaks(music) + _hits(music, flux)
    if final is not None:
        accents = [a for a in accents if abs(a.time - final.time) > 0.1] + [final]
    return tuple(sorted(accents, key=lambda a: (a.time, a.kind)))


def _breaks(music: MusicMap) -> list[Accent]:
    db = np.asarray(music.energy.values_db)
    hop = music.energy.hop_s
    loud = np.nonzero(db >= _MUSIC_DB)[0]
    if loud.size == 0:
        return []
    quiet = db < _BREAK_DB
    quiet[: loud[0]] = False
    quiet[loud[-1] + 1 :] = False
    out = []
    tm = music.tempo_map
    k = 0
    while k < quiet.size:
        if not quiet[k]:
            k += 1
            continue
        j = k
        while j + 1 < quiet.size and quiet[j + 1]:
            j += 1
        start, end = k * hop, (j + 1) * hop
        beat_s = 60.0 / float(tm.bpm_at_seconds([start])[0])
        length_beats = (end - start) / beat_s
        if length_beats >= 1.0:
            out.append(
                Accent(
                    time=round(start, 3),
                    kind="break",
                    strength=round(min(1.0, length_beats / 4.0), 3),
                    duration=round(end - start, 3),
                )
            )
        k = j + 1
    return out


def _hits(music: MusicMap, flux: NDArray[np.float64]) -> list[Accent]:
    """Onsets well above the local run of strong onsets; at most one (the strongest) a bar."""
    peaks, _ = find_peaks(flux, distance=10)
    if peaks.size < 3:
        return []
    values = flux[peaks]
    keep = values >= _HIT_MIN_SHARE * float(np.percentile(values, 99))
    peaks, values = peaks[keep], values[keep]
    times = peaks / _FPS
    half = _HIT_WINDOW_S / 2
    lo = np.searchsorted(times, times - half, side="left")
    hi = np.searchsorted(times, times + half, side="right")
    downbeats = np.asarray(music.downbeats)
    best: dict[int, tuple[float, float]] = {}
    for k in range(times.size):
        reference = float(np.percentile(values[lo[k] : hi[k]], 90))
        ratio = float(values[k]) / (reference + 1e-12)
        if ratio < _HIT_RATIO:
            continue
        t = float(times[k])
        bar = int(np.searchsorted(downbeats, t + 0.05, side="right")) - 1
        if bar not in best or ratio > best[bar][1]:
            best[bar] = (t, ratio)
    return [
        Accent(time=round(t, 3), kind="hit", strength=round(min(1.0, (ratio - 1.0) / 2.0), 3))
        for t, ratio in best.values()
    ]


def _final(
    energy: EnergyCurve,
    flux: NDArray[np.float64],
    beat_act: NDArray[np.float64],
    beats: NDArray[np.float64],
) -> Accent | None:
    """The last strong onset, when a held chord (sound, no further beat) follows it."""
    db = np.asarray(energy.values_db)
    hop = energy.hop_s
    sounding = np.nonzero(db >= _BREAK_DB)[0]
    peaks, _ = find_peaks(flux, distance=10)
    if peaks.size == 0 or sounding.size == 0:
        return None
    end_t = (sounding[-1] + 1) * hop
    peaks = peaks[peaks / _FPS < end_t]
    if peaks.size == 0:
        return None
    strong = peaks[flux[peaks] >= 0.5 * float(np.percentile(flux[peaks], 99))]
    if strong.size == 0:
        return None
    f = int(strong[-1])
    t = f / _FPS
    value = float(flux[f])
    hold = end_t - t
    beat_s = float(np.median(np.diff(beats)))
    if t < end_t - _FINAL_WITHIN_S or hold < max(_FINAL_MIN_HOLD_S, beat_s):
        return None
    later = flux[peaks[peaks > f]]
    if later.size and float(later.max()) >= 0.6 * value:
        return None
    # the next few beats, stopping short of the end of the sound (a cut-off reads as a beat)
    until = min(end_t - 0.2, t + 4.0 * beat_s)
    after_beat = beat_act[int((t + 0.6 * beat_s) * _FPS) : int(until * _FPS) + 1]
    if after_beat.size and float(after_beat.max()) >= _FINAL_MAX_BEAT_ACT:
        return None  # the beat goes on: not a held chord
    a = math.ceil((t + 0.2) / hop)
    if a >= db.size or db[a] < _MUSIC_DB:
        return None
    return Accent(time=round(t, 3), kind="final", strength=1.0, duration=round(hold, 3))
