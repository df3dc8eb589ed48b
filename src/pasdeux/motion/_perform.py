"""Perform a routine: turn placed figures into both dancers' timed skeletons.

Every step lands on its beat: the foot leaves the floor after the previous step of the
dancer has landed (never before the other foot, bearing the weight, has landed: no hop
off a standing foot), is released gently and placed decisively, arriving exactly at the
time of the step's beat (from the song's tempo map). Each step turns the body by its
declared turn, unwrapped (a spin of a whole turn is a whole turn, a 1 1/4 turn is 450
degrees), starting before the foot lifts where a quick step must turn far; the standing
foot turns with the body on its ball (the ball stays where it stood), heel raised.

The body model is posed by hand-written kinematics (``_tracks``, ``_legs``, ``_arms``):

- the body point moves on a smooth path through its place at each landing (it does not
  stand still between steps), faster steps prepared earlier;
- the pelvis is planned from both feet and the support before any leg is solved: over the
  body point, shifted towards the standing foot as the weight goes over, never higher
  than the legs reach nor lower than a share of its standing height outside dips and
  lunges (:class:`MotionParams`); where the steps put the partners further apart than
  the hands a hold joins reach, both pelvises lean in, half the way each (``_reach``); in
  a springy dance's hold face to face the hips sit back as the knees give (the knees
  keep off the partner's);
- the legs reach their feet by two-bone inverse kinematics, knees bending forward and no
  more than their range; the arms take the hold declared on each of the leader's steps
  (closed, embrace, one hand joined, raised for a turn, ...), blended on an arc when the
  hold changes, the elbows bending a way that never swings round;
- the partners' bodies are kept apart (``_contact``): where a capsule of one overlaps one
  of the other, knees and elbows are turned out of the way about the lines from hip to
  ankle and from shoulder to wrist, so no planted foot and no joined hand moves.

Quaternions keep their sign from frame to frame.

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
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from pasdeux.choreo import FollowedStep, Routine
from pasdeux.dances.geometry import HOLD_DISTANCE_M, DancerPose
from pasdeux.errors import PasdeuxError
from pasdeux.motion._params import MotionParams
from pasdeux.motion._types import DancerMotion, Performance, StepEvent
from pasdeux.motion.body import (
    hands_apart,
    keep_apart,
    pelvis_xy,
    plan_pelvis,
    pose_arms,
    pose_body,
    reach_shifts,
    sit_back_xy,
    springy_weight,
)
from pasdeux.motion.body import hold_weights as hold_weights_of
from pasdeux.motion.rig import (
    Array,
    Skeleton,
    local_quaternions,
    place_end_sites,
    skeleton_for_height,
)
from pasdeux.motion.steps import (
    ROLES,
    TimedStep,
    Tracks,
    dancer_tracks,
    feet_shifts,
    follow_in_hold,
    shifted_feet,
    slice_tracks,
    timed_steps,
)

__all__ = ["DANCER_HEIGHTS_M", "perform"]

DANCER_HEIGHTS_M = {
    "leader": MotionParams().leader_height_m,
    "follower": MotionParams().follower_height_m,
}
"""The dancers' heights by default (``MotionParams.leader_height_m``, ...)."""


