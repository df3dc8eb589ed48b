"""Tests of the pulse and meter: the level the beat is counted at, 2/4, 6/8, tempo changes,
the bar Viterbi and the dances' tempo prior.

The songs are made in numpy from the instruments of ``synth.py``: a 2/4 march with an
oom-pah bass, a 6/8 ballad, a fast swing band (kick on 1 and 3, snare on 2 and 4, ride and
walking bass on every beat), a rumba-like groove at 100 BPM and a pop groove speeding up
from 90 to 110 BPM.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import mir_eval
import numpy as np
import pytest
from numpy.typing import NDArray

from _styles import bare_style
from pasdeux.errors import InputError
from pasdeux.music import ListenParams, MusicMap, listen
from pasdeux.music.frontend import FPS, Onsets, pitch_change
from pasdeux.music.frontend._onsets import onsets
from pasdeux.music.grid import find_bars
from pasdeux.music.grid._meter import (
    _flat_half_bars,
    bar_viterbi,
    bass_alternation,
    harmonic_change,
    harmony_clarity,
    is_compound,
    local_harmony_clarity,
    period_evidence,
    repetition_evidence,
)
from pasdeux.music.grid._pulse import check_danceable, choose_level, pulse_clarity
from pasdeux.music.grid._tempo_prior import COMPETITION_TEMPOS, TempoPrior, default_prior
from synth import SR, Mix, Song, bar_positions, beat_times, hat, hz, kick, snare, tone

_CHORDS = ((48, 52, 55), (43, 47, 50), (45, 48, 52), (41, 45, 48))  # C G Am F

PARAMS = ListenParams()


# --------------------------------------------------------------------------- synthesis

# The snares here have darker wires than synth's default (noise differenced once, not
# twice): with the brighter hiss, the 6/8 ballad and the fast swing are counted at the
# wrong level.


def _grid(bpm_start: float, bpm_end: float, n_beats: int) -> NDArray[np.float64]:
    """Beat times from 0.5 s, the tempo moving linearly (in BPM) from start to end."""
    return beat_times(np.linspace(bpm_start, bpm_end, n_beats)[:-1], 0.5)


def march(bpm: float, bars: int, seed: int = 1) -> Song:
    """2/4 march: tuba root on 1 and fifth on 2, kick on both (1 louder), snare on the
    beats, chord stabs on the off-beats, a chord every two bars, a cymbal every 8 bars."""
    beats = _grid(bpm, bpm, 2 * bars)
    ibi = 60.0 / bpm
    mix = Mix(beats[-1] + 2.0, SR, seed)
    for k in range(bars):
        chord = _CHORDS[(k // 2) % 4]
        root = chord[0] - 12
        for j, note in enumerate((root, root + 7)):
            t = float(beats[2 * k + j])
            mix.add(t, kick(SR, 1.0 if j == 0 else 0.75, rng=mix.rng))
            mix.add(t, tone(SR, (note,), ibi * 0.6, 0.6, ibi * 0.5, 6))
            mix.add(t, snare(SR, mix.rng, 0.35 if j == 0 else 0.25, wire_differences=1))
            stab = tuple(n + 12 for n in chord)
            mix.add(t + 0.5 * ibi, tone(SR, stab, ibi * 0.3, 0.3, ibi * 0.2, 3))
            mix.add(t + 0.5 * ibi, hat(SR, mix.rng, 0.06, length_s=0.08))
        if k % 8 == 0:
            mix.add(float(beats[2 * k]), hat(SR, mix.rng, 0.2, decay_s=0.5, length_s=1.2))
    return Song(mix.samples(), beats, bar_positions(beats.size, 2))


def six_eight(dotted_bpm: float, bars: int, seed: int = 2) -> Song:
    """6/8 ballad, two dotted-quarter beats a bar: kick and bass root on 1, side stick and
    bass fifth on 4, a soft piano arpeggio and hi-hat on every eighth, a pad chord a bar."""
    beats = _grid(dotted_bpm, dotted_bpm, 2 * bars)
    ibi = 60.0 / dotted_bpm
    eighth = ibi / 3
    mix = Mix(beats[-1] + 2.0, SR, seed)
    for k in range(bars):
        chord = _CHORDS[k % 4]
        up = (chord[0] + 12, chord[1] + 12, chord[2] + 12)
        arp = (*up, chord[0] + 24, up[2], up[1])
        one, four = float(beats[2 * k]), float(beats[2 * k + 1])
        for e in range(6):
            t = one + e * eighth
            mix.add(
                t, tone(SR, (arp[e],), eighth * 0.9, 0.16 if e in (0, 3) else 0.1, eighth * 0.6, 3)
            )
            mix.add(t, hat(SR, mix.rng, 0.05 if e in (0, 3) else 0.025, length_s=0.08))
        mix.add(one, tone(SR, up, 2 * ibi * 0.95, 0.18, 2 * ibi, 3))
        mix.add(one, kick(SR, 1.0, rng=mix.rng))
        mix.add(one, tone(SR, (chord[0] - 12,), ibi * 0.9, 0.5, ibi, 6))
        mix.add(four, snare(SR, mix.rng, 0.35, wire_differences=1))
        mix.add(four, tone(SR, (chord[2] - 24,), ibi * 0.9, 0.4, ibi, 6))
    return Song(mix.samples(), beats, bar_positions(beats.size, 2))


def four_four(bpm_start: float, bpm_end: float, bars: int, style: str, seed: int = 3) -> Song:
    """A 4/4 groove, a chord a bar: ``"swing"`` (kick on 1 and 3, snare on 2 and 4, ride and
    walking bass on every beat), ``"rumba"`` (kick on 1, bass on 1, the and of 2 and 4,
    shaker eighths, clave 2-3, conga slap on 2 and open tones on 4 and its and) or
    ``"pop"`` (kick on 1 and 3, snare on 2 and 4, bass and hi-hat in eighths)."""
    beats = _grid(bpm_start, bpm_end, 4 * bars + 1)
    mix = Mix(beats[-1] + 2.0, SR, seed)
    for k in range(bars):
        chord, nxt = _CHORDS[k % 4], _CHORDS[(k + 1) % 4]
        root = chord[0] - 12
        start = float(beats[4 * k])
        ibi = float(beats[4 * k + 4] - beats[4 * k]) / 4

        def at(pos: float, start: float = start, ibi: float = ibi) -> float:
            return start + pos * ibi

        mix.add(at(0), tone(SR, tuple(n + 12 for n in chord), ibi * 3.8, 0.2, ibi * 2, 3))
        if style == "swing":
            walk = (root, root + 4, root + 7, nxt[0] - 13)
            for j in range(4):
                mix.add(at(j), tone(SR, (walk[j],), ibi * 0.9, 0.5, ibi, 6))
                mix.add(at(j), hat(SR, mix.rng, 0.1, decay_s=0.15, length_s=0.4))  # ride
                mix.add(at(j + 2 / 3), hat(SR, mix.rng, 0.04, decay_s=0.05, length_s=0.1))
                mix.add(
                    at(j),
                    kick(SR, 1.0 - 0.1 * j, rng=mix.rng)
                    if j % 2 == 0
                    else snare(SR, mix.rng, 0.7, wire_differences=1),
                )
        elif style == "rumba":
            mix.add(at(0), kick(SR, 1.0, rng=mix.rng))
            for pos, note in ((0.0, root), (1.5, root + 7), (3.0, nxt[0] - 12)):
                mix.add(at(pos), tone(SR, (note,), ibi * 1.4, 0.5, ibi, 6))
            for e in range(8):
                mix.add(at(e / 2), hat(SR, mix.rng, 0.06 if e % 2 == 0 else 0.04, length_s=0.08))
            for pos in (1.0, 2.0) if k % 2 == 0 else (0.0, 1.5, 3.0):
                mix.add(at(pos), tone(SR, (84,), 0.05, 0.25, 0.02, 1))  # clave
            mix.add(at(1), tone(SR, (62,), 0.12, 0.3, 0.05, 2))
            mix.add(at(3), tone(SR, (57,), 0.2, 0.35, 0.1, 2))
            mix.add(at(3.5), tone(SR, (55,), 0.2, 0.3, 0.1, 2))
        else:
            for e in range(8):
                mix.add(at(e / 2), tone(SR, (root,), ibi * 0.45, 0.4 - 0.1 * (e % 2), ibi * 0.4, 6))
                mix.add(at(e / 2), hat(SR, mix.rng, 0.08 - 0.03 * (e % 2), length_s=0.08))
            for j in range(4):
                mix.add(
                    at(j),
                    kick(SR, 1.0 - 0.1 * j, rng=mix.rng)
                    if j % 2 == 0
                    else snare(SR, mix.rng, 0.7, wire_differences=1),
                )
        if k % 8 == 0:
            mix.add(at(0), hat(SR, mix.rng, 0.2, decay_s=0.5, length_s=1.2))
    beats = beats[:-1]
    return Song(mix.samples(), beats, bar_positions(beats.size, 4))


def _f(reference: NDArray[np.float64], estimated: Sequence[float]) -> float:
    ref = mir_eval.beat.trim_beats(reference)
    est = mir_eval.beat.trim_beats(np.asarray(estimated, dtype=float))
    return float(mir_eval.beat.f_measure(ref, est, f_measure_threshold=0.07))


# --------------------------------------------------------------------------- songs


@pytest.fixture(scope="module")
def song_march() -> Song:
    return march(120.0, 20)


@pytest.fixture(scope="module")
def map_march(song_march: Song) -> MusicMap:
    return listen(song_march.samples, SR)


def test_two_four_march_is_in_two(song_march: Song, map_march: MusicMap) -> None:
    m = map_march
    assert m.meter == 2
    assert m.bpm == pytest.approx(120.0, rel=0.04)
    assert m.mpm == pytest.approx(60.0, rel=0.04)
    assert _f(song_march.beats, m.beats) >= 0.9
    assert _f(song_march.downbeats, m.downbeats) >= 0.9  # the root, not the fifth, is 1


def test_six_eight_is_two_dotted_quarter_beats_a_bar() -> None:
    song = six_eight(66.0, 12)
    m = listen(song.samples, SR)
    assert m.meter == 2
    assert m.bpm == pytest.approx(66.0, rel=0.04)  # dotted quarters, not eighths
    assert _f(song.beats, m.beats) >= 0.9
    assert _f(song.downbeats, m.downbeats) >= 0.9


def test_fast_swing_is_counted_at_204_not_102() -> None:
    song = four_four(204.0, 204.0, 20, "swing")
    m = listen(song.samples, SR)
    assert m.bpm == pytest.approx(204.0, rel=0.04)
    assert m.meter == 4
    assert _f(song.beats, m.beats) >= 0.9
    assert _f(song.downbeats, m.downbeats) >= 0.9


def test_rumba_at_100_is_not_doubled() -> None:
    song = four_four(100.0, 100.0, 10, "rumba")
    m = listen(song.samples, SR)
    assert m.bpm == pytest.approx(100.0, rel=0.04)
    assert m.meter == 4
    assert _f(song.beats, m.beats) >= 0.9


def test_accelerando_tempo_curve_rises() -> None:
    song = four_four(90.0, 110.0, 14, "pop")
    m = listen(song.samples, SR)
    assert _f(song.beats, m.beats) >= 0.9
    assert m.meter == 4
    times = np.array([p.time for p in m.tempo_curve])
    bpms = np.array([p.bpm for p in m.tempo_curve])
    inner = (times > song.beats[4]) & (times < song.beats[-5])
    early = float(np.median(bpms[inner][:8]))
    late = float(np.median(bpms[inner][-8:]))
    assert early == pytest.approx(92.0, rel=0.04)
    assert late == pytest.approx(108.0, rel=0.04)
    # rising all along: the curve correlates with time
    assert float(np.corrcoef(times[inner], bpms[inner])[0, 1]) > 0.9


# --------------------------------------------------------------------------- bar Viterbi


def _q(pattern: Sequence[int], strong: float = 0.9, weak: float = 0.1) -> NDArray[np.float64]:
    return np.array([strong if p == 1 else weak for p in pattern])


def test_viterbi_follows_a_change_from_four_to_three() -> None:
    truth = [1, 2, 3, 4] * 6 + [1, 2, 3] * 8
    meters, positions = bar_viterbi(_q(truth), params=PARAMS)
    assert positions.tolist() == truth
    assert meters.tolist() == [4] * 24 + [3] * 24


def test_viterbi_starts_on_a_pickup() -> None:
    truth = [3, 4] + [1, 2, 3, 4] * 8
    meters, positions = bar_viterbi(_q(truth), params=PARAMS)
    assert positions.tolist() == truth
    assert set(meters.tolist()) == {4}


def test_viterbi_meter_evidence_overrides_weak_downbeats() -> None:
    # the network hears no downbeats at all; the rhythm repeats every three beats
    n = 36
    q = np.full(n, 0.3)
    flat = bar_viterbi(q, params=PARAMS)[0]
    evidence = np.zeros((n, 3))
    evidence[:, 1] = 0.5
    meters, positions = bar_viterbi(q, meter_evidence=evidence, params=PARAMS)
    assert set(meters.tolist()) == {3}
    assert set(flat.tolist()) != {3}
    # a downbeat bonus on every third beat from the second places the bar lines
    bonus = np.zeros(n)
    bonus[1::3] = 3.0
    _, positions = bar_viterbi(q, down_bonus=bonus, meter_evidence=evidence, params=PARAMS)
    assert positions[1::3].tolist() == [1] * 12


# --------------------------------------------------------------------------- features


#: Triads (pitch classes) a bar each: C F G Am Dm Em.
_TRIADS = ((0, 4, 7), (5, 9, 0), (7, 11, 2), (9, 0, 4), (2, 5, 9), (4, 7, 11))


def _waltz_hymn(
    bars: int,
    seed: int,
    *,
    bpm: float = 100.0,
    chord: float = 1.0,
    note: float = 0.6,
    downbeat_floor: float = 0.0,
    offbeat: float = 0.3,
) -> tuple[NDArray[np.float64], NDArray[np.float64], Onsets]:
    """A 3/4 hymn as the grid hears it: every beat struck alike (the network hears no
    downbeat: each beat's downbeat share is ``0.15 * (downbeat_floor + U(0, 1))``, the
    onsets are even but for a little noise and ``offbeat`` strikes half way), a melody
    note a beat (``note`` loud), and the chord (``chord`` loud) changing on every bar line.
    Beat activations, beats and onsets."""
    rng = np.random.default_rng(seed)
    ibi = 60.0 / bpm
    beats = np.asarray(0.5 + ibi * np.arange(3 * bars), dtype=np.float64)
    n = int((beats[-1] + 1.0) * FPS)
    act = np.zeros((n, 2))
    bands = 0.05 * rng.random((n, 3))
    chroma = np.full((n, 12), 0.05)
    for i, t in enumerate(beats):
        f, end = round(t * FPS), round((t + ibi) * FPS)
        act[f] = (0.5 + 0.1 * rng.random(), 0.15 * (downbeat_floor + rng.random()))
        bands[f] += 0.6 + 0.4 * rng.random(3)
        if offbeat > 0:
            bands[round((t + ibi / 2) * FPS)] += offbeat * rng.random(3)
        chroma[f:end, list(_TRIADS[(i // 3) % len(_TRIADS)])] += chord
        chroma[f:end, rng.integers(12)] += note
    bass = np.zeros(10, dtype=np.float32)
    return act, beats, Onsets(bands=bands, chroma=chroma, bass=bass, bass_rate=100.0)


def _soft_waltz(
    bars: int, bpm: float, seed: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], Onsets]:
    """A 3/4 hymn with clear chords: see :func:`_waltz_hymn`."""
    return _waltz_hymn(bars, seed, bpm=bpm)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_waltz_with_soft_downbeats_reads_three_from_its_harmony(seed: int) -> None:
    act, beats, onsets = _soft_waltz(24, 100.0, seed)
    meters, positions = find_bars(act, beats, onsets, default_prior(PARAMS), params=PARAMS)
    assert set(meters.tolist()) == {3}
    assert positions[::3].tolist() == [1] * 24  # the bar starts where the chord changes
    # the harmony is what says so: with the chords changing a beat later, so do the bars
    late = Onsets(
        bands=onsets.bands,
        chroma=np.roll(onsets.chroma, round(0.6 * FPS), axis=0),
        bass=onsets.bass,
        bass_rate=onsets.bass_rate,
    )
    meters, positions = find_bars(act, beats, late, default_prior(PARAMS), params=PARAMS)
    assert set(meters.tolist()) == {3}
    assert positions[1::3].tolist() == [1] * 24


def _hymn(
    bars: int, seed: int, chord: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], Onsets]:
    """A 3/4 hymn at 100 BPM whose downbeats the network does not hear (it gives every
    beat the same low downbeat share), a melody note a beat louder than the chords, and
    the chord (``chord`` as loud as the note) changing on every bar line."""
    return _waltz_hymn(bars, seed, chord=chord / 1.5, note=1.0, downbeat_floor=0.5, offbeat=0.0)


@pytest.mark.parametrize("seed", range(10))
def test_flat_accents_and_soft_harmony_changes_every_three_beats_read_three(seed: int) -> None:
    """The network hears every beat as unlikely a downbeat and the chords change every
    three beats under a louder melody: the harmony decides. (When the network's log-odds
    and the harmonic change were taken raw, both mostly below 0, every bar line cost and
    3 of these 10 read as bars of four.)"""
    act, beats, onsets = _hymn(32, seed, 0.7)
    meters, _ = find_bars(act, beats, onsets, default_prior(PARAMS), params=PARAMS)
    assert int(np.bincount(meters).argmax()) == 3


def test_harmonic_change_peaks_on_the_bar_lines_of_a_three_four() -> None:
    _, beats, onsets = _soft_waltz(16, 100.0, 0)
    change = harmonic_change(beats, onsets, PARAMS.harmony_width_beats, params=PARAMS)
    on = change[3::3]
    off = np.delete(change, np.arange(0, beats.size, 3))
    assert float(on.min()) > float(off.max())


def test_a_melody_alone_is_no_harmony_to_place_the_bars_by() -> None:
    """Chords a bar: clear. A note a beat and no chords: its changes mark no bar lines."""
    _, beats, onsets = _soft_waltz(24, 100.0, 0)
    chords = harmonic_change(beats, onsets, 1, params=PARAMS)
    assert harmony_clarity(chords, params=PARAMS) == 1.0
    rng = np.random.default_rng(5)
    chroma = np.full_like(onsets.chroma, 0.05)
    for t in beats:
        f = round(t * FPS)
        chroma[f : f + 60, rng.integers(12)] += 1.0
    tune = Onsets(bands=onsets.bands, chroma=chroma, bass=onsets.bass, bass_rate=onsets.bass_rate)
    melody = harmonic_change(beats, tune, 1, params=PARAMS)
    assert harmony_clarity(melody, params=PARAMS) < 0.6


def test_the_harmony_of_a_medley_is_judged_song_by_song() -> None:
    """Two songs in 3/4 whose bar lines fall at other phases of the beat count: together
    the changes mark no phase, song by song each marks its own."""
    _, beats, onsets = _soft_waltz(32, 100.0, 0)
    one = harmonic_change(beats, onsets, 1, params=PARAMS)
    medley = np.concatenate([one, np.roll(one, 1), np.roll(one, 2)])
    assert harmony_clarity(medley, params=PARAMS) < 0.5
    local = local_harmony_clarity(medley, params=PARAMS)
    assert local.shape == medley.shape
    assert float(np.median(local)) == 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_even_rhythm_is_no_evidence_against_three(seed: int) -> None:
    """Beats struck alike (with a little noise) are as self-similar at lag 3 as at lags 2
    and 4: the period evidence is not biased against 3 (the better of the similarities at
    lags 2 and 4 was, by about 0.02 a beat)."""
    _, beats, onsets = _soft_waltz(24, 100.0, seed)
    evidence = period_evidence(beats, onsets, params=PARAMS)
    assert float(evidence[:, 1].mean() - evidence[:, 2].mean()) > -0.01


def _bare_tune(
    strain: int, repeats: int, seed: int, bpm: float = 108.0
) -> tuple[NDArray[np.float64], NDArray[np.float64], Onsets]:
    """A bare melody as the grid hears it: one note a beat, every beat struck alike (the
    network hears no downbeat), no chords, and the strain of ``strain`` random notes
    played ``repeats`` times (a fife tune's 8-bar strain in 2/4 is 16 beats; a waltz's
    8 bars, 24). Beat activations, beats and onsets."""
    rng = np.random.default_rng(seed)
    ibi = 60.0 / bpm
    notes = rng.integers(12, size=strain)
    beats = np.asarray(0.5 + ibi * np.arange(strain * repeats), dtype=np.float64)
    n = int((beats[-1] + 1.0) * FPS)
    act = np.zeros((n, 2))
    bands = 0.05 * rng.random((n, 3))
    chroma = np.full((n, 12), 0.05)
    for i, t in enumerate(beats):
        f, end = round(t * FPS), round((t + ibi) * FPS)
        act[f] = (0.5 + 0.1 * rng.random(), 0.15 * (0.5 + rng.random()))
        bands[f] += 0.6 + 0.4 * rng.random(3)
        chroma[f:end, notes[i % strain]] += 1.0
    bass = np.zeros(10, dtype=np.float32)
    return act, beats, Onsets(bands=bands, chroma=chroma, bass=bass, bass_rate=100.0)


def _beat_chroma(beats: NDArray[np.float64], onsets: Onsets) -> NDArray[np.float64]:
    rows = [onsets.chroma[round(t * FPS) : round(t * FPS) + 10].mean(axis=0) for t in beats]
    return np.asarray(rows, dtype=np.float64)


@pytest.mark.parametrize(
    ("strain", "repeats", "against"), [(16, 4, True), (32, 2, True), (24, 3, False), (12, 6, False)]
)
def test_a_tune_repeating_after_a_duple_number_of_beats_is_not_in_three(
    strain: int, repeats: int, against: bool
) -> None:
    """A strain of 16 or 32 beats is 8 or 16 bars of 2 or 4, no whole number of bars of 3
    (and played four times it recurs after 48 beats too: no evidence for 3). One of 12 or
    24 beats is 4 or 8 bars of 3, but also 3 or 6 bars of 4: no evidence either way."""
    _, beats, onsets = _bare_tune(strain, repeats, 0)
    evidence = repetition_evidence(_beat_chroma(beats, onsets), params=PARAMS)
    assert evidence[2] == evidence[4] == 0.0
    if against:
        assert evidence[3] < -1.0
    else:
        assert evidence[3] == 0.0


def test_a_tune_too_short_to_repeat_says_nothing() -> None:
    _, beats, onsets = _bare_tune(10, 1, 0)
    assert repetition_evidence(_beat_chroma(beats, onsets), params=PARAMS) == {
        2: 0.0,
        3: 0.0,
        4: 0.0,
    }


@pytest.mark.parametrize("seed", range(10))
def test_a_bare_tune_in_eight_bar_strains_of_two_four_does_not_read_three(seed: int) -> None:
    """Flat accents, no chords, an even rhythm: only how the tune repeats tells its bars.
    (Without it, 7 of these 10 read 3, as a fife tune of the others' compositions did.)"""
    act, beats, onsets = _bare_tune(16, 4, seed)
    meters, _ = find_bars(act, beats, onsets, default_prior(PARAMS), params=PARAMS)
    assert int(np.bincount(meters).argmax()) in {2, 4}


def _chord_tune(
    beats: int, seed: int, *, chord_beats: int, note: float = 1.0, accent: float = 0.0
) -> tuple[NDArray[np.float64], NDArray[np.float64], Onsets]:
    """A tune at 100 BPM: a melody note a beat (``note`` as loud as the chord), a chord
    changing every ``chord_beats`` beats (on every bar line) and the downbeat network's
    share ``0.15 * (0.5 + U(0, 1))`` on every beat, plus ``accent`` on each chord's
    first beat."""
    rng = np.random.default_rng(seed)
    ibi = 0.6
    times = np.asarray(0.5 + ibi * np.arange(beats), dtype=np.float64)
    n = int((times[-1] + 1.0) * FPS)
    act = np.zeros((n, 2))
    bands = 0.05 * rng.random((n, 3))
    chroma = np.full((n, 12), 0.05)
    # a chord another than the one before, at random: no beat of a bar of four is the
    # start of a likelier change than another
    chords = np.cumsum(rng.integers(1, len(_TRIADS), size=beats // chord_beats + 1))
    for i, t in enumerate(times):
        f, end = round(t * FPS), round((t + ibi) * FPS)
        down = accent if i % chord_beats == 0 else 0.0
        act[f] = (0.5 + 0.1 * rng.random(), 0.15 * (0.5 + rng.random()) + down)
        bands[f] += 0.6 + 0.4 * rng.random(3)
        chroma[f:end, list(_TRIADS[chords[i // chord_beats] % len(_TRIADS)])] += 1.0
        chroma[f:end, rng.integers(12)] += note
    bass = np.zeros(10, dtype=np.float32)
    return act, times, Onsets(bands=bands, chroma=chroma, bass=bass, bass_rate=100.0)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("bar", [2, 4])
def test_with_flat_accents_the_bar_is_the_harmony_s_period(seed: int, bar: int) -> None:
    """The network hears no bar accent and no bass alternates (a fife march, a jig read
    in dotted quarters, over chords): the bar is as long as the chord lasts, two beats
    (the chord changes on a 4/4 bar's third beat as on its first) or four."""
    act, beats, onsets = _chord_tune(96, seed, chord_beats=bar)
    meters, positions = find_bars(act, beats, onsets, default_prior(PARAMS), params=PARAMS)
    assert int(np.bincount(meters).argmax()) == bar
    assert positions[::bar].tolist() == [1] * (96 // bar)  # on the chord changes


def test_an_accent_on_one_keeps_a_two_beat_harmony_in_four() -> None:
    """The chord changes every two beats but the network accents every fourth beat."""
    act, beats, onsets = _chord_tune(96, 0, chord_beats=2, accent=0.3)
    act[np.round(beats[2::4] * FPS).astype(int), 1] = 0.02  # beat 3 never sounds like 1
    meters, _ = find_bars(act, beats, onsets, default_prior(PARAMS), params=PARAMS)
    assert int(np.bincount(meters).argmax()) == 4


def test_half_bars_need_both_flat_accents_and_harmony() -> None:
    positions = np.tile([1, 2, 3, 4], 16)
    flat = np.full(positions.size, -0.8)
    level = np.zeros(positions.size)
    on_one = np.where(positions == 1, 1.5, -0.5)
    assert _flat_half_bars(flat, level, positions, PARAMS)
    assert not _flat_half_bars(flat + on_one, level, positions, PARAMS)  # an accent on 1
    assert not _flat_half_bars(flat, on_one, positions, PARAMS)  # the chord changes on 1
    # beat 3 changing chord as often as beat 1: a bar line there too
    both = np.where((positions == 1) | (positions == 3), 1.5, -0.5)
    assert _flat_half_bars(flat, both, positions, PARAMS)


def _synthetic_onsets(
    beats: NDArray[np.float64], between: float, length_s: float, bass: NDArray[np.float32]
) -> Onsets:
    """Band onsets with a click of 1 on every beat and ``between`` half way between."""
    n = math.ceil(length_s * FPS)
    bands = np.zeros((n, 3))
    idx = np.round(beats * FPS).astype(int)
    mids = np.round(0.5 * (beats[1:] + beats[:-1]) * FPS).astype(int)
    bands[idx] = 1.0
    bands[mids] = between
    return Onsets(bands=bands, chroma=np.ones((n, 12)), bass=bass, bass_rate=2450.0)


def _even(n: int, bpm: float, start: float = 0.5) -> NDArray[np.float64]:
    return np.asarray(start + np.arange(n) * 60.0 / bpm, dtype=np.float64)


def _activation(beats: NDArray[np.float64], length_s: float) -> NDArray[np.float64]:
    act = np.zeros(math.ceil(length_s * FPS))
    act[np.round(beats * FPS).astype(int)] = 0.8
    return act


def test_choose_level_doubles_only_with_hits_between_the_beats() -> None:
    beats = _even(48, 102.0)
    act = _activation(beats, 30.0)
    bass = np.zeros(10, dtype=np.float32)
    prior = default_prior(PARAMS)
    backbeat = choose_level(
        beats, act, _synthetic_onsets(beats, 1.0, 30.0, bass), prior, params=PARAMS
    )
    assert backbeat.factor == 2.0
    assert backbeat.beats.size == 2 * beats.size - 1
    eighths = choose_level(
        beats, act, _synthetic_onsets(beats, 0.4, 30.0, bass), prior, params=PARAMS
    )
    assert eighths.factor == 1.0
    # at 130 BPM the double (260) is no beat at all, however strong the hits between
    fast = _even(48, 130.0)
    kept = choose_level(
        fast,
        _activation(fast, 30.0),
        _synthetic_onsets(fast, 1.0, 30.0, bass),
        prior,
        params=PARAMS,
    )
    assert kept.factor == 1.0


def test_flat_onsets_say_nothing_about_the_octave() -> None:
    """A legato melody in running notes strikes the beats, the half beats and the quarter
    beats alike: no evidence for double time, so the tracked level stays (it was doubled
    from 102 to 204 when only the half beats were compared with the beats)."""
    beats = _even(48, 102.0)
    n = math.ceil(30.0 * FPS)
    bands = np.zeros((n, 3))
    gaps = np.diff(beats)
    for k in range(4):
        bands[np.round((beats[:-1] + 0.25 * k * gaps) * FPS).astype(int)] = 1.0
    flat = Onsets(bands=bands, chroma=np.ones((n, 12)), bass=np.zeros(10, np.float32),
                  bass_rate=2450.0)  # fmt: skip
    chosen = choose_level(
        beats, _activation(beats, 30.0), flat, default_prior(PARAMS), params=PARAMS
    )
    assert chosen.factor == 1.0


def _eighths_onsets(
    eighths: NDArray[np.float64], levels: Sequence[float], length_s: float
) -> Onsets:
    """Band onsets striking each eighth at ``levels[k % len(levels)]``."""
    n = math.ceil(length_s * FPS)
    bands = np.zeros((n, 3))
    for k, t in enumerate(eighths):
        bands[round(t * FPS)] = levels[k % len(levels)]
    return Onsets(bands=bands, chroma=np.ones((n, 12)), bass=np.zeros(10, np.float32),
                  bass_rate=2450.0)  # fmt: skip


def test_a_jig_tracked_at_every_second_eighth_is_counted_in_dotted_quarters() -> None:
    """A 6/8 at 120 dotted quarters a minute, its eighths struck alike but the first of each
    three a little harder, tracked at every second eighth (180 BPM): counted at two thirds
    of the tracked tempo, on the struck eighths."""
    eighth = 0.5 / 3
    eighths = np.asarray(0.5 + eighth * np.arange(180), dtype=np.float64)
    tracked = eighths[::2]
    onsets = _eighths_onsets(eighths, (1.0, 0.7, 0.7), 32.0)
    act = _activation(tracked, 32.0)
    chosen = choose_level(tracked, act, onsets, default_prior(PARAMS), params=PARAMS)
    assert chosen.factor == pytest.approx(2.0 / 3.0)
    assert float(np.median(np.diff(chosen.beats))) == pytest.approx(0.5, abs=0.01)
    assert np.allclose(chosen.beats, eighths[::3][: chosen.beats.size], atol=0.011)
    # the audio says so, not only the prior: the grouping in threes scores above the
    # tracked level by more than the prior's difference
    prior = default_prior(PARAMS)
    audio = chosen.scores[2.0 / 3.0] - prior.log_prior(120.0)
    assert audio > 2.0


def test_a_duple_beat_is_not_counted_in_threes() -> None:
    """Eighths struck on the beat and softer half way (any 4/4 with eighths): the
    grouping in threes is no beat."""
    eighths = np.asarray(0.5 + 0.25 * np.arange(120), dtype=np.float64)
    tracked = eighths[::2]
    onsets = _eighths_onsets(eighths, (1.0, 0.5), 32.0)
    chosen = choose_level(
        tracked, _activation(tracked, 32.0), onsets, default_prior(PARAMS), params=PARAMS
    )
    assert chosen.factor == 1.0
    assert chosen.scores[2.0 / 3.0] < chosen.scores[1.0] - 3.0


def _soft_activation(beats: NDArray[np.float64], length_s: float, seed: int) -> NDArray[Any]:
    """A weak activation (peaks of 0.06, as a solo fife gets) over a noisy floor."""
    n = math.ceil(length_s * FPS)
    frames = np.arange(n)
    act = 0.015 + 0.005 * np.random.default_rng(seed).random(n)
    for b in np.round(beats * FPS):
        act += 0.045 * np.exp(-0.5 * ((frames - b) / 2.0) ** 2)
    return act


def test_a_soft_but_regular_pulse_is_a_danceable_beat() -> None:
    beats = _even(50, 100.0)
    act = _soft_activation(beats, 32.0, seed=1)
    assert pulse_clarity(beats, act, params=PARAMS) > 0.5
    check_danceable(beats, act, None, params=PARAMS)  # no peak reaches 0.1, yet it is music


def test_a_weak_irregular_activation_is_still_refused() -> None:
    rng = np.random.default_rng(2)
    beats = _even(50, 100.0)
    onsets_s = np.sort(rng.uniform(0.5, 31.0, 50))  # as many bumps, at random times
    act = _soft_activation(onsets_s, 32.0, seed=3)
    assert pulse_clarity(beats, act, params=PARAMS) < 0.21
    with pytest.raises(InputError, match="no danceable beat"):
        check_danceable(beats, act, None, params=PARAMS)


def test_bass_alternation_hears_an_oom_pah() -> None:
    rate = 2450
    beats = _even(32, 120.0)
    t = np.arange(int(17.0 * rate)) / rate

    def bass_line(notes: Sequence[int]) -> NDArray[np.float32]:
        x = np.zeros(t.size)
        for b, note in zip(beats, notes):
            seg = (t >= b) & (t < b + 0.45)
            x[seg] += np.sin(2 * np.pi * hz(note) * (t[seg] - b))
        return np.asarray(x, dtype=np.float32)

    oompah = [36, 43] * 16  # C2 G2 C2 G2 ...
    held = [36] * 16 + [41] * 16  # C2 for 4 bars, then F2
    walking = [36, 38, 40, 41, 43, 45, 47, 48] * 4
    scores = {}
    for name, notes in (("oompah", oompah), ("held", held), ("walking", walking)):
        feats = _synthetic_onsets(beats, 0.0, 17.0, bass_line(notes))
        scores[name] = bass_alternation(beats, feats)
    assert scores["oompah"] > 0.8
    assert scores["held"] < 0.1
    assert scores["walking"] < 0.1


def test_compound_beat_is_split_in_three() -> None:
    beats = _even(24, 60.0 / 0.9)
    n = math.ceil(23.0 * FPS)
    bands = np.zeros((n, 3))
    for b in beats:
        bands[round(b * FPS)] = 1.0
        for frac, level in ((1 / 3, 0.5), (2 / 3, 0.5)):
            bands[round((b + frac * 0.9) * FPS)] = level
    feats = Onsets(
        bands=bands, chroma=np.ones((n, 12)), bass=np.zeros(1, np.float32), bass_rate=2450.0
    )
    assert is_compound(beats, feats, params=PARAMS)
    swung = bands.copy()
    for b in beats:  # shuffle: only the last third is struck
        swung[round((b + 0.3) * FPS)] = 0.0
    assert not is_compound(
        beats, Onsets(swung, feats.chroma, feats.bass, feats.bass_rate), params=PARAMS
    )


def _legato(onsets: Onsets, beats: NDArray[np.float64], parts: int, seed: int) -> Onsets:
    """``onsets`` with a slurred melody over it: a new pitch class (another than the one
    before, at random) on each of ``parts`` equal parts of every beat, and no onset."""
    rng = np.random.default_rng(seed + 100)
    chroma = onsets.chroma.copy()
    ibi = float(np.median(np.diff(beats)))
    pc = 0
    for t in beats:
        for k in range(parts):
            f, end = round((t + k * ibi / parts) * FPS), round((t + (k + 1) * ibi / parts) * FPS)
            pc = (pc + int(rng.integers(1, 12))) % 12
            chroma[f:end, pc] += 1.0
    return Onsets(onsets.bands, chroma, onsets.bass, onsets.bass_rate)


def test_pitch_change_is_one_where_a_note_replaces_another() -> None:
    chroma = np.zeros((10, 12))
    chroma[:5, 0] = 2.0
    chroma[5:, 7] = 0.5
    change = pitch_change(chroma)
    assert change[5] == pytest.approx(1.0)
    assert np.allclose(np.delete(change, 5), 0.0)  # louder or softer is no change


@pytest.mark.parametrize("seed", range(3))
def test_a_legato_compound_beat_changes_pitch_on_its_thirds(seed: int) -> None:
    """A fife's slurred eighths: onsets only on the beats (nothing at the thirds or half
    way), so only the pitch changes tell 6/8 eighths from 2/4 ones."""
    beats = _even(32, 100.0)
    n = math.ceil(21.0 * FPS)
    bands = np.zeros((n, 3))
    bands[np.round(beats * FPS).astype(int)] = 1.0
    flat = Onsets(bands, np.full((n, 12), 0.05), np.zeros(1, np.float32), 2450.0)
    assert not is_compound(beats, flat, params=PARAMS)
    assert is_compound(beats, _legato(flat, beats, 3, seed), params=PARAMS)
    assert not is_compound(beats, _legato(flat, beats, 2, seed), params=PARAMS)


@pytest.mark.parametrize("seed", range(5))
def test_a_compound_tune_needs_clear_bars_of_three_to_read_nine_eight(seed: int) -> None:
    """Soft chords every three beats under a louder melody: bars of 3 in simple time (a
    3/4 hymn); in compound time (the melody in eighths, three a beat) the same weak
    evidence is not enough for the rare 9/8, and it reads in 2 or 4. Clear chords every
    three beats still read 3 (a slip jig)."""
    act, beats, soft = _chord_tune(96, seed, chord_beats=3, note=2.0)
    prior = default_prior(PARAMS)
    simple, _ = find_bars(act, beats, _legato(soft, beats, 2, seed), prior, params=PARAMS)
    assert int(np.bincount(simple).argmax()) == 3
    compound, _ = find_bars(act, beats, _legato(soft, beats, 3, seed), prior, params=PARAMS)
    assert int(np.bincount(compound).argmax()) in {2, 4}
    act, beats, clear = _chord_tune(96, seed, chord_beats=3, note=0.0)
    slip, _ = find_bars(act, beats, _legato(clear, beats, 3, seed), prior, params=PARAMS)
    assert int(np.bincount(slip).argmax()) == 3


@pytest.mark.parametrize("seed", range(3))
def test_a_slurred_tune_tracked_at_half_time_is_counted_by_its_pitch_changes(seed: int) -> None:
    """A fife tune at 112 BPM tracked at 56: its onsets are flat (slurred notes), so only
    the pitch says whether the points half way between the tracked beats are beats too.
    A new note on each of them doubles the count; notes changing on the tracked beats
    only leave it."""
    rng = np.random.default_rng(seed)
    beats = _even(40, 56.0)
    n = math.ceil(44.0 * FPS)
    act = np.zeros(n)
    act[np.round(beats * FPS).astype(int)] = 0.3
    bands = 0.05 * rng.random((n, 3))
    flat = Onsets(bands, np.full((n, 12), 0.05), np.zeros(1, np.float32), 2450.0)
    prior = default_prior(PARAMS)
    doubled = choose_level(beats, act, _legato(flat, beats, 2, seed), prior, params=PARAMS)
    assert doubled.factor == 2.0
    kept = choose_level(beats, act, _legato(flat, beats, 1, seed), prior, params=PARAMS)
    assert kept.factor == 1.0


def test_onsets_stream_in_blocks_equals_whole(song_march: Song) -> None:
    from pasdeux.music.frontend._onsets import OnsetStream

    x = song_march.samples[: 8 * SR]
    whole = onsets(x, SR)
    stream = OnsetStream(SR)
    for start in range(0, x.size, 10_000):
        stream.push(x[start : start + 10_000])
    parts = stream.result()
    assert np.allclose(parts.bands, whole.bands)
    assert np.allclose(parts.chroma, whole.chroma)
    assert np.allclose(parts.bass, whole.bass)


# --------------------------------------------------------------------------- tempo prior


def test_tempo_prior_counts_the_dances_at_a_tempo() -> None:
    prior = TempoPrior.from_styles(
        [bare_style("Quickstep", (4, 200, 208)), bare_style("Rumba", (4, 100, 108))],
        {"Samba": ((2, 100.0, 104.0),), "Rumba": ((4, 1.0, 2.0),)},
        params=PARAMS,
    )
    assert prior.names() == ["quickstep", "rumba", "samba"]  # the library's Rumba wins
    assert 2.0 < prior.plausibility(102.0) < 2.5  # Rumba and Samba, and the floor
    assert 1.0 < prior.plausibility(204.0) < 1.5
    assert prior.plausibility(150.0) < 0.3
    assert prior.plausibility(300.0) == 0.0
    assert prior.log_prior(300.0) == -math.inf
    assert prior.meter_log_odds(102.0, 2, 4) == pytest.approx(0.0, abs=0.3)
    assert prior.meter_log_odds(204.0, 2, 4) < -2.0
    # just outside a range, the bump falls off smoothly
    assert 0.5 < prior.plausibility(114.0, meter=4) < 1.0


def test_default_prior_knows_the_competition_dances() -> None:
    prior = default_prior(PARAMS)
    assert "paso doble" in prior.names()
    assert set(COMPETITION_TEMPOS) >= {"Paso Doble", "Samba", "Quickstep"}
    assert prior.meter_log_odds(122.0, 2, 4) > prior.meter_log_odds(150.0, 2, 4)


@pytest.mark.parametrize(
    "change",
    [
        {"harmony_width_beats": 0},
        {"pair_harmony_width_beats": 0},
        {"harmony_clarity_beats": 0},
        {"harmony_clear_contrast": 0.0},
        {"compound_neutral": 0.0},
        {"double_neutral": -1.0},
        {"sub_neutral": 0.0},
        {"network_half": 0.0},
        {"prior_floor_spread": 0.0},
        {"prior_shoulder_ratio": 1.0},
        {"tempo_change_ratio": 0.9},
        {"ternary_ratio": 1.0},
        {"downbeat_prior": 1.0},
        {"prior_min_bpm": 300.0},
        {"min_counted_bpm": 250.0},
        {"repetition_window_beats": 0},
        {"repetition_min_pairs": 0},
    ],
)
def test_listen_tunables_out_of_range_are_refused(change: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(change))):
        ListenParams(**change)  # type: ignore[arg-type]
