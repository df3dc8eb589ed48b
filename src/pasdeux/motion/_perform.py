"""Perform a routine: turn placed figures into both dancers' timed skeletons.

Every step lands on its beat: the foot leaves the floor after the previous step of the
same dancer has landed and arrives exactly at the time of the step's beat (from the
song's tempo map), when the body has moved over it. The body model is posed by
hand-written kinematics: the pelvis rides above the body point from the figure replay,
legs and arms reach their targets by two-bone inverse kinematics, and the arms take the
hold declared on each of the leader's steps (closed, embrace, one hand joined, raised for
a turn, ...), blended over a short time when the hold changes.

The plan is performed as given: each figure is replayed (``pasdeux.dances.geometry``)
from the couple's pose the planner recorded where it begins (``PlacedFigure.start_pose``),
so the dancers are where the planner put them. Replaying a figure from its start pose
ends exactly at the next figure's start pose; where it would not (a plan that places the
couple afresh), nothing jumps: every step travels from where the dancer's track is, so the
difference is danced away over the next step.

Between steps the follower's body is moved with the leader's where the hold joins them:
in a body hold (closed, embrace, shadow) her place is interpolated in the leader's frame
(she stays in front of him, at the hold's distance, while he steps or turns between her
steps), in a hand hold her distance and direction from him are interpolated apart on the
floor (she goes round him, not through him, and her distance stays between its values at
her two landings, within arm's reach); with no hold she moves on her own. At each of her
landings she is exactly where the replay says.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter1d
from scipy.spatial.transform import Rotation

from pasdeux.choreo import Routine
from pasdeux.dances import HOLDS
from pasdeux.dances.geometry import BODY_HOLDS, DancerPose, ReplayedStep, replay_figure
from pasdeux.errors import PasdeuxError
from pasdeux.motion._skeleton import Skeleton, frame_from_vectors, skeleton_for_height
from pasdeux.motion._types import DancerMotion, Performance, StepEvent

__all__ = ["DANCER_HEIGHTS_M", "perform"]

DANCER_HEIGHTS_M = {"leader": 1.80, "follower": 1.68}
_ROLES = ("leader", "follower")
_LIFT_M = 0.06
_BLEND_S = 0.3
Array = NDArray[np.float64]


@dataclass(frozen=True)
class _TimedStep:
    replayed: ReplayedStep
    figure_index: int
    beat: float
    t_land: float
    t_lift: float
    t_end: float


def perform(
    routine: Routine,
    *,
    duration_s: float | None = None,
    fps: float = 60.0,
    chunk_frames: int = 4096,
    progress: Callable[[str], None] | None = None,
) -> Performance:
    """Animate both dancers of ``routine``.

    Parameters
    ----------
    routine
        The placed figures and the song's beat grid.
    duration_s
        Length of the performance; by default two seconds past the last beat.
    fps
        Frames per second.
    chunk_frames
        Frames posed at once: the per-frame rotation matrices of only this many frames are
        held in memory (the result does not depend on it).

    Returns
    -------
    Performance
        Root positions (float64) and local joint rotations (float32) per frame for the
        leader and the follower, and every step event with its time.
    """
    if not routine.figures:
        raise PasdeuxError("the routine has no figures to perform")
    if chunk_frames < 1:
        raise ValueError(f"chunk_frames must be at least 1, got {chunk_frames}")
    end_s = duration_s if duration_s is not None else routine.beats[-1] + 2.0
    n_frames = math.floor(end_s * fps) + 1
    times = np.arange(n_frames) / fps
    steps = _timed_steps(routine)
    start_poses = dict(zip(_ROLES, routine.figures[0].start_pose.dancers(), strict=True))
    if progress:
        progress(f"posing {n_frames} frames for 2 dancers")
    tracks = {role: _tracks(steps[role], start_poses[role], times) for role in _ROLES}
    _follow_in_hold(tracks, steps["follower"], start_poses, times)
    skeletons = {role: skeleton_for_height(DANCER_HEIGHTS_M[role]) for role in _ROLES}
    hold_weights = _hold_weights(steps["leader"], times)
    roots, rotations = _pose_in_blocks(tracks, skeletons, hold_weights, n_frames, chunk_frames)
    dancers = tuple(
        DancerMotion(
            role=role,
            height_m=DANCER_HEIGHTS_M[role],
            skeleton=skeletons[role],
            root_positions_m=roots[role],
            rotations=rotations[role],
        )
        for role in _ROLES
    )
    return Performance(
        source=routine.source,
        fps=float(fps),
        n_frames=n_frames,
        dancers=dancers,
        events=_step_events(steps),
    )


def _pose_in_blocks(
    tracks: dict[str, _Tracks],
    skeletons: dict[str, Skeleton],
    hold_weights: dict[str, Array],
    n_frames: int,
    chunk_frames: int,
) -> tuple[dict[str, Array], dict[str, NDArray[np.float32]]]:
    """Root positions and float32 local rotations of both dancers, posed ``chunk_frames``
    frames at a time (posing is frame by frame once the tracks are known)."""
    roots = {role: np.empty((n_frames, 3)) for role in _ROLES}
    rotations = {
        role: np.empty((n_frames, len(skeletons[role].joints), 4), dtype=np.float32)
        for role in _ROLES
    }
    for start in range(0, n_frames, chunk_frames):
        part = slice(start, min(start + chunk_frames, n_frames))
        bodies = {
            role: _pose_body(skeletons[role], _slice_tracks(tracks[role], part), role)
            for role in _ROLES
        }
        _pose_arms(bodies, skeletons, {hold: w[part] for hold, w in hold_weights.items()})
        for role in _ROLES:
            roots[role][part] = np.round(bodies[role].positions[:, 0], 4)
            rotations[role][part] = _local_quaternions(skeletons[role], bodies[role].world)
    return roots, rotations


def _step_events(steps: dict[str, list[_TimedStep]]) -> tuple[StepEvent, ...]:
    events = (
        StepEvent(
            role=role,
            time_s=round(s.t_land, 4),
            beat=s.beat,
            foot=s.replayed.step.foot,
            weight=s.replayed.step.weight,
            figure_index=s.figure_index,
            step_index=s.replayed.index,
            x_m=round(s.replayed.foot_to[0], 4),
            y_m=round(s.replayed.foot_to[1], 4),
        )
        for role in _ROLES
        for s in steps[role]
    )
    return tuple(sorted(events, key=lambda e: (e.time_s, e.role)))


def _timed_steps(routine: Routine) -> dict[str, list[_TimedStep]]:
    tempo = routine.tempo_map
    out: dict[str, list[_TimedStep]] = {role: [] for role in _ROLES}
    for fig_index, placed in enumerate(routine.figures):
        for rs in replay_figure(placed.figure, *placed.start_pose.dancers()):
            beat = placed.start_beat + rs.step.beat
            t_land = tempo.second_from_beat(beat)
            t_end = tempo.second_from_beat(beat + rs.step.duration_beats)
            out[rs.role].append(_TimedStep(rs, fig_index, beat, t_land, t_land, t_end))
    for role in _ROLES:
        timed = out[role]
        for i, s in enumerate(timed):
            beat_s = 60.0 / float(tempo.bpm_at_seconds(np.array([s.t_land]))[0])
            previous_land = timed[i - 1].t_land if i else s.t_land - beat_s
            travel = min(s.t_land - previous_land, 0.6 * beat_s)
            timed[i] = _TimedStep(
                s.replayed, s.figure_index, s.beat, s.t_land, s.t_land - travel, s.t_end
            )
    return out


@dataclass
class _Tracks:
    body_xy: Array  # (F, 2)
    facing: Array  # (F,)
    feet: dict[str, Array]  # foot -> (F, 3) ankle-contact point on the floor, z = lift
    drop_m: Array  # (F,) pelvis lowering (dip, bob)
    rise_m: Array  # (F,)
    lean_rad: Array  # (F,) forward lean of the torso
    sway_rad: Array  # (F,) sideways tilt, positive to the right
    head_pitch_rad: Array  # (F,)


def _slice_tracks(tr: _Tracks, part: slice) -> _Tracks:
    """The frames ``part`` of every track."""
    return _Tracks(
        body_xy=tr.body_xy[part],
        facing=tr.facing[part],
        feet={foot: track[part] for foot, track in tr.feet.items()},
        drop_m=tr.drop_m[part],
        rise_m=tr.rise_m[part],
        lean_rad=tr.lean_rad[part],
        sway_rad=tr.sway_rad[part],
        head_pitch_rad=tr.head_pitch_rad[part],
    )


def _smoothstep(s: Array) -> Array:
    s = np.clip(s, 0.0, 1.0)
    return s * s * (3 - 2 * s)


def _tracks(steps: list[_TimedStep], start: DancerPose, times: Array) -> _Tracks:
    """One dancer's tracks: each step travels from where the track is (normally where the
    previous step landed) to where it lands, in the window before its landing."""
    n = times.size
    body = np.tile(start.body, (n, 1))
    facing = np.full(n, start.facing_rad)
    feet = {f: np.column_stack([np.tile(start.feet[f], (n, 1)), np.zeros(n)]) for f in "LR"}
    fps = 1.0 / (times[1] - times[0]) if n > 1 else 60.0
    at_body, at_facing = start.body.copy(), start.facing_rad
    at_feet = {f: start.feet[f].copy() for f in "LR"}
    targets = {k: np.zeros(n) for k in ("drop", "rise", "lean", "sway", "head")}
    bob = np.zeros(n)
    for s in steps:
        rs = s.replayed
        # The step's own turn (a full spin is a full turn), plus any difference between
        # where the track is and where the step begins (none within a plan).
        turn = -rs.step.turn_eighths * math.pi / 4
        turn += math.remainder(rs.facing_after - (at_facing + turn), 2 * math.pi)
        during = (times >= s.t_lift) & (times < s.t_land)
        after = times >= s.t_land
        phase = _smoothstep((times[during] - s.t_lift) / max(s.t_land - s.t_lift, 1e-6))
        b1 = np.array(rs.body_after)
        body[during] = at_body + (b1 - at_body) * phase[:, None]
        body[after] = b1
        facing[during] = at_facing + turn * phase
        facing[after] = at_facing + turn
        foot = feet[rs.step.foot]
        f0, f1 = at_feet[rs.step.foot], np.array(rs.foot_to)
        foot[during, :2] = f0 + (f1 - f0) * phase[:, None]
        lift = min(_LIFT_M, 0.02 + 0.3 * float(np.linalg.norm(f1 - f0)))
        foot[during, 2] = lift * np.sin(np.pi * phase)
        foot[after, :2] = f1
        foot[after, 2] = 0.0
        at_body, at_facing, at_feet[rs.step.foot] = b1, at_facing + turn, f1
        if rs.step.weight and rs.step.direction not in ("replace", "in_place"):
            bob += 0.012 * np.exp(-0.5 * ((times - s.t_land) / 0.12) ** 2)
        window = (times >= s.t_land) & (times < s.t_end)
        _action_targets(rs, window, targets)
    width = max(1, round(_BLEND_S * fps))
    smooth = {k: uniform_filter1d(uniform_filter1d(v, width), width) for k, v in targets.items()}
    return _Tracks(
        body_xy=body,
        facing=facing,
        feet=feet,
        drop_m=smooth["drop"] + bob,
        rise_m=smooth["rise"],
        lean_rad=smooth["lean"],
        sway_rad=smooth["sway"],
        head_pitch_rad=smooth["head"],
    )


def _follow_in_hold(
    tracks: dict[str, _Tracks],
    follower_steps: list[_TimedStep],
    start: dict[str, DancerPose],
    times: Array,
) -> None:
    """Move the follower's body with the leader's where the hold joins them (see the
    module's description): between two of her landings her offset from him goes from one
    landing's to the next, in his frame in a body hold, on the floor in a hand hold."""
    if not follower_steps:
        return
    lead, follow = tracks["leader"], tracks["follower"]
    lands = np.array([s.t_land for s in follower_steps])
    lifts = np.array([s.t_lift for s in follower_steps])
    frames = np.clip(np.searchsorted(times, lands), 0, times.size - 1)
    her = np.array([s.replayed.body_after for s in follower_steps])
    # Offsets at her landings (and at the start), on the floor and in his frame.
    world = np.vstack([start["follower"].body - start["leader"].body, her - lead.body_xy[frames]])
    his_facing = np.concatenate([[start["leader"].facing_rad], lead.facing[frames]])
    own = _to_frame(world, his_facing)
    # For each frame: the step she travels into (k) and its phase.
    k = np.clip(np.searchsorted(lands, times, side="left"), 0, len(follower_steps) - 1)
    past = times >= lands[-1]
    span = np.maximum(lands[k] - lifts[k], 1e-6)
    phase = np.where(past, 1.0, _smoothstep((times - lifts[k]) / span))
    a, b = k, k + 1  # rows of the offsets: 0 = the start, k + 1 = her step k
    in_frame = own[a] + (own[b] - own[a]) * phase[:, None]
    on_floor = _round_him(world[a], world[b], phase)
    holds = np.array([s.replayed.step.hold for s in follower_steps])[k]
    body_mode = np.isin(holds, BODY_HOLDS)
    hand_mode = ~body_mode & (holds != "none")
    carried = lead.body_xy + _from_frame(in_frame, lead.facing)
    follow.body_xy[body_mode] = carried[body_mode]
    follow.body_xy[hand_mode] = (lead.body_xy + on_floor)[hand_mode]


def _round_him(start: Array, end: Array, phase: Array) -> Array:
    """Offsets from ``start`` to ``end`` at ``phase`` (0-1), her distance and direction from
    him interpolated apart: in a hand hold she goes round him, not through him (a straight
    line from his right to his left passes where he stands)."""
    r0, r1 = np.hypot(start[:, 0], start[:, 1]), np.hypot(end[:, 0], end[:, 1])
    a0 = np.arctan2(start[:, 1], start[:, 0])
    turn = np.remainder(np.arctan2(end[:, 1], end[:, 0]) - a0 + np.pi, 2 * np.pi) - np.pi
    r = r0 + (r1 - r0) * phase
    angle = a0 + turn * phase
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def _to_frame(offset: Array, facing: Array) -> Array:
    """Floor offsets as (forward, right) in the frames of dancers facing ``facing``."""
    c, s = np.cos(facing), np.sin(facing)
    return np.column_stack(
        [offset[:, 0] * c + offset[:, 1] * s, offset[:, 0] * s - offset[:, 1] * c]
    )


def _from_frame(local: Array, facing: Array) -> Array:
    """Inverse of :func:`_to_frame`."""
    c, s = np.cos(facing), np.sin(facing)
    return np.column_stack([local[:, 0] * c + local[:, 1] * s, local[:, 0] * s - local[:, 1] * c])


def _action_targets(rs: ReplayedStep, window: NDArray[np.bool_], targets: dict[str, Array]) -> None:
    action = rs.step.action
    if action == "rise":
        targets["rise"][window] = 0.035
    elif action == "lower":
        targets["drop"][window] = 0.03
    elif action == "sway_left":
        targets["sway"][window] = -0.07
    elif action == "sway_right":
        targets["sway"][window] = 0.07
    if rs.step.position == "dip" or action == "dip":
        if rs.role == "leader":
            targets["drop"][window] = 0.16
            targets["lean"][window] = 0.18
        else:
            targets["drop"][window] = 0.08
            targets["lean"][window] = -0.55
            targets["head"][window] = -0.35


@dataclass
class _Body:
    positions: Array  # (F, J, 3)
    world: Array  # (F, J, 3, 3) world rotation of each joint's frame
    facing: Array  # (F,)


def _rot_z(angle: Array) -> Array:
    c, s = np.cos(angle), np.sin(angle)
    m = np.zeros((angle.size, 3, 3))
    m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1], m[:, 2, 2] = c, -s, s, c, 1.0
    return m


