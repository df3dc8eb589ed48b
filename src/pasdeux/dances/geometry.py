"""Where the couple is: replay figures on the floor, where each foot lands, where each body goes.

This is the single implementation of step geometry, shared by the checks, the planner
(to know where a figure leaves the couple) and the motion stage (to animate it).

Model. A dancer is a body point (on the floor, under the pelvis, as if standing with the
feet together), a facing angle, and two feet. A foot at rest sits ``FOOT_OFFSET_M`` to
its side of the body point. A weight step moves the body by the step's direction and size
(in the dancer's frame) and puts the stepping foot under it; a step without weight (tap,
point) moves only the foot; ``close`` brings the foot beside the other; ``replace`` gives
the weight back to the named foot where it stands; ``in_place`` steps (or taps) beside the
body point without moving it. A turn rotates the dancer; in a body
hold (closed, embrace) both partners turn about the couple's centre, which keeps the
hold, otherwise each turns about their own body point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from pasdeux.dances._model import Figure, Position, Step

__all__ = [
    "FOOT_OFFSET_M",
    "HOLD_DISTANCE_M",
    "POSITIONS_GEOMETRY",
    "DancerPose",
    "PositionGeometry",
    "ReplayedStep",
    "couple_start",
    "forward_vector",
    "relative_geometry",
    "replay_figure",
]

FOOT_OFFSET_M = 0.09
"""Half the distance between the feet, centre to centre, when standing naturally."""


@dataclass(frozen=True)
class PositionGeometry:
    """Where the follower stands in a position, seen from the leader.

    ``forward_m`` and ``right_m`` place her body point in the leader's frame;
    ``facing_rad`` is her facing minus his (pi = facing each other). ``distance_m`` is
    the range a replay may produce, ``facing_tolerance_rad`` how far her relative facing
    may stray from ``facing_rad`` at the end of a figure (pi = anything).
    """

    forward_m: float
    right_m: float
    facing_rad: float
    distance_m: tuple[float, float]
    facing_tolerance_rad: float


_Q = math.pi / 4
POSITIONS_GEOMETRY: dict[str, PositionGeometry] = {
    "closed": PositionGeometry(0.35, 0.08, math.pi, (0.2, 0.6), 1.5 * _Q),
    "outside_partner": PositionGeometry(0.3, 0.12, math.pi, (0.2, 0.65), 1.5 * _Q),
    "dip": PositionGeometry(0.38, 0.08, math.pi, (0.2, 0.75), math.pi),
    "open_facing": PositionGeometry(0.95, 0.0, math.pi, (0.5, 1.5), 1.5 * _Q),
    "promenade": PositionGeometry(0.25, 0.25, 2 * _Q, (0.2, 0.75), 1.5 * _Q),
    "counter_promenade": PositionGeometry(0.25, -0.25, -2 * _Q, (0.2, 0.75), 1.5 * _Q),
    "fan": PositionGeometry(0.35, -0.95, -2 * _Q, (0.6, 1.5), 1.5 * _Q),
    "side_by_side": PositionGeometry(0.0, 0.5, 0.0, (0.25, 1.5), 1.5 * _Q),
    "right_side": PositionGeometry(0.0, 0.5, 0.0, (0.25, 1.5), 1.5 * _Q),
    "left_side": PositionGeometry(0.0, -0.5, 0.0, (0.25, 1.5), 1.5 * _Q),
    "shadow": PositionGeometry(0.35, 0.1, 0.0, (0.15, 0.9), 1.5 * _Q),
    "apart": PositionGeometry(1.2, 0.0, math.pi, (0.3, 3.0), math.pi),
}
"""The geometry of every couple position (see ``pasdeux.dances.POSITIONS``)."""

HOLD_DISTANCE_M: dict[str, tuple[float, float]] = {
    "closed": (0.2, 0.6),
    "embrace": (0.2, 0.6),
    "shadow": (0.15, 0.9),
    "left_to_right": (0.2, 1.5),
    "right_to_right": (0.2, 1.5),
    "right_to_left": (0.2, 1.5),
    "left_to_left": (0.2, 1.5),
    "double": (0.2, 1.4),
    "double_crossed": (0.2, 1.3),
    "left_to_right_raised": (0.15, 1.1),
    "right_to_right_raised": (0.15, 1.1),
    "none": (0.0, 3.0),
}
"""Plausible distances between the partners' body points in each hold: torsos close in
the body holds, joined hands within arm's reach in the others."""

