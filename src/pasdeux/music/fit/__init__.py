"""The dance fit: how well each dance style suits a song, from its meter, its tempo (the
dance may count it at half or double time) and the rhythmic character of its bars (a
metrical profile of band-wise onsets read as swing, syncopation, backbeat...)."""

from pasdeux.music.fit._rank import rank_dances
from pasdeux.music.fit._rhythm import RhythmProfile, rhythm_profile

__all__ = ["RhythmProfile", "rank_dances", "rhythm_profile"]