def _rot_x(angle: Array) -> Array:
    c, s = np.cos(angle), np.sin(angle)
    m = np.zeros((angle.size, 3, 3))
    m[:, 0, 0], m[:, 1, 1], m[:, 1, 2], m[:, 2, 1], m[:, 2, 2] = 1.0, c, -s, s, c
    return m


def _rot_y(angle: Array) -> Array:
    c, s = np.cos(angle), np.sin(angle)
    m = np.zeros((angle.size, 3, 3))
    m[:, 0, 0], m[:, 0, 2], m[:, 1, 1], m[:, 2, 0], m[:, 2, 2] = c, s, 1.0, -s, c
    return m


def _apply(rot: Array, vec: Array) -> Array:
    """Rotate per-frame: rot (F, 3, 3) times vec (3,) or (F, 3)."""
    if vec.ndim == 1:
        return np.asarray(np.einsum("fij,j->fi", rot, vec), dtype=float)
    return np.asarray(np.einsum("fij,fj->fi", rot, vec), dtype=float)


def _two_bone_ik(
    root: Array, target: Array, upper_m: float, lower_m: float, pole: Array
) -> tuple[Array, Array]:
    """Middle and end joint positions of a two-bone chain reaching for ``target``."""
    d_vec = target - root
    dist = np.linalg.norm(d_vec, axis=1)
    reach = np.clip(dist, abs(upper_m - lower_m) + 1e-4, upper_m + lower_m - 1e-4)
    u = d_vec / np.maximum(dist, 1e-9)[:, None]
    cos_a = (upper_m**2 + reach**2 - lower_m**2) / (2 * upper_m * reach)
    sin_a = np.sqrt(np.clip(1 - cos_a**2, 0.0, 1.0))
    v = pole - np.sum(pole * u, axis=1, keepdims=True) * u
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    middle = root + upper_m * (cos_a[:, None] * u + sin_a[:, None] * v)
    end = root + reach[:, None] * u
    return middle, end


