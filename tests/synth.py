"""Synthetic drum-machine audio whose beats are known exactly, for the music tests.

Every sound is a mono float64 numpy array at a sample rate ``sr``; a :class:`Mix` adds
sounds into one buffer at given times and normalises it. :func:`drum_loop` and
:func:`drum_song` render a whole song (kick, snare, hi-hats, bass and chords) and return
it as a :class:`Song` with its true beats and positions in the bar; the arrangements a
single test needs (a march, a band that stops) are built in that test from the same
instruments.

Random sounds (snare wires, cymbals, the kick's click) draw from a
:class:`numpy.random.Generator`, so a seed gives the same samples every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

SR = 44100
"""The sample rate the tests render at (Hz)."""

PROGRESSION: tuple[tuple[int, int, int], ...] = (
    (48, 52, 55),
    (45, 48, 52),
    (41, 45, 48),
    (43, 47, 50),
)
"""C Am F G as MIDI note triads, one a bar: the chords :func:`drum_song` plays."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Song:
    """Synthetic samples with their true beats.

    Attributes
    ----------
    samples : NDArray[np.float32]
        Mono samples, peak below full scale.
    beats : NDArray[np.float64]
        Every beat's time (s).
    beat_in_bar : NDArray[np.int64]
        Each beat's position in its bar, 1 on the downbeats.
    sr : int
        The sample rate of ``samples`` (Hz).
    """

    samples: NDArray[np.float32]
    beats: NDArray[np.float64]
    beat_in_bar: NDArray[np.int64]
    sr: int = SR

    @property
    def downbeats(self) -> NDArray[np.float64]:
        """The times (s) of the beats that start a bar."""
        return np.asarray(self.beats[self.beat_in_bar == 1], dtype=float)

    @property
    def duration_s(self) -> float:
        """The length of ``samples`` (s)."""
        return self.samples.size / self.sr


@dataclass(frozen=True)
class Part:
    """A stretch of a :func:`drum_song`.

    Attributes
    ----------
    bpm : float
        Its tempo (beats a minute).
    meter : int
        Beats a bar.
    bars : int
        How many bars it lasts.
    play : bool
        False for bars of silence (the beats still count).
    """

    bpm: float
    meter: int
    bars: int
    play: bool = True


# --------------------------------------------------------------------------- time


def hz(midi: float) -> float:
    """The frequency (Hz) of a MIDI note number (69 is A4, 440 Hz)."""
    return float(440.0 * 2.0 ** ((midi - 69) / 12))


def times(length_s: float, sr: int = SR) -> NDArray[np.float64]:
    """The sample times (s) of a sound ``length_s`` long, from 0."""
    return np.arange(int(length_s * sr)) / sr


def beat_times(bpms: ArrayLike, start_s: float = 0.0) -> NDArray[np.float64]:
    """Beat times from a tempo per beat.

    Parameters
    ----------
    bpms : array_like
        The tempo (BPM) of each beat: beat ``i`` lasts ``60 / bpms[i]`` s.
    start_s : float
        The time of the first beat (s).

    Returns
    -------
    NDArray[np.float64]
        ``len(bpms) + 1`` times: each beat's start, then the end of the last one.
    """
    ibis = 60.0 / np.asarray(bpms, dtype=float)
    return np.asarray(start_s + np.concatenate([[0.0], np.cumsum(ibis)]), dtype=float)


def bar_positions(n_beats: int, meter: int) -> NDArray[np.int64]:
    """Positions in the bar (1 to ``meter``) of ``n_beats`` beats that start on a downbeat."""
    return np.arange(n_beats, dtype=np.int64) % meter + 1


# --------------------------------------------------------------------------- instruments


def kick(
    sr: int, amp: float = 1.0, *, rng: np.random.Generator | None = None
) -> NDArray[np.float64]:
    """A bass drum, 0.35 s: a sine falling from 140 to 50 Hz in about 30 ms (120 ms decay).

    Parameters
    ----------
    sr : int
        Sample rate (Hz).
    amp : float
        Peak level of the body.
    rng : numpy.random.Generator, optional
        Adds a 2 ms noise click (the beater) drawn from this generator; without it, no
        click.

    Returns
    -------
    NDArray[np.float64]
        The sound.
    """
    t = times(0.35, sr)
    freq = 50.0 + 90.0 * np.exp(-t / 0.03)
    body = np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t / 0.12)
    if rng is not None:
        body = body + rng.standard_normal(t.size) * np.exp(-t / 0.002) * 0.3
    return np.asarray(amp * body, dtype=float)


