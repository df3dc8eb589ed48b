"""Compose, render and annotate the bundled demo song.

The song is written in code with :mod:`pretty_midi`, rendered with the
``fluidsynth`` command-line synthesiser and the FluidR3 General MIDI
soundfont, and encoded to OGG Vorbis with :mod:`soundfile`.  Alongside the
audio a JSON file records the exact nominal beat grid, so the analysis code
can be tested against a known answer.

The piece changes metre and tempo partway through:

* Part A is a slow 4/4 pop ballad at 76 BPM, 12 bars (I-V-vi-IV in C):
  voiced piano chords, a string pad, bass on beats 1 and 3, soft drums
  (kick on 1 and 3, side-stick on 2 and 4, closed hi-hat eighths) and a
  flute melody.
* Part B is a 3/4 waltz at 87 BPM, 16 bars, "oom-pah-pah": bass and piano
  left hand on 1, piano and pizzicato strings on 2 and 3, an accordion
  melody, kick on 1 and hi-hat on 2 and 3.
* The song ends with a held C major chord on the downbeat after the last
  waltz bar.

Note timings are humanised slightly with a seeded random generator, but the
ground truth written to ``demo_song.truth.json`` is the nominal grid.

Usage::

    .venv/bin/python scripts/make_demo_song.py [--out-dir src/pasdeux/assets]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pretty_midi
import soundfile as sf

from gm_render import SOUNDFONT, first_onset_s, render

SEED = 20240607
"""Seed of the humanisation random generator."""

SAMPLE_RATE = 44100
"""Sample rate of the rendered audio, in Hz."""

BPM_A = 76.0
"""Tempo of the 4/4 ballad (part A)."""

BPM_B = 87.0
"""Tempo of the 3/4 waltz (part B)."""

METER_A = 4
"""Beats per bar in part A."""

METER_B = 3
"""Beats per bar in part B."""

FINAL_CHORD_HOLD_S = 2.6
"""How long the final chord is held, in seconds."""

TAIL_S = 1.0
"""Audio kept after the final chord is released, in seconds."""

PEAK_DBFS = -1.0
"""Target peak level of the encoded audio, in dBFS."""

JITTER_S = 0.008
"""Maximum humanisation offset of a note onset, in seconds."""

VORBIS_COMPRESSION = 0.55
"""``soundfile`` compression level for Vorbis (0 = best quality, 1 = smallest)."""

OGG_SERIAL = 0x70A5D002
"""Fixed Ogg stream serial number, so that re-encoding is byte-for-byte reproducible."""

RESOLUTION = 960
"""MIDI ticks per quarter note."""

# --- General MIDI programs (0-based) and drum keys ---------------------------
PROG_PIANO = 0
PROG_ACCORDION = 21
PROG_FINGER_BASS = 33
PROG_PIZZICATO = 45
PROG_STRINGS = 48
PROG_FLUTE = 73

KICK = 36
SIDE_STICK = 37
SNARE = 38
CLOSED_HAT = 42
PEDAL_HAT = 44
CRASH = 49

# --- Harmony -----------------------------------------------------------------
RIGHT_HAND: dict[str, tuple[int, ...]] = {
    "C": (60, 64, 67),
    "G": (59, 62, 67),
    "Am": (60, 64, 69),
    "F": (60, 65, 69),
    "G7": (59, 62, 65, 67),
    "C7": (58, 64, 67),
    "Dm": (62, 65, 69),
    "Fm": (60, 65, 68),
}
"""Close right-hand piano voicings (MIDI pitches) of each chord symbol."""

BASS_ROOT: dict[str, int] = {
    "C": 36,
    "G": 43,
    "Am": 45,
    "F": 41,
    "G7": 43,
    "C7": 36,
    "Dm": 38,
    "Fm": 41,
}
"""Bass-register root (MIDI pitch) of each chord symbol."""

CHORDS_A = ["C", "G", "Am", "F", "C", "G", "Am", "F", "Am", "F", "C", "G"]
"""One chord per bar of the ballad."""

CHORDS_B = [
    "C", "C", "G7", "G7", "G7", "G7", "C", "C",
    "C", "C7", "F", "Fm", "C", "G7", "C", "G7",
]  # fmt: skip
"""One chord per bar of the waltz."""

FINAL_CHORD = "C"
"""Chord held at the end of the song."""

# Melodies: one string per bar, space-separated ``NOTE:BEATS`` tokens ("r" = rest).
MELODY_A = [
    "E5:2 G5:1 E5:1",
    "D5:3 B4:1",
    "C5:2 E5:1 A5:1",
    "A5:2 G5:1 F5:1",
    "E5:1.5 D5:0.5 C5:1 E5:1",
    "G5:3 D5:1",
    "E5:1 C5:1 A4:1 C5:1",
    "F5:3 r:1",
    "C6:2 B5:1 A5:1",
    "A5:1.5 G5:0.5 F5:2",
    "E5:1 G5:1 C6:1 G5:1",
    "D5:2 G5:1 B5:1",
]
"""Flute melody of the ballad, one entry per 4/4 bar."""

MELODY_B = [
    "G5:2 E5:1",
    "C6:3",
    "B5:2 G5:1",
    "F5:3",
    "D5:1 F5:1 G5:1",
    "B5:2 A5:1",
    "G5:2 E5:1",
    "C5:3",
    "E5:1 G5:1 C6:1",
    "A#5:2 G5:1",
    "A5:3",
    "G#5:1 F5:1 C5:1",
    "C6:2 G5:1",
    "F5:2 D5:1",
    "E5:1 G5:1 E5:1",
    "D5:2 B4:1",
]
"""Accordion melody of the waltz, one entry per 3/4 bar."""


@dataclass(frozen=True)
class Section:
    """A stretch of the song with one metre and tempo.

    Parameters
    ----------
    start : float
        Time of the section's first downbeat, in seconds.
    bars : int
        Number of bars in the section.
    meter : int
        Beats per bar.
    bpm : float
        Tempo in beats per minute.
    """

    start: float
    bars: int
    meter: int
    bpm: float

    @property
    def beat_s(self) -> float:
        """Duration of one beat, in seconds."""
        return 60.0 / self.bpm

    @property
    def end(self) -> float:
        """Time of the downbeat that follows the section's last bar, in seconds."""
        return self.start + self.bars * self.meter * self.beat_s

    def beat_time(self, bar: int, beat: float) -> float:
        """Nominal time of a position inside the section.

        Parameters
        ----------
        bar : int
            Zero-based bar index within the section.
        beat : float
            Zero-based (possibly fractional) beat within the bar.

        Returns
        -------
        float
            Time in seconds.
        """
        return self.start + (bar * self.meter + beat) * self.beat_s


