"""Place figures on the music: a searched routine per stretch of one dance and meter.

The song's sections are grouped into *stretches*: consecutive sections danced to the same
dance in the same meter. Each stretch is planned as a whole by a beam search
(:mod:`pasdeux.choreo._search`) over chains of the dance's figures at the level, chained
by the library's follow rules; the search scores phrase alignment, highlights on the
phrases' peaks, variety and travel, keeps every step of both partners on the floor
(:mod:`pasdeux.choreo._floor`) and, on the song's last stretch, plans backwards from an
ending on the last bar. A progressive dance starts by the audience's side and travels the
line of dance counter-clockwise, turning each corner; a spot dance stays in its spot.
When no chain of figures keeps on the floor, :class:`~pasdeux.errors.InputError` says
which floor would do. The random choices come from ``seed``, so a seed gives one routine.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from pasdeux._limits import FLOOR_SIDE_RANGE_M, SEED_MAX
from pasdeux.choreo._floor import Pose, Shape, line_of_dance_rad, shape_of
from pasdeux.choreo._params import PlanParams
from pasdeux.choreo._search import Grid, Moves, Planned, Stage, fillable, search
from pasdeux.choreo._style import count_music
from pasdeux.choreo._types import PlacedFigure, Routine
from pasdeux.dances import DanceStyle, Figure, find_style, load_library, successors
from pasdeux.dances.geometry import CouplePose, couple_start
from pasdeux.errors import InputError
from pasdeux.music import Bar, MusicMap, rank_dances

__all__ = [
    "FLOOR_SIDE_RANGE_M",
    "LEVEL_ORDER",
    "SEED_MAX",
    "PlanParams",
    "check_options",
    "choreograph",
]

LEVEL_ORDER = ("newcomer", "bronze", "silver", "gold")
_Say = Callable[[str], None]


@dataclass(frozen=True)
class _Stretch:
    """Consecutive sections danced to one dance in one meter, and their bars."""

    dance: DanceStyle
    meter: int
    bars: tuple[Bar, ...]
    first_section: int
    last: bool


def choreograph(
    music: MusicMap,
    *,
    style: str | DanceStyle | None = None,
    level: str = "newcomer",
    floor_m: tuple[float, float] = (10.0, 8.0),
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    params: PlanParams | None = None,
) -> Routine:
    """Choose and place figures on ``music``'s bars.

    Parameters
    ----------
    music
        The song's music map.
    style
        A dance (or its name in the library), or ``None``/``"auto"`` for the dance that
        suits each section best.
    level
        Highest figure level to use (newcomer, bronze, silver, gold).
    floor_m
        Floor width and depth in metres.
    seed
        Seed for the choices among equally good figures.
    progress
        Called with one line per stretch planned (and per fallback taken).
    params
        The planner's tunables (:class:`PlanParams`; the defaults when None).

    Returns
    -------
    Routine
        The placed figures, in time order.

    Raises
    ------
    InputError
        For bad options, when no figure fits the song, or when the floor is too small for
        the dance's figures (the message names a floor that would do).
    """
    chosen = check_options(style=style, level=level, floor_m=floor_m, seed=seed)
    params = params or PlanParams()
    say: _Say = progress or (lambda _line: None)
    # The music as danced: half or double time, or re-counted in the dance's meter, for a
    # dance asked for; each section's dance with auto.
    danced = count_music(music, chosen, level=level, progress=say, params=params)
    music, level = danced.music, danced.level or level
    rng = np.random.default_rng(seed)
    floor = (float(floor_m[0]), float(floor_m[1]))
    placed: list[PlacedFigure] = []
    pose: Pose | None = None
    for stretch in _stretches(music, danced.dances):
        say(
            f"section {stretch.first_section + 1}: {stretch.dance.name} in {stretch.meter}/4 "
            f"from {stretch.bars[0].start:.1f} s, {len(stretch.bars)} bars"
        )
        where = (floor, pose)
        planned = _plan_or_substitute(music, stretch, chosen, level, where, params, rng, say)
        if planned is None:
            continue
        placed += planned[0]
        pose = planned[1]
    if not placed:
        raise InputError(music.source, "no figure fits this song's bars and meter")
    return Routine(
        source=music.source,
        level=level,
        seed=seed,
        floor_m=floor,
        beats=music.beats,
        first_downbeat_index=music.first_downbeat_index,
        figures=tuple(placed),
    )


def _stretches(music: MusicMap, dances: tuple[DanceStyle | None, ...]) -> list[_Stretch]:
    """The song's sections (each danced to its dance in ``dances``) grouped into stretches
    of one dance and meter; the last one takes the final chord's bar."""
    out: list[_Stretch] = []
    for number, (section, dance) in enumerate(zip(music.sections, dances, strict=True)):
        bars = tuple(
            b
            for b in music.bars
            if section.start - 1e-3 <= b.start < section.end - 1e-3 and b.meter == section.meter
        )
        if dance is None or not bars:
            continue
        if out and out[-1].dance.name == dance.name and out[-1].meter == section.meter:
            previous = out.pop()
            out.append(
                _Stretch(dance, section.meter, previous.bars + bars, previous.first_section, False)
            )
        else:
            out.append(_Stretch(dance, section.meter, bars, number, False))
    final_bar = _final_chord_bar(music)
    if out:
        tail = out.pop()
        bars = tail.bars
        last_end = music.sections[-1].end
        if final_bar is not None and final_bar.start <= last_end + 0.5:
            bars += (Bar(final_bar.index, final_bar.start, final_bar.end, tail.meter),)
        out.append(_Stretch(tail.dance, tail.meter, bars, tail.first_section, True))
    return out


