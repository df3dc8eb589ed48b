"""The arms: posed to reach the hands' targets (``_hands``) by IK, the elbows, clavicles and
hands with them, and the holds' weights per frame."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import lfilter

from pasdeux.capsules import capsule_radii_m
from pasdeux.dances import HOLDS
from pasdeux.motion._params import MotionParams
from pasdeux.motion.body._hands import blended_targets, held_part
from pasdeux.motion.body._reach import (
    arm_reach_m,
)
from pasdeux.motion.rig import (
    FORWARD,
    UP,
    Array,
    Body,
    Skeleton,
    apply,
    bone_world,
    rot_y,
    side_name,
    two_bone_ik,
)
from pasdeux.motion.steps import TimedStep

ROLES = ("leader", "follower")


def hold_weights(leader_steps: list[TimedStep], times: Array, blend_s: float) -> dict[str, Array]:
    """Per frame, how much each hold applies (they sum to 1; a change blends over
    ``blend_s``)."""
    current = _per_leader_step(leader_steps, times, lambda s: HOLDS.index(s.replayed.step.hold))
    width = _blend_frames(times, blend_s)
    return {
        hold: uniform_filter1d((current == i).astype(float), width)
        for i, hold in enumerate(HOLDS)
        if np.any(current == i)
    }


def springy_weight(leader_steps: list[TimedStep], times: Array, blend_s: float) -> Array:
    """Per frame, 1 where the leader's step is of a dance whose pulse is springy or is
    marked ``bounce``, 0 elsewhere, blended over ``blend_s`` as the figures change."""
    springy = _per_leader_step(
        leader_steps,
        times,
        lambda s: float(s.springy or s.replayed.step.action == "bounce"),
        before=0.0,
    )
    return np.asarray(uniform_filter1d(springy.astype(float), _blend_frames(times, blend_s)))


def _per_leader_step(
    leader_steps: list[TimedStep],
    times: Array,
    value: Callable[[TimedStep], float],
    before: float | None = None,
) -> Array:
    """Per frame, ``value`` of the leader's step lifted last (before the first lifts:
    ``before``, by default the first step's value)."""
    first = value(leader_steps[0]) if before is None else before
    out = np.full(times.size, first)
    for s in leader_steps:
        out[times >= s.t_lift] = value(s)
    return out


def _blend_frames(times: Array, blend_s: float) -> int:
    fps = 1.0 / (times[1] - times[0]) if times.size > 1 else 60.0
    return max(1, round(blend_s * fps))


def pose_arms(
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
    weights: dict[str, Array],
    carry: dict[tuple[str, str], Array],
    params: MotionParams,
    fps: float,
) -> None:
    """Pose both dancers' arms for the holds blended by ``weights``: a raised arm lifts
    its clavicle ``clavicle_raise_share`` of its raise, the hands follow the forearms
    (trailing them by ``hand_follow_s``), the fingers curled ``finger_curl_deg`` towards
    the palm, a free hand's way round the partner smoothed over ``free_hand_smoothing_s``
    (``params``).

    ``carry`` holds what the last block of frames posed passes on (updated here): per
    ``(role, side)`` the way the elbow bent at its last frame and whether it was catching
    up (where :func:`elbow_pole` swings round, the elbow turns a share set by
    ``elbow_follow_s`` of the way towards it each frame, no faster than
    ``elbow_turn_max_deg_s``), per ``(role, side + " pole")`` the way it bent once kept
    off the partner, per ``(role, side + " hand")`` the hand's way and palm there, per
    ``(role, side + " target")`` where the wrist was aimed (a hand's target moves no
    faster than ``max_hand_speed_m_s``), per ``(role, side + " way")`` the way from the
    shoulder to the wrist in the chest's frame (it turns no faster than
    ``shoulder_turn_max_deg_s`` and never further across the chest than
    ``arm_across_max_deg`` from straight out to the side: :func:`limited_reach`).
    """
    follow = 1.0 - math.exp(-1.0 / (fps * params.elbow_follow_s))
    turn_step = math.radians(params.shoulder_turn_max_deg_s) / fps
    elbow_step = math.radians(params.elbow_turn_max_deg_s) / fps
    across_max = math.radians(params.arm_across_max_deg)
    hand_follow = 1.0 - math.exp(-1.0 / (fps * params.hand_follow_s))
    targets = blended_targets(bodies, skeletons, weights, params, fps)
    elbows: dict[tuple[str, str], Array] = {}
    for (role, side), target in targets.items():
        target, carry[role, side + " target"] = _speed_limited(
            target, carry.get((role, side + " target")), params.max_hand_speed_m_s / fps
        )
        _raise_clavicle(bodies[role], skeletons[role], side, target, params.clavicle_raise_share)
        rest = _elbow_rest((role, side), weights, bodies, skeletons)
        partner = bodies["follower" if role == "leader" else "leader"].positions[:, 0]
        free = _free_share((role, side), weights)
        limits = (
            carry.get((role, side + " way")),
            turn_step / free,
            across_max + (1.0 - free) * (math.pi - across_max),
        )
        state, carry[role, side + " way"], last_pole = _pose_arm(
            bodies[role],
            skeletons[role],
            side,
            target,
            (carry.get((role, side)), follow, elbow_step, carry.get((role, side + " pole"))),
            limits,
            rest,
            partner,
            math.radians(params.elbow_off_partner_band_deg),
            _joined_elbow((role, side), weights, elbows, params),
        )
        elbows[role, side] = (
            bodies[role].positions[:, skeletons[role].index(side_name(side) + "ForeArm")].copy()
        )
        if state is not None:
            carry[role, side] = state
        if last_pole is not None:
            carry[role, side + " pole"] = last_pole
        carry[role, side + " hand"] = _pose_hand(
            bodies[role],
            skeletons[role],
            side,
            (hand_follow, math.radians(params.finger_curl_deg)),
            carry.get((role, side + " hand")),
        )


