"""Count a song as a dance counts it: half or double time, another meter, the best bar phase.

A dance asked on music whose beat is at the wrong octave for it counts every other beat
(half time: a 176 BPM song as a Rumba is danced at 88) or twice in each beat (double time);
a dance asked on music read in another meter (a Waltz on music read as 4/4) counts the
beats again in its own bars. :func:`count_for` decides how one dance counts one stretch of
music (the octave and meter nearest the dance's tempo range) and :func:`recount` makes the
music map as counted so: new beats, bars, phrases, sections and tempo curve.

Where the new bars start (their phase) is read from what the map holds, beat by beat:
the heard downbeats, the heard phrase starts, the accents (hits and the final chord) and
the loudness rise of the energy curve at each beat. Each kind of evidence is scaled by its
own spread over the section's beats and the phase whose downbeats stand out most wins;
where nothing tells the phases apart, the section's first beat starts a bar.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from pasdeux.dances import DanceStyle, TempoRange
from pasdeux.errors import InputError
from pasdeux.music._types import MusicMap, Phrase, Section
from pasdeux.music.grid._summary import main_meter, section_ibis, tempo_curve

__all__ = ["TEMPO_FACTORS", "CountParams", "Counting", "count_for", "recount"]

#: The octaves a dance may count in: half time, as heard, double time.
TEMPO_FACTORS = (1.0, 0.5, 2.0)
_PHASE_WORDS = {
    "downbeats": "where the heard bars start",
    "phrases": "where the heard phrases start",
    "accents": "on the accents",
    "loudness": "on the beats the music is loudest",
}


@dataclass(frozen=True, kw_only=True)
class CountParams:
    """How a dance counts the music: the tunables of :func:`count_for` and :func:`recount`.

    Costs are natural logs of a tempo ratio (an octave costs ``log 2``).
    """

    #: Re-counting the bars in another meter costs as much as an octave off the range: a
    #: dance danced in two meters (the Slow Dance) keeps the heard meter unless its tempo
    #: there is more than an octave from the range.
    recount_cost: float = math.log(2.0)
    #: A hair of cost for leaving the heard octave, so that it wins a tie.
    octave_cost: float = 1e-3
    #: Weights of the evidence for a bar phase: heard downbeats, heard phrase starts,
    #: accents, loudness rise.
    phase_weight_downbeats: float = 1.0
    phase_weight_phrases: float = 0.5
    phase_weight_accents: float = 0.5
    phase_weight_loudness: float = 1.0
    #: A beat and a heard event this close (in beats) are the same moment.
    same_beat_beats: float = 0.2
    #: Phrases, in bars of the counted meter: restarted at each section, split when longer
    #: than ``max_phrase_bars``.
    phrase_bars: int = 8
    max_phrase_bars: int = 16

    def phase_weights(self) -> dict[str, float]:
        """The weight of each kind of evidence for a bar phase, by kind."""
        return {
            "downbeats": self.phase_weight_downbeats,
            "phrases": self.phase_weight_phrases,
            "accents": self.phase_weight_accents,
            "loudness": self.phase_weight_loudness,
        }


@dataclass(frozen=True)
class Counting:
    """How a dance counts one stretch of music.

    Attributes
    ----------
    heard_meter, heard_bpm
        The stretch as the listening stage heard it.
    tempo_factor
        Danced beats per heard beat: 0.5 half time, 1 as heard, 2 double time.
    meter
        Beats per bar as danced (the heard meter unless re-counted; music in 2 and a dance
        in 4, or the reverse, keep the heard meter: two bars of 2 make one of 4).
    tempo
        The dance's tempo range it is matched to (None for a dance without one).
    """

    heard_meter: int
    heard_bpm: float
    tempo_factor: float
    meter: int
    tempo: TempoRange | None

    @property
    def bpm(self) -> float:
        """The danced tempo, in the dance's beats per minute."""
        return self.heard_bpm * self.tempo_factor

    @property
    def mpm(self) -> float:
        """The danced tempo in bars of the dance a minute."""
        bar = self.tempo.meter if self.tempo is not None else self.meter
        return self.bpm / bar

    @property
    def recounted(self) -> bool:
        """Whether the bars are counted again in another meter."""
        return self.meter != self.heard_meter

    @property
    def changed(self) -> bool:
        """Whether the dance counts the music otherwise than it was heard."""
        return self.recounted or self.tempo_factor != 1.0

    @property
    def off_range_pct(self) -> float:
        """How far the danced tempo lies outside the range, in percent (negative: slower;
        0 inside or without a range)."""
        if self.tempo is None:
            return 0.0
        if self.bpm < self.tempo.bpm_min:
            return -100.0 * (self.tempo.bpm_min / self.bpm - 1.0)
        if self.bpm > self.tempo.bpm_max:
            return 100.0 * (self.bpm / self.tempo.bpm_max - 1.0)
        return 0.0


