"""From the routine's steps to each dancer's tracks: when each foot lifts and lands, where
the feet, the body point and the facing are each frame, the character of the steps
(rise, sway, hips, head), and the feet kept off the partner's."""

from pasdeux.motion.steps._feet import feet_shifts, shifted_feet
from pasdeux.motion.steps._tracks import (
    ROLES,
    TimedStep,
    Tracks,
    dancer_tracks,
    follow_in_hold,
    own_steps,
    slice_tracks,
    timed_steps,
)

__all__ = [
    "ROLES",
    "TimedStep",
    "Tracks",
    "dancer_tracks",
    "feet_shifts",
    "follow_in_hold",
    "own_steps",
    "shifted_feet",
    "slice_tracks",
    "timed_steps",
]
