"""Listen: an audio file → ``MusicMap`` (beats, bars, meter changes, sections, phrases, accents).

The main entry point is :func:`listen`; :func:`rank_dances` ranks the dance styles for a
meter and tempo, :func:`count_for` and :func:`recount` count a song as a dance counts it
(half or double time, another meter; their tunables are :class:`CountParams`),
:func:`load_audio` decodes a file (within the duration and sample-rate budgets of
:class:`AudioLimits`), and :class:`TempoMap` converts between seconds and beats.
:class:`ListenParams` holds the tunables of the beat and the bars that :func:`listen` is
given.

The package is four steps, each a subpackage whose ``__init__`` is its API:
``frontend`` (decoding, and every per-frame feature as the audio streams in), ``grid``
(beats, their level, bars and meter, the tempo prior, recounting), ``structure``
(sections, phrases, accents) and ``fit`` (the dance fit); ``_listen`` runs them in turn.
"""

from __future__ import annotations

from pasdeux.music._listen import listen
from pasdeux.music._params import ListenParams
from pasdeux.music._tempo import TempoMap
from pasdeux.music._types import (
    MUSIC_MAP_SCHEMA,
    Accent,
    Bar,
    DanceFit,
    EnergyCurve,
    MusicMap,
    Phrase,
    Section,
    TempoPoint,
)
from pasdeux.music.fit import FitParams, rank_dances
from pasdeux.music.frontend import AudioLimits, check_audio_file, load_audio
from pasdeux.music.grid import Counting, CountParams, count_for, recount

__all__ = [
    "MUSIC_MAP_SCHEMA",
    "Accent",
    "AudioLimits",
    "Bar",
    "CountParams",
    "Counting",
    "DanceFit",
    "EnergyCurve",
    "FitParams",
    "ListenParams",
    "MusicMap",
    "Phrase",
    "Section",
    "TempoMap",
    "TempoPoint",
    "check_audio_file",
    "count_for",
    "listen",
    "load_audio",
    "rank_dances",
    "recount",
]
