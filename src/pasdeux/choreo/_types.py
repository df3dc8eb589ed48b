"""The typed result of choreographing: ``Routine``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pasdeux._json import check_schema, read_json
from pasdeux._serial import from_jsonable, to_jsonable
from pasdeux.dances import Figure
from pasdeux.dances.geometry import CouplePose
from pasdeux.music import TempoMap

__all__ = ["ROUTINE_SCHEMA", "PlacedFigure", "Routine"]

ROUTINE_SCHEMA = 2
"""Schema 2: each placed figure records the couple's whole pose where it begins."""


@dataclass(frozen=True)
class PlacedFigure:
    """One figure placed on the music.

    ``start_beat`` is musical time (beats from the first downbeat) of the figure's beat 0;
    ``bar`` is the 1-based number of the bar it starts in. ``start_pose`` is where the
    couple is when it begins (both partners' bodies, facings and feet, in floor
    coordinates): the motion stage dances the figure from there, and the figure danced
    from there ends at the next figure's ``start_pose``. ``centre_xy_m`` and
    ``leader_facing_rad`` (rounded) summarise it for the step sheet.
    """

    dance: str
    figure: Figure
    start_beat: float
    start_s: float
    end_s: float
    bar: int
    centre_xy_m: tuple[float, float]
    leader_facing_rad: float
    why: str
    start_pose: CouplePose


@dataclass(frozen=True)
class Routine:
    """The figures placed on a song, in order, with the song's beat grid."""

    source: str
    level: str
    seed: int
    floor_m: tuple[float, float]
    beats: tuple[float, ...]
    first_downbeat_index: int
    figures: tuple[PlacedFigure, ...]
    schema: int = ROUTINE_SCHEMA
    kind: str = field(default="routine")

    @property
    def tempo_map(self) -> TempoMap:
        """The song's seconds<->beats converter."""
        return TempoMap.from_beats(self.beats, self.first_downbeat_index)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        data: dict[str, Any] = to_jsonable(self)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str | None = None) -> Routine:
        """Inverse of :meth:`to_dict`."""
        check_schema(data, "routine", ROUTINE_SCHEMA, path)
        return from_jsonable(cls, data, "Routine")

    def to_json(self) -> str:
        """Serialise to a JSON string."""
        return json.dumps(self.to_dict(), allow_nan=False)

    @classmethod
    def load(cls, path: str | Path) -> Routine:
        """Read a ``routine.json`` file."""
        return cls.from_dict(read_json(path), str(path))
