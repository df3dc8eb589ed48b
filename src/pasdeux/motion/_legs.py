"""The body above the feet: pelvis, spine, head and the legs solved to the feet."""

from __future__ import annotations

import numpy as np

from pasdeux.motion._kin import (
    DOWN,
    FORWARD,
    Body,
    apply,
    bone_world,
    rot_x,
    rot_y,
    rot_z,
    two_bone_ik,
)
from pasdeux.motion._skeleton import Skeleton
from pasdeux.motion._tracks import Tracks


def pose_body(skel: Skeleton, tr: Tracks, role: str) -> Body:
    n = tr.facing.size
    n_joints = len(skel.joints)
    pos = np.zeros((n, n_joints, 3))
    world = np.tile(np.eye(3), (n, n_joints, 1, 1))
    ix = skel.index
    off = skel.offset
    yaw = rot_z(tr.facing - np.pi / 2)
    r_pelvis = yaw
    hip_z_rest = off("pelvis")[2] + off("l_hip")[2]
    thigh, shin = skel.length("l_knee"), skel.length("l_ankle")
    ankle_h = hip_z_rest - thigh - shin
    pelvis_xy = tr.body_xy
    pelvis_z = off("pelvis")[2] - tr.drop_m + tr.rise_m
    # Lower the pelvis where a leg could not otherwise reach its foot.
    for side in "lr":
        hip_xy = pelvis_xy + apply(r_pelvis, off(f"{side}_hip"))[:, :2]
        foot = tr.feet[side.upper()]
        horizontal = np.linalg.norm(foot[:, :2] - hip_xy, axis=1)
        reach = 0.995 * (thigh + shin)
        max_hip_z = ankle_h + foot[:, 2] + np.sqrt(np.clip(reach**2 - horizontal**2, 0.0, None))
        pelvis_z = np.minimum(pelvis_z, max_hip_z - off(f"{side}_hip")[2])
    pos[:, ix("pelvis")] = np.column_stack([pelvis_xy, pelvis_z])
    world[:, ix("pelvis")] = r_pelvis
    r_spine = r_pelvis @ rot_x(-tr.lean_rad / 2) @ rot_y(tr.sway_rad / 2)
    r_chest = r_pelvis @ rot_x(-tr.lean_rad) @ rot_y(tr.sway_rad)
    r_head = r_chest @ rot_x(tr.head_pitch_rad)
    for joint, parent_rot, rot in (
        ("spine", r_pelvis, r_spine),
        ("chest", r_spine, r_chest),
        ("neck", r_chest, r_chest),
        ("head", r_chest, r_head),
    ):
        parent = skel.parents[ix(joint)]
        pos[:, ix(joint)] = pos[:, parent] + apply(parent_rot, off(joint))
        world[:, ix(joint)] = rot
    for side in "lr":
        shoulder = f"{side}_shoulder"
        pos[:, ix(shoulder)] = pos[:, ix("chest")] + apply(r_chest, off(shoulder))
        hip = f"{side}_hip"
        pos[:, ix(hip)] = pos[:, ix("pelvis")] + apply(r_pelvis, off(hip))
        foot = tr.feet[side.upper()]
        ankle_target = np.column_stack([foot[:, :2], ankle_h + foot[:, 2]])
        forward = apply(yaw, FORWARD)
        knee, ankle = two_bone_ik(pos[:, ix(hip)], ankle_target, thigh, shin, forward)
        pos[:, ix(f"{side}_knee")] = knee
        pos[:, ix(f"{side}_ankle")] = ankle
        world[:, ix(hip)] = bone_world(knee - pos[:, ix(hip)], forward, DOWN, FORWARD)
        world[:, ix(f"{side}_knee")] = bone_world(ankle - knee, forward, DOWN, FORWARD)
        toe_rest = off(f"{side}_toe")
        world[:, ix(f"{side}_ankle")] = r_pelvis
        world[:, ix(f"{side}_toe")] = r_pelvis
        pos[:, ix(f"{side}_toe")] = ankle + apply(r_pelvis, toe_rest)
    return Body(positions=pos, world=world, facing=tr.facing)
