"""Perform: turn a routine into both dancers' timed skeletons."""

from pasdeux.motion._params import MotionParams
from pasdeux.motion._perform import DANCER_HEIGHTS_M, perform
from pasdeux.motion._types import PERFORMANCE_SCHEMA, DancerMotion, Performance, StepEvent
from pasdeux.motion.rig import (
    JOINTS,
    PARENTS,
    Skeleton,
    positions_from_rotations,
    skeleton_for_height,
)

__all__ = [
    "DANCER_HEIGHTS_M",
    "JOINTS",
    "PARENTS",
    "PERFORMANCE_SCHEMA",
    "DancerMotion",
    "MotionParams",
    "Performance",
    "Skeleton",
    "StepEvent",
    "perform",
    "positions_from_rotations",
    "skeleton_for_height",
]
