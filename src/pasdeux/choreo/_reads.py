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
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np

from pasdeux.choreo._floor import Pose, shape_of
from pasdeux.choreo._hijack import (
    HIJACK_WHY,
    Hijack,
    hijack_span,
    led_by_her,
    swap_roles,
    swapped_routine,
)
from pasdeux.choreo._improvise import LeadMotion, LeadNoise, lead_frames
from pasdeux.choreo._plan import LEVEL_ORDER
from pasdeux.choreo._types import PlacedFigure, Routine
from pasdeux.dances import DanceStyle, Figure, Step, successors
from pasdeux.dances.geometry import CouplePose, replay_figure
from pasdeux.errors import InputError
from pasdeux.follow import Follower, FollowerStep
from pasdeux.music import MusicMap

__all__ = [
    "CutIn",
    "Floor",
    "FollowedStep",
    "Misreading",
    "as_followed",
    "follow_lead",
    "her_part",
    "improvise_song",
    "legal_next",
    "misreadings",
    "next_start_beat",
    "place_next",
    "read_her",
]


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
    #: Who danced it: ``"follower"``, or ``"leader"`` for his steps where she led and he
    #: read her (:func:`read_her`; ``led`` is then her figure, ``read`` his reading).
    role: str = "follower"


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
    hijack: Hijack | None = None,
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
    rng = np.random.default_rng(seed)
    cut_beat = math.inf if cut_in is None else _bar_beat(music, cut_in.bar, "--cut-in")
    span = (math.inf, math.inf) if hijack is None else hijack_span(music, hijack.bar)
    her_rng = None if hijack is None else np.random.default_rng(hijack.seed)
    where = Floor(level=level, floor_m=floor_m, margin_m=margin_m)
    placed: list[PlacedFigure] = []
    why = "improvised by the leader: a figure allowed next"
    while True:
        start = next_start_beat(placed)
        if cut_in is not None and start >= cut_beat - 1e-6:
            rng, cut_beat = np.random.default_rng(cut_in.seed), math.inf
            why = (
                f"improvised by the second leader (cut in at bar {cut_in.bar}, seed {cut_in.seed})"
            )
        choice = legal_next(music, style, placed, where)
        if not choice:
            break
        hers = her_rng is not None and span[0] - 1e-6 <= start < span[1] - 1e-6
        chooser = her_rng if hers and her_rng is not None else rng
        fig = choice[int(chooser.integers(len(choice)))]
        placed.append(place_next(music, style, fig, placed, HIJACK_WHY if hers else why))
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


@dataclass(frozen=True, kw_only=True)
class Floor:
    """Where an improvising leader dances: his highest ``level``, the floor (width, depth,
    centred on the origin) and how far from its walls every foot and body stays where a
    figure allows it."""

    level: str = "gold"
    floor_m: tuple[float, float] = (10.0, 8.0)
    margin_m: float = 0.3


def next_start_beat(placed: Sequence[PlacedFigure]) -> float:
    """The beat (from the first downbeat) where the figure after ``placed`` begins."""
    if not placed:
        return 0.0
    return placed[-1].start_beat + placed[-1].figure.length_beats


def legal_next(
    music: MusicMap, style: DanceStyle, placed: Sequence[PlacedFigure], floor: Floor
) -> tuple[Figure, ...]:
    """The figures that may come after ``placed`` (a start figure first): those the
    dance's ``follows`` rules allow that end before the song does, and of those the ones
    that keep the couple on the floor (all that fit when none does); empty at the song's
    end.

    Parameters
    ----------
    music
        The song as danced.
    style
        The dance.
    placed
        The figures danced so far.
    floor
        His level and the floor (:class:`Floor`).

    Returns
    -------
    tuple[Figure, ...]
        The legal next figures, in the library's order.
    """
    figures = _figures(style, music.meter, floor.level)
    if placed:
        allowed = {f.id for f in successors(style, placed[-1].figure)}
        options = [f for f in figures if f.id in allowed] or figures
    else:
        options = [f for f in figures if f.id in style.start_figures] or figures
    start = next_start_beat(placed)
    last_beat = len(music.beats) - 1 - music.first_downbeat_index
    fitting = [f for f in options if start + f.leader[0].beat + f.length_beats <= last_beat]
    pose = _pose_after(placed, fitting[0]) if fitting else None
    inside = (floor.floor_m[0] / 2 - floor.margin_m, floor.floor_m[1] / 2 - floor.margin_m)
    return tuple(
        [f for f in fitting if pose is not None and _stays_inside(f, pose, inside)] or fitting
    )


def _pose_after(placed: Sequence[PlacedFigure], first: Figure) -> CouplePose:
    """Where the couple is after ``placed`` (standing ready for ``first`` before any)."""
    if not placed:
        return CouplePose.standing((0.0, 0.0), 0.0, first.start_position)
    leader, follower = placed[-1].start_pose.dancers()
    replay_figure(placed[-1].figure, leader, follower)
    return CouplePose.from_dancers(leader, follower)


