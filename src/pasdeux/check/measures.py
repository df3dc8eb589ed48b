"""The measures of ``pasdeux check`` as plain functions on arrays (metres, seconds, floor
z up), public so that a benchmark or a test can use one alone.

Foot-skating is measured three ways (named in the report):

* ``skating_ratio`` -- the definition common in the motion-synthesis literature (e.g. the
  "skating ratio" of GMD, Karunratanakul et al., ICCV 2023, used again by OmniControl): of
  the frames where a foot is on the floor (its ball below a height), the share where it
  moves horizontally faster than a speed;
* ``lodge_skating_ratio`` -- as Lodge (Li et al., CVPR 2024; github.com/li-ronghui/LODGE,
  its foot-skating-ratio script) computes it: the ground is the first frame's toe height;
  a foot is in contact when its ankle is within 8 cm and its toe within 5 cm of the
  ground; a contact frame skates when, for its ankle or its toe, the absolute value of the
  *mean* of the two horizontal displacement components over the next frame exceeds 0.01 m
  (at their 30 fps); the ratio is skating frames over contact frames, averaged over feet;
* ``edge_pfc`` -- EDGE's Physical Foot Contact score (Tseng et al., CVPR 2023;
  github.com/Stanford-TML/EDGE ``eval/eval_pfc.py``): per frame, the root's acceleration
  with its upward part clamped at zero, divided by its largest value over the clip, times
  the smaller horizontal speed of the left foot's ankle and toe and the same for the right
  foot (speeds in metres per 1/30 s, their frame), averaged over frames, times 10 000.

The Beat Align Score is Bailando's (Li et al., CVPR 2022; github.com/lisiyao21/Bailando
``utils/beat_align_score.py``), the AIST++ definition: kinematic beats are the local
minima of the mean joint speed smoothed by a Gaussian (5 frames at 60 fps); the score is
the mean over the music's beats of ``exp(-d**2 / (2 sigma**2))``, ``d`` the distance to the
nearest kinematic beat, ``sigma`` 3 frames at 60 fps (0.05 s).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter1d
from scipy.signal import argrelextrema
from scipy.spatial.transform import Rotation

from pasdeux.capsules import capsule_overlaps_m, penetrating_pairs, segment_distances_m
from pasdeux.check._bvhread import read_rotation_channels

__all__ = [
    "beat_align_score",
    "bone_drift_max_m",
    "capsule_overlaps_m",
    "edge_pfc",
    "euler_flip_frames",
    "facing_unwrapped_rad",
    "heel_rise_m",
    "heel_up_frames",
    "horizontal_speed_m_s",
    "joint_speed_max",
    "landing_frame",
    "lodge_skating_ratio",
    "penetrating_pairs",
    "range_deg",
    "read_rotation_channels",
    "segment_distances_m",
    "skating_ratio",
    "support_slide_m",
    "tilt_deg",
    "world_rotations",
    "yaw_between_deg",
]

Array = NDArray[np.float64]


def horizontal_speed_m_s(points_m: Array, fps: float) -> Array:
    """Horizontal speed of a point per frame, shape (F,): frame ``f`` is the speed from
    ``f - 1`` to ``f`` (0 for the first frame)."""
    step = np.linalg.norm(np.diff(points_m[:, :2], axis=0), axis=1) * fps
    return np.concatenate([[0.0], step])


def support_slide_m(heel_m: Array, ball_m: Array, start: int, stop: int) -> float:
    """How far a planted foot slides over frames ``start:stop``: the smaller, of its heel
    and its ball, of the largest horizontal distance from where it was at ``start`` (a foot
    pivoting on its ball or on its heel does not slide)."""
    if stop <= start:
        return 0.0
    slides = []
    for point in (heel_m, ball_m):
        part = point[start:stop, :2]
        slides.append(float(np.max(np.linalg.norm(part - part[0], axis=1))))
    return min(slides)


def skating_ratio(
    ball_m: Array, fps: float, contact_height_m: float, skate_speed_m_s: float
) -> float:
    """Of the frames where the foot's ball is below ``contact_height_m``, the share where
    it moves horizontally faster than ``skate_speed_m_s`` (0 with no contact)."""
    contact = ball_m[:, 2] < contact_height_m
    if not contact.any():
        return 0.0
    skating = contact & (horizontal_speed_m_s(ball_m, fps) > skate_speed_m_s)
    return float(skating.sum() / contact.sum())


def lodge_skating_ratio(
    heels_m: list[Array],
    balls_m: list[Array],
    fps: float,
    *,
    heel_height_m: float = 0.08,
    ball_height_m: float = 0.05,
    speed_m_s: float = 0.3,
) -> float:
    """Lodge's foot-skating ratio (see the module docstring), averaged over the feet."""
    first = [float(b[0, 2]) for b in balls_m]
    ground = float(np.mean(first)) if np.ptp(first) < 0.02 else min(first)
    ratios = []
    for heel, ball in zip(heels_m, balls_m, strict=True):
        contact = (heel[:, 2] - ground <= heel_height_m) & (ball[:, 2] - ground <= ball_height_m)
        skating = np.zeros(len(heel), dtype=bool)
        for point in (heel, ball):
            step = np.zeros((len(point), 2))
            step[:-1] = np.diff(point[:, :2], axis=0)
            skating |= np.abs(step.mean(axis=1)) > speed_m_s / fps
        n_contact = int(contact.sum())
        ratios.append(float((skating & contact).sum() / n_contact) if n_contact else 0.0)
    return float(np.mean(ratios))


