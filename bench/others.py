"""Compositions we did not write: scores from the music21 corpus, rendered with exact truth.

Each piece of :data:`SCORES` is a published score shipped in the ``music21`` package
(PyPI; Bach chorales, Mozart, Haydn and Beethoven quartets, Schubert, Joplin, Liliuokalani, J. R.
Johnson, Irish and American fife tunes, lead sheets). It is read with music21 (ties
merged; chord symbols of a lead sheet voiced as held piano chords, as the lead sheet asks),
played at the fixed tempo chosen in :data:`SCORES` (the beat the meter counts: a quarter in
2/4, 3/4 and 4/4, a dotted quarter in 6/8), rendered with ``fluidsynth`` and the FluidR3 GM
soundfont, and written with its truth next to it under ``<corpus>/others/``::

    {"beats": [...], "downbeats": [...], "meter": 3, "bpm": 88.0, "style": null,
     "sections": [...], "group": "others", "split": "tuning", "source": "bach/bwv269"}

The truth comes from the score: the bar grid starts where the first full bar starts (a
pick-up bar is counted back from it), one beat per beat of the time signature, one
downbeat per bar. A piece whose full bars do not all fall on that grid is refused (the
list holds only pieces that pass). Short tunes are played through again, as a band
plays a tune round, until they last :data:`MIN_S`; long movements are cut at the first
bar line after :data:`MAX_S`.

Checked against the scores (issue 11): the truth's bar lines are the score's full bars,
with the pick-up counted back from the first full bar (``paddingLeft``) and the bars split
by a repeat sign (a pick-up after the double bar) joined again; the repeats are played as
printed, once, in the audio and the truth alike; fermatas and tempo words are not
performed, in neither; the first sound of each rendering is within 5 ms of the truth's
first note. Where pasdeux and madmom both score downbeat F 0 with the beats right (the
chorales bwv66.6, bwv26.6, bwv40.8, bwv269; Haydn op. 1 no. 1; the Maple Leaf Rag) each
puts the bar line on one other beat of the score's bar all along, the same one for both
but in bwv26.6 (in bwv269, 3/4, on the third beat: the chorale's phrases start on that
pick-up after a half-note cadence); the truth stays the score's.

The tempi are chosen, not taken from the scores (few carry a metronome mark), to spread
from 50 to 152 beats a minute, several outside every dance's range.

Split: a piece is in the ``tuning`` half when the CRC-32 of its name is even, otherwise
``held-out`` (:func:`split_of`, shared with the generated corpus).
"""

from __future__ import annotations

import json
import math
import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pretty_midi
import soundfile as sf

import corpus
from gm_render import first_onset_s, render

OTHERS_VERSION = 1
"""Bumped whenever a change alters the audio or the truth; older files are re-rendered."""

MIN_S = 30.0
"""Shortest rendering: a shorter tune is played through again."""

MAX_S = 40.0
"""A longer piece is cut at the first bar line after this."""

VELOCITY = 84
"""MIDI velocity of a note whose score gives no dynamic."""


@dataclass(frozen=True)
class Score:
    """One score of the music21 corpus and how it is played."""

    name: str
    source: str
    bpm: float
    programs: tuple[int, ...]
    number: int | None = None