_BODY_HOLDS = ("closed", "embrace")
_LOCAL_DIRECTIONS: dict[str, tuple[float, float]] = {
    # (forward, right) components of a unit step in the dancer's own frame
    "forward": (1.0, 0.0),
    "back": (-1.0, 0.0),
    "left": (0.0, -1.0),
    "right": (0.0, 1.0),
    "diag_forward_left": (math.sqrt(0.5), -math.sqrt(0.5)),
    "diag_forward_right": (math.sqrt(0.5), math.sqrt(0.5)),
    "diag_back_left": (-math.sqrt(0.5), -math.sqrt(0.5)),
    "diag_back_right": (-math.sqrt(0.5), math.sqrt(0.5)),
    "close": (0.0, 0.0),
    "replace": (0.0, 0.0),
    "in_place": (0.0, 0.0),
}


def forward_vector(facing_rad: float) -> NDArray[np.float64]:
    """Unit vector on the floor in the direction ``facing_rad`` (CCW from +x)."""
    return np.array([math.cos(facing_rad), math.sin(facing_rad)])


def right_vector(facing_rad: float) -> NDArray[np.float64]:
    """Unit vector to the right of a dancer facing ``facing_rad``."""
    return np.array([math.sin(facing_rad), -math.cos(facing_rad)])


def foot_offset(foot: str, facing_rad: float) -> NDArray[np.float64]:
    """Where a resting foot sits relative to the body point."""
    side = 1.0 if foot == "R" else -1.0
    return side * FOOT_OFFSET_M * right_vector(facing_rad)


@dataclass
class DancerPose:
    """A dancer's state between steps (mutable while replaying)."""

    body: NDArray[np.float64]
    facing_rad: float
    feet: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    support: str | None = None

    @classmethod
    def standing(cls, body_xy: tuple[float, float], facing_rad: float) -> DancerPose:
        """Feet together under the body, weight on neither in particular."""
        body = np.array(body_xy, dtype=float)
        feet = {f: body + foot_offset(f, facing_rad) for f in ("L", "R")}
        return cls(body=body, facing_rad=facing_rad, feet=feet)

    def copy(self) -> DancerPose:
        """An independent copy."""
        return DancerPose(
            self.body.copy(),
            self.facing_rad,
            {k: v.copy() for k, v in self.feet.items()},
            self.support,
        )


@dataclass(frozen=True)
class ReplayedStep:
    """One step of one role after replay, in floor coordinates."""

    role: str
    index: int
    step: Step
    foot_from: tuple[float, float]
    foot_to: tuple[float, float]
    body_before: tuple[float, float]
    body_after: tuple[float, float]
    facing_before: float
    facing_after: float


def couple_start(
    centre_xy: tuple[float, float], leader_facing_rad: float, position: Position
) -> tuple[DancerPose, DancerPose]:
    """Leader and follower standing in ``position`` around a couple centre."""
    geometry = POSITIONS_GEOMETRY[position]
    offset = geometry.forward_m * forward_vector(leader_facing_rad) + (
        geometry.right_m * right_vector(leader_facing_rad)
    )
    centre = np.array(centre_xy, dtype=float)
    leader_xy = centre - offset / 2
    follower_xy = centre + offset / 2
    leader = DancerPose.standing((float(leader_xy[0]), float(leader_xy[1])), leader_facing_rad)
    follower = DancerPose.standing(
        (float(follower_xy[0]), float(follower_xy[1])),
        _wrap(leader_facing_rad + geometry.facing_rad),
    )
    return leader, follower


