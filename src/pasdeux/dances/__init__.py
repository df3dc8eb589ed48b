"""Know: the dance library (styles and figures, both roles), loaded from data files."""

from pasdeux.dances._load import (
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
    DanceStyle,
    Figure,
    Step,
    TempoRange,
)

__all__ = [
    "ACTIONS",
    "ALIGNMENTS",
    "ALIGNMENT_EIGHTHS",
    "DIRECTIONS",
    "HOLDS",
    "HOLD_CONNECTIONS",
    "LEVELS",
    "POSITIONS",
    "DanceStyle",
    "Figure",
    "Step",
    "TempoRange",
    "check_style",
    "find_style",
    "load_library",
    "load_style",
    "style_from_data",
    "successors",
]
