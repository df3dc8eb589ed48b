"""Choreograph: place a dance's figures on a song's bars and phrases."""

from pasdeux.choreo._improvise import (
    LeadMotion,
    LeadNoise,
    LedStep,
    improvise,
    lead_frames,
    lead_routine,
)
from pasdeux.choreo._plan import (
    FLOOR_SIDE_RANGE_M,
    LEVEL_ORDER,
    SEED_MAX,
    PlanParams,
    check_options,
    choreograph,
)
from pasdeux.choreo._style import DancedMusic, count_music
from pasdeux.choreo._types import ROUTINE_SCHEMA, PlacedFigure, Routine

__all__ = [
    "FLOOR_SIDE_RANGE_M",
    "LEVEL_ORDER",
    "ROUTINE_SCHEMA",
    "SEED_MAX",
    "DancedMusic",
    "LeadMotion",
    "LeadNoise",
    "LedStep",
    "PlacedFigure",
    "PlanParams",
    "Routine",
    "check_options",
    "choreograph",
    "count_music",
    "improvise",
    "lead_frames",
    "lead_routine",
]
