"""The body model: joints, rest offsets, forward kinematics, rotations from positions.

Rest pose: standing upright, arms hanging, facing +y with the right side towards +x and
z up, the pelvis above the origin. Rotations are local (relative to the parent joint's
frame) quaternions in scalar-last order ``(x, y, z, w)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray
from scipy.spatial.transform import Rotation

__all__ = [
    "JOINTS",
    "PARENTS",
    "Skeleton",
    "frame_from_vectors",
    "positions_from_rotations",
    "skeleton_for_height",
]

JOINTS: tuple[str, ...] = (
    "pelvis",
    "spine",
    "chest",
    "neck",
    "head",
    "l_shoulder",
    "l_elbow",
    "l_wrist",
    "r_shoulder",
    "r_elbow",
    "r_wrist",
    "l_hip",
    "l_knee",
    "l_ankle",
    "l_toe",
    "r_hip",
    "r_knee",
    "r_ankle",
    "r_toe",
)
PARENTS: tuple[int, ...] = (-1, 0, 1, 2, 3, 2, 5, 6, 2, 8, 9, 0, 11, 12, 13, 0, 15, 16, 17)

# Offsets of each joint from its parent for a 1.80 m tall dancer, in metres.
_REST_OFFSETS_180: tuple[tuple[float, float, float], ...] = (
    (0.0, 0.0, 0.96),  # pelvis: its height above the floor in the rest pose
    (0.0, 0.0, 0.12),
    (0.0, 0.0, 0.22),
    (0.0, 0.0, 0.20),
    (0.0, 0.0, 0.14),
    (-0.19, 0.0, 0.16),
    (0.0, 0.0, -0.29),
    (0.0, 0.0, -0.26),
    (0.19, 0.0, 0.16),
    (0.0, 0.0, -0.29),
    (0.0, 0.0, -0.26),
    (-0.09, 0.0, -0.02),
    (0.0, 0.0, -0.44),
    (0.0, 0.0, -0.42),
    (0.0, 0.14, -0.06),
    (0.09, 0.0, -0.02),
    (0.0, 0.0, -0.44),
    (0.0, 0.0, -0.42),
    (0.0, 0.14, -0.06),
)


@dataclass(frozen=True)
class Skeleton:
    """Joint names, parent indices and rest offsets (metres, parent frame)."""

    joints: tuple[str, ...]
    parents: tuple[int, ...]
    offsets_m: tuple[tuple[float, float, float], ...]

    def index(self, name: str) -> int:
        """Index of joint ``name``."""
        return self.joints.index(name)

    def offset(self, name: str) -> NDArray[np.float64]:
        """Rest offset of joint ``name`` from its parent."""
        return np.asarray(self.offsets_m[self.index(name)], dtype=float)

    def length(self, name: str) -> float:
        """Length of the bone that ends at joint ``name``."""
        return float(np.linalg.norm(self.offset(name)))


def skeleton_for_height(height_m: float) -> Skeleton:
    """The standard skeleton scaled to a dancer ``height_m`` tall."""
    scale = height_m / 1.80
    offsets = tuple(
        (round(x * scale, 4), round(y * scale, 4), round(z * scale, 4))
        for x, y, z in _REST_OFFSETS_180
    )
    return Skeleton(JOINTS, PARENTS, offsets)


def positions_from_rotations(
    skeleton: Skeleton,
    root_positions_m: NDArray[np.float64],
    rotations: NDArray[np.floating[Any]],
    *,
    dtype: DTypeLike = np.float64,
    chunk_frames: int = 4096,
) -> NDArray[Any]:
    """Forward kinematics.

    Parameters
    ----------
    skeleton
        The body model.
    root_positions_m : ndarray, shape (n_frames, 3)
        World position of the root joint.
    rotations : ndarray, shape (n_frames, n_joints, 4)
        Local rotations, quaternions ``(x, y, z, w)``.
    dtype
        Type of the result; the arithmetic is float64 either way.
    chunk_frames
        Frames computed at once (bounds the rotation matrices held in memory).

    Returns
    -------
    ndarray, shape (n_frames, n_joints, 3)
        World position of every joint.
    """
    n_frames, n_joints = rotations.shape[:2]
    positions = np.empty((n_frames, n_joints, 3), dtype=dtype)
    offsets = np.asarray(skeleton.offsets_m, dtype=float)
    for start in range(0, n_frames, max(1, chunk_frames)):
        part = slice(start, min(start + max(1, chunk_frames), n_frames))
        positions[part] = _forward_kinematics(
            skeleton.parents, offsets, root_positions_m[part], rotations[part]
        )
    return positions


def _forward_kinematics(
    parents: tuple[int, ...],
    offsets: NDArray[np.float64],
    root_positions_m: NDArray[np.float64],
    rotations: NDArray[np.floating[Any]],
) -> NDArray[np.float64]:
    n_frames, n_joints = rotations.shape[:2]
    quats = np.asarray(rotations, dtype=np.float64).reshape(-1, 4)
    local = Rotation.from_quat(quats).as_matrix().reshape(n_frames, n_joints, 3, 3)
    world = np.empty_like(local)
    positions = np.empty((n_frames, n_joints, 3))
    for j, parent in enumerate(parents):
        if parent < 0:
            world[:, j] = local[:, j]
            positions[:, j] = root_positions_m
        else:
            world[:, j] = world[:, parent] @ local[:, j]
            positions[:, j] = positions[:, parent] + np.einsum(
                "fij,j->fi", world[:, parent], offsets[j]
            )
    return positions


def frame_from_vectors(
    primary: NDArray[np.float64], secondary: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Orthonormal frames (n, 3, 3) whose first column is ``primary`` and whose second lies
    in the plane of ``primary`` and ``secondary`` (both shape (n, 3))."""
    a = primary / np.linalg.norm(primary, axis=-1, keepdims=True)
    b = secondary - np.sum(secondary * a, axis=-1, keepdims=True) * a
    b_norm = np.linalg.norm(b, axis=-1, keepdims=True)
    fallback = np.cross(a, np.array([0.0, 0.0, 1.0]))
    fallback_norm = np.linalg.norm(fallback, axis=-1, keepdims=True)
    fallback = np.where(fallback_norm > 1e-6, fallback, np.array([1.0, 0.0, 0.0]))
    b = np.where(b_norm > 1e-6, b, fallback)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    c = np.cross(a, b)
    return np.stack([a, b, c], axis=-1)