def _bone_world(
    direction: Array, secondary: Array, rest_direction: Array, rest_secondary: Array
) -> Array:
    """World rotation taking a bone's rest direction to ``direction``."""
    posed = frame_from_vectors(direction, secondary)
    n = direction.shape[0]
    rest = frame_from_vectors(np.tile(rest_direction, (n, 1)), np.tile(rest_secondary, (n, 1)))
    return np.asarray(posed @ np.swapaxes(rest, 1, 2))


_FORWARD = np.array([0.0, 1.0, 0.0])
_UP = np.array([0.0, 0.0, 1.0])
_DOWN = np.array([0.0, 0.0, -1.0])


def _pose_body(skel: Skeleton, tr: _Tracks, role: str) -> _Body:
    n = tr.facing.size
    n_joints = len(skel.joints)
    pos = np.zeros((n, n_joints, 3))
    world = np.tile(np.eye(3), (n, n_joints, 1, 1))
    ix = skel.index
    off = skel.offset
    yaw = _rot_z(tr.facing - np.pi / 2)
    r_pelvis = yaw
    hip_z_rest = off("pelvis")[2] + off("l_hip")[2]
    thigh, shin = skel.length("l_knee"), skel.length("l_ankle")
    ankle_h = hip_z_rest - thigh - shin
    pelvis_xy = tr.body_xy
    pelvis_z = off("pelvis")[2] - tr.drop_m + tr.rise_m
    # Lower the pelvis where a leg could not otherwise reach its foot.
    for side in "lr":
        hip_xy = pelvis_xy + _apply(r_pelvis, off(f"{side}_hip"))[:, :2]
        foot = tr.feet[side.upper()]
        horizontal = np.linalg.norm(foot[:, :2] - hip_xy, axis=1)
        reach = 0.995 * (thigh + shin)
        max_hip_z = ankle_h + foot[:, 2] + np.sqrt(np.clip(reach**2 - horizontal**2, 0.0, None))
        pelvis_z = np.minimum(pelvis_z, max_hip_z - off(f"{side}_hip")[2])
    pos[:, ix("pelvis")] = np.column_stack([pelvis_xy, pelvis_z])
    world[:, ix("pelvis")] = r_pelvis
    r_spine = r_pelvis @ _rot_x(-tr.lean_rad / 2) @ _rot_y(tr.sway_rad / 2)
    r_chest = r_pelvis @ _rot_x(-tr.lean_rad) @ _rot_y(tr.sway_rad)
    r_head = r_chest @ _rot_x(tr.head_pitch_rad)
    for joint, parent_rot, rot in (
        ("spine", r_pelvis, r_spine),
        ("chest", r_spine, r_chest),
        ("neck", r_chest, r_chest),
        ("head", r_chest, r_head),
    ):
        parent = skel.parents[ix(joint)]
        pos[:, ix(joint)] = pos[:, parent] + _apply(parent_rot, off(joint))
        world[:, ix(joint)] = rot
    for side in "lr":
        shoulder = f"{side}_shoulder"
        pos[:, ix(shoulder)] = pos[:, ix("chest")] + _apply(r_chest, off(shoulder))
        hip = f"{side}_hip"
        pos[:, ix(hip)] = pos[:, ix("pelvis")] + _apply(r_pelvis, off(hip))
        foot = tr.feet[side.upper()]
        ankle_target = np.column_stack([foot[:, :2], ankle_h + foot[:, 2]])
        forward = _apply(yaw, _FORWARD)
        knee, ankle = _two_bone_ik(pos[:, ix(hip)], ankle_target, thigh, shin, forward)
        pos[:, ix(f"{side}_knee")] = knee
        pos[:, ix(f"{side}_ankle")] = ankle
        world[:, ix(hip)] = _bone_world(knee - pos[:, ix(hip)], forward, _DOWN, _FORWARD)
        world[:, ix(f"{side}_knee")] = _bone_world(ankle - knee, forward, _DOWN, _FORWARD)
        toe_rest = off(f"{side}_toe")
        world[:, ix(f"{side}_ankle")] = r_pelvis
        world[:, ix(f"{side}_toe")] = r_pelvis
        pos[:, ix(f"{side}_toe")] = ankle + _apply(r_pelvis, toe_rest)
    return _Body(positions=pos, world=world, facing=tr.facing)