def count_for(
    style: DanceStyle,
    meter: int,
    bpm: float,
    *,
    keep_meter: bool = False,
    params: CountParams | None = None,
) -> Counting:
    """How ``style`` counts music heard in ``meter`` at ``bpm``: the octave (half time, as
    heard, double time) and meter nearest one of its tempo ranges.

    The distance to a range is the log tempo ratio to its nearer bound (0 inside); a range
    in another meter (not 2 against 4) costs a re-count, as much as an octave; ties keep
    the heard octave.

    Parameters
    ----------
    style
        The dance.
    meter, bpm
        The music as heard (a section or the whole song).
    keep_meter
        Only the ranges danced in the heard meter (or 2 against 4): the octave alone.
    params
        The costs of a re-count and of leaving the heard octave (the defaults when None).

    Returns
    -------
    Counting
        As heard when the dance has no tempo range or the tempo is not positive.
    """
    as_heard = Counting(meter, bpm, 1.0, meter, None)
    params = params or CountParams()
    best: tuple[float, Counting] | None = None
    if bpm <= 0:
        return as_heard
    for rng in style.tempos:
        counted = meter if _same_count(meter, rng.meter) else rng.meter
        if keep_meter and counted != meter:
            continue
        for factor in TEMPO_FACTORS:
            danced = bpm * factor
            cost = max(0.0, math.log(rng.bpm_min / danced), math.log(danced / rng.bpm_max))
            cost += (params.octave_cost if factor != 1.0 else 0.0) + (
                params.recount_cost if counted != meter else 0.0
            )
            if best is None or cost < best[0] - 1e-12:
                best = (cost, Counting(meter, bpm, factor, counted, rng))
    return best[1] if best is not None else as_heard


def _same_count(heard: int, danced: int) -> bool:
    return heard == danced or {heard, danced} == {2, 4}


