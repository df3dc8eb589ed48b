"""The body above the feet: pelvis, spine, head and the legs solved to the feet."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import (
    gaussian_filter1d,
    label,
    maximum,
    maximum_filter1d,
    minimum_filter1d,
    uniform_filter1d,
)

from pasdeux.motion._params import MotionParams
from pasdeux.motion.rig import (
    DOWN,
    FORWARD,
    Array,
    Body,
    Skeleton,
    apply,
    bone_world,
    rot_x,
    rot_y,
    rot_z,
    side_name,
    smoothstep,
    two_bone_ik,
)
from pasdeux.motion.steps import Tracks

_REST_HINGE = np.cross(DOWN, FORWARD)


def plan_pelvis(
    tr: Tracks, skel: Skeleton, params: MotionParams, fps: float, xy: Array | None = None
) -> None:
    """Plan the pelvis (``tr.pelvis_m``) from both feet and the support before any leg is
    solved, and how far each trailing heel is raised (``tr.heel_release_rad``).

    On the floor it is at ``xy`` (per frame; by default :func:`pelvis_xy`, which the
    motion stage moves towards a partner the joined hands would not reach). Its height is
    the standing height with the steps' rise, fall and dips, never above what either leg
    reaches from there (smoothed without exceeding it), less the bounce, plus a hop's lift
    (the hopping foot rises as much, so the legs reach as before), and never below
    ``min_pelvis_height_share`` of the standing height outside a dip or lunge. A foot on
    the floor that bears no weight (the trailing foot of a long step) rises onto its ball,
    up to ``heel_release_max_deg``, rather than pull the pelvis down (:func:`_releases`).
    """
    off = skel.offset
    if xy is None:
        xy = pelvis_xy(tr, params, fps)
    standing_m = float(off("Hips")[2])
    wanted = standing_m - tr.drop_m + tr.rise_m
    base = {side: _pitch_without_release(skel, tr, params, side) for side in "lr"}
    short = {side: wanted - _leg_limit(tr, skel, params, xy, side, base[side]) for side in "lr"}
    tr.heel_release_rad = _releases(tr, skel, params, (fps, xy), short)
    limit = np.full(tr.facing.size, np.inf)
    for side in "lr":
        pitch = heel_pitch_rad(skel, tr, params, side)
        limit = np.minimum(limit, _leg_limit(tr, skel, params, xy, side, pitch))
    width = max(1, round(params.pelvis_smoothing_s * fps))
    # The limit's lower envelope (an opening: no peak narrower than the window), smoothed
    # over the window, and never above the limit (a leg always reaches its foot).
    opened = maximum_filter1d(minimum_filter1d(limit, width, mode="nearest"), width, mode="nearest")
    under = np.minimum(uniform_filter1d(opened, width, mode="nearest"), limit)
    # That puts back the limit's edges (a dip narrower than the window, where a swinging
    # foot lets go of the pelvis once it is up): the pelvis goes there at a bounded speed,
    # along the lower envelope of the limit's speed-bounded cones, smoothed over the
    # window and never above that envelope.
    cone = rate_limited_below(under, params.pelvis_limit_speed_m_s / fps)
    under = np.minimum(uniform_filter1d(cone, width, mode="nearest"), cone)
    z = np.minimum(wanted, under) - tr.bounce_m + tr.hop_m
    floor_m = params.min_pelvis_height_share * standing_m * (1.0 - tr.dip)
    tr.pelvis_m = np.column_stack([xy, np.maximum(z, floor_m)])


def rate_limited_below(values: Array, step: float) -> Array:
    """The highest series never above ``values`` that changes by at most ``step`` from one
    frame to the next: ``out[t] = min_k(values[k] + step * |t - k|)``.

    Parameters
    ----------
    values
        The series ``(N,)`` (``inf`` allowed: no bound there).
    step
        Most the result changes per frame (> 0).

    Returns
    -------
    Array
        The series ``(N,)``, ``<= values`` everywhere.
    """
    ramp = step * np.arange(values.size)
    ahead = np.minimum.accumulate(values - ramp) + ramp
    behind = np.minimum.accumulate((values + ramp)[::-1])[::-1] - ramp
    return np.asarray(np.minimum(ahead, behind))


def sit_back_xy(
    tr: Tracks, skel: Skeleton, params: MotionParams, xy: Array, facing_share: Array
) -> Array:
    """The pelvis on the floor ``xy`` moved back along the facing as its standing knees
    come forward (with the pelvis planned at ``tr.pelvis_m``): by ``hold_sit_back_share``
    of how far the knees of the legs bearing the weight bend forward of the line from
    hip to ankle, times ``facing_share`` (per frame, 0-1: how much the partner is in
    front, in a hold face to face). The knees give forward, the hips go back: the knees
    stay off a partner's in front."""
    off = skel.offset
    thigh, shin = skel.length("LeftLeg"), skel.length("LeftFoot")
    ankle_h = float(off("Hips")[2]) + off("LeftUpLeg")[2] - thigh - shin
    forward = np.zeros(tr.facing.size)
    for side in "lr":
        hip_xy, hz = _hip_offset(skel, tr.facing, side)
        hip = tr.pelvis_m + np.column_stack([hip_xy, np.full(tr.facing.size, hz)])
        foot = tr.feet[side.upper()]
        lift = ankle_lift_m(skel, heel_pitch_rad(skel, tr, params, side))
        ankle = np.column_stack([foot[:, :2], ankle_h + foot[:, 2] + lift])
        d = np.clip(np.linalg.norm(ankle - hip, axis=1), 1e-6, thigh + shin)
        along = (thigh**2 - shin**2 + d**2) / (2.0 * d)
        bend = np.sqrt(np.clip(thigh**2 - along**2, 0.0, None))
        weight = tr.weight_r if side == "r" else 1.0 - tr.weight_r
        forward += weight * bend
    ahead = np.column_stack([np.cos(tr.facing), np.sin(tr.facing)])
    back = params.hold_sit_back_share * facing_share * forward
    return np.asarray(xy - back[:, None] * ahead)