def place_next(
    music: MusicMap, style: DanceStyle, fig: Figure, placed: Sequence[PlacedFigure], why: str
) -> PlacedFigure:
    """``fig`` placed after ``placed``: on the next beat, from where the couple is.

    Parameters
    ----------
    music
        The song as danced.
    style
        The dance.
    fig
        The figure (any of :func:`legal_next`).
    placed
        The figures danced so far.
    why
        The routine's note for it (who chose it).

    Returns
    -------
    PlacedFigure
        The figure with its beat, times, bar and the couple's pose where it begins.
    """
    return _place(style, fig, next_start_beat(placed), music, _pose_after(placed, fig), why)


def _bar_beat(music: MusicMap, bar: int, option: str) -> float:
    """The beat (from the first downbeat) where bar ``bar`` (1-based) begins."""
    bars = music.bars
    if not 1 <= bar <= len(bars):
        raise InputError(None, f"{option} {bar}: the song has bars 1 to {len(bars)}")
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
    Over the figures she led herself (a hijack, :func:`led_by_her`) she dances her part of
    them (:func:`her_part`); she keeps sensing him there (the routine's lead of those
    figures), so that her reading goes on from where they are when she hands the lead
    back.

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
    led = set(led_by_her(routine))
    read = [s for s in as_followed(hers, motion, routine, style) if s.figure_index not in led]
    return tuple(sorted([*read, *her_part(routine, led)], key=lambda s: s.time_s))


def as_followed(
    steps: Sequence[FollowerStep],
    motion: LeadMotion,
    routine: Routine,
    style: DanceStyle,
    *,
    first_figure: int = 0,
) -> tuple[FollowedStep, ...]:
    """The steps a reader decided on (:class:`pasdeux.follow.FollowerStep`), each beside
    the figure of ``routine`` that was led when it was decided (the led step landed last
    by then: ``motion`` is what the reader sensed).

    Parameters
    ----------
    steps
        The reader's steps.
    motion
        The frames she sensed and the led steps behind them.
    routine
        The figures led (``motion``'s figure indices are its own).
    style
        The dance the reader knows (her part of its figures is what she dances).
    first_figure
        Added to each step's figure index (``routine`` a window of a longer routine).

    Returns
    -------
    tuple[FollowedStep, ...]
        The steps in time order.
    """
    landed = np.array([s.land_s for s in motion.steps])
    out = []
    for step in sorted(steps, key=lambda s: s.time_s):
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
                figure_index=f + first_figure,
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


def her_part(routine: Routine, figures: Collection[int]) -> tuple[FollowedStep, ...]:
    """Her part of the routine's ``figures`` (those she led), exactly as the couple
    geometry replays it from each figure's start pose, as her own steps."""
    tempo = routine.tempo_map
    out = []
    for f in sorted(figures):
        placed = routine.figures[f]
        for rs in replay_figure(placed.figure, *placed.start_pose.dancers()):
            if rs.role != "follower":
                continue
            out.append(
                FollowedStep(
                    time_s=tempo.second_from_beat(placed.start_beat + rs.step.beat),
                    figure_index=f,
                    led=placed.figure.id,
                    read=placed.figure.id,
                    led_name=placed.figure.name,
                    read_name=placed.figure.name,
                    index=rs.index,
                    step=rs.step,
                    foot_xy_m=rs.foot_to,
                    body_xy_m=rs.body_after,
                    facing_rad=rs.facing_after,
                )
            )
    return tuple(out)


def read_her(
    routine: Routine,
    style: DanceStyle,
    *,
    seed: int = 0,
    noise: LeadNoise | None = None,
    fps: float = 30.0,
) -> tuple[FollowedStep, ...]:
    """The leader's steps over the figures she led (:func:`led_by_her`), when he keeps up
    by reading her: the follower model over the dance with the roles swapped
    (:func:`swap_roles`) is given only what he senses of her, frame by frame, from a second
    before her first figure; each of his steps is his part of the figure he read.

    Parameters
    ----------
    routine
        The figures (those she led are noted :data:`HIJACK_WHY`; one run of them).
    style
        The dance.
    seed, noise
        Her untidiness and its random generator (a clean lead by default).
    fps
        Frames a second he senses her at.

    Returns
    -------
    tuple[FollowedStep, ...]
        His steps in time order (``led`` her figure, ``read`` his reading of it); empty
        when she led none.
    """
    led = led_by_her(routine)
    if not led:
        return ()
    first, last = led[0], led[-1]
    swapped = swap_roles(style)
    window = replace(
        swapped_routine(routine, swapped),
        figures=swapped_routine(routine, swapped).figures[first : last + 1],
    )
    from_s = max(0.0, routine.figures[first].start_s - 1.0)
    motion = lead_frames(window, noise=noise, seed=seed, fps=fps, from_s=from_s)
    reader = Follower(swapped, position=window.figures[0].figure.start_position)
    his: list[FollowerStep] = []
    for frame in motion.frames:
        his += reader.feel(frame)
    read = as_followed(his, motion, window, swapped, first_figure=first)
    return tuple(replace(s, step=style.figure(s.read).leader[s.index], role="leader") for s in read)


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
    """Where the follower read the leader wrong (:class:`Misreading`), in time order (of
    ``steps``, hers only: those of ``role`` ``"follower"``)."""
    out: list[Misreading] = []
    run: list[FollowedStep] = []
    hers = sorted((s for s in steps if s.role == "follower"), key=lambda s: s.time_s)
    for step in (*hers, None):
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
