"""The planner's search: floorcraft, endings, phrasing and variety for every dance, and
known answers on tiny dances written for the test."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from pasdeux.choreo import PlanParams, Routine, choreograph
from pasdeux.dances import DanceStyle, load_library, style_from_data, successors
from pasdeux.dances.geometry import replay_figure
from pasdeux.errors import InputError
from pasdeux.music import EnergyCurve, MusicMap, Phrase, Section, TempoPoint

PARAMS = PlanParams()
DANCES = {style.name: style for style in load_library()}


def steady_music(
    dance: str, meter: int, bpm: float, seconds: float, *, phrase_bars: int = 8
) -> MusicMap:
    """``seconds`` of steady bars of ``meter`` at ``bpm`` suiting ``dance``, in phrases of
    ``phrase_bars`` bars whose loudest bar is the sixth, and a final chord of one second."""
    n_bars = int(seconds * bpm / 60 / meter)
    n_beats = n_bars * meter + 1
    beat_s = 60.0 / bpm
    beats = tuple(round(i * beat_s, 6) for i in range(n_beats))
    end = beats[-1] + 1.0
    phrases = tuple(
        Phrase(k, min(phrase_bars, n_bars - k), beats[meter * k],
               beats[meter * min(k + phrase_bars, n_bars)])
        for k in range(0, n_bars, phrase_bars)
    )  # fmt: skip
    hop_s = 0.1
    bar_of = (np.arange(0.0, end, hop_s) / (beat_s * meter)).astype(int)
    energy = np.where(bar_of % phrase_bars == 5, -2.0, -8.0)
    return MusicMap(
        source="steady.wav",
        duration_s=end,
        beats=beats,
        beat_in_bar=tuple(1 + i % meter for i in range(n_beats)),
        meter=meter,
        bpm=bpm,
        mpm=bpm / meter,
        tempo_curve=(TempoPoint(0.0, bpm),),
        phrases=phrases,
        sections=(Section(0.0, end, meter, bpm, dance),),
        accents=(),
        energy=EnergyCurve(hop_s, tuple(float(v) for v in energy)),
        dances=(),
    )


def music_for(style: DanceStyle, seconds: float = 180.0) -> MusicMap:
    """A steady song at the middle of ``style``'s first tempo range."""
    tempo = style.tempos[0]
    return steady_music(style.name, tempo.meter, (tempo.bpm_min + tempo.bpm_max) / 2, seconds)


def off_floor_points(routine: Routine, margin_m: float) -> list[tuple[str, float, float]]:
    """Every foot and body point of both partners, over every replayed step, that comes
    nearer than ``margin_m`` to a wall."""
    half_w = routine.floor_m[0] / 2 - margin_m + 1e-6
    half_d = routine.floor_m[1] / 2 - margin_m + 1e-6
    out = []
    for placed in routine.figures:
        leader, follower = placed.start_pose.dancers()
        for step in replay_figure(placed.figure, leader, follower):
            for x, y in (step.foot_from, step.foot_to, step.body_before, step.body_after):
                if abs(x) > half_w or abs(y) > half_d:
                    out.append((placed.figure.id, x, y))
    return out


def couple_centres(routine: Routine) -> list[tuple[float, float]]:
    """The couple's centre after every step of the routine."""
    out = []
    for placed in routine.figures:
        leader, follower = placed.start_pose.dancers()
        bodies = {"leader": leader.body, "follower": follower.body}
        for step in replay_figure(placed.figure, leader, follower):
            bodies[step.role] = np.array(step.body_after)
            centre = (bodies["leader"] + bodies["follower"]) / 2
            out.append((float(centre[0]), float(centre[1])))
    return out


def starts_on_one(style: DanceStyle) -> bool:
    """Whether every figure of the dance fills whole bars (six-count dances do not)."""
    return all(f.length_beats % f.meter == 0 for f in style.figures)