def recount(
    music: MusicMap,
    *,
    meter: int | Sequence[int] | None = None,
    tempo_factor: float | Sequence[float] = 1.0,
    explain: Callable[[int, float, str], None] | None = None,
    params: CountParams | None = None,
) -> MusicMap:
    """The music counted in another meter and/or at half or double time.

    Parameters
    ----------
    music
        The song as heard.
    meter
        Beats per bar to count in: one for the whole song, or one per section of
        ``music.sections``; None keeps each section's meter.
    tempo_factor
        Counted beats per heard beat (0.5 half time: every other beat; 2 double time: a
        beat between every two), for the song or per section.
    explain
        Called, for each section whose bars are counted anew (another meter, or another
        first beat), with its index, the time of its first bar (s) and why the bars start
        there (e.g. ``"on the beats the music is loudest"``).
    params
        The weights of the evidence for where bars start and the phrase lengths (the
        defaults when None).

    Returns
    -------
    MusicMap
        The same song with beats, beat positions, sections (meter, tempo; inner starts on
        the new downbeats), phrases (the heard ones where they fall on the new downbeats,
        else ``params.phrase_bars`` bars from each section), tempo curve, main meter and
        tempo counted anew; accents, energy and the dance ranking are the heard ones.
        ``music`` itself when nothing changes.

    Raises
    ------
    InputError
        Too few beats to count one bar in the meter asked for.
    ValueError
        A tempo factor other than 0.5, 1 or 2, a meter below 2, or a list whose length is
        not the number of sections.
    """
    params = params or CountParams()
    sections = music.sections
    meters = _per_section(meter, [s.meter for s in sections], "meter")
    factors = _per_section(tempo_factor, [1.0] * len(sections), "tempo_factor")
    if any(float(f) not in TEMPO_FACTORS for f in factors) or any(int(m) < 2 for m in meters):
        raise ValueError(f"tempo factors must be 0.5, 1 or 2 and meters 2 or more: {factors}")
    if all(m == s.meter and f == 1.0 for m, f, s in zip(meters, factors, sections, strict=True)):
        return music
    beats = np.asarray(music.beats, dtype=float)
    heard_pos = np.asarray(music.beat_in_bar, dtype=int)
    evidence = _Evidence.of(music)
    new_beats: list[float] = []
    new_pos: list[int] = []
    new_sections: list[Section] = []
    for n, section in enumerate(sections):
        lo = 0 if n == 0 else int(np.searchsorted(beats, section.start - 1e-6))
        hi = (
            beats.size
            if n + 1 == len(sections)
            else int(np.searchsorted(beats, sections[n + 1].start - 1e-6))
        )
        counted = _counted_beats(beats, heard_pos, lo, hi, float(factors[n]), music.duration_s)
        counted = counted[counted > (new_beats[-1] + 1e-3 if new_beats else -math.inf)]
        bar = int(meters[n])
        phase, why = _best_phase(counted, bar, evidence, params, first_on_one=n > 0)
        positions = (np.arange(counted.size) - phase) % bar + 1
        if explain is not None and counted.size > phase and (bar != section.meter or phase):
            explain(n, float(counted[phase]), why)
        new_beats += [round(float(t), 3) for t in counted]
        new_pos += [int(p) for p in positions]
        start = section.start
        if n > 0 and counted.size > phase:
            start = round(float(counted[phase]), 3)
        bpm = round(section.bpm * float(factors[n]), 2)
        new_sections.append(replace(section, start=start, meter=bar, bpm=bpm))
    if 1 not in new_pos or len(new_pos) < 2:
        raise InputError(
            music.source,
            f"too few beats ({len(music.beats)}) to count a bar of {max(meters):.0f} beats",
        )
    new_sections = [
        replace(s, end=new_sections[k + 1].start if k + 1 < len(new_sections) else s.end)
        for k, s in enumerate(new_sections)
    ]
    return _assemble(music, new_beats, new_pos, tuple(new_sections), meters, factors, params)


def _per_section(value: object, default: list[int] | list[float], name: str) -> list[float]:
    if value is None:
        return [float(v) for v in default]
    if isinstance(value, (int, float)):
        return [float(value)] * len(default)
    values = [float(v) for v in value]  # type: ignore[attr-defined]
    if len(values) != len(default):
        raise ValueError(f"{name}: {len(values)} values for {len(default)} sections")
    return values


def _counted_beats(
    beats: NDArray[np.float64],
    heard_pos: NDArray[np.int64],
    lo: int,
    hi: int,
    factor: float,
    duration_s: float,
) -> NDArray[np.float64]:
    """The counted beats of heard beats ``lo:hi``: as they are, every other one (the
    parity most heard downbeats have), or with a beat half way to the next."""
    if hi <= lo:
        return np.zeros(0)
    if factor == 1.0:
        return beats[lo:hi].copy()
    if factor == 0.5:
        downs = np.nonzero(heard_pos[lo:hi] == 1)[0]
        parity = int(np.round(np.mean(downs % 2))) if downs.size else 0
        if downs.size and np.mean(downs % 2) == 0.5:
            parity = int(downs[0] % 2)
        return beats[lo + parity : hi : 2].copy()
    out = []
    for j in range(lo, hi):
        out.append(beats[j])
        if j + 1 < beats.size:
            out.append(0.5 * (beats[j] + beats[j + 1]))
        elif j > 0 and beats[j] + 0.5 * (beats[j] - beats[j - 1]) < duration_s:
            out.append(beats[j] + 0.5 * (beats[j] - beats[j - 1]))
    return np.asarray(out, dtype=float)


