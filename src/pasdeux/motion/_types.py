"""The typed result of performing: ``Performance``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from pasdeux._json import check_schema, pack_array, read_json, write_json_stream
from pasdeux._serial import from_jsonable, to_jsonable
from pasdeux.motion.rig import Skeleton, positions_from_rotations

__all__ = ["PERFORMANCE_SCHEMA", "DancerMotion", "Performance", "StepEvent"]

PERFORMANCE_SCHEMA = 2
"""Schema 2: arrays are packed (dtype, shape, base64 of the little-endian bytes)."""


@dataclass(frozen=True, eq=False)
class DancerMotion:
    """One dancer's motion: root positions (n_frames, 3) in metres (float64) and local joint
    rotations (n_frames, n_joints, 4) as float32 quaternions ``(x, y, z, w)``.

    Arrays of other float types are converted on construction, so a motion always holds
    compact rotations (float32 keeps a joint within 0.1 micrometre at arm's length).
    """

    role: str
    height_m: float
    skeleton: Skeleton
    root_positions_m: NDArray[np.float64]
    rotations: NDArray[np.float32]

    def __post_init__(self) -> None:
        root = np.asarray(self.root_positions_m, dtype=np.float64)
        object.__setattr__(self, "root_positions_m", root)
        object.__setattr__(self, "rotations", np.asarray(self.rotations, dtype=np.float32))
        n_joints = len(self.skeleton.joints)
        if self.root_positions_m.ndim != 2 or self.root_positions_m.shape[1] != 3:
            raise ValueError("root_positions_m must have shape (n_frames, 3)")
        if self.rotations.shape != (self.root_positions_m.shape[0], n_joints, 4):
            raise ValueError(f"rotations must have shape (n_frames, {n_joints}, 4)")

    def joint_positions(self, dtype: DTypeLike = np.float64) -> NDArray[Any]:
        """World positions of every joint, shape (n_frames, n_joints, 3), as ``dtype``."""
        return positions_from_rotations(
            self.skeleton, self.root_positions_m, self.rotations, dtype=dtype
        )


@dataclass(frozen=True)
class StepEvent:
    """A foot arriving on the floor: with weight (a step) or without (a tap)."""

    role: str
    time_s: float
    beat: float
    foot: str
    weight: bool
    figure_index: int
    step_index: int
    x_m: float
    y_m: float


@dataclass(frozen=True, eq=False)
class Performance:
    """Both dancers' timed skeletons and their step events."""

    source: str
    fps: float
    n_frames: int
    dancers: tuple[DancerMotion, ...]
    events: tuple[StepEvent, ...]
    schema: int = PERFORMANCE_SCHEMA
    kind: str = field(default="performance")

    @property
    def duration_s(self) -> float:
        """Time of the last frame."""
        return (self.n_frames - 1) / self.fps

    def dancer(self, role: str) -> DancerMotion:
        """The motion of ``role`` ("leader" or "follower")."""
        for d in self.dancers:
            if d.role == role:
                return d
        raise KeyError(role)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; arrays are packed objects (``pasdeux._json.pack_array``)."""
        data: dict[str, Any] = to_jsonable(self, array=pack_array)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str | None = None) -> Performance:
        """Inverse of :meth:`to_dict` (exact: the arrays keep their types and values)."""
        check_schema(data, "performance", PERFORMANCE_SCHEMA, path)
        return from_jsonable(cls, data, "Performance")

    def to_json(self) -> str:
        """Serialise to a JSON string (the text :meth:`save` writes)."""
        return json.dumps(self.to_dict(), allow_nan=False, separators=(",", ":"))

    def save(self, path: str | Path) -> None:
        """Write ``performance.json`` atomically, streaming the arrays in pieces."""
        write_json_stream(path, to_jsonable(self, array=lambda a: a))

    @classmethod
    def load(cls, path: str | Path) -> Performance:
        """Read a ``performance.json`` file (schema 2)."""
        return cls.from_dict(read_json(path), str(path))