def turns_corners(style: DanceStyle) -> bool:
    """Whether any figure may follow another round a corner (starting on the alignment a
    quarter turn on from where the first ends: DC then DW)."""
    eighths = {"LOD": 0, "DW": 1, "W": 2, "DWA": 3, "ALOD": 4, "DCA": 5, "C": 6, "DC": 7}
    return any(
        g.start_alignment != "any"
        and f.end_alignment != "any"
        and eighths[g.start_alignment] == (eighths[f.end_alignment] + 2) % 8
        for f in style.figures
        for g in successors(style, f)
    )


def routine_or_explained(
    music: MusicMap, style: DanceStyle, seed: int, floor_m: tuple[float, float]
) -> Routine | None:
    """The routine on ``floor_m``, or, when pasdeux says the floor is too small, the
    routine on the floor it names (which must then work); None when it says the dance
    never turns a corner, which must be so."""
    try:
        return choreograph(music, style=style, seed=seed, floor_m=floor_m)
    except InputError as exc:
        message = str(exc)
        assert "is too small for the" in message, message
        if "they never turn a corner" in message:
            assert style.progressive and not turns_corners(style)
            return None
        assert "use at least" in message, message
        size = message.rsplit("use at least ", 1)[1].removesuffix(" m")
        width, depth = (float(v) for v in size.split("x"))
        assert width > floor_m[0] and depth > floor_m[1]
        return choreograph(music, style=style, seed=seed, floor_m=(width, depth))


def check_routine(
    routine: Routine, music: MusicMap, style: DanceStyle, *, share: bool = True
) -> None:
    """The properties every routine keeps (see the tests below); ``share``: also that no
    figure takes more than 35% of it."""
    figures = routine.figures
    assert off_floor_points(routine, PARAMS.floor_margin_m) == []
    assert figures[-1].figure.ending, figures[-1].figure.id
    for a, b in itertools.pairwise(figures):
        assert b.figure.id in {f.id for f in successors(style, a.figure)}, (
            a.figure.id,
            b.figure.id,
        )
        assert b.start_beat == pytest.approx(a.start_beat + a.figure.length_beats)
    # it starts on the first downbeat and covers the song: the ending ends on the final
    # chord at the latest, its pose held at most final_hold_max_beats
    assert figures[0].start_s == pytest.approx(music.downbeats[0])
    last = figures[-1]
    end_beat = last.start_beat + last.figure.length_beats
    song_beats = len(music.beats)  # the final chord's bar is one more bar after the last beat
    assert song_beats - 1 - PARAMS.final_hold_max_beats <= end_beat <= song_beats - 1 + 4
    if starts_on_one(style):
        tempo = music.tempo_map
        starts = {round(p.start_beat) for p in figures}
        phrase_beats = [round(tempo.beat_from_second(p.start)) for p in music.phrases]
        on_phrase = sum(b in starts for b in phrase_beats) / len(phrase_beats)
        assert on_phrase >= 0.9, on_phrase
    basic = style.start_figures[0]
    for figure_id, run in itertools.groupby(p.figure.id for p in figures):
        assert len(list(run)) <= (PARAMS.basic_max_run if figure_id == basic else 2), figure_id
    counts = Counter(p.figure.id for p in figures)
    assert not share or max(counts.values()) <= 0.35 * len(figures) + 1e-9, counts.most_common(2)
    if not style.progressive:
        spot = np.array(figures[0].centre_xy_m)
        far = max(float(np.hypot(*(np.array(c) - spot))) for c in couple_centres(routine))
        assert far <= PARAMS.spot_radius_m + 1e-6, far


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DANCES))
@pytest.mark.parametrize("floor_m", [(10.0, 8.0), (6.0, 5.0)])
def test_every_dance_keeps_the_rules_on_every_floor(
    name: str, floor_m: tuple[float, float]
) -> None:
    """Three minutes of each dance, three seeds: every step of both partners stays on the
    floor (or pasdeux names a floor on which it does, and that floor works), the routine
    ends on an ending, every transition is one the library allows, phrases start with
    figures, no figure runs more than twice (the basic four times) or takes more than 35%
    of the routine on the default floor (on the smallest the floor may leave fewer: the
    Paso Doble's only figure on the spot is the Sur Place), and a spot dance keeps within
    its 2 m spot. (Before the search, the Slow Foxtrot reached x = 64 m and only 3 of 15
    dances ended on an ending.)"""
    style = DANCES[name]
    music = music_for(style)
    for seed in range(3):
        routine = routine_or_explained(music, style, seed, floor_m)
        if routine is not None:
            check_routine(routine, music, style, share=floor_m == (10.0, 8.0))