SCORES: tuple[Score, ...] = (
    # 4/4
    Score("bach_bwv66_6", "bach/bwv66.6", 80.0, (0,)),
    Score("bach_bwv26_6", "bach/bwv26.6", 72.0, (19,)),
    Score("bach_bwv40_8", "bach/bwv40.8", 92.0, (48,)),
    Score("bach_bwv153_1", "bach/bwv153.1", 66.0, (0,)),
    Score("aloha_oe", "liliuokalani/aloha_oe", 76.0, (0,)),
    Score("foster_brown_hair", "leadSheet/fosterBrownHair", 96.0, (73, 0)),
    Score("berlin_ragtime", "leadSheet/berlinAlexandersRagtime", 126.0, (56, 0)),
    Score("minstrel_boy", "miscFolk/americanfifeopus", 84.0, (72,), 24),
    # 3/4
    Score("bach_bwv269", "bach/bwv269", 88.0, (0,)),
    Score("schubert_lindenbaum", "schubert/Lindenbaum", 80.0, (0,)),
    Score("mozart_k156_3", "mozart/k156/movement3", 120.0, (40, 40, 41, 42)),
    Score("mozart_k80_3", "mozart/k80/movement3", 126.0, (40, 40, 41, 42)),
    Score("beethoven_op18_1_3", "beethoven/opus18no1/movement3", 144.0, (40, 40, 41, 42)),
    Score("god_save_the_king", "miscFolk/americanfifeopus", 72.0, (72,), 10),
    Score("star_spangled_banner", "miscFolk/americanfifeopus", 96.0, (72,), 26),
    # 2/4
    Score("joplin_maple_leaf", "joplin/maple_leaf_rag", 92.0, (0,)),
    Score("yankee_doodle", "miscFolk/americanfifeopus", 120.0, (72,), 30),
    Score("girl_left_behind", "miscFolk/americanfifeopus", 112.0, (72,), 21),
    Score("british_grenadiers", "miscFolk/americanfifeopus", 108.0, (72,), 6),
    Score("seventh_regiment_reel", "ryansMammoth/7thRegimentReel", 104.0, (110,)),
    # 6/8
    Score("lift_every_voice", "johnson_j_r/lift_every_voice", 50.0, (0,)),
    Score("mozart_k458_1", "mozart/k458/movement1", 96.0, (40, 40, 41, 42)),
    Score("haydn_op1_1_1", "haydn/opus1no1/movement1", 84.0, (40, 40, 41, 42)),
    Score("billy_orourkes_jig", "ryansMammoth/BillyORourkesJig", 112.0, (110,)),
    Score("catch_club_jig", "ryansMammoth/CatchClubJig", 120.0, (21,)),
    Score("green_cockade", "miscFolk/americanfifeopus", 100.0, (72,), 22),
)
"""The pieces: name, music21 corpus path, beats a minute, GM program per part (the last
one repeats for further parts), the tune's number in an abc collection."""

QUICK = ("bach_bwv269", "joplin_maple_leaf", "billy_orourkes_jig", "bach_bwv66_6")
"""Pieces of the ``--quick`` subset."""


def split_of(name: str) -> str:
    """The half a piece belongs to: ``tuning`` when the CRC-32 of its name is even.

    Parameters
    ----------
    name : str
        Piece name.

    Returns
    -------
    str
        ``"tuning"`` or ``"held-out"``.
    """
    return "tuning" if zlib.crc32(name.encode()) % 2 == 0 else "held-out"


def _beat_ql(ts: Any) -> tuple[float, int]:
    """Beat length (quarter notes) and beats per bar of a music21 time signature."""
    num, den = int(ts.numerator), int(ts.denominator)
    if den == 8 and num % 3 == 0:
        return 1.5, num // 3
    return 4.0 / den, num


def read_score(score: Score) -> dict[str, Any]:
    """Notes and bar grid of a score, in quarter notes.

    Parameters
    ----------
    score : Score
        The piece.

    Returns
    -------
    dict
        ``parts`` (per part a list of ``(onset_ql, end_ql, pitch, velocity)``),
        ``origin_ql`` (the first full bar's start, negative for a pick-up), ``bar_ql``,
        ``beat_ql``, ``meter`` and ``end_ql``.

    Raises
    ------
    ValueError
        If the piece changes meter or a full bar falls off the grid.
    """
    from music21 import corpus as m21corpus
    from music21 import harmony, meter, stream

    s = m21corpus.parse(score.source, number=score.number) if score.number else None
    s = s if s is not None else m21corpus.parse(score.source)
    if isinstance(s, stream.Opus):
        s = s.scores[0]
    sigs = {ts.ratioString for ts in s.recurse().getElementsByClass(meter.TimeSignature)}
    if len(sigs) != 1:
        raise ValueError(f"{score.name}: meters {sorted(sigs)}")
    ts = next(iter(s.recurse().getElementsByClass(meter.TimeSignature)))
    beat_ql, meter_n = _beat_ql(ts)
    bar_ql = beat_ql * meter_n
    measures = list(s.parts[0].getElementsByClass(stream.Measure))
    origin = -float(measures[0].paddingLeft)
    for m in measures:
        full = math.isclose(float(m.duration.quarterLength), bar_ql)
        if full and not math.isclose((float(m.offset) - origin) % bar_ql, 0.0, abs_tol=1e-6):
            raise ValueError(f"{score.name}: bar {m.number} off the grid")
    parts = [_part_notes(p, harmony) for p in s.parts]
    return {
        "parts": [p for p in parts if p],
        "origin_ql": origin,
        "bar_ql": bar_ql,
        "beat_ql": beat_ql,
        "meter": meter_n,
        "end_ql": float(s.highestTime),
    }


