"""Tracks for the motion tests: only the feet (and the way they point) filled in."""

from __future__ import annotations

import numpy as np

from pasdeux.motion.steps import Tracks


def feet_only_tracks(feet: dict[str, np.ndarray], yaw: dict[str, float]) -> Tracks:
    """Tracks with only the feet ``(F, 3)`` and the way they point (rad) filled in; the
    body at the origin facing +x, everything else 0."""
    n = next(iter(feet.values())).shape[0]
    zeros = np.zeros(n)
    return Tracks(
        body_xy=np.zeros((n, 2)),
        facing=zeros,
        feet=feet,
        foot_yaw={f: np.full(n, yaw[f]) for f in "LR"},
        heel_up={f: zeros for f in "LR"},
        weight_r=zeros,
        dip=zeros,
        drop_m=zeros,
        rise_m=zeros,
        bounce_m=zeros,
        hop_m=zeros,
        lean_rad=zeros,
        sway_rad=zeros,
        head_pitch_rad=zeros,
        hip=zeros,
        contra_rad=zeros,
        head_turn_rad=zeros,
        head_tilt_rad=zeros,
        pelvis_m=np.zeros((n, 3)),
        free_on_ball=zeros,
        heel_release_rad={f: zeros for f in "LR"},
        landings_xy=np.zeros((0, 2)),
    )