def _plan_or_substitute(
    music: MusicMap,
    stretch: _Stretch,
    chosen: DanceStyle | None,
    level: str,
    where: tuple[tuple[float, float], Pose | None],
    params: PlanParams,
    rng: np.random.Generator,
    say: _Say,
) -> tuple[list[PlacedFigure], Pose] | None:
    """:func:`_plan_stretch`; where the stretch's dance was not the user's choice and its
    figures do not fit the floor, the next dance that suits the section and fits."""
    floor_m, pose = where
    if chosen is not None and stretch.dance.name == chosen.name:
        return _plan_stretch(music, stretch, level, floor_m, pose, params, rng, say)
    try:
        return _plan_stretch(music, stretch, level, floor_m, pose, params, rng, say, False)
    except InputError as exc:
        failed = exc
    section = music.sections[stretch.first_section]
    danceable = [
        s
        for s in load_library()
        if s.name != stretch.dance.name and s.figures_in_meter(_figure_meter(s, stretch.meter))
    ]
    by_name = {s.name: s for s in danceable}
    for fit in rank_dances(section.meter, section.bpm, danceable) if danceable else ():
        other = _Stretch(by_name[fit.name], stretch.meter, stretch.bars, stretch.first_section,
                         stretch.last)  # fmt: skip
        try:
            planned = _plan_stretch(music, other, level, floor_m, pose, params, rng, say, False)
        except InputError:
            continue
        say(f"{failed.problem}: dancing {other.dance.name} instead")
        return planned
    return _plan_stretch(music, stretch, level, floor_m, pose, params, rng, say)


