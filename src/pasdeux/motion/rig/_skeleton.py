"""The body model: joints, rest offsets, forward kinematics, rotations from positions.

The rig. Joint names and hierarchy are Mixamo's (the names Adobe Mixamo gives its
skeletons, without the ``mixamorig:`` prefix), which Blender's retargeting add-ons, Rokoko,
Auto-Rig Pro, Unreal's and Unity's humanoid mappers recognise by name::

    Hips
      Spine > Spine1 > Spine2
        Neck > Head > HeadTop_End
        LeftShoulder > LeftArm > LeftForeArm > LeftHand > LeftHandMiddle1 > LeftHandMiddle_End
        RightShoulder > ... (the same)
      LeftUpLeg > LeftLeg > LeftFoot > LeftToeBase > LeftToe_End
      RightUpLeg > ... (the same)

``LeftShoulder`` is the clavicle, ``LeftArm`` the upper arm (its joint the shoulder),
``LeftUpLeg`` the thigh (its joint the hip). The joints ending ``_End`` are end sites: leaf
joints whose local rotation is always the identity (a BVH file writes them as its
``End Site``).

Proportions: Drillis & Contini (1966), "Body segment parameters", Report 1166-03, Office
of Vocational Rehabilitation, New York University, as tabulated in D. A. Winter,
*Biomechanics and Motor Control of Human Movement*, 4th ed. (Wiley, 2009), Fig. 4.1:
segment lengths as fractions of the height H. Heights above the floor: hip joint 0.530 H,
knee 0.285 H, ankle 0.039 H, chest 0.720 H, shoulder 0.818 H, chin 0.870 H, head top 1 H;
thigh 0.245 H, shank 0.246 H, foot 0.152 H long, hips 0.191 H and shoulders 0.259 H wide.
Choices of ours where the table gives no joint centre: the hip joints are half way from
the midline to the side of the hips; the shoulder joints are 0.03 H inside the shoulders'
width (which is over the deltoids) and 0.02 H below their height, 0.20 H apart; the arm's
three segments keep D&C's ratios (upper arm 0.186, forearm 0.146, hand 0.108) scaled so
that the arm span, fingertip to fingertip, is the height (D&C's own lengths with their
shoulder width would make it 1.14 H; humans' is about 1.0 H); the hand is split at the
knuckle (0.56 of its length); the ankle is 0.18 and the ball of the foot 0.72 of the
foot's length from the heel.

Rest pose: a T-pose, standing upright facing +y with the right side towards +x and z up,
the arms straight out sideways along the body's left (-x) and right (+x) axis, palms down,
the hips above the origin. The head's top is at the height, the arm span is the height.
Rotations are local (relative to the parent joint's frame) quaternions in scalar-last
order ``(x, y, z, w)``.
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

# Drillis & Contini's fractions of the height (see the module's docstring).
HIP_HEIGHT_SHARE, KNEE_HEIGHT_SHARE, ANKLE_HEIGHT_SHARE = 0.530, 0.285, 0.039
"""Heights above the floor of the hip, knee and ankle joints, shares of the height."""
_HIP_H, _KNEE_H, _ANKLE_H = HIP_HEIGHT_SHARE, KNEE_HEIGHT_SHARE, ANKLE_HEIGHT_SHARE
_CHEST_H, _SHOULDER_H, _CHIN_H = 0.720, 0.818, 0.870
_FOOT_LENGTH, _HIP_WIDTH = 0.152, 0.191
_ARM_SEGMENTS = (0.186, 0.146, 0.108)  # upper arm, forearm, hand (to the fingertip)
# Ours: the shoulder joints' half spacing and height, the ball of the foot's and the
# ankle's places along the foot from the heel, the ball's and the toe tip's heights, the
# knuckle's place along the hand and the clavicle's inner end beside the spine.
_SHOULDER_X, _SHOULDER_JOINT_H = 0.259 / 2 - 0.03, _SHOULDER_H - 0.02
_ANKLE_ALONG, _BALL_ALONG, _BALL_H, _TOE_TIP_H = 0.18, 0.72, 0.012, 0.004
_KNUCKLE_ALONG, _CLAVICLE_X = 0.56, 0.02


def _rig_table() -> list[tuple[str, str, tuple[float, float, float]]]:
    """(joint, parent, rest offset as fractions of the height) in depth-first order, the
    left side's x negative (the T-pose, see the module's docstring)."""
    arm_scale = (0.5 - _SHOULDER_X) / sum(_ARM_SEGMENTS)
    upper, fore, hand = (arm_scale * s for s in _ARM_SEGMENTS)
    spine = (_CHEST_H - _HIP_H) / 3
    rows: list[tuple[str, str, tuple[float, float, float]]] = [
        ("Hips", "", (0.0, 0.0, _HIP_H)),
        ("Spine", "Hips", (0.0, 0.0, spine)),
        ("Spine1", "Spine", (0.0, 0.0, spine)),
        ("Spine2", "Spine1", (0.0, 0.0, spine)),
        ("Neck", "Spine2", (0.0, 0.0, _SHOULDER_H - _CHEST_H)),
        ("Head", "Neck", (0.0, 0.0, _CHIN_H - _SHOULDER_H)),
        ("HeadTop_End", "Head", (0.0, 0.0, 1.0 - _CHIN_H)),
    ]
    for side, sign in (("Left", -1.0), ("Right", 1.0)):
        rows += [
            (f"{side}Shoulder", "Spine2", (sign * _CLAVICLE_X, 0.0, _SHOULDER_JOINT_H - _CHEST_H)),
            (f"{side}Arm", f"{side}Shoulder", (sign * (_SHOULDER_X - _CLAVICLE_X), 0.0, 0.0)),
            (f"{side}ForeArm", f"{side}Arm", (sign * upper, 0.0, 0.0)),
            (f"{side}Hand", f"{side}ForeArm", (sign * fore, 0.0, 0.0)),
            (f"{side}HandMiddle1", f"{side}Hand", (sign * _KNUCKLE_ALONG * hand, 0.0, 0.0)),
            (
                f"{side}HandMiddle_End",
                f"{side}HandMiddle1",
                (sign * (1 - _KNUCKLE_ALONG) * hand, 0.0, 0.0),
            ),
        ]
    for side, sign in (("Left", -1.0), ("Right", 1.0)):
        rows += [
            (f"{side}UpLeg", "Hips", (sign * _HIP_WIDTH / 4, 0.0, 0.0)),
            (f"{side}Leg", f"{side}UpLeg", (0.0, 0.0, _KNEE_H - _HIP_H)),
            (f"{side}Foot", f"{side}Leg", (0.0, 0.0, _ANKLE_H - _KNEE_H)),
            (
                f"{side}ToeBase",
                f"{side}Foot",
                (0.0, (_BALL_ALONG - _ANKLE_ALONG) * _FOOT_LENGTH, _BALL_H - _ANKLE_H),
            ),
            (
                f"{side}Toe_End",
                f"{side}ToeBase",
                (0.0, (1 - _BALL_ALONG) * _FOOT_LENGTH, _TOE_TIP_H - _BALL_H),
            ),
        ]
    return rows


_RIG = _rig_table()
JOINTS: tuple[str, ...] = tuple(name for name, _, _ in _RIG)
PARENTS: tuple[int, ...] = tuple(JOINTS.index(p) if p else -1 for _, p, _ in _RIG)


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

    @property
    def end_sites(self) -> tuple[int, ...]:
        """Indices of the end sites: the leaves (head top, fingertips, toe tips), the tips
        of their parents' bones, written as BVH ``End Site``s, not joints."""
        has_child = set(self.parents)
        return tuple(j for j, p in enumerate(self.parents) if p >= 0 and j not in has_child)

    @property
    def real_joints(self) -> tuple[int, ...]:
        """Indices of every joint that is not an end site."""
        ends = set(self.end_sites)
        return tuple(j for j in range(len(self.joints)) if j not in ends)


def skeleton_for_height(height_m: float) -> Skeleton:
    """The standard rig for a dancer ``height_m`` tall (its head's top at ``height_m`` in
    the rest pose, its arm span ``height_m``); offsets rounded to 0.1 mm."""
    offsets = tuple(
        (round(x * height_m, 4), round(y * height_m, 4), round(z * height_m, 4))
        for _, _, (x, y, z) in _RIG
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
    # Joint by joint, each joint's frames contiguous (the products are the same, faster).
    local = np.ascontiguousarray(np.swapaxes(local, 0, 1))
    world = np.empty_like(local)
    positions = np.empty((n_joints, n_frames, 3))
    for j, parent in enumerate(parents):
        if parent < 0:
            world[j] = local[j]
            positions[j] = root_positions_m
        else:
            world[j] = world[parent] @ local[j]
            positions[j] = positions[parent] + np.einsum("fij,j->fi", world[parent], offsets[j])
    return np.swapaxes(positions, 0, 1)


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