def test_a_slow_dance_fits_a_three_metre_floor() -> None:
    style = DANCES["Slow Dance"]
    music = music_for(style, 90.0)
    routine = choreograph(music, style=style, seed=0, floor_m=(3.0, 3.0))
    check_routine(routine, music, style)


# --- tiny dances with known answers -------------------------------------------------------

_MIRROR = {"forward": "back", "back": "forward", "left": "right", "right": "left",
           "in_place": "in_place"}  # fmt: skip


def _figure(
    figure_id: str,
    steps: list[tuple[str, float, float]],
    follows: list[str],
    **extra: Any,
) -> dict[str, Any]:
    """A 4/4 figure of one step a beat: ``steps`` are the leader's (direction, size_m,
    turn_eighths); the follower mirrors them in closed hold."""

    def role(first: str, mirror: bool) -> list[dict[str, Any]]:
        other = "R" if first == "L" else "L"
        return [
            {"beat": float(i), "duration_beats": 1.0, "count": str(i + 1),
             "foot": first if i % 2 == 0 else other,
             "direction": _MIRROR[d] if mirror else d, "size_m": size,
             "turn_eighths": turn, "hold": "closed", "position": "closed"}
            for i, (d, size, turn) in enumerate(steps)
        ]  # fmt: skip

    return {
        "id": figure_id, "name": figure_id.title(), "meter": 4,
        "length_beats": float(len(steps)), "counts": "", "level": "newcomer",
        "description": "test figure", "start_position": "closed", "end_position": "closed",
        "leader": role("L", False), "follower": role("R", True), "follows": follows,
        **extra,
    }  # fmt: skip


def _style(
    name: str, progressive: bool, figures: list[dict[str, Any]], starts: list[str]
) -> DanceStyle:
    data = {
        "schema": 1, "id": name.lower(), "name": name, "kind": "standard",
        "progressive": progressive, "counting": "1 2 3 4", "character": "test",
        "sources": [], "start_figures": starts,
        "tempos": [{"meter": 4, "bpm_min": 100.0, "bpm_max": 140.0}], "figures": figures,
    }  # fmt: skip
    return style_from_data(data, f"{name}.toml")


def _walker(with_corner: bool) -> DanceStyle:
    """A progressive dance that walks the line of dance 2 m a bar-pair; with_corner adds a
    Quarter Left started facing the wall (the alignment after a corner), which turns the
    couple a quarter left onto the new line, and an ending."""
    walk = [("forward", 0.5, 0.0)] * 4
    quarter = [("forward", 0.3, -0.5), ("forward", 0.3, -0.5), ("forward", 0.3, -0.5),
               ("forward", 0.3, -0.5)]  # fmt: skip
    close = [("in_place", 0.0, 0.0)] * 4
    follows = ["walk", "quarter_left", "close"] if with_corner else ["walk", "close"]
    figures = [
        _figure("walk", walk, follows, start_alignment="LOD", end_alignment="LOD"),
        _figure("close", close, ["walk"], start_alignment="LOD", end_alignment="LOD",
                ending=True),
    ]  # fmt: skip
    if with_corner:
        figures.append(
            _figure("quarter_left", quarter, ["walk", "close"], start_alignment="W",
                    end_alignment="LOD")
        )  # fmt: skip
    return _style("Walker", True, figures, ["walk"])


