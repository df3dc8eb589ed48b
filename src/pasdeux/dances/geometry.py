"""Where the couple is: replay figures on the floor, where each foot lands, where each body goes.

This is the single implementation of step geometry, shared by the library checks, the
planner (to know where a figure leaves the couple), the motion stage (to animate it) and
the footprint charts.

Model. A dancer is a body point (on the floor, under the pelvis, as if standing with the
feet together), a facing angle, and two feet. A foot at rest sits ``FOOT_OFFSET_M`` to
its side of the body point. A weight step moves the body by the step's direction and size
(in the dancer's frame) and puts the stepping foot under it; a step without weight (tap,
point) moves only the foot; ``close`` brings the foot beside the other; ``replace`` gives
the weight back to the named foot where it stands, the body going back to where it was
over that foot when the foot was placed (each foot remembers the dancer's facing then, so
a rock turned 1/8 and replaced comes back to its place instead of creeping sideways);
``in_place`` steps (or taps) beside the
body point without moving it. A turn rotates the dancer; in a body hold (closed, embrace,
shadow) when both partners turn the same amount on the same beat, both turn about the
couple's centre, which keeps the hold; otherwise each turns about their own body point. A
heel turn (``action = "heel_turn"``) in a body hold turns the couple about the dancer
doing it: the heel-turner turns in place and the partner, turning as much, is carried
round (turning differently, the partner's own step takes him round).

The hold over a whole routine. Figures are written and checked from the ideal start of
their position, and small differences between what the two roles' steps do would add up
over a routine (partners drifting metres apart). So after each group of steps landing on
the same beat, the hold is kept: one partner, the *anchor*, stays where the steps put
him (the leader, or the dancer doing a heel turn), and the other is placed relative to
him for the hold and position of the group's steps:

- body holds (closed, embrace, shadow): within :data:`HOLD_SLACK_M` of the position's
  place (:data:`POSITIONS_GEOMETRY`, in the leader's frame: in front in closed position,
  to his right side in promenade, ...), pulled back to that circle when a step leaves it,
  and within the hold's range of :data:`HOLD_DISTANCE_M` (a dancer outside it is
  brought :data:`HOLD_MARGIN_M` inside, room for the bodies between steps). The slack lets
  a figure shape the hold a little (a Jive fallaway opening out), the pull stops the drift;
- hand holds (one hand, two hands, raised): where the steps put her, the distance clamped
  into the hold's range (arm's reach), again with the margin;
- no hold: where the steps put her, within the range of ``none``.

The correction moves the placed dancer's body and the foot of the step just taken (which
lands under the body); the other foot stays where it is. It happens only on a beat where
the placed dancer steps, so that every move is part of a step (:class:`ReplayedStep`
records it as ``correction_xy_m``): for a well-written figure it is a few centimetres or
nothing at all (the library check refuses a figure needing more than
:data:`MAX_CORRECTION_M` from the ideal start). Relative facing is not corrected: the
library check makes every figure end with the partners turned as its end position says.

:class:`CouplePose` is the couple's whole state as a frozen, serialisable value (the
planner records it where each figure begins; the motion stage replays each figure from
it), :class:`DancerPose` the mutable state of one dancer while replaying.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from pasdeux.dances._model import Figure, Foot, Hold, Position, Step

__all__ = [
    "BODY_HOLDS",
    "FOOT_OFFSET_M",
    "HOLD_DISTANCE_M",
    "HOLD_MARGIN_M",
    "HOLD_SLACK_M",
    "LEAD_HANDS_M",
    "MAX_CORRECTION_M",
    "POSITIONS_GEOMETRY",
    "CouplePose",
    "DancerPose",
    "PartnerPose",
    "PositionGeometry",
    "ReplayedStep",
    "couple_start",
    "forward_vector",
    "hand_leads",
    "lead_hands",
    "placement_turn_rad",
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
    "left_to_right": (0.2, 1.3),
    "right_to_right": (0.2, 1.3),
    "right_to_left": (0.2, 1.3),
    "left_to_left": (0.2, 1.3),
    "double": (0.2, 1.3),
    "double_crossed": (0.2, 1.1),
    "left_to_right_raised": (0.15, 1.1),
    "right_to_right_raised": (0.15, 1.1),
    "none": (0.0, 3.0),
}
"""Plausible distances between the partners' body points in each hold: torsos close in
the body holds, joined hands within arm's reach in the others. Arm's reach: a 1.80 m
leader's and a 1.68 m follower's arms (Drillis & Contini: shoulder to wrist 0.33 of the
height, the hand 0.11) joined straight at shoulder height span 1.3 m between the body
points, with one hand joined or both (each hand to the shoulder facing it), less crossed;
an underarm turn under hands raised above her head starts at most 1.1 m apart."""

BODY_HOLDS: tuple[str, ...] = ("closed", "embrace", "shadow")
"""The holds that join the partners' bodies: the follower is kept at her position's place."""

HOLD_SLACK_M = 0.12
"""In a body hold, how far (m) the follower may stand from her position's place (relative
to the leader) before the hold pulls her back to this distance from it."""

HOLD_MARGIN_M = 0.04
"""How far inside its hold's range of :data:`HOLD_DISTANCE_M` the hold keeps the partners
when it has to pull or push them (m). The replay places body points at the landings;
between them the bodies move over the standing foot (the motion stage's pelvis shifts a
few centimetres towards it), so a hold kept exactly at the end of its range would leave
it between the steps."""

LEAD_HANDS_M: dict[str, tuple[tuple[str, tuple[float, float, float]], ...]] = {
    # hold: ((the leader's hand joined to her, (forward, right, up) in his frame, m), ...)
    "closed": (("L", (0.25, -0.35, 1.45)), ("R", (0.3, 0.15, 1.25))),
    "embrace": (("L", (0.3, -0.15, 1.05)), ("R", (0.3, 0.15, 1.05))),
    "left_to_right": (("L", (0.45, -0.15, 1.0)),),
    "left_to_right_raised": (("L", (0.35, -0.1, 1.9)),),
    "right_to_right": (("R", (0.45, 0.1, 1.0)),),
    "right_to_right_raised": (("R", (0.35, 0.1, 1.9)),),
    "right_to_left": (("R", (0.45, 0.15, 1.0)),),
    "left_to_left": (("L", (0.45, -0.15, 1.0)),),
    "double": (("L", (0.45, -0.2, 1.0)), ("R", (0.45, 0.2, 1.0))),
    "double_crossed": (("L", (0.45, 0.05, 0.95)), ("R", (0.45, -0.05, 1.05))),
    "shadow": (("L", (0.3, -0.25, 1.3)), ("R", (0.35, 0.15, 1.25))),
    "none": (),
}
"""Where the leader's hands joined to the follower are in each hold, in his frame (forward,
right, up from his body point, m): what a partner feels of the hold (the heights of
:data:`pasdeux.dances.HOLD_CONNECTIONS`; a raised hand above her head). A rough stand-in for
the motion stage's arms, used where a benchmark needs the hold without a whole performance."""


