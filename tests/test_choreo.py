"""The planner: figures on the bars, in the right meter, chained by the library's rules."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import pytest

from pasdeux.choreo import Routine, choreograph
from pasdeux.dances import DanceStyle, find_style, style_from_data, successors
from pasdeux.dances.geometry import replay_figure
from pasdeux.errors import InputError
from pasdeux.music import MusicMap, Phrase, Section


def test_figures_tile_the_bars_in_each_section(truth_music: MusicMap) -> None:
    routine = choreograph(truth_music, seed=1)
    bars = truth_music.bars
    downbeats = {round(t, 4) for t in truth_music.downbeats}
    covered: list[int] = []
    for placed in routine.figures:
        assert round(placed.start_s, 4) in downbeats
        n_bars = round(placed.figure.length_beats / placed.figure.meter)
        covered += list(range(placed.bar, placed.bar + n_bars))
        section = next(
            s for s in reversed(truth_music.sections) if s.start - 1e-3 <= placed.start_s
        )
        assert placed.figure.meter == section.meter
    assert covered == sorted(set(covered)), "figures overlap"
    # Every complete bar of the song is danced, and the final chord gets the ending.
    assert covered == list(range(1, len(bars) + 2))


def test_switches_to_waltz_figures_when_the_song_turns_to_three_four(
    truth_music: MusicMap,
) -> None:
    routine = choreograph(truth_music, seed=3)
    change_s = truth_music.sections[1].start
    before = [p for p in routine.figures if p.start_s < change_s - 1e-3]
    after = [p for p in routine.figures if p.start_s >= change_s - 1e-3]
    assert before and after
    assert all(p.figure.meter == 4 for p in before)
    assert all(p.figure.meter == 3 for p in after)
    assert after[0].start_s == pytest.approx(change_s, abs=1e-3)
    # Slow Dance suits both parts, so the couple keeps dancing it (its waltz box in 3/4).
    assert {p.dance for p in routine.figures} == {"Slow Dance"}


def test_the_dance_asked_for_is_danced_in_a_section_heard_in_another_meter(
    truth_music: MusicMap,
) -> None:
    """A Waltz asked on a song whose first part is in 4/4: that part is counted in 3 (it
    used to hand over silently to another dance), and one warning line says so."""
    lines: list[str] = []
    routine = choreograph(truth_music, style="Waltz", seed=0, progress=lines.append)
    change_s = truth_music.sections[1].start
    assert {p.dance for p in routine.figures} == {"Waltz"}
    assert any(p.start_s < change_s - 1e-3 for p in routine.figures)
    assert all(p.figure.meter == 3 for p in routine.figures)
    (warning,) = [line for line in lines if line.startswith("warning: ")]
    assert warning.startswith("warning: Waltz asked on this song: section 1 (4/4 at 76 BPM)")
    assert "re-counted in 3/4" in warning


def test_consecutive_figures_follow_the_library_rules(truth_music: MusicMap) -> None:
    style = find_style("Slow Dance")
    for seed in range(5):
        routine = choreograph(truth_music, seed=seed)
        for a, b in zip(routine.figures, routine.figures[1:]):
            if a.figure.meter == b.figure.meter:
                assert b.figure.id in {f.id for f in successors(style, a.figure)}


def test_the_song_ends_with_an_ending_on_the_final_chord(truth_music: MusicMap) -> None:
    final_chord_s = truth_music.downbeats[-1]
    for seed in range(4):
        routine = choreograph(truth_music, seed=seed)
        assert routine.figures[-1].figure.ending
        assert routine.figures[-1].start_s == pytest.approx(final_chord_s, abs=1e-3)


def test_seed_decides_the_routine(truth_music: MusicMap) -> None:
    a = choreograph(truth_music, seed=7)
    assert a == choreograph(truth_music, seed=7)
    others = [choreograph(truth_music, seed=s) for s in range(8, 14)]
    assert any([p.figure.id for p in o.figures] != [p.figure.id for p in a.figures] for o in others)


def test_routine_json_round_trip(truth_music: MusicMap) -> None:
    routine = choreograph(truth_music, seed=2)
    again = Routine.from_dict(routine.to_dict())
    assert again == routine


def test_bad_options_are_input_errors(truth_music: MusicMap) -> None:
    with pytest.raises(InputError, match="unknown level"):
        choreograph(truth_music, level="expert")
    with pytest.raises(InputError, match="unknown dance"):
        choreograph(truth_music, style="Moonwalk")
    with pytest.raises(InputError, match="too small"):
        choreograph(truth_music, floor_m=(2.0, 2.0))


def _six_count_style() -> DanceStyle:
    """A swing-like dance whose only figures last 6 beats (1 1/2 bars of 4/4)."""

    def steps(first: str) -> list[dict[str, object]]:
        other = "R" if first == "L" else "L"
        feet = [first, other, first, other, first, other]
        beats = [0.0, 0.5, 1.0, 2.0, 2.5, 3.0]
        durations = [0.5, 0.5, 1.0, 0.5, 0.5, 1.0]
        out: list[dict[str, object]] = [
            {"beat": b, "duration_beats": d, "count": "1", "foot": f,
             "direction": "in_place", "size_m": 0.0, "hold": "closed"}
            for b, d, f in zip(beats, durations, feet)
        ]  # fmt: skip
        out += [
            {"beat": 4.0, "duration_beats": 1.0, "count": "5", "foot": first,
             "direction": "in_place", "size_m": 0.0, "hold": "closed"},
            {"beat": 5.0, "duration_beats": 1.0, "count": "6", "foot": other,
             "direction": "replace", "size_m": 0.0, "hold": "closed"},
        ]  # fmt: skip
        return out

    figure = {
        "id": "basic", "name": "Basic", "meter": 4, "length_beats": 6.0,
        "counts": "1&2 3&4 5 6", "level": "newcomer", "description": "triples and a rock",
        "start_position": "closed", "end_position": "closed",
        "leader": steps("L"), "follower": steps("R"),
    }  # fmt: skip
    data = {
            "schema": 1,
            "id": "swingish",
            "name": "Swingish",
            "kind": "swing",
            "progressive": False,
            "counting": "6 counts",
            "character": "test",
            "sources": [],
            "start_figures": ["basic"],
            "tempos": [{"meter": 4, "bpm_min": 60.0, "bpm_max": 100.0}],
            "figures": [figure],
    }  # fmt: skip
    return style_from_data(data, "swingish.toml")


def test_six_count_figures_follow_each_other_without_gaps(truth_music: MusicMap) -> None:
    four_four = replace(truth_music, sections=truth_music.sections[:1])
    routine = choreograph(four_four, style=_six_count_style(), seed=0)
    starts = [p.start_beat for p in routine.figures]
    assert starts == [6.0 * i for i in range(len(starts))]
    assert starts[-1] + 6.0 <= 12 * 4  # inside the 12 bars of 4/4
    assert len(starts) == 8


def test_two_four_bars_are_danced_as_four_four_figures(truth_music: MusicMap) -> None:
    beats = tuple(0.5 * i for i in range(65))
    two_four = replace(
        truth_music,
        duration_s=33.0,
        beats=beats,
        beat_in_bar=tuple(1 + i % 2 for i in range(65)),
        meter=2,
        bpm=120.0,
        mpm=60.0,
        phrases=(),
        sections=(Section(0.0, 33.0, 2, 120.0, "Merengue"),),
    )
    routine = choreograph(two_four, seed=0)
    assert {p.dance for p in routine.figures} == {"Merengue"}
    assert all(p.figure.meter == 4 for p in routine.figures)
    starts = [p.start_beat for p in routine.figures]
    assert starts[0] == 0.0
    assert all(b - a >= 4.0 for a, b in itertools.pairwise(starts))


@pytest.mark.parametrize(("level", "seed"), [("newcomer", 0), ("bronze", 1), ("gold", 2)])
def test_paso_doble_routine_in_two_four_stays_on_the_floor(
    truth_music: MusicMap, level: str, seed: int
) -> None:
    """32 bars of 2/4 at 120 BPM: Paso Doble's own 2/4 figures, chained by its rules, and
    the travelling figures keep the couple on the default 10 x 8 m floor."""
    n_beats = 32 * 2 + 1
    two_four = replace(
        truth_music,
        duration_s=33.0,
        beats=tuple(0.5 * i for i in range(n_beats)),
        beat_in_bar=tuple(1 + i % 2 for i in range(n_beats)),
        meter=2,
        bpm=120.0,
        mpm=60.0,
        phrases=(),
        sections=(Section(0.0, 33.0, 2, 120.0, "Paso Doble"),),
    )
    style = find_style("Paso Doble")
    routine = choreograph(two_four, style="Paso Doble", level=level, seed=seed)
    assert {p.dance for p in routine.figures} == {"Paso Doble"}
    assert all(p.figure.meter == 2 for p in routine.figures)
    starts = [p.start_beat for p in routine.figures]
    assert starts[0] == 0.0
    for a, b in itertools.pairwise(routine.figures):
        assert b.start_beat >= a.start_beat + a.figure.length_beats - 1e-6
        assert b.figure.id in {f.id for f in successors(style, a.figure)}
    assert routine.figures[-1].figure.ending
    half_w, half_d = routine.floor_m[0] / 2, routine.floor_m[1] / 2
    for placed in routine.figures:
        for step in replay_figure(placed.figure, *placed.start_pose.dancers()):
            x, y = step.body_after
            assert abs(x) <= half_w and abs(y) <= half_d, (placed.figure.id, x, y)


def _steady_song(
    truth_music: MusicMap,
    dance: str,
    meter: int,
    bpm: float,
    n_bars: int,
    phrase_bars: int | None = None,
) -> MusicMap:
    """``n_bars`` bars of ``meter`` at ``bpm`` from 0 s, one section suiting ``dance``, and
    phrases of ``phrase_bars`` bars (none: the planner counts 8-bar phrases itself)."""
    n_beats = n_bars * meter + 1
    beat_s = 60.0 / bpm
    beats = tuple(round(i * beat_s, 6) for i in range(n_beats))
    end = beats[-1] + 1.0
    phrases: tuple[Phrase, ...] = ()
    if phrase_bars:
        phrases = tuple(
            Phrase(first_bar=k, n_bars=phrase_bars, start=beats[meter * k],
                   end=beats[meter * (k + phrase_bars)])
            for k in range(0, n_bars, phrase_bars)
        )  # fmt: skip
    return replace(
        truth_music,
        duration_s=end,
        beats=beats,
        beat_in_bar=tuple(1 + i % meter for i in range(n_beats)),
        meter=meter,
        bpm=bpm,
        mpm=bpm / meter,
        phrases=phrases,
        sections=(Section(0.0, end, meter, bpm, dance),),
    )


def test_two_four_highlights_land_on_phrase_halves_in_four_four_music(
    truth_music: MusicMap,
) -> None:
    """Paso Doble's 2/4 figures danced to 4/4 music: a figure's length is counted in the
    music's bars and phrase positions in the music's bars, so the 16-beat Caping Walks
    (4 bars of 4/4, not 8) fit the second half of an 8-bar phrase, where the planner
    favours highlights. (Counted in 2/4 bars, neither was right and no highlight landed
    on a phrase half.)"""
    four_four = _steady_song(truth_music, "Paso Doble", 4, 120.0, 32)
    highlights = [
        placed
        for seed in range(12)
        for placed in choreograph(four_four, style="Paso Doble", seed=seed).figures
        if "highlight" in placed.why
    ]
    assert highlights
    on_half = [p for p in highlights if (p.bar - 1) % 8 == 4]
    # a figure may start on any of 8 phrase bars; the halves take most highlights
    assert len(on_half) >= 0.5 * len(highlights)


def test_highlights_follow_the_song_s_own_phrase_length(truth_music: MusicMap) -> None:
    """A 12-bar blues in three choruses: highlights favour the middle of each 12-bar
    phrase (bar 7), where an 8-bar grid would have put them on bars 5 and 9."""
    blues = _steady_song(truth_music, "East Coast Swing", 4, 140.0, 36, phrase_bars=12)
    highlights = [
        (placed.bar - 1) % 12
        for seed in range(12)
        for placed in choreograph(blues, style="East Coast Swing", seed=seed).figures
        if "highlight" in placed.why
    ]
    assert highlights
    assert highlights.count(6) >= 0.5 * len(highlights)


def _steps_off_floor_and_sweep_deg(routine: Routine) -> tuple[int, float]:
    """How many replayed steps land off the floor, and the angle the couple sweeps round
    the floor's centre (positive = counter-clockwise, the line of dance)."""
    half_w, half_d = routine.floor_m[0] / 2, routine.floor_m[1] / 2
    off, sweep, previous = 0, 0.0, None
    for placed in routine.figures:
        for step in replay_figure(placed.figure, *placed.start_pose.dancers()):
            x, y = step.body_after
            off += abs(x) > half_w or abs(y) > half_d
        angle = math.atan2(placed.centre_xy_m[1], placed.centre_xy_m[0])
        if previous is not None:
            sweep += (angle - previous + math.pi) % (2 * math.pi) - math.pi
        previous = angle
    return off, math.degrees(sweep)


def test_a_progressive_dance_travels_round_the_floor(truth_music: MusicMap) -> None:
    """64 bars of Quickstep: the couple starts by the audience's side, travels the line of
    dance counter-clockwise, turns the corners, and stays on the floor."""
    quick = _steady_song(truth_music, "Quickstep", 4, 200.0, 64)
    results = [
        _steps_off_floor_and_sweep_deg(
            choreograph(quick, style="Quickstep", level="gold", seed=seed)
        )
        for seed in range(6)
    ]
    assert all(sweep > 270.0 for _, sweep in results), results
    assert sum(off == 0 for off, _ in results) >= 4, results