def _joined_elbow(
    hand: tuple[str, str],
    weights: dict[str, Array],
    elbows: dict[tuple[str, str], Array],
    params: MotionParams,
) -> tuple[Array, Array, float, float] | None:
    """For an arm whose hand the holds blended join to a partner's hand whose arm is
    already posed (its elbow in ``elbows``): that elbow (per frame), the share of the
    holds (by weight) that join the two hands, ``joined_elbows_apart_rise_deg``
    (radians) and ``joined_elbow_near_share``; None if no hold does."""
    role, side = hand
    partner = "follower" if role == "leader" else "leader"
    for mate in "lr":
        if (partner, mate) not in elbows:
            continue
        part = f"{side_name(mate)[0]} hand"
        share = sum(
            (w for hold, w in weights.items() if held_part(hold, role, side) == part),
            np.zeros(next(iter(weights.values())).shape[0]),
        )
        if np.any(share > 1e-6):
            rise = math.radians(params.joined_elbows_apart_rise_deg)
            return elbows[partner, mate], np.asarray(share), rise, params.joined_elbow_near_share
    return None


def _free_share(hand: tuple[str, str], weights: dict[str, Array]) -> Array:
    """Per frame, the share of the holds blended there (by weight) that leave ``hand``
    (role, side) free: joined to no hand of the partner, placed on no part of the
    partner (never below 0.001)."""
    role, side = hand
    joined = sum(
        (w for hold, w in weights.items() if held_part(hold, role, side)),
        np.zeros(next(iter(weights.values())).shape[0]),
    )
    return np.asarray(np.clip(1.0 - joined, 1e-3, 1.0))


def _speed_limited(target: Array, last: Array | None, step_m: float) -> tuple[Array, Array]:
    """``target`` (per frame) moving no more than ``step_m`` a frame from ``last`` (the
    last block's last frame; None: from its first): where it would (a hand swung round a
    spinning dancer as a hold changes), it follows as fast as that. Returns it and its
    last frame."""
    if target.shape[0] == 0:
        return target, np.zeros(3) if last is None else last
    step = np.linalg.norm(np.diff(target, axis=0), axis=1)
    first = 0.0 if last is None else float(np.linalg.norm(target[0] - last))
    if first <= step_m and np.all(step <= step_m):
        return target, target[-1].copy()
    out = target.copy()
    px, py, pz = (target[0] if last is None else last).tolist()
    for f, (tx, ty, tz) in enumerate(target.tolist()):
        dx, dy, dz = tx - px, ty - py, tz - pz
        d = math.sqrt(dx * dx + dy * dy + dz * dz)
        share = 1.0 if d <= step_m else step_m / d
        px, py, pz = px + share * dx, py + share * dy, pz + share * dz
        out[f] = (px, py, pz)
    return out, out[-1].copy()


