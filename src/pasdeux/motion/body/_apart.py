"""Free hands kept off the partner, on the whole performance.

A free hand trails its forearm, which its target (``_hands``) did not know, and the
contact pass (``_contact``) turns elbows with the wrist kept where it is and the hand
pointing where it did: neither moves a hand out of the partner. Here, with both bodies
posed, a hand that meets a part of the partner that no hold blended there puts it in
contact with is moved off, level and straight apart, by the depth of the overlap and
``contact_clearance_m``: its whole arm swings about the shoulder. The moves are held and
smoothed over ``contact_spread_s`` (a hand goes round, it is not jerked aside), over the
whole performance at once, so the motion does not depend on the blocks it was posed in.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter1d, maximum_filter1d
from scipy.spatial.transform import Rotation

from pasdeux.capsules import BONE_CAPSULES, closest_parameters, hold_contact_pairs
from pasdeux.motion._params import MotionParams
from pasdeux.motion.body._contact import ContactModel, contact_model, world_rotation
from pasdeux.motion.body._hands import held_part
from pasdeux.motion.rig import Array, Skeleton, positions_from_rotations, side_name

__all__ = ["hands_apart"]

ROLES = ("leader", "follower")
_NAMES = tuple(BONE_CAPSULES)
# Each hand against every capsule of the partner (two hands once).
_PAIRS = [(f"{h}_hand", c) for h in "lr" for c in _NAMES] + [
    (c, f"{h}_hand") for h in "lr" for c in _NAMES if not c.endswith("_hand")
]


def hands_apart(
    skeletons: dict[str, Skeleton],
    roots: dict[str, Array],
    rotations: dict[str, NDArray[np.float32]],
    hold_weights: dict[str, Array],
    params: MotionParams,
    fps: float,
) -> dict[str, Array]:
    """Move the free hands off the partner in ``rotations`` (per role, (F, J, 4) local
    quaternions; changed in place), ``params.hand_rounds`` rounds (module docstring).
    Returns both bodies' joint positions as they are then."""
    spread = max(1, round(params.contact_spread_s * fps))
    rate = params.hand_move_speed_m_s / fps
    positions = {
        role: positions_from_rotations(skeletons[role], roots[role], rotations[role])
        for role in ROLES
    }
    models = {role: contact_model(skeletons[role], params) for role in ROLES}
    for _ in range(params.hand_rounds):
        moves = hand_moves(positions, models, hold_weights, params.contact_clearance_m)
        if not moves:
            break
        for (role, side), move in moves.items():
            _swing_arm(
                skeletons[role], rotations[role], positions[role], side, _held(move, spread, rate)
            )
    return positions


def hand_moves(
    positions: dict[str, Array],
    models: dict[str, ContactModel],
    hold_weights: dict[str, Array],
    clearance_m: float,
) -> dict[tuple[str, str], Array]:
    """How far each wrist (per ``(role, side)``, (F, 3); only hands that move) must move
    for no hand to meet a part of the partner that no hold blended there (weight above 0)
    puts it in contact with, ``clearance_m`` clear. A hand moves by as much as the holds
    blended there leave it free (a hand joined to the partner's or placed on the partner
    does not move); two hands free share the way. The pushes of several parts add, no
    further than the deepest asks."""
    n = positions["leader"].shape[0]
    need, way = _overlaps(positions, models, clearance_m)
    for hold, weight in hold_weights.items():
        joined = hold_contact_pairs(hold)
        touching = [k for k, pair in enumerate(_PAIRS) if pair in joined]
        need[:, touching] = np.where(weight[:, None] > 1e-6, 0.0, need[:, touching])
    free = {(role, side): np.ones(n) for role in ROLES for side in "lr"}
    for hold, weight in hold_weights.items():
        for role, side in free:
            if held_part(hold, role, side):
                free[role, side] = free[role, side] - weight
    moves = {key: np.zeros((n, 3)) for key in free}
    deepest = {key: np.zeros(n) for key in free}
    for k in np.flatnonzero(np.any(need > 0.0, axis=0)):
        mine, theirs = _PAIRS[k]
        hands = [
            (key, np.clip(free[key], 0.0, 1.0))
            for key, c in ((("leader", mine[0]), mine), (("follower", theirs[0]), theirs))
            if c.endswith("_hand")
        ]
        movers = np.maximum(sum(m for _, m in hands), 1.0)
        for key, movable in hands:
            sign = 1.0 if key[0] == "leader" else -1.0
            size = movable / movers * need[:, k]
            moves[key] += sign * size[:, None] * way[:, k]
            deepest[key] = np.maximum(deepest[key], size)
    # Pushes from several parts add (a hand squeezed between two is left where it is) but
    # move the hand no further than the deepest asks.
    for key, move in moves.items():
        length = np.linalg.norm(move, axis=1)
        moves[key] = move * np.minimum(1.0, deepest[key] / np.maximum(length, 1e-9))[:, None]
    return {key: move for key, move in moves.items() if move.any()}


