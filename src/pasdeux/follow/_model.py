"""The hidden-state model: the leader's part of every figure, step by step, and the grammar.

A state is (figure, step index of the leader's part). Each state carries what the leader's
step looks like from outside, measured once by replaying the figure with the couple
geometry module from the ideal start of its position: the foot, the body's travel in his
own frame, his turn, the time since his previous step (beats) and where his joined hands
are. The follower replays the figures she may be in again from where the couple stood
when they began (:func:`figure_templates`), which the ideal start only approximates.
The transitions are the library's ``follows`` rules: the next step of the figure, or
after its last step the first step of a figure that may follow it; with small
probabilities he leaves a figure for the start of another mid-way, or follows a figure
with one the rules do not list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pasdeux.dances import DanceStyle, Figure, successors
from pasdeux.dances.geometry import (
    LEAD_HANDS_M,
    DancerPose,
    couple_start,
    forward_vector,
    hand_leads,
    replay_figure,
)
from pasdeux.follow._params import FollowParams

__all__ = ["Grammar", "Templates", "build_grammar", "figure_templates", "in_frame", "wrap"]

_HANDS = ("L", "R")


@dataclass(frozen=True)
class Grammar:
    """The states of one dance and their templates (arrays over the S states).

    ``move_m`` (S, 2) is the body's travel (forward, right) in the leader's frame before the
    step; ``hands_m`` (S, 2, 3) his L and R hands (forward, right, up) where ``joined``
    (S, 2) says they hold hers. ``trans`` (S, S) is the transition matrix, ``gap_beats``
    (S, S) the beats from one step to the next along it (NaN: not known, a change mid-way).
    ``her_steps[s]`` lists the follower's steps danced with the leader's step of state s:
    (her step index, beats after his step). ``foot_at_m`` (S, 2) is where his stepping
    foot lands from his body after the step and ``foot_move_m`` (S, 2) the foot's travel,
    both in his frame before the step; ``hand_lead_m`` (S, 2) his lead through the joined
    hands before his step of state s, in the same frame: the pull towards where her body
    travels and the twist of her turn over her steps that go with it
    (:func:`pasdeux.dances.geometry.hand_leads`).
    """

    figures: tuple[Figure, ...]
    figure_of: NDArray[np.int64]
    step_of: NDArray[np.int64]
    foot: NDArray[np.int64]
    move_m: NDArray[np.float64]
    turn_rad: NDArray[np.float64]
    hands_m: NDArray[np.float64]
    joined: NDArray[np.bool_]
    trans: NDArray[np.float64]
    gap_beats: NDArray[np.float64]
    start: NDArray[np.float64]
    her_steps: tuple[tuple[tuple[int, float], ...], ...]
    basic: int
    foot_at_m: NDArray[np.float64]
    foot_move_m: NDArray[np.float64]
    hand_lead_m: NDArray[np.float64]

    @property
    def size(self) -> int:
        """The number of states."""
        return len(self.figure_of)


def wrap(angle_rad: float) -> float:
    """An angle brought into [-pi, pi)."""
    return (angle_rad + math.pi) % (2 * math.pi) - math.pi


def in_frame(vector: NDArray[np.float64], facing_rad: float) -> NDArray[np.float64]:
    """A floor vector as (forward, right) components for a dancer facing ``facing_rad``."""
    fwd = forward_vector(facing_rad)
    return np.array([vector @ fwd, vector[0] * fwd[1] - vector[1] * fwd[0]])


_Template = tuple[
    int, NDArray[np.float64], float, NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]
]


def _templates(
    fig: Figure, params: FollowParams, start: tuple[DancerPose, DancerPose] | None = None
) -> list[_Template]:
    """(foot, travel in his frame, turn, where the foot lands from his body after the step,
    the foot's travel, his lead through the hands) of each of the leader's steps, replayed
    from ``start`` (his pose and hers; default: the ideal start of the figure's position);
    the vectors in his frame before the step."""
    if start is None:
        leader, follower = couple_start((0.0, 0.0), 0.0, fig.start_position)
    else:
        leader, follower = start[0].copy(), start[1].copy()
    replayed = replay_figure(fig, leader, follower)
    his = [rs for rs in replayed if rs.role == "leader"]
    leads = hand_leads(
        replayed,
        pull_m=params.lead_pull_m,
        pull_min_m=params.pull_min_m,
        twist_m=params.lead_twist_m,
        twist_min_rad=math.radians(params.twist_min_deg),
    )
    out = []
    for rs, lead in zip(his, leads, strict=True):
        move = np.subtract(rs.body_after, rs.body_before)
        turn = wrap(rs.facing_after - rs.facing_before)
        placed = in_frame(np.subtract(rs.foot_to, rs.body_after), rs.facing_before)
        travel = in_frame(np.subtract(rs.foot_to, rs.foot_from), rs.facing_before)
        out.append(
            (
                _HANDS.index(rs.step.foot),
                in_frame(move, rs.facing_before),
                turn,
                placed,
                travel,
                lead,
            )
        )
    return out


@dataclass(frozen=True)
class Templates:
    """What each of the leader's steps of one figure looks like from outside, replayed from
    a given start (rows: his steps; the columns of :class:`Grammar`'s arrays of the same
    names)."""

    move_m: NDArray[np.float64]
    turn_rad: NDArray[np.float64]
    foot_at_m: NDArray[np.float64]
    foot_move_m: NDArray[np.float64]
    hand_lead_m: NDArray[np.float64]


def figure_templates(
    fig: Figure, params: FollowParams, leader: DancerPose, follower: DancerPose
) -> Templates:
    """The templates of ``fig``'s leader steps replayed from where the couple stands (his
    pose and hers, not changed): a turn about the couple's centre carries him further or
    less far as she stands further or nearer than the position's ideal distance."""
    rows = _templates(fig, params, (leader, follower))
    return Templates(
        move_m=np.array([r[1] for r in rows]),
        turn_rad=np.array([r[2] for r in rows]),
        foot_at_m=np.array([r[3] for r in rows]),
        foot_move_m=np.array([r[4] for r in rows]),
        hand_lead_m=np.array([r[5] for r in rows]),
    )


def _her_steps(fig: Figure) -> list[tuple[tuple[int, float], ...]]:
    """Her steps grouped by the leader's step they go with (the last of his at or before)."""
    groups: list[list[tuple[int, float]]] = [[] for _ in fig.leader]
    for j, step in enumerate(fig.follower):
        k = max((i for i, s in enumerate(fig.leader) if s.beat <= step.beat), default=0)
        groups[k].append((j, step.beat - fig.leader[k].beat))
    return [tuple(g) for g in groups]


def _basic(style: DanceStyle) -> int:
    ids = [f.id for f in style.figures]
    named = [i for i, f in enumerate(ids) if "basic" in f or f in ("walks", "march")]
    return named[0] if named else ids.index(style.start_figures[0])


def build_grammar(style: DanceStyle, params: FollowParams) -> Grammar:
    """The states, templates and transitions of ``style`` (see :class:`Grammar`)."""
    figs = style.figures
    first: list[int] = []
    rows: list[tuple[int, int, int, NDArray[np.float64], float]] = []
    feet: list[tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]] = []
    her: list[tuple[tuple[int, float], ...]] = []
    for f, fig in enumerate(figs):
        first.append(len(rows))
        for k, (foot, move, turn, placed, travel, hers) in enumerate(_templates(fig, params)):
            rows.append((f, k, foot, move, turn))
            feet.append((placed, travel, hers))
        her += _her_steps(fig)
    size = len(rows)
    figure_of = np.array([r[0] for r in rows], dtype=np.int64)
    hands = np.zeros((size, 2, 3))
    joined = np.zeros((size, 2), dtype=bool)
    for s, (f, k, *_) in enumerate(rows):
        for hand, xyz in LEAD_HANDS_M[figs[f].leader[k].hold]:
            hands[s, _HANDS.index(hand)] = xyz
            joined[s, _HANDS.index(hand)] = True
    trans, gap = _transitions(style, first, figure_of, params)
    start = np.zeros(size)
    for f, fig in enumerate(figs):
        if fig.id in style.start_figures:
            start[first[f]] = 1.0
    return Grammar(
        figures=figs,
        figure_of=figure_of,
        step_of=np.array([r[1] for r in rows], dtype=np.int64),
        foot=np.array([r[2] for r in rows], dtype=np.int64),
        move_m=np.array([r[3] for r in rows]),
        turn_rad=np.array([r[4] for r in rows]),
        hands_m=hands,
        joined=joined,
        trans=trans,
        gap_beats=gap,
        start=start / start.sum(),
        her_steps=tuple(her),
        basic=_basic(style),
        foot_at_m=np.array([f[0] for f in feet]),
        foot_move_m=np.array([f[1] for f in feet]),
        hand_lead_m=np.array([f[2] for f in feet]),
    )