def _follow_pole(
    field: Array, reach: Array, previous: Array | None, follow: float, step_rad: float = math.pi
) -> tuple[Array, Array | None]:
    """The elbow's pole frame by frame, and the state to carry to the next block.

    Where ``field`` (across the reach) turns slowly the pole is the field. Where it turns
    faster than a few degrees a frame (a reach passing where :func:`elbow_pole` swings
    round), the pole is the previous frame's kept across the new reach and turned
    ``follow`` of the way towards the field, but never more than ``step_rad`` in a frame
    (the elbow swings round the arm no faster than a shoulder turns), until it is back on
    the field. ``previous`` is the last block's state: its last pole and whether it was
    still catching up.
    """
    n = field.shape[0]
    if n == 0:
        return field, previous
    out = field.copy()
    catching_up = previous is not None and previous[3] > 0.5
    fast = np.zeros(n, dtype=bool)
    fast[1:] = np.sum(field[1:] * field[:-1], axis=1) < _SLOW_COS
    if previous is not None:
        fast[0] = catching_up or float(np.dot(previous[:3], field[0])) < _SLOW_COS
    unit = reach / np.maximum(np.linalg.norm(reach, axis=1, keepdims=True), 1e-9)
    starts = np.flatnonzero(fast)
    f = int(starts[0]) if starts.size else n
    while f < n:
        p = (out[f - 1] if f else np.asarray(previous)[:3]).tolist()
        f, catching_up = _catch_up(out, (field, unit, fast), f, p, (follow, step_rad))
        later = starts[starts > f]
        f = int(later[0]) if later.size else n
    return out, np.append(out[-1], 1.0 if catching_up else 0.0)


_SLOW_COS = math.cos(math.radians(3.0))


def _catch_up(
    out: Array,
    fields: tuple[Array, Array, Array],
    f: int,
    p: list[float],
    rates: tuple[float, float],
) -> tuple[int, bool]:
    """Frames from ``f`` of :func:`_follow_pole` until the pole is back on the field
    (``fields``: the field, the reach's unit vectors, the fast frames; ``rates``: the
    share followed and the most turned a frame): the last frame done and whether the
    block ended before that."""
    field, unit, fast = fields
    follow, step_rad = rates
    cos_step, sin_step = math.cos(step_rad), math.sin(step_rad)
    px, py, pz = p
    n = field.shape[0]
    for g in range(f, n):
        ux, uy, uz = unit[g].tolist()
        fx, fy, fz = field[g].tolist()
        d = px * ux + py * uy + pz * uz
        px, py, pz = px - d * ux, py - d * uy, pz - d * uz
        norm = math.sqrt(px * px + py * py + pz * pz)
        if norm > 1e-6:
            px, py, pz = px / norm, py / norm, pz / norm
            qx, qy, qz = px + follow * (fx - px), py + follow * (fy - py), pz + follow * (fz - pz)
            px, py, pz = _turned_at_most((px, py, pz), (qx, qy, qz), cos_step, sin_step)
            norm = math.sqrt(px * px + py * py + pz * pz)
        if norm <= 1e-6 or abs(px - fx) + abs(py - fy) + abs(pz - fz) < 1e-4:
            out[g] = field[g]  # back on the field
            if g + 1 == n or not fast[g + 1]:
                return g, False
            px, py, pz = fx, fy, fz
            continue
        px, py, pz = px / norm, py / norm, pz / norm
        out[g] = (px, py, pz)
    return n - 1, True


def _across_limited(pole: Array, reach: Array, last: Array | None, step_rad: float) -> Array:
    """The poles (unit vectors across ``reach``, per frame) turning no more than
    ``step_rad`` a frame from the one before (the first from ``last``; None: from
    itself), each step taken in the plane across that frame's reach (the pole never
    passes along the arm, where the elbow would flip over)."""
    cos_step, sin_step = math.cos(step_rad), math.sin(step_rad)
    prev = pole[:1] if last is None else last[None]
    cos = np.sum(pole * np.concatenate([prev, pole[:-1]]), axis=1)
    if pole.shape[0] == 0 or np.all(cos >= cos_step - 1e-12):
        return pole
    unit = reach / np.maximum(np.linalg.norm(reach, axis=1, keepdims=True), 1e-9)
    out = pole.copy()
    start = int(np.argmax(cos < cos_step - 1e-12))
    px, py, pz = (pole[start - 1] if start else prev[0]).tolist()
    for f in range(start, pole.shape[0]):
        ux, uy, uz = unit[f].tolist()
        d = px * ux + py * uy + pz * uz
        qx, qy, qz = px - d * ux, py - d * uy, pz - d * uz
        norm = math.sqrt(qx * qx + qy * qy + qz * qz)
        want = tuple(pole[f].tolist())
        p = (qx / norm, qy / norm, qz / norm) if norm > 1e-6 else want
        if norm <= 1e-6 or p[0] * want[0] + p[1] * want[1] + p[2] * want[2] >= cos_step:
            # Within the step the pole is kept as it is (not renormalised): the same
            # whether or not an earlier frame of the block was limited.
            px, py, pz = want
        else:
            px, py, pz = _turned_at_most(p, want, cos_step, sin_step)
        out[f] = (px, py, pz)
    return out


