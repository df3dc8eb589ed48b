"""Gather what the viewer draws from the pipeline's typed values."""

from __future__ import annotations

from typing import Any

import numpy as np

from pasdeux.choreo import Routine
from pasdeux.motion import Performance
from pasdeux.music import MusicMap

__all__ = ["ROLE_COLOURS", "viewer_payload"]

ROLE_COLOURS = {"leader": "#2b6cb0", "follower": "#c53030"}


def viewer_payload(
    music: MusicMap, routine: Routine, performance: Performance, audio_name: str, title: str
) -> dict[str, Any]:
    """The payload of ``index.html``: joint positions per frame and the music's grid.

    The positions are float32 arrays of shape (n_frames, n_joints, 3), the only large
    values; :func:`pasdeux.render.write_viewer` packs them as it writes the page.
    """
    skeleton = performance.dancers[0].skeleton
    dancers = [
        {
            "role": dancer.role,
            "color": ROLE_COLOURS.get(dancer.role, "#555555"),
            "positions": dancer.joint_positions(dtype=np.float32),
        }
        for dancer in performance.dancers
    ]
    bar_numbers = np.cumsum(np.asarray(music.beat_in_bar) == 1)
    return {
        "schema": 2,
        "title": title,
        "audio": audio_name,
        "fps": performance.fps,
        "n_frames": performance.n_frames,
        "joints": list(skeleton.joints),
        "parents": list(skeleton.parents),
        "dancers": dancers,
        "beats": list(music.beats),
        "beat_in_bar": list(music.beat_in_bar),
        "bar_of_beat": [int(b) for b in bar_numbers],
        "figures": [
            {
                "start_s": p.start_s,
                "end_s": p.end_s,
                "name": p.figure.name,
                "dance": p.dance,
                "counts": p.figure.counts,
            }
            for p in routine.figures
        ],
        "sections": [
            {"start_s": s.start, "end_s": s.end, "meter": s.meter, "dance": s.dance}
            for s in music.sections
        ],
        "floor": {"width_m": routine.floor_m[0], "depth_m": routine.floor_m[1]},
    }