def _overlaps(
    positions: dict[str, Array], models: dict[str, ContactModel], clearance_m: float
) -> tuple[Array, Array]:
    """For each pair of :data:`_PAIRS` (the leader's capsule, the follower's): how far
    (F, P) the two must move apart to be ``clearance_m`` clear, and the level way
    (F, P, 3) from hers to his (from her pelvis to his where they cross). Only where the
    capsules' bounding spheres come that near are the segments measured. The capsules'
    joints and radii are the contact pass's (``models``)."""
    ends = {
        role: (positions[role][:, m.ends[:, 0]], positions[role][:, m.ends[:, 1]])
        for role, m in models.items()
    }
    a = np.array([_NAMES.index(x) for x, _ in _PAIRS])
    b = np.array([_NAMES.index(y) for _, y in _PAIRS])
    (l0, l1), (f0, f1) = ends["leader"], ends["follower"]
    reach = models["leader"].radii_m[a] + models["follower"].radii_m[b] + clearance_m
    mid = ((l0 + l1) / 2.0)[:, a] - ((f0 + f1) / 2.0)[:, b]
    half = np.linalg.norm(l1 - l0, axis=2)[:, a] + np.linalg.norm(f1 - f0, axis=2)[:, b]
    f, k = np.nonzero(np.linalg.norm(mid, axis=2) - half / 2.0 < reach)
    need, way = np.zeros((l0.shape[0], len(_PAIRS))), np.zeros((l0.shape[0], len(_PAIRS), 3))
    p0, p1, q0, q1 = l0[f, a[k]], l1[f, a[k]], f0[f, b[k]], f1[f, b[k]]
    s, t = closest_parameters(p0, p1, q0, q1)
    gap = p0 + s[:, None] * (p1 - p0) - q0 - t[:, None] * (q1 - q0)
    gap[:, 2] = 0.0
    dist = np.linalg.norm(gap, axis=1)
    away = positions["leader"][f, 0] - positions["follower"][f, 0]
    away[:, 2] = 0.0
    gap = np.where((dist > 1e-3)[:, None], gap, away)
    way[f, k] = gap / np.maximum(np.linalg.norm(gap, axis=1, keepdims=True), 1e-9)
    need[f, k] = np.clip(reach[k] - dist, 0.0, None)
    return need, way


def _held(move: Array, frames: int, rate_m: float) -> Array:
    """``move`` (F, 3) held at its size over ``frames``, its way smoothed, and changing by
    no more than ``rate_m`` a frame (a hand eases off the partner and back, and where the
    way turns round, as two hands cross, it turns through no move at all)."""
    size = maximum_filter1d(np.linalg.norm(move, axis=1), frames, mode="nearest")
    # Grown ahead of the move and shrunk after it no faster than ``rate_m`` a frame.
    ramp = rate_m * np.arange(size.size)
    ahead = (np.maximum.accumulate((size - ramp)[::-1]) + ramp[::-1])[::-1]
    behind = np.maximum.accumulate(size + ramp) - ramp
    size = np.maximum(np.maximum(ahead, behind), 0.0)
    unit = move / np.maximum(np.linalg.norm(move, axis=1), 1e-9)[:, None]
    unit = gaussian_filter1d(unit, frames / 4.0, axis=0, mode="nearest")
    unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-9)
    return _slewed(size[:, None] * unit, rate_m)


def _slewed(target: Array, rate_m: float) -> Array:
    """``target`` (F, 3) followed from zero, a frame at a time, no faster than ``rate_m``
    a frame (stretches where both are zero are skipped)."""
    out = np.zeros_like(target)
    busy = np.any(target != 0.0, axis=1)
    x, y, z = 0.0, 0.0, 0.0
    f, n = 0, target.shape[0]
    while f < n:
        if x == y == z == 0.0 and not busy[f]:
            later = np.flatnonzero(busy[f:])
            if later.size == 0:
                break
            f += int(later[0])
        tx, ty, tz = target[f].tolist()
        dx, dy, dz = tx - x, ty - y, tz - z
        d = (dx * dx + dy * dy + dz * dz) ** 0.5
        share = 1.0 if d <= rate_m else rate_m / d
        x, y, z = x + share * dx, y + share * dy, z + share * dz
        out[f] = (x, y, z)
        f += 1
    return out


def _swing_arm(
    skeleton: Skeleton,
    rotations: NDArray[np.float32],
    positions: Array,
    side: str,
    move: Array,
) -> None:
    """Swing the ``side`` arm about its shoulder (in the local rotations and the joint
    positions, in place) so its wrist goes the way of ``move`` (F, 3): the arm turned from
    the shoulder-to-wrist line to the line to the wrist moved; the elbow, forearm and hand
    turn with it."""
    arm = skeleton.index(f"{side_name(side)}Arm")
    wrist = skeleton.index(f"{side_name(side)}Hand")
    frames = np.flatnonzero(np.linalg.norm(move, axis=1) > 1e-5)
    if frames.size == 0:
        return
    shoulder = positions[frames, arm]
    v = positions[frames, wrist] - shoulder
    w = v + move[frames]
    axis = np.cross(v, w)
    angle = np.arctan2(np.linalg.norm(axis, axis=1), np.sum(v * w, axis=1))
    axis /= np.maximum(np.linalg.norm(axis, axis=1, keepdims=True), 1e-12)
    swing = Rotation.from_rotvec(axis * angle[:, None])
    parent = world_rotation(skeleton, rotations[frames], skeleton.parents[arm])
    turn = Rotation.from_rotvec(parent.inv().apply(axis) * angle[:, None])
    rotations[frames, arm] = (turn * Rotation.from_quat(rotations[frames, arm])).as_quat()
    quats = rotations[:, arm]
    flips = np.ones(quats.shape[0], dtype=np.float32)
    flips[1:] = np.where(np.sum(quats[1:] * quats[:-1], axis=1) < 0, -1.0, 1.0)
    rotations[:, arm] = quats * np.cumprod(flips)[:, None]
    chain = [j for j in range(len(skeleton.joints)) if _below(skeleton, j, arm)]
    for j in chain:
        positions[frames, j] = shoulder + swing.apply(positions[frames, j] - shoulder)


def _below(skeleton: Skeleton, joint: int, top: int) -> bool:
    """Whether ``joint`` is ``top`` or hangs from it."""
    while joint >= 0:
        if joint == top:
            return True
        joint = skeleton.parents[joint]
    return False
