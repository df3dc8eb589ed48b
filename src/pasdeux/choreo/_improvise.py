"""An improvising leader: figures chosen as he goes, and what his partner senses of him.

:func:`improvise` makes a leader's routine without music analysis: on a steady beat, from a
start figure, at every figure's end any figure the library's ``follows`` rules allow next,
chosen with a seeded random generator (no plan, no phrases). :func:`lead_frames` turns a
routine into what the follower feels of the leader frame by frame
(:class:`pasdeux.follow.LeaderFrame`): his body and facing, his feet and which is down, his
joined hands, the beats as they are heard. It is a kinematic stand-in for the motion stage,
fast enough for the follow benchmark: the body moves over each step with a smooth ease,
starting ``PlanParams.lead_body_s`` before the stepping foot leaves the floor (the lead),
the foot is in the air for ``swing_share`` of the time between his steps, and the hands
are where the step's hold puts them (:func:`pasdeux.dances.geometry.lead_hands`), taken up
as the lead of the step begins. Optional noise (:class:`LeadNoise`) moves each landing,
shifts each step's time and delays the lead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pasdeux.choreo._params import PlanParams
from pasdeux.choreo._types import PlacedFigure, Routine
from pasdeux.dances import DanceStyle, Figure, Foot, Hold, successors
from pasdeux.dances.geometry import (
    CouplePose,
    forward_vector,
    hand_leads,
    lead_hands,
    replay_figure,
    right_vector,
)
from pasdeux.follow import HandContact, LeaderFrame
from pasdeux.music import TempoMap

__all__ = ["LeadMotion", "LeadNoise", "LedStep", "improvise", "lead_frames", "lead_routine"]


@dataclass(frozen=True, kw_only=True)
class LeadNoise:
    """How untidy the leader is: each landing moved up to ``position_m`` (uniform in a disc),
    each step's time shifted up to ``timing_s`` either way, the lead ``late_lead_s`` late,
    and his lead through the joined hands moved up to ``pull_m`` (uniform in a disc)."""

    position_m: float = 0.0
    timing_s: float = 0.0
    late_lead_s: float = 0.0
    pull_m: float = 0.0


@dataclass(frozen=True)
class LedStep:
    """One of the leader's steps as danced: its figure (index in the routine) and step,
    when his body began to move for it (the lead), when the foot left and when it landed."""

    figure: int
    index: int
    lead_s: float
    lift_s: float
    land_s: float


@dataclass(frozen=True)
class LeadMotion:
    """The frames the follower senses, and the leader's steps behind them (the answers)."""

    frames: tuple[LeaderFrame, ...]
    steps: tuple[LedStep, ...]


def improvise(
    style: DanceStyle,
    *,
    figures: int,
    seed: int,
    bpm: float | None = None,
    meter: int | None = None,
    params: PlanParams | None = None,
) -> Routine:
    """A leader's routine of ``figures`` figures chosen as he goes.

    Parameters
    ----------
    style
        The dance.
    figures
        How many figures he dances.
    seed
        The random generator's seed (a seed gives one routine).
    bpm
        The steady tempo; the middle of the dance's range in ``meter`` by default.
    meter
        The meter (of the dance's, the first by default).
    params
        ``lead_in_beats`` (beats heard before his first figure).

    Returns
    -------
    Routine
        See :func:`lead_routine`.
    """
    rng = np.random.default_rng(seed)
    meter = meter or style.meters[0]
    chosen = _choose(style, meter, figures, rng)
    return lead_routine(style, chosen, bpm=bpm, params=params, seed=seed)


def lead_routine(
    style: DanceStyle,
    figures: Sequence[Figure],
    *,
    bpm: float | None = None,
    params: PlanParams | None = None,
    seed: int = 0,
) -> Routine:
    """The leader's routine of the given ``figures`` in order, on a steady beat.

    Parameters
    ----------
    style
        The dance (its name and tempo).
    figures
        His figures (the library's, or any others: a figure cut short, say).
    bpm
        The steady tempo; the middle of the dance's range in the figures' meter by default.
    params
        ``lead_in_beats`` (beats heard before his first figure).
    seed
        Recorded in the routine.

    Returns
    -------
    Routine
        The figures in order, each with the couple's pose where it begins (replayed by the
        couple geometry), on a beat grid starting at 0 s.
    """
    params = params or PlanParams()
    meter = figures[0].meter
    tempo = next((t for t in style.tempos if t.meter == meter), style.tempos[0])
    bpm = bpm or (tempo.bpm_min + tempo.bpm_max) / 2
    total = params.lead_in_beats + sum(f.length_beats for f in figures) + 2 * meter
    beats = tuple(i * 60.0 / bpm for i in range(math.ceil(total) + 1))
    tempo_map = TempoMap.from_beats(beats, 0)
    pose = CouplePose.standing((0.0, 0.0), 0.0, figures[0].start_position)
    placed: list[PlacedFigure] = []
    start = params.lead_in_beats
    for fig in figures:
        placed.append(_placed(style, fig, start, tempo_map, meter, pose))
        leader, follower = pose.dancers()
        replay_figure(fig, leader, follower)
        pose = CouplePose.from_dancers(leader, follower)
        start += fig.length_beats
    return Routine(
        source="improvised",
        level="gold",
        seed=seed,
        floor_m=(1000.0, 1000.0),
        beats=beats,
        first_downbeat_index=0,
        figures=tuple(placed),
    )