def _part_notes(part: Any, harmony: Any) -> list[tuple[float, float, int, int]]:
    """A part's notes (ties merged) and its chord symbols voiced until the next one."""
    flat = part.stripTies().flatten()
    notes: list[tuple[float, float, int, int]] = []
    symbols = list(flat.getElementsByClass(harmony.ChordSymbol))
    for n in flat.notes:
        if isinstance(n, harmony.ChordSymbol):
            continue
        vel = n.volume.velocity if n.volume.velocity is not None else VELOCITY
        on = float(n.offset)
        end = on + float(n.duration.quarterLength)
        notes += [(on, end, int(p.midi), int(vel)) for p in n.pitches if end > on]
    end_all = float(flat.highestTime)
    ends = [float(b.offset) for b in symbols[1:]] + [end_all] * bool(symbols)
    for a, end in zip(symbols, ends, strict=True):
        on = float(a.offset)
        for p in a.pitches:
            pitch = int(p.midi)
            while pitch >= 60:
                pitch -= 12
            notes.append((on, end, pitch + 12 if pitch < 43 else pitch, VELOCITY - 20))
    return notes


def plan(score: Score, notes: dict[str, Any]) -> tuple[int, float]:
    """How many times a piece is played through and where it is cut, in quarter notes.

    Parameters
    ----------
    score : Score
        The piece.
    notes : dict
        :func:`read_score`'s result.

    Returns
    -------
    tuple
        ``(rounds, cut_ql)``: a piece whose length is not whole bars is played once.
    """
    ql_s = 60.0 / score.bpm / notes["beat_ql"]
    length = notes["end_ql"]
    whole = math.isclose(length % notes["bar_ql"], 0.0, abs_tol=1e-6) or math.isclose(
        length % notes["bar_ql"], notes["bar_ql"], abs_tol=1e-6
    )
    rounds = max(1, math.ceil(MIN_S / (length * ql_s))) if whole else 1
    total = rounds * length
    max_ql = MAX_S / ql_s
    if total > max_ql:
        bars = math.ceil((max_ql - notes["origin_ql"]) / notes["bar_ql"])
        total = notes["origin_ql"] + bars * notes["bar_ql"]
    return rounds, total


def compose(score: Score, notes: dict[str, Any]) -> tuple[pretty_midi.PrettyMIDI, dict[str, Any]]:
    """The MIDI performance of a score and its truth (times from the first note).

    Parameters
    ----------
    score : Score
        The piece.
    notes : dict
        :func:`read_score`'s result.

    Returns
    -------
    tuple
        ``(midi, truth)``; the truth's times are relative to the score's start.
    """
    ql_s = 60.0 / score.bpm / notes["beat_ql"]
    rounds, cut = plan(score, notes)
    midi = pretty_midi.PrettyMIDI(initial_tempo=score.bpm)
    for i, part in enumerate(notes["parts"]):
        program = score.programs[min(i, len(score.programs) - 1)]
        inst = pretty_midi.Instrument(program=program)
        for r in range(rounds):
            shift = r * notes["end_ql"]
            for on, end, pitch, vel in part:
                on_r, end_r = on + shift, min(end + shift, cut)
                if on_r < cut and end_r > on_r:
                    note = pretty_midi.Note(vel, pitch, on_r * ql_s, end_r * ql_s)
                    inst.notes.append(note)
        midi.instruments.append(inst)
    first = notes["origin_ql"] if notes["origin_ql"] >= 0 else notes["origin_ql"] + notes["bar_ql"]
    beats = np.arange(first % notes["beat_ql"], cut - 1e-6, notes["beat_ql"])
    bars = np.arange(first, cut - 1e-6, notes["bar_ql"])
    truth = {
        "beats": (beats * ql_s).tolist(),
        "downbeats": (bars * ql_s).tolist(),
        "meter": notes["meter"],
        "bpm": score.bpm,
        "duration_ql": cut,
        "rounds": rounds,
    }
    return midi, truth