def _plan_stretch(
    music: MusicMap,
    stretch: _Stretch,
    level: str,
    floor_m: tuple[float, float],
    pose: Pose | None,
    params: PlanParams,
    rng: np.random.Generator,
    say: _Say,
    explain: bool = True,
) -> tuple[list[PlacedFigure], Pose] | None:
    """Plan one stretch from ``pose`` (None: the start of the routine); returns the placed
    figures and where they leave the couple, or None when no figure fits. When its figures
    do not keep on the floor, the InputError names a floor that would do if ``explain``."""
    dance = stretch.dance
    figure_meter = _figure_meter(dance, stretch.meter)
    moves = _moves(dance, figure_meter, level, stretch.last, say)
    if moves is None:
        say(f"{dance.name} has no figures in {figure_meter}/4: the stretch is not danced")
        return None
    grid, first_beat = _grid(music, stretch, moves, figure_meter, params)
    grid, table = _fillable_holding(grid, moves)
    if table is None and moves.finals is not None:
        say(f"no chain of {dance.name} figures ends on an ending here: it ends on what fits")
        moves = _with_finals(moves, None)
        grid, table = _fillable_holding(grid, moves)
    if table is None:
        say(f"no chain of {dance.name} figures fills these bars: the stretch is not danced")
        return None

    def stage_on(floor: tuple[float, float]) -> Stage:
        if pose is None:
            return _stage(dance, None, floor, params)
        scale = (floor[0] / floor_m[0], floor[1] / floor_m[1])
        return _stage(dance, Pose(pose.x * scale[0], pose.y * scale[1], pose.facing_rad),
                      floor, params)  # fmt: skip

    problem = (grid, moves, table)
    chain = _search_or_explain(
        music.source, floor_m, problem, stage_on, params, rng, dance, level, explain
    )
    bar_beats = [first_beat + b for b in grid.bar_beats]
    placed = []
    for n, p in enumerate(chain):
        figure = moves.figures[p.figure]
        beat = first_beat + p.position * grid.unit_beats
        bar = stretch.bars[max(0, bisect.bisect_right(bar_beats, beat + 1e-6) - 1)]
        start = CouplePose.from_dancers(
            *couple_start((p.pose.x, p.pose.y), p.pose.facing_rad, figure.start_position)
        )
        held = p.position - (chain[n - 1].position + moves.lengths[chain[n - 1].figure] if n else 0)
        why = _reason(p, moves, grid, held * grid.unit_beats, stretch.last and n == len(chain) - 1)
        placed.append(_place(dance, figure, beat, bar, music, start, why))
    last = chain[-1]
    return placed, moves.shapes[last.figure].end_from(last.pose)


def _fillable_holding(grid: Grid, moves: Moves) -> tuple[Grid, list[list[bool]] | None]:
    """:func:`fillable`; where no chain of figures fills the stretch to its last bar (15
    bars of figures two bars long), the grid whose stretch may end up to a figure's
    length earlier, the couple holding its last pose (``cost_hold_per_beat`` a beat)."""
    table = fillable(grid, moves)
    earliest = max(1, grid.last_bar - max(moves.lengths) + 1)
    while table is None and grid.last_bar > earliest:
        grid = replace(grid, last_bar=grid.last_bar - 1)
        table = fillable(grid, moves)
    return grid, table


def _moves(dance: DanceStyle, figure_meter: int, level: str, last: bool, say: _Say) -> Moves | None:
    """The dance's figures at ``level`` in ``figure_meter`` and how they chain. A level
    without figures uses the dance's lowest; on the last stretch, a level without an
    ending borrows the lowest level's endings for the final figure only."""
    in_meter = dance.figures_in_meter(figure_meter)
    if not in_meter:
        return None
    rank = LEVEL_ORDER.index(level)
    figures = [f for f in in_meter if LEVEL_ORDER.index(f.level) <= rank]
    if not figures:
        rank = min(LEVEL_ORDER.index(f.level) for f in in_meter)
        say(
            f"{dance.name} has no {level} figures in {figure_meter}/4: "
            f"dancing its {LEVEL_ORDER[rank]} figures"
        )
        figures = [f for f in in_meter if LEVEL_ORDER.index(f.level) <= rank]
    final_only: list[Figure] = []
    if last and not any(f.ending for f in figures):
        endings = [f for f in in_meter if f.ending]
        if endings:
            lowest = min(LEVEL_ORDER.index(f.level) for f in endings)
            final_only = [f for f in endings if LEVEL_ORDER.index(f.level) == lowest]
            say(
                f"{dance.name} has no {LEVEL_ORDER[rank]} ending: it ends with "
                f"{final_only[0].name} ({LEVEL_ORDER[lowest]})"
            )
    everything = figures + final_only
    index = {f.id: i for i, f in enumerate(everything)}
    follows = tuple(
        tuple(index[g.id] for g in successors(dance, f) if g.id in index) if f in figures else ()
        for f in everything
    )
    starts = tuple(index[s] for s in dance.start_figures if s in index and index[s] < len(figures))
    starts = starts or tuple(range(len(figures)))
    finals: frozenset[int] | None = None
    if last:
        finals = frozenset(i for i, f in enumerate(everything) if f.ending) or None
        if finals is None:
            say(f"{dance.name} has no ending in {figure_meter}/4: it ends on what fits")
    unit = 1.0 if all(float(f.length_beats).is_integer() for f in everything) else 0.5
    return Moves(
        figures=tuple(everything),
        shapes=tuple(_shape(f) for f in everything),
        lengths=tuple(max(1, round(f.length_beats / unit)) for f in everything),
        follows=follows,
        starts=starts,
        finals=finals,
        basic=starts[0],
    )


