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
        this width (1.15: about 15 %; 0.94 at 5 % outside, 0.83 at 9 %, 0.28 at 25 %). The
        ranges are competition and typical social tempos; dancers dance the same dance
        10-15 % either side of them (a social Waltz at 26-34 bars a minute against the
        competition's 28-30, Salsa at 150-250 BPM against the typical 160-220), so music
        just outside a range is still that dance when its meter and rhythm say so, while
        a meter of 3 against a range in 2 or 4 rules the dance out.
    half_double_factor
        Counting the song at half or double time costs this factor of the score.
    two_as_four_factor
        A song read in 2 danced to a range in 4 (the bars regroup cleanly: much 2/4 music
        is written and danced in 4).
    four_as_two_factor
        A song read in 4 danced to a range in 2 (Samba, Paso Doble, Polka): the bars
        regroup cleanly; the listen stage reads 2 only from a bass alternating beat by
        beat, so a 4 is weak evidence against (2/4 music is often arranged and heard in 4).
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

    The tempo width, the pattern gain, the trait weight and the 4-as-2 factor were set
    together on the generated corpus's tuning half with each piece also ranked at its
    tempo times 0.85, 0.9, 0.95, 1.05, 1.1 and 1.15 (the profile is in beat phases, so it
    holds at any tempo): a dancer names the same dance from the same rhythm a little
    faster or slower. Top-1 over those seven tempos 0.88 (0.58 with the former 1.08,
    3.0, 0.1 and 0.85), top-3 1.00 (0.84); at the pieces' own tempos top-1 stays 1.00.
    """

    tempo_width_ratio: float = 1.15
    half_double_factor: float = 0.85
    two_as_four_factor: float = 0.95
    four_as_two_factor: float = 0.95
    pattern_gain: float = 6.0
    neutral_similarity: float = 0.35
    beat_shift_cost: float = 0.2
    band_weights_low_mid_high: tuple[float, float, float] = (1.5, 0.75, 1.0)
    neutral_fit: float = 0.6
    trait_weight: float = 0.2
