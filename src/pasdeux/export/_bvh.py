"""BVH motion files for animators.

BVH is Y-up by convention, so floor coordinates (x right, y away, z up) become
BVH (x, z, -y); lengths are written in centimetres. Every joint has three rotation
channels, in Z X Y order unless the joint's motion comes near that order's gimbal lock (its
middle angle near 90 degrees, where the other two swing round in a frame) or its channels
step more than 45 degrees in a frame (a fast turn a little further from the lock): then in the
order whose channels jump least from frame to frame over the file (the root also has three
position channels). The rig's end sites (its leaf joints: head top, fingertips, toe tips,
whose rotations are always the identity) are written as the ``End Site`` of their parent,
at their rest offset; the OFFSETs are the rig's rest pose (a T-pose). Each frame's angles
are the solution nearest the frame before, unwrapped, so no channel jumps.
:func:`write_bvh` streams the file: the motion is converted and written a block of frames
at a time, never held whole as text.
"""

from __future__ import annotations

import math
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
    # An end site is its parent's End Site, not a joint of the file.
    ends = {skel.parents[j]: j for j in skel.end_sites}
    children = {i: [c for c in cs if c not in ends.values()] for i, cs in children.items()}
    offsets = np.asarray(skel.offsets_m) @ BVH_FROM_FLOOR.T * _CM_PER_M
    orders = _rotation_orders(dancer.rotations)
    lines = ["HIERARCHY"]
    _emit_joint(lines, (skel.joints, orders), skel.parents, (children, ends), offsets, 0, 0)
    order = _depth_first(children, 0)
    n_frames = dancer.rotations.shape[0]
    lines += ["MOTION", f"Frames: {n_frames}", f"Frame Time: {1.0 / fps:.8f}"]
    yield "\n".join(lines)
    row = " ".join(["%.4f"] * (3 + 3 * len(order)))
    previous: NDArray[np.float64] | None = None
    for start in range(0, n_frames, _BLOCK_FRAMES):
        part = slice(start, min(start + _BLOCK_FRAMES, n_frames))
        root = dancer.root_positions_m[part] @ BVH_FROM_FLOOR.T * _CM_PER_M
        euler = _continuous(_bvh_euler_degrees(dancer.rotations[part], orders), previous)
        previous = euler[-1]
        values = np.concatenate([root, euler[:, order].reshape(len(root), -1)], axis=1)
        yield "".join("\n" + row % tuple(frame) for frame in values.tolist())
    yield "\n"


def _emit_joint(
    lines: list[str],
    joints: tuple[tuple[str, ...], list[str]],
    parents: tuple[int, ...],
    tree: tuple[dict[int, list[int]], dict[int, int]],
    offsets: NDArray[np.float64],
    j: int,
    depth: int,
) -> None:
    """Append the hierarchy lines of joint ``j`` and its descendants (``joints``: names and
    rotation orders; ``tree``: each joint's children and end site)."""
    names, orders = joints
    children, ends = tree
    rotation = " ".join(f"{axis}rotation" for axis in orders[j])
    pad = "  " * depth
    root = parents[j] < 0
    lines.append(f"{pad}{'ROOT' if root else 'JOINT'} {names[j]}")
    lines.append(f"{pad}{{")
    offset = np.zeros(3) if root else offsets[j]
    lines.append(f"{pad}  OFFSET {offset[0]:.4f} {offset[1]:.4f} {offset[2]:.4f}")
    if root:
        lines.append(f"{pad}  CHANNELS 6 Xposition Yposition Zposition {rotation}")
    else:
        lines.append(f"{pad}  CHANNELS 3 {rotation}")
    if children[j]:
        for c in children[j]:
            _emit_joint(lines, joints, parents, tree, offsets, c, depth + 1)
    else:
        # No end site in the rig: 5 cm along the joint's own bone.
        way = offsets[j] / max(np.linalg.norm(offsets[j]), 1e-9) * 5.0
        end = offsets[ends[j]] if j in ends else way
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


_ORDERS = ("ZXY", "ZYX", "XYZ", "XZY", "YXZ", "YZX")
_LOCK_SIN = math.sin(math.radians(75.0))
_JUMP_DEG = 45.0  # Z X Y channel steps beyond this (half a flip) send a joint to the choice