def hat(
    sr: int,
    rng: np.random.Generator,
    amp: float = 0.1,
    *,
    decay_s: float = 0.02,
    length_s: float | None = None,
    differences: int = 2,
) -> NDArray[np.float64]:
    """A bright noise burst (differenced white noise) with an exponential decay.

    A closed hi-hat at the default decay; a ride (0.15 s) or a crash (0.5 s) with a
    longer one.

    Parameters
    ----------
    sr : int
        Sample rate (Hz).
    rng : numpy.random.Generator
        Source of the noise.
    amp : float
        Level.
    decay_s : float
        Time constant (s) of the decay.
    length_s : float, optional
        Length of the sound (s); by default six time constants, at most 1 s.
    differences : int
        How often the white noise is differenced, each time tilting its spectrum up by
        6 dB an octave: 2 (scaled by 1/2) is a cymbal's hiss, 1 a fuller noise.

    Returns
    -------
    NDArray[np.float64]
        The sound.
    """
    t = times(min(1.0, 6 * decay_s) if length_s is None else length_s, sr)
    bright = rng.standard_normal(t.size)
    for _ in range(differences):
        bright = np.diff(bright, prepend=0.0)
    bright *= 0.5 ** (differences - 1)
    return np.asarray(amp * bright * np.exp(-t / decay_s), dtype=float)


def snare(
    sr: int, rng: np.random.Generator, amp: float = 0.6, *, wire_differences: int = 2
) -> NDArray[np.float64]:
    """A snare drum, 0.25 s: a 190 Hz body (50 ms decay) under noisy wires (60 ms).

    Parameters
    ----------
    sr : int
        Sample rate (Hz).
    rng : numpy.random.Generator
        Source of the wires' noise.
    amp : float
        Level.
    wire_differences : int
        How bright the wires are (see :func:`hat`): 2 a hiss, 1 a fuller, darker noise.

    Returns
    -------
    NDArray[np.float64]
        The sound.
    """
    t = times(0.25, sr)
    body = np.sin(2 * np.pi * 190 * t) * np.exp(-t / 0.05)
    wires = hat(sr, rng, 1.0, decay_s=0.06, length_s=0.25, differences=wire_differences)
    return np.asarray(amp * (0.6 * body + 0.7 * wires), dtype=float)


def tone(
    sr: int,
    notes: Sequence[int],
    length_s: float,
    amp: float,
    decay_s: float,
    harmonics: int = 3,
) -> NDArray[np.float64]:
    """A plucked chord (or one note): harmonic partials under a decaying envelope.

    Parameters
    ----------
    sr : int
        Sample rate (Hz).
    notes : sequence of int
        MIDI note numbers, sounded together at equal level.
    length_s : float
        Length (s); the sound fades out over its last 20 ms.
    amp : float
        Level of the whole chord.
    decay_s : float
        Time constant (s) of the decay after a 5 ms attack.
    harmonics : int
        Partials a note, the ``h``-th at level ``1 / h`` (1 for a sine).

    Returns
    -------
    NDArray[np.float64]
        The sound.
    """
    t = times(length_s, sr)
    x = np.zeros(t.size)
    for note in notes:
        f = hz(note)
        for h in range(1, harmonics + 1):
            x += np.sin(2 * np.pi * f * h * t) / h
    env = np.exp(-t / decay_s) * np.minimum(1.0, t / 0.005)
    env *= np.clip((t[-1] - t) / 0.02, 0.0, 1.0)
    return np.asarray(amp * x * env / len(notes), dtype=float)


# --------------------------------------------------------------------------- mixing


class Mix:
    """A buffer that sounds are added into, and the random generator they draw from.

    Parameters
    ----------
    length_s : float
        Length of the buffer (s); sounds are cut off at its end.
    sr : int
        Sample rate (Hz).
    seed : int
        Seed of :attr:`rng`.
    """

    def __init__(self, length_s: float, sr: int = SR, seed: int = 0) -> None:
        self.sr = sr
        self.out = np.zeros(int(length_s * sr))
        self.rng = np.random.default_rng(seed)

    def add(self, at_s: float, sound: NDArray[np.float64]) -> None:
        """Add ``sound`` starting at ``at_s`` seconds (the nearest sample)."""
        i = round(at_s * self.sr)
        n = min(sound.size, self.out.size - i)
        if n > 0:
            self.out[i : i + n] += sound[:n]

    def samples(self) -> NDArray[np.float32]:
        """The mix as float32, scaled to a peak of 1 / 1.1."""
        return np.asarray(self.out / (np.max(np.abs(self.out)) * 1.1), dtype=np.float32)


# --------------------------------------------------------------------------- songs


