"""Generate the music benchmark corpus: arranged dance pieces with exact ground truth.

Every piece is composed in code with :mod:`pretty_midi` (drums on channel 10, bass,
chords, melody; chord progressions; seeded humanised timing of ±9 ms and velocity
accents on downbeats), rendered with the ``fluidsynth`` command-line synthesiser and
the FluidR3 General MIDI soundfont, and written as a 16-bit WAV next to a
``<name>.truth.json`` holding the nominal beat grid::

    {"beats": [...], "downbeats": [...], "meter": 3, "bpm": 87.0, "style": "Waltz",
     "sections": [{"start", "end", "meter", "bpm"}], "group": "plain", "notes": "..."}

``bpm`` counts the beats the dance counts (``/work/shared/DANCES.md`` §1): a Samba or a
Paso Doble or a Polka bar has 2 beats, a Tango bar 4, a 6/8 bar 2 dotted quarters. It is
``60 / median`` of the nominal inter-beat intervals, so for a piece with tempo changes it
is the tempo that lasts longest. ``meters_ok`` (optional) lists the other meters a
dance is also counted in (Tango and Merengue: 2/4 or 4/4).

Three groups of pieces:

* ``plain``: two pieces per dance style at tempos drawn (seeded) from the lower and the
  upper half of its official range, 30-40 s each, with a rhythm section typical of the
  style;
* ``hard``: an intro without drums, an abrupt tempo change, an accelerando with a
  ritardando, a 4/4 → 3/4 → 4/4 medley, full-stop breaks, off-beat (ska) accents, a
  waltz with soft downbeats, a 6/8 piece, a live band's wandering tempo and loose
  timing, and a pop song at a tempo between the dances' ranges;
* ``long``: two four-minute songs (a rumba with a piano intro, a waltz), the length on
  which the analysis time is compared with madmom's.

Besides, :func:`make_hour` strings the pieces together into a 60-minute FLAC, for the
memory bound on an hour of input.

The truth is the nominal grid; the timing of every rendered note differs from it by the
humanisation only (fluidsynth adds no leading silence: the first audible onset is
checked against the first MIDI note of every piece, and the offset is stored as
``render_offset_ms``). Beats run on through silent breaks.

Usage::

    .venv/bin/python bench/corpus.py [--out DIR] [--quick] [--force]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pretty_midi
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from gm_render import first_onset_s, render

GENERATOR_VERSION = 3
"""Bumped whenever a change alters the audio or the truth; older files are regenerated."""

SEED = 20250301
"""Base seed; every piece mixes in a checksum of its name."""

SAMPLE_RATE = 44100
"""Sample rate of the rendered audio, in Hz."""

DEFAULT_OUT = Path(__file__).resolve().parent / ".corpus"
"""Default output folder (git-ignored)."""

JITTER_S = 0.009
"""Maximum humanisation offset of a note onset, in seconds."""

LEAD_IN_S = 0.5
"""Time of the first downbeat, in seconds."""

HOLD_S = 2.0
"""How long the final chord is held, in seconds."""

TAIL_S = 1.0
"""Audio kept after the final chord's release, in seconds."""

PEAK_DBFS = -1.0
"""Peak level of the written audio, in dBFS."""

MAX_RENDER_OFFSET_MS = 20.0
"""Largest accepted delay between the first MIDI note and the first audible onset."""

RESOLUTION = 960
"""MIDI ticks per quarter note."""

SWING = 2.0 / 3.0
"""Position of a swung off-beat eighth within its beat."""

# --- General MIDI drum keys ---------------------------------------------------------------
KICK, SIDE_STICK, SNARE, CLAP = 36, 37, 38, 39
CLOSED_HAT, PEDAL_HAT, OPEN_HAT = 42, 44, 46
LOW_FLOOR_TOM, HIGH_FLOOR_TOM, LOW_TOM, LOW_MID_TOM = 41, 43, 45, 47
CRASH, RIDE, SPLASH, TAMBOURINE, COWBELL = 49, 51, 55, 54, 56
HI_BONGO, LOW_BONGO, MUTE_CONGA, OPEN_CONGA, LOW_CONGA = 60, 61, 62, 63, 64
HI_TIMBALE, LOW_TIMBALE, HI_AGOGO, LOW_AGOGO = 65, 66, 67, 68
CABASA, MARACAS, SHORT_GUIRO, LONG_GUIRO, CLAVES = 69, 70, 73, 74, 75
HI_WOODBLOCK, OPEN_TRIANGLE, SHAKER, CASTANETS = 76, 81, 82, 85

# --- Drum kits (bank 128 programs of FluidR3_GM) ------------------------------------------
KIT_STANDARD, KIT_JAZZ, KIT_BRUSH, KIT_ORCHESTRA = 0, 32, 40, 48

# --- Dance styles and official tempo ranges (BPM, DANCES.md §1) ---------------------------
STYLE_RANGES: dict[str, tuple[float, float]] = {
    "Waltz": (84.0, 90.0),
    "Viennese Waltz": (174.0, 180.0),
    "Slow Foxtrot": (112.0, 120.0),
    "Tango": (124.0, 132.0),
    "Quickstep": (200.0, 208.0),
    "Rumba": (100.0, 108.0),
    "Cha Cha": (120.0, 128.0),
    "Samba": (100.0, 104.0),
    "Jive": (168.0, 176.0),
    "East Coast Swing": (126.0, 154.0),
    "Salsa": (160.0, 220.0),
    "Bachata": (120.0, 140.0),
    "Merengue": (115.0, 130.0),
    "Slow Dance": (60.0, 100.0),
    "Paso Doble": (120.0, 124.0),
    "Polka": (116.0, 128.0),
}
"""Tempo range of every dance style in the corpus, in the dance's own beats per minute."""

STYLE_METERS_OK: dict[str, tuple[int, ...]] = {"Tango": (4, 2), "Merengue": (4, 2)}
"""Styles that DANCES.md counts in either 2/4 or 4/4 (the first is the truth's meter)."""

# --- Harmony ------------------------------------------------------------------------------
QUALITIES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "7": (0, 4, 7, 10),
    "m7": (0, 3, 7, 10),
    "maj7": (0, 4, 7, 11),
    "dim": (0, 3, 6),
    "6": (0, 4, 7, 9),
}
"""Intervals above the root of each chord quality."""

ROMAN = {"i": 0, "ii": 2, "iii": 4, "iv": 5, "v": 7, "vi": 9, "vii": 11}
"""Semitones above the tonic of each roman numeral."""

MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 11)  # harmonic minor: the raised 7th fits V7


@dataclass(frozen=True)
class Chord:
    """A chord: root pitch class and quality.

    Parameters
    ----------
    root : int
        Pitch class of the root (0 = C).
    quality : str
        Key of :data:`QUALITIES`.
    """

    root: int
    quality: str

    @property
    def intervals(self) -> tuple[int, ...]:
        """Intervals of the chord tones above the root."""
        return QUALITIES[self.quality]

    @property
    def third(self) -> int:
        """Interval of the third above the root."""
        return self.intervals[1]

    @property
    def fifth(self) -> int:
        """Interval of the fifth above the root."""
        return self.intervals[2]

    def voice(self, low: int = 57) -> tuple[int, ...]:
        """Close voicing: each chord tone at the lowest pitch not below ``low``.

        Parameters
        ----------
        low : int, optional
            Lowest allowed MIDI pitch.

        Returns
        -------
        tuple of int
            Sorted MIDI pitches.
        """
        pitches = []
        for iv in self.intervals:
            pc = (self.root + iv) % 12
            pitches.append(low + (pc - low) % 12)
        return tuple(sorted(pitches))

    def bass(self, low: int = 36) -> int:
        """Root in the bass register, at or above ``low`` and below ``low + 12``.

        Parameters
        ----------
        low : int, optional
            Lowest allowed MIDI pitch.

        Returns
        -------
        int
            MIDI pitch.
        """
        return low + (self.root - low) % 12

    def tones(self, low: int, high: int) -> list[int]:
        """All chord tones between ``low`` and ``high`` (inclusive).

        Parameters
        ----------
        low, high : int
            MIDI pitch range.

        Returns
        -------
        list of int
            Sorted MIDI pitches.
        """
        pcs = {(self.root + iv) % 12 for iv in self.intervals}
        return [p for p in range(low, high + 1) if p % 12 in pcs]


def parse_chord(token: str, tonic: int) -> Chord:
    """Parse a roman-numeral chord symbol relative to ``tonic``.

    Upper case is major, lower case minor; a ``b`` or ``#`` prefix shifts the root; the
    suffix ``7`` makes a dominant seventh (upper case) or minor seventh (lower case),
    ``maj7`` a major seventh, ``6`` a sixth and ``o`` a diminished triad.

    Parameters
    ----------
    token : str
        E.g. ``"I"``, ``"vi"``, ``"ii7"``, ``"V7"``, ``"bVII"``, ``"viio"``.
    tonic : int
        Pitch class of the key's tonic.

    Returns
    -------
    Chord
        The chord.
    """
    shift = 0
    while token[0] in "b#":
        shift += -1 if token[0] == "b" else 1
        token = token[1:]
    numeral = ""
    while token and token[0].lower() in "iv":
        numeral += token[0]
        token = token[1:]
    upper = numeral.isupper()
    root = (tonic + ROMAN[numeral.lower()] + shift) % 12
    suffix = token
    if suffix == "":
        quality = "maj" if upper else "min"
    elif suffix == "7":
        quality = "7" if upper else "m7"
    elif suffix in ("maj7", "6"):
        quality = suffix
    elif suffix == "o":
        quality = "dim"
    else:
        raise ValueError(f"unknown chord suffix {suffix!r}")
    return Chord(root, quality)