@dataclass(frozen=True)
class _Evidence:
    """What the map tells about where bars start: times of heard downbeats and phrase
    starts, accents (time, strength), and the loudness curve."""

    downbeats: NDArray[np.float64]
    phrases: NDArray[np.float64]
    accents: NDArray[np.float64]  # (n, 2)
    db: NDArray[np.float64]
    hop_s: float

    @classmethod
    def of(cls, music: MusicMap) -> _Evidence:
        accents = [(a.time, a.strength) for a in music.accents if a.kind in ("hit", "final")]
        return cls(
            downbeats=np.asarray(music.downbeats, dtype=float),
            phrases=np.asarray([p.start for p in music.phrases], dtype=float),
            accents=np.asarray(accents, dtype=float).reshape(-1, 2),
            db=np.asarray(music.energy.values_db, dtype=float),
            hop_s=float(music.energy.hop_s),
        )

    def per_beat(
        self, counted: NDArray[np.float64], same_beat_beats: float
    ) -> dict[str, NDArray[np.float64]]:
        """Each kind of evidence at each counted beat (a heard event within
        ``same_beat_beats`` of a beat is on it)."""
        ibi = np.diff(counted) if counted.size > 1 else np.array([0.5])
        ibi = np.append(ibi, ibi[-1])
        tol = same_beat_beats * ibi

        def near(times: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
            out = np.zeros(counted.size)
            for t, w in zip(times, weights):
                k = int(np.argmin(np.abs(counted - t))) if counted.size else 0
                if counted.size and abs(counted[k] - t) <= tol[k]:
                    out[k] += w
            return out

        rise = np.zeros(counted.size)
        if self.db.size and self.hop_s > 0:
            for k, t in enumerate(counted):
                a = int(t / self.hop_s)
                at = self.db[a : a + 2]
                before = self.db[max(0, int((t - 0.5 * ibi[k]) / self.hop_s)) : a]
                if at.size and before.size:
                    rise[k] = float(at.max() - before.mean())
        return {
            "downbeats": near(self.downbeats, np.ones(self.downbeats.size)),
            "phrases": near(self.phrases, np.ones(self.phrases.size)),
            "accents": near(self.accents[:, 0], self.accents[:, 1]),
            "loudness": rise,
        }


def _best_phase(
    counted: NDArray[np.float64],
    meter: int,
    evidence: _Evidence,
    params: CountParams,
    *,
    first_on_one: bool,
) -> tuple[int, str]:
    """Which of the first ``meter`` counted beats starts a bar, and why.

    Each kind of evidence is scaled by its spread over the beats; a phase scores the sum,
    over the kinds, of the weighted mean on its downbeats minus that on the other beats.
    Without evidence the first beat starts a bar, and of phases the evidence cannot tell
    apart the earliest; ``first_on_one`` (an inner section, which the listening stage
    starts on a heard downbeat) adds a hair for the first beat.
    """
    if counted.size < 2 * meter:
        return 0, "from the section's first beat (too few beats to tell)"
    per_beat = evidence.per_beat(counted, params.same_beat_beats)
    weights = params.phase_weights()
    index = np.arange(counted.size)
    scores = np.zeros((meter, len(per_beat)))
    for j, (kind, x) in enumerate(per_beat.items()):
        spread = float(np.std(x))
        if spread < 1e-9:
            continue
        z = x / spread
        for p in range(meter):
            on = (index - p) % meter == 0
            scores[p, j] = weights[kind] * float(z[on].mean() - z[~on].mean())
    total = scores.sum(axis=1)
    total[0] += 1e-3 if first_on_one else 0.0
    if not np.any(scores):
        return 0, "from the section's first beat (nothing tells the bar's first beat)"
    phase = int(np.argmax(total))
    tied = np.nonzero(total >= total[phase] - 1e-2)[0]
    if tied.size > 1:  # the earliest of the phases the evidence cannot tell apart
        return int(tied[0]), "from the first beat the evidence cannot tell from another"
    runner_up = int(np.argsort(total)[-2])
    margin = scores[phase] - scores[runner_up]
    kind = list(per_beat)[int(np.argmax(margin))]
    return phase, _PHASE_WORDS[kind]


def _assemble(
    music: MusicMap,
    beats: list[float],
    positions: list[int],
    sections: tuple[Section, ...],
    meters: Sequence[float],
    factors: Sequence[float],
    params: CountParams,
) -> MusicMap:
    """The counted map: beats, sections, then the tempo, meter and phrases from them."""
    t = np.asarray(beats, dtype=float)
    main = main_meter(sections)
    ibis = section_ibis(t, [s for s in sections if s.meter == main])
    bpm = round(60.0 / float(np.median(ibis)), 2) if ibis.size else music.bpm
    draft = replace(
        music,
        beats=tuple(beats),
        beat_in_bar=tuple(positions),
        meter=main,
        bpm=bpm,
        mpm=round(bpm / main, 2),
        tempo_curve=tempo_curve(t) if t.size > 1 else music.tempo_curve,
        sections=sections,
        phrases=(),
    )
    kept_heard = [
        m == s.meter for m, s in zip(meters, music.sections, strict=True)
    ]  # heard phrases mean something only where the meter is kept
    return replace(draft, phrases=_phrases(draft, music.phrases, kept_heard, params))


def _phrases(
    music: MusicMap, heard: Sequence[Phrase], kept_heard: Sequence[bool], params: CountParams
) -> tuple[Phrase, ...]:
    """Phrases of the counted bars: starting at each section's first bar and at every heard
    phrase start that falls on a counted downbeat (where the section kept its meter);
    longer than ``params.max_phrase_bars`` or where the meter was counted anew,
    ``params.phrase_bars`` bars each."""
    bars = music.bars
    if not bars:
        return ()
    starts = np.array([b.start for b in bars])
    anchors = {0}
    for n, section in enumerate(music.sections):
        inside = np.nonzero((starts >= section.start - 1e-3) & (starts < section.end - 1e-3))[0]
        if not inside.size:
            continue
        anchors.add(int(inside[0]))
        if not kept_heard[n]:
            continue
        for p in heard:
            k = int(np.argmin(np.abs(starts - p.start)))
            if k in inside and abs(starts[k] - p.start) < 0.05:
                anchors.add(k)
    edges = [*sorted(anchors), len(bars)]
    cuts: list[int] = []
    fresh = {k for k in anchors if not _kept(music, starts[k], kept_heard)}
    for a, b in itertools.pairwise(edges):
        # bars counted anew, or a heard phrase too long: phrases of params.phrase_bars
        too_long = b - a > params.max_phrase_bars
        step = params.phrase_bars if too_long or a in fresh else b - a
        cuts += list(range(a, b, step))
    cuts.append(len(bars))
    return tuple(
        Phrase(first_bar=bars[a].index, n_bars=b - a, start=bars[a].start, end=bars[b - 1].end)
        for a, b in itertools.pairwise(cuts)
    )


def _kept(music: MusicMap, t: float, kept_heard: Sequence[bool]) -> bool:
    """Whether the section at time ``t`` kept its heard meter."""
    n = max(0, sum(1 for s in music.sections if s.start <= t + 1e-3) - 1)
    return bool(kept_heard[n])