def _hip_offset(skel: Skeleton, facing: Array, side: str) -> tuple[Array, float]:
    """Where the hip joint of ``side`` is from the pelvis, per frame of ``facing``: its
    floor offset ``(N, 2)`` (turned with the body) and its height offset."""
    hx, hy, hz = skel.offset(f"{side_name(side)}UpLeg")
    yaw = facing - np.pi / 2
    c, s = np.cos(yaw), np.sin(yaw)
    return np.column_stack([c * hx - s * hy, s * hx + c * hy]), float(hz)


def _leg_limit(
    tr: Tracks, skel: Skeleton, params: MotionParams, xy: Array, side: str, pitch_rad: Array
) -> Array:
    """The highest the pelvis may be, with the pelvis at ``xy`` on the floor, for the leg
    of ``side`` to reach its foot tipped forward ``pitch_rad`` about its ball (the ankle
    raised, and moved towards the ball)."""
    off = skel.offset
    standing_m = float(off("Hips")[2])
    thigh, shin = skel.length("LeftLeg"), skel.length("LeftFoot")
    ankle_h = standing_m + off("LeftUpLeg")[2] - thigh - shin
    reach = params.leg_reach_share * (thigh + shin)
    offset_xy, hz = _hip_offset(skel, tr.facing, side)
    hip_xy = xy + offset_xy
    foot = tr.feet[side.upper()]
    length, angle = _ball_lever(skel)
    toward_ball = length * (np.cos(angle) - np.cos(angle + pitch_rad))
    way = tr.foot_yaw[side.upper()]
    ankle_xy = foot[:, :2] + toward_ball[:, None] * np.column_stack([np.cos(way), np.sin(way)])
    horizontal = np.linalg.norm(ankle_xy - hip_xy, axis=1)
    height = np.sqrt(np.clip(reach**2 - horizontal**2, 0.0, None))
    limit = ankle_h + foot[:, 2] + ankle_lift_m(skel, pitch_rad) + height - hz
    # A foot in the air goes where the leg reaches (it must be on its mark only where it
    # leaves the floor and where it lands): it does not pull the pelvis down.
    airborne = smoothstep(foot[:, 2] / _free_lift_m(foot[:, 2], tr.free_on_ball, params))
    return np.asarray(limit + airborne * reach)


def _free_lift_m(lift_m: Array, latin: Array, params: MotionParams) -> Array:
    """How high a foot in the air (``lift_m`` per frame) rises before it lets go of the
    pelvis: ``swing_hold_lift_m`` in a swing that rises ``swing_hold_peak_share`` of that
    or higher (a long stride, which must reach its mark), ``swing_free_lift_m`` in a lower
    one (a short step, a hop) and in a Latin dance (``latin``, per frame 0-1: its legs
    straighten under the body rather than stretch after a stride)."""
    swings, count = label(lift_m > 0.0)
    peak = np.concatenate([[0.0], maximum(lift_m, swings, np.arange(1, count + 1))])
    high = peak[swings] >= params.swing_hold_peak_share * params.swing_hold_lift_m
    high &= latin < 0.5
    return np.where(high, params.swing_hold_lift_m, params.swing_free_lift_m)


