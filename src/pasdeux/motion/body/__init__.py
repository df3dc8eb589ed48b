"""The bodies over the tracks: the pelvis planned over the feet, the spine, head and legs
posed to them, the arms to the hold and the joined hands, and the partners' bodies kept
apart."""

from pasdeux.motion.body._apart import hands_apart
from pasdeux.motion.body._arms import hold_weights, pose_arms, springy_weight
from pasdeux.motion.body._contact import keep_apart
from pasdeux.motion.body._legs import pelvis_xy, plan_pelvis, pose_body, sit_back_xy
from pasdeux.motion.body._reach import reach_shifts

__all__ = [
    "hands_apart",
    "hold_weights",
    "keep_apart",
    "pelvis_xy",
    "plan_pelvis",
    "pose_arms",
    "pose_body",
    "reach_shifts",
    "sit_back_xy",
    "springy_weight",
]
