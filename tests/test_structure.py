"""Tests of the structure step of listening: sections, phrases and accents.

The songs are synthetic band mixes made in numpy with known answers: a drum kit (kick on 1
and 3, snare on 2 and 4, hi-hat eighths), a bass on 1 and 3, loud strummed chords or a soft
pad (C Am F G, a chord a bar), any of them in or out bar by bar, at a tempo that may change
beat by beat.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from pasdeux.music import EnergyCurve, ListenParams, MusicMap, Section, listen
from pasdeux.music.frontend._bands import BandFrames, frame_bands
from pasdeux.music.structure import find_phrases
from pasdeux.music.structure._novelty import bar_features, texture
from pasdeux.music.structure._tempo_runs import tempo_runs
from synth import PROGRESSION, SR, Mix, Song, bar_positions, beat_times, hat, kick, tone

Parts = Callable[[int], Collection[str]]


def band_song(
    n_bars: int,
    parts: Parts,
    bpm: Callable[[int], float] | float = 120.0,
    *,
    meter: int = 4,
    stops: Collection[tuple[int, int]] = (),
    seed: int = 0,
) -> Song:
    """Render a band song.

    ``parts(bar)`` names what plays in a bar (``drums``, ``bass``, ``chords``, ``pad``);
    ``bpm(beat)`` is the tempo of each beat; ``stops`` holds (first beat, beats) during which
    the band stops while the pad and a held chord ring on. The song ends on a held chord.
    """
    n_beats = n_bars * meter
    tempo = bpm if callable(bpm) else (lambda _i: float(bpm))
    beats = beat_times([tempo(i) for i in range(n_beats)], 0.3)
    ibis = np.diff(beats)
    mix = Mix(float(beats[-1]) + 4.0, SR, seed)
    stopped = {b for first, n in stops for b in range(first, first + n)}
    for bar in range(n_bars):
        playing = set(parts(bar))
        chord = PROGRESSION[bar % 4]
        t0 = float(beats[bar * meter])
        bar_s = float(beats[(bar + 1) * meter]) - t0
        if "pad" in playing:
            mix.add(t0, tone(SR, [n + 12 for n in chord], bar_s + 0.05, 0.12, 4 * bar_s, 2))
        for p in range(meter):
            i = bar * meter + p
            t, ibi = float(beats[i]), float(ibis[i])
            if i in stopped:
                continue
            if i + 1 in stopped and i not in stopped:  # the hit before a stop, and a held chord
                mix.add(t, kick(SR, 1.0))
                mix.add(t, hat(SR, mix.rng, 0.5, decay_s=0.08, differences=1))
                length = ibi * (1 + sum(1 for b in range(i + 1, i + 9) if b in stopped))
                mix.add(t, tone(SR, [n + 12 for n in chord], length, 0.25, 2 * length))
                continue
            if "drums" in playing:
                if p % 2 == 0:
                    mix.add(t, kick(SR, 0.9 if p == 0 else 0.7))
                else:
                    mix.add(t, hat(SR, mix.rng, 0.35, decay_s=0.06, differences=1))
                mix.add(t, hat(SR, mix.rng, 0.08, decay_s=0.015, differences=1))
                mix.add(t + 0.5 * ibi, hat(SR, mix.rng, 0.05, decay_s=0.015, differences=1))
            if "bass" in playing and p % 2 == 0:
                mix.add(t, tone(SR, [chord[0] - 12], 2 * ibi * 0.9, 0.45, ibi, 5))
            if "chords" in playing:
                stab = [n + 12 for n in chord] + [chord[0] + 24]
                mix.add(t, tone(SR, stab, ibi * 0.9, 0.5, ibi, 9))
    t = float(beats[-1])
    mix.add(t, kick(SR, 1.0))
    mix.add(t, tone(SR, [36, 48, 52, 55, 60], 3.0, 0.6, 3.0, 4))
    return Song(mix.samples(), beats, bar_positions(n_beats + 1, meter))


def _boundaries(m: MusicMap) -> list[float]:
    return [s.start for s in m.sections[1:]]


def _near(t: float, times: Collection[float], tol: float) -> bool:
    return any(abs(t - u) <= tol for u in times)


# --------------------------------------------------------------------------- sections


def test_texture_change_starts_a_section() -> None:
    song = band_song(28, lambda bar: {"drums", "bass"} if bar < 16 else {"drums", "bass", "chords"})
    m = listen(song.samples, SR)
    assert len(m.sections) == 2, m.sections
    assert abs(_boundaries(m)[0] - float(song.downbeats[16])) < 2.0
    assert m.sections[1].start in m.downbeats
    assert m.sections[1].energy > m.sections[0].energy
    for s in m.sections:
        assert s.meter == 4
        assert s.bpm == pytest.approx(120, rel=0.04)
    # phrases restart at the new section
    assert m.sections[1].start in {p.start for p in m.phrases}


def test_accelerando_stays_one_section() -> None:
    song = band_song(24, lambda _bar: {"drums", "bass", "chords"}, lambda i: 96.0 * 1.3 ** (i / 96))
    m = listen(song.samples, SR)
    assert len(m.sections) == 1, m.sections
    assert 100 < m.sections[0].bpm < 120
    curve = [p.bpm for p in m.tempo_curve]
    assert curve[len(curve) // 2 + 8] > curve[8] * 1.08  # the tempo curve shows the ramp


def test_intro_then_band_first_phrase_starts_at_the_band() -> None:
    song = band_song(20, lambda bar: {"pad"} if bar < 4 else {"drums", "bass", "chords"}, seed=2)
    m = listen(song.samples, SR)
    arrival = float(song.downbeats[4])
    assert len(m.sections) == 1, m.sections  # an intro is no section of its own
    after = [p for p in m.phrases if p.start >= arrival - 0.1]
    assert after and abs(after[0].start - arrival) < 0.1, m.phrases
    assert after[0].n_bars == 8
    assert sum(p.n_bars for p in m.phrases) == len(m.bars)
    assert all(p.end <= arrival + 0.1 for p in m.phrases if p.start < arrival - 0.1)


def test_one_bar_stop_is_a_break_after_a_hit() -> None:
    song = band_song(16, lambda _bar: {"drums", "bass", "chords"}, stops=[(8 * 4, 4)], seed=3)
    m = listen(song.samples, SR)
    stop = float(song.beats[32])
    breaks = [a for a in m.accents if a.kind == "break"]
    assert len(breaks) == 1, m.accents
    assert abs(breaks[0].time - stop) < 0.15
    assert breaks[0].duration == pytest.approx(4 * 0.5, abs=0.2)
    hits = [a.time for a in m.accents if a.kind == "hit"]
    assert _near(float(song.beats[31]), hits, 0.1), m.accents
    assert len(hits) <= len(m.bars)
    assert [s.meter for s in m.sections] == [4]


# --------------------------------------------------------------------------- the parts, no audio


def _log_tempo(bpm: NDArray[np.float64], noise: float, seed: int = 0) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    return np.asarray(np.log(bpm) + rng.normal(0.0, noise, bpm.size), dtype=float)


@pytest.mark.parametrize(
    ("bpm", "noise", "want"),
    [
        (np.full(40, 120.0), 0.02, [0, 40]),  # a live band's jitter
        (np.linspace(90.0, 130.0, 40), 0.005, [0, 40]),  # one accelerando
        (np.linspace(120.0, 126.0, 40), 0.005, [0, 40]),  # a drift of 5 %
        (np.r_[np.full(12, 100.0), np.full(14, 124.0)], 0.005, [0, 12, 26]),  # a jump
        (np.r_[np.full(20, 120.0), np.full(20, 127.0)], 0.005, [0, 40]),  # 6 %: no change
        (
            np.r_[np.full(4, 88.0), np.geomspace(88, 110, 17)[1:], np.full(8, 110.0), [100, 86]],
            0.005,
            [0, 4, 20, 30],  # steady, ramp, steady with a closing ritardando
        ),
        (np.r_[np.linspace(100, 125, 20), np.linspace(125, 100, 20)], 0.005, [0, 20, 40]),
    ],
)
def test_tempo_runs(bpm: NDArray[np.float64], noise: float, want: list[int]) -> None:
    for seed in range(5):
        got = tempo_runs(_log_tempo(bpm, noise, seed), params=ListenParams())
        assert len(got) == len(want), (seed, got)
        assert all(abs(a - b) <= 1 for a, b in zip(got, want)), (seed, got)


def _frames(levels_db: Callable[[int], NDArray[np.float64]], n_bars: int, seed: int = 0) -> Any:
    """Band frames (20 a second, 2-s bars) with each bar's band levels and a little jitter."""
    rng = np.random.default_rng(seed)
    rows = []
    for bar in range(n_bars):
        level = levels_db(bar) + rng.normal(0.0, 1.0, 24)
        rows.append(np.repeat(10 ** (level[None, :] / 10), 40, axis=0))
    return np.vstack(rows), np.arange(n_bars + 1) * 2.0