def lead_hands(
    hold: str, body_xy: tuple[float, float], facing_rad: float
) -> tuple[tuple[str, tuple[float, float, float]], ...]:
    """The leader's joined hands in ``hold`` on the floor (x, y, height in m), his body point
    at ``body_xy`` facing ``facing_rad`` (see :data:`LEAD_HANDS_M`)."""
    fwd, right = forward_vector(facing_rad), right_vector(facing_rad)
    out = []
    for hand, (f_m, r_m, up_m) in LEAD_HANDS_M[hold]:
        x, y = np.asarray(body_xy, dtype=float) + f_m * fwd + r_m * right
        out.append((hand, (float(x), float(y), up_m)))
    return tuple(out)


def hand_leads(
    replayed: list[ReplayedStep],
    *,
    pull_m: float,
    pull_min_m: float,
    twist_m: float,
    twist_min_rad: float,
) -> list[NDArray[np.float64]]:
    """The lead through the joined hands before each of the leader's steps of ``replayed``
    (one figure's steps, both roles): how far his hands move from where the hold puts them,
    (forward, right) in his frame before the step, to lead what she does over her steps
    that go with his (hers from his step's beat to his next).

    The pull: ``pull_m`` towards where her body is to travel, when it travels at least
    ``pull_min_m``. The twist: a turn of hers of at least ``twist_min_rad`` is led by the
    raised hand beginning its circle over her head, ``twist_m`` to his left for her turn to
    the right (clockwise) and to his right for her turn to the left: two turns that take
    her to the same place feel different in the hand, as they do on a real floor.
    """
    his = [rs for rs in replayed if rs.role == "leader"]
    travel = [np.zeros(2) for _ in his]
    turn = [0.0 for _ in his]
    for rs in replayed:
        if rs.role == "follower":
            k = max((i for i, h in enumerate(his) if h.step.beat <= rs.step.beat), default=0)
            travel[k] = travel[k] + np.subtract(rs.body_after, rs.body_before)
            turn[k] += _wrap(rs.facing_after - rs.facing_before)
    out = []
    for rs, moved, turned in zip(his, travel, turn, strict=True):
        lead = np.zeros(2)
        size = float(np.hypot(*moved))
        if size >= pull_min_m:
            fwd, right = forward_vector(rs.facing_before), right_vector(rs.facing_before)
            lead += pull_m * np.array([moved @ fwd, moved @ right]) / size
        if abs(turned) >= twist_min_rad:
            lead[1] += math.copysign(twist_m, turned)
        out.append(lead)
    return out


