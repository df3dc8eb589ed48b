"""A whole song danced by a leader who improvises and a follower who reads him.

:func:`improvise_song` is the leader: from the song's first downbeat he dances one figure
after another on the music's own beats (its tempo as it is), at each figure's end any
figure the library's ``follows`` rules allow next, chosen with a seeded random generator
among those that keep the couple on the floor (no plan, no phrases). :func:`follow_lead`
is the follower keeping up: what she senses of him frame by frame
(:func:`pasdeux.choreo.lead_frames`) goes to :class:`pasdeux.follow.Follower`, which never
sees the routine; her steps come back as :class:`FollowedStep`, each beside the figure he
was leading then, so the step sheet and the viewer can say where she read him wrong.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pasdeux.choreo._floor import Pose, shape_of
from pasdeux.choreo._improvise import LeadNoise, lead_frames
from pasdeux.choreo._plan import LEVEL_ORDER
from pasdeux.choreo._types import PlacedFigure, Routine
from pasdeux.dances import DanceStyle, Figure, Step, successors
from pasdeux.dances.geometry import CouplePose, replay_figure
from pasdeux.errors import InputError
from pasdeux.follow import Follower, FollowerStep
from pasdeux.music import MusicMap

__all__ = ["CutIn", "FollowedStep", "Misreading", "follow_lead", "improvise_song", "misreadings"]


@dataclass(frozen=True)
class FollowedStep:
    """One step the follower danced by reading the leader.

    ``figure_index`` is the routine's figure he was leading when she decided on it (his
    last step landed by then belongs to it); ``led`` is that figure's id and ``read`` the
    figure she believed it was (the figure her ``step`` comes from, its ``index`` there),
    ``led_name`` and ``read_name`` their names.
    ``foot_xy_m``, ``body_xy_m`` and ``facing_rad`` are where her step lands, and
    ``recovery_m`` how far she moved towards where the hold wants her beyond the figure
    (after a wrong guess).
    """

    time_s: float
    figure_index: int
    led: str
    read: str
    led_name: str
    read_name: str
    index: int
    step: Step
    foot_xy_m: tuple[float, float]
    body_xy_m: tuple[float, float]
    facing_rad: float
    recovery_m: float = 0.0
    #: She danced another step than the led figure's at this place (a step of another
    #: figure; the same step under another figure's name is not wrong).
    wrong: bool = False


@dataclass(frozen=True)
class CutIn:
    """A second leader takes over from bar ``bar`` (1-based, the first figure that begins
    in it or after), improvising with his own ``seed``."""

    bar: int
    seed: int


def improvise_song(
    music: MusicMap,
    style: DanceStyle,
    *,
    seed: int,
    level: str = "gold",
    floor_m: tuple[float, float] = (10.0, 8.0),
    margin_m: float = 0.3,
    cut_in: CutIn | None = None,
) -> Routine:
    """The leader improvising ``style`` on ``music`` from its first downbeat to its end.

    Parameters
    ----------
    music
        The song as danced (counted in ``style``'s meter and tempo octave).
    style
        The dance.
    seed
        The random generator's seed (a seed gives one routine).
    level
        The highest figure level he dances.
    floor_m
        The floor (width, depth; centred on the origin, as the planner's).
    margin_m
        How far from the walls every foot and body stays where a figure allows it.
    cut_in
        A second leader who takes over at a bar (his figures follow the first leader's
        last one as the grammar allows, from where the couple is).

    Returns
    -------
    Routine
        His figures on the music's beats, each from where the previous one left the couple.

    Raises
    ------
    InputError
        When the dance has no figures in the music's meter, the song is shorter than a
        figure, or the cut-in bar is not in the song.
    """
    figures = _figures(style, music.meter, level)
    rng = np.random.default_rng(seed)
    last_beat = len(music.beats) - 1 - music.first_downbeat_index
    cut_beat = math.inf if cut_in is None else _bar_beat(music, cut_in.bar)
    inside = (floor_m[0] / 2 - margin_m, floor_m[1] / 2 - margin_m)
    starts = [f for f in figures if f.id in style.start_figures] or figures
    pose = CouplePose.standing((0.0, 0.0), 0.0, starts[0].start_position)
    placed: list[PlacedFigure] = []
    start, options, why = 0.0, starts, "improvised by the leader: a figure allowed next"
    while True:
        if cut_in is not None and start >= cut_beat - 1e-6:
            rng, cut_beat = np.random.default_rng(cut_in.seed), math.inf
            why = (
                f"improvised by the second leader (cut in at bar {cut_in.bar}, seed {cut_in.seed})"
            )
        fitting = [f for f in options if start + f.leader[0].beat + f.length_beats <= last_beat]
        choice = [f for f in fitting if _stays_inside(f, pose, inside)] or fitting
        if not choice:
            break
        fig = choice[int(rng.integers(len(choice)))]
        if not placed:  # he stands ready in the start position of his first figure
            pose = CouplePose.standing((0.0, 0.0), 0.0, fig.start_position)
        placed.append(_place(style, fig, start, music, pose, why))
        leader, follower = pose.dancers()
        replay_figure(fig, leader, follower)
        pose = CouplePose.from_dancers(leader, follower)
        start += fig.length_beats
        allowed = {f.id for f in successors(style, fig)}
        options = [f for f in figures if f.id in allowed] or figures
    if not placed:
        raise InputError(None, f"the song is shorter than any {style.name} figure")
    return Routine(
        source=music.source,
        level=level,
        seed=seed,
        floor_m=(float(floor_m[0]), float(floor_m[1])),
        beats=music.beats,
        first_downbeat_index=music.first_downbeat_index,
        figures=tuple(placed),
    )


def _bar_beat(music: MusicMap, bar: int) -> float:
    """The beat (from the first downbeat) where bar ``bar`` (1-based) begins."""
    bars = music.bars
    if not 1 <= bar <= len(bars):
        raise InputError(None, f"--cut-in {bar}: the song has bars 1 to {len(bars)}")
    return music.tempo_map.beat_from_second(bars[bar - 1].start)


def _figures(style: DanceStyle, meter: int, level: str) -> list[Figure]:
    """The dance's figures in ``meter`` (or 2/4 for 4/4 and back) up to ``level``."""
    top = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER) - 1
    for m in (meter, {2: 4, 4: 2}.get(meter, meter)):
        found = [f for f in style.figures_in_meter(m) if LEVEL_ORDER.index(f.level) <= top]
        if found:
            return found
        found = list(style.figures_in_meter(m))
        if found:
            return found
    raise InputError(None, f"{style.name} has no figures in {meter}/4")


def _stays_inside(fig: Figure, pose: CouplePose, inside: tuple[float, float]) -> bool:
    """Every foot and body point of the figure danced from ``pose`` is within ``inside``
    (half the floor's width and depth less the margin)."""
    centre = pose.centre_xy_m
    points, _, _ = shape_of(fig).placed(Pose(centre[0], centre[1], pose.leader.facing_rad))
    return bool(
        np.all(np.abs(points[:, 0]) <= inside[0]) and np.all(np.abs(points[:, 1]) <= inside[1])
    )


def _place(
    style: DanceStyle, fig: Figure, start: float, music: MusicMap, pose: CouplePose, why: str
) -> PlacedFigure:
    tempo = music.tempo_map
    start_s = tempo.second_from_beat(start)
    bar = sum(1 for b in music.bars if b.start <= start_s + 1e-6) or 1
    centre = pose.centre_xy_m
    return PlacedFigure(
        dance=style.name,
        figure=fig,
        start_beat=start,
        start_s=round(start_s, 4),
        end_s=round(tempo.second_from_beat(start + fig.leader[0].beat + fig.length_beats), 4),
        bar=bar,
        centre_xy_m=(round(centre[0], 4), round(centre[1], 4)),
        leader_facing_rad=round(pose.leader.facing_rad, 6),
        why=why,
        start_pose=pose,
    )


def follow_lead(
    routine: Routine,
    style: DanceStyle,
    *,
    seed: int = 0,
    noise: LeadNoise | None = None,
    fps: float = 30.0,
) -> tuple[FollowedStep, ...]:
    """The follower's steps when she keeps up with the leader of ``routine`` by reading him.

    She is given only what she senses of him, frame by frame (:func:`lead_frames`); the
    routine is used afterwards, to say which figure he was leading at each of her steps.

    Parameters
    ----------
    routine
        His figures (one dance: ``style``).
    style
        The dance (the figures she knows).
    seed, noise
        His untidiness and its random generator (a clean lead by default).
    fps
        Frames a second she senses him at.

    Returns
    -------
    tuple[FollowedStep, ...]
        Her steps in time order.
    """
    motion = lead_frames(routine, noise=noise, seed=seed, fps=fps)
    follower = Follower(style, position=routine.figures[0].figure.start_position)
    hers: list[FollowerStep] = []
    for frame in motion.frames:
        hers += follower.feel(frame)
    hers.sort(key=lambda s: s.time_s)
    landed = np.array([s.land_s for s in motion.steps])
    out = []
    for step in hers:
        k = max(int(np.searchsorted(landed, step.time_s + 1e-6, side="right")) - 1, 0)
        f = motion.steps[k].figure
        led = routine.figures[f].figure
        mine = style.figure(step.figure).follower[step.index]
        right = step.figure == led.id or (
            step.index < len(led.follower) and _same_step(mine, led.follower[step.index])
        )
        out.append(
            FollowedStep(
                time_s=step.time_s,
                figure_index=f,
                led=led.id,
                read=step.figure,
                led_name=led.name,
                read_name=style.figure(step.figure).name,
                index=step.index,
                step=mine,
                foot_xy_m=step.foot_xy_m,
                body_xy_m=step.body_xy_m,
                facing_rad=step.facing_rad,
                recovery_m=step.recovery_m,
                wrong=not right,
            )
        )
    return tuple(out)


def _same_step(a: Step, b: Step) -> bool:
    """The same step (foot, direction, size, turn, weight, hold, position and beat)."""
    fields = ("beat", "foot", "direction", "size_m", "turn_eighths", "weight", "hold", "position")
    return all(getattr(a, name) == getattr(b, name) for name in fields)


@dataclass(frozen=True)
class Misreading:
    """A run of the follower's steps from another figure than the one he led: from her first
    such step (``start_s``) to her next step of the figure he leads (``back_s``; ``None``
    when the song ends first), ``steps`` of them, moved at most ``recovery_m`` back towards
    him on one step."""

    start_s: float
    back_s: float | None
    figure_index: int
    led: str
    read: str
    led_name: str
    read_name: str
    steps: int
    recovery_m: float


def misreadings(steps: Sequence[FollowedStep]) -> tuple[Misreading, ...]:
    """Where the follower read the leader wrong (:class:`Misreading`), in time order."""
    out: list[Misreading] = []
    run: list[FollowedStep] = []
    for step in (*sorted(steps, key=lambda s: s.time_s), None):
        if step is not None and step.wrong:
            run.append(step)
            continue
        if run:
            first = run[0]
            out.append(
                Misreading(
                    start_s=first.time_s,
                    back_s=None if step is None else step.time_s,
                    figure_index=first.figure_index,
                    led=first.led,
                    read=first.read,
                    led_name=first.led_name,
                    read_name=first.read_name,
                    steps=len(run),
                    recovery_m=max(s.recovery_m for s in run),
                )
            )
            run = []
    return tuple(out)