def _transitions(
    style: DanceStyle, first: list[int], figure_of: NDArray[np.int64], params: FollowParams
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The transition matrix and the beats between the steps along each transition."""
    figs = style.figures
    size = len(figure_of)
    trans = np.zeros((size, size))
    gap = np.full((size, size), np.nan)
    index = {fig.id: f for f, fig in enumerate(figs)}
    for f, fig in enumerate(figs):
        same_meter = [first[g] for g, other in enumerate(figs) if other.meter == fig.meter]
        last = first[f] + len(fig.leader) - 1
        for s in range(first[f], last + 1):
            k = s - first[f]
            leave = params.switch_prob if s < last else params.off_grammar_prob
            trans[s, same_meter] += leave / len(same_meter)
            if s < last:
                trans[s, s + 1] += 1.0 - leave
                gap[s, s + 1] = fig.leader[k + 1].beat - fig.leader[k].beat
        nexts = [index[g.id] for g in successors(style, fig)] or [f]
        for g in nexts:
            trans[last, first[g]] += (1.0 - params.off_grammar_prob) / len(nexts)
        for g, other in enumerate(figs):
            if other.meter == fig.meter:
                gap[last, first[g]] = fig.length_beats - fig.leader[-1].beat + other.leader[0].beat
    return trans / trans.sum(axis=1, keepdims=True), gap
