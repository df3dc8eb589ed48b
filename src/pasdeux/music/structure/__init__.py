"""The song's structure: sections (where the meter, the tempo or the texture changes, each
with its dances), phrases (from the arrival of the band and the bars' texture), accents
(hits, breaks, the final chord)."""

from pasdeux.music.structure._novelty import Texture, texture
from pasdeux.music.structure._sections import (
    final_chord,
    find_accents,
    find_phrases,
    find_sections,
)

__all__ = [
    "Texture",
    "final_chord",
    "find_accents",
    "find_phrases",
    "find_sections",
    "texture",
]
