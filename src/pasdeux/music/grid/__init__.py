"""The beat and bar grid: the beats (madmom's DBN, cleaned, at the level a dancer counts,
:func:`track_beats` and :func:`choose_level`), the bars and meter with its changes
(:func:`find_bars`), the dance tempo prior they lean on, summaries of the grid (main meter,
tempo curve), and the music counted again as a dance counts it (:func:`count_for`,
:func:`recount`)."""

from pasdeux.music.grid._meter import find_bars
from pasdeux.music.grid._pulse import choose_level, track_beats
from pasdeux.music.grid._recount import Counting, CountParams, count_for, recount
from pasdeux.music.grid._summary import main_meter, section_ibis, tempo_curve
from pasdeux.music.grid._tempo_prior import TempoPrior, default_prior

__all__ = [
    "CountParams",
    "Counting",
    "TempoPrior",
    "choose_level",
    "count_for",
    "default_prior",
    "find_bars",
    "main_meter",
    "recount",
    "section_ibis",
    "tempo_curve",
    "track_beats",
]
