"""The follower takes the lead for a phrase ("hijack"), as social dancers do.

Both know both parts: for the phrase she chooses the figures and dances her part of them,
and he dances what he reads of her. He reads her with the same follower model
(:class:`pasdeux.follow.Follower`) over the dance with the roles swapped
(:func:`swap_roles`): each figure's two parts exchanged, its couple positions seen from
her side and its holds named from her hands, so the model's "leader" is her and its
"follower" is him. The couple geometry places the follower relative to the leader; seen
from her side, a face-to-face position (closed, outside partner, open facing, dip, apart)
is the same position, promenade and counter promenade exchange, and side by side becomes
left side. A raised hold keeps its name (the library names no raised hold
from her left hand). Fan and shadow have no mirror among the library's positions and keep their
own: there he is held where she would stand, which changes only the templates he reads
with and where his read steps are placed, not her steps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pasdeux.choreo._types import Routine
from pasdeux.dances import DanceStyle, Figure, Hold, Position, Step
from pasdeux.dances.geometry import CouplePose
from pasdeux.errors import InputError
from pasdeux.music import MusicMap

__all__ = ["HIJACK_WHY", "Hijack", "hijack_span", "led_by_her", "swap_roles", "swapped_routine"]

HIJACK_WHY = "led by the follower (hijack): she chose it, he read her"
"""The routine's note on a figure she led."""

_POSITION_SEEN_FROM_HER: dict[str, str] = {
    "promenade": "counter_promenade",
    "counter_promenade": "promenade",
    "side_by_side": "left_side",
    "right_side": "left_side",
    "left_side": "right_side",
}
_HOLD_FROM_HER_HANDS: dict[str, str] = {
    "left_to_right": "right_to_left",
    "right_to_left": "left_to_right",
}


@dataclass(frozen=True)
class Hijack:
    """The follower leads the phrase that holds bar ``bar`` (1-based), from the first
    figure that begins in that bar or after to the phrase's end, choosing her figures with
    her own ``seed``."""

    bar: int
    seed: int


def hijack_span(music: MusicMap, bar: int) -> tuple[float, float]:
    """The beats (from the first downbeat) where the hijacked phrase begins (bar ``bar``)
    and ends (the end of the music's phrase that holds it; eight bars on when no phrase
    does).

    Raises
    ------
    InputError
        When ``bar`` is not in the song.
    """
    bars = music.bars
    if not 1 <= bar <= len(bars):
        raise InputError(None, f"--hijack {bar}: the song has bars 1 to {len(bars)}")
    start_s = bars[bar - 1].start
    end_s = next(
        (p.end for p in music.phrases if p.start - 1e-6 <= start_s < p.end - 1e-6),
        bars[min(bar + 7, len(bars) - 1)].end,
    )
    tempo = music.tempo_map
    return tempo.beat_from_second(start_s), tempo.beat_from_second(end_s)


def _step_seen_from_her(step: Step) -> Step:
    position: Position = _POSITION_SEEN_FROM_HER.get(step.position, step.position)  # type: ignore[assignment]
    hold: Hold = _HOLD_FROM_HER_HANDS.get(step.hold, step.hold)  # type: ignore[assignment]
    return replace(step, position=position, hold=hold)


def _swapped(fig: Figure) -> Figure:
    start: Position = _POSITION_SEEN_FROM_HER.get(fig.start_position, fig.start_position)  # type: ignore[assignment]
    end: Position = _POSITION_SEEN_FROM_HER.get(fig.end_position, fig.end_position)  # type: ignore[assignment]
    return replace(
        fig,
        leader=tuple(_step_seen_from_her(s) for s in fig.follower),
        follower=tuple(_step_seen_from_her(s) for s in fig.leader),
        start_position=start,
        end_position=end,
    )


def swap_roles(style: DanceStyle) -> DanceStyle:
    """``style`` with the roles swapped: in every figure her part is the leader's and his
    the follower's, positions seen from her side and holds named from her hands (figure
    ids and ``follows`` rules unchanged)."""
    return replace(style, figures=tuple(_swapped(f) for f in style.figures))


def swapped_routine(routine: Routine, style: DanceStyle) -> Routine:
    """``routine`` danced with the roles swapped (``style`` is :func:`swap_roles` of the
    routine's dance): each figure the swapped one, each start pose with the partners
    exchanged."""
    figures = tuple(
        replace(
            p,
            figure=style.figure(p.figure.id),
            start_pose=CouplePose.from_dancers(*reversed(p.start_pose.dancers())),
        )
        for p in routine.figures
    )
    return replace(routine, figures=figures)


def led_by_her(routine: Routine) -> tuple[int, ...]:
    """The indices of the routine's figures she led."""
    return tuple(i for i, p in enumerate(routine.figures) if p.why == HIJACK_WHY)
