"""The dance fit: how well each dance style suits a song, from its meter, its tempo (the
dance may count it at half or double time), the bar-length rhythm patterns of its bass,
drums and chords matched against each dance's patterns (``patterns.toml``: the tumbao and
the clave of a salsa, the surdo on 2 of a samba, the oom-pah-pah of a waltz...), and the
rhythmic character of its bars (a metrical profile of band-wise onsets read as swing,
syncopation, backbeat...)."""

from pasdeux.music.fit._params import FitParams
from pasdeux.music.fit._patterns import (
    PatternMatch,
    RhythmPattern,
    load_patterns,
    parse_patterns,
    pattern_match,
)
from pasdeux.music.fit._rank import rank_dances
from pasdeux.music.fit._rhythm import RhythmProfile, rhythm_profile

__all__ = [
    "FitParams",
    "PatternMatch",
    "RhythmPattern",
    "RhythmProfile",
    "load_patterns",
    "parse_patterns",
    "pattern_match",
    "rank_dances",
    "rhythm_profile",
]