_SHAPES: dict[int, tuple[Figure, Shape]] = {}
_SHAPES_KEPT = 4096


def _shape(figure: Figure) -> Shape:
    """The figure's shape, replayed once per figure object."""
    cached = _SHAPES.get(id(figure))
    if cached is None or cached[0] is not figure:
        if len(_SHAPES) > _SHAPES_KEPT:
            _SHAPES.clear()
        cached = (figure, shape_of(figure))
        _SHAPES[id(figure)] = cached
    return cached[1]


def _with_finals(moves: Moves, finals: frozenset[int] | None) -> Moves:
    return Moves(
        figures=moves.figures,
        shapes=moves.shapes,
        lengths=moves.lengths,
        follows=moves.follows,
        starts=moves.starts,
        finals=finals,
        basic=moves.basic,
    )


def _grid(
    music: MusicMap, stretch: _Stretch, moves: Moves, figure_meter: int, params: PlanParams
) -> tuple[Grid, int]:
    """The stretch's beat positions with its downbeats, phrase starts and peaks; and the
    beat number of its first position."""
    unit = 1.0 if all(float(f.length_beats).is_integer() for f in moves.figures) else 0.5
    tempo = music.tempo_map
    bar_beats = [round(tempo.beat_from_second(b.start)) for b in stretch.bars]
    first = bar_beats[0]
    end_beat = bar_beats[-1] + stretch.bars[-1].meter
    n = round((end_beat - first) / unit)
    positions = [round((b - first) / unit) for b in bar_beats]
    downbeats = np.zeros(n + 1, dtype=bool)
    every = max(1, figure_meter // stretch.meter)
    downbeats[positions[::every]] = True
    phrase_starts = np.zeros(n + 1, dtype=bool)
    peaks = np.zeros(n + 1, dtype=bool)
    for first_bar, n_bars in _phrases(music, stretch, params):
        phrase_starts[positions[first_bar]] = True
        peak = _peak_bar(music, stretch.bars[first_bar : first_bar + n_bars], params.peak_spread_db)
        peaks[positions[first_bar + peak]] = True
    phrase_starts[0] = False
    # A stretch ends less than a bar before its end; the song's last figure, its ending,
    # may end up to final_hold_max_beats early, its pose held on the final chord.
    last_bar = n - round(stretch.bars[-1].meter / unit) + 1
    if stretch.last:
        last_bar = min(last_bar, n - round(params.final_hold_max_beats / unit))
    last_bar = max(1, last_bar)
    relative = tuple(float(b - first) for b in bar_beats)
    # Where an odd bar (of another length) lies between two of the stretch's bars, the
    # couple may wait over it for the next whole bar.
    ends = [p + round(b.meter / unit) for p, b in zip(positions, stretch.bars, strict=True)]
    waits = {end: after for end, after in zip(ends, positions[1:], strict=False) if end < after}
    grid = Grid(n, unit, downbeats, phrase_starts, peaks, last_bar, relative, waits)
    return grid, first


def _phrases(music: MusicMap, stretch: _Stretch, params: PlanParams) -> list[tuple[int, int]]:
    """The phrases of the stretch as (first bar, bars) in the stretch's own bar numbers:
    the music map's where it has them, else groups of ``params.phrase_bars`` bars."""
    by_index = {b.index: i for i, b in enumerate(stretch.bars)}
    out: list[tuple[int, int]] = []
    for phrase in music.phrases:
        if phrase.first_bar in by_index:
            first = by_index[phrase.first_bar]
            out.append((first, min(phrase.n_bars, len(stretch.bars) - first)))
    if not out:
        count = len(stretch.bars)
        out = [(k, min(params.phrase_bars, count - k)) for k in range(0, count, params.phrase_bars)]
    return out


def _peak_bar(music: MusicMap, bars: tuple[Bar, ...], spread_db: float) -> int:
    """The loudest bar of a phrase (its index in ``bars``), or its middle bar when the
    energy curve does not tell one bar from the others."""
    middle = len(bars) // 2
    curve = music.energy
    if curve.hop_s <= 0 or not curve.values_db:
        return middle
    values = np.asarray(curve.values_db, dtype=float)
    levels = []
    for bar in bars:
        lo, hi = int(bar.start / curve.hop_s), math.ceil(bar.end / curve.hop_s)
        chunk = values[lo:hi]
        if chunk.size == 0:
            return middle
        levels.append(float(chunk.mean()))
    return int(np.argmax(levels)) if max(levels) - min(levels) >= spread_db else middle


def _stage(
    dance: DanceStyle,
    pose: Pose | None,
    floor_m: tuple[float, float],
    params: PlanParams,
) -> Stage:
    """Where the stretch starts: a progressive dance's first stretch by the audience's side
    near its left corner, on the line of dance along that side; any other where the last
    one left the couple (a spot dance makes that its spot). A first progressive stretch may
    start ``params.start_shifts_m`` along its line from there."""
    if pose is not None:
        lod = line_of_dance_rad(pose.x, pose.y, floor_m)
        return Stage(floor_m, dance.progressive, pose, lod, (pose.x, pose.y))
    start = Pose(0.0, 0.0, 0.0)
    if dance.progressive:
        inner = params.floor_margin_m + 1.0  # room for the first figure's steps
        from_left = max(inner, min(params.start_from_walls_m[0], floor_m[0] / 4))
        from_audience = max(inner, min(params.start_from_walls_m[1], floor_m[1] / 4))
        start = Pose(-floor_m[0] / 2 + from_left, -floor_m[1] / 2 + from_audience, 0.0)
        return Stage(floor_m, True, start, 0.0, (start.x, start.y), params.start_shifts_m)
    return Stage(floor_m, dance.progressive, start, 0.0, (start.x, start.y))


_GROW_M = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96)