# --- Time grid ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SectionSpec:
    """A stretch of a piece played by one band with one meter and tempo (or tempo ramp).

    Parameters
    ----------
    band : str
        Key of :data:`BANDS`.
    bars : int
        Number of bars.
    bpm : float
        Tempo at the start (beats per minute, beats as the meter counts them).
    bpm_end : float or None, optional
        Tempo at the end of a ramp (accelerando or ritardando), linear per beat.
    merge_prev : bool, optional
        The truth counts this stretch as part of the previous section (same meter and
        tempo, e.g. an intro without drums, or a short final ritardando).
    progression : str or None, optional
        Chord progression (roman numerals); the band's first by default.
    style : str or None, optional
        Dance name of this section, for the notes of the truth.
    """

    band: str
    bars: int
    bpm: float
    bpm_end: float | None = None
    merge_prev: bool = False
    progression: str | None = None
    style: str | None = None


@dataclass(frozen=True)
class BarGrid:
    """One bar of the nominal grid.

    Parameters
    ----------
    index : int
        Bar index in the piece.
    section : int
        Index of the :class:`SectionSpec` it belongs to.
    k : int
        Bar index within the section.
    meter : int
        Beats in the bar.
    times : tuple of float
        Start of every beat and the end of the bar (``meter + 1`` values), in seconds.
    """

    index: int
    section: int
    k: int
    meter: int
    times: tuple[float, ...]

    def t(self, pos: float) -> float:
        """Time of a (fractional) beat position within the bar.

        Parameters
        ----------
        pos : float
            Zero-based position in beats, ``0 <= pos <= meter`` (a little beyond is
            extrapolated with the last beat's length).

        Returns
        -------
        float
            Time in seconds.
        """
        k = min(max(math.floor(pos), 0), self.meter - 1)
        return self.times[k] + (pos - k) * (self.times[k + 1] - self.times[k])

    def b(self, pos: float = 0.0) -> float:
        """Length of the beat containing ``pos``, in seconds.

        Parameters
        ----------
        pos : float, optional
            Position in beats.

        Returns
        -------
        float
            Seconds.
        """
        k = min(max(math.floor(pos), 0), self.meter - 1)
        return self.times[k + 1] - self.times[k]


def build_grid(sections: Sequence[SectionSpec], meters: Sequence[int]) -> list[BarGrid]:
    """Lay out the nominal bars of a piece.

    Parameters
    ----------
    sections : sequence of SectionSpec
        The piece's sections, in order.
    meters : sequence of int
        Beats per bar of each section.

    Returns
    -------
    list of BarGrid
        All bars; the final downbeat is ``bars[-1].times[-1]``.
    """
    t = LEAD_IN_S
    bars: list[BarGrid] = []
    for si, (sec, meter) in enumerate(zip(sections, meters)):
        n_beats = sec.bars * meter
        for k in range(sec.bars):
            times = [t]
            for j in range(meter):
                i = k * meter + j
                bpm = sec.bpm
                if sec.bpm_end is not None:
                    bpm = sec.bpm + (sec.bpm_end - sec.bpm) * (i + 0.5) / n_beats
                t += 60.0 / bpm
                times.append(t)
            bars.append(BarGrid(len(bars), si, k, meter, tuple(times)))
    return bars


# --- Arranging ----------------------------------------------------------------------------
class Ctx:
    """Collects humanised notes of one piece.

    Parameters
    ----------
    rng : numpy.random.Generator
        Seeded generator for humanisation and composition choices.
    kit : int
        Drum kit program (bank 128) of the piece's single drum track.
    tonic : int
        Pitch class of the key.
    minor : bool
        Whether the key is minor (harmonic minor scale for melodies).
    jitter_s : float
        Largest random shift of a note's onset from the grid (humanised timing).
    """

    def __init__(
        self, rng: np.random.Generator, kit: int, tonic: int, minor: bool, jitter_s: float
    ) -> None:
        self.rng = rng
        self.jitter_s = jitter_s
        self.midi = pretty_midi.PrettyMIDI(resolution=RESOLUTION, initial_tempo=120.0)
        self.kit = kit
        self.tonic = tonic
        self.minor = minor
        self.programs: dict[str, int] = {}
        self.tracks: dict[tuple[str, int], Any] = {}
        self.mutes: list[tuple[float, float]] = []
        self.melody_prev = 72
        self.melody_accent = 10

    @property
    def scale(self) -> tuple[int, ...]:
        """Pitch classes of the key's scale."""
        steps = MINOR_SCALE if self.minor else MAJOR_SCALE
        return tuple((self.tonic + s) % 12 for s in steps)

    def track(self, name: str) -> Any:
        """Instrument playing the current band's part ``name`` (created on first use).

        Parameters
        ----------
        name : str
            Part name; ``"drums"`` is the drum track.

        Returns
        -------
        pretty_midi.Instrument
            The instrument.
        """
        key = ("drums", self.kit) if name == "drums" else (name, self.programs[name])
        if key not in self.tracks:
            inst = pretty_midi.Instrument(program=key[1], is_drum=name == "drums", name=name)
            self.tracks[key] = inst
            self.midi.instruments.append(inst)
        return self.tracks[key]

    def note(
        self, part: str, pitch: int, start: float, dur: float, vel: float, vj: int = 6
    ) -> None:
        """Add one humanised note, unless it starts inside a muted stretch (a break).

        Parameters
        ----------
        part : str
            Part name (see :meth:`track`).
        pitch : int
            MIDI pitch or GM drum key.
        start : float
            Nominal onset, in seconds.
        dur : float
            Nominal length, in seconds.
        vel : float
            Nominal velocity.
        vj : int, optional
            Maximum random velocity deviation.
        """
        for a, b in self.mutes:
            if a - 1e-6 <= start < b:
                return
        off = float(self.rng.uniform(-self.jitter_s, self.jitter_s))
        on = max(0.0, start + off)
        end = max(on + 0.03, start + dur + off)
        for a, _ in self.mutes:
            if on < a < end:
                end = max(on + 0.02, a)
        v = int(np.clip(round(vel) + self.rng.integers(-vj, vj + 1), 1, 127))
        self.track(part).notes.append(pretty_midi.Note(velocity=v, pitch=pitch, start=on, end=end))

    def hit(
        self,
        part: str,
        pitches: int | Sequence[int],
        bar: BarGrid,
        pos: float,
        beats: float,
        vel: float,
    ) -> None:
        """Add a note or chord at a beat position of a bar.

        Parameters
        ----------
        part : str
            Part name.
        pitches : int or sequence of int
            One pitch or a chord.
        bar : BarGrid
            The bar.
        pos : float
            Beat position within the bar.
        beats : float
            Length in beats (of the local beat length).
        vel : float
            Nominal velocity.
        """
        start = bar.t(pos)
        dur = beats * bar.b(pos)
        for p in [pitches] if isinstance(pitches, int) else pitches:
            self.note(part, int(p), start, dur, vel, vj=4)

    def drum(self, key: int, bar: BarGrid, pos: float, vel: float) -> None:
        """Add a drum hit.

        Parameters
        ----------
        key : int
            GM drum key.
        bar : BarGrid
            The bar.
        pos : float
            Beat position within the bar.
        vel : float
            Nominal velocity.
        """
        self.note("drums", key, bar.t(pos), 0.1, vel)


Cell = tuple[float, ...]


def melody(
    ctx: Ctx,
    bar: BarGrid,
    chord: Chord,
    cells: Sequence[Cell],
    vel: float,
    phrase_end: bool,
    low: int = 65,
    high: int = 86,
    part: str = "melody",
) -> None:
    """Write one bar of a generated melody.

    Notes on a beat take a chord tone close to the previous note; notes between beats
    move by a scale step. A negative length is a rest.

    Parameters
    ----------
    ctx : Ctx
        The piece.
    bar : BarGrid
        The bar.
    chord : Chord
        The bar's chord.
    cells : sequence of tuple of float
        Candidate rhythms (lengths in beats summing to the meter).
    vel : float
        Nominal velocity (downbeat notes get ``ctx.melody_accent`` more).
    phrase_end : bool
        Last bar of a phrase: hold a chord tone instead.
    low, high : int, optional
        Pitch range.
    part : str, optional
        Part name.
    """
    rng = ctx.rng
    if phrase_end:
        cell: Cell = (float(bar.meter),) if bar.meter < 4 else (bar.meter - 1.0, -1.0)
    else:
        cell = cells[int(rng.integers(len(cells)))]
    if abs(sum(abs(d) for d in cell) - bar.meter) > 1e-6:
        raise ValueError(f"melody cell {cell} does not fill a bar of {bar.meter}")
    scale_pitches = [p for p in range(low, high + 1) if p % 12 in ctx.scale]
    pos = 0.0
    for d in cell:
        if d < 0:
            pos += -d
            continue
        on_beat = abs(pos - round(pos)) < 1e-6
        prev = ctx.melody_prev
        if on_beat or phrase_end:
            tones = chord.tones(low, high)
            near = [p for p in tones if abs(p - prev) <= 5 and p != prev] or tones
            pitch = int(near[int(rng.integers(len(near)))])
        else:
            i = int(np.argmin([abs(p - prev) for p in scale_pitches]))
            step = int(rng.choice([-2, -1, -1, 1, 1, 2]))
            pitch = scale_pitches[min(max(i + step, 0), len(scale_pitches) - 1)]
        ctx.melody_prev = pitch
        accent = ctx.melody_accent if pos == 0.0 else 0
        ctx.hit(part, pitch, bar, pos, d * 0.92, vel + accent)
        pos += d


# --- Bands: one function per rhythm section, writing one bar -------------------------------
BarWriter = Callable[[Ctx, BarGrid, Chord, Chord, int], None]
"""``write(ctx, bar, chord, next_chord, bars_in_section)``."""