def _bvh_matrices(rotations: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
    """Local rotation matrices (F, J, 3, 3) in BVH axes."""
    n_frames, n_joints = rotations.shape[:2]
    mats = Rotation.from_quat(np.asarray(rotations, dtype=np.float64).reshape(-1, 4)).as_matrix()
    return np.asarray((BVH_FROM_FLOOR @ mats @ BVH_FROM_FLOOR.T).reshape(n_frames, n_joints, 3, 3))


def _rotation_orders(rotations: NDArray[np.floating[Any]]) -> list[str]:
    """Each joint's rotation order: Z X Y, unless its middle angle comes within 15 degrees
    of 90 somewhere or one of its channels steps more than 45 degrees between two frames
    (a fast turn less near the lock); then, of the six orders, the one whose channels as
    written (each frame's triple nearest the frame before, unwrapped: :func:`_continuous`)
    jump least from one frame to the next over the whole file (Z X Y on a tie).

    Near an order's gimbal lock (its middle angle at 90 degrees) a turn of w degrees
    between two frames swings its first and third angles by up to w / cos(middle): no
    choice of triples avoids that, only an order whose lock the joint's motion stays away
    from. A shoulder's motion (hanging, raised, forward, twisted) comes near the lock of
    every order somewhere in its range, so the order is chosen from the motion itself, by
    the jumps the file would have, not by an estimate of them.
    """
    n_frames, n_joints = rotations.shape[:2]
    nearest = np.zeros(n_joints)  # Z X Y's max |sin(middle angle)| per joint
    for start in range(0, n_frames, _BLOCK_FRAMES):
        mats = _bvh_matrices(rotations[start : start + _BLOCK_FRAMES])
        nearest = np.maximum(nearest, np.abs(mats[:, :, 2, 1]).max(axis=0, initial=0.0))
    orders = ["ZXY"] * n_joints
    steps = _largest_jumps(rotations, "ZXY")
    near = [j for j in range(n_joints) if nearest[j] >= _LOCK_SIN or steps[j] > _JUMP_DEG]
    if not near:
        return orders
    jump = np.stack([_largest_jumps(rotations[:, near], order) for order in _ORDERS])
    for k, j in enumerate(near):
        orders[j] = _ORDERS[int(np.argmin(jump[:, k]))]
    return orders


def _largest_jumps(rotations: NDArray[np.floating[Any]], order: str) -> NDArray[np.float64]:
    """Per joint of ``rotations`` (F, J, 4), the largest frame-to-frame jump of any of its
    channels written in ``order`` (degrees)."""
    worst = np.zeros(rotations.shape[1])
    previous: NDArray[np.float64] | None = None
    for start in range(0, rotations.shape[0], _BLOCK_FRAMES):
        part = rotations[start : start + _BLOCK_FRAMES]
        euler = _continuous(_bvh_euler_degrees(part, [order] * part.shape[1]), previous)
        steps = np.diff(
            euler if previous is None else np.concatenate([previous[None], euler]), axis=0
        )
        if steps.size:
            worst = np.maximum(worst, np.abs(steps).max(axis=(0, 2)))
        previous = euler[-1]
    return worst


def _bvh_euler_degrees(
    rotations: NDArray[np.floating[Any]], orders: list[str]
) -> NDArray[np.float64]:
    """Euler angles (F, J, 3) of every joint in its order (as the channels list them)."""
    mats = _bvh_matrices(rotations)
    angles = np.empty((*mats.shape[:2], 3))
    with warnings.catch_warnings():
        # At a gimbal lock scipy sets the third angle to zero, which still gives the same
        # rotation. Not the user's concern.
        warnings.filterwarnings("ignore", message="Gimbal lock detected")
        for order in set(orders):
            joints = [j for j, o in enumerate(orders) if o == order]
            part = mats[:, joints].reshape(-1, 3, 3)
            euler = Rotation.from_matrix(part).as_euler(order, degrees=True)
            angles[:, joints] = euler.reshape(mats.shape[0], len(joints), 3)
    return angles


def _alternative(angles: NDArray[np.float64]) -> NDArray[np.float64]:
    """The other triple of the same rotations in any order ``a b c`` of three different
    axes: (a + 180, 180 - b, c + 180)."""
    a, b, c = np.moveaxis(angles, -1, 0)
    return np.stack([a + 180.0, 180.0 - b, c + 180.0], axis=-1)


def _apart(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """How far apart two triples of angles are, each angle modulo 360 (sum of degrees)."""
    return np.asarray(np.sum(np.abs((a - b + 180.0) % 360.0 - 180.0), axis=-1))


def _continuous(
    angles: NDArray[np.float64], previous: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """Euler angles (F, J, 3) with each frame's triple the one nearest the frame before.

    Every rotation has two triples (:func:`_alternative`), each equal modulo 360 per
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