def _releases(
    tr: Tracks,
    skel: Skeleton,
    params: MotionParams,
    fps_xy: tuple[float, Array],
    short_m: dict[str, Array],
) -> dict[str, Array]:
    """How far each heel is raised about its ball where its leg is ``short_m`` short of the
    wanted pelvis height (by more than ``heel_release_from_m``, which the knees take;
    ``fps_xy``: frames per second and the pelvis on the floor): only a foot behind the
    pelvis (by ``heel_release_behind_m`` for all of it; in a Latin dance, ``free_on_ball``,
    any foot), on the floor, bearing (almost) no weight; at most ``heel_release_max_deg``,
    smoothed over ``pelvis_smoothing_s``."""
    length, angle = _ball_lever(skel)
    fps, xy = fps_xy
    ahead = np.column_stack([np.cos(tr.facing), np.sin(tr.facing)])
    top = np.radians(params.heel_release_max_deg)
    width = max(1, round(params.pelvis_smoothing_s * fps))
    out = {}
    for side in "lr":
        base = _pitch_without_release(skel, tr, params, side)
        need = ankle_lift_m(skel, base) + np.clip(
            short_m[side] - params.heel_release_from_m, 0.0, None
        )
        pitch = np.arcsin(np.clip(np.sin(angle) + need / length, -1.0, 1.0)) - angle
        weight = tr.weight_r if side == "r" else 1.0 - tr.weight_r
        limit = params.heel_release_weight_max
        free = smoothstep((limit - weight) / limit)
        behind = -np.sum((tr.feet[side.upper()][:, :2] - xy) * ahead, axis=1)
        way = np.maximum(smoothstep(behind / params.heel_release_behind_m), tr.free_on_ball)
        free = free * way
        on_floor = tr.feet[side.upper()][:, 2] <= 1e-6
        wanted = np.where(on_floor, np.clip(pitch - base, 0.0, top) * free, 0.0)
        smooth = gaussian_filter1d(wanted, width / 4, mode="nearest")
        out[side.upper()] = np.minimum(smooth, top * free) * on_floor
    return out


def _ball_lever(skel: Skeleton) -> tuple[float, float]:
    """The ankle seen from the ball of the foot: its distance and its angle above the floor."""
    _, ty, tz = skel.offset("LeftToeBase")
    return float(np.hypot(ty, tz)), float(np.arctan2(-tz, ty))


def ankle_lift_m(skel: Skeleton, pitch_rad: Array) -> Array:
    """How far the ankle rises when the heel is raised by ``pitch_rad`` about the ball."""
    length, angle = _ball_lever(skel)
    return np.asarray(length * (np.sin(angle + pitch_rad) - np.sin(angle)))


def _pitch_without_release(skel: Skeleton, tr: Tracks, params: MotionParams, side: str) -> Array:
    """How far the foot of ``side`` is tipped forward about its ball by a pivot
    (``pivot_heel_pitch_deg``) or a rise (as far as lifts the ankle by the rise)."""
    length, angle = _ball_lever(skel)
    rise = np.arcsin(np.clip(np.sin(angle) + tr.rise_m / length, -1.0, 1.0)) - angle
    pivot = np.radians(params.pivot_heel_pitch_deg) * tr.heel_up[side.upper()]
    return np.asarray(np.maximum(pivot, rise))


def heel_pitch_rad(skel: Skeleton, tr: Tracks, params: MotionParams, side: str) -> Array:
    """How far the foot of ``side`` is tipped forward about its ball: on its ball in a
    pivot, up with the rise, or released behind a long step (``tr.heel_release_rad``)."""
    base = _pitch_without_release(skel, tr, params, side)
    return np.asarray(base + tr.heel_release_rad[side.upper()])