SECTION_A = Section(start=0.0, bars=len(CHORDS_A), meter=METER_A, bpm=BPM_A)
SECTION_B = Section(start=SECTION_A.end, bars=len(CHORDS_B), meter=METER_B, bpm=BPM_B)
FINAL_CHORD_S = SECTION_B.end


class Arranger:
    """Collects humanised notes into the instruments of a :class:`pretty_midi.PrettyMIDI`.

    Parameters
    ----------
    rng : numpy.random.Generator
        Seeded generator used for timing and velocity humanisation.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.midi = pretty_midi.PrettyMIDI(resolution=RESOLUTION, initial_tempo=BPM_A)
        self.tracks: dict[str, Any] = {}

    def track(self, name: str, program: int, is_drum: bool = False) -> Any:
        """Return the instrument called ``name``, creating it on first use.

        Parameters
        ----------
        name : str
            Track name.
        program : int
            General MIDI program number (0-based); ignored for drums.
        is_drum : bool, optional
            Whether the track plays on the GM percussion channel (10).

        Returns
        -------
        pretty_midi.Instrument
            The instrument.
        """
        if name not in self.tracks:
            inst = pretty_midi.Instrument(program=program, is_drum=is_drum, name=name)
            self.tracks[name] = inst
            self.midi.instruments.append(inst)
        return self.tracks[name]

    def note(
        self,
        inst: Any,
        pitch: int,
        start: float,
        duration: float,
        velocity: int,
        vel_jitter: int = 6,
    ) -> None:
        """Add one humanised note.

        Parameters
        ----------
        inst : pretty_midi.Instrument
            Target instrument.
        pitch : int
            MIDI pitch (or GM drum key).
        start : float
            Nominal onset, in seconds.
        duration : float
            Nominal length, in seconds.
        velocity : int
            Nominal MIDI velocity.
        vel_jitter : int, optional
            Maximum random velocity deviation.
        """
        offset = float(self.rng.uniform(-JITTER_S, JITTER_S))
        on = max(0.0, start + offset)
        off = max(on + 0.02, start + duration + offset)
        vel = int(np.clip(velocity + self.rng.integers(-vel_jitter, vel_jitter + 1), 1, 127))
        inst.notes.append(pretty_midi.Note(velocity=vel, pitch=pitch, start=on, end=off))

    def chord(
        self, inst: Any, pitches: tuple[int, ...], start: float, duration: float, velocity: int
    ) -> None:
        """Add several humanised notes sharing a nominal onset.

        Parameters
        ----------
        inst : pretty_midi.Instrument
            Target instrument.
        pitches : tuple of int
            MIDI pitches of the chord.
        start : float
            Nominal onset, in seconds.
        duration : float
            Nominal length, in seconds.
        velocity : int
            Nominal MIDI velocity.
        """
        for pitch in pitches:
            self.note(inst, pitch, start, duration, velocity, vel_jitter=4)


def parse_bar(spec: str) -> list[tuple[int | None, float, float]]:
    """Parse one bar of melody text.

    Parameters
    ----------
    spec : str
        Space-separated ``NOTE:BEATS`` tokens, e.g. ``"E5:2 G5:1 r:1"``.

    Returns
    -------
    list of tuple
        ``(pitch or None for a rest, beat offset in bar, length in beats)``.
    """
    events: list[tuple[int | None, float, float]] = []
    pos = 0.0
    for token in spec.split():
        name, beats_text = token.split(":")
        beats = float(beats_text)
        pitch = None if name == "r" else int(pretty_midi.note_name_to_number(name))
        events.append((pitch, pos, beats))
        pos += beats
    return events


def add_melody(arr: Arranger, inst: Any, sec: Section, bars: list[str], velocity: int) -> None:
    """Write a melody given as bar strings into ``inst``.

    Parameters
    ----------
    arr : Arranger
        The arranger.
    inst : pretty_midi.Instrument
        Melody instrument.
    sec : Section
        Section the melody belongs to.
    bars : list of str
        One :func:`parse_bar` string per bar.
    velocity : int
        Nominal velocity; notes on the downbeat are played a little louder.
    """
    if len(bars) != sec.bars:
        raise ValueError(f"melody has {len(bars)} bars, section has {sec.bars}")
    for bar, spec in enumerate(bars):
        events = parse_bar(spec)
        total = sum(beats for _, _, beats in events)
        if abs(total - sec.meter) > 1e-9:
            raise ValueError(f"bar {bar} of melody lasts {total} beats, expected {sec.meter}")
        for pitch, pos, beats in events:
            if pitch is None:
                continue
            accent = 8 if pos == 0.0 else 0
            start = sec.beat_time(bar, pos)
            arr.note(inst, pitch, start, beats * sec.beat_s * 0.95, velocity + accent)


def compose_ballad(arr: Arranger) -> None:
    """Arrange part A, the 4/4 ballad.

    Parameters
    ----------
    arr : Arranger
        The arranger to write into.
    """
    sec = SECTION_A
    b = sec.beat_s
    piano = arr.track("piano", PROG_PIANO)
    strings = arr.track("strings", PROG_STRINGS)
    bass = arr.track("bass", PROG_FINGER_BASS)
    drums = arr.track("drums", 0, is_drum=True)
    for bar, symbol in enumerate(CHORDS_A):
        rh = RIGHT_HAND[symbol]
        root = BASS_ROOT[symbol]
        t0 = sec.beat_time(bar, 0)
        # Piano: left-hand octave on 1 and 3, right-hand chord on every beat,
        # strongest on the downbeat.
        arr.chord(piano, (root, root + 12), t0, 2 * b * 0.95, 92)
        arr.chord(piano, (root + 12,), sec.beat_time(bar, 2), 2 * b * 0.9, 70)
        for beat, vel in enumerate((90, 56, 70, 56)):
            arr.chord(piano, rh, sec.beat_time(bar, beat), b * 0.9, vel)
        # String pad: the whole bar, changing with the harmony on the downbeat.
        pad = (rh[0], *(p + 12 for p in rh[-2:]))
        arr.chord(strings, pad, t0, 4 * b * 0.98, 52)
        # Bass on 1 and 3 (root, then root or fifth).
        third_beat = root + 7 if bar % 2 else root
        arr.note(bass, root, t0, 1.8 * b, 108)
        arr.note(bass, third_beat, sec.beat_time(bar, 2), 1.8 * b, 88)
        # Drums.
        if bar % 4 == 0:
            arr.note(drums, CRASH, t0, b, 80)
        arr.note(drums, KICK, t0, 0.5 * b, 112)
        arr.note(drums, KICK, sec.beat_time(bar, 2), 0.5 * b, 88)
        arr.note(drums, SIDE_STICK, sec.beat_time(bar, 1), 0.5 * b, 78)
        arr.note(drums, SIDE_STICK, sec.beat_time(bar, 3), 0.5 * b, 78)
        for eighth in range(8):
            vel = 68 if eighth == 0 else (52 if eighth % 2 == 0 else 38)
            arr.note(drums, CLOSED_HAT, sec.beat_time(bar, eighth / 2), 0.25 * b, vel)
    # One-beat snare fill on beat 4 of the last ballad bar, into the waltz.
    last = sec.bars - 1
    for i, vel in enumerate((60, 68, 76, 86)):
        arr.note(drums, SNARE, sec.beat_time(last, 3 + i / 4), 0.2 * b, vel)
    add_melody(arr, arr.track("flute", PROG_FLUTE), sec, MELODY_A, 74)


def compose_waltz(arr: Arranger) -> None:
    """Arrange part B, the 3/4 waltz.

    Parameters
    ----------
    arr : Arranger
        The arranger to write into.
    """
    sec = SECTION_B
    b = sec.beat_s
    piano = arr.track("piano", PROG_PIANO)
    strings = arr.track("strings", PROG_STRINGS)
    pizz = arr.track("pizzicato", PROG_PIZZICATO)
    bass = arr.track("bass", PROG_FINGER_BASS)
    drums = arr.track("drums", 0, is_drum=True)
    previous = None
    for bar, symbol in enumerate(CHORDS_B):
        rh = RIGHT_HAND[symbol]
        root = BASS_ROOT[symbol]
        t0 = sec.beat_time(bar, 0)
        # "Oom": bass root (or the fifth below on a repeated chord) on 1.
        oom = root - 5 if symbol == previous else root
        previous = symbol
        arr.note(bass, oom, t0, 0.9 * b, 112)
        arr.chord(piano, (oom + 12,), t0, 0.9 * b, 90)
        # "Pah-pah": short piano and pizzicato chords on 2 and 3.
        for beat in (1, 2):
            start = sec.beat_time(bar, beat)
            arr.chord(piano, tuple(p + 12 for p in rh), start, 0.45 * b, 62)
            arr.chord(pizz, rh, start, 0.45 * b, 70)
        # Soft pad, changing on the downbeat.
        arr.chord(strings, (rh[0], rh[-1]), t0, 3 * b * 0.98, 40)
        # Light drums.
        if bar % 4 == 0:
            arr.note(drums, CRASH, t0, b, 70 if bar else 90)
        arr.note(drums, KICK, t0, 0.5 * b, 110)
        arr.note(drums, CLOSED_HAT, t0, 0.3 * b, 50)
        arr.note(drums, PEDAL_HAT, sec.beat_time(bar, 1), 0.3 * b, 58)
        arr.note(drums, PEDAL_HAT, sec.beat_time(bar, 2), 0.3 * b, 58)
    add_melody(arr, arr.track("accordion", PROG_ACCORDION), sec, MELODY_B, 66)


def compose_ending(arr: Arranger) -> None:
    """Add the final held chord on the downbeat after the last waltz bar.

    Parameters
    ----------
    arr : Arranger
        The arranger to write into.
    """
    t = FINAL_CHORD_S
    hold = FINAL_CHORD_HOLD_S
    rh = RIGHT_HAND[FINAL_CHORD]
    root = BASS_ROOT[FINAL_CHORD]
    arr.chord(arr.track("piano", PROG_PIANO), (root, root + 12, *rh, rh[0] + 12), t, hold, 92)
    arr.chord(arr.track("strings", PROG_STRINGS), (*rh, rh[0] + 12), t, hold, 62)
    arr.note(arr.track("bass", PROG_FINGER_BASS), root, t, hold, 108)
    arr.note(arr.track("accordion", PROG_ACCORDION), rh[0] + 12, t, hold, 66)
    drums = arr.track("drums", 0, is_drum=True)
    arr.note(drums, KICK, t, 0.5, 112)
    arr.note(drums, CRASH, t, hold, 92)


def compose(seed: int = SEED) -> Any:
    """Compose the whole song.

    Parameters
    ----------
    seed : int, optional
        Seed for the humanisation random generator.

    Returns
    -------
    pretty_midi.PrettyMIDI
        The song, with tempo and time-signature changes matching the truth.
    """
    arr = Arranger(np.random.default_rng(seed))
    midi = arr.midi
    # Tempo map: 76 BPM for the ballad, 87 BPM from the first waltz downbeat.
    tick_b = SECTION_A.bars * SECTION_A.meter * RESOLUTION
    midi._tick_scales = [
        (0, 60.0 / (BPM_A * RESOLUTION)),
        (tick_b, 60.0 / (BPM_B * RESOLUTION)),
    ]
    midi._update_tick_to_time(tick_b + 1)
    midi.time_signature_changes = [
        pretty_midi.TimeSignature(METER_A, 4, 0.0),
        pretty_midi.TimeSignature(METER_B, 4, SECTION_B.start),
    ]
    compose_ballad(arr)
    compose_waltz(arr)
    compose_ending(arr)
    # A silent controller event after the release keeps fluidsynth rendering the
    # decay of the final chord (it stops at the last MIDI event).
    piano = arr.track("piano", PROG_PIANO)
    end_marker = FINAL_CHORD_S + FINAL_CHORD_HOLD_S + TAIL_S + 1.0
    piano.control_changes.append(pretty_midi.ControlChange(number=7, value=100, time=end_marker))
    for inst in midi.instruments:
        inst.notes.sort(key=lambda n: (n.start, n.pitch))
    return midi


def finish_audio(audio: npt.NDArray[np.float64], sr: int) -> npt.NDArray[np.float64]:
    """Trim the tail, fade it out and normalise the peak.

    Parameters
    ----------
    audio : numpy.ndarray
        Rendered samples, shape ``(n, channels)``.
    sr : int
        Sample rate in Hz.

    Returns
    -------
    numpy.ndarray
        Audio ending :data:`TAIL_S` after the final chord's release, peak at
        :data:`PEAK_DBFS`.
    """
    end = min(len(audio), round((FINAL_CHORD_S + FINAL_CHORD_HOLD_S + TAIL_S) * sr))
    out = audio[:end].copy()
    fade = round(0.6 * sr)
    out[-fade:] *= (0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, fade)))[:, None]
    peak = float(np.abs(out).max())
    if peak > 0:
        out *= 10.0 ** (PEAK_DBFS / 20.0) / peak
    return out


def write_ogg(path: Path, audio: npt.NDArray[np.float64], sr: int) -> None:
    """Encode audio to OGG Vorbis.

    The samples are written in blocks: libsndfile 1.2 can crash when a long
    signal is handed to its Vorbis encoder in a single call.

    Parameters
    ----------
    path : pathlib.Path
        Output file.
    audio : numpy.ndarray
        Samples, shape ``(n, channels)``.
    sr : int
        Sample rate in Hz.
    """
    data = np.ascontiguousarray(audio, dtype=np.float32)
    with sf.SoundFile(
        str(path),
        "w",
        samplerate=sr,
        channels=data.shape[1],
        format="OGG",
        subtype="VORBIS",
        compression_level=VORBIS_COMPRESSION,
    ) as f:
        for i in range(0, len(data), 8192):
            f.write(data[i : i + 8192])
    pin_ogg_serial(path)


def _ogg_crc_table() -> list[int]:
    """Build the lookup table of the Ogg page checksum (CRC-32, polynomial 0x04C11DB7)."""
    table = []
    for i in range(256):
        crc = i << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else (crc << 1)
        table.append(crc & 0xFFFFFFFF)
    return table


def pin_ogg_serial(path: Path, serial: int = OGG_SERIAL) -> None:
    """Rewrite an Ogg file's stream serial number in place.

    libsndfile gives each new Ogg stream a random serial number, so two
    encodings of the same samples differ in a few header bytes.  Pinning the
    serial (and recomputing every page checksum) makes the output
    byte-for-byte reproducible.

    Parameters
    ----------
    path : pathlib.Path
        Ogg file holding a single logical stream.
    serial : int, optional
        Serial number to write into every page header.
    """
    table = _ogg_crc_table()
    data = bytearray(path.read_bytes())
    pos = 0
    while pos < len(data):
        if data[pos : pos + 4] != b"OggS":
            raise ValueError(f"{path}: no Ogg page at byte {pos}")
        n_segments = data[pos + 26]
        body = sum(data[pos + 27 : pos + 27 + n_segments])
        end = pos + 27 + n_segments + body
        data[pos + 14 : pos + 18] = serial.to_bytes(4, "little")
        data[pos + 22 : pos + 26] = bytes(4)
        crc = 0
        for byte in data[pos:end]:
            crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
        data[pos + 22 : pos + 26] = crc.to_bytes(4, "little")
        pos = end
    path.write_bytes(bytes(data))


def truth(duration_s: float) -> dict[str, Any]:
    """Build the nominal ground truth of the song.

    Parameters
    ----------
    duration_s : float
        Duration of the encoded audio, in seconds.

    Returns
    -------
    dict
        Beats, downbeats, sections, final-chord time and duration, in seconds.
    """
    beats: list[float] = []
    downbeats: list[float] = []
    for sec in (SECTION_A, SECTION_B):
        for bar in range(sec.bars):
            downbeats.append(sec.beat_time(bar, 0))
            beats.extend(sec.beat_time(bar, beat) for beat in range(sec.meter))
    beats.append(FINAL_CHORD_S)
    downbeats.append(FINAL_CHORD_S)
    return {
        "beats": [round(t, 6) for t in beats],
        "downbeats": [round(t, 6) for t in downbeats],
        "sections": [
            {
                "start": round(sec.start, 6),
                "end": round(sec.end, 6),
                "meter": sec.meter,
                "bpm": sec.bpm,
            }
            for sec in (SECTION_A, SECTION_B)
        ],
        "final_chord_s": round(FINAL_CHORD_S, 6),
        "duration_s": round(duration_s, 6),
    }


def main(argv: list[str] | None = None) -> int:
    """Compose, render and write the demo song and its ground truth.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (defaults to ``sys.argv[1:]``).

    Returns
    -------
    int
        Process exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path("src/pasdeux/assets"),
        help="directory for demo_song.ogg and demo_song.truth.json",
    )
    args = parser.parse_args(argv)
    out_dir: Path = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    print(
        f"composing: A {SECTION_A.bars} bars 4/4 @ {BPM_A:g} BPM, "
        f"B {SECTION_B.bars} bars 3/4 @ {BPM_B:g} BPM, final chord at {FINAL_CHORD_S:.3f} s"
    )
    midi = compose()
    with tempfile.TemporaryDirectory(prefix="demo_song_") as tmp:
        midi_path = Path(tmp) / "song.mid"
        wav_path = Path(tmp) / "out.wav"
        midi.write(str(midi_path))
        print(f"rendering with fluidsynth ({SOUNDFONT.name})")
        render(midi_path, wav_path, SAMPLE_RATE, 0.8)
        audio, sr = sf.read(str(wav_path), dtype="float64", always_2d=True)
    if sr != SAMPLE_RATE:
        raise RuntimeError(f"fluidsynth rendered at {sr} Hz, expected {SAMPLE_RATE}")
    onset_ms = first_onset_s(audio, sr) * 1000.0
    print(f"rendered {len(audio) / sr:.2f} s, first onset at {onset_ms:.1f} ms")

    audio = finish_audio(audio, sr)
    duration_s = len(audio) / sr
    ogg_path = out_dir / "demo_song.ogg"
    write_ogg(ogg_path, audio, sr)
    size_kb = ogg_path.stat().st_size / 1024
    print(f"wrote {ogg_path} ({duration_s:.2f} s, {audio.shape[1]} ch, {size_kb:.0f} KiB)")

    truth_path = out_dir / "demo_song.truth.json"
    truth_path.write_text(json.dumps(truth(duration_s), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {truth_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
