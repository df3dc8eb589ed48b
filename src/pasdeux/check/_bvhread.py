"""Read the rotation channels of a BVH file as written (for Euler flips)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pasdeux.errors import InputError

__all__ = ["read_rotation_channels"]


def read_rotation_channels(path: Path) -> tuple[tuple[str, ...], NDArray[np.float64]]:
    """The rotation channels of a BVH file: their names (``joint Zrotation``, ...) and
    values in degrees, shape (frames, channels), exactly as the file holds them.

    Raises
    ------
    InputError
        If the file cannot be read or is not a BVH file with a motion block.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot be read ({type(exc).__name__})") from None
    head, sep, motion = text.partition("MOTION")
    if not head.lstrip().startswith("HIERARCHY") or not sep:
        raise InputError(path, "is not a BVH file (no HIERARCHY and MOTION)")
    names: list[str] = []
    joint = ""
    for line in head.splitlines():
        words = line.split()
        if words[:1] in (["ROOT"], ["JOINT"]) and len(words) > 1:
            joint = words[1]
        elif words[:1] == ["CHANNELS"]:
            names += [f"{joint} {w}" for w in words[2:]]
    lines = motion.strip().splitlines()
    try:
        n_frames = int(lines[0].split(":")[1])
        values = np.array(" ".join(lines[2:]).split(), dtype=float)
        if n_frames < 0 or values.size != n_frames * len(names):  # reshape takes -1 as "any"
            raise ValueError(f"{values.size} values for {n_frames} frames")
        values = values.reshape(n_frames, len(names))
    except (IndexError, ValueError):
        raise InputError(path, "has a malformed MOTION block") from None
    keep = [i for i, n in enumerate(names) if n.endswith("rotation")]
    return tuple(names[i] for i in keep), values[:, keep]