def relative_geometry(leader: DancerPose, follower: DancerPose) -> tuple[float, float]:
    """Distance between the partners' body points and her facing minus his (radians)."""
    distance = float(np.linalg.norm(follower.body - leader.body))
    return distance, _wrap(follower.facing_rad - leader.facing_rad)


def replay_figure(figure: Figure, leader: DancerPose, follower: DancerPose) -> list[ReplayedStep]:
    """Replay both roles of ``figure`` from the given poses (which are updated in place).

    Steps of the two roles are taken in time order; steps that land on the same beat
    share the couple centre measured before either of them.
    """
    events = [("leader", i, s) for i, s in enumerate(figure.leader)]
    events += [("follower", i, s) for i, s in enumerate(figure.follower)]
    events.sort(key=lambda e: (e[2].beat, e[0] != "leader"))
    poses = {"leader": leader, "follower": follower}
    out: list[ReplayedStep] = []
    centre_cache: dict[float, NDArray[np.float64]] = {}
    turns = {(r, s.beat): s.turn_eighths for r, _, s in events}
    for role, index, step in events:
        if step.beat not in centre_cache:
            centre_cache[step.beat] = (leader.body + follower.body) / 2
        partner = "follower" if role == "leader" else "leader"
        together = step.hold in _BODY_HOLDS and turns.get((partner, step.beat)) == step.turn_eighths
        centre = centre_cache[step.beat] if together else None
        out.append(_apply_step(role, index, step, poses[role], centre))
    return out


def _apply_step(
    role: str, index: int, step: Step, pose: DancerPose, centre: NDArray[np.float64] | None
) -> ReplayedStep:
    body_before = pose.body.copy()
    facing_before = pose.facing_rad
    foot_from = pose.feet[step.foot].copy()
    turn_rad = -step.turn_eighths * math.pi / 4
    if turn_rad:
        if centre is not None:
            pose.body = _rotate_about(pose.body, centre, turn_rad)
            for foot in pose.feet:
                pose.feet[foot] = _rotate_about(pose.feet[foot], centre, turn_rad)
        pose.facing_rad = _wrap(pose.facing_rad + turn_rad)
    facing_mid = facing_before + turn_rad / 2
    fwd_part, right_part = _LOCAL_DIRECTIONS[step.direction]
    move = step.size_m * (
        fwd_part * forward_vector(facing_mid) + right_part * right_vector(facing_mid)
    )
    if step.direction == "replace":
        target = pose.feet[step.foot].copy()
        if step.weight:
            pose.body = target - foot_offset(step.foot, pose.facing_rad)
    elif step.direction == "in_place":
        target = pose.body + foot_offset(step.foot, pose.facing_rad)
    elif step.weight:
        pose.body = pose.body + move
        target = pose.body + foot_offset(step.foot, pose.facing_rad)
    else:
        target = pose.body + move + foot_offset(step.foot, pose.facing_rad)
    pose.feet[step.foot] = target
    if step.weight:
        pose.support = step.foot
    return ReplayedStep(
        role=role,
        index=index,
        step=step,
        foot_from=(float(foot_from[0]), float(foot_from[1])),
        foot_to=(float(target[0]), float(target[1])),
        body_before=(float(body_before[0]), float(body_before[1])),
        body_after=(float(pose.body[0]), float(pose.body[1])),
        facing_before=facing_before,
        facing_after=pose.facing_rad,
    )


def _rotate_about(
    point: NDArray[np.float64], centre: NDArray[np.float64], angle_rad: float
) -> NDArray[np.float64]:
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    d = point - centre
    return np.asarray(centre + np.array([c * d[0] - s * d[1], s * d[0] + c * d[1]]), dtype=float)


def _wrap(angle_rad: float) -> float:
    return (angle_rad + math.pi) % (2 * math.pi) - math.pi