_BAND = np.linspace(-10.0, -40.0, 24)  # drums and bass: loud lows, soft highs
_CHORDS = np.where((np.arange(24) >= 8) & (np.arange(24) < 16), 15.0, 0.0)


def test_texture_changes_and_arrival() -> None:
    def groove(bar: int) -> NDArray[np.float64]:  # two alternating bars, one texture
        return _BAND + (3.0 if bar % 2 else 0.0) * np.sin(np.arange(24))

    frames, downbeats = _frames(groove, 28)
    tex = texture(frames, 20.0, downbeats, params=ListenParams())
    assert tex.changes == () and tex.arrival is None

    frames, downbeats = _frames(lambda bar: _BAND + (_CHORDS if bar >= 16 else 0.0), 28)
    tex = texture(frames, 20.0, downbeats, params=ListenParams())
    assert tex.changes == (16,) and tex.arrival is None

    pad = np.full(24, -45.0)
    pad[8:14] = -25.0
    frames, downbeats = _frames(lambda bar: pad if bar < 4 else _BAND + _CHORDS, 20)
    tex = texture(frames, 20.0, downbeats, params=ListenParams())
    assert tex.arrival == 4 and tex.changes == ()


def test_band_frames_in_blocks_match_the_whole() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(int(3.3 * 48000)).astype(np.float32)
    whole = frame_bands(x, 48000)
    frames = BandFrames(48000)
    for start in range(0, x.size, 7777):
        frames.push(x[start : start + 7777])
    parts = frames.result()
    assert frames.fps == pytest.approx(20.0)
    assert whole.shape == (x.size // 2400 + 1, 24)
    np.testing.assert_allclose(parts, whole, rtol=1e-4, atol=1e-6)
    bars = bar_features(whole, frames.fps, np.array([0.0, 1.0, 2.0, 3.0]), params=ListenParams())
    assert bars.n_bars == 3
    assert float(bars.level_db.max()) == pytest.approx(0.0)


def _grid_map(n_bars: int, section_bars: Collection[int] = ()) -> MusicMap:
    beats = tuple(0.5 * i for i in range(4 * n_bars + 1))
    pos = tuple(i % 4 + 1 for i in range(len(beats)))
    starts = [0, *sorted(section_bars), n_bars]
    sections = tuple(
        Section(beats[4 * a] if a else 0.0, beats[4 * b], 4, 120.0, "Cha Cha")
        for a, b in itertools.pairwise(starts)
    )
    return MusicMap(
        source="<grid>",
        duration_s=beats[-1] + 0.5,
        beats=beats,
        beat_in_bar=pos,
        meter=4,
        bpm=120.0,
        mpm=30.0,
        tempo_curve=(),
        phrases=(),
        sections=sections,
        accents=(),
        energy=EnergyCurve(0.1, (0.0,)),
        dances=(),
    )


def test_phrases_after_an_intro_and_at_sections() -> None:
    m = _grid_map(30, [18])
    phrases = find_phrases(m, arrival=m.bars[4].start, params=ListenParams())
    assert [(p.first_bar, p.n_bars) for p in phrases] == [(0, 4), (4, 8), (12, 6), (18, 8), (26, 4)]
    # a long intro ends on a full phrase
    phrases = find_phrases(m, arrival=m.bars[12].start, params=ListenParams())
    assert [(p.first_bar, p.n_bars) for p in phrases][:2] == [(0, 4), (4, 8)]
    assert all(p.start == m.bars[p.first_bar].start for p in phrases)


@pytest.mark.parametrize(("every", "want"), [(4, 4), (8, 8), (12, 12), (16, 16), (0, 8)])
def test_phrase_length_follows_the_texture(every: int, want: int) -> None:
    m = _grid_map(64)
    evidence = np.full(64, 1.0)
    if every:
        evidence[::every] = 12.0
    phrases = find_phrases(m, evidence=evidence, params=ListenParams())
    assert phrases[0].n_bars == want
    assert sum(p.n_bars for p in phrases) == 64


def test_lead_in_before_the_phrase_grid() -> None:
    m = _grid_map(40)
    evidence = np.full(40, 1.0)
    evidence[2::8] = 12.0  # phrases start two bars in: a two-bar vamp
    phrases = find_phrases(m, evidence=evidence, params=ListenParams())
    assert [(p.first_bar, p.n_bars) for p in phrases][:3] == [(0, 2), (2, 8), (10, 8)]