def make_piece(score: Score, out_dir: Path) -> Path:
    """Render one score and write its WAV and truth (skipped when both are current).

    Parameters
    ----------
    score : Score
        The piece.
    out_dir : pathlib.Path
        Folder of the renderings.

    Returns
    -------
    pathlib.Path
        The WAV file.
    """
    wav = out_dir / f"other_{score.name}.wav"
    tpath = corpus.truth_path(wav)
    if wav.exists() and tpath.exists():
        old = json.loads(tpath.read_text(encoding="utf-8"))
        if old.get("others_version") == OTHERS_VERSION and old.get("source") == score.source:
            return wav
    notes = read_score(score)
    midi, t = compose(score, notes)
    with tempfile.TemporaryDirectory(prefix="pasdeux_others_") as tmp:
        mid = Path(tmp) / "piece.mid"
        raw = Path(tmp) / "raw.wav"
        midi.write(str(mid))
        render(mid, raw, corpus.SAMPLE_RATE, 0.6)
        audio, sr = sf.read(str(raw), dtype="float64", always_2d=True)
    onset = first_onset_s(audio, sr)
    first_note = min(n.start for inst in midi.instruments for n in inst.notes)
    offset = onset - first_note
    end_s = t["duration_ql"] * 60.0 / score.bpm / notes["beat_ql"]
    audio = corpus.finish_audio(audio, sr, end_s + corpus.TAIL_S)
    sf.write(str(wav), audio, sr, subtype="PCM_16")
    shift = offset if abs(offset * 1000.0) <= corpus.MAX_RENDER_OFFSET_MS else 0.0
    beats = [b + shift for b in t["beats"]]
    downbeats = [b + shift for b in t["downbeats"]]
    truth = {
        "beats": beats,
        "downbeats": downbeats,
        "meter": t["meter"],
        "bpm": score.bpm,
        "style": None,
        "sections": [{"start": 0.0, "end": end_s, "meter": t["meter"], "bpm": score.bpm}],
        "group": "others",
        "split": split_of(score.name),
        "source": score.source + (f"#{score.number}" if score.number else ""),
        "rounds": t["rounds"],
        "render_offset_ms": round(offset * 1000.0, 2),
        "others_version": OTHERS_VERSION,
        "notes": f"{score.source} at {score.bpm:g} beats a minute",
    }
    tpath.write_text(json.dumps(truth) + "\n", encoding="utf-8")
    return wav


def generate(out_dir: Path, quick: bool = False, log: Callable[[str], None] = print) -> list[Path]:
    """Render every score of :data:`SCORES` (or of :data:`QUICK`) that is not cached.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder of the renderings (``<corpus>/others``).
    quick : bool, optional
        Only the :data:`QUICK` subset.
    log : callable, optional
        Progress sink.

    Returns
    -------
    list of pathlib.Path
        The WAV files, in :data:`SCORES` order (a score that cannot be read is logged and
        left out).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen: Sequence[Score] = [s for s in SCORES if not quick or s.name in QUICK]
    paths = []
    for score in chosen:
        try:
            paths.append(make_piece(score, out_dir))
        except (ValueError, OSError, RuntimeError) as exc:
            log(f"others: {score.name} left out: {exc}")
    return paths
