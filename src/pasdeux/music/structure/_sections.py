"""Structure: sections, phrases, accents (hits, breaks, the final chord).

Sections start where the meter changes, where the tempo jumps or a gradual tempo change
(an accelerando, a ritardando) begins or ends (:mod:`pasdeux.music.structure._tempo_runs`),
and where the texture changes strongly (:mod:`pasdeux.music.structure._novelty`); an intro
before the band comes in is no section of its own, but the first phrase starts where the
band arrives.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks

from pasdeux.dances import DanceStyle
from pasdeux.music._params import ListenParams
from pasdeux.music._types import (
    Accent,
    EnergyCurve,
    MusicMap,
    Phrase,
    Section,
)
from pasdeux.music.fit import RhythmProfile, rank_dances
from pasdeux.music.frontend import BREAK_DB, FLOOR_DB, FPS
from pasdeux.music.structure._tempo_runs import bar_log_tempo, tempo_runs

# The tunables (sections, phrases, hits, stops, the final chord) are ListenParams' fields.


@dataclass
class _Run:
    first_bar: int  # index into bar_starts
    n_bars: int
    meter: int


def find_sections(
    beats: NDArray[np.float64],
    meters: NDArray[np.int64],
    bar_starts: list[int],
    duration: float,
    energy: EnergyCurve,
    styles: Sequence[DanceStyle],
    texture_changes: Sequence[int] = (),
    rhythm_of: Callable[[int, float, float], RhythmProfile | None] | None = None,
    *,
    params: ListenParams,
) -> tuple[Section, ...]:
    """The song's sections: runs of bars with one meter and one tempo (steady or a ramp),
    split again where the texture changes.

    Parameters
    ----------
    beats, meters
        Beat times and each beat's bar meter.
    bar_starts
        Indices into ``beats`` of the downbeats (bar ``k`` starts at ``bar_starts[k]``).
    duration
        Length of the song (s); the last section ends there, the first starts at 0.
    energy
        The energy curve (for each section's mean level).
    styles
        Dance styles to pick each section's dance from.
    texture_changes
        Bar indices where the texture changes strongly
        (:func:`pasdeux.music.structure._novelty.texture_changes`, intro excluded); a change closer
        than 4 bars to another section boundary is dropped.
    rhythm_of
        ``rhythm_of(meter, start_s, end_s)``: the rhythm profile of a stretch of the song
        (:func:`pasdeux.music.fit.rhythm_profile`), so that each section's dance is
        ranked on its own rhythmic character; None ranks on meter and tempo alone.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    tuple of Section
        Covering ``[0, duration]``; inner boundaries on downbeats.
    """
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
    runs = _merge_short(runs, bar_ibi, params=params)
    log_tempo = bar_log_tempo(beats, bar_starts)
    runs = [piece for run in runs for piece in _split_on_tempo(run, log_tempo, params=params)]
    runs = _split_on_texture(runs, texture_changes, params=params)

    sections = []
    for r, run in enumerate(runs):
        start = 0.0 if r == 0 else float(beats[bar_starts[run.first_bar]])
        end = float(beats[bar_starts[runs[r + 1].first_bar]]) if r + 1 < len(runs) else duration
        ibis = np.concatenate(bar_ibi[run.first_bar : run.first_bar + run.n_bars])
        bpm = round(60.0 / float(np.median(ibis)), 2)
        profile = rhythm_of(run.meter, start, end) if rhythm_of is not None else None
        fits = rank_dances(run.meter, bpm, styles, profile, params.fit)
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


def _split_on_tempo(
    run: _Run, log_tempo: NDArray[np.float64], *, params: ListenParams
) -> list[_Run]:
    """Split a run of bars where its tempo jumps, or where a ramp begins or ends."""
    x = log_tempo[run.first_bar : run.first_bar + run.n_bars]
    edges = tempo_runs(x, params.min_section_bars, params=params)
    return [_Run(run.first_bar + a, b - a, run.meter) for a, b in itertools.pairwise(edges)]


def _split_on_texture(
    runs: list[_Run], changes: Sequence[int], *, params: ListenParams
) -> list[_Run]:
    """Split runs at texture changes at least 4 bars from the runs' edges."""
    out = list(runs)
    for k in sorted(set(changes)):
        for r, run in enumerate(out):
            a, b = run.first_bar, run.first_bar + run.n_bars
            if a + params.min_section_bars <= k <= b - params.min_section_bars:
                out[r : r + 1] = [_Run(a, k - a, run.meter), _Run(k, b - k, run.meter)]
                break
    return out


def _merge_short(
    runs: list[_Run], bar_ibi: list[NDArray[np.float64]], *, params: ListenParams
) -> list[_Run]:
    """Merge runs shorter than 4 bars into a neighbour (same meter, else closer tempo)."""
    runs = list(runs)

    def tempo(run: _Run) -> float:
        return float(np.median(np.concatenate(bar_ibi[run.first_bar : run.first_bar + run.n_bars])))

    def time_len(run: _Run) -> float:
        return float(sum(np.sum(x) for x in bar_ibi[run.first_bar : run.first_bar + run.n_bars]))

    while len(runs) > 1:
        short = [k for k, r in enumerate(runs) if r.n_bars < params.min_section_bars]
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
    # neighbours that ended up with the same meter become one run (the tempo splits it later)
    out: list[_Run] = []
    for run in runs:
        if out and out[-1].meter == run.meter:
            prev = out[-1]
            out[-1] = _Run(prev.first_bar, prev.n_bars + run.n_bars, prev.meter)
            continue
        out.append(run)
    return out


def find_phrases(
    music: MusicMap,
    arrival: float | None = None,
    evidence: NDArray[np.float64] | None = None,
    *,
    params: ListenParams,
) -> tuple[Phrase, ...]:
    """Phrases: groups of 8 bars (4, 12 or 16 when the song clearly phrases so), restarting at
    each section start and where the band arrives after an intro.

    Parameters
    ----------
    music
        The song's map (bars and sections).
    arrival
        Downbeat (s) where the band comes in after an intro
        (:func:`pasdeux.music.structure._novelty.arrival`), or ``None``. The intro's bars are
        grouped backwards from it (a 12-bar intro is 4 + 8 bars), so that its last phrase ends where
        the band comes in.
    evidence
        How strongly the texture changes at the start of each bar (``>= 0``; bar ``k`` of
        ``music.bars``); when it marks a clear phrase grid, it sets the phrase length and,
        without an intro, where the first full phrase starts (the bars before it are a
        lead-in phrase).
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    tuple of Phrase
        Covering every bar, in order.
    """
    bars = music.bars
    if not bars:
        return ()
    starts = np.array([bar.start for bar in bars])

    def bar_at(t: float) -> int | None:
        k = int(np.argmin(np.abs(starts - t)))
        return k if abs(float(starts[k]) - t) < 1e-3 else None

    anchors = {0} | {k for s in music.sections[1:] if (k := bar_at(s.start)) is not None}
    intro_end = bar_at(arrival) if arrival is not None else None
    if intro_end is not None and intro_end > 0:
        anchors.add(intro_end)
    edges = [*sorted(anchors), len(bars)]
    e = np.zeros(len(bars))
    if evidence is not None:
        m = min(len(bars), int(np.asarray(evidence).size))
        e[:m] = np.maximum(np.asarray(evidence, dtype=float)[:m], 0.0)
    period, lead_in = _phrase_grid(e, edges, with_intro=intro_end is not None, params=params)

    phrases = []
    for a, b in itertools.pairwise(edges):
        if a == 0 and b == intro_end:
            cuts = [*range(b, a, -period), a][::-1]  # backwards from the arrival
        elif a == 0 and lead_in:
            cuts = [a, *range(a + lead_in, b, period), b]
        else:
            cuts = [*range(a, b, period), b]
        for first, last in itertools.pairwise(cuts):
            phrases.append(
                Phrase(
                    first_bar=bars[first].index,
                    n_bars=last - first,
                    start=bars[first].start,
                    end=bars[last - 1].end,
                )
            )
    return tuple(phrases)


def _phrase_grid(
    e: NDArray[np.float64], edges: list[int], *, with_intro: bool, params: ListenParams
) -> tuple[int, int]:
    """Phrase length (4, 8, 12 or 16 bars) and lead-in bars before the first full phrase.

    ``e`` is the texture change at each bar, ``edges`` the bars where phrases restart
    (section starts, the arrival) and the end. A length or a lead-in other than the usual
    8 and 0 is taken only when the changes clearly mark it: at least twice, a mean change
    of 6 or more there, and 3 times the change at the other bars (for 16 bars: at the bars
    halfway between; for 4 bars: the bars halfway through 8-bar phrases change as much as
    their starts; for 12 bars: at the other bars that start 4-bar groups).
    """
    n = e.size
    offset = np.zeros(n, dtype=np.int64)
    usable = np.ones(n, dtype=bool)
    usable[:2] = False  # the first and last bars see only part of a window
    usable[max(0, n - 2) :] = False
    for a, b in itertools.pairwise(edges):
        offset[a:b] = np.arange(b - a)
        usable[a] = False  # a restart is a phrase start by definition
        if a > 0:
            usable[a - 1] = False  # a section change spills onto the bars beside it
        if a + 1 < n:
            usable[a + 1] = False

    def clear(on: NDArray[np.bool_], off: NDArray[np.bool_]) -> float | None:
        """Mean change at ``on`` bars if it clearly beats ``off`` bars, else None."""
        on, off = on & usable, off & usable
        if np.count_nonzero(on) < 2:
            return None
        level = float(e[on].mean())
        rest = float(e[off].mean()) if np.any(off) else 0.0
        return (
            level
            if level >= params.phrase_evidence and level >= params.phrase_contrast * rest
            else None
        )

    period = params.phrase_bars
    every4 = clear(offset % 8 == 0, offset % 4 != 0)
    half4 = clear(offset % 8 == 4, offset % 4 != 0)
    every16 = clear(offset % 16 == 0, offset % 16 == 8)
    # the 12-bar blues chorus (swing, jive): changes every 12 bars, not at the 4s between
    every12 = clear(offset % 12 == 0, (offset % 4 == 0) & (offset % 12 != 0))
    if every4 is not None and half4 is not None and half4 >= 0.75 * every4:
        period = 4
    elif every16 is not None:
        period = 16
    elif every12 is not None:
        period = 12
    lead_in = 0
    if not with_intro:
        first = np.arange(n) < edges[1]
        scores = {
            phase: clear(first & (offset % period == phase), first & (offset % period != phase))
            for phase in range(1, period)
        }
        found = {p: v for p, v in scores.items() if v is not None}
        if found:
            phase = max(found, key=lambda p: found[p])
            at_start = first & (offset % period == 0) & usable
            base = float(e[at_start].mean()) if np.any(at_start) else 0.0
            if found[phase] >= base + params.phrase_evidence / 2:
                lead_in = phase
    return period, lead_in


def _mean_db(energy: EnergyCurve, start: float, end: float) -> float:
    v = np.asarray(energy.values_db)
    a = int(start / energy.hop_s)
    b = max(a + 1, math.ceil(end / energy.hop_s))
    seg = v[a:b]
    return float(seg.mean()) if seg.size else FLOOR_DB


def find_accents(
    music: MusicMap,
    flux: NDArray[np.float64],
    final: Accent | None,
    beat_act: NDArray[np.float64] | None = None,
    *,
    params: ListenParams,
) -> tuple[Accent, ...]:
    """Breaks, hits (at most one a bar) and the final chord, in time order.

    Parameters
    ----------
    music
        The song's map (beats, bars, energy curve).
    flux
        Onset envelope at 100 fps.
    final
        The final chord (:func:`final_chord`), if any.
    beat_act
        Beat activation at 100 fps; when given, a stop also needs the beat to fade.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    tuple of Accent
    """
    spans = _silences(music, params=params) + _stops(music, flux, beat_act, params=params)
    breaks = _break_accents(music, spans)
    hits = _hits(music, flux, params=params)
    lead_hits = _hits_before(music, flux, breaks, params=params)
    downbeats = np.asarray(music.downbeats)

    def bar_of(t: float) -> int:
        return int(np.searchsorted(downbeats, t + 0.05, side="right")) - 1

    taken = {bar_of(h.time) for h in lead_hits}
    accents = breaks + lead_hits + [h for h in hits if bar_of(h.time) not in taken]
    if final is not None:
        accents = [a for a in accents if abs(a.time - final.time) > 0.25] + [final]
    return tuple(sorted(accents, key=lambda a: (a.time, a.kind)))


def _silences(music: MusicMap, *, params: ListenParams) -> list[tuple[float, float]]:
    """Near-silent stretches (below -35 dB) between the first and the last music."""
    db = np.asarray(music.energy.values_db)
    hop = music.energy.hop_s
    loud = np.nonzero(db >= params.music_level_db)[0]
    if loud.size == 0:
        return []
    quiet = db < BREAK_DB
    quiet[: loud[0]] = False
    quiet[loud[-1] + 1 :] = False
    out = []
    k = 0
    while k < quiet.size:
        if not quiet[k]:
            k += 1
            continue
        j = k
        while j + 1 < quiet.size and quiet[j + 1]:
            j += 1
        out.append((k * hop, (j + 1) * hop))
        k = j + 1
    return out


@dataclass(frozen=True)
class _Grid:
    """The beats with their bars, and the onsets on and between them."""

    beats: NDArray[np.float64]
    bar: NDArray[np.int64]  # bar of each beat (-1 before the first downbeat)
    pos: NDArray[np.int64]  # 0-based place in the bar
    bar_first: NDArray[np.int64]  # index of each bar's downbeat
    on: NDArray[np.float64]  # strongest onset near each beat (to a quarter beat after)
    off: NDArray[np.float64]  # strongest onset between it and the next beat

    @property
    def span(self) -> NDArray[np.float64]:
        """Strongest onset over each beat's whole span."""
        return np.maximum(self.on, self.off)

    def same_place(self, i: int, lags: Sequence[int]) -> list[int]:
        """Beats at beat ``i``'s place in the bars ``lags`` away."""
        k, p = int(self.bar[i]), int(self.pos[i])
        out = []
        for lag in lags:
            if k < 0 or not 0 <= k + lag < self.bar_first.size:
                continue
            j = int(self.bar_first[k + lag]) + p
            if j < self.on.size and self.bar[j] == k + lag:
                out.append(j)
        return out


def _grid(music: MusicMap, x: NDArray[np.float64]) -> _Grid:
    """Onsets of ``x`` (100 fps) on each beat (but the last) and between beats."""
    beats = np.asarray(music.beats, dtype=float)
    n = max(0, beats.size - 1)
    first = np.array([i for i, p in enumerate(music.beat_in_bar) if p == 1], dtype=np.int64)
    bar = np.searchsorted(first, np.arange(beats.size), side="right") - 1
    pos = np.array([i - int(first[k]) if k >= 0 else -1 for i, k in enumerate(bar)], dtype=np.int64)
    on = np.zeros(n)
    off = np.zeros(n)
    if x.size:
        for i in range(n):
            ibi = float(beats[i + 1] - beats[i])
            a = round((beats[i] - 0.03) * FPS)
            m = round((beats[i] + 0.25 * ibi) * FPS)
            b = round((beats[i + 1] - 0.03) * FPS)
            a, m, b = (min(max(v, 0), x.size) for v in (a, m, b))
            on[i] = float(x[a:m].max()) if m > a else 0.0
            off[i] = float(x[m:b].max()) if b > m else 0.0
    return _Grid(beats, bar[:n], pos[:n], first, on, off)


def _stops(
    music: MusicMap,
    flux: NDArray[np.float64],
    beat_act: NDArray[np.float64] | None,
    *,
    params: ListenParams,
) -> list[tuple[float, float]]:
    """Stops of the band: beats without any onset (and, with ``beat_act``, without a felt
    beat) after beats that had them, where the bars around have them too; a held note may
    ring through. Each stop runs from its first silent beat to the next beat with an onset."""
    grid = _grid(music, flux)
    onset = grid.span
    n = onset.size
    act = _grid(music, beat_act).span if beat_act is not None and beat_act.size else None
    w = params.stop_context_beats

    def silent(i: int, ref: float, act_ref: float) -> bool:
        around = [float(onset[j]) for j in grid.same_place(i, params.stop_bar_lags)]
        if not around or onset[i] >= params.stop_onset_share * min(ref, float(np.median(around))):
            return False
        return act is None or act[i] < params.stop_beat_share * act_ref

    out = []
    i = w // 2  # a stop needs music before it ...
    while i < n:
        ref = float(np.median(onset[max(0, i - w) : i]))
        act_ref = float(np.median(act[max(0, i - w) : i])) if act is not None else 0.0
        if ref <= 0 or not silent(i, ref, act_ref):
            i += 1
            continue
        j = i
        while j + 1 < n and silent(j + 1, ref, act_ref):
            j += 1
        if j + 1 < n:  # ... and after it
            out.append((float(grid.beats[i]), float(grid.beats[j + 1])))
        i = j + 1
    return out


def _break_accents(music: MusicMap, spans: list[tuple[float, float]]) -> list[Accent]:
    """Merge overlapping gaps; those lasting a beat or more are breaks."""
    out: list[Accent] = []
    tm = music.tempo_map
    merged: list[list[float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 0.1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        beat_s = 60.0 / float(tm.bpm_at_seconds([start])[0])
        length_beats = (end - start) / beat_s
        if length_beats >= 1.0 - 1e-6:
            out.append(
                Accent(
                    time=round(start, 3),
                    kind="break",
                    strength=round(min(1.0, length_beats / 4.0), 3),
                    duration=round(end - start, 3),
                )
            )
    return out


def _hits_before(
    music: MusicMap, flux: NDArray[np.float64], breaks: list[Accent], *, params: ListenParams
) -> list[Accent]:
    """The hit a break follows: the strongest onset of the beat before it, unless that onset
    is clearly weaker than the beats before it usually are."""
    grid = _grid(music, flux)
    onset = grid.span
    out = []
    for brk in breaks:
        i = int(np.searchsorted(grid.beats, brk.time - 0.05)) - 1  # the beat before the break
        if i < 1 or i >= onset.size:
            continue
        ref = float(np.median(onset[max(0, i - params.stop_context_beats) : i]))
        if ref <= 0 or onset[i] < params.lead_hit_share * ref:
            continue
        a = max(0, round((grid.beats[i] - 0.05) * FPS))
        b = min(flux.size, round((brk.time - 0.03) * FPS))
        if b <= a:
            continue
        t = (a + int(np.argmax(flux[a:b]))) / FPS
        ratio = float(onset[i]) / ref
        out.append(Accent(time=round(t, 3), kind="hit", strength=round(min(1.0, ratio / 2), 3)))
    return out


def _hits(music: MusicMap, flux: NDArray[np.float64], *, params: ListenParams) -> list[Accent]:
    """Accented onsets: much stronger than the same place (on a beat or between beats) in
    the bars around, and among the strongest onsets nearby; at most one (the strongest) a
    bar, none in the first bar."""
    grid = _grid(music, flux)
    n = grid.on.size
    if n < 8:
        return []
    both = np.concatenate([grid.on, grid.off])
    if float(both.max()) <= 0:
        return []
    best: dict[int, tuple[int, bool, float]] = {}
    w = params.hit_context_beats
    for i in range(n):
        k = int(grid.bar[i])
        others = grid.same_place(i, params.hit_bar_lags)
        if k < 1 or not others:
            continue
        lo, hi = max(0, i - w), i + w + 1
        nearby = np.concatenate([grid.on[lo:hi], grid.off[lo:hi]])
        loud = params.hit_above_local * float(np.percentile(nearby, params.hit_local_percentile))
        for on_beat, values in ((True, grid.on), (False, grid.off)):
            value = float(values[i])
            ratio = value / max(float(np.median(values[others])), 1e-9)
            if (
                value >= loud
                and ratio >= params.hit_ratio
                and (k not in best or ratio > best[k][2])
            ):
                best[k] = (i, on_beat, ratio)
    out = []
    for i, on_beat, ratio in best.values():
        ibi = float(grid.beats[i + 1] - grid.beats[i])
        a = (
            round((grid.beats[i] - 0.03) * FPS)
            if on_beat
            else round((grid.beats[i] + 0.25 * ibi) * FPS)
        )
        b = (
            round((grid.beats[i] + 0.25 * ibi) * FPS)
            if on_beat
            else round((grid.beats[i + 1] - 0.03) * FPS)
        )
        a, b = max(a, 0), min(max(b, a + 1), flux.size)
        t = (a + int(np.argmax(flux[a:b]))) / FPS if b > a else float(grid.beats[i])
        out.append(
            Accent(time=round(t, 3), kind="hit", strength=round(min(1.0, (ratio - 1.0) / 2.0), 3))
        )
    return out


def final_chord(
    energy: EnergyCurve,
    flux: NDArray[np.float64],
    beat_act: NDArray[np.float64],
    beats: NDArray[np.float64],
    *,
    params: ListenParams,
) -> Accent | None:
    """The last strong onset, when a held chord (sound, no further beat) follows it
    (``params.final_within_s`` of the end at most, held ``params.final_min_hold_s``)."""
    db = np.asarray(energy.values_db)
    hop = energy.hop_s
    sounding = np.nonzero(db >= BREAK_DB)[0]
    peaks, _ = find_peaks(flux, distance=10)
    if peaks.size == 0 or sounding.size == 0:
        return None
    end_t = (sounding[-1] + 1) * hop
    peaks = peaks[peaks / FPS < end_t]
    if peaks.size == 0:
        return None
    strong = peaks[flux[peaks] >= 0.5 * float(np.percentile(flux[peaks], 99))]
    if strong.size == 0:
        return None
    f = int(strong[-1])
    t = f / FPS
    value = float(flux[f])
    hold = end_t - t
    beat_s = float(np.median(np.diff(beats)))
    if t < end_t - params.final_within_s or hold < max(params.final_min_hold_s, beat_s):
        return None
    later = flux[peaks[peaks > f]]
    if later.size and float(later.max()) >= 0.6 * value:
        return None
    # the next few beats, stopping short of the end of the sound (a cut-off reads as a beat)
    until = min(end_t - 0.2, t + 4.0 * beat_s)
    after_beat = beat_act[int((t + 0.6 * beat_s) * FPS) : int(until * FPS) + 1]
    if after_beat.size and float(after_beat.max()) >= params.final_max_beat_act:
        return None  # the beat goes on: not a held chord
    a = math.ceil((t + 0.2) / hop)
    if a >= db.size or db[a] < params.music_level_db:
        return None
    return Accent(time=round(t, 3), kind="final", strength=1.0, duration=round(hold, 3))
