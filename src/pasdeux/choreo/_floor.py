"""Where figures take the couple on the floor: shapes, the line of dance, corners, the spot.

A figure's *shape* is its replay (:func:`pasdeux.dances.geometry.replay_figure`) from the
couple standing in its start position round the origin, the leader facing +x: every foot
and body point of both partners, the couple's centre after each step, and where the
centre and the leader's facing end. Replay is the same wherever the couple stands, so a
figure danced from a couple pose ``(x, y, facing)`` is its shape rotated and moved there;
the planner seats the couple the same way (:func:`pasdeux.dances.geometry.couple_start`)
at every figure it places, so what it checks here is what is danced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pasdeux.dances import ALIGNMENT_EIGHTHS, Figure
from pasdeux.dances.geometry import couple_start, replay_figure

__all__ = [
    "SUPPORT_DIRECTIONS",
    "Pose",
    "Shape",
    "aligned_line",
    "line_of_dance_rad",
    "shape_of",
    "to_wall_ahead_m",
    "wrap_rad",
]

_EIGHTH = math.pi / 4
SUPPORT_DIRECTIONS = 256
"""How many directions a figure's support function is sampled in."""


@dataclass(frozen=True)
class Pose:
    """The couple between figures: its centre and the leader's facing (rad, CCW from +x)."""

    x: float
    y: float
    facing_rad: float


@dataclass(frozen=True)
class Shape:
    """A figure's replay from the origin (see the module docstring)."""

    points: NDArray[np.float64]
    centres: NDArray[np.float64]
    reach_m: float
    centre_reach_m: float
    end: Pose
    #: The points' support function: ``support_m[k]`` = the furthest any point reaches in
    #: the direction ``2 pi k / SUPPORT_DIRECTIONS`` (m).
    support_m: tuple[float, ...] = ()

    def extent_m(self, facing_rad: float) -> tuple[float, float, float, float]:
        """How far the points reach towards +x, -x, +y and -y when the figure is danced
        facing ``facing_rad`` (m; rounded up by what the support's sampling may miss)."""
        n = SUPPORT_DIRECTIONS
        slack = self.reach_m * math.pi / n
        step = n / (2 * math.pi)
        h = self.support_m
        # a point p danced facing t lies at R(t) p, so R(t) p . u(a) = p . u(a - t)
        return (
            h[round((-facing_rad) * step) % n] + slack,
            h[round((math.pi - facing_rad) * step) % n] + slack,
            h[round((math.pi / 2 - facing_rad) * step) % n] + slack,
            h[round((-math.pi / 2 - facing_rad) * step) % n] + slack,
        )

    def placed(self, pose: Pose) -> tuple[NDArray[np.float64], NDArray[np.float64], Pose]:
        """Points, centres and end pose of the figure danced from ``pose``."""
        c, s = math.cos(pose.facing_rad), math.sin(pose.facing_rad)
        rot = np.array([[c, s], [-s, c]])
        move = np.array([pose.x, pose.y])
        end = self.end
        return (
            self.points @ rot + move,
            self.centres @ rot + move,
            Pose(
                pose.x + c * end.x - s * end.y,
                pose.y + s * end.x + c * end.y,
                wrap_rad(pose.facing_rad + end.facing_rad),
            ),
        )

    def end_from(self, pose: Pose) -> Pose:
        """Where the figure danced from ``pose`` leaves the couple."""
        c, s = math.cos(pose.facing_rad), math.sin(pose.facing_rad)
        end = self.end
        return Pose(
            pose.x + c * end.x - s * end.y,
            pose.y + s * end.x + c * end.y,
            wrap_rad(pose.facing_rad + end.facing_rad),
        )


def shape_of(figure: Figure) -> Shape:
    """Replay ``figure`` from the origin (see the module docstring)."""
    leader, follower = couple_start((0.0, 0.0), 0.0, figure.start_position)
    bodies = {"leader": leader.body.copy(), "follower": follower.body.copy()}
    points: list[tuple[float, float]] = [
        tuple(p) for pose in (leader, follower) for p in (pose.body, *pose.feet.values())
    ]
    centres: list[NDArray[np.float64]] = [(bodies["leader"] + bodies["follower"]) / 2]
    for step in replay_figure(figure, leader, follower):
        points += [step.foot_from, step.foot_to, step.body_before, step.body_after]
        bodies[step.role] = np.array(step.body_after)
        centres.append((bodies["leader"] + bodies["follower"]) / 2)
    points += [tuple(p) for pose in (leader, follower) for p in (pose.body, *pose.feet.values())]
    array = np.array(points, dtype=float)
    centre_array = np.array(centres, dtype=float)
    end = (leader.body + follower.body) / 2
    return Shape(
        points=array,
        centres=centre_array,
        reach_m=float(np.hypot(array[:, 0], array[:, 1]).max()),
        centre_reach_m=float(np.hypot(centre_array[:, 0], centre_array[:, 1]).max()),
        end=Pose(float(end[0]), float(end[1]), wrap_rad(leader.facing_rad)),
        support_m=_support(array),
    )


def _support(points: NDArray[np.float64]) -> tuple[float, ...]:
    angles = np.arange(SUPPORT_DIRECTIONS) * (2 * math.pi / SUPPORT_DIRECTIONS)
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return tuple(float(v) for v in (points @ directions.T).max(axis=0))


def wrap_rad(angle: float) -> float:
    """``angle`` in (-pi, pi]."""
    return math.atan2(math.sin(angle), math.cos(angle))


def line_of_dance_rad(x: float, y: float, floor_m: tuple[float, float]) -> float:
    """The line of dance where the couple stands: counter-clockwise round the floor, along
    the nearest wall (the 45-degree lines from the corners split the floor into four)."""
    half_w, half_d = floor_m[0] / 2, floor_m[1] / 2
    to_wall = {  # the line of dance along each wall -> the distance to that wall
        0.0: y + half_d,  # along the audience's side, to the right (+x)
        math.pi / 2: half_w - x,  # along the right-hand side, away from the audience
        math.pi: half_d - y,
        -math.pi / 2: x + half_w,
    }
    return min(to_wall, key=lambda heading: to_wall[heading])


def to_wall_ahead_m(x: float, y: float, lod_rad: float, floor_m: tuple[float, float]) -> float:
    """Distance from ``(x, y)`` to the wall the line of dance runs towards."""
    dx, dy = math.cos(lod_rad), math.sin(lod_rad)
    half_w, half_d = floor_m[0] / 2, floor_m[1] / 2
    if abs(dx) > abs(dy):
        return half_w - x if dx > 0 else x + half_w
    return half_d - y if dy > 0 else y + half_d


def aligned_line(
    figure: Figure, facing_rad: float, lod_rad: float, corner_open: bool, slack_eighths: float
) -> float | None:
    """The line of dance ``figure`` travels when the leader faces ``facing_rad`` on the line
    ``lod_rad``: the same line when its start alignment is his (within ``slack_eighths``),
    the next line (a quarter turn left) when it is the alignment after the corner and
    ``corner_open``; None when it fits neither. A figure danced at any alignment keeps the
    line."""
    if figure.start_alignment == "any":
        return lod_rad
    eighths = (lod_rad - facing_rad) / _EIGHTH
    nearest = round(eighths)
    if abs(eighths - nearest) > slack_eighths:
        return None
    wanted = ALIGNMENT_EIGHTHS[figure.start_alignment]
    if nearest % 8 == wanted:
        return lod_rad
    if corner_open and (nearest + 2) % 8 == wanted:
        return wrap_rad(lod_rad + math.pi / 2)
    return None
