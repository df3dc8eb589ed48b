"""Typed values of the dance library: ``DanceStyle``, ``Figure``, ``Step``.

Conventions (see docs/design.md): a step's ``direction`` is in the dancer's own frame at
the moment of the step; ``size_m`` is how far the body travels; ``turn_eighths`` is the
body turn over the step in eighths of a full turn, positive = R = clockwise seen from
above; ``beat`` is the beat, counted from the figure's start (0.0), on which the step
lands (the weight arrives); the foot travels in the time before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DIRECTIONS",
    "HOLDS",
    "LEVELS",
    "POSITIONS",
    "DanceStyle",
    "Direction",
    "Figure",
    "Foot",
    "Hold",
    "Level",
    "Position",
    "Step",
    "TempoRange",
]

Foot = Literal["L", "R"]
Direction = Literal[
    "forward",
    "back",
    "left",
    "right",
    "diag_forward_left",
    "diag_forward_right",
    "diag_back_left",
    "diag_back_right",
    "close",
    "replace",
    "in_place",
]
DIRECTIONS: tuple[str, ...] = Direction.__args__  # type: ignore[attr-defined]

Hold = Literal[
    "closed",  # Ldr R hand on Flw's back, Ldr L hand holds Flw R hand at eye height
    "left_to_right",  # Ldr L hand holds Flw R hand at waist height
    "left_to_right_raised",  # the same, raised above the Flw's head for a turn under the arm
    "double",  # both hands joined, Ldr L to Flw R and Ldr R to Flw L, at waist height
    "embrace",  # slow-dance hold: Ldr hands at Flw's waist, Flw hands on Ldr's shoulders
    "none",
]
HOLDS: tuple[str, ...] = Hold.__args__  # type: ignore[attr-defined]

Position = Literal[
    "closed",  # facing, close, Flw slightly to Ldr's right
    "open_facing",  # facing at arm's length
    "promenade",  # V shape, both facing the same way, Ldr L side / Flw R side open
    "side_by_side",
    "dip",
]
POSITIONS: tuple[str, ...] = Position.__args__  # type: ignore[attr-defined]

Level = Literal["newcomer", "bronze", "silver", "gold"]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Step:
    """One step (or tap, or hold) of one role."""

    beat: float
    duration_beats: float
    count: str
    foot: Foot
    direction: Direction
    size_m: float
    turn_eighths: float = 0.0
    weight: bool = True
    action: str = ""
    hold: Hold = "closed"
    position: Position = "closed"
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A named unit of a dance with both roles' steps.

    ``follows`` lists the ids of figures that may come next (``"*"`` = any figure of the
    same meter whose start position matches this figure's end position).
    """

    id: str
    name: str
    meter: int
    length_beats: float
    counts: str
    level: Level
    description: str
    start_position: Position
    end_position: Position
    leader: tuple[Step, ...]
    follower: tuple[Step, ...]
    follows: tuple[str, ...] = ("*",)
    ending: bool = False
    highlight: bool = False

    @property
    def bars(self) -> float:
        """Length in bars of the figure's meter."""
        return self.length_beats / self.meter


@dataclass(frozen=True)
class TempoRange:
    """The tempo a dance is danced at in one meter, in beats per minute."""

    meter: int
    bpm_min: float
    bpm_max: float

    @property
    def mpm_min(self) -> float:
        """Lower bound in bars (measures) per minute."""
        return self.bpm_min / self.meter

    @property
    def mpm_max(self) -> float:
        """Upper bound in bars (measures) per minute."""
        return self.bpm_max / self.meter


@dataclass(frozen=True)
class DanceStyle:
    """One dance: how it is timed and counted, how it travels, and its figures."""

    id: str
    name: str
    kind: Literal["standard", "latin", "social", "swing"]
    progressive: bool
    tempos: tuple[TempoRange, ...]
    counting: str
    character: str
    sources: tuple[str, ...]
    figures: tuple[Figure, ...]
    start_figures: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def meters(self) -> tuple[int, ...]:
        """The meters this dance has figures and a tempo for."""
        return tuple(sorted({t.meter for t in self.tempos}))

    def figure(self, figure_id: str) -> Figure:
        """The figure with id ``figure_id``."""
        for fig in self.figures:
            if fig.id == figure_id:
                return fig
        raise KeyError(f"{self.name} has no figure {figure_id!r}")

    def figures_in_meter(self, meter: int) -> tuple[Figure, ...]:
        """The figures danced in ``meter`` beats per bar."""
        return tuple(f for f in self.figures if f.meter == meter)