@dataclass(frozen=True)
class Band:
    """A rhythm section and its instrumentation.

    Parameters
    ----------
    meter : int
        Beats per bar.
    programs : dict
        GM program (0-based) of every pitched part.
    kit : int
        Drum kit program.
    write : callable
        Writes one bar of accompaniment (:data:`BarWriter`).
    cells : tuple of tuple of float
        Melody rhythms.
    progressions : tuple of str
        Chord progressions (roman numerals), one symbol per chord.
    bars_per_chord : int, optional
        Bars each chord lasts.
    minor : bool, optional
        Key is minor.
    melody_alt : tuple of int, optional
        Alternative melody programs for the second piece of a style.
    melody_vel : float, optional
        Melody velocity.
    melody_range : tuple of int, optional
        Melody pitch range.
    notes : str, optional
        Description for the truth file.
    """

    meter: int
    programs: dict[str, int]
    kit: int
    write: BarWriter
    cells: tuple[Cell, ...]
    progressions: tuple[str, ...]
    bars_per_chord: int = 1
    minor: bool = False
    melody_alt: tuple[int, ...] = ()
    melody_vel: float = 82.0
    melody_range: tuple[int, int] = (65, 86)
    notes: str = ""


def _crash(ctx: Ctx, bar: BarGrid, vel: float = 80.0) -> None:
    """Crash cymbal at the start of every 8-bar phrase."""
    if bar.k % 8 == 0:
        ctx.drum(CRASH, bar, 0.0, vel)


def _walk(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, vel: float = 92.0) -> None:
    """Walking bass in quarter notes, approaching the next root chromatically."""
    r = ch.bass(36)
    third = r + ch.third
    fifth = r + ch.fifth
    approach = nxt.bass(36) + int(ctx.rng.choice([-1, 1]))
    line = [r, third, fifth, approach] if ctx.rng.random() < 0.6 else [r, fifth, r + 12, approach]
    for j, p in enumerate(line[: bar.meter]):
        ctx.hit("bass", p, bar, j, 0.95, vel + (10 if j == 0 else 0))