def edge_pfc(root_m: Array, heels_m: list[Array], balls_m: list[Array], fps: float) -> float:
    """EDGE's Physical Foot Contact score (see the module docstring); lower is better."""
    if len(root_m) < 3:
        return 0.0
    accel = np.diff(root_m, n=2, axis=0) * fps * fps
    accel[:, 2] = np.maximum(accel[:, 2], 0.0)
    accel_norm = np.linalg.norm(accel, axis=1)
    accel_norm = accel_norm / accel_norm.max() if accel_norm.max() > 0 else accel_norm
    per_30fps = 1.0 / 30.0
    mins = []
    for heel, ball in zip(heels_m, balls_m, strict=True):
        speeds = [horizontal_speed_m_s(p, fps)[2:] * per_30fps for p in (heel, ball)]
        mins.append(np.minimum(*speeds))
    return float(np.mean(mins[0] * mins[1] * accel_norm) * 10_000.0)


def landing_frame(moving: NDArray[np.bool_], lo: int, hi: int, near: int) -> int | None:
    """The frame a foot arrives in ``lo:hi``: of the frames there where it stops (still,
    after a moving frame), the one nearest frame ``near`` (None when it does not stop in
    the window: nothing to time)."""
    lo = max(lo, 1)
    stops = lo + np.flatnonzero(moving[lo - 1 : hi - 1] & ~moving[lo:hi])
    if stops.size == 0:
        return None
    return int(stops[np.argmin(np.abs(stops - near))])


def beat_align_score(
    positions_m: Array, fps: float, beat_times_s: Array, *, smoothing_s: float, sigma_s: float
) -> float | None:
    """Bailando's Beat Align Score of one dancer (see the module docstring); None without a
    music beat or a kinematic beat."""
    speed = np.linalg.norm(np.diff(positions_m, axis=0), axis=2).mean(axis=1)
    if speed.size < 3:
        return None
    smooth = gaussian_filter1d(speed, smoothing_s * fps, mode="reflect")
    minima = argrelextrema(smooth, np.less)[0]
    duration = (len(positions_m) - 1) / fps
    beats = np.asarray(beat_times_s, dtype=float)
    beats = beats[(beats >= 0.0) & (beats <= duration)]
    if minima.size == 0 or beats.size == 0:
        return None
    kinematic = (minima + 0.5) / fps  # the speed between frames i and i + 1
    d = np.min(np.abs(beats[:, None] - kinematic[None, :]), axis=1)
    return float(np.mean(np.exp(-(d**2) / (2.0 * sigma_s**2))))


def bone_drift_max_m(
    positions_m: Array, parents: tuple[int, ...], offsets_m: tuple[tuple[float, ...], ...]
) -> float:
    """Largest ``|bone length - rest length|`` over frames and bones."""
    worst = 0.0
    for j, parent in enumerate(parents):
        if parent < 0:
            continue
        rest = float(np.linalg.norm(offsets_m[j]))
        length = np.linalg.norm(positions_m[:, j] - positions_m[:, parent], axis=1)
        worst = max(worst, float(np.max(np.abs(length - rest))) if length.size else 0.0)
    return worst


def joint_speed_max(positions_m: Array, fps: float) -> tuple[float, int, int]:
    """The largest speed of any joint (m/s, 3D), its joint index and frame."""
    if len(positions_m) < 2:
        return 0.0, 0, 0
    speed = np.linalg.norm(np.diff(positions_m, axis=0), axis=2) * fps
    frame, joint = np.unravel_index(int(np.argmax(speed)), speed.shape)
    return float(speed[frame, joint]), int(joint), int(frame) + 1