def drum_song(
    parts: Sequence[Part],
    sr: int = SR,
    *,
    seed: int = 0,
    lead_in_s: float = 0.0,
    final_chord_s: float = 0.0,
    tail_s: float = 2.0,
) -> Song:
    """A drum-machine song in parts that may change tempo and meter.

    Each bar has a kick, a bass note and a held chord (C Am F G, one a bar) on 1, a
    crash every other bar, and hi-hats on every beat and half way between. An even meter
    adds a softer kick on its middle beat and a snare with a chord stab on beats 2, 4, …;
    an odd meter a soft snare and a stab on every beat after the first.

    Parameters
    ----------
    parts : sequence of Part
        The song's stretches, in order; the bar count (and so the chords) runs on
        across them.
    sr : int
        Sample rate (Hz).
    seed : int
        Seed of the noise.
    lead_in_s : float
        Silence before the first beat (s).
    final_chord_s : float
        If > 0, the song ends on a held chord (and a cymbal) this long, struck where the
        beat after the last would be.
    tail_s : float
        Silence after the last beat's bar (and the final chord) (s); 0 for a loop.

    Returns
    -------
    Song
        The samples, every beat of the parts (silent ones too) and its position in the
        bar.
    """
    bpms = [part.bpm for part in parts for _ in range(part.meter * part.bars)]
    grid = beat_times(bpms, lead_in_s)
    end = float(grid[-1])
    mix = Mix(end + max(final_chord_s, 0.0) + tail_s, sr, seed)
    i = 0
    bar = 0
    for part in parts:
        for _ in range(part.bars):
            if part.play:
                _drum_bar(mix, grid[i : i + part.meter + 1], PROGRESSION[bar % 4], bar)
            i += part.meter
            bar += 1
    if final_chord_s > 0:
        mix.add(end, kick(sr, 1.0, rng=mix.rng))
        mix.add(end, hat(sr, mix.rng, 0.3, decay_s=0.8, length_s=final_chord_s))
        mix.add(end, tone(sr, (36, 48, 52, 55, 60), final_chord_s, 0.8, final_chord_s * 2, 4))
    positions = np.concatenate([bar_positions(p.meter * p.bars, p.meter) for p in parts])
    return Song(mix.samples(), grid[:-1], positions, sr)


def _drum_bar(mix: Mix, grid: NDArray[np.float64], chord: tuple[int, ...], bar: int) -> None:
    """Play bar number ``bar`` of a :func:`drum_song` over ``chord`` into ``mix``.

    ``grid`` holds the bar's beat times, then the next bar's downbeat.
    """
    sr, meter = mix.sr, grid.size - 1
    upper = tuple(n + 12 for n in chord)
    for p, (t, ibi) in enumerate(zip(grid[:-1].tolist(), np.diff(grid).tolist()), start=1):
        bar_s = ibi * meter
        if p == 1:
            mix.add(t, kick(sr, 1.0, rng=mix.rng))
            mix.add(t, tone(sr, (chord[0] - 12,), bar_s * 0.95, 0.5, bar_s, 6))
            mix.add(t, tone(sr, upper, bar_s * 0.95, 0.25, bar_s * 0.6))
            if bar % 2 == 0:
                mix.add(t, hat(sr, mix.rng, 0.25, decay_s=0.5, length_s=1.2))
        elif meter % 2 == 0 and p == meter // 2 + 1:
            mix.add(t, kick(sr, 0.7, rng=mix.rng))
        if meter % 2 == 0 and p % 2 == 0:
            mix.add(t, snare(sr, mix.rng, 0.6))
            mix.add(t, tone(sr, upper, ibi * 0.5, 0.25, ibi * 0.3))
        if meter % 2 == 1 and p > 1:
            mix.add(t, snare(sr, mix.rng, 0.3))
            mix.add(t, tone(sr, upper, ibi * 0.5, 0.3, ibi * 0.3))
        mix.add(t, hat(sr, mix.rng, 0.12, length_s=0.1))
        mix.add(t + 0.5 * ibi, hat(sr, mix.rng, 0.07, length_s=0.1))


def drum_loop(
    bpm: float,
    meter: int,
    bars: int,
    sr: int = SR,
    *,
    seed: int = 0,
    lead_in_s: float = 0.0,
    tail_s: float = 2.0,
) -> Song:
    """A :func:`drum_song` of one part: ``bars`` bars of ``meter`` beats at ``bpm``.

    With ``tail_s=0`` and a multiple of four bars, it loops seamlessly.

    Parameters
    ----------
    bpm : float
        Tempo (beats a minute).
    meter : int
        Beats a bar.
    bars : int
        Number of bars.
    sr : int
        Sample rate (Hz).
    seed : int
        Seed of the noise.
    lead_in_s : float
        Silence before the first beat (s).
    tail_s : float
        Silence after the last bar (s).

    Returns
    -------
    Song
        The samples, the beats (the first at ``lead_in_s``) and their positions in the bar.
    """
    return drum_song([Part(bpm, meter, bars)], sr, seed=seed, lead_in_s=lead_in_s, tail_s=tail_s)
