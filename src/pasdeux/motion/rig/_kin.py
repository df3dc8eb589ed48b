"""Kinematics helpers of the motion stage: rotations, two-bone IK, bone frames, quaternions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.transform import Rotation

from pasdeux.motion.rig._skeleton import Skeleton, frame_from_vectors

Array = NDArray[np.float64]

FORWARD = np.array([0.0, 1.0, 0.0])
UP = np.array([0.0, 0.0, 1.0])
DOWN = np.array([0.0, 0.0, -1.0])


def side_name(side: str) -> str:
    """The rig's word for a side (``"l"`` or ``"r"``): ``"Left"`` or ``"Right"``."""
    return {"l": "Left", "r": "Right"}[side]


def smoothstep(s: Array) -> Array:
    """0 to 1 with zero slope at both ends (``s`` clipped to 0-1)."""
    s = np.clip(s, 0.0, 1.0)
    return s * s * (3 - 2 * s)


@dataclass
class Body:
    positions: Array  # (F, J, 3)
    world: Array  # (F, J, 3, 3) world rotation of each joint's frame
    facing: Array  # (F,)


def rot_z(angle: Array) -> Array:
    c, s = np.cos(angle), np.sin(angle)
    m = np.zeros((angle.size, 3, 3))
    m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1], m[:, 2, 2] = c, -s, s, c, 1.0
    return m


def rot_x(angle: Array) -> Array:
    c, s = np.cos(angle), np.sin(angle)
    m = np.zeros((angle.size, 3, 3))
    m[:, 0, 0], m[:, 1, 1], m[:, 1, 2], m[:, 2, 1], m[:, 2, 2] = 1.0, c, -s, s, c
    return m


def rot_y(angle: Array) -> Array:
    c, s = np.cos(angle), np.sin(angle)
    m = np.zeros((angle.size, 3, 3))
    m[:, 0, 0], m[:, 0, 2], m[:, 1, 1], m[:, 2, 0], m[:, 2, 2] = c, s, 1.0, -s, c
    return m


def apply(rot: Array, vec: Array) -> Array:
    """Rotate per-frame: rot (F, 3, 3) times vec (3,) or (F, 3)."""
    if vec.ndim == 1:
        return np.asarray(np.einsum("fij,j->fi", rot, vec), dtype=float)
    return np.asarray(np.einsum("fij,fj->fi", rot, vec), dtype=float)


def two_bone_ik(
    root: Array,
    target: Array,
    upper_m: float,
    lower_m: float,
    pole: Array,
    reach_m: tuple[float, float] | None = None,
) -> tuple[Array, Array]:
    """Middle and end joint positions of a two-bone chain reaching for ``target``, bending
    towards ``pole``; the end stays within ``reach_m`` (nearest, furthest) of the root
    (by default anything short of the straight chain)."""
    d_vec = target - root
    dist = np.linalg.norm(d_vec, axis=1)
    low, high = reach_m or (abs(upper_m - lower_m) + 1e-4, upper_m + lower_m - 1e-4)
    reach = np.clip(dist, low, high)
    u = d_vec / np.maximum(dist, 1e-9)[:, None]
    cos_a = (upper_m**2 + reach**2 - lower_m**2) / (2 * upper_m * reach)
    sin_a = np.sqrt(np.clip(1 - cos_a**2, 0.0, 1.0))
    v = pole - np.sum(pole * u, axis=1, keepdims=True) * u
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    middle = root + upper_m * (cos_a[:, None] * u + sin_a[:, None] * v)
    end = root + reach[:, None] * u
    return middle, end


def bone_world(
    direction: Array, secondary: Array, rest_direction: Array, rest_secondary: Array
) -> Array:
    """World rotation taking a bone's rest direction to ``direction``."""
    posed = frame_from_vectors(direction, secondary)
    n = direction.shape[0]
    rest = frame_from_vectors(np.tile(rest_direction, (n, 1)), np.tile(rest_secondary, (n, 1)))
    return np.asarray(posed @ np.swapaxes(rest, 1, 2))


def place_end_sites(skel: Skeleton, body: Body) -> None:
    """Pose the end sites (the leaf joints: head top, fingertips, toe tips): each turns
    with its parent (local rotation the identity) at its rest offset from it."""
    for j in skel.end_sites:
        parent = skel.parents[j]
        body.world[:, j] = body.world[:, parent]
        body.positions[:, j] = body.positions[:, parent] + apply(
            body.world[:, parent], np.asarray(skel.offsets_m[j])
        )


def local_quaternions(skel: Skeleton, world: Array, previous: Array | None = None) -> Array:
    """Local rotations (F, J, 4) as quaternions ``(x, y, z, w)`` from world rotations.

    The signs are continuous: each quaternion is the one of ``q`` and ``-q`` nearer the
    joint's quaternion in the frame before (``previous``, the last frame of the block posed
    before, or ``w >= 0`` at the first frame), so the values never flip between frames.
    """
    n, n_joints = world.shape[:2]
    local = np.empty_like(world)
    for j, parent in enumerate(skel.parents):
        if parent < 0:
            local[:, j] = world[:, j]
        else:
            local[:, j] = np.swapaxes(world[:, parent], 1, 2) @ world[:, j]
    if not np.all(np.isfinite(local)):
        raise ValueError("a world rotation is not finite")
    # The world rotations are orthonormal frames (frame_from_vectors, and products of
    # them), so scipy's check for reflections and its SVD of matrices that are not
    # orthogonal (which leaves these as they are) are skipped.
    local_rotations = Rotation.from_matrix(local.reshape(-1, 3, 3), assume_valid=True)
    quats = local_rotations.as_quat().reshape(n, n_joints, 4)
    if n == 0:
        return np.asarray(quats)
    first = quats[0, :, 3] if previous is None else np.sum(quats[0] * previous, axis=-1)
    flips = np.empty((n, n_joints))
    flips[0] = np.where(first < 0, -1.0, 1.0)
    flips[1:] = np.where(np.sum(quats[1:] * quats[:-1], axis=-1) < 0, -1.0, 1.0)
    quats *= np.cumprod(flips, axis=0)[..., None]
    return np.asarray(quats)
