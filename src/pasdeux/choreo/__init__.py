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
from pasdeux.choreo._reads import (
    CutIn,
    FollowedStep,
    Misreading,
    follow_lead,
    improvise_song,
    misreadings,
)
from pasdeux.choreo._style import DancedMusic, count_music
from pasdeux.choreo._types import ROUTINE_SCHEMA, PlacedFigure, Routine

__all__ = [
    "FLOOR_SIDE_RANGE_M",
    "LEVEL_ORDER",
    "ROUTINE_SCHEMA",
    "SEED_MAX",
    "CutIn",
    "DancedMusic",
    "FollowedStep",
    "LeadMotion",
    "LeadNoise",
    "LedStep",
    "Misreading",
    "PlacedFigure",
    "PlanParams",
    "Routine",
    "check_options",
    "choreograph",
    "count_music",
    "follow_lead",
    "improvise",
    "improvise_song",
    "lead_frames",
    "lead_routine",
    "misreadings",
]
