"""Typed values of the dance library: ``DanceStyle``, ``Figure``, ``Step``.

Conventions (see docs/design.md): a step's ``direction`` is in the dancer's own frame at
the moment of the step; ``size_m`` is how far the body travels; ``turn_eighths`` is the
body turn over the step in eighths of a full turn, positive = R = clockwise seen from
above; ``beat`` is the beat, counted from the figure's start (0.0), on which the step
lands (the weight arrives); the foot travels in the time before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ACTIONS",
    "ALIGNMENTS",
    "ALIGNMENT_EIGHTHS",
    "DIRECTIONS",
    "HOLDS",
    "HOLD_CONNECTIONS",
    "LEVELS",
    "POSITIONS",
    "Alignment",
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
    "embrace",  # slow-dance hold: Ldr hands at Flw's waist, Flw hands on Ldr's shoulders
    "left_to_right",  # Ldr L hand holds Flw R hand at waist height
    "left_to_right_raised",  # the same, raised above the Flw's head for a turn under the arm
    "right_to_right",  # handshake hold, Ldr R to Flw R, waist height
    "right_to_right_raised",
    "right_to_left",  # Ldr R hand holds Flw L hand, waist height
    "left_to_left",
    "double",  # both hands joined, Ldr L to Flw R and Ldr R to Flw L, at waist height
    "double_crossed",  # both hands joined with the arms crossed (R over L)
    "shadow",  # Ldr behind the Flw, his hands on her shoulder blades or holding hers
    "none",
]
HOLDS: tuple[str, ...] = Hold.__args__  # type: ignore[attr-defined]

HOLD_CONNECTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    # hold: ((leader's hand or part, follower's hand or part, height), ...)
    "closed": (
        ("L hand", "R hand", "her eye level"),
        ("R hand", "L shoulder blade", "her shoulder blade"),
        ("R upper arm", "L hand", "his shoulder"),
        # Her left arm rests along the line of his right one: her hand and forearm on his
        # upper arm, her elbow on his elbow, her upper arm along his forearm back to her
        # shoulder, where his hand is on her shoulder blade. The arms touch all along.
        ("R upper arm", "L upper arm", "his elbow"),
        ("R hand", "L upper arm", "his forearm"),
        # Her elbow on his elbow is where their forearms meet too (each forearm starts at
        # its elbow): the four bones of the two elbows touch there.
        ("R forearm", "L forearm", "his elbow"),
    ),
    "embrace": (
        ("L hand", "R waist", "waist"),
        ("R hand", "L waist", "waist"),
        ("L shoulder", "R hand", "his shoulder"),
        ("R shoulder", "L hand", "his shoulder"),
    ),
    "left_to_right": (("L hand", "R hand", "waist"),),
    "left_to_right_raised": (("L hand", "R hand", "above her head"),),
    "right_to_right": (("R hand", "R hand", "waist"),),
    "right_to_right_raised": (("R hand", "R hand", "above her head"),),
    "right_to_left": (("R hand", "L hand", "waist"),),
    "left_to_left": (("L hand", "L hand", "waist"),),
    "double": (("L hand", "R hand", "waist"), ("R hand", "L hand", "waist")),
    "double_crossed": (("R hand", "R hand", "waist, on top"), ("L hand", "L hand", "waist")),
    "shadow": (("L hand", "L hand", "shoulder"), ("R hand", "R shoulder blade", "shoulder")),
    "none": (),
}
"""Which hands (or body parts) each hold joins, and at what height."""

Position = Literal[
    "closed",  # facing, close, Flw slightly to Ldr's right
    "outside_partner",  # closed, the Ldr stepping outside the Flw on her right side (she is
    # a little further to his right than in closed position)
    "open_facing",  # facing at arm's length (the Latin "open position")
    "promenade",  # V shape opening to the Ldr's L / Flw's R, both moving the same way
    "counter_promenade",  # V shape opening to the Ldr's R / Flw's L
    "fan",  # Flw at the Ldr's left at arm's length, at right angles to him
    "side_by_side",  # both facing the same way, Flw on the Ldr's right
    "right_side",  # right side position: Flw at the Ldr's right, facing the same way
    "left_side",  # left side position: Flw at the Ldr's left, facing the same way
    "shadow",  # Flw in front of the Ldr, both facing the same way
    "apart",  # no hold, a step or more apart (a break, a solo spin)
    "dip",  # a dip or lean as the finishing pose
]
POSITIONS: tuple[str, ...] = Position.__args__  # type: ignore[attr-defined]

Alignment = Literal["LOD", "DW", "W", "DWA", "ALOD", "DCA", "C", "DC", "any"]
"""The way the leader faces, relative to the line of dance (LOD): DW = diagonal to wall,
W = wall, DWA = diagonal to wall against LOD, ALOD = against LOD, DCA, C = centre,
DC = diagonal to centre. "Backing LOD" is written ALOD (he faces against LOD). ``any``:
a spot figure danced at any alignment."""
ALIGNMENTS: tuple[str, ...] = Alignment.__args__  # type: ignore[attr-defined]
ALIGNMENT_EIGHTHS: dict[str, int] = {
    "LOD": 0, "DW": 1, "W": 2, "DWA": 3, "ALOD": 4, "DCA": 5, "C": 6, "DC": 7,
}  # fmt: skip
"""Clockwise eighths of a turn from facing LOD (the wall is on the leader's right)."""

ACTIONS: tuple[str, ...] = (
    "",
    "rise",  # commence or continue rise (Standard)
    "lower",  # lower at the end of the step
    "sway_left",
    "sway_right",
    "hip",  # Latin hip action (Cuban motion) as the weight arrives
    "heel_turn",
    "pivot",
    "spin",
    "check",  # a checked step: weight goes, the body stops the movement
    "kick",
    "flick",
    "point",
    "tap",
    "lunge",
    "dip",
    "bounce",  # Samba bounce
    "staccato",  # Tango: a sharp, cut-off step
    "hold",  # hold still in the pose (a dip held on the final chord)
    "hop",  # a hop: the foot that bears the weight springs off the floor and lands again
    # (the Polka's hop on the "a" before 1); the one step that takes the weight on the
    # same foot as the weight step before it
)
"""The vocabulary of a step's ``action`` (rise and fall, hip action, and similar)."""

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
    same meter whose start position matches this figure's end position);
    ``follow_conditions`` says, per id, when that follower is right (e.g. "at a corner").
    ``start_alignment`` and ``end_alignment`` are the leader's alignment for progressive
    dances (``any`` for spot figures).
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
    follow_conditions: dict[str, str] = field(default_factory=dict)
    start_alignment: Alignment = "any"
    end_alignment: Alignment = "any"
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
    """One dance: how it is timed and counted, how it travels, and its figures.

    ``rhythm`` describes the dance's music for the listening stage's dance fit (see
    ``pasdeux.music.fit``): feature name -> the value typical of the dance's music.
    ``pulse`` is how the body pulses with every step besides what the steps' actions
    declare: ``"springy"``, the knees give as each step takes the weight and straighten
    before the next (the Jive's and the swing's bounce); ``""``, not at all.
    """

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
    rhythm: dict[str, float] = field(default_factory=dict)
    pulse: Literal["", "springy"] = ""

    @property
    def meters(self) -> tuple[int, ...]:
        """The meters this dance has figures and a tempo for."""
        return tuple(sorted({t.meter for t in self.tempos}))

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels this dance has figures at, from newcomer up."""
        present = {f.level for f in self.figures}
        return tuple(level for level in LEVELS if level in present)

    def figure(self, figure_id: str) -> Figure:
        """The figure with id ``figure_id``."""
        for fig in self.figures:
            if fig.id == figure_id:
                return fig
        raise KeyError(f"{self.name} has no figure {figure_id!r}")

    def figures_in_meter(self, meter: int) -> tuple[Figure, ...]:
        """The figures danced in ``meter`` beats per bar."""
        return tuple(f for f in self.figures if f.meter == meter)
