"""Choreograph: place a dance's figures on a song's bars and phrases."""

from pasdeux.choreo._plan import LEVEL_ORDER, check_options, choreograph
from pasdeux.choreo._types import ROUTINE_SCHEMA, PlacedFigure, Routine

__all__ = [
    "LEVEL_ORDER",
    "ROUTINE_SCHEMA",
    "PlacedFigure",
    "Routine",
    "check_options",
    "choreograph",
]
