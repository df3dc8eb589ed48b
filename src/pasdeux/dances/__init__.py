"""Know: the dance library (styles and figures, both roles), loaded from data files.

Where the couple is on the floor after each step is the public module
:mod:`pasdeux.dances.geometry`, the one model shared by the library checks, the planner,
the motion stage and the charts.
"""

from pasdeux.dances._load import (
    RHYTHM_FEATURES,
    check_style,
    find_style,
    load_library,
    load_style,
    style_from_data,
    successors,
)
from pasdeux.dances._model import (
    ACTIONS,
    ALIGNMENT_EIGHTHS,
    ALIGNMENTS,
    DIRECTIONS,
    HOLD_CONNECTIONS,
    HOLDS,
    LEVELS,
    POSITIONS,
    Alignment,
    DanceStyle,
    Figure,
    Foot,
    Hold,
    Level,
    Position,
    Step,
    TempoRange,
)
from pasdeux.dances._words import describe_step

__all__ = [
    "ACTIONS",
    "ALIGNMENTS",
    "ALIGNMENT_EIGHTHS",
    "DIRECTIONS",
    "HOLDS",
    "HOLD_CONNECTIONS",
    "LEVELS",
    "POSITIONS",
    "RHYTHM_FEATURES",
    "Alignment",
    "DanceStyle",
    "Figure",
    "Foot",
    "Hold",
    "Level",
    "Position",
    "Step",
    "TempoRange",
    "check_style",
    "describe_step",
    "find_style",
    "load_library",
    "load_style",
    "style_from_data",
    "successors",
]
