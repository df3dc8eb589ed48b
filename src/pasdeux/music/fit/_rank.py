"""Rank dance styles by how well a song's meter, tempo, rhythm patterns and rhythmic character
suit them."""

from __future__ import annotations

import math
from collections.abc import Iterable

from pasdeux.dances import DanceStyle, TempoRange
from pasdeux.music._types import DanceFit
from pasdeux.music.fit._params import FitParams
from pasdeux.music.fit._patterns import load_patterns, pattern_factor, pattern_match
from pasdeux.music.fit._rhythm import RhythmProfile, describe, rhythm_features, rhythm_fit

__all__ = ["rank_dances", "tempo_score"]


def tempo_score(bpm: float, bpm_min: float, bpm_max: float, width_ratio: float) -> float:
    """1.0 inside ``[bpm_min, bpm_max]``, a Gaussian in log tempo outside it.

    Parameters
    ----------
    bpm
        The tempo to score, in beats per minute.
    bpm_min, bpm_max
        The range, in beats per minute.
    width_ratio
        The Gaussian's width as a tempo ratio (``FitParams.tempo_width_ratio``).

    Returns
    -------
    float
        The score in [0, 1].
    """
    if bpm <= 0 or bpm_min <= 0 or bpm_max < bpm_min:
        return 0.0
    if bpm < bpm_min:
        d = math.log(bpm_min / bpm)
    elif bpm > bpm_max:
        d = math.log(bpm / bpm_max)
    else:
        return 1.0
    return math.exp(-0.5 * (d / math.log(width_ratio)) ** 2)


def rank_dances(
    meter: int,
    bpm: float,
    styles: Iterable[DanceStyle],
    features: RhythmProfile | None = None,
    params: FitParams | None = None,
) -> tuple[DanceFit, ...]:
    """Rank every dance style by how well it suits a song's meter, tempo and rhythm.

    For each tempo range of each style the song's tempo is tried as it is, and at double
    and half time (slightly penalised). The meter must match, except that a song in 4
    may be danced to a range in 2 and the reverse (beats counted the same); a song in 3
    never suits a range in 2 or 4. With ``features``, each reading is also scored, at the
    dance's beat and bar, by how well the song's bar-length rhythm patterns (bass, drums,
    chords) match the dance's best pattern (:func:`pasdeux.music.fit.pattern_match`,
    ``patterns.toml``) and how well its rhythmic character suits the style's ``rhythm``
    table (:func:`pasdeux.music.fit._rhythm.rhythm_fit`): the score is the tempo score
    times both factors.

    Parameters
    ----------
    meter
        Beats per bar of the song (or section).
    bpm
        Its tempo in beats per minute.
    styles
        The dance styles to rank (e.g. :func:`pasdeux.dances.load_library`).
    features
        The song's (or section's) rhythm profile (:func:`pasdeux.music.fit._rhythm.rhythm_profile`);
        None ranks by tempo and meter alone.
    params
        The fit's tunables (:class:`FitParams`; the defaults when None).

    Returns
    -------
    tuple of DanceFit
        One per style, best first (ties by name); each score is in [0, 1] and each reason
        says why, e.g. ``"87 BPM in 3/4 (29 MPM) is inside Waltz's 3/4 range 84-90 BPM"``,
        followed with features by the pattern matched and its similarity, e.g.
        ``"; pattern: oom-pah-pah (bass on 1, chords on 2 and 3) (0.81)"``, and by what
        was heard, e.g. ``"; rhythm: swung eighths"``.
    """
    read: dict[tuple[float, int], dict[str, float]] = {}  # features per (factor, meter)
    p = params or FitParams()
    fits = [_fit_style(meter, bpm, style, features, read, p) for style in styles]
    # Equal scores (both ranges hold the tempo): the narrower range first, as the more
    # telling (87 BPM in 3/4 is inside the Waltz's 84-90 and the Slow Dance's 78-102).
    fits.sort(key=lambda f: (-f[0].score, f[1], f[0].name))
    return tuple(fit for fit, _ in fits)


def _fit_style(
    meter: int,
    bpm: float,
    style: DanceStyle,
    features: RhythmProfile | None,
    read: dict[tuple[float, int], dict[str, float]],
    p: FitParams,
) -> tuple[DanceFit, float]:
    """The style's fit and the log width of the tempo range it was fitted to."""
    best: tuple[float, str, float] | None = None
    for rng in style.tempos:
        meter_factor = _meter_factor(meter, rng.meter, p)
        if meter_factor == 0.0:
            continue
        for factor, label, penalty in ((1.0, "", 1.0), (0.5, "half time", p.half_double_factor),
                                       (2.0, "double time", p.half_double_factor)):  # fmt: skip
            counted = bpm * factor
            fit_tempo = tempo_score(counted, rng.bpm_min, rng.bpm_max, p.tempo_width_ratio)
            score = fit_tempo * penalty * meter_factor
            reason = _reason(meter, bpm, counted, label, style.name, rng)
            if features is not None and score > 0.0:
                key = (factor, rng.meter)
                if key not in read:
                    read[key] = rhythm_features(features, factor, rng.meter)
                measured = read[key]
                fit, matches = rhythm_fit(measured, style.rhythm, features.cycles, p)
                score *= fit
                heard = describe(matches)
                match = pattern_match(
                    features, factor, rng.meter, load_patterns().get(style.id, ()), p
                )
                score *= pattern_factor(None if match is None else match.similarity, p)
                if match is not None:
                    reason += f"; pattern: {match.words()} ({match.similarity:.2f})"
                if heard:
                    reason += f"; rhythm: {heard}"
            if best is None or score > best[0] + 1e-12:
                best = (score, reason, math.log(rng.bpm_max / rng.bpm_min))
    if best is None:
        meters = sorted({r.meter for r in style.tempos})
        if not meters:
            reason = f"{style.name} has no tempo range"
        else:
            danced = " or ".join(f"{m}/4" for m in meters)
            reason = f"{style.name} is danced in {danced}; the music is in {meter}/4"
        return DanceFit(name=style.name, score=0.0, reason=reason), math.inf
    score, reason, width = best
    clipped = round(min(1.0, max(0.0, score)), 4)
    return DanceFit(name=style.name, score=clipped, reason=reason), width


def _meter_factor(song_meter: int, range_meter: int, p: FitParams) -> float:
    if song_meter == range_meter:
        return 1.0
    if (song_meter, range_meter) == (2, 4):
        return p.two_as_four_factor
    if (song_meter, range_meter) == (4, 2):
        return p.four_as_two_factor
    return 0.0


def _reason(meter: int, bpm: float, counted: float, label: str, name: str, rng: TempoRange) -> str:
    where = f"{name}'s {rng.meter}/4 range {rng.bpm_min:.0f}-{rng.bpm_max:.0f} BPM"
    if counted < rng.bpm_min:
        pct = 100.0 * (rng.bpm_min / counted - 1.0)
        relation = f"is {pct:.0f}% slower than {where}"
    elif counted > rng.bpm_max:
        pct = 100.0 * (counted / rng.bpm_max - 1.0)
        relation = f"is {pct:.0f}% faster than {where}"
    else:
        relation = f"is inside {where}"
    if label:
        return (
            f"{label}: {bpm:.0f} BPM in {meter}/4 counted as {counted:.0f} BPM "
            f"({counted / meter:.0f} MPM) {relation}"
        )
    return f"{bpm:.0f} BPM in {meter}/4 ({bpm / meter:.0f} MPM) {relation}"