def _turned_at_most(
    p: tuple[float, float, float], q: tuple[float, float, float], cos_step: float, sin_step: float
) -> tuple[float, float, float]:
    """``q`` (any length) as a unit vector, or, where it is further than the step (its
    cosine and sine) from the unit vector ``p``, ``p`` turned towards it by the step."""
    px, py, pz = p
    qn = math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2])
    if qn <= 1e-9:
        return q
    qx, qy, qz = q[0] / qn, q[1] / qn, q[2] / qn
    c = px * qx + py * qy + pz * qz
    ox, oy, oz = qx - c * px, qy - c * py, qz - c * pz
    on = math.sqrt(ox * ox + oy * oy + oz * oz)
    if c >= cos_step or on <= 1e-9:
        return qx, qy, qz
    return (
        cos_step * px + sin_step * ox / on,
        cos_step * py + sin_step * oy / on,
        cos_step * pz + sin_step * oz / on,
    )


def _pose_arm(
    body: Body,
    skel: Skeleton,
    side: str,
    target: Array,
    pole_state: tuple[Array | None, float, float, Array | None],
    limits: tuple[Array | None, Array, Array],
    rest: tuple[Array, Array] | None = None,
    partner: Array | None = None,
    band_rad: float = math.radians(30.0),
    mate: tuple[Array, Array, float, float] | None = None,
) -> tuple[Array | None, Array, Array | None]:
    """One arm reaching for ``target``: the way from the shoulder turning as
    :func:`limited_reach` allows (``limits``: its last way, the most it turns a frame and
    the furthest across the chest, radians); the elbow bends as :func:`elbow_pole` says,
    following it as ``pole_state`` (the last block's state of :func:`_follow_pole`, the
    share it follows a frame, the most it turns a frame and the last block's last pole),
    but not towards ``partner`` (the partner's pelvis, :func:`_pole_not_towards` with
    ``band_rad``: before and after following), or, by the share ``rest[1]`` (per frame),
    towards the points ``rest[0]`` (an arm resting on the partner's, :func:`_elbow_rest`);
    both bones take their twist from the axis of that bend, so the elbow is a hinge.
    Returns the follow's state, the last way and the last pole, for the next block."""
    ix = skel.index
    arm, forearm, hand = (side_name(side) + j for j in ("Arm", "ForeArm", "Hand"))
    chest_rot = body.world[:, ix("Spine2")]
    shoulder = body.positions[:, ix(arm)]
    upper, lower = skel.length(forearm), skel.length(hand)
    nearest = 0.3 * (upper + lower)
    # A target nearer the shoulder than the arm folds is reached for in a direction turned
    # forward and down (the nearer, the more): a target passing through the shoulder (a
    # partner's hand there) does not swing the arm round.
    reach = target - shoulder
    short = np.clip(nearest - np.linalg.norm(reach, axis=1), 0.0, None)
    reach = reach + 3.0 * short[:, None] * apply(chest_rot, np.array([0.0, 0.6, -0.8]))
    reach, way = limited_reach(chest_rot, reach, side, limits)
    field = elbow_pole(chest_rot, reach, side)
    if mate is not None:
        # Only a joined elbow near enough the upper arm crosses it: kept off in full
        # within an upper arm's length of the shoulder, fading out by ``mate[3]`` of it.
        gap = np.linalg.norm(mate[0] - shoulder, axis=1)
        fade = max(mate[3] - 1.0, 1e-3) * upper
        near_mate = np.clip((mate[3] * upper - gap) / fade, 0.0, 1.0)
        mate = (mate[0], mate[1] * near_mate, mate[2], mate[3])
    if partner is not None:
        near = _near_share(skel, side, shoulder, partner)
        outward = apply(chest_rot, np.array([1.0 if side == "r" else -1.0, 0.0, 0.0]))
        field = _kept_off(
            field, reach, (partner - shoulder, mate, shoulder), near, outward, band_rad
        )
    if rest is not None:
        field = _pole_towards(field, reach, rest[0] - shoulder, rest[1])
    pole, state = _follow_pole(field, reach, *pole_state[:3])
    if partner is not None:
        # Lagging a field that swung round, the followed pole may point into the partner
        # again: that part is taken out once more (not from an arm resting on the
        # partner's), the pole turning no faster than the elbow may.
        keep = near if rest is None else near * (1.0 - rest[1])
        pole = _kept_off(pole, reach, (partner - shoulder, mate, shoulder), keep, outward, band_rad)
        pole = _across_limited(pole, reach, pole_state[3], pole_state[2])
    elbow, wrist = two_bone_ik(
        shoulder,
        shoulder + reach,
        upper,
        lower,
        pole,
        reach_m=(nearest, upper + lower - 1e-4),
    )
    body.positions[:, ix(forearm)] = elbow
    body.positions[:, ix(hand)] = wrist
    # The rest pose is a T-pose, palms down: the arm out along the side's axis, the elbow
    # bending the forearm forward (so the elbow goes back).
    hinge = np.cross(wrist - shoulder, pole)
    rest_way, rest_hinge = _rest_arm(side)
    body.world[:, ix(arm)] = bone_world(elbow - shoulder, hinge, rest_way, rest_hinge)
    body.world[:, ix(forearm)] = bone_world(wrist - elbow, hinge, rest_way, rest_hinge)
    return state, way, pole[-1].copy() if pole.shape[0] else pole_state[3]


