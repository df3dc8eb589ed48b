"""Structure: sections (meter, tempo), phrases, accents (hits, breaks, the final chord)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import median_filter
from scipy.signal import find_peaks

from pasdeux.dances._model import DanceStyle
from pasdeux.music._features import _BREAK_DB, _FLOOR_DB, _FPS
from pasdeux.music._fit import rank_dances
from pasdeux.music._types import (
    Accent,
    EnergyCurve,
    MusicMap,
    Phrase,
    Section,
    TempoPoint,
)

#: Sections.
_TEMPO_SPLIT = math.log(1.08)


_TEMPO_WINDOW_BARS = 4


_MIN_SECTION_BARS = 4


_PHRASE_BARS = 8


_MUSIC_DB = -20.0


_HIT_RATIO = 1.5  # a hit is this much above the 90th percentile of onsets within ±4 s


_HIT_MIN_SHARE = 0.1  # ignore onsets weaker than this share of the song's strong onsets


_HIT_WINDOW_S = 8.0


_FINAL_WITHIN_S = 20.0


_FINAL_MIN_HOLD_S = 0.75


_FINAL_MAX_BEAT_ACT = 0.15  # beat activation must die away after the final chord


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


def _mean_db(energy: EnergyCurve, start: float, end: float) -> float:
    v = np.asarray(energy.values_db)
    a = int(start / energy.hop_s)
    b = max(a + 1, math.ceil(end / energy.hop_s))
    seg = v[a:b]
    return float(seg.mean()) if seg.size else _FLOOR_DB


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