def euler_flip_frames(channels_deg: Array, threshold_deg: float) -> int:
    """Frames where any rotation channel jumps more than ``threshold_deg`` from the frame
    before, the values as written (shape (F, C)).

    This is what an animator sees as a flip in the curve editor and in playback between
    keys: a channel stepping by about 180 degrees where the pose turns little (a gimbal
    flip: two channels swing round an order's lock) or by 360 (a wrap an importer
    interpolates as a full spin). No joint turns 90 degrees in one frame (5400 degrees a
    second at 60 fps), so a jump that large is never motion; switching between the two
    Euler triples of one rotation steps two channels by 180, over the threshold. (Near a
    lock the channels may also swing fast over several frames without a step over 90:
    not counted, and smooth in playback.)"""
    if len(channels_deg) < 2:
        return 0
    jumps = np.abs(np.diff(channels_deg, axis=0)) > threshold_deg
    return int(np.any(jumps, axis=1).sum())


def world_rotations(
    parents: tuple[int, ...], rotations: NDArray[Any], joint: int
) -> NDArray[np.float64]:
    """World rotation matrices (F, 3, 3) of ``joint`` from local quaternions (x, y, z, w)."""
    chain = []
    j = joint
    while j >= 0:
        chain.append(j)
        j = parents[j]
    world = np.broadcast_to(np.eye(3), (len(rotations), 3, 3)).copy()
    for j in reversed(chain):
        local = Rotation.from_quat(np.asarray(rotations[:, j], dtype=np.float64)).as_matrix()
        world = world @ local
    return world


def facing_unwrapped_rad(world: NDArray[np.float64], forward_axis: Array) -> Array:
    """The facing angle on the floor (counter-clockwise from +x) of a body whose world
    rotations are ``world`` (F, 3, 3), unwrapped over frames (a full spin is 2 pi)."""
    forward = world @ np.asarray(forward_axis, dtype=float)
    return np.asarray(np.unwrap(np.arctan2(forward[:, 1], forward[:, 0])))


def heel_rise_m(heel_m: Array, rest_height_m: float, start: int, stop: int) -> float:
    """How far a planted foot's heel rises over frames ``start:stop``: the largest height
    of its heel (ankle) above ``rest_height_m`` (its height standing flat; 0 when it never
    rises or the span is empty)."""
    if stop <= start:
        return 0.0
    return max(0.0, float(np.max(heel_m[start:stop, 2])) - rest_height_m)


def heel_up_frames(
    heel_m: Array, rest_height_m: float, above_m: float, start: int, stop: int
) -> int:
    """Of the frames ``start:stop``, how many have the heel (ankle) more than ``above_m``
    above ``rest_height_m`` (its height standing flat)."""
    if stop <= start:
        return 0
    return int(np.sum(heel_m[start:stop, 2] - rest_height_m > above_m))


def tilt_deg(world: NDArray[np.float64], right_axis: Array) -> Array:
    """Sideways tilt per frame (degrees) of a body part whose world rotations are ``world``
    (F, 3, 3): the angle of its right axis (``right_axis`` in its rest frame) above the
    floor, positive with its right side up."""
    right = world @ np.asarray(right_axis, dtype=float)
    sine = right[:, 2] / np.maximum(np.linalg.norm(right, axis=1), 1e-12)
    return np.asarray(np.degrees(np.arcsin(np.clip(sine, -1.0, 1.0))))


def yaw_between_deg(
    world_from: NDArray[np.float64], world_to: NDArray[np.float64], forward_axis: Array
) -> Array:
    """Per frame, how far (degrees, counter-clockwise from above, within +-180) the facing
    on the floor of ``world_to`` is turned from that of ``world_from`` (each (F, 3, 3),
    their forward axis ``forward_axis`` in the rest frame): the chest against the pelvis
    is the spine's twist, the head against the chest the head's turn."""
    axis = np.asarray(forward_axis, dtype=float)
    a, b = world_from @ axis, world_to @ axis
    angle = np.arctan2(b[:, 1], b[:, 0]) - np.arctan2(a[:, 1], a[:, 0])
    return np.asarray(np.degrees(np.remainder(angle + np.pi, 2 * np.pi) - np.pi))


def range_deg(values_deg: Array) -> float:
    """The range (largest minus smallest) of an angle over frames (0 with no frame)."""
    return float(np.ptp(values_deg)) if len(values_deg) else 0.0