def limited_reach(
    chest_rot: Array, reach: Array, side: str, limits: tuple[Array | None, Array, Array]
) -> tuple[Array, Array]:
    """The reaches (per frame, from the shoulder, world) of the ``side`` arm with their
    way kept anatomical and turning no faster than a shoulder does: in the chest's frame
    (``chest_rot``) the way is no further than ``across_rad`` from straight out to the
    side (an arm does not point across its own chest: there every rotation order of the
    shoulder locks) and turns at most ``step_rad`` from the frame before (from ``last``,
    the last block's way, at the first), where the wanted way turns faster it follows as
    fast as that; the reaches keep their lengths. ``limits`` is (``last``, ``step_rad``,
    ``across_rad``). Returns the reaches and the last way, for the next block."""
    last, step_rad, across_rad = limits
    local = np.einsum("fji,fj->fi", chest_rot, reach)
    length = np.linalg.norm(local, axis=1, keepdims=True)
    way = _within_cone(local / np.maximum(length, 1e-9), side, across_rad)
    if way.shape[0] == 0:
        return reach, np.array([1.0 if side == "r" else -1.0, 0.0, 0.0]) if last is None else last
    way = _turn_limited(way, last, step_rad)
    return apply(chest_rot, length * way), way[-1].copy()


def _within_cone(way: Array, side: str, across_rad: Array) -> Array:
    """Unit vectors (chest frame) turned towards straight out to the ``side`` (+x right,
    -x left) where they are further from it than ``across_rad``: onto that cone, in the
    plane of the way and the side (straight across: turned forward)."""
    out = np.array([1.0 if side == "r" else -1.0, 0.0, 0.0])
    cos = way @ out
    beyond = cos < np.cos(across_rad)
    if not beyond.any():
        return way
    perp = way[beyond] - cos[beyond, None] * out
    size = np.linalg.norm(perp, axis=1, keepdims=True)
    perp = np.where(size > 1e-6, perp / np.maximum(size, 1e-9), _REACH_0)
    limit = across_rad[beyond, None]
    out_way = way.copy()
    out_way[beyond] = np.cos(limit) * out + np.sin(limit) * perp
    return out_way


def _turn_limited(way: Array, last: Array | None, step_rad: Array) -> Array:
    """Unit vectors ``way`` (per frame) turning at most ``step_rad`` a frame from the one
    before (the first from ``last``; None: from itself); where one would turn further, it
    turns towards the wanted way by that much, on the shorter arc."""
    steps = np.minimum(step_rad, math.pi)
    cos_steps = np.cos(steps)
    prev = way[:1] if last is None else last[None]
    cos = np.sum(way * np.concatenate([prev, way[:-1]]), axis=1)
    if np.all(cos >= cos_steps - 1e-12):
        return way
    out = way.copy()
    start = int(np.argmax(cos < cos_steps - 1e-12))
    px, py, pz = (way[start - 1] if start else prev[0]).tolist()
    for f in range(start, way.shape[0]):
        wx, wy, wz = way[f].tolist()
        c = max(-1.0, min(1.0, px * wx + py * wy + pz * wz))
        cos_step = float(cos_steps[f])
        if c < cos_step:
            # The part of the wanted way across the last one (any way across if opposite).
            ox, oy, oz = wx - c * px, wy - c * py, wz - c * pz
            size = math.sqrt(ox * ox + oy * oy + oz * oz)
            if size < 1e-9:
                ox, oy, oz, size = -py, px, 0.0, math.hypot(px, py) or 1.0
            sin_s = math.sin(float(steps[f]))
            px, py, pz = (
                cos_step * px + sin_s * ox / size,
                cos_step * py + sin_s * oy / size,
                cos_step * pz + sin_s * oz / size,
            )
        else:
            px, py, pz = wx, wy, wz
        out[f] = (px, py, pz)
    return out


