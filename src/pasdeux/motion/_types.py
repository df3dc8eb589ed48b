"""The typed result of performing: ``Performance``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pasdeux._json import check_schema, read_json
from pasdeux._serial import from_jsonable, to_jsonable
from pasdeux.motion._skeleton import Skeleton, positions_from_rotations

__all__ = ["PERFORMANCE_SCHEMA", "DancerMotion", "Performance", "StepEvent"]

PERFORMANCE_SCHEMA = 1


@dataclass(frozen=True, eq=False)
class DancerMotion:
    """One dancer's motion: root positions (n_frames, 3) in metres and local joint
    rotations (n_frames, n_joints, 4) as quaternions ``(x, y, z, w)``."""

    role: str
    height_m: float
    skeleton: Skeleton
    root_positions_m: NDArray[np.float64]
    rotations: NDArray[np.float64]

    def __post_init__(self) -> None:
        n_joints = len(self.skeleton.joints)
        if self.root_positions_m.ndim != 2 or self.root_positions_m.shape[1] != 3:
            raise ValueError("root_positions_m must have shape (n_frames, 3)")
        if self.rotations.shape != (self.root_positions_m.shape[0], n_joints, 4):
            raise ValueError(f"rotations must have shape (n_frames, {n_joints}, 4)")

    def joint_positions(self) -> NDArray[np.float64]:
        """World positions of every joint, shape (n_frames, n_joints, 3)."""
        return positions_from_rotations(self.skeleton, self.root_positions_m, self.rotations)


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
        """JSON-ready dict."""
        data: dict[str, Any] = to_jsonable(self)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str | None = None) -> Performance:
        """Inverse of :meth:`to_dict`."""
        check_schema(data, "performance", PERFORMANCE_SCHEMA, path)
        return from_jsonable(cls, data, "Performance")

    def to_json(self) -> str:
        """Serialise to a JSON string."""
        return json.dumps(self.to_dict(), allow_nan=False, separators=(",", ":"))

    @classmethod
    def load(cls, path: str | Path) -> Performance:
        """Read a ``performance.json`` file."""
        return cls.from_dict(read_json(path), str(path))