def _choose(style: DanceStyle, meter: int, count: int, rng: np.random.Generator) -> list[Figure]:
    """A start figure, then at each figure's end any figure allowed next."""
    starts = [style.figure(i) for i in style.start_figures]
    starts = [f for f in starts if f.meter == meter] or list(style.figures_in_meter(meter))
    chosen = [starts[int(rng.integers(len(starts)))]]
    while len(chosen) < count:
        nexts = successors(style, chosen[-1]) or tuple(starts)
        chosen.append(nexts[int(rng.integers(len(nexts)))])
    return chosen


def _placed(
    style: DanceStyle, fig: Figure, start: float, tempo: TempoMap, meter: int, pose: CouplePose
) -> PlacedFigure:
    end = start + fig.leader[0].beat + fig.length_beats
    return PlacedFigure(
        dance=style.name,
        figure=fig,
        start_beat=start,
        start_s=tempo.second_from_beat(start),
        end_s=tempo.second_from_beat(end),
        bar=int(start // meter) + 1,
        centre_xy_m=pose.centre_xy_m,
        leader_facing_rad=pose.leader.facing_rad,
        why="improvised: a figure allowed next",
        start_pose=pose,
    )


@dataclass
class _Track:
    """The leader's steps as arrays: landing times, the body and facing after each step
    (row 0: before the first), each step's foot, where it lands and its hold."""

    land_s: NDArray[np.float64]
    body: NDArray[np.float64]
    facing: NDArray[np.float64]
    foot: list[Foot]
    foot_to: NDArray[np.float64]
    hold: list[Hold]
    figure: list[int]
    index: list[int]
    pull: NDArray[np.float64]  # (steps, 2) his lead through the hands, in his frame


def _track(
    routine: Routine, noise: LeadNoise, rng: np.random.Generator, params: PlanParams
) -> _Track:
    """Replay the routine's leader part, the noise applied to each landing and lead."""
    tempo = routine.tempo_map
    first = routine.figures[0].start_pose.leader
    body, facing = [np.array(first.body_xy_m)], [first.facing_rad]
    land, feet, foot_to, holds, figs, idx, pulls = [], [], [], [], [], [], []
    for f, placed in enumerate(routine.figures):
        leader, follower = placed.start_pose.dancers()
        replayed = replay_figure(placed.figure, leader, follower)
        leads = hand_leads(
            replayed,
            pull_m=params.lead_pull_m,
            pull_min_m=params.lead_pull_min_m,
            twist_m=params.lead_twist_m,
            twist_min_rad=math.radians(params.lead_twist_min_deg),
        )
        for pull in leads:
            pulls.append(pull + _disc(rng, noise.pull_m) if noise.pull_m > 0 else pull)
        for rs in replayed:
            if rs.role != "leader":
                continue
            t = tempo.second_from_beat(placed.start_beat + rs.step.beat)
            land.append(t + rng.uniform(-1, 1) * noise.timing_s)
            body.append(np.array(rs.body_after) + _disc(rng, noise.position_m))
            facing.append(facing[-1] + _wrap(rs.facing_after - facing[-1]))
            feet.append(rs.step.foot)
            foot_to.append(np.array(rs.foot_to) + _disc(rng, noise.position_m))
            holds.append(rs.step.hold)
            figs.append(f)
            idx.append(rs.index)
    land_s = np.array(land)
    for i in range(1, len(land_s)):  # each step strictly later than the one before
        land_s[i] = max(land_s[i], land_s[i - 1] + 1e-3)
    return _Track(
        land_s,
        np.array(body),
        np.array(facing),
        feet,
        np.array(foot_to),
        holds,
        figs,
        idx,
        np.array(pulls).reshape(-1, 2),
    )


def _disc(rng: np.random.Generator, radius_m: float) -> NDArray[np.float64]:
    """A point uniform in a disc of ``radius_m``."""
    r, a = radius_m * math.sqrt(rng.uniform()), rng.uniform(0, 2 * math.pi)
    return np.array([r * math.cos(a), r * math.sin(a)])


def _wrap(angle_rad: float) -> float:
    return (angle_rad + math.pi) % (2 * math.pi) - math.pi


def _timing(track: _Track, noise: LeadNoise, params: PlanParams) -> list[LedStep]:
    """When each step's lead begins and its foot leaves the floor."""
    out = []
    before = track.land_s[0] - 1.0
    for i, land in enumerate(track.land_s):
        gap = land - before
        lift = land - params.swing_share * gap
        lead = lift - params.lead_body_s + noise.late_lead_s
        lead = min(max(lead, before), land - 0.25 * gap)
        out.append(LedStep(track.figure[i], track.index[i], float(lead), float(lift), float(land)))
        before = land
    return out


def lead_frames(
    routine: Routine,
    *,
    noise: LeadNoise | None = None,
    seed: int = 0,
    fps: float = 30.0,
    params: PlanParams | None = None,
    from_s: float = 0.0,
) -> LeadMotion:
    """What the follower senses of the leader dancing ``routine``, frame by frame.

    Parameters
    ----------
    routine
        His figures (an improvised routine, or any other).
    noise
        How untidy he is (none by default).
    seed
        The noise's random generator.
    fps
        Frames a second.
    params
        ``lead_body_s``, ``swing_share`` and his lead through the hands (``lead_pull_m``,
        ``lead_pull_min_m``, ``lead_twist_m``, ``lead_twist_min_deg``; see :class:`PlanParams`).
    from_s
        The first frame's time (frames are on the grid of ``1 / fps`` from 0 s; the first
        frame's ``new_beats_s`` are the beats since the grid's frame before it).

    Returns
    -------
    LeadMotion
        The frames from ``from_s`` to half a second after his last step, and his steps.
    """
    noise, params = noise or LeadNoise(), params or PlanParams()
    track = _track(routine, noise, np.random.default_rng(seed), params)
    steps = _timing(track, noise, params)
    feet = _feet_after(routine.figures[0].start_pose, track)
    landed = _landed_after(track)
    frames: list[LeaderFrame] = []
    beats = np.array(routine.beats)
    first = math.ceil(from_s * fps - 1e-9)
    heard = int(np.searchsorted(beats, (first - 1) / fps, side="right")) if first > 0 else 0
    for t in np.arange(0.0, float(track.land_s[-1]) + 0.5, 1.0 / fps)[first:]:
        new = int(np.searchsorted(beats, t, side="right"))
        frames.append(_frame(float(t), track, steps, feet, landed, tuple(beats[heard:new])))
        heard = new
    return LeadMotion(tuple(frames), tuple(steps))


def _feet_after(pose: CouplePose, track: _Track) -> list[dict[str, NDArray[np.float64]]]:
    """Where each foot is after each step (row 0: before the first)."""
    now = {"L": np.array(pose.leader.left_foot_xy_m), "R": np.array(pose.leader.right_foot_xy_m)}
    out = [dict(now)]
    for foot, xy in zip(track.foot, track.foot_to, strict=True):
        now[foot] = xy
        out.append(dict(now))
    return out


def _landed_after(track: _Track) -> list[dict[str, float | None]]:
    """When each foot last took his weight after each step (row 0: before the first)."""
    now: dict[str, float | None] = {"L": None, "R": None}
    out = [dict(now)]
    for foot, land in zip(track.foot, track.land_s, strict=True):
        now[foot] = float(land)
        out.append(dict(now))
    return out


def _frame(
    t: float,
    track: _Track,
    steps: list[LedStep],
    feet: list[dict[str, NDArray[np.float64]]],
    landed: list[dict[str, float | None]],
    new_beats: tuple[float, ...],
) -> LeaderFrame:
    """The leader at time ``t``."""
    i = int(np.searchsorted(track.land_s, t, side="right"))  # steps landed by t
    body, facing = track.body[i], float(track.facing[i])
    hold = track.hold[max(i - 1, 0)]
    where = dict(feet[i])
    down = {"L": True, "R": True}
    pull = np.zeros(2)
    if i < len(steps):
        step = steps[i]
        if t >= step.lead_s:
            u = (t - step.lead_s) / (step.land_s - step.lead_s)
            pull = track.pull[i] * min(1.0, 2.0 * u)
            u = u * u * (3 - 2 * u)
            body = body + u * (track.body[i + 1] - body)
            facing = facing + u * (float(track.facing[i + 1]) - facing)
            hold = track.hold[i]
        if t >= step.lift_s:
            foot = track.foot[i]
            v = (t - step.lift_s) / (step.land_s - step.lift_s)
            where[foot] = where[foot] + v * (track.foot_to[i] - where[foot])
            down[foot] = False
    xy = (float(body[0]), float(body[1]))
    return LeaderFrame(
        time_s=t,
        body_xy_m=xy,
        facing_rad=_wrap(facing),
        left_foot_xy_m=(float(where["L"][0]), float(where["L"][1])),
        right_foot_xy_m=(float(where["R"][0]), float(where["R"][1])),
        left_foot_down=down["L"],
        right_foot_down=down["R"],
        left_foot_landed_s=landed[i]["L"],
        right_foot_landed_s=landed[i]["R"],
        hands=_pulled(lead_hands(hold, xy, facing), pull, facing),
        new_beats_s=tuple(float(b) for b in new_beats),
    )


def _pulled(
    hands: tuple[HandContact, ...], pull: NDArray[np.float64], facing_rad: float
) -> tuple[HandContact, ...]:
    """His joined hands moved by ``pull`` (forward, right in his frame facing
    ``facing_rad``): the lead through the connection."""
    if not pull.any():
        return hands
    dx, dy = pull[0] * forward_vector(facing_rad) + pull[1] * right_vector(facing_rad)
    return tuple((hand, (x + dx, y + dy, up)) for hand, (x, y, up) in hands)