def _pole_towards(field: Array, reach: Array, toward: Array, share: Array) -> Array:
    """The poles ``field`` turned by ``share`` (per frame, 0-1) towards ``toward`` (from
    the shoulder), both taken across ``reach``."""
    unit = reach / np.maximum(np.linalg.norm(reach, axis=1, keepdims=True), 1e-9)
    hint = toward - np.sum(toward * unit, axis=1, keepdims=True) * unit
    hint /= np.maximum(np.linalg.norm(hint, axis=1, keepdims=True), 1e-9)
    out = (1.0 - share)[:, None] * field + share[:, None] * hint
    size = np.linalg.norm(out, axis=1, keepdims=True)
    return np.asarray(np.where(size > 1e-6, out / np.maximum(size, 1e-9), field))


def _kept_off(
    pole: Array,
    reach: Array,
    off: tuple[Array, tuple[Array, Array, float, float] | None, Array],
    share: Array,
    outward: Array,
    band_rad: float,
) -> Array:
    """The poles kept off, by ``share``, first (:func:`_pole_not_towards`) the
    partner's body (``off[0]``, from the shoulder ``off[2]``), then, as far as that
    allows, the elbow of the partner's arm joined to this one (``off[1]``: that elbow,
    the share of the holds joining the two and the rise for :func:`_pole_off_mate`, or
    None): the joined arms of one hold bend to different sides, not into an X."""
    toward, mate, shoulder = off
    pole = _pole_not_towards(pole, reach, toward, share, outward, band_rad)
    if mate is None:
        return pole
    return _pole_off_mate(pole, reach, toward, (mate[0] - shoulder, mate[1] * share), mate[2])


def _across_reach(reach: Array, toward: Array) -> tuple[Array, Array, Array, Array]:
    """The plane across ``reach`` (per frame): the reach's unit way, the unit way in the
    plane towards the level of ``toward`` (the partner, from the shoulder), the way to its
    side (their cross product) and the size of the level way's part across the reach
    (near 0: the partner straight along the reach, ``across`` undefined)."""
    unit = reach / np.maximum(np.linalg.norm(reach, axis=1, keepdims=True), 1e-9)
    level = toward * np.array([1.0, 1.0, 0.0])
    across = level - np.sum(level * unit, axis=1, keepdims=True) * unit
    size = np.linalg.norm(across, axis=1)
    across /= np.maximum(size, 1e-9)[:, None]
    return unit, across, np.cross(unit, across), size


def _pole_off_mate(
    pole: Array, reach: Array, toward: Array, mate: tuple[Array, Array], rise_rad: float
) -> Array:
    """The poles turned, by ``mate[1]`` (per frame, 0-1), to a right angle (across
    ``reach``) off the way to ``mate[0]`` (from the shoulder: the elbow of the partner's
    arm whose hand this one holds) where they are within one of it, towards whichever of
    its two right angles is at least a right angle off the level way to the partner
    (``toward``; the nearer if both are), blended linearly. Only a raised
    arm is turned: in full from ``rise_rad`` above level, not at all at level or below
    (low joined arms hang apart at their sides)."""
    way, share = mate
    unit, across, side, size = _across_reach(reach, toward)
    # In the plane across the reach: x towards the partner, y to the side.
    x, y = np.sum(pole * across, axis=1), np.sum(pole * side, axis=1)
    wx, wy = np.sum(way * across, axis=1), np.sum(way * side, axis=1)
    w = np.maximum(np.sqrt(wx * wx + wy * wy), 1e-9)
    wx, wy = wx / w, wy / w
    # The right angles off his elbow, (-wy, wx) and (wy, -wx): the one nearer the pole of
    # those not towards the partner (x <= 0).
    along = x * -wy + y * wx  # the pole along the first, minus along the second
    first = np.where((-wy <= 1e-9) & ((wy > 1e-9) | (along >= 0.0)), 1.0, -1.0)
    bx, by = -first * wy, first * wx
    near = x * wx + y * wy > 0.0
    share = share * np.clip(unit[:, 2] / math.sin(rise_rad), 0.0, 1.0)
    share = np.where(near, share, 0.0)
    r = np.sqrt(x * x + y * y)
    tx = (1.0 - share) * x + share * bx * r
    ty = (1.0 - share) * y + share * by * r
    t = np.maximum(np.sqrt(tx * tx + ty * ty), 1e-12)
    out = pole - x[:, None] * across - y[:, None] * side
    out += (r * tx / t)[:, None] * across + (r * ty / t)[:, None] * side
    # Poles not turned are returned as they are.
    ok = (share > 0.0) & (size > 1e-6) & (t > 1e-9)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    return np.asarray(np.where(ok[:, None], out, pole))