def _hold_weights(leader_steps: list[_TimedStep], times: Array) -> dict[str, Array]:
    """Per frame, how much each hold applies (they sum to 1)."""
    current = np.full(times.size, HOLDS.index(leader_steps[0].replayed.step.hold))
    for s in leader_steps:
        current[times >= s.t_lift] = HOLDS.index(s.replayed.step.hold)
    fps = 1.0 / (times[1] - times[0]) if times.size > 1 else 60.0
    width = max(1, round(_BLEND_S * fps))
    return {
        hold: uniform_filter1d((current == i).astype(float), width)
        for i, hold in enumerate(HOLDS)
        if np.any(current == i)
    }


def _pose_arms(
    bodies: dict[str, _Body], skeletons: dict[str, Skeleton], weights: dict[str, Array]
) -> None:
    ldr, flw = bodies["leader"], bodies["follower"]
    targets = {
        role: {side: np.zeros_like(bodies[role].positions[:, 0]) for side in "lr"}
        for role in _ROLES
    }
    for hold, weight in weights.items():
        hold_targets = _hand_targets(hold, ldr, flw, skeletons)
        for role in _ROLES:
            for side in "lr":
                targets[role][side] += weight[:, None] * hold_targets[role][side]
    for role in _ROLES:
        body, skel = bodies[role], skeletons[role]
        ix = skel.index
        chest_rot = body.world[:, ix("chest")]
        forward = _apply(chest_rot, _FORWARD)
        for side in "lr":
            outward = _apply(chest_rot, np.array([1.0 if side == "r" else -1.0, 0.0, 0.0]))
            pole = -_UP + 0.6 * outward - 0.4 * forward
            shoulder = body.positions[:, ix(f"{side}_shoulder")]
            upper, lower = skel.length(f"{side}_elbow"), skel.length(f"{side}_wrist")
            elbow, wrist = _two_bone_ik(shoulder, targets[role][side], upper, lower, pole)
            body.positions[:, ix(f"{side}_elbow")] = elbow
            body.positions[:, ix(f"{side}_wrist")] = wrist
            body.world[:, ix(f"{side}_shoulder")] = _bone_world(
                elbow - shoulder, forward, _DOWN, _FORWARD
            )
            body.world[:, ix(f"{side}_elbow")] = _bone_world(
                wrist - elbow, forward, _DOWN, _FORWARD
            )
            body.world[:, ix(f"{side}_wrist")] = body.world[:, ix(f"{side}_elbow")]