MAX_CORRECTION_M = 0.5
"""The largest correction (m) the hold may make on one step of a figure replayed from the
ideal start of its position: more means the roles' steps do not dance together (a step
the wrong way, a turn split differently between the roles)."""

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
    """A dancer's state between steps (mutable while replaying).

    ``feet_facing_rad`` is, per foot, the dancer's facing when that foot was placed (turned
    with the dancer when the couple turns about its centre); a weight ``replace`` puts the
    body beside the foot in that facing. A foot missing from it uses ``facing_rad``.
    """

    body: NDArray[np.float64]
    facing_rad: float
    feet: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    support: str | None = None
    feet_facing_rad: dict[str, float] = field(default_factory=dict)

    @classmethod
    def standing(cls, body_xy: tuple[float, float], facing_rad: float) -> DancerPose:
        """Feet together under the body, weight on neither in particular."""
        body = np.array(body_xy, dtype=float)
        feet = {f: body + foot_offset(f, facing_rad) for f in ("L", "R")}
        return cls(
            body=body,
            facing_rad=facing_rad,
            feet=feet,
            feet_facing_rad={"L": facing_rad, "R": facing_rad},
        )

    def copy(self) -> DancerPose:
        """An independent copy."""
        return DancerPose(
            self.body.copy(),
            self.facing_rad,
            {k: v.copy() for k, v in self.feet.items()},
            self.support,
            dict(self.feet_facing_rad),
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
    correction_xy_m: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class PartnerPose:
    """One dancer's state between steps as a frozen value (see :class:`CouplePose`).

    ``support_foot`` is the foot bearing the weight (``None``: standing on both);
    ``left_foot_facing_rad`` and ``right_foot_facing_rad`` are the dancer's facing when each
    foot was placed (``None``: ``facing_rad``), see :class:`DancerPose`.
    """

    body_xy_m: tuple[float, float]
    facing_rad: float
    left_foot_xy_m: tuple[float, float]
    right_foot_xy_m: tuple[float, float]
    support_foot: Foot | None = None
    left_foot_facing_rad: float | None = None
    right_foot_facing_rad: float | None = None

    @classmethod
    def from_dancer(cls, pose: DancerPose) -> PartnerPose:
        """The frozen state of a replayed dancer (exact: the floats are kept as they are)."""
        return cls(
            body_xy_m=_xy(pose.body),
            facing_rad=float(pose.facing_rad),
            left_foot_xy_m=_xy(pose.feet["L"]),
            right_foot_xy_m=_xy(pose.feet["R"]),
            support_foot="L" if pose.support == "L" else "R" if pose.support == "R" else None,
            left_foot_facing_rad=pose.feet_facing_rad.get("L"),
            right_foot_facing_rad=pose.feet_facing_rad.get("R"),
        )

    def dancer(self) -> DancerPose:
        """A mutable copy to replay figures from."""
        return DancerPose(
            body=np.array(self.body_xy_m, dtype=float),
            facing_rad=self.facing_rad,
            feet={
                "L": np.array(self.left_foot_xy_m, dtype=float),
                "R": np.array(self.right_foot_xy_m, dtype=float),
            },
            support=self.support_foot,
            feet_facing_rad={
                f: a
                for f, a in (("L", self.left_foot_facing_rad), ("R", self.right_foot_facing_rad))
                if a is not None
            },
        )


@dataclass(frozen=True)
class CouplePose:
    """Where the couple is: both partners' bodies, facings, feet and support feet.

    A frozen, JSON-serialisable value (``pasdeux._serial``); the planner records one where
    each figure begins (``PlacedFigure.start_pose``) and the motion stage replays the
    figure from it.
    """

    leader: PartnerPose
    follower: PartnerPose

    @classmethod
    def from_dancers(cls, leader: DancerPose, follower: DancerPose) -> CouplePose:
        """The frozen state of two replayed dancers."""
        return cls(PartnerPose.from_dancer(leader), PartnerPose.from_dancer(follower))

    @classmethod
    def standing(
        cls, centre_xy: tuple[float, float], leader_facing_rad: float, position: Position
    ) -> CouplePose:
        """Both standing in ``position`` around a couple centre (see :func:`couple_start`)."""
        return cls.from_dancers(*couple_start(centre_xy, leader_facing_rad, position))

    def dancers(self) -> tuple[DancerPose, DancerPose]:
        """Mutable copies (leader, follower) to replay figures from."""
        return self.leader.dancer(), self.follower.dancer()

    @property
    def centre_xy_m(self) -> tuple[float, float]:
        """The midpoint of the partners' body points."""
        (lx, ly), (fx, fy) = self.leader.body_xy_m, self.follower.body_xy_m
        return (lx + fx) / 2, (ly + fy) / 2


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


HALF_TURN_TOLERANCE_RAD = 1e-6
"""How close to half a turn a placement turn counts as exactly half a turn."""


def placement_turn_rad(from_rad: float, to_rad: float) -> float:
    """The turn that takes a facing ``from_rad`` to ``to_rad`` the short way round (radians,
    counter-clockwise positive).

    Exactly half a turn (within ``HALF_TURN_TOLERANCE_RAD``, whatever the sign rounding
    gives the difference) is always counter-clockwise (+pi): both partners of a couple
    placed afresh half a turn round turn the same way, and the motion that turns them and
    the check that measures the turn agree which way.

    Parameters
    ----------
    from_rad, to_rad
        The facings (any number of turns apart).

    Returns
    -------
    float
        The turn, in (-pi, pi].
    """
    turn = math.remainder(to_rad - from_rad, 2 * math.pi)
    return math.pi if abs(turn) >= math.pi - HALF_TURN_TOLERANCE_RAD else turn


def relative_geometry(leader: DancerPose, follower: DancerPose) -> tuple[float, float]:
    """Distance between the partners' body points and her facing minus his (radians)."""
    distance = float(np.linalg.norm(follower.body - leader.body))
    return distance, _wrap(follower.facing_rad - leader.facing_rad)


def replay_figure(
    figure: Figure, leader: DancerPose, follower: DancerPose, *, keep_hold: bool = True
) -> list[ReplayedStep]:
    """Replay both roles of ``figure`` from the given poses (which are updated in place).

    Steps of the two roles are taken in time order, beat by beat; steps that land on the
    same beat share the couple centre measured before either of them. After each beat the
    hold is kept (see the module's description): the partner who is not the anchor is
    placed for the beat's hold and position, and the step records the correction.

    Parameters
    ----------
    figure
        The figure.
    leader, follower
        Where the partners are when it begins; they are left where it ends.
    keep_hold
        Keep the hold after each beat (the default). ``False`` replays the steps alone,
        as the library check does to see that a figure keeps the hold by itself.

    Returns
    -------
    list[ReplayedStep]
        Every step of both roles in time order (the leader's first on a shared beat).
    """
    events = [("leader", i, s) for i, s in enumerate(figure.leader)]
    events += [("follower", i, s) for i, s in enumerate(figure.follower)]
    events.sort(key=lambda e: (e[2].beat, e[0] != "leader"))
    poses = {"leader": leader, "follower": follower}
    out: list[ReplayedStep] = []
    start = 0
    while start < len(events):
        stop = start
        while stop < len(events) and events[stop][2].beat == events[start][2].beat:
            stop += 1
        out += _replay_beat(events[start:stop], poses, keep_hold)
        start = stop
    return out


def _replay_beat(
    group: list[tuple[str, int, Step]], poses: dict[str, DancerPose], keep_hold: bool
) -> list[ReplayedStep]:
    """The steps landing on one beat, then the hold kept (the non-anchor partner placed)."""
    leader, follower = poses["leader"], poses["follower"]
    centre = (leader.body + follower.body) / 2
    lead_step = next((s for r, _, s in group if r == "leader"), group[0][2])
    hold, position = lead_step.hold, lead_step.position
    turns = {r: s.turn_eighths for r, _, s in group}
    heel = next((r for r, _, s in group if s.action == "heel_turn" and hold in BODY_HOLDS), None)
    if heel is not None:
        centre = poses[heel].body.copy()  # the couple turns about the heel-turner
    out: list[ReplayedStep] = []
    for role, index, step in group:
        partner = "follower" if role == "leader" else "leader"
        together = step.hold in BODY_HOLDS and turns.get(partner) == step.turn_eighths
        out.append(_apply_step(role, index, step, poses[role], centre if together else None))
    anchor = heel or "leader"
    placed = "follower" if anchor == "leader" else "leader"
    last = max((k for k, rs in enumerate(out) if rs.role == placed), default=None)
    if last is None or not keep_hold:
        return out  # (the placed partner does not step on this beat: kept on her next one)
    correction = _hold_correction(leader, follower, placed, hold, position)
    if correction is None:
        return out
    pose = poses[placed]
    pose.body = pose.body + correction
    rs = out[last]
    pose.feet[rs.step.foot] = pose.feet[rs.step.foot] + correction
    out[last] = replace(
        rs,
        foot_to=_xy(pose.feet[rs.step.foot]),
        body_after=_xy(pose.body),
        correction_xy_m=_xy(correction),
    )
    return out


def _hold_correction(
    leader: DancerPose, follower: DancerPose, placed: str, hold: Hold, position: Position
) -> NDArray[np.float64] | None:
    """How far to move the ``placed`` partner to keep ``hold`` in ``position`` (``None``:
    the hold is kept as it is)."""
    low, high = HOLD_DISTANCE_M[hold]
    offset = follower.body - leader.body
    moved = False
    if hold in BODY_HOLDS:
        geometry = POSITIONS_GEOMETRY[position]
        place = geometry.forward_m * forward_vector(leader.facing_rad) + (
            geometry.right_m * right_vector(leader.facing_rad)
        )
        off_place = math.hypot(*(offset - place))
        if off_place > HOLD_SLACK_M:
            offset = place + (offset - place) * (HOLD_SLACK_M / off_place)
            moved = True
    distance = math.hypot(*offset)
    if distance < 1e-9:
        offset, distance = forward_vector(leader.facing_rad), 1.0
    if not low <= distance <= high:
        margin = min(HOLD_MARGIN_M, (high - low) / 4)
        offset = offset * (min(max(distance, low + margin), high - margin) / distance)
        moved = True
    if not moved:
        return None
    if placed == "follower":
        return np.asarray(leader.body + offset - follower.body, dtype=float)
    return np.asarray(follower.body - offset - leader.body, dtype=float)


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
            for foot, placed_rad in pose.feet_facing_rad.items():
                pose.feet_facing_rad[foot] = _wrap(placed_rad + turn_rad)
        pose.facing_rad = _wrap(pose.facing_rad + turn_rad)
    facing_mid = facing_before + turn_rad / 2
    fwd_part, right_part = _LOCAL_DIRECTIONS[step.direction]
    move = step.size_m * (
        fwd_part * forward_vector(facing_mid) + right_part * right_vector(facing_mid)
    )
    if step.direction == "replace":
        target = pose.feet[step.foot].copy()
        if step.weight:
            placed_rad = pose.feet_facing_rad.get(step.foot, pose.facing_rad)
            pose.body = target - foot_offset(step.foot, placed_rad)
    elif step.direction == "in_place":
        target = pose.body + foot_offset(step.foot, pose.facing_rad)
    elif step.weight:
        pose.body = pose.body + move
        target = pose.body + foot_offset(step.foot, pose.facing_rad)
    else:
        target = pose.body + move + foot_offset(step.foot, pose.facing_rad)
    if step.direction != "replace":
        pose.feet_facing_rad[step.foot] = pose.facing_rad
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


def _xy(point: NDArray[np.float64]) -> tuple[float, float]:
    return float(point[0]), float(point[1])


def _rotate_about(
    point: NDArray[np.float64], centre: NDArray[np.float64], angle_rad: float
) -> NDArray[np.float64]:
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    d = point - centre
    return np.asarray(centre + np.array([c * d[0] - s * d[1], s * d[0] + c * d[1]]), dtype=float)


def _wrap(angle_rad: float) -> float:
    return (angle_rad + math.pi) % (2 * math.pi) - math.pi