def _search_or_explain(
    source: str,
    floor_m: tuple[float, float],
    problem: tuple[Grid, Moves, list[list[bool]]],
    stage_on: Callable[[tuple[float, float]], Stage],
    params: PlanParams,
    rng: np.random.Generator,
    dance: DanceStyle,
    level: str,
    explain: bool,
) -> list[Planned]:
    """The searched chain; when none keeps on the floor, an InputError naming a floor on
    which one does (or saying why none does)."""
    grid, moves, table = problem
    stage = stage_on(floor_m)
    for width in (params.beam_width, params.beam_retry_width):
        chain = search(grid, moves, stage, params, rng, width, table)
        if chain:
            return chain
    width_m, depth_m = floor_m
    what = f"the floor {width_m:g}x{depth_m:g} m is too small for the {dance.name}'s figures"
    if not explain:
        raise InputError(source, what)
    high = FLOOR_SIDE_RANGE_M[1]
    for grow_m in _GROW_M:
        bigger = (min(high, width_m + grow_m), min(high, depth_m + grow_m))
        quick = np.random.default_rng(0)
        if search(grid, moves, stage_on(bigger), params, quick, params.beam_width, table):
            raise InputError(
                source, f"{what} at {level} level; use at least {bigger[0]:g}x{bigger[1]:g} m"
            )
        if bigger == (high, high):
            break
    why = "they never turn a corner of the floor" if dance.progressive else "they leave its spot"
    raise InputError(source, f"{what} at {level} level: {why} in this song")