def test_the_couple_turns_the_corners_of_the_floor() -> None:
    """The only way round a 10 x 8 m floor is the Quarter Left near the wall ahead: the
    search finds it at every corner it reaches, and the couple travels counter-clockwise
    along all four walls."""
    style = _walker(with_corner=True)
    music = steady_music("Walker", 4, 120.0, 120.0)
    routine = choreograph(music, style=style, seed=0, floor_m=(10.0, 8.0))
    assert off_floor_points(routine, PARAMS.floor_margin_m) == []
    corners = [p for p in routine.figures if p.figure.id == "quarter_left"]
    assert len(corners) >= 4
    assert all("corner" in p.why for p in corners)
    sweep, previous = 0.0, None
    for x, y in couple_centres(routine):
        angle = math.atan2(y, x)
        if previous is not None:
            sweep += (angle - previous + math.pi) % (2 * math.pi) - math.pi
        previous = angle
    assert sweep > 2 * math.pi  # more than once round, counter-clockwise


def test_a_floor_too_small_is_refused_with_the_floor_that_would_do() -> None:
    """Without a corner figure the walker walks into the wall: pasdeux refuses, naming a
    floor long enough for the song, and that floor works."""
    style = _walker(with_corner=False)
    music = steady_music("Walker", 4, 120.0, 20.0)
    with pytest.raises(InputError, match=r"floor 10x8 m is too small for the Walker's figures"):
        choreograph(music, style=style, seed=0, floor_m=(10.0, 8.0))
    routine = routine_or_explained(music, style, 0, (10.0, 8.0))
    assert routine is not None
    assert off_floor_points(routine, PARAMS.floor_margin_m) == []


def _chain_style() -> DanceStyle:
    """A spot dance whose only chain from its start to its ending in 11 bars is
    A B A B E: A (2 bars) leads to B (3 bars); B to A, to the ending E (1 bar), or to C
    (1 bar), which leads only back to A or C and never to the ending."""
    still = ("in_place", 0.0, 0.0)
    figures = [
        _figure("a", [still] * 8, ["b"]),
        _figure("b", [still] * 12, ["a", "c", "e"]),
        _figure("c", [still] * 4, ["a", "c"]),
        _figure("e", [still] * 4, ["a"], ending=True),
    ]
    return _style("Chain", False, figures, ["a"])


def test_the_search_backtracks_to_the_only_chain_that_ends_on_the_ending() -> None:
    style = _chain_style()
    bpm = 120.0
    music = steady_music("Chain", 4, bpm, 11 * 4 * 60 / bpm + 0.1)
    music = replace(music, duration_s=music.beats[-1] + 0.4)  # no final chord
    for seed in range(6):
        routine = choreograph(music, style=style, seed=seed)
        assert [p.figure.id for p in routine.figures] == ["a", "b", "a", "b", "e"]


def test_a_level_without_figures_uses_the_dance_s_lowest_and_says_so() -> None:
    style = _chain_style()
    bronze = replace(style, figures=tuple(replace(f, level="bronze") for f in style.figures))
    bpm = 120.0
    music = steady_music("Chain", 4, bpm, 11 * 4 * 60 / bpm + 0.1)
    said: list[str] = []
    routine = choreograph(music, style=bronze, level="newcomer", seed=0, progress=said.append)
    assert routine.figures
    assert any("no newcomer figures" in line and "bronze" in line for line in said), said


def test_planning_parameters_are_passed_in() -> None:
    """A wider margin is kept: the walker, who comes within 2 m of a wall with the
    default margin, keeps 2 m from every wall when PlanParams says so."""
    style = _walker(with_corner=True)
    music = steady_music("Walker", 4, 120.0, 60.0)
    routine = choreograph(music, style=style, seed=0, floor_m=(12.0, 10.0))
    assert off_floor_points(routine, 2.0) != []
    wide = PlanParams(floor_margin_m=2.0)
    routine = choreograph(music, style=style, seed=0, floor_m=(12.0, 10.0), params=wide)
    assert off_floor_points(routine, 2.0) == []