def perform(
    routine: Routine,
    *,
    duration_s: float | None = None,
    fps: float = 60.0,
    chunk_frames: int = 4096,
    progress: Callable[[str], None] | None = None,
    params: MotionParams | None = None,
    follower_steps: Sequence[FollowedStep] | None = None,
    leader_steps: Sequence[FollowedStep] | None = None,
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
    progress
        Called with a line saying what is being done.
    params
        The motion stage's tunables (:class:`MotionParams`; the defaults when None).
    follower_steps
        The follower's own steps, when she does not dance her part of the routine's figures
        but what she read of the leader (:func:`pasdeux.choreo.follow_lead`): her body
        steps where and when they say, the leader's as the routine says.
    leader_steps
        The leader's own steps over some figures (where the follower led and he read her:
        :func:`pasdeux.choreo.read_her`): over the figures they belong to his body steps
        where and when they say, elsewhere as the routine says.

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
    params = params or MotionParams()
    steps = timed_steps(routine, params, follower_steps, leader_steps)
    start_poses = dict(zip(ROLES, routine.figures[0].start_pose.dancers(), strict=True))
    if progress:
        progress(f"posing {n_frames} frames for 2 dancers")
    heights = {"leader": params.leader_height_m, "follower": params.follower_height_m}
    skeletons = {role: skeleton_for_height(heights[role]) for role in ROLES}
    balls_m = {role: _ball_m(skeletons[role]) for role in ROLES}
    tracks = _floor_tracks(steps, start_poses, times, balls_m, params)
    hold_weights = hold_weights_of(steps["leader"], times, params.blend_s)
    sit_back = _sit_back_share(steps["leader"], hold_weights, times, params.blend_s)
    _plan_pelvises(tracks, skeletons, hold_weights, params, fps, sit_back)
    roots, rotations = _pose_in_blocks(
        tracks, skeletons, hold_weights, (n_frames, fps), chunk_frames, params
    )
    # The partners' bodies kept apart: free hands swung off the partner, then knees and
    # elbows turned out of each other's way.
    posed = hands_apart(skeletons, roots, rotations, hold_weights, params, fps)
    keep_apart(skeletons, roots, rotations, hold_weights, params, fps, posed)
    dancers = tuple(
        DancerMotion(
            role=role,
            height_m=heights[role],
            skeleton=skeletons[role],
            root_positions_m=roots[role],
            rotations=rotations[role],
        )
        for role in ROLES
    )
    return Performance(
        source=routine.source,
        fps=float(fps),
        n_frames=n_frames,
        dancers=dancers,
        events=_step_events(steps, tracks),
    )


def _floor_tracks(
    steps: dict[str, list[TimedStep]],
    start_poses: dict[str, DancerPose],
    times: Array,
    balls_m: dict[str, float],
    params: MotionParams,
) -> dict[str, Tracks]:
    """Both dancers' tracks on the floor: each from its steps, the follower's body carried
    with the leader's where the hold joins them, and a foot arriving where the partner's
    foot stands put beside it."""
    tracks = {
        role: dancer_tracks(steps[role], start_poses[role], times, params, balls_m[role])
        for role in ROLES
    }
    follow_in_hold(tracks, steps["follower"], start_poses, times)
    fps = 1.0 / (times[1] - times[0]) if times.size > 1 else 60.0
    moves = feet_shifts(tracks, balls_m, params, fps)
    return {role: shifted_feet(tracks[role], moves[role], steps[role], times) for role in ROLES}


_FACE_TO_FACE = ("closed", "embrace")
"""The body holds in which the partner is in front."""


def _sit_back_share(
    leader_steps: list[TimedStep], hold_weights: dict[str, Array], times: Array, blend_s: float
) -> Array:
    """Per frame, how much the hips sit back as the knees give (0-1; ``MotionParams``
    ``hold_sit_back_share``): where the leader's step is of a dance whose pulse is springy
    or marked ``bounce`` (blended over ``blend_s`` as the figures change), times the
    weight of the body holds face to face (the partner in front)."""
    springy = springy_weight(leader_steps, times, blend_s)
    facing = np.zeros(times.size)
    for hold in _FACE_TO_FACE:
        facing = facing + hold_weights.get(hold, 0.0)
    return np.asarray(springy * facing)


def _plan_pelvises(
    tracks: dict[str, Tracks],
    skeletons: dict[str, Skeleton],
    hold_weights: dict[str, Array],
    params: MotionParams,
    fps: float,
    sit_back: Array,
) -> None:
    """Plan both pelvises (``Tracks.pelvis_m``, in place): over the feet, leaning in
    where the steps put the bodies beyond the joined hands' reach, and sat back as the
    knees give where ``sit_back`` (per frame, 0-1) says (:func:`_sit_back_share`)."""
    floor_xy = {role: pelvis_xy(tracks[role], params, fps) for role in ROLES}
    shifts = reach_shifts(
        floor_xy,
        {role: tracks[role].facing for role in ROLES},
        skeletons,
        hold_weights,
        params,
        fps,
    )
    xy = {role: floor_xy[role] + shifts[role] for role in ROLES}
    for role in ROLES:
        plan_pelvis(tracks[role], skeletons[role], params, fps, xy[role])
    if params.hold_sit_back_share > 0 and np.any(sit_back > 0):
        back = {
            role: xy[role] - sit_back_xy(tracks[role], skeletons[role], params, xy[role], sit_back)
            for role in ROLES
        }
        share = _sit_back_within_hold(xy, back)
        for role in ROLES:
            sat = xy[role] - share[:, None] * back[role]
            plan_pelvis(tracks[role], skeletons[role], params, fps, sat)


