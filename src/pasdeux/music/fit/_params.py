"""The dance fit's tunables: ``FitParams``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FitParams"]


@dataclass(frozen=True, kw_only=True)
class FitParams:
    """How the dances are ranked (``rank_dances(..., params=FitParams(...))``, or
    ``ListenParams.fit``; the defaults when None). Each was set on the tuning half of
    ``bench/music.py`` (generated ``_1`` pieces); change one only with both halves.

    Attributes
    ----------
    tempo_width_ratio
        Outside a dance's tempo range the tempo score falls as a Gaussian in log tempo of
        this width (1.08: about 8 %).
    half_double_factor
        Counting the song at half or double time costs this factor of the score.
    two_as_four_factor
        A song read in 2 danced to a range in 4 (the bars regroup cleanly: much 2/4 music
        is written and danced in 4).
    four_as_two_factor
        A song read in 4 danced to a range in 2 (Samba, Paso Doble): the bars regroup, but
        the listen stage reads 2 where the bass alternates beat by beat, so a 4 is evidence
        against.
    pattern_gain
        A rhythm pattern's similarity ``s`` multiplies the score by
        ``exp(pattern_gain (s - 1))``.
    neutral_similarity
        The similarity taken where no pattern can be read.
    beat_shift_cost
        A pattern matched a beat off the tracked downbeat loses this much similarity.
    band_weights_low_mid_high
        The bands' weights in a pattern's similarity: the bass counts most, the crowded mid
        band least.
    neutral_fit
        The rhythmic-character fit of a dance before its ``rhythm`` table's traits.
    trait_weight
        How much each trait of a dance's ``rhythm`` table moves its fit, at most.
    """

    tempo_width_ratio: float = 1.08
    half_double_factor: float = 0.85
    two_as_four_factor: float = 0.95
    four_as_two_factor: float = 0.85
    pattern_gain: float = 3.0
    neutral_similarity: float = 0.35
    beat_shift_cost: float = 0.2
    band_weights_low_mid_high: tuple[float, float, float] = (1.5, 0.75, 1.0)
    neutral_fit: float = 0.6
    trait_weight: float = 0.1