def waltz(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Waltz oom-pah-pah: bass on 1, piano and strings on 2 and 3, brushes."""
    r = ch.bass(36)
    oom = r if bar.k % 2 == 0 else r + ch.fifth - 12
    ctx.hit("bass", oom, bar, 0, 0.95, 104)
    ctx.hit("piano", oom + 12, bar, 0, 0.9, 86)
    for pos in (1, 2):
        ctx.hit("piano", ch.voice(60), bar, pos, 0.5, 60)
    ctx.hit("strings", ch.voice(55), bar, 0, 2.95, 44)
    ctx.drum(KICK, bar, 0, 88)
    ctx.drum(SNARE, bar, 1, 46)
    ctx.drum(SNARE, bar, 2, 42)
    _crash(ctx, bar, 55)


def viennese(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Viennese waltz: bass and bass drum on 1, horns and pizzicato on 2 and 3."""
    r = ch.bass(36)
    oom = r if bar.k % 2 == 0 else r + ch.fifth - 12
    ctx.hit("bass", oom, bar, 0, 0.9, 106)
    for pos in (1, 2):
        ctx.hit("horns", ch.voice(55), bar, pos, 0.45, 62)
        ctx.hit("pizz", ch.voice(60), bar, pos, 0.4, 70)
    if bar.k % 2 == 0:
        ctx.hit("strings", ch.voice(60), bar, 0, 5.9, 46)
    ctx.drum(KICK, bar, 0, 96)
    ctx.drum(OPEN_TRIANGLE, bar, 1, 40)
    _crash(ctx, bar, 70)


def foxtrot(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Slow foxtrot swing band: walking bass, brushes and ride, piano comping, pad."""
    _walk(ctx, bar, ch, nxt, 88)
    for pos, v in ((0, 84), (1, 68), (1 + SWING, 52), (2, 76), (3, 68), (3 + SWING, 52)):
        ctx.drum(RIDE, bar, pos, v)
    ctx.drum(PEDAL_HAT, bar, 1, 58)
    ctx.drum(PEDAL_HAT, bar, 3, 58)
    ctx.drum(KICK, bar, 0, 78)
    ctx.drum(KICK, bar, 2, 52)
    ctx.drum(SNARE, bar, 1, 44)
    ctx.drum(SNARE, bar, 3, 44)
    ctx.hit("piano", ch.voice(57), bar, 0, 1.4, 64)
    ctx.hit("piano", ch.voice(57), bar, 1 + SWING, 0.3, 54)
    if bar.k % 2:
        ctx.hit("piano", ch.voice(57), bar, 3, 0.5, 50)
    ctx.hit("strings", ch.voice(64), bar, 0, 3.95, 40)
    _crash(ctx, bar, 60)


def quickstep(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Quickstep big band: kick 1 and 3, backbeat, ride quarters, walking bass, stabs."""
    _walk(ctx, bar, ch, nxt, 94)
    ctx.drum(KICK, bar, 0, 104)
    ctx.drum(KICK, bar, 2, 86)
    ctx.drum(SNARE, bar, 1, 88)
    ctx.drum(SNARE, bar, 3, 88)
    for j in range(4):
        ctx.drum(RIDE, bar, j, 86 if j == 0 else 68)
    ctx.drum(PEDAL_HAT, bar, 1, 56)
    ctx.drum(PEDAL_HAT, bar, 3, 56)
    ctx.hit("piano", ch.voice(57), bar, 0, 0.6, 72)
    ctx.hit("piano", ch.voice(57), bar, 1.5, 0.4, 62)
    if bar.k % 2 == 1:
        ctx.hit("brass", nxt.voice(60), bar, 3.5, 0.4, 84)
    _crash(ctx, bar, 86)


def tango(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Tango: staccato marcato on every beat (accents 1 and 3), 3-3-2 syncopa, drags."""
    if bar.k % 4 == 2:
        hits = ((0.0, 116), (1.5, 104), (3.0, 110))
    else:
        hits = ((0.0, 116), (1.0, 74), (2.0, 100), (3.0, 74))
    r = ch.bass(36)
    for i, (pos, v) in enumerate(hits):
        ctx.hit("bandoneon", ch.voice(55), bar, pos, 0.3, v - 20)
        ctx.hit("piano", ch.voice(60), bar, pos, 0.25, v - 28)
        ctx.drum(SNARE, bar, pos, v - 10)
        if pos in (0.0, 2.0) or len(hits) == 3:
            bass = r if i % 2 == 0 else r + ch.fifth - 12
            ctx.hit("bass", bass, bar, pos, 0.4, v - 4)
            ctx.drum(KICK, bar, pos, v - 6)
    if bar.k % 4 == 3:
        for pos, v in ((3.5, 70), (3.75, 86)):
            ctx.drum(SNARE, bar, pos, v)
    _crash(ctx, bar, 84)


def _son_clave(ctx: Ctx, bar: BarGrid, vel: float = 86.0) -> None:
    """Son clave 2-3 over two bars."""
    for pos in (1.0, 2.0) if bar.k % 2 == 0 else (0.0, 1.5, 3.0):
        ctx.drum(CLAVES, bar, pos, vel)


def _tumbao_congas(ctx: Ctx, bar: BarGrid) -> None:
    """Conga tumbao: heel-toe, slap on 2, open tones on 4 and 4-and."""
    for pos in (0.0, 0.5, 2.0, 2.5):
        ctx.drum(MUTE_CONGA, bar, pos, 34)
    ctx.drum(MUTE_CONGA, bar, 1.0, 88)
    ctx.drum(OPEN_CONGA, bar, 3.0, 92)
    ctx.drum(OPEN_CONGA if bar.k % 2 else LOW_CONGA, bar, 3.5, 84)


def rumba(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Rumba (bolero-son): clave, conga tumbao, maracas, tumbao bass, guitar, pad."""
    _son_clave(ctx, bar, 80)
    _tumbao_congas(ctx, bar)
    for e in range(8):
        ctx.drum(MARACAS, bar, e / 2, 56 if e % 2 == 0 else 40)
    ctx.drum(KICK, bar, 0, 96)
    r = ch.bass(36)
    ctx.hit("bass", r, bar, 0, 1.4, 102)
    ctx.hit("bass", r + ch.fifth - 12 if ch.fifth > 5 else r + ch.fifth, bar, 1.5, 1.4, 86)
    ctx.hit("bass", nxt.bass(36), bar, 3, 0.95, 90)
    for pos, beats, v in ((0, 1.0, 66), (1.5, 0.5, 54), (2.5, 0.5, 54), (3, 0.9, 56)):
        ctx.hit("guitar", ch.voice(55), bar, pos, beats, v)
    ctx.hit("strings", ch.voice(64), bar, 0, 3.95, 38)
    _crash(ctx, bar, 58)


def chacha(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Cha cha: cowbell quarters, guiro "4 & 1", congas, bass and piano on 4-and-1."""
    for j in range(4):
        ctx.drum(COWBELL, bar, j, 102 if j == 0 else 74)
    ctx.drum(LONG_GUIRO, bar, 0, 82)
    for pos, v in ((1, 58), (2, 58), (3, 72), (3.5, 72)):
        ctx.drum(SHORT_GUIRO, bar, pos, v)
    _tumbao_congas(ctx, bar)
    if bar.k % 2 == 1:
        ctx.drum(HI_TIMBALE, bar, 3, 78)
        ctx.drum(HI_TIMBALE, bar, 3.5, 84)
    ctx.drum(KICK, bar, 0, 102)
    ctx.drum(KICK, bar, 2, 70)
    r = ch.bass(36)
    ctx.hit("bass", r, bar, 0, 0.95, 104)
    ctx.hit("bass", r + ch.fifth - 12, bar, 2, 0.9, 84)
    ctx.hit("bass", r, bar, 3, 0.45, 86)
    ctx.hit("bass", r, bar, 3.5, 0.45, 80)
    for pos, v in ((0, 70), (1, 56), (2, 56), (3, 62), (3.5, 62)):
        ctx.hit("piano", ch.voice(57), bar, pos, 0.4, v)
    ctx.hit("strings", ch.voice(64), bar, 0, 3.95, 38)
    _crash(ctx, bar, 70)


def samba(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Samba (2/4): surdo strong on 2, shaker 16ths, tamborim, partido-alto guitar."""
    ctx.drum(HIGH_FLOOR_TOM, bar, 0, 70)
    ctx.drum(LOW_FLOOR_TOM, bar, 1, 120)
    ctx.drum(KICK, bar, 0, 74)
    ctx.drum(KICK, bar, 1, 92)
    for s in range(8):
        accent = 72 if s % 4 == 3 else (58 if s % 4 == 0 else 40)
        ctx.drum(SHAKER, bar, s / 4, accent)
    tam = (0.0, 0.5, 0.75, 1.25, 1.75) if bar.k % 2 == 0 else (0.25, 0.75, 1.0, 1.5)
    for pos in tam:
        ctx.drum(HI_WOODBLOCK, bar, pos, 62)
    ctx.drum(HI_AGOGO if bar.k % 2 == 0 else LOW_AGOGO, bar, 0.5, 50)
    r = ch.bass(36)
    ctx.hit("bass", r, bar, 0, 0.7, 106)
    ctx.hit("bass", r + ch.fifth - 12, bar, 0.75, 0.22, 78)
    ctx.hit("bass", r + ch.fifth - 12, bar, 1, 0.7, 94)
    ctx.hit("bass", r, bar, 1.75, 0.22, 78)
    for pos in tam:
        ctx.hit("guitar", ch.voice(57), bar, pos, 0.2, 64)
    if bar.k % 4 == 3:
        ctx.hit("brass", nxt.voice(60), bar, 1.5, 0.45, 86)
    _crash(ctx, bar, 78)


def jive(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Jive shuffle: boogie bass, strong backbeat, swung hi-hat, piano and guitar chops."""
    r = ch.bass(36)
    up = [r, r + 4, r + 7, r + 9]
    down = [r + 10, r + 9, r + 7, r + 4]
    for j, p in enumerate(up if bar.k % 2 == 0 else down):
        ctx.hit("bass", p, bar, j, 0.9, 104 if j == 0 else 88)
    ctx.drum(KICK, bar, 0, 102)
    ctx.drum(KICK, bar, 2, 86)
    ctx.drum(SNARE, bar, 1, 112)
    ctx.drum(SNARE, bar, 3, 112)
    for j in range(4):
        ctx.drum(CLOSED_HAT, bar, j, 72 if j == 0 else 62)
        ctx.drum(CLOSED_HAT, bar, j + SWING, 42)
    for pos in (1.0, 3.0):
        ctx.hit("piano", ch.voice(60), bar, pos, 0.3, 66)
        ctx.hit("guitar", ch.voice(52), bar, pos, 0.25, 62)
    ctx.hit("piano", ch.voice(60), bar, SWING, 0.25, 56)
    _crash(ctx, bar, 86)


def swing(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """East coast swing: ride pattern, backbeat, walking bass, Charleston piano, riffs."""
    _walk(ctx, bar, ch, nxt, 92)
    for pos, v in ((0, 86), (1, 70), (1 + SWING, 54), (2, 78), (3, 70), (3 + SWING, 54)):
        ctx.drum(RIDE, bar, pos, v)
    ctx.drum(PEDAL_HAT, bar, 1, 60)
    ctx.drum(PEDAL_HAT, bar, 3, 60)
    ctx.drum(KICK, bar, 0, 88)
    ctx.drum(KICK, bar, 2, 66)
    ctx.drum(SNARE, bar, 1, 84)
    ctx.drum(SNARE, bar, 3, 84)
    ctx.hit("piano", ch.voice(57), bar, 0, 0.6, 70)
    ctx.hit("piano", ch.voice(57), bar, 1 + SWING, 0.3, 60)
    if bar.k % 4 == 2:
        for pos in (0, SWING, 1 + SWING):
            ctx.hit("brass", ch.voice(60), bar, pos, 0.3, 78)
    _crash(ctx, bar, 76)


def salsa(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Salsa: clave, campana, conga tumbao, tumbao bass, piano montuno, horn riffs."""
    _son_clave(ctx, bar, 84)
    for j, v in enumerate((100, 70, 88, 70)):
        ctx.drum(COWBELL, bar, j, v)
    _tumbao_congas(ctx, bar)
    for e in range(8):
        ctx.drum(SHORT_GUIRO, bar, e / 2, 52 if e % 2 == 0 else 38)
    ctx.drum(KICK, bar, 0, 74)
    r = ch.bass(36)
    ctx.hit("bass", r, bar, 1.5, 1.4, 96)
    ctx.hit("bass", r + ch.fifth - 12 if bar.k % 2 else r + 12, bar, 3, 0.95, 90)
    montuno = (0.0, 1.0, 1.5, 2.5, 3.5) if bar.k % 2 == 0 else (0.5, 1.5, 2.0, 3.0, 3.5)
    top = ch.voice(67)
    for pos in montuno:
        ctx.hit("piano", (top[0], top[0] + 12, top[-1]), bar, pos, 0.4, 86 if pos == 0 else 70)
    if bar.k % 4 in (2, 3):
        for pos in (0.0, 0.5, 1.5):
            ctx.hit("brass", ch.voice(60), bar, pos, 0.4, 84)
    _crash(ctx, bar, 74)


def bachata(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Bachata: bongo martillo with the tap on 4, guira, kick 1 and 3, syncopated bass."""
    for e in range(8):
        ctx.drum(HI_BONGO, bar, e / 2, 64 if e % 2 == 0 else 46)
    ctx.drum(LOW_BONGO, bar, 3.0, 104)
    ctx.drum(LOW_BONGO, bar, 3.5, 78)
    for j in range(4):
        for pos, v in ((0.0, 70), (0.5, 48), (0.75, 44)):
            ctx.drum(CABASA, bar, j + pos, v + (10 if j == 3 and pos == 0.0 else 0))
    ctx.drum(KICK, bar, 0, 102)
    ctx.drum(KICK, bar, 2, 80)
    r = ch.bass(36)
    ctx.hit("bass", r, bar, 0, 0.95, 102)
    ctx.hit("bass", r + ch.fifth - 12, bar, 1.5, 0.45, 76)
    ctx.hit("bass", r, bar, 2, 0.95, 86)
    ctx.hit("bass", r + 12, bar, 3, 0.45, 96)
    ctx.hit("bass", nxt.bass(36) - 1, bar, 3.5, 0.45, 74)
    for pos, v in ((0, 70), (1, 56), (1.5, 52), (2, 60), (3, 66)):
        ctx.hit("guitar", ch.voice(52), bar, pos, 0.3, v)
    _crash(ctx, bar, 66)


def merengue(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Merengue: guira on every beat, tambora with its roll, four-on-the-floor, bass."""
    for j in range(4):
        for pos, v in ((0.0, 82), (0.5, 56), (0.75, 54)):
            ctx.drum(SHORT_GUIRO, bar, j + pos, v + (10 if j == 0 and pos == 0 else 0))
        ctx.drum(KICK, bar, j, 104 if j == 0 else 80)
    ctx.drum(LOW_TOM, bar, 0, 100)
    ctx.drum(LOW_TOM, bar, 2, 84)
    for pos in (0.5, 1.0, 1.5, 2.5, 3.0):
        ctx.drum(SIDE_STICK, bar, pos, 58)
    if bar.k % 2 == 1:
        for pos, v in ((3.25, 62), (3.5, 70), (3.75, 96)):
            ctx.drum(SIDE_STICK if pos < 3.7 else LOW_TOM, bar, pos, v)
    r = ch.bass(36)
    for j, p in enumerate((r, r + ch.fifth - 12, r, r + ch.fifth - 12)):
        ctx.hit("bass", p, bar, j, 0.45, 104 if j == 0 else 84)
    ctx.hit("bass", nxt.bass(36), bar, 3.5, 0.4, 80)
    for j in range(4):
        ctx.hit("piano", ch.voice(60), bar, j + 0.5, 0.3, 60)
    if bar.k % 8 == 6:
        ctx.hit("brass", ch.voice(60), bar, 0, 0.5, 84)
    _crash(ctx, bar, 80)


def slow_dance(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Slow ballad: piano on every beat, pad, bass on 1 and 3, soft drums."""
    r = ch.bass(36)
    ctx.hit("piano", (r + 12, r + 24), bar, 0, 1.9, 88)
    for j, v in enumerate((86, 54, 68, 54)):
        ctx.hit("piano", ch.voice(60), bar, j, 0.9, v)
    ctx.hit("strings", ch.voice(64), bar, 0, 3.95, 50)
    ctx.hit("bass", r, bar, 0, 1.8, 106)
    ctx.hit("bass", r + (ch.fifth - 12 if bar.k % 2 else 0), bar, 2, 1.8, 86)
    ctx.drum(KICK, bar, 0, 108)
    ctx.drum(KICK, bar, 2, 84)
    ctx.drum(SIDE_STICK, bar, 1, 76)
    ctx.drum(SIDE_STICK, bar, 3, 76)
    for e in range(8):
        ctx.drum(CLOSED_HAT, bar, e / 2, 66 if e == 0 else (50 if e % 2 == 0 else 36))
    _crash(ctx, bar, 74)


def paso(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Paso doble (2/4 march): tuba on the beats, trombone afterbeats, snare, castanets."""
    r = ch.bass(33)
    ctx.hit("bass", r, bar, 0, 0.6, 108)
    ctx.hit("bass", r + ch.fifth - 12 if ch.fifth + r - 12 >= 28 else r + ch.fifth, bar, 1, 0.6, 90)
    for pos in (0.5, 1.5):
        ctx.hit("trombones", ch.voice(52), bar, pos, 0.35, 72)
    ctx.drum(KICK, bar, 0, 108)
    ctx.drum(KICK, bar, 1, 80)
    if bar.k % 8 == 7:
        for s in range(8):
            ctx.drum(SNARE, bar, s / 4, 60 + 5 * s)
    else:
        for pos, v in ((0.0, 100), (0.5, 60), (0.75, 56), (1.0, 88), (1.5, 60)):
            ctx.drum(SNARE, bar, pos, v)
    for pos in (0.5, 0.75, 1.0):
        ctx.drum(CASTANETS, bar, pos, 64)
    if bar.k % 2 == 0:
        ctx.hit("strings", ch.voice(55), bar, 0, 3.9, 44)
    _crash(ctx, bar, 90)


def polka(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Polka (2/4 oom-pah): tuba root and fifth on the beats, accordion afterbeats, kick on
    the beats and snare on the off-beats."""
    r = ch.bass(33)
    ctx.hit("bass", r, bar, 0, 0.45, 108)
    fifth = r + ch.fifth - 12 if ch.fifth + r - 12 >= 28 else r + ch.fifth
    ctx.hit("bass", fifth, bar, 1, 0.45, 96)
    for pos in (0.5, 1.5):
        ctx.hit("accordion", ch.voice(55), bar, pos, 0.3, 84)
    ctx.drum(KICK, bar, 0, 104)
    ctx.drum(KICK, bar, 1, 90)
    for pos in (0.5, 1.5):
        ctx.drum(SNARE, bar, pos, 78)
    if bar.k % 8 == 7:
        ctx.drum(SNARE, bar, 1.0, 86)
        ctx.drum(SNARE, bar, 1.25, 90)
    _crash(ctx, bar, 84)


def pop(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Straight 4/4 pop band: kick 1 and 3, snare 2 and 4, hi-hat 8ths, piano, pad."""
    r = ch.bass(36)
    for e in range(8):
        p = r if e < 6 else r + ch.fifth - 12
        ctx.hit("bass", p, bar, e / 2, 0.45, 100 if e == 0 else 80)
    ctx.drum(KICK, bar, 0, 108)
    ctx.drum(KICK, bar, 2, 90)
    ctx.drum(KICK, bar, 2.5, 70)
    ctx.drum(SNARE, bar, 1, 96)
    ctx.drum(SNARE, bar, 3, 96)
    for e in range(8):
        ctx.drum(CLOSED_HAT, bar, e / 2, 72 if e == 0 else (58 if e % 2 == 0 else 42))
    for pos, beats, v in ((0, 1.4, 76), (1.5, 0.4, 58), (2, 1.9, 64)):
        ctx.hit("piano", ch.voice(60), bar, pos, beats, v)
    ctx.hit("strings", ch.voice(64), bar, 0, 3.95, 44)
    if bar.k == n - 1:
        for i in range(4):
            ctx.drum(SNARE, bar, 3 + i / 4, 64 + 8 * i)
    _crash(ctx, bar, 84)


def keys_intro(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Intro without drums or bass: piano arpeggio in eighths and a string pad."""
    r = ch.bass(48)
    arp = [r, r + ch.fifth, r + 12, r + 12 + ch.third, r + 19, r + 12 + ch.third, r + 12, r + 7]
    for e in range(2 * bar.meter):
        ctx.hit("piano", arp[e % len(arp)], bar, e / 2, 0.9, 66 if e == 0 else 52)
    ctx.hit("strings", ch.voice(57), bar, 0, bar.meter - 0.05, 44)


def waltz_soft(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Waltz with soft downbeats: even harp eighths, pizzicato louder on 2 and 3, no drums."""
    r = ch.bass(36)
    ctx.hit("bass", r, bar, 0, 0.5, 52)
    for pos in (1, 2):
        ctx.hit("pizz", ch.voice(55), bar, pos, 0.4, 76 if pos == 1 else 70)
    up = [r + 12, r + 12 + ch.third, r + 12 + ch.fifth]
    arp = [*up, r + 24, up[2], up[1]]
    for e in range(6):
        ctx.hit("harp", arp[e], bar, e / 2, 0.9, 54)
    ctx.hit("strings", ch.voice(60), bar, 1, 2.9, 48)


def ska(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """Ska: off-beat skank and open hats, soft kick, flat walking bass, anticipated changes."""
    for j in range(4):
        chord_here = nxt if j == 3 else ch
        ctx.hit("guitar", chord_here.voice(60), bar, j + 0.5, 0.2, 92)
        ctx.hit("organ", chord_here.voice(67), bar, j + 0.5, 0.2, 70)
        ctx.drum(OPEN_HAT, bar, j + 0.5, 74)
        ctx.drum(CLOSED_HAT, bar, j, 34)
    ctx.drum(SNARE, bar, 1, 86)
    ctx.drum(SNARE, bar, 3, 86)
    ctx.drum(KICK, bar, 0, 58)
    ctx.drum(KICK, bar, 2, 58)
    r = ch.bass(36)
    for j, p in enumerate((r, r + ch.third, r + ch.fifth, nxt.bass(36) - 1)):
        ctx.hit("bass", p, bar, j, 0.9, 82)
    if bar.k % 2 == 1:
        ctx.hit("brass", nxt.voice(60), bar, 3.5, 1.2, 92)


def six_eight(ctx: Ctx, bar: BarGrid, ch: Chord, nxt: Chord, n: int) -> None:
    """6/8 ballad (2 dotted-quarter beats a bar): piano arpeggios, bass on 1 and 4."""
    r = ch.bass(48)
    arp = [r, r + ch.fifth, r + 12, r + 12 + ch.third, r + 12, r + ch.fifth]
    for e in range(6):
        ctx.hit("piano", arp[e], bar, e / 3, 0.6, 80 if e == 0 else (68 if e == 3 else 54))
    ctx.hit("bass", ch.bass(36), bar, 0, 0.95, 102)
    ctx.hit("bass", ch.bass(36) + ch.fifth - 12, bar, 1, 0.9, 82)
    ctx.drum(KICK, bar, 0, 98)
    ctx.drum(SIDE_STICK, bar, 1, 76)
    for e in range(6):
        ctx.drum(CLOSED_HAT, bar, e / 3, 62 if e in (0, 3) else 40)
    ctx.hit("strings", ch.voice(64), bar, 0, 1.95, 42)
    _crash(ctx, bar, 66)


# Melody rhythms -----------------------------------------------------------------------------
S, T = SWING, 1.0 - SWING
CELLS_3: tuple[Cell, ...] = ((2, 1), (3,), (1, 1, 1), (1.5, 0.5, 1), (1, 2))
CELLS_4: tuple[Cell, ...] = ((2, 2), (1, 1, 2), (1.5, 0.5, 2), (1, 1, 1, 1), (3, 1), (2, 1, 1))
CELLS_SWING: tuple[Cell, ...] = ((1, S, T, 2), (S, T, S, T, 2), (2, 1, 1), (3, 1), (1, 1, S, T, 1))
CELLS_LATIN: tuple[Cell, ...] = ((1.5, 1.5, 1), (1, 0.5, 1, 1.5), (2, 0.5, 0.5, 1), (1, 1, 2))
CELLS_FAST: tuple[Cell, ...] = ((0.5, 0.5, 0.5, 0.5, 1, 1), (0.25, 0.25, 0.5, 1, 2), (1, 1, 1, 1))
CELLS_2: tuple[Cell, ...] = ((1, 1), (0.5, 0.5, 1), (0.75, 0.25, 1), (1.5, 0.5), (2,))
CELLS_68: tuple[Cell, ...] = ((1, 1), (2 / 3, 1 / 3, 1), (1 / 3, 1 / 3, 1 / 3, 1), (2,))
CELLS_SKA: tuple[Cell, ...] = ((-0.5, 1, 1, 1.5), (-0.5, 0.5, -0.5, 1, 1.5), (1.5, 1, 1.5))

BANDS: dict[str, Band] = {
    "waltz": Band(
        3, {"bass": 32, "piano": 0, "strings": 48, "melody": 40}, KIT_BRUSH, waltz, CELLS_3,
        ("I vi ii7 V7", "I I IV V7"), melody_alt=(73,),
        notes="oom-pah-pah: bass and piano on 1, piano chords on 2 and 3, brushes",
    ),
    "viennese": Band(
        3, {"bass": 43, "horns": 60, "pizz": 45, "strings": 48, "melody": 73}, KIT_ORCHESTRA,
        viennese, ((3,), (2, 1), (1, 1, 1), (1, 2)), ("I V7 V7 I", "I IV V7 I"),
        bars_per_chord=2, melody_alt=(40,),
        notes="fast waltz: bass and bass drum on 1, horns and pizzicato on 2 and 3",
    ),
    "foxtrot": Band(
        4, {"bass": 32, "piano": 0, "strings": 49, "melody": 65}, KIT_BRUSH, foxtrot,
        CELLS_SWING, ("I vi ii7 V7", "Imaj7 vi7 ii7 V7", "iii7 vi7 ii7 V7"), melody_alt=(71,),
        notes="swing band: walking bass, brushes, ride with swung eighths, piano comping",
    ),
    "quickstep": Band(
        4, {"bass": 32, "piano": 0, "brass": 61, "melody": 56}, KIT_JAZZ, quickstep,
        CELLS_4, ("I vi ii7 V7", "I VI7 II7 V7"), bars_per_chord=2, melody_alt=(66,),
        notes="big band: walking bass, kick 1 and 3, snare 2 and 4, brass stabs",
    ),
    "tango": Band(
        4, {"bass": 32, "piano": 0, "bandoneon": 23, "melody": 40}, KIT_STANDARD, tango,
        ((1, 1, 1, 1), (1.5, 0.5, 2), (0.5, 0.5, 0.5, 0.5, 2), (2, 2), (0.75, 0.25, 1, 2)),
        ("i V7 V7 i", "i iv V7 i", "i VI V7 i"), minor=True, melody_alt=(23,),
        notes="staccato marcato on every beat, accents on 1 and 3, 3-3-2 syncopa, drags",
    ),
    "rumba": Band(
        4, {"bass": 33, "guitar": 24, "strings": 49, "melody": 71}, KIT_STANDARD, rumba,
        CELLS_LATIN, ("i iv V7 i", "i VI ii7 V7"), minor=True, melody_alt=(73,),
        notes="son clave 2-3, conga tumbao, maracas, tumbao bass, nylon guitar",
    ),
    "chacha": Band(
        4, {"bass": 33, "piano": 0, "strings": 48, "melody": 73}, KIT_STANDARD, chacha,
        ((1, 1, 0.5, 0.5, 1), (2, 0.5, 0.5, 1), (1, 1, 1, 1), (3, 1)),
        ("I IV V7 IV", "ii7 V7 I I", "I vi ii7 V7"), melody_alt=(56,),
        notes="cowbell quarters, guiro and bass on 4-and-1, conga tumbao, piano",
    ),
    "samba": Band(
        2, {"bass": 33, "guitar": 24, "brass": 61, "melody": 56}, KIT_STANDARD, samba,
        CELLS_2, ("I vi ii7 V7", "I I7 IV iv"), bars_per_chord=2, melody_alt=(73,),
        notes="2/4: surdo strong on 2, shaker 16ths, tamborim, partido-alto guitar",
    ),
    "jive": Band(
        4, {"bass": 32, "piano": 0, "guitar": 26, "melody": 66}, KIT_STANDARD, jive,
        CELLS_SWING, ("I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7",), melody_alt=(65,),
        notes="shuffle: boogie bass, swung hi-hat, snare backbeat, 12-bar blues",
    ),
    "swing": Band(
        4, {"bass": 32, "piano": 0, "brass": 61, "melody": 71}, KIT_JAZZ, swing, CELLS_SWING,
        ("I vi ii7 V7", "I7 IV7 I7 V7"), melody_alt=(65,),
        notes="swing: ride pattern, snare 2 and 4, walking bass, Charleston piano",
    ),
    "salsa": Band(
        4, {"bass": 33, "piano": 0, "brass": 61, "melody": 56}, KIT_STANDARD, salsa,
        CELLS_LATIN + CELLS_FAST[:1], ("I IV V7 IV", "i iv V7 i"), melody_alt=(57,),
        notes="son clave 2-3, campana, conga tumbao, tumbao bass (2& and 4), piano montuno",
    ),
    "bachata": Band(
        4, {"bass": 33, "guitar": 25, "melody": 24}, KIT_STANDARD, bachata,
        ((0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1), (1, 0.5, 0.5, 2), (2, 1, 1), (0.5, 0.5, 1, 2)),
        ("i bVI bIII bVII", "i iv V7 i"), minor=True, melody_alt=(25,), melody_range=(62, 84),
        notes="bongo martillo with the tap on 4, guira, kick 1 and 3, requinto melody",
    ),
    "merengue": Band(
        4, {"bass": 33, "piano": 0, "brass": 61, "melody": 21}, KIT_STANDARD, merengue,
        CELLS_FAST, ("I V7 V7 I", "I IV V7 I"), bars_per_chord=2, melody_alt=(65,),
        notes="guira on every beat, tambora with roll, kick every beat, accordion",
    ),
    "slow": Band(
        4, {"bass": 33, "piano": 0, "strings": 48, "melody": 73}, KIT_STANDARD, slow_dance,
        CELLS_4, ("I V vi IV", "vi IV I V", "I vi IV V"), melody_alt=(65,),
        notes="ballad: piano on every beat, pad, bass on 1 and 3, side-stick 2 and 4",
    ),
    "paso": Band(
        2, {"bass": 58, "trombones": 57, "strings": 48, "melody": 56}, KIT_STANDARD, paso,
        CELLS_2, ("i bVII bVI V7", "i iv V7 i"), bars_per_chord=2, minor=True,
        melody_alt=(60,), notes="2/4 march: tuba on the beats, trombone afterbeats, castanets",
    ),
    "polka": Band(
        2, {"bass": 58, "accordion": 21, "melody": 71}, KIT_STANDARD, polka,
        CELLS_2, ("I I V7 V7", "I IV V7 I"), bars_per_chord=2, melody_alt=(56,),
        notes="2/4 oom-pah: tuba on the beats, accordion and snare on the off-beats",
    ),
    "pop": Band(
        4, {"bass": 33, "piano": 0, "strings": 48, "melody": 4}, KIT_STANDARD, pop, CELLS_4,
        ("I V vi IV", "vi IV I V"), notes="straight pop band: kick 1 and 3, snare 2 and 4",
    ),
    "keys_intro": Band(
        4, {"piano": 0, "strings": 48}, KIT_STANDARD, keys_intro, (), ("i iv V7 i",),
        minor=True, notes="piano arpeggios and pad only",
    ),
    "waltz_soft": Band(
        3, {"bass": 43, "pizz": 45, "harp": 46, "strings": 48, "melody": 73}, KIT_STANDARD,
        waltz_soft, ((1, 2), (2, 1), (3,), (1, 1, 1)), ("I vi ii7 V7", "I IV V7 I"),
        notes="soft downbeats: even harp eighths, pizzicato louder on 2 than on 1, no drums",
    ),
    "ska": Band(
        4, {"bass": 33, "guitar": 27, "organ": 17, "brass": 61, "melody": 56}, KIT_STANDARD,
        ska, CELLS_SKA, ("I vi IV V7",), notes="off-beat skank and open hats, anticipations",
    ),
    "six_eight": Band(
        2, {"bass": 32, "piano": 0, "strings": 49, "melody": 71}, KIT_STANDARD, six_eight,
        CELLS_68, ("I vi IV V7",), notes="6/8 at the dotted quarter: arpeggios, bass on 1 and 4",
    ),
}  # fmt: skip
"""Every rhythm section the corpus uses."""

STYLE_BANDS: dict[str, str] = {
    "Waltz": "waltz",
    "Viennese Waltz": "viennese",
    "Slow Foxtrot": "foxtrot",
    "Tango": "tango",
    "Quickstep": "quickstep",
    "Rumba": "rumba",
    "Cha Cha": "chacha",
    "Samba": "samba",
    "Jive": "jive",
    "East Coast Swing": "swing",
    "Salsa": "salsa",
    "Bachata": "bachata",
    "Merengue": "merengue",
    "Slow Dance": "slow",
    "Paso Doble": "paso",
    "Polka": "polka",
}
"""Band that plays each dance style."""


# --- Pieces -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Piece:
    """A piece of the corpus.

    Parameters
    ----------
    name : str
        File stem.
    group : str
        ``"plain"`` or ``"hard"``.
    style : str or None
        Dance name as in DANCES.md (``None`` when none fits the whole piece).
    sections : tuple of SectionSpec
        The piece's sections.
    tonic : int
        Pitch class of the key.
    variant : int, optional
        0 or 1: the second piece of a style uses the band's alternative melody voice.
    breaks : tuple of tuple, optional
        Full stops ``(bar, from_beat, to_beat)``: everything is silent from ``from_beat``
        of ``bar`` to ``to_beat`` (may be the bar's meter), after a hit just before.
    notes : str, optional
        Description.
    meters_ok : tuple of int, optional
        Other meters the piece's dance is counted in.
    jitter_s : float, optional
        Largest random shift of a note from the grid (default :data:`JITTER_S`).
    """

    name: str
    group: str
    style: str | None
    sections: tuple[SectionSpec, ...]
    tonic: int
    variant: int = 0
    breaks: tuple[tuple[int, float, float], ...] = ()
    notes: str = ""
    meters_ok: tuple[int, ...] = field(default=())
    jitter_s: float = JITTER_S


def _seed(name: str) -> int:
    """Per-piece seed: the base seed mixed with a checksum of the name."""
    return SEED + zlib.crc32(name.encode())


def _bars_for(meter: int, bpm: float, target_s: float = 31.0) -> int:
    """Number of bars (a multiple of 4) whose length is closest to ``target_s``."""
    bar_s = meter * 60.0 / bpm
    return max(8, 4 * round(target_s / bar_s / 4))


def plain_pieces() -> list[Piece]:
    """Two pieces per dance style, tempos drawn from the lower and upper half of its range.

    Returns
    -------
    list of Piece
        32 pieces.
    """
    rng = np.random.default_rng(SEED)
    pieces = []
    for style, (lo, hi) in STYLE_RANGES.items():
        band_name = STYLE_BANDS[style]
        band = BANDS[band_name]
        slug = style.lower().replace(" ", "_")
        for variant in (0, 1):
            u = rng.uniform(0.05, 0.45) + 0.5 * variant
            bpm = round(lo + (hi - lo) * u, 1)
            tonic = int(rng.integers(12))
            prog = band.progressions[variant % len(band.progressions)]
            bars = _bars_for(band.meter, bpm)
            if band.bars_per_chord * len(prog.split()) > bars:
                bars = band.bars_per_chord * len(prog.split())
            sec = SectionSpec(band_name, bars, bpm, progression=prog, style=style)
            pieces.append(
                Piece(
                    name=f"plain_{slug}_{variant + 1}",
                    group="plain",
                    style=style,
                    sections=(sec,),
                    tonic=tonic,
                    variant=variant,
                    notes=f"{style} at {bpm:g} BPM: {band.notes}",
                    meters_ok=STYLE_METERS_OK.get(style, ()),
                )
            )
    return pieces


def hard_pieces() -> list[Piece]:
    """The hard cases (a) to (j).

    Returns
    -------
    list of Piece
        10 pieces.
    """
    return [
        Piece(
            "hard_a_intro_no_drums", "hard", "Rumba",
            (SectionSpec("keys_intro", 8, 104.0, progression="i iv V7 i", style="Rumba"),
             SectionSpec("rumba", 12, 104.0, merge_prev=True, progression="i iv V7 i",
                         style="Rumba")),
            tonic=9, notes="8 bars of piano arpeggios and pad only, then the rumba band at 104",
        ),
        Piece(
            "hard_b_tempo_jump", "hard", None,
            (SectionSpec("pop", 12, 100.0), SectionSpec("pop", 14, 124.0, progression="vi IV I V")),
            tonic=7, notes="pop band, abrupt tempo change 100 -> 124 BPM at bar 13",
        ),
        Piece(
            "hard_c_accelerando", "hard", None,
            (SectionSpec("pop", 4, 88.0), SectionSpec("pop", 16, 88.0, bpm_end=110.0),
             SectionSpec("pop", 6, 110.0), SectionSpec("pop", 2, 110.0, bpm_end=78.0,
                                                       merge_prev=True)),
            tonic=2,
            notes="4 bars at 88, accelerando to 110 over 16 bars (a section of its own with "
            "its mean tempo), 6 bars at 110, 2-bar ritardando to 78 (part of the last section)",
        ),
        Piece(
            "hard_d_medley_meter", "hard", None,
            (SectionSpec("pop", 8, 120.0), SectionSpec("waltz", 10, 87.0, style="Waltz"),
             SectionSpec("pop", 8, 120.0, progression="vi IV I V")),
            tonic=0, notes="medley: 4/4 pop at 120, 3/4 waltz at 87, 4/4 pop at 120",
        ),
        Piece(
            "hard_e_breaks", "hard", "Cha Cha",
            (SectionSpec("chacha", 24, 124.0, style="Cha Cha"),),
            tonic=5, breaks=((7, 2.0, 4.0), (15, 0.0, 4.0), (21, 2.0, 4.0)),
            notes="cha cha at 124 with full stops: beats 3-4 of bar 8, all of bar 16, "
            "beats 3-4 of bar 22 (1-based), each after an accented hit",
        ),
        Piece(
            "hard_f_offbeat_ska", "hard", None, (SectionSpec("ska", 20, 144.0),),
            tonic=10, notes="ska at 144: off-beat skank and open hats, soft kick, flat "
            "walking bass, horn and chord anticipations",
        ),
        Piece(
            "hard_g_soft_downbeat_waltz", "hard", "Waltz",
            (SectionSpec("waltz_soft", 16, 86.0, style="Waltz"),),
            tonic=3, notes="waltz at 86 with soft downbeats: no drums, even harp eighths, "
            "pizzicato on 2 louder than the bass on 1, pad entering on 2",
        ),
        Piece(
            "hard_h_six_eight", "hard", None, (SectionSpec("six_eight", 20, 64.0),),
            tonic=4, notes="6/8 at 64 dotted quarters a minute (192 eighths): truth meter 2, "
            "beats on the dotted quarters",
        ),
        Piece(
            "hard_i_live_drift", "hard", "Slow Foxtrot",
            (SectionSpec("foxtrot", 6, 113.0, bpm_end=118.0, style="Slow Foxtrot"),
             SectionSpec("foxtrot", 6, 118.0, bpm_end=112.0, merge_prev=True),
             SectionSpec("foxtrot", 6, 112.0, bpm_end=117.0, merge_prev=True),
             SectionSpec("foxtrot", 6, 117.0, bpm_end=114.0, merge_prev=True)),
            tonic=1, jitter_s=0.022,
            notes="a live band's foxtrot: the tempo wanders 112-118 BPM and every note is up "
            "to 22 ms off the grid (one section)",
        ),
        Piece(
            "hard_j_between_ranges", "hard", None, (SectionSpec("pop", 16, 110.0),),
            tonic=11, notes="pop at 110 BPM, between the dances' ranges (Rumba ends at 108, "
            "Slow Foxtrot starts at 112): the tempo prior must not move it",
        ),
    ]  # fmt: skip


def long_pieces() -> list[Piece]:
    """Two four-minute songs: the length on which the issue sets the time ratio to madmom.

    Returns
    -------
    list of Piece
        2 pieces.
    """
    return [
        Piece(
            "long_a_rumba_song", "long", "Rumba",
            (SectionSpec("keys_intro", 8, 104.0, progression="i iv V7 i", style="Rumba"),
             SectionSpec("rumba", 96, 104.0, merge_prev=True, progression="i VI iv V7",
                         style="Rumba")),
            tonic=2, variant=1,
            notes="four minutes: 8 bars of piano and pad, then 96 bars of the rumba band at 104",
        ),
        Piece(
            "long_b_waltz_song", "long", "Waltz",
            (SectionSpec("waltz", 112, 86.0, style="Waltz"),),
            tonic=7, notes="four minutes of the waltz band at 86 (112 bars)",
        ),
    ]  # fmt: skip


QUICK = (
    "plain_waltz_1",
    "plain_cha_cha_1",
    "plain_samba_1",
    "hard_a_intro_no_drums",
    "hard_d_medley_meter",
    "hard_g_soft_downbeat_waltz",
)
"""Pieces of the ``--quick`` subset."""


def all_pieces(quick: bool = False) -> list[Piece]:
    """Every piece of the corpus (or of the quick subset).

    Parameters
    ----------
    quick : bool, optional
        Only the :data:`QUICK` subset.

    Returns
    -------
    list of Piece
        The pieces, plain group first.
    """
    pieces = plain_pieces() + hard_pieces() + long_pieces()
    if quick:
        pieces = [p for p in pieces if p.name in QUICK]
    return pieces


# --- Composition --------------------------------------------------------------------------
def compose(piece: Piece) -> tuple[Any, list[BarGrid], Ctx]:
    """Compose a piece.

    Parameters
    ----------
    piece : Piece
        The piece.

    Returns
    -------
    midi : pretty_midi.PrettyMIDI
        The arrangement.
    bars : list of BarGrid
        Its nominal bars.
    ctx : Ctx
        The arranging context (notes, breaks).
    """
    rng = np.random.default_rng(_seed(piece.name))
    bands = [BANDS[s.band] for s in piece.sections]
    meters = [b.meter for b in bands]
    bars = build_grid(piece.sections, meters)
    first_minor = bands[0].minor
    ctx = Ctx(rng, bands[0].kit, piece.tonic, first_minor, piece.jitter_s)
    for bar_i, from_beat, to_beat in piece.breaks:
        bar = bars[bar_i]
        ctx.mutes.append((bar.t(from_beat) - 0.03, bar.t(to_beat) - 0.03))
    for si, (sec, band) in enumerate(zip(piece.sections, bands)):
        ctx.programs = dict(band.programs)
        if piece.variant and band.melody_alt and "melody" in ctx.programs:
            ctx.programs["melody"] = band.melody_alt[0]
        ctx.minor = band.minor
        ctx.melody_accent = 0 if sec.band == "waltz_soft" else 10
        symbols = (sec.progression or band.progressions[0]).split()
        chords = [parse_chord(s, piece.tonic) for s in symbols]
        sec_bars = [b for b in bars if b.section == si]
        per_bar = [chords[(k // band.bars_per_chord) % len(chords)] for k in range(sec.bars)]
        nxt_first = chords[0]
        for k, bar in enumerate(sec_bars):
            ch = per_bar[k]
            nxt = per_bar[k + 1] if k + 1 < len(per_bar) else nxt_first
            band.write(ctx, bar, ch, nxt, sec.bars)
            if band.cells and "melody" in ctx.programs:
                phrase_end = k % 8 == 7 or k == sec.bars - 1
                low, high = band.melody_range
                melody(ctx, bar, ch, band.cells, band.melody_vel, phrase_end, low, high)
    # The hit before each stop: kick and snare (a cymbal would ring through the stop).
    for bar_i, from_beat, _ in piece.breaks:
        bar = bars[bar_i]
        pos = from_beat - 1.0 if from_beat >= 1.0 else -1.0
        hb = bar if pos >= 0 else bars[bar_i - 1]
        pos = pos if pos >= 0 else hb.meter - 1.0
        ctx.drum(KICK, hb, pos, 112)
        ctx.drum(SNARE, hb, pos, 104)
    # Final chord on the downbeat after the last bar.
    last = bars[-1]
    t_end = last.times[-1]
    tonic_chord = Chord(piece.tonic, "min" if ctx.minor else "maj")
    ctx.programs = dict(bands[-1].programs)
    if piece.variant and bands[-1].melody_alt and "melody" in ctx.programs:
        ctx.programs["melody"] = bands[-1].melody_alt[0]
    chord_part = next(p for p in ctx.programs if p not in ("bass", "melody"))
    for p in tonic_chord.voice(57):
        ctx.note(chord_part, p, t_end, HOLD_S, 90)
    if "bass" in ctx.programs:
        ctx.note("bass", tonic_chord.bass(36), t_end, HOLD_S, 104)
    if "melody" in ctx.programs:
        ctx.note("melody", tonic_chord.voice(69)[0], t_end, HOLD_S, 84)
    ctx.note("drums", CRASH, t_end, HOLD_S, 96)
    ctx.note("drums", KICK, t_end, 0.3, 110)
    # A silent controller event keeps fluidsynth rendering the decay.
    first = ctx.midi.instruments[0]
    first.control_changes.append(
        pretty_midi.ControlChange(number=7, value=100, time=t_end + HOLD_S + TAIL_S + 1.0)
    )
    for inst in ctx.midi.instruments:
        inst.notes.sort(key=lambda n: (n.start, n.pitch))
    n_pitched = sum(1 for inst in ctx.midi.instruments if not inst.is_drum)
    if n_pitched > 15:
        raise ValueError(f"{piece.name}: {n_pitched} pitched tracks do not fit 15 MIDI channels")
    return ctx.midi, bars, ctx


def truth(piece: Piece, bars: list[BarGrid], duration_s: float, offset_ms: float) -> dict[str, Any]:
    """Build the ground truth of a composed piece.

    Parameters
    ----------
    piece : Piece
        The piece.
    bars : list of BarGrid
        Its nominal bars.
    duration_s : float
        Duration of the written audio, in seconds.
    offset_ms : float
        Measured delay of the first audible onset after the first MIDI note.

    Returns
    -------
    dict
        The truth (see the module docstring).
    """
    t_end = bars[-1].times[-1]
    beats = [t for b in bars for t in b.times[:-1]] + [t_end]
    downbeats = [b.times[0] for b in bars] + [t_end]
    sections: list[dict[str, Any]] = []
    for si, spec in enumerate(piece.sections):
        sb = [b for b in bars if b.section == si]
        start, end = sb[0].times[0], sb[-1].times[-1]
        n_beats = sum(b.meter for b in sb)
        if spec.merge_prev and sections:
            sections[-1]["end"] = round(end, 6)
            continue
        entry: dict[str, Any] = {
            "start": round(start, 6),
            "end": round(end, 6),
            "meter": sb[0].meter,
            "bpm": round(60.0 * n_beats / (end - start), 3),
        }
        if spec.bpm_end is not None:
            entry["bpm_start"], entry["bpm_end"] = spec.bpm, spec.bpm_end
        if spec.style:
            entry["style"] = spec.style
        sections.append(entry)
    durations: dict[int, float] = {}
    for s in sections:
        durations[s["meter"]] = durations.get(s["meter"], 0.0) + s["end"] - s["start"]
    meter = max(durations, key=lambda m: durations[m])
    ibis = np.diff(beats)
    bpm = round(float(60.0 / np.median(ibis)), 3)
    out: dict[str, Any] = {
        "generator": GENERATOR_VERSION,
        "name": piece.name,
        "group": piece.group,
        "style": piece.style,
        "meter": meter,
        "bpm": bpm,
        "beats": [round(t, 6) for t in beats],
        "downbeats": [round(t, 6) for t in downbeats],
        "sections": sections,
        "notes": piece.notes,
        "duration_s": round(duration_s, 6),
        "render_offset_ms": round(offset_ms, 2),
    }
    if piece.meters_ok:
        out["meters_ok"] = list(piece.meters_ok)
    if piece.breaks:
        out["breaks"] = [
            {"start": round(bars[i].t(a), 6), "end": round(bars[i].t(b), 6)}
            for i, a, b in piece.breaks
        ]
    return out


# --- The hour ---------------------------------------------------------------------------
HOUR_NAME = "hour_medley"
"""Stem of the 60-minute file (FLAC) for the memory bound on long input."""

HOUR_S = 3600.0
"""Its length: the issue's longest input."""


def make_hour(out_dir: Path, sources: Sequence[Path], log: Callable[[str], None]) -> Path:
    """Write a 60-minute FLAC of corpus pieces played one after another, with its truth.

    The pieces are cycled in order until an hour is filled (the last one is cut); the
    truth holds every beat and downbeat, shifted by each piece's start. Written once per
    generator version.

    Parameters
    ----------
    out_dir : pathlib.Path
        Corpus folder.
    sources : sequence of pathlib.Path
        Corpus pieces (WAV, each with its truth).
    log : callable
        Called with one progress line.

    Returns
    -------
    pathlib.Path
        ``<out_dir>/hour_medley.flac``.
    """
    path = out_dir / f"{HOUR_NAME}.flac"
    if is_current(path):
        log(f"corpus: {path.name} is up to date")
        return path
    if not sources:
        raise ValueError("no corpus pieces to build the hour from")
    part = path.with_suffix(".part.flac")
    beats: list[float] = []
    downbeats: list[float] = []
    written = 0
    limit = round(HOUR_S * SAMPLE_RATE)
    t0 = time.perf_counter()
    with sf.SoundFile(str(part), "w", SAMPLE_RATE, 2, subtype="PCM_16", format="FLAC") as out:
        k = 0
        while written < limit:
            src = sources[k % len(sources)]
            k += 1
            audio, sr = sf.read(str(src), dtype="float32", always_2d=True)
            if sr != SAMPLE_RATE:
                raise RuntimeError(f"{src.name}: {sr} Hz, expected {SAMPLE_RATE}")
            audio = audio[: limit - written]
            if audio.shape[1] == 1:
                audio = np.repeat(audio, 2, axis=1)
            offset = written / SAMPLE_RATE
            end = offset + len(audio) / SAMPLE_RATE
            t = json.loads(truth_path(src).read_text(encoding="utf-8"))
            beats += [offset + b for b in t["beats"] if offset + b < end]
            downbeats += [offset + b for b in t["downbeats"] if offset + b < end]
            for a in range(0, len(audio), 1 << 18):  # block-wise: bounded memory
                out.write(audio[a : a + (1 << 18), :2])
            written += len(audio)
    part.replace(path)
    data = {
        "generator": GENERATOR_VERSION,
        "name": HOUR_NAME,
        "group": "hour",
        "duration_s": written / SAMPLE_RATE,
        "pieces": k,
        "beats": [round(b, 6) for b in beats],
        "downbeats": [round(b, 6) for b in downbeats],
        "notes": f"{k} corpus pieces one after another, {written / SAMPLE_RATE / 60:.0f} min",
    }
    truth_path(path).write_text(json.dumps(data) + "\n", encoding="utf-8")
    log(f"corpus: wrote {path.name} ({k} pieces) in {time.perf_counter() - t0:.1f} s")
    return path


# --- Rendering ----------------------------------------------------------------------------
def finish_audio(audio: npt.NDArray[np.float64], sr: int, end_s: float) -> npt.NDArray[np.float64]:
    """Cut the audio at ``end_s``, fade out the last 0.6 s and normalise the peak.

    Parameters
    ----------
    audio : numpy.ndarray
        Rendered samples, shape ``(n, channels)``.
    sr : int
        Sample rate in Hz.
    end_s : float
        Where to cut, in seconds.

    Returns
    -------
    numpy.ndarray
        The finished samples, peak at :data:`PEAK_DBFS`.
    """
    out = audio[: min(len(audio), round(end_s * sr))].copy()
    fade = round(0.6 * sr)
    out[-fade:] *= (0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, fade)))[:, None]
    peak = float(np.abs(out).max())
    if peak > 0:
        out *= 10.0 ** (PEAK_DBFS / 20.0) / peak
    return out


def truth_path(audio_path: Path) -> Path:
    """The truth file that goes with an audio file.

    Parameters
    ----------
    audio_path : pathlib.Path
        ``<name>.wav``.

    Returns
    -------
    pathlib.Path
        ``<name>.truth.json``.
    """
    return audio_path.with_name(audio_path.stem + ".truth.json")


def is_current(audio_path: Path) -> bool:
    """Whether a piece exists and was written by this generator version.

    Parameters
    ----------
    audio_path : pathlib.Path
        The piece's audio file.

    Returns
    -------
    bool
        Audio and truth exist and the truth's ``generator`` matches.
    """
    tp = truth_path(audio_path)
    if not (audio_path.exists() and tp.exists()):
        return False
    try:
        return json.loads(tp.read_text(encoding="utf-8")).get("generator") == GENERATOR_VERSION
    except (OSError, ValueError):
        return False


def make_piece(piece: Piece, out_dir: Path) -> tuple[Path, float]:
    """Compose, render and write one piece and its truth.

    Parameters
    ----------
    piece : Piece
        The piece.
    out_dir : pathlib.Path
        Output folder.

    Returns
    -------
    audio_path : pathlib.Path
        The written WAV.
    offset_ms : float
        Delay of the first audible onset after the first MIDI note.
    """
    midi, bars, _ = compose(piece)
    first_note = min(n.start for inst in midi.instruments for n in inst.notes)
    with tempfile.TemporaryDirectory(prefix="pasdeux_corpus_") as tmp:
        midi_path = Path(tmp) / "piece.mid"
        wav_tmp = Path(tmp) / "piece.wav"
        midi.write(str(midi_path))
        render(midi_path, wav_tmp, SAMPLE_RATE, 0.6, float_wav=True)
        audio, sr = sf.read(str(wav_tmp), dtype="float64", always_2d=True)
    if sr != SAMPLE_RATE:
        raise RuntimeError(f"fluidsynth rendered at {sr} Hz, expected {SAMPLE_RATE}")
    offset_ms = (first_onset_s(audio, sr) - first_note) * 1000.0
    if abs(offset_ms) > MAX_RENDER_OFFSET_MS:
        raise RuntimeError(f"{piece.name}: first onset {offset_ms:.1f} ms after the first note")
    end_s = bars[-1].times[-1] + HOLD_S + TAIL_S
    audio = finish_audio(audio, sr, end_s)
    audio_path = out_dir / f"{piece.name}.wav"
    part = audio_path.with_suffix(".part.wav")
    sf.write(str(part), audio.astype(np.float32), sr, subtype="PCM_16")
    part.replace(audio_path)
    data = truth(piece, bars, len(audio) / sr, offset_ms)
    truth_path(audio_path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return audio_path, offset_ms


def generate(
    out_dir: Path = DEFAULT_OUT,
    quick: bool = False,
    force: bool = False,
    log: Callable[[str], None] | None = None,
    jobs: int | None = None,
) -> list[Path]:
    """Write the corpus (skipping pieces already written by this generator version).

    Parameters
    ----------
    out_dir : pathlib.Path, optional
        Output folder (created if missing).
    quick : bool, optional
        Only the quick subset.
    force : bool, optional
        Regenerate every piece.
    log : callable, optional
        Called with one progress line per piece (default: print to stderr).
    jobs : int, optional
        Pieces rendered in parallel (default: the number of CPUs).

    Returns
    -------
    list of pathlib.Path
        Audio files of the requested pieces, in corpus order.
    """
    say = log if log is not None else (lambda msg: print(msg, file=sys.stderr, flush=True))
    out_dir.mkdir(parents=True, exist_ok=True)
    pieces = all_pieces(quick)
    paths = [out_dir / f"{p.name}.wav" for p in pieces]
    todo = [(p, path) for p, path in zip(pieces, paths) if force or not is_current(path)]
    for p, path in zip(pieces, paths):
        if (p, path) not in todo:
            say(f"corpus: {p.name} is up to date")
    t0 = time.perf_counter()

    def work(item: tuple[Piece, Path]) -> str:
        piece, _ = item
        start = time.perf_counter()
        path, offset_ms = make_piece(piece, out_dir)
        info = sf.info(str(path))
        return (
            f"corpus: wrote {path.name} ({info.duration:.1f} s, onset offset "
            f"{offset_ms:+.1f} ms) in {time.perf_counter() - start:.1f} s"
        )

    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        for line in pool.map(work, todo):
            say(line)
    if todo:
        say(f"corpus: {len(todo)} pieces in {time.perf_counter() - t0:.1f} s -> {out_dir}")
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--quick", action="store_true", help="only a small subset")
    parser.add_argument("--force", action="store_true", help="regenerate existing pieces")
    parser.add_argument("--jobs", type=int, default=None, help="parallel renders")
    args = parser.parse_args(argv)
    generate(args.out, quick=args.quick, force=args.force, jobs=args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