def _reason(planned: Planned, moves: Moves, grid: Grid, held_beats: float, final: bool) -> str:
    """Why the figure is where it is, for the step sheet's note column ("" when nothing
    but the chain put it there)."""
    figure = moves.figures[planned.figure]
    if final and figure.ending:
        return "ending on the final bar"
    notes = []
    if held_beats > 0:
        notes.append(f"after holding {held_beats:g} beat(s) over an odd bar")
    if planned.position == 0 or grid.phrase_starts[planned.position]:
        notes.append("starts a phrase")
    if planned.corner:
        notes.append("corner: first figure on the new line of dance")
    if figure.highlight:
        peak = grid.peaks[planned.position]
        notes.append("highlight on the phrase's peak" if peak else "highlight")
    return "; ".join(notes)


def check_options(
    *,
    style: str | DanceStyle | None,
    level: str,
    floor_m: tuple[float, float],
    seed: int = 0,
) -> DanceStyle | None:
    """Validate the user's choices before any work; returns the chosen dance (or None).

    Raises
    ------
    InputError
        For an unknown level or dance, a floor side outside :data:`FLOOR_SIDE_RANGE_M`
        (or not a finite number) or a seed outside 0 to :data:`SEED_MAX`.
    """
    if level not in LEVEL_ORDER:
        raise InputError(None, f"unknown level {level!r}; use one of {', '.join(LEVEL_ORDER)}")
    low, high = FLOOR_SIDE_RANGE_M
    if not all(math.isfinite(v) and low <= v <= high for v in floor_m):
        size = "too small" if min(floor_m) < low else "too large or not a number"
        raise InputError(
            None,
            f"floor {floor_m[0]:g}x{floor_m[1]:g} m is {size}: "
            f"each side must be {low:g} to {high:g} m",
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise InputError(None, f"--seed {seed!r}: must be a whole number from 0 to {SEED_MAX}")
    if isinstance(style, DanceStyle):
        return style
    return None if style in (None, "auto") else find_style(str(style))


def _final_chord_bar(music: MusicMap) -> Bar | None:
    """The bar that starts on the last downbeat when the song ends on a held chord there.

    Such a bar has no following downbeat, so it is not among ``music.bars``; an ending
    (a dip, a pose) belongs on it.
    """
    bars = music.bars
    if not bars or not music.downbeats:
        return None
    last = music.downbeats[-1]
    if last <= bars[-1].start + 1e-3 or music.duration_s - last < 1.0:
        return None
    return Bar(bars[-1].index + 1, last, music.duration_s, bars[-1].meter)


def _figure_meter(dance: DanceStyle, meter: int) -> int:
    """The meter of the dance's figures to use in bars of ``meter``: the same one, or 2/4
    and 4/4 for each other (two bars of 2/4 make a bar of 4/4)."""
    if dance.figures_in_meter(meter):
        return meter
    for other in {2: (4,), 4: (2,)}.get(meter, ()):
        if dance.figures_in_meter(other):
            return other
    return meter


def _place(
    dance: DanceStyle,
    figure: Figure,
    start_beat: float,
    bar: Bar,
    music: MusicMap,
    pose: CouplePose,
    why: str,
) -> PlacedFigure:
    """``figure`` placed on the music at ``start_beat``, the couple standing in ``pose``."""
    tempo = music.tempo_map
    end_beat = start_beat + figure.leader[0].beat + figure.length_beats
    centre = pose.centre_xy_m
    return PlacedFigure(
        dance=dance.name,
        figure=figure,
        start_beat=start_beat,
        start_s=round(tempo.second_from_beat(start_beat), 4),
        end_s=round(tempo.second_from_beat(end_beat), 4),
        bar=bar.index + 1,
        centre_xy_m=(round(centre[0], 4), round(centre[1], 4)),
        leader_facing_rad=round(pose.leader.facing_rad, 6),
        why=why,
        start_pose=pose,
    )
