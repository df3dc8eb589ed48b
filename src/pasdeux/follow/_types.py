"""What the follower senses of the leader (``LeaderFrame``) and what she dances
(``FollowerStep``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FollowerStep", "HandContact", "LeaderFrame"]

HandContact = tuple[str, tuple[float, float, float]]
"""One of the leader's hands joined to hers: ``"L"`` or ``"R"``, and where it is (x, y,
height, m)."""


@dataclass(frozen=True)
class LeaderFrame:
    """Everything a partner feels or sees of the leader at one moment, and nothing more.

    ``left_foot_down`` / ``right_foot_down`` say which foot is on the floor;
    ``left_foot_landed_s`` / ``right_foot_landed_s`` when that foot last took his weight
    (``None`` before it stepped): she feels his weight arrive through the hold even when a
    quick step lifts and lands between two frames, or a step in place does not move the
    foot. ``hands`` are his hands joined to hers, where they are; ``new_beats_s`` are the
    beats heard since the previous frame (the music as it comes: never the beats still to
    come).
    """

    time_s: float
    body_xy_m: tuple[float, float]
    facing_rad: float
    left_foot_xy_m: tuple[float, float]
    right_foot_xy_m: tuple[float, float]
    left_foot_down: bool
    right_foot_down: bool
    hands: tuple[HandContact, ...] = ()
    new_beats_s: tuple[float, ...] = ()
    left_foot_landed_s: float | None = None
    right_foot_landed_s: float | None = None


@dataclass(frozen=True)
class FollowerStep:
    """One step the follower dances: when it lands, which figure she believes it belongs to,
    the library's step, and where her foot and body land on the floor. ``recovery_m`` is how
    far she was moved towards where the hold wants her beyond what the figure does (after
    a wrong guess; at most ``FollowParams.recovery_max_m``)."""

    time_s: float
    figure: str
    index: int
    foot: str
    direction: str
    weight: bool
    turn_eighths: float
    foot_xy_m: tuple[float, float]
    body_xy_m: tuple[float, float]
    facing_rad: float
    recovery_m: float = 0.0