def _hand_targets(
    hold: str, ldr: _Body, flw: _Body, skeletons: dict[str, Skeleton]
) -> dict[str, dict[str, Array]]:
    """Where each hand goes in ``hold`` (world positions per frame)."""
    li, fi = skeletons["leader"].index, skeletons["follower"].index

    def p(body: _Body, idx: Callable[[str], int], joint: str) -> Array:
        return body.positions[:, idx(joint)]

    def axes(body: _Body, idx: Callable[[str], int]) -> tuple[Array, Array]:
        rot = body.world[:, idx("chest")]
        return _apply(rot, _FORWARD), _apply(rot, np.array([1.0, 0.0, 0.0]))

    l_fwd, l_right = axes(ldr, li)
    f_fwd, f_right = axes(flw, fi)
    hanging = {
        "leader": {s: p(ldr, li, f"{s}_shoulder") + 0.5 * _DOWN + 0.1 * l_fwd for s in "lr"},
        "follower": {s: p(flw, fi, f"{s}_shoulder") + 0.46 * _DOWN + 0.1 * f_fwd for s in "lr"},
    }
    for role, body_right in (("leader", l_right), ("follower", f_right)):
        hanging[role]["l"] = hanging[role]["l"] - 0.06 * body_right
        hanging[role]["r"] = hanging[role]["r"] + 0.06 * body_right
    out = {role: dict(hands) for role, hands in hanging.items()}

    def join(leader_hand: str, follower_hand: str, drop_m: float) -> None:
        meet = (p(ldr, li, f"{leader_hand}_shoulder") + p(flw, fi, f"{follower_hand}_shoulder")) / 2
        meet = meet - np.array([0.0, 0.0, drop_m])
        out["leader"][leader_hand] = out["follower"][follower_hand] = meet

    def raised(leader_hand: str, follower_hand: str) -> None:
        head = p(flw, fi, "head")
        meet = 0.7 * head + 0.3 * p(ldr, li, f"{leader_hand}_shoulder")
        meet[:, 2] = head[:, 2] + 0.22
        out["leader"][leader_hand] = out["follower"][follower_hand] = meet

    if hold == "closed":
        joined = (p(ldr, li, "l_shoulder") + p(flw, fi, "r_shoulder")) / 2
        meet = joined + 0.22 * (-l_right) + np.array([0.0, 0.0, 0.02])
        out["leader"]["l"] = out["follower"]["r"] = meet
        out["leader"]["r"] = p(flw, fi, "chest") - 0.1 * f_fwd - 0.08 * f_right
        out["follower"]["l"] = p(ldr, li, "r_shoulder") + 0.02 * l_fwd - 0.05 * _UP
    elif hold == "embrace":
        for s, sign in (("l", -1.0), ("r", 1.0)):
            out["leader"][s] = p(flw, fi, "spine") - sign * 0.13 * f_right - 0.05 * f_fwd
            out["follower"][s] = p(ldr, li, f"{'r' if s == 'l' else 'l'}_shoulder") + 0.03 * _UP
    elif hold == "shadow":
        for s in "lr":
            out["leader"][s] = p(flw, fi, f"{s}_shoulder") - 0.08 * f_fwd - 0.03 * _UP
    elif hold == "left_to_right_raised":
        raised("l", "r")
    elif hold == "right_to_right_raised":
        raised("r", "r")
    else:
        pairs = {
            "left_to_right": (("l", "r"),),
            "right_to_right": (("r", "r"),),
            "right_to_left": (("r", "l"),),
            "left_to_left": (("l", "l"),),
            "double": (("l", "r"), ("r", "l")),
            "double_crossed": (("r", "r"), ("l", "l")),
        }
        for leader_hand, follower_hand in pairs.get(hold, ()):
            join(leader_hand, follower_hand, 0.35)
    return out


def _local_quaternions(skel: Skeleton, world: Array) -> Array:
    n, n_joints = world.shape[:2]
    local = np.empty_like(world)
    for j, parent in enumerate(skel.parents):
        if parent < 0:
            local[:, j] = world[:, j]
        else:
            local[:, j] = np.swapaxes(world[:, parent], 1, 2) @ world[:, j]
    quats = Rotation.from_matrix(local.reshape(-1, 3, 3)).as_quat().reshape(n, n_joints, 4)
    # One sign per quaternion (w >= 0) so that equal rotations serialise equally.
    quats *= np.where(quats[..., 3:4] < 0, -1.0, 1.0)
    return np.asarray(quats)
