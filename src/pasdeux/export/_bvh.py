"""BVH motion files for animators.

BVH is Y-up by convention, so floor coordinates (x right, y away, z up) become
BVH (x, z, -y); lengths are written in centimetres. Every joint has three rotation
channels in Z X Y order (the root also has three position channels); end joints get an
``End Site``. :func:`write_bvh` streams the file: the motion is converted and written a
block of frames at a time, never held whole as text.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.transform import Rotation

from pasdeux._json import write_pieces_atomic
from pasdeux.motion import DancerMotion

__all__ = ["BVH_FROM_FLOOR", "bvh_text", "write_bvh"]

BVH_FROM_FLOOR = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])
"""Change of basis from floor coordinates (z up) to BVH coordinates (y up)."""
_CM_PER_M = 100.0
_BLOCK_FRAMES = 2048


def bvh_text(dancer: DancerMotion, fps: float) -> str:
    """The BVH file of one dancer as one string (:func:`write_bvh` streams it to a file).

    Parameters
    ----------
    dancer
        One dancer's motion from a ``Performance``.
    fps
        Frames per second of the performance.
    """
    return "".join(_bvh_pieces(dancer, fps))


def write_bvh(path: str | Path, dancer: DancerMotion, fps: float) -> None:
    """Write the BVH file of one dancer to ``path`` atomically, a block of frames at a time.

    Parameters
    ----------
    path
        The ``.bvh`` file to write.
    dancer
        One dancer's motion from a ``Performance``.
    fps
        Frames per second of the performance.
    """
    write_pieces_atomic(path, _bvh_pieces(dancer, fps))


def _bvh_pieces(dancer: DancerMotion, fps: float) -> Iterator[str]:
    """The text of the BVH file: the hierarchy, then the motion in blocks of frames."""
    skel = dancer.skeleton
    children: dict[int, list[int]] = {i: [] for i in range(len(skel.joints))}
    for j, parent in enumerate(skel.parents):
        if parent >= 0:
            children[parent].append(j)
    offsets = np.asarray(skel.offsets_m) @ BVH_FROM_FLOOR.T * _CM_PER_M
    lines = ["HIERARCHY"]
    _emit_joint(lines, skel.joints, skel.parents, children, offsets, 0, 0)
    order = _depth_first(children, 0)
    n_frames = dancer.rotations.shape[0]
    lines += ["MOTION", f"Frames: {n_frames}", f"Frame Time: {1.0 / fps:.8f}"]
    yield "\n".join(lines)
    row = " ".join(["%.4f"] * (3 + 3 * len(order)))
    previous: NDArray[np.float64] | None = None
    for start in range(0, n_frames, _BLOCK_FRAMES):
        part = slice(start, min(start + _BLOCK_FRAMES, n_frames))
        root = dancer.root_positions_m[part] @ BVH_FROM_FLOOR.T * _CM_PER_M
        euler = _continuous(_bvh_euler_degrees(dancer.rotations[part]), previous)  # Z X Y
        previous = euler[-1]
        values = np.concatenate([root, euler[:, order].reshape(len(root), -1)], axis=1)
        yield "".join("\n" + row % tuple(frame) for frame in values.tolist())
    yield "\n"


def _emit_joint(
    lines: list[str],
    names: tuple[str, ...],
    parents: tuple[int, ...],
    children: dict[int, list[int]],
    offsets: NDArray[np.float64],
    j: int,
    depth: int,
) -> None:
    """Append the hierarchy lines of joint ``j`` and its descendants."""
    pad = "  " * depth
    root = parents[j] < 0
    lines.append(f"{pad}{'ROOT' if root else 'JOINT'} {names[j]}")
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
            _emit_joint(lines, names, parents, children, offsets, c, depth + 1)
    else:
        end = offsets[j] / max(np.linalg.norm(offsets[j]), 1e-9) * 5.0
        lines.append(f"{pad}  End Site")
        lines.append(f"{pad}  {{")
        lines.append(f"{pad}    OFFSET {end[0]:.4f} {end[1]:.4f} {end[2]:.4f}")
        lines.append(f"{pad}  }}")
    lines.append(f"{pad}}}")


def _depth_first(children: dict[int, list[int]], j: int) -> list[int]:
    out = [j]
    for c in children[j]:
        out += _depth_first(children, c)
    return out


def _bvh_euler_degrees(rotations: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
    n_frames, n_joints = rotations.shape[:2]
    mats = Rotation.from_quat(np.asarray(rotations, dtype=np.float64).reshape(-1, 4)).as_matrix()
    mats = BVH_FROM_FLOOR @ mats @ BVH_FROM_FLOOR.T
    with warnings.catch_warnings():
        # A joint bent 90 degrees about X is a gimbal lock of Z X Y angles; scipy then sets
        # the third angle to zero, which still gives the same rotation. Not the user's concern.
        warnings.filterwarnings("ignore", message="Gimbal lock detected")
        angles = Rotation.from_matrix(mats).as_euler("ZXY", degrees=True)
    return np.asarray(angles.reshape(n_frames, n_joints, 3))


def _alternative(angles: NDArray[np.float64]) -> NDArray[np.float64]:
    """The other Z X Y triple of the same rotations: (z + 180, 180 - x, y + 180)."""
    z, x, y = np.moveaxis(angles, -1, 0)
    return np.stack([z + 180.0, 180.0 - x, y + 180.0], axis=-1)


def _apart(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """How far apart two triples of angles are, each angle modulo 360 (sum of degrees)."""
    return np.asarray(np.sum(np.abs((a - b + 180.0) % 360.0 - 180.0), axis=-1))


def _continuous(
    angles: NDArray[np.float64], previous: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """Euler angles (F, J, 3) with each frame's triple the one nearest the frame before.

    Every rotation has two Z X Y triples (:func:`_alternative`), each equal modulo 360 per
    angle: per frame the solution nearer the previous frame's is kept (switching where the
    middle angle passes 90 degrees), then every channel is unwrapped (360 added or taken
    away) so no channel jumps. ``previous`` is the last frame written before (a block
    continues it).
    """
    if previous is not None:
        angles = np.concatenate([previous[None], angles])
    other = _alternative(angles)
    switch = _apart(angles[1:], other[:-1]) < _apart(angles[1:], angles[:-1])
    use_other = np.concatenate([np.zeros((1, angles.shape[1]), dtype=bool), switch])
    use_other = np.cumsum(use_other, axis=0) % 2 == 1
    chosen = np.where(use_other[..., None], other, angles)
    if previous is not None:
        chosen[0] = previous
    out = np.unwrap(chosen, axis=0, period=360.0)
    return np.asarray(out[1:] if previous is not None else out)