def _pole_not_towards(
    field: Array,
    reach: Array,
    toward: Array,
    share: Array,
    outward: Array | None = None,
    band_rad: float = math.radians(30.0),
) -> Array:
    """The poles ``field`` turned, by ``share`` (per frame, 0-1), off the part of the plane
    across ``reach`` that points level towards ``toward`` (from the shoulder: the partner):
    an elbow does not bend into the partner (it goes out to the side, up or down instead).

    Across the reach, a pole within a right angle of the partner's way is turned to the
    right angle on its side; one within ``band_rad`` of that way on the side away from
    the arm's ``outward`` side (the chest's side of that arm; None: the pole's own side)
    swings round to the outward right angle through the way away from the partner, in
    proportion (a raised or level arm; a hanging one turns to its side's right angle).
    The turn is continuous in the pole: a field pointing straight at the partner (a
    raised arm reaching towards him) does not flip the elbow from one side of him to the
    other between two frames, as taking away only the part pointing at him would (the
    remainder vanishes there and changes sign)."""
    unit, across, side, size = _across_reach(reach, toward)
    x, y = np.sum(field * across, axis=1), np.sum(field * side, axis=1)
    way = y if outward is None else np.sum(outward * side, axis=1)
    sign = np.where(way < 0.0, -1.0, 1.0)
    angle = np.arctan2(sign * y, x)
    half = 0.5 * np.pi
    swing = np.pi * np.clip(angle + band_rad, 0.0, None) / band_rad
    # A hanging arm's inner side keeps its right angle (its turn is scaled down below).
    swing = np.where(unit[:, 2] < 0.0, 0.0, swing)
    wanted = np.where(angle >= 0.0, half, -half - swing)
    wanted = np.where(np.abs(angle) < half, wanted, angle)
    # An arm hanging straight down bends nowhere in particular: the more it hangs, the less
    # its pole is moved (a free arm hanging through a spin keeps turning with the body
    # instead of twisting against it). A raised arm is moved in full.
    level_share = np.where(unit[:, 2] < 0.0, np.linalg.norm(unit[:, :2], axis=1), 1.0)
    turned = angle + share * level_share * (wanted - angle)
    # The field's part along the reach (a pole not quite across it) is kept.
    out = field - x[:, None] * across - y[:, None] * side
    out += np.cos(turned)[:, None] * across + (sign * np.sin(turned))[:, None] * side
    ok = (size > 1e-6) & (np.linalg.norm(out, axis=1) > 1e-6)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    return np.asarray(np.where(ok[:, None], out, field))


def _near_share(skel: Skeleton, side: str, shoulder: Array, partner: Array) -> Array:
    """How near the partner's body is for the arm (per frame, 0-1): 0 where the partner's
    axis (level from ``partner``, the pelvis) is beyond the arm's length and the two
    capsules' radii from the shoulder (no part of the arm reaches it), 1 where it is an
    upper arm nearer, in between in proportion."""
    radii = capsule_radii_m()
    upper = skel.length(f"{side_name(side)}ForeArm")
    limit = arm_reach_m(skel) + radii[f"{side}_upper_arm"] + radii["chest"]
    gap = np.linalg.norm((partner - shoulder)[:, :2], axis=1)
    return np.asarray(np.clip((limit - gap) / upper, 0.0, 1.0))


def _elbow_rest(
    hand: tuple[str, str],
    weights: dict[str, Array],
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
) -> tuple[Array, Array] | None:
    """Where the elbow of an arm whose hand a hold places on the partner's upper arm
    goes, and by how much (the weights of those holds): towards the partner's elbow, the
    forearm along the partner's arm (in closed hold her left arm rests on his right; the
    elbow bent the usual way would swing into his chest where she stands at his side, in
    promenade). None if no hold blended does so. The partner's arm must be posed."""
    role, side = hand
    partner = "follower" if role == "leader" else "leader"
    toward, share = None, None
    for hold, weight in weights.items():
        held = held_part(hold, role, side)
        if held.endswith(" upper arm"):
            elbow = f"{side_name(held[0].lower())}ForeArm"
            toward = bodies[partner].positions[:, skeletons[partner].index(elbow)]
            share = weight if share is None else share + weight
    return None if toward is None or share is None else (toward, share)