def pelvis_xy(tr: Tracks, params: MotionParams, fps: float) -> Array:
    """The pelvis on the floor: the body point, moved sideways ``support_shift_share`` of
    the way towards the foot bearing the weight and back ``support_back_share`` of the
    way to it when it is behind (so it is over the standing foot and goes over to the new
    one as the weight is transferred), smoothed over ``body_smoothing_s``."""
    w = tr.weight_r[:, None]
    support = w * tr.feet["R"][:, :2] + (1.0 - w) * tr.feet["L"][:, :2]
    # Sideways, and back towards a standing foot behind, never forward (a partner in
    # front is not to be walked into).
    right = np.column_stack([np.sin(tr.facing), -np.cos(tr.facing)])
    ahead = np.column_stack([np.cos(tr.facing), np.sin(tr.facing)])
    to_support = support - tr.body_xy
    across = np.sum(to_support * right, axis=1, keepdims=True)
    back = np.minimum(np.sum(to_support * ahead, axis=1, keepdims=True), 0.0)
    xy = tr.body_xy + params.support_shift_share * across * right
    xy = xy + params.support_back_share * back * ahead
    return _smooth_path(xy, params, fps)


def _smooth_path(xy: Array, params: MotionParams, fps: float) -> Array:
    """The pelvis' path on the floor smoothed over ``body_smoothing_s``, and where it would
    still go faster than ``max_body_speed_m_s`` (a partner carried round quickly in a hand
    hold), over three times that."""
    near = gaussian_filter1d(xy, params.body_smoothing_s * fps, axis=0, mode="nearest")
    wide = gaussian_filter1d(xy, 3 * params.body_smoothing_s * fps, axis=0, mode="nearest")
    speed = np.zeros(xy.shape[0])
    speed[1:] = np.linalg.norm(np.diff(near, axis=0), axis=1) * fps
    speed = gaussian_filter1d(speed, 3 * params.body_smoothing_s * fps, mode="nearest")
    share = smoothstep((speed - params.max_body_speed_m_s) / params.max_body_speed_m_s)
    return np.asarray(near + share[:, None] * (wide - near))


def pose_body(skel: Skeleton, tr: Tracks, params: MotionParams) -> Body:
    """Pelvis, spine, head and legs of one dancer over the frames of ``tr`` (the arms are
    posed after, by ``pose_arms``)."""
    n = tr.facing.size
    n_joints = len(skel.joints)
    pos = np.zeros((n, n_joints, 3))
    world = np.tile(np.eye(3), (n, n_joints, 1, 1))
    ix = skel.index
    off = skel.offset
    r_pelvis = rot_z(tr.facing - np.pi / 2)
    r_hips, pos[:, ix("Hips")] = _hip_action(skel, tr, params, r_pelvis)
    world[:, ix("Hips")] = r_hips
    # The lean, sway and contra-body turn are shared by the three spine joints, which
    # carry the chest from the facing (not the hips' Cuban twist); the clavicles and the
    # shoulders are carried by the chest (the arms are posed by ``pose_arms``).
    r_spine = [
        r_pelvis
        @ rot_z(k * tr.contra_rad / 3)
        @ rot_x(-k * tr.lean_rad / 3)
        @ rot_y(k * tr.sway_rad / 3)
        for k in (1, 2, 3)
    ]
    r_chest = r_spine[2]
    r_neck = r_chest @ rot_z(tr.head_turn_rad / 3)
    r_head = r_chest @ rot_z(tr.head_turn_rad) @ rot_y(-tr.head_tilt_rad) @ rot_x(tr.head_pitch_rad)
    for joint, rot in (
        ("Spine", r_spine[0]),
        ("Spine1", r_spine[1]),
        ("Spine2", r_chest),
        ("Neck", r_neck),
        ("Head", r_head),
        ("LeftShoulder", r_chest),
        ("RightShoulder", r_chest),
        ("LeftArm", r_chest),
        ("RightArm", r_chest),
    ):
        parent = skel.parents[ix(joint)]
        pos[:, ix(joint)] = pos[:, parent] + apply(world[:, parent], off(joint))
        world[:, ix(joint)] = rot
    for side in "lr":
        _pose_leg(skel, tr, params, side, pos, world)
    return Body(positions=pos, world=world, facing=tr.facing)


def over_mark(hip: Array, target: Array, reach_m: float, share: Array, most_m: float) -> Array:
    """Where a leg from ``hip`` (N, 3) aims for an ankle ``target`` (N, 3) it may not
    reach (further than ``reach_m``): ``share`` (per frame, 0-1) of the way from the target
    itself (the leg then stretches along the straight line to it, short towards the hip)
    to the point above the target that the stretched leg reaches (short upwards: the
    ankle stays over its mark), raised at most ``most_m`` (then short both ways)."""
    level = np.linalg.norm(target[:, :2] - hip[:, :2], axis=1)
    top = hip[:, 2] - np.sqrt(np.clip(reach_m**2 - level**2, 0.0, None))
    raise_m = np.where(level < reach_m, np.maximum(top - target[:, 2], 0.0), most_m)
    out = target.copy()
    out[:, 2] += share * np.minimum(raise_m, most_m)
    return out


