"""Search one stretch of music for the best chain of figures: a beam search over beats.

The stretch is a grid of beat positions ``0..n`` (``n`` = its end). A partial routine is a
chain of figures from position 0 with the couple's pose and line of dance where it ends;
partial routines are kept per end position, the best ``beam_width`` of each, and extended
position by position with every figure allowed to follow (the library's follow rules).

Two things keep the search from walking into dead ends:

- *Backwards feasibility* (:func:`_feasible`): before searching, a pass from the end of
  the stretch back to its start marks which figure may start at which position so that
  some chain of allowed figures still fills the stretch and, on the song's last stretch,
  finishes with an ending on the last bar. The search only places such figures, so it
  plans backwards from the ending: the figure before the ending is one that may lead
  into it.
- *Floorcraft* in every extension: every foot and body point of both partners of the new
  figure stays on the floor inside the margin; a progressive couple starts each figure on
  its alignment to the line of dance, or (near the wall ahead) on the alignment after the
  corner, which turns the line a quarter left; a spot couple's centre stays in its spot.

Scores add up per figure (see :class:`~pasdeux.choreo.PlanParams`): phrase starts
crossed, bars not started on a downbeat, repetition, highlights on or off the phrases'
peaks, metres along the line of dance, distance from the spot, the final hold, and a
seeded random share that makes a seed choose among equally good routines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from pasdeux.choreo._floor import Pose, Shape, aligned_line, to_wall_ahead_m, wrap_rad
from pasdeux.choreo._params import PlanParams
from pasdeux.dances import ALIGNMENT_EIGHTHS, Figure

__all__ = ["Grid", "Moves", "Planned", "Stage", "fillable", "search"]


@dataclass(frozen=True)
class Grid:
    """A stretch of music as beat positions ``0..n``, each ``unit_beats`` long.

    ``downbeats``, ``phrase_starts`` and ``peaks`` mark positions (length ``n + 1``);
    ``last_bar`` is the earliest position at which the stretch may end: it ends when a
    figure ends there or later (the rest is held still), and on the song's last stretch
    that figure is an ending. ``bar_beats`` are the beats of its bars from position 0.
    ``waits`` maps the end of a bar followed by an odd bar (a bar of another length,
    which no figure of the stretch's meter fills) to the start of the next whole bar: the
    couple may hold its pose over the odd bar.
    """

    n: int
    unit_beats: float
    downbeats: NDArray[np.bool_]
    phrase_starts: NDArray[np.bool_]
    peaks: NDArray[np.bool_]
    last_bar: int
    bar_beats: tuple[float, ...] = ()
    waits: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Moves:
    """The figures a stretch may use and how they chain (indices into ``figures``)."""

    figures: tuple[Figure, ...]
    shapes: tuple[Shape, ...]
    lengths: tuple[int, ...]
    follows: tuple[tuple[int, ...], ...]
    starts: tuple[int, ...]
    finals: frozenset[int] | None
    basic: int


@dataclass(frozen=True)
class Stage:
    """Where the couple dances the stretch: the floor and how it travels.

    A progressive couple may start ``start_shifts_m`` forward along the line of dance from
    ``start`` (the search picks one; a stretch that goes on from the last one's end has
    only 0).
    """

    floor_m: tuple[float, float]
    progressive: bool
    start: Pose
    lod_rad: float
    spot: tuple[float, float]
    start_shifts_m: tuple[float, ...] = (0.0,)
    check_floor: bool = True


@dataclass(frozen=True)
class Planned:
    """One figure of a found chain: which, at which position, from which pose."""

    figure: int
    position: int
    pose: Pose
    corner: bool


@dataclass(frozen=True)
class _Marks:
    """The grid's marks as plain lists: downbeats, and running counts of phrase starts
    and peaks (``count[b] - count[a]`` = marks in positions ``a..b-1``)."""

    downbeats: list[bool]
    phrase_count: list[int]
    peak_count: list[int]

    @classmethod
    def of(cls, grid: Grid) -> _Marks:
        def running(marks: NDArray[np.bool_]) -> list[int]:
            return [0, *np.cumsum(marks.astype(int)).tolist()]

        return cls(grid.downbeats.tolist(), running(grid.phrase_starts), running(grid.peaks))


@dataclass
class _State:
    cost: float
    position: int
    figure: int
    pose: Pose
    lod_rad: float
    run: int
    counts: tuple[int, ...]
    parent: _State | None
    corner: bool = False
    waited: bool = False


def search(
    grid: Grid, moves: Moves, stage: Stage, params: PlanParams, rng: np.random.Generator,
    beam_width: int, can_start: list[list[bool]],
) -> list[Planned] | None:  # fmt: skip
    """The best chain of figures for the stretch, or None when none keeps to the rules.

    ``can_start`` is :func:`fillable`'s table for ``grid`` and ``moves``.
    """
    buckets: list[list[_State]] = [[] for _ in range(grid.n + 1)]
    for pose in _start_poses(moves, stage):
        counts = (0,) * len(moves.figures)
        buckets[0].append(_State(0.0, 0, -1, pose, stage.lod_rad, 0, counts, None))
    marks = _Marks.of(grid)
    aligned = _phrase_reach(grid, moves, can_start)
    best: tuple[float, _State] | None = None
    for position in range(grid.n + 1):
        width = beam_width if position else max(beam_width, len(buckets[0]))
        for state in _prune(buckets[position], width, aligned[position], params.cost_phrase_cross):
            if _done(state, grid, moves):
                held = (grid.n - position) * grid.unit_beats
                total = state.cost + held * params.cost_hold_per_beat
                total += _over_share_cost(state.counts, params)
                last = moves.figures[state.figure]
                if last.ending:  # it is the end
                    total -= params.cost_ending_before_the_end * (0.3 if last.highlight else 1.0)
                if best is None or total < best[0]:
                    best = (total, state)
            if state.figure >= 0 and position in grid.waits:
                buckets[grid.waits[position]].append(_waited(state, grid, params))
            nexts = moves.follows[state.figure] if state.figure >= 0 else moves.starts
            for nxt in nexts:
                if can_start[nxt][position]:
                    child = _extend(state, nxt, marks, moves, stage, params, grid.n)
                    if child is not None:
                        child.cost += params.seed_noise * float(rng.random())
                        buckets[child.position].append(child)
    if best is None:
        return None
    chain: list[Planned] = []
    node: _State | None = best[1]
    while node is not None and node.figure >= 0:
        if node.waited:
            node = node.parent
            continue
        parent = node.parent
        assert parent is not None
        start_pose = parent.pose
        if parent.figure < 0 and stage.progressive:
            start_pose = _oriented(moves.figures[node.figure], parent.pose, parent.lod_rad)
        chain.append(Planned(node.figure, parent.position, start_pose, node.corner))
        node = parent
    return chain[::-1]


def _waited(state: _State, grid: Grid, params: PlanParams) -> _State:
    """``state`` held still over the odd bar after its position."""
    until = grid.waits[state.position]
    cost = state.cost + (until - state.position) * grid.unit_beats * params.cost_wait_per_beat
    return replace(state, cost=cost, position=until, parent=state, corner=False, waited=True)


def _over_share_cost(counts: tuple[int, ...], params: PlanParams) -> float:
    """``cost_over_share`` for each figure of a whole chain beyond its share (the
    estimate made figure by figure in :func:`_variety_cost` can fall short)."""
    if len(counts) <= 2:
        return 0.0
    limit = max(1.0, params.max_figure_share * sum(counts))
    return params.cost_over_share * sum(c - limit for c in counts if c > limit)


def _done(state: _State, grid: Grid, moves: Moves) -> bool:
    """Whether the chain may end with ``state`` (its figure ends the stretch)."""
    if state.figure < 0 or state.position < grid.last_bar:
        return False
    return moves.finals is None or state.figure in moves.finals


def fillable(grid: Grid, moves: Moves) -> list[list[bool]] | None:
    """Which figure may start where so that a chain of the allowed figures fills the
    stretch, the floor aside (see :func:`_feasible`); None when no chain does."""
    can_start = _feasible(grid, moves)
    return can_start if any(can_start[f][0] for f in moves.starts) else None


def _prune(
    states: list[_State], width: int, aligned: list[bool], cost_phrase_cross: float
) -> list[_State]:
    """The ``width`` most promising states, one per figure, place and line: the cheapest,
    counting ``cost_phrase_cross`` already for a state whose figure cannot lead on to the
    next phrase start (``aligned``, by figure: :func:`_phrase_reach`), which the chain
    after it is bound to pay."""
    kept: dict[tuple[object, ...], _State] = {}

    def promise(state: _State) -> float:
        return state.cost + (0.0 if aligned[state.figure] else cost_phrase_cross)

    for state in sorted(states, key=promise):
        key = (
            state.figure,
            round(state.pose.x, 1),
            round(state.pose.y, 1),
            round(state.pose.facing_rad, 1),
            round(state.lod_rad, 1),
            min(state.run, 3),
        )
        if key not in kept:
            kept[key] = state
            if len(kept) >= width:
                break
    return list(kept.values())


def _phrase_reach(grid: Grid, moves: Moves, can_start: list[list[bool]]) -> list[list[bool]]:
    """``result[p][f]``: a chain whose last figure ``f`` ends at position ``p`` can go on to
    start a figure exactly on the next phrase start, the floor aside (``f = -1``, the last
    entry: the stretch's start). Past the last phrase start every chain can.

    The search ranks partial chains by it: a chain that has put itself out of step with
    the phrase (the Slow Foxtrot's 10-beat Natural Turn in a 16-beat phrase) is bound to
    cross the phrase start later, however good it looks now.
    """
    count, n = len(moves.figures), grid.n
    follows = [*moves.follows, moves.starts]
    result = [[True] * (count + 1) for _ in range(n + 1)]
    target = n + 1  # the next phrase start after the position (none: past the end)
    for position in range(n, -1, -1):
        if grid.phrase_starts[position]:
            target = position
            continue  # a chain ending on the phrase start is aligned
        if target > n:
            continue
        row = result[position]
        for f in range(count + 1):
            row[f] = any(
                can_start[g][position]
                and (
                    position + moves.lengths[g] == target
                    or (
                        position + moves.lengths[g] < target
                        and result[position + moves.lengths[g]][g]
                    )
                )
                for g in follows[f]
            ) or (
                position in grid.waits
                and grid.waits[position] <= target
                and (grid.waits[position] == target or result[grid.waits[position]][f])
            )
    return result


def _feasible(grid: Grid, moves: Moves) -> list[list[bool]]:
    """``result[f][p]``: figure ``f`` may start at position ``p`` and some chain of allowed
    figures after it fills the stretch (ending on an ending where ``moves.finals`` says)."""
    count, n = len(moves.figures), grid.n
    can_start = [[False] * (n + 1) for _ in range(count)]
    can_end = [[False] * (n + 1) for _ in range(count)]
    finals = moves.finals
    for f in range(count):
        if finals is None or f in finals:
            for position in range(grid.last_bar, n + 1):
                can_end[f][position] = True
    for position in range(n, -1, -1):
        starting = [False] * count
        for f in range(count):
            after = position + moves.lengths[f]
            if after <= n and can_end[f][after]:
                can_start[f][position] = starting[f] = True
        waits_until = grid.waits.get(position)
        for f in range(count):
            if not can_end[f][position]:
                can_end[f][position] = any(starting[g] for g in moves.follows[f])
            if waits_until is not None and can_end[f][waits_until]:
                can_end[f][position] = True
    return can_start


def _start_poses(moves: Moves, stage: Stage) -> list[Pose]:
    """Where the stretch may start: a progressive couple anywhere of ``start_shifts_m``
    along its line, facing any alignment its figures start on (a figure danced at any
    alignment keeps it), a spot couple as it stands."""
    start = stage.start
    if not stage.progressive:
        return [start]
    eighths = sorted(
        {ALIGNMENT_EIGHTHS[f.start_alignment] for f in moves.figures if f.start_alignment != "any"}
    )
    facings = [wrap_rad(stage.lod_rad - e * math.pi / 4) for e in eighths] or [start.facing_rad]
    along = math.cos(stage.lod_rad), math.sin(stage.lod_rad)
    return [
        Pose(start.x + shift * along[0], start.y + shift * along[1], facing)
        for shift in stage.start_shifts_m
        for facing in facings
    ]


def _oriented(figure: Figure, pose: Pose, lod_rad: float) -> Pose:
    """At the start of a stretch a progressive couple turns to the first figure's alignment."""
    if figure.start_alignment == "any":
        return pose
    facing = lod_rad - ALIGNMENT_EIGHTHS[figure.start_alignment] * math.pi / 4
    return Pose(pose.x, pose.y, math.atan2(math.sin(facing), math.cos(facing)))


def _extend(
    state: _State, nxt: int, marks: _Marks, moves: Moves, stage: Stage, params: PlanParams,
    n_positions: int,
) -> _State | None:  # fmt: skip
    """``state`` followed by figure ``nxt``, or None when the figure breaks a floor rule."""
    figure, shape = moves.figures[nxt], moves.shapes[nxt]
    pose, lod = state.pose, state.lod_rad
    corner = False
    if stage.progressive:
        if state.figure < 0:
            pose = _oriented(figure, pose, lod)
        else:
            ahead_m = to_wall_ahead_m(pose.x, pose.y, lod, stage.floor_m) - params.floor_margin_m
            open_ = ahead_m < params.corner_zone_m
            line = aligned_line(figure, pose.facing_rad, lod, open_, params.alignment_slack_eighths)
            if line is None:
                return None
            corner, lod = line != lod, line
    end = _placed_end(shape, pose, stage, params)
    if end is None:
        return None
    position = state.position + moves.lengths[nxt]
    cost = state.cost + _timing_cost(state, nxt, marks, moves, params)
    cost += _variety_cost(state, nxt, moves, params, n_positions)
    if stage.progressive:
        along = (end.x - pose.x) * math.cos(lod) + (end.y - pose.y) * math.sin(lod)
        cost += params.cost_per_lod_m * along
    else:
        d2 = (end.x - stage.spot[0]) ** 2 + (end.y - stage.spot[1]) ** 2
        cost += params.cost_per_spot_m2 * d2
    counts = list(state.counts)
    counts[nxt] += 1
    run = state.run + 1 if nxt == state.figure else 1
    return _State(cost, position, nxt, end, lod, run, tuple(counts), state, corner)


def _placed_end(shape: Shape, pose: Pose, stage: Stage, params: PlanParams) -> Pose | None:
    """Where the figure leaves the couple, or None when a point leaves the floor or the
    couple's centre leaves its spot."""
    if stage.check_floor:
        half_w = stage.floor_m[0] / 2 - params.floor_margin_m
        half_d = stage.floor_m[1] / 2 - params.floor_margin_m
        right, left, up, down = shape.extent_m(pose.facing_rad)
        if pose.x + right > half_w or pose.x - left < -half_w:
            return None
        if pose.y + up > half_d or pose.y - down < -half_d:
            return None
    if not stage.progressive:
        spot_x, spot_y = stage.spot
        if math.hypot(pose.x - spot_x, pose.y - spot_y) + shape.centre_reach_m > (
            params.spot_radius_m
        ):
            _, centres, end = shape.placed(pose)
            off = np.hypot(centres[:, 0] - spot_x, centres[:, 1] - spot_y)
            return end if off.max() <= params.spot_radius_m else None
    return shape.end_from(pose)


def _timing_cost(state: _State, nxt: int, marks: _Marks, moves: Moves, params: PlanParams) -> float:
    """Phrase starts crossed, a start off the downbeat, highlights on or off the peaks."""
    start, end = state.position, state.position + moves.lengths[nxt]
    crossed = marks.phrase_count[end] - marks.phrase_count[start + 1]
    cost = params.cost_phrase_cross * crossed
    if not marks.downbeats[start]:
        cost += params.cost_off_downbeat
    figure = moves.figures[nxt]
    if figure.ending:  # taken back if it ends the routine
        cost += params.cost_ending_before_the_end * (0.3 if figure.highlight else 1.0)
    if figure.highlight and not (moves.finals is not None and nxt in moves.finals):
        if marks.peak_count[start + 1] > marks.peak_count[start]:
            cost += params.cost_highlight_on_peak  # it starts on the peak
        elif marks.peak_count[end] > marks.peak_count[start]:
            cost += params.cost_highlight_on_peak / 2  # the peak falls inside it
        else:
            cost += params.cost_highlight_off_peak
        if state.figure >= 0 and moves.figures[state.figure].highlight:
            cost += params.cost_highlight_after_highlight
    return cost


def _variety_cost(
    state: _State, nxt: int, moves: Moves, params: PlanParams, n_positions: int
) -> float:
    """Repeats running, figures used often, a figure over its share of the stretch (of the
    figures it will hold at the pace of the chain so far)."""
    placed = sum(state.counts)
    cost = params.cost_share_so_far * state.counts[nxt] / placed if placed else 0.0
    if nxt == state.figure:
        cost += params.cost_repeat
        limit = params.basic_max_run if nxt == moves.basic else params.max_run
        if state.run + 1 > limit:
            cost += params.cost_over_run
    after = state.position + moves.lengths[nxt]
    projected = (placed + 1) * n_positions / after
    if len(moves.figures) > 2 and state.counts[nxt] + 1 > max(
        2.0, params.max_figure_share * projected
    ):
        cost += params.cost_over_share
    return cost
