"""BVH motion files for animators.

BVH is Y-up by convention, so floor coordinates (x right, y away, z up) become
BVH (x, z, -y); lengths are written in centimetres. Every joint has three rotation
channels in Z X Y order (the root also has three position channels); end joints get an
``End Site``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.transform import Rotation

from pasdeux.motion import DancerMotion

__all__ = ["BVH_FROM_FLOOR", "bvh_text"]

BVH_FROM_FLOOR = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])
"""Change of basis from floor coordinates (z up) to BVH coordinates (y up)."""
_CM_PER_M = 100.0


def bvh_text(dancer: DancerMotion, fps: float) -> str:
    """The BVH file of one dancer.

    Parameters
    ----------
    dancer
        One dancer's motion from a ``Performance``.
    fps
        Frames per second of the performance.
    """
    skel = dancer.skeleton
    children: dict[int, list[int]] = {i: [] for i in range(len(skel.joints))}
    for j, parent in enumerate(skel.parents):
        if parent >= 0:
            children[parent].append(j)
    offsets = np.asarray(skel.offsets_m) @ BVH_FROM_FLOOR.T * _CM_PER_M
    lines = ["HIERARCHY"]

    def emit(j: int, depth: int) -> None:
        pad = "  " * depth
        root = skel.parents[j] < 0
        lines.append(f"{pad}{'ROOT' if root else 'JOINT'} {skel.joints[j]}")
        lines.append(f"{pad}{{")
        offset = np.zeros(3) if root else offsets[j]
        lines.append(f"{pad}  OFFSET {offset[0]:.4f} {offset[1]:.4f} {offset[2]:.4f}")
        if root:
            lines.append(
                f"{pad}  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation"
            )
        else:
            lines.append(f"{pad}  CHANNELS 3 Zrotation Xrotation Yrotation")
        if children[j]:
            for c in children[j]:
                emit(c, depth + 1)
        else:
            end = offsets[j] / max(np.linalg.norm(offsets[j]), 1e-9) * 5.0
            lines.append(f"{pad}  End Site")
            lines.append(f"{pad}  {{")
            lines.append(f"{pad}    OFFSET {end[0]:.4f} {end[1]:.4f} {end[2]:.4f}")
            lines.append(f"{pad}  }}")
        lines.append(f"{pad}}}")

    emit(0, 0)
    order = _depth_first(children, 0)
    n_frames = dancer.rotations.shape[0]
    lines += ["MOTION", f"Frames: {n_frames}", f"Frame Time: {1.0 / fps:.8f}"]
    root = dancer.root_positions_m @ BVH_FROM_FLOOR.T * _CM_PER_M
    euler = _bvh_euler_degrees(dancer.rotations)  # (F, J, 3) as Z X Y
    for f in range(n_frames):
        values = [*root[f]]
        for j in order:
            values.extend(euler[f, j])
        lines.append(" ".join(f"{v:.4f}" for v in values))
    return "\n".join(lines) + "\n"


def _depth_first(children: dict[int, list[int]], j: int) -> list[int]:
    out = [j]
    for c in children[j]:
        out += _depth_first(children, c)
    return out


def _bvh_euler_degrees(rotations: NDArray[np.float64]) -> NDArray[np.float64]:
    n_frames, n_joints = rotations.shape[:2]
    mats = Rotation.from_quat(rotations.reshape(-1, 4)).as_matrix()
    mats = BVH_FROM_FLOOR @ mats @ BVH_FROM_FLOOR.T
    angles = Rotation.from_matrix(mats).as_euler("ZXY", degrees=True)
    return np.asarray(angles.reshape(n_frames, n_joints, 3))