def _hip_action(
    skel: Skeleton, tr: Tracks, params: MotionParams, r_pelvis: Array
) -> tuple[Array, Array]:
    """The hips' world rotation and the pelvis joint's place with the Cuban hip action: the
    pelvis tilted (the standing leg's hip up) about the standing hip joint (the standing
    leg is not asked to reach further) and turned towards the standing leg about its own
    vertical (the chest above stays facing the partner)."""
    side = tr.hip * (2.0 * tr.weight_r - 1.0)  # right standing positive
    tilt = rot_y(-np.radians(params.cuban_hip_tilt_deg) * side)
    twist = rot_z(-np.radians(params.cuban_hip_twist_deg) * side)
    w = tr.weight_r[:, None]
    pivot = w * skel.offset("RightUpLeg") + (1.0 - w) * skel.offset("LeftUpLeg")
    return r_pelvis @ twist @ tilt, tr.pelvis_m + apply(r_pelvis, pivot - apply(tilt, pivot))


def _pose_leg(
    skel: Skeleton, tr: Tracks, params: MotionParams, side: str, pos: Array, world: Array
) -> None:
    """Hip, knee, ankle and toe of one leg: the ankle reaches its foot's mark (as far as the
    leg and the knee's range allow), the knee bends forward, the foot points its own way,
    the toes stay flat on the floor when the heel is up."""
    ix, off = skel.index, skel.offset
    hip, knee_j, ankle_j, toe_j = (side_name(side) + j for j in ("UpLeg", "Leg", "Foot", "ToeBase"))
    r_pelvis = world[:, ix("Hips")]
    pos[:, ix(hip)] = pos[:, ix("Hips")] + apply(r_pelvis, off(hip))
    thigh, shin = skel.length(knee_j), skel.length(ankle_j)
    ankle_h = off("Hips")[2] + off(hip)[2] - thigh - shin
    foot = tr.feet[side.upper()]
    # The foot points its own way; pivoting, it stands on its ball (the toe joint) with
    # the heel raised: the ankle is placed from the ball, the foot pitched about it.
    r_flat = rot_z(tr.foot_yaw[side.upper()] - np.pi / 2)
    r_foot = r_flat @ rot_x(-heel_pitch_rad(skel, tr, params, side))
    flat_ankle = np.column_stack([foot[:, :2], ankle_h + foot[:, 2]])
    ball = flat_ankle + apply(r_flat, off(toe_j))
    ankle_target = ball - apply(r_foot, off(toe_j))
    # The knee bends the way its foot points (over the toes), not the hips'.
    yaw = tr.foot_yaw[side.upper()]
    forward = np.column_stack([np.cos(yaw), np.sin(yaw), np.zeros_like(yaw)])
    bend = np.radians(params.knee_max_bend_deg)
    shortest = np.sqrt(thigh**2 + shin**2 + 2 * thigh * shin * np.cos(bend))
    reach = params.leg_reach_share * (thigh + shin)
    share = params.swing_over_mark_share * smoothstep(foot[:, 2] / params.swing_free_lift_m)
    ankle_target = over_mark(
        pos[:, ix(hip)], ankle_target, reach, share, params.swing_over_mark_max_m
    )
    knee, ankle = two_bone_ik(
        pos[:, ix(hip)], ankle_target, thigh, shin, forward, reach_m=(shortest, reach)
    )
    pos[:, ix(knee_j)] = knee
    pos[:, ix(ankle_j)] = ankle
    # A foot kicked higher than a step lifts it points its toe (about the ankle).
    high = np.clip((foot[:, 2] - params.swing_lift_m) / max(params.kick_height_m, 1e-6), 0, 1)
    r_foot = r_foot @ rot_x(-np.radians(params.kick_point_deg) * smoothstep(high))
    # Both bones take their twist from the knee's axis (across the leg and the way the
    # knee points), so the knee is a hinge and no twist flips with the thigh raised.
    hinge = np.cross(ankle - pos[:, ix(hip)], forward)
    world[:, ix(hip)] = bone_world(knee - pos[:, ix(hip)], hinge, DOWN, _REST_HINGE)
    world[:, ix(knee_j)] = bone_world(ankle - knee, hinge, DOWN, _REST_HINGE)
    world[:, ix(ankle_j)] = r_foot
    world[:, ix(toe_j)] = r_flat
    pos[:, ix(toe_j)] = ankle + apply(r_foot, off(toe_j))