def with_odd_bar(music: MusicMap, after_bar: int, odd_beats: int) -> MusicMap:
    """``music`` with a bar of ``odd_beats`` beats inserted after bar ``after_bar``, as
    where a count restarts at a section: the later beats, phrases and energy move on."""
    meter, beat_s = music.meter, music.beats[1] - music.beats[0]
    cut = (after_bar + 1) * meter
    shift = odd_beats * beat_s
    beats = music.beats[:cut] + tuple(
        round(music.beats[0] + (cut + k) * beat_s, 6)
        for k in range(len(music.beats) - cut + odd_beats)
    )
    positions = music.beat_in_bar[:cut] + tuple(range(1, odd_beats + 1)) + music.beat_in_bar[cut:]
    phrases = tuple(
        p if p.first_bar <= after_bar
        else replace(p, first_bar=p.first_bar + 1, start=p.start + shift, end=p.end + shift)
        for p in music.phrases
    )  # fmt: skip
    end = beats[-1] + 1.0
    energy = music.energy
    pad = (round(shift / energy.hop_s),)
    values = energy.values_db[: round(beats[cut] / energy.hop_s)]
    values += (-8.0,) * pad[0] + energy.values_db[len(values) :]
    return replace(
        music,
        beats=beats,
        beat_in_bar=positions,
        phrases=phrases,
        duration_s=end,
        sections=(replace(music.sections[0], end=end),),
        energy=EnergyCurve(energy.hop_s, values),
    )


@pytest.mark.parametrize("odd_beats", [1, 2])
def test_the_couple_waits_over_an_odd_bar_to_start_the_next_phrase_on_its_first_beat(
    odd_beats: int,
) -> None:
    """A Waltz with an odd bar after its first phrase: no chain of 3-beat figures can
    start the next phrase on its downbeat without holding still over the odd bar, and the
    couple does, once, then every phrase starts a figure."""
    waltz = DANCES["Waltz"]
    music = with_odd_bar(music_for(waltz, 60.0), 7, odd_beats)
    assert [b.meter for b in music.bars].count(odd_beats) == 1
    for seed in range(3):
        routine = choreograph(music, style=waltz, seed=seed)
        starts = [f.start_s for f in routine.figures]
        for phrase in music.phrases:
            if phrase.start < routine.figures[-1].end_s:
                assert min(abs(s - phrase.start) for s in starts) < 1e-3, (seed, phrase)
        gaps = [
            round(b.start_s - a.end_s, 3)
            for a, b in itertools.pairwise(routine.figures)
            if b.start_s - a.end_s > 1e-3
        ]
        beat_s = music.beats[1] - music.beats[0]
        assert gaps == [pytest.approx(odd_beats * beat_s, abs=2e-3)], (seed, gaps)
        held = [f.why for f in routine.figures if "holding" in f.why]
        assert len(held) == 1
        assert f"after holding {odd_beats} beat(s) over an odd bar" in held[0]


def test_a_stretch_no_chain_fills_is_danced_to_its_last_whole_figure_then_held() -> None:
    """Eight bars for a dance whose only figure is three bars long: no chain fills them
    (the stretch used to be left undanced and the song refused), so the couple dances two
    figures and holds the last two bars."""
    still = ("in_place", 0.0, 0.0)
    triples = _style("Triples", False, [_figure("triple", [still] * 12, ["triple"])], ["triple"])
    music = steady_music("Triples", 4, 120.0, 8 * 4 * 0.5 + 0.1)
    music = replace(music, duration_s=music.beats[-1] + 0.4)  # no final chord
    said: list[str] = []
    routine = choreograph(music, style=triples, seed=0, progress=said.append)
    assert [(p.start_s, p.end_s) for p in routine.figures] == [(0.0, 6.0), (6.0, 12.0)]
    assert not any("not danced" in line for line in said), said