def _sit_back_within_hold(xy: dict[str, Array], back: dict[str, Array]) -> Array:
    """Per frame, the share (0-1) of both dancers' sit-back (``back``: how far each pelvis
    on the floor ``xy`` goes back) that keeps their pelvises no further apart than the
    face-to-face holds allow (:data:`HOLD_DISTANCE_M`), or than they already were."""
    limit_m = max(HOLD_DISTANCE_M[hold][1] for hold in _FACE_TO_FACE)
    apart = xy["follower"] - xy["leader"]
    widen = back["leader"] - back["follower"]  # sitting back moves them apart by this
    target = np.maximum(limit_m, np.linalg.norm(apart, axis=1))
    a = np.einsum("ij,ij->i", widen, widen)
    b = 2.0 * np.einsum("ij,ij->i", apart, widen)
    c = np.einsum("ij,ij->i", apart, apart) - target**2  # never above 0
    with np.errstate(divide="ignore", invalid="ignore"):
        root = (-b + np.sqrt(np.maximum(b * b - 4.0 * a * c, 0.0))) / (2.0 * a)
    within = np.linalg.norm(apart + widen, axis=1) <= target
    return np.asarray(np.where(within | (a < 1e-12), 1.0, np.clip(root, 0.0, 1.0)))


def _pose_in_blocks(
    tracks: dict[str, Tracks],
    skeletons: dict[str, Skeleton],
    hold_weights: dict[str, Array],
    frames: tuple[int, float],
    chunk_frames: int,
    params: MotionParams,
) -> tuple[dict[str, Array], dict[str, NDArray[np.float32]]]:
    """Root positions and float32 local rotations of both dancers, posed ``chunk_frames``
    frames at a time (posing is frame by frame once the tracks are known, carrying the
    quaternions' signs, the elbows' poles and the hands' trail from one block to the
    next); ``frames`` is the number of frames and frames per second."""
    n_frames, fps = frames
    roots = {role: np.empty((n_frames, 3)) for role in ROLES}
    rotations = {
        role: np.empty((n_frames, len(skeletons[role].joints), 4), dtype=np.float32)
        for role in ROLES
    }
    last: dict[str, Array | None] = dict.fromkeys(ROLES)
    carry: dict[tuple[str, str], Array] = {}
    for start in range(0, n_frames, chunk_frames):
        part = slice(start, min(start + chunk_frames, n_frames))
        bodies = {
            role: pose_body(skeletons[role], slice_tracks(tracks[role], part), params)
            for role in ROLES
        }
        weights = {hold: w[part] for hold, w in hold_weights.items()}
        pose_arms(bodies, skeletons, weights, carry, params, fps)
        for role in ROLES:
            place_end_sites(skeletons[role], bodies[role])
            roots[role][part] = _to_tenth_mm(bodies[role].positions[:, 0])
            quats = local_quaternions(skeletons[role], bodies[role].world, last[role])
            rotations[role][part] = quats
            last[role] = quats[-1]
    return roots, rotations


def _to_tenth_mm(root_m: Array) -> Array:
    """Root positions rounded to 0.1 mm, the height never down (a pelvis planned at its
    lowest allowed height is not written below it)."""
    out = np.round(root_m, 4)
    out[:, 2] = np.ceil(np.round(root_m[:, 2] * 1e4, 6)) / 1e4
    return out


def _ball_m(skeleton: Skeleton) -> float:
    """How far in front of the ankle the ball of the foot (the toe joint) is."""
    return float(np.hypot(*skeleton.offset("LeftToeBase")[:2]))


def _step_events(
    steps: dict[str, list[TimedStep]], tracks: dict[str, Tracks]
) -> tuple[StepEvent, ...]:
    events = (
        StepEvent(
            role=role,
            time_s=round(s.t_land, 4),
            beat=s.beat,
            foot=s.replayed.step.foot,
            weight=s.replayed.step.weight,
            figure_index=s.figure_index,
            step_index=s.replayed.index,
            x_m=round(float(xy[0]), 4),
            y_m=round(float(xy[1]), 4),
        )
        for role in ROLES
        for s, xy in zip(steps[role], tracks[role].landings_xy, strict=True)
    )
    return tuple(sorted(events, key=lambda e: (e.time_s, e.role)))