def _raise_clavicle(body: Body, skel: Skeleton, side: str, target: Array, share: float) -> None:
    """Turn the clavicle up about the chest's forward axis by ``share`` of how far the
    way from the shoulder to ``target`` rises above the chest's horizontal (a hanging arm
    leaves it level), moving the shoulder joint with it."""
    ix = skel.index
    clavicle, arm = side_name(side) + "Shoulder", side_name(side) + "Arm"
    chest_rot = body.world[:, ix("Spine2")]
    reach = target - body.positions[:, ix(arm)]
    up = np.sum(reach * apply(chest_rot, UP), axis=1) / np.maximum(
        np.linalg.norm(reach, axis=1), 1e-9
    )
    angle = share * np.arcsin(np.clip(up, 0.0, 1.0))
    world = chest_rot @ rot_y(angle if side == "l" else -angle)
    body.world[:, ix(clavicle)] = world
    body.positions[:, ix(arm)] = body.positions[:, ix(clavicle)] + apply(world, skel.offset(arm))


def _rest_arm(side: str) -> tuple[Array, Array]:
    """The way an arm points in the rest pose (the T-pose: out along the body's left (-x)
    or right (+x) axis) and the axis its elbow bends about there (palms down: the
    forearm bends forward, the elbow goes back)."""
    way = np.array([-1.0 if side == "l" else 1.0, 0.0, 0.0])
    return way, np.cross(way, -FORWARD)


def _pose_hand(
    body: Body, skel: Skeleton, side: str, shares: tuple[float, float], last: Array | None
) -> Array:
    """The hand follows the forearm, trailing it (its way and palm turn ``shares[0]``
    of the way towards the forearm's each frame, from ``last``, the last block's); the
    finger curls ``shares[1]`` radians towards the palm (down in the T-pose: about the
    forward axis). Returns the hand's way and palm at the last frame."""
    ix = skel.index
    forearm, hand, finger = (side_name(side) + j for j in ("ForeArm", "Hand", "HandMiddle1"))
    n = body.world.shape[0]
    follow, curl_rad = shares
    rest_way, rest_hinge = _rest_arm(side)
    target = np.concatenate(
        [
            apply(body.world[:, ix(forearm)], rest_way),
            apply(body.world[:, ix(forearm)], rest_hinge),
        ],
        axis=1,
    )
    if n == 0:
        return np.zeros(6) if last is None else last
    start = target[0] if last is None else last
    trail, _ = lfilter(
        [follow], [1.0, follow - 1.0], target, axis=0, zi=(1.0 - follow) * start[None]
    )
    body.world[:, ix(hand)] = bone_world(trail[:, :3], trail[:, 3:], rest_way, rest_hinge)
    curl = rot_y(np.full(n, curl_rad if side == "r" else -curl_rad))
    body.world[:, ix(finger)] = body.world[:, ix(hand)] @ curl
    body.positions[:, ix(finger)] = body.positions[:, ix(hand)] + apply(
        body.world[:, ix(hand)], skel.offset(finger)
    )
    return np.asarray(trail[-1])


_REACH_0 = np.array([0.0, 1.0, 0.0])  # straight forward, in the chest's frame


def elbow_pole(chest_rot: Array, reach: Array, side: str) -> Array:
    """The way the elbow bends (world, across the arm) for arms reaching along ``reach``.

    Reaching straight forward the elbow points down and a little out; for any other reach
    that way is carried along the shortest rotation from forward to the reach (hanging
    arm: elbow back; raised arm: elbow forward). This is continuous for every reach but
    straight back (where no hold puts a hand), unlike one fixed pole, which flips the
    elbow round where a reach passes along or against it (a hand across the body, a hand
    circling over the head in a turn).
    """
    out = 1.0 if side == "r" else -1.0
    v0 = np.array([0.4 * out, 0.0, -1.0]) / np.hypot(0.4, 1.0)
    local = np.einsum("fji,fj->fi", chest_rot, reach)
    local /= np.maximum(np.linalg.norm(local, axis=1, keepdims=True), 1e-9)
    c = np.cross(_REACH_0, local)
    d = local @ _REACH_0
    cv = np.cross(c, v0)
    v = v0 + cv + np.cross(c, cv) / np.maximum(1.0 + d, 1e-3)[:, None]
    v -= np.sum(v * local, axis=1, keepdims=True) * local
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    return apply(chest_rot, v)
