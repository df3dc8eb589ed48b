"""The bodies over the tracks: the pelvis planned over the feet, the spine, head and legs
posed to them, the arms to the hold and the joined hands, and the partners' bodies kept
apart."""

from pasdeux.motion.body._arms import hold_weights, pose_arms
from pasdeux.motion.body._contact import keep_apart
from pasdeux.motion.body._hands import hand_targets
from pasdeux.motion.body._legs import pelvis_xy, plan_pelvis, pose_body
from pasdeux.motion.body._reach import arm_reach_m, meeting_point, off_shoulders, reach_shifts

__all__ = [
    "arm_reach_m",
    "hand_targets",
    "hold_weights",
    "keep_apart",
    "meeting_point",
    "off_shoulders",
    "pelvis_xy",
    "plan_pelvis",
    "pose_arms",
    "pose_body",
    "reach_shifts",
]
