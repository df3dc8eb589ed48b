"""Rhythmic character of a song, for the dance fit: what a dancer or a DJ hears in the groove.

The audio is reduced, as it streams in (:class:`pasdeux.music.frontend.RhythmStream`), to
three onset envelopes at 200 frames a second (band-wise spectral flux: ``low`` below
200 Hz for the kick and the bass, ``mid`` 200 Hz-4 kHz for snare, chords and comping,
``high`` above 4 kHz for hats, shakers, güira and ride) and a mid-band loudness envelope.
Laid on the tracked beats and bars (:func:`rhythm_profile`), they give a metrical profile:
the mean onset strength at each of 48 phases of every beat of a two-bar cycle, averaged
over the song's bars.

A dance counts the music at its own beat, which may be the tracked beat, half of it or
twice it (:func:`pasdeux.music.fit.rank_dances` tries all three), so the profile is
folded to the dance's beat and bar before the features are read off it. The onset
strength at a position is the profile's maximum within one bin (1/24 of the dance's beat)
either side, above the bar's 20th percentile. Every feature is a number in [0, 1]:

``swing``
    Where the off-beat eighth falls: the onset strength at 2/3 of the beat over that at
    2/3 plus that at 1/2 (or at 3/4 when it is part of a run of sixteenths, whose "a"
    lies close to 2/3). Straight eighths read near 0, swung (triplet) eighths and a
    shuffle near 1. Bands above 200 Hz: ride, hats, comping.
``syncopation``
    How often an off-beat (an "&" or the "a" before the next beat) is struck and the
    following beat is not, in the bass and kick (the anticipated bass of the son and
    salsa tumbao on the "&" of 2, held over 3) and in the rest of the band (clave,
    montuno, conga): the sum of ``max(0, off-beat - next beat)`` over the summed strength
    of beats and off-beats. A walking bass, a four-on-the-floor kick or even eighths read 0.
``evenness``
    The weakest beat of the bar over the strongest (all bands): a march or merengue, every
    beat struck alike, near 1; an oom-pah-pah or a lone downbeat lower.
``downbeat``
    The first beat over the first and the mean of the others (all bands): 0.5 when alike,
    above when the bar's 1 is marked (the "oom" of a waltz's oom-pah-pah). A bar of three
    counted at double time is a tracked beat and a half long, so every other dance bar
    starts on a tracked off-beat (tracked beat 2.5): the downbeat is then read apart in the
    bars that start on a tracked beat and in those that start between two, and the weaker
    counts, so that the double-time reading has a downbeat only where the off-beat that
    would be its 1 is struck (the bass of a Viennese Waltz's second bar heard at half
    tempo), not one lent by the tracked downbeat in the other bars.
``backbeat``
    The even beats' share (2 and 4; 2 of a 2/4 bar) of the beats' strength, in the bass
    band or in the rest of the band, whichever is larger: 0.5 even, above 0.5 a backbeat
    (the snare of rock'n'roll and swing on 2 and 4, the samba surdo on 2), below 0.5
    accents on 1 and 3.
``accent4``
    The fourth beat over the second and fourth (all bands): 0.5 when they are alike,
    above when the last beat of the bar is marked, as the bachata's tap on 4 and 8.
``and4``
    The "&" of 4 over the mean "&" of the bar's other beats (all bands): 0.5 when alike,
    near 1 when the bar's last off-beat is struck and the others are not, as the güiro's
    "cha-cha-chá" on 4 & 1 that gives the Cha Cha its name.
``afterbeat``
    The off-beat "&"s' share of the strokes on the beats and the "&"s, in the bands above
    the bass: the "pah" of an oom-pah (a polka's chords and snare on the off-beats, the
    bass on the beats) near 1, a march or a backbeat struck on the beats low.
``density16``
    The sixteenth-note layer in the high band: the strength on the "e" and "a" of the beat
    over that on the beat and the "&" (samba ganzá, bachata and merengue güira near 1;
    plain eighth-note hats near 0).
``staccato``
    How fast the sound dies after it is struck: the mid-band loudness drop (dB) from the
    beat's attack to the rest of the beat, as a fraction of 20 dB. Clipped chords and
    marcato accents (Tango, Paso Doble) read high, sustained strings and pads low. It is
    read at the tracked beat whatever the dance's beat: how the sound dies is the sound's,
    not the count's (read at a double-time beat, half as long, the same chords would seem
    more sustained, and a waltz would suit the Viennese Waltz better than the Waltz).

A dance's ``rhythm`` table (in its data file) names a few of these traits, as a bound
(``swing_min = 0.5``: the dance's music swings; ``swing_max = 0.5``: it does not) or a
typical value, and :func:`rhythm_fit` scores a song's features against it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pasdeux.dances import RHYTHM_FEATURES
from pasdeux.music.fit._params import FitParams
from pasdeux.music.frontend import BandEnvelopes

__all__ = [
    "FEATURE_WORDS",
    "RHYTHM_FEATURES",
    "SCALE",
    "RhythmProfile",
    "TraitMatch",
    "describe",
    "rhythm_features",
    "rhythm_fit",
    "rhythm_profile",
    "trait_match",
]

#: The flux of a frame peaks this long before the onset it reports (the window reaches it
#: early); frame times are shifted by it.
_FLUX_LEAD_S = 0.0075
#: Phase bins per tracked beat; the dance's beat is read at _DANCE_BINS bins.
_BINS = 48
_DANCE_BINS = 24
#: Fewer complete two-bar cycles than this and the profile is not trusted at all.
_MIN_CYCLES = 2
#: A loudness drop of this many dB after the attack reads as fully staccato.
_STACCATO_DB = 20.0

#: How sharply each feature tells a trait from its absence: the scale (in feature units) of
#: the logistic step at a dance's bound, and the width of the Gaussian round a typical value.
SCALE: dict[str, float] = {
    "swing": 0.08,
    "syncopation": 0.04,
    "evenness": 0.06,
    "downbeat": 0.03,
    "backbeat": 0.03,
    "accent4": 0.03,
    "and4": 0.05,
    "afterbeat": 0.06,
    "density16": 0.08,
    "staccato": 0.06,
}

#: A trait counts as heard (in the reason) from this match up, and as missed below 1 - this.
_MET = 0.6
#: Two-bar cycles from which the features are fully trusted.
_TRUSTED_CYCLES = 8

#: What a high and a low value of each feature sounds like, for the dance fit's reason.
FEATURE_WORDS: dict[str, tuple[str, str]] = {
    "swing": ("swung eighths", "straight eighths"),
    "syncopation": ("syncopated, clave-like off-beats", "little syncopation"),
    "evenness": ("every beat struck alike", "strong and weak beats"),
    "downbeat": ("a marked downbeat", "no accent on 1"),
    "backbeat": ("a backbeat on 2 and 4", "accents on 1 and 3"),
    "accent4": ("an accent on 4", "no accent on 4"),
    "and4": ("the cha-cha-cha on 4 & 1", "no stroke on the & of 4"),
    "afterbeat": ("the oom-pah's off-beat chords", "the beats struck, not the off-beats"),
    "density16": ("a sixteenth-note layer", "no sixteenth-note layer"),
    "staccato": ("staccato accents", "sustained, legato sound"),
}


@dataclass(frozen=True)
class RhythmProfile:
    """The song's metrical profile: mean onset strength per phase of a two-bar cycle.

    ``flux`` has shape ``(3, 2 * meter * bins)`` (low, mid, high); ``loudness_db`` has
    shape ``(2 * meter * bins,)``. ``cycles`` is how many two-bar cycles were averaged.
    """

    meter: int
    bins: int
    cycles: int
    flux: NDArray[np.float64]
    loudness_db: NDArray[np.float64]


def rhythm_profile(
    env: BandEnvelopes,
    beats: NDArray[np.float64] | tuple[float, ...],
    beat_in_bar: NDArray[np.int64] | tuple[int, ...],
    meter: int,
    start: float = 0.0,
    end: float = math.inf,
) -> RhythmProfile | None:
    """Average the envelopes over the song's two-bar cycles in ``meter``.

    Parameters
    ----------
    env
        The song's envelopes (:class:`pasdeux.music.frontend.RhythmStream`).
    beats, beat_in_bar
        Tracked beat times (s) and each beat's position in its bar (1 = downbeat).
    meter
        Only bars of this many beats are used (the main meter, or a section's).
    start, end
        Only cycles lying within ``[start, end]`` seconds are used (a section).

    Returns
    -------
    RhythmProfile or None
        None when fewer than two complete two-bar cycles are found.
    """
    t = np.asarray(beats, dtype=float)
    pos = np.asarray(beat_in_bar, dtype=int)
    span = 2 * meter
    n_frames = env.flux.shape[1]
    total = span * _BINS
    acc = np.zeros((3, total))
    loud = np.zeros(total)
    count = np.zeros(total)
    cycles = 0
    expected = np.tile(np.arange(1, meter + 1), 2)
    i = 0
    while i + span < t.size:
        if pos[i] != 1 or not np.array_equal(pos[i : i + span], expected):
            i += 1
            continue
        if pos[i + span] != 1 or t[i] < start - 1e-6 or t[i + span] > end + 1e-6:
            i += 1
            continue
        first = max(0, math.ceil((t[i] - _FLUX_LEAD_S) * env.fps))
        last = min(n_frames, math.ceil((t[i + span] - _FLUX_LEAD_S) * env.fps))
        if last <= first:
            break
        frames = np.arange(first, last)
        times = frames / env.fps + _FLUX_LEAD_S
        phase = np.interp(times, t[i : i + span + 1], np.arange(span + 1))
        bins = np.clip((phase * _BINS).astype(int), 0, total - 1)
        for b in range(3):
            acc[b] += np.bincount(bins, weights=env.flux[b, frames], minlength=total)
        loud += np.bincount(bins, weights=env.loudness_db[frames], minlength=total)
        count += np.bincount(bins, minlength=total)
        cycles += 1
        i += span
    if cycles < _MIN_CYCLES:
        return None
    filled = count > 0
    if not filled.all():
        idx = np.arange(total)
        for b in range(3):
            acc[b] = np.interp(idx, idx[filled], acc[b, filled] / count[filled], period=total)
        loud = np.interp(idx, idx[filled], loud[filled] / count[filled], period=total)
    else:
        acc = acc / count
        loud = loud / count
    return RhythmProfile(meter=meter, bins=_BINS, cycles=cycles, flux=acc, loudness_db=loud)


def _dance_bars(
    profile: RhythmProfile, ratio: float, dance_meter: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]] | None:
    """The profile cut into the dance's bars, ``_DANCE_BINS`` bins a dance beat.

    ``ratio`` is the dance's beat rate over the tracked one (1, 2 or 0.5). Returns the flux
    ``(bars, 3, dance_meter, _DANCE_BINS)``, the loudness ``(bars, dance_meter,
    _DANCE_BINS)`` and, per bar, whether its downbeat falls on a tracked beat (a bar of
    three counted at double time is a tracked beat and a half long: every other one starts
    on a tracked off-beat), or None when the two-bar cycle does not hold a whole number of
    the dance's bars.
    """
    span = 2 * profile.meter
    dance_beats = span * ratio
    if abs(dance_beats - round(dance_beats)) > 1e-9:
        return None
    n_beats = round(dance_beats)
    if n_beats < dance_meter or n_beats % dance_meter:
        return None
    per_beat = profile.bins * span / n_beats  # tracked bins per dance beat
    group = per_beat / _DANCE_BINS
    if abs(group - round(group)) > 1e-9 or round(group) < 1:
        return None
    g = round(group)
    n_bars = n_beats // dance_meter

    def cut(x: NDArray[np.float64]) -> NDArray[np.float64]:
        coarse = x.reshape(-1, g).mean(axis=1)
        return np.asarray(coarse.reshape(n_bars, dance_meter, _DANCE_BINS))

    flux = np.stack([cut(profile.flux[b]) for b in range(3)], axis=1)
    starts = np.arange(n_bars) * dance_meter / ratio  # in tracked beats
    on_beat = np.abs(starts - np.round(starts)) < 1e-9
    return flux, cut(profile.loudness_db), on_beat


def _dance_grid(
    profile: RhythmProfile, ratio: float, dance_meter: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """The profile refolded to one bar of the dance, ``_DANCE_BINS`` bins a dance beat:
    the flux ``(3, dance_meter, _DANCE_BINS)`` and loudness ``(dance_meter, _DANCE_BINS)``
    averaged over the dance's bars (:func:`_dance_bars`), or None."""
    bars = _dance_bars(profile, ratio, dance_meter)
    if bars is None:
        return None
    flux, loud, _ = bars
    return np.asarray(flux.mean(axis=0)), np.asarray(loud.mean(axis=0))


def _downbeat(profile: RhythmProfile, ratio: float, dance_meter: int) -> float | None:
    """The ``downbeat`` feature: the first beat's onset strength over the first's and the
    mean of the other beats' (all bands).

    Where every dance bar starts on a tracked beat (any reading but a bar of three at
    double time) it is read on the folded bar. Otherwise it is read apart on the dance's
    bars that start on a tracked beat and on those that start between two, and the weaker
    counts: a dance's 1 must be heard in every one of its bars. The strokes' peaks (±1
    bin) are then taken round the whole cycle, since a bar that starts on an off-beat is
    followed by one that starts on a beat, not by itself."""
    bars = _dance_bars(profile, ratio, dance_meter)
    if bars is None:
        return None
    flux, _, on_beat = bars
    if on_beat.all():
        folded = flux.mean(axis=0)
        groups = [np.stack([_strengths(folded[b]) for b in range(3)])]
    else:
        cycle = np.moveaxis(flux, 0, 1).reshape(3, -1)  # (band, bars * beats * bins)
        peak = np.maximum(np.maximum(np.roll(cycle, 1, 1), cycle), np.roll(cycle, -1, 1))
        peaks = np.moveaxis(peak.reshape(3, flux.shape[0], *flux.shape[2:]), 1, 0)
        groups = []
        for where in (on_beat, ~on_beat):
            raw = flux[where].mean(axis=0).reshape(3, -1)
            floor = np.percentile(raw, 20, axis=1).reshape(3, 1, 1)
            groups.append(np.maximum(peaks[where].mean(axis=0) - floor, 0.0))
    values = []
    for s in groups:
        on = s.sum(axis=0)[:, 0]
        if on.sum() > 1e-9:
            values.append(float(on[0] / (on[0] + on[1:].mean())))
    return min(values) if values else None


def _strengths(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Onset strength per bin of one band's bar ``(beats, bins)``: the max over ±1 bin
    (across beat boundaries, cyclic over the bar) above the bar's 20th percentile."""
    flat = x.reshape(-1)
    peak = np.maximum(np.maximum(np.roll(flat, 1), flat), np.roll(flat, -1))
    floor = float(np.percentile(flat, 20))
    return np.maximum(peak - floor, 0.0).reshape(x.shape)


def _syncopation(s: NDArray[np.float64]) -> float | None:
    """Share of one band's beat and off-beat strength that is an off-beat not followed by
    its next beat; ``s`` is ``(beats, bins)``."""
    q = _DANCE_BINS // 4
    meter = s.shape[0]
    num = 0.0
    den = 0.0
    for j in range(meter):
        off = max(s[j, 2 * q], s[j, 3 * q])
        num += max(0.0, off - s[(j + 1) % meter, 0])
        den += s[j, 0] + off
    return float(num / den) if den > 1e-9 else None


def rhythm_features(
    profile: RhythmProfile, ratio: float = 1.0, dance_meter: int | None = None
) -> dict[str, float]:
    """The features (see the module docstring) at a dance's beat and bar.

    Parameters
    ----------
    profile
        The song's profile (:func:`rhythm_profile`).
    ratio
        The dance's beat rate over the tracked beat rate: 1, 2 (double time) or 0.5.
    dance_meter
        Beats in the dance's bar; by default the profile's meter.

    Returns
    -------
    dict of str to float
        Feature name to value in [0, 1]; empty when the profile cannot be read at this
        beat and bar (two bars of 3 hold no whole bar of 4); a feature is missing when it
        does not apply (``accent4`` and ``and4`` outside a bar of 4, ``backbeat`` in 3) or
        when nothing was struck where it looks.
    """
    meter = profile.meter if dance_meter is None else dance_meter
    grid = _dance_grid(profile, ratio, meter)
    if grid is None:
        return {}
    flux, loud = grid
    q = _DANCE_BINS // 4  # bins in a sixteenth
    s = np.stack([_strengths(flux[b]) for b in range(3)])  # (band, beat, bin)
    out: dict[str, float] = {}

    upper = s[1] + s[2]  # everything but the bass: where swing and the backbeat are heard
    # a stroke at 3/4 of the beat competes with the swung 2/3 only as part of a sixteenth run
    sixteenth_run = np.minimum(upper[:, q], upper[:, 3 * q])
    straight = float(np.maximum(upper[:, 2 * q], sixteenth_run).sum())
    swung = float(upper[:, _DANCE_BINS * 2 // 3].sum())
    if straight + swung > 1e-9:
        out["swing"] = swung / (straight + swung)

    sync = [v for v in (_syncopation(s[0]), _syncopation(s[1])) if v is not None]
    if sync:
        out["syncopation"] = max(sync)

    total = s.sum(axis=0)  # all bands
    on_beat = total[:, 0]
    if on_beat.max() > 1e-9:
        out["evenness"] = float(on_beat.min() / on_beat.max())
    downbeat = _downbeat(profile, ratio, meter)
    if downbeat is not None:
        out["downbeat"] = downbeat
    if meter in (2, 4):
        shares = [
            float(layer[1::2, 0].sum() / layer[:, 0].sum())
            for layer in (s[0], upper)
            if layer[:, 0].sum() > 1e-9
        ]
        if shares:
            out["backbeat"] = max(shares)
    if meter == 4 and on_beat[1] + on_beat[3] > 1e-9:
        out["accent4"] = float(on_beat[3] / (on_beat[1] + on_beat[3]))
    if meter == 4:
        ands = total[:, 2 * q]
        others = float(ands[:3].mean())
        if ands[3] + others > 1e-9:
            out["and4"] = float(ands[3] / (ands[3] + others))

    beats_and = float(upper[:, 0].sum() + upper[:, 2 * q].sum())
    if beats_and > 1e-9:
        out["afterbeat"] = float(upper[:, 2 * q].sum()) / beats_and

    high = s[2]
    main = float(high[:, 0].sum() + high[:, 2 * q].sum())
    sixteenths = float(high[:, q].sum() + high[:, 3 * q].sum())
    if main > 1e-9:
        out["density16"] = min(1.0, sixteenths / main)

    # the sound's articulation, at the tracked beat (see ``staccato`` in the module docstring)
    heard = _dance_grid(profile, 1.0, profile.meter)
    beat_loud = (heard[1] if heard is not None else loud).mean(axis=0)
    attack = float(beat_loud[: q + 1].max())
    rest = float(np.median(beat_loud[q + 1 :]))
    out["staccato"] = min(1.0, max(0.0, (attack - rest) / _STACCATO_DB))
    return {k: round(v, 4) for k, v in out.items()}


@dataclass(frozen=True)
class TraitMatch:
    """One key of a dance's rhythm table against the song: the feature, the bound
    (``"min"``, ``"max"`` or ``""`` for a typical value), the measured value, and how well it
    matches, from 0 (clearly missed) through 0.5 (on the bound) to 1 (clearly met)."""

    feature: str
    bound: str
    value: float
    match: float

    @property
    def evidence(self) -> bool:
        """A ``_max`` key only rules out; the other keys name a trait the music must show."""
        return self.bound != "max"

    def words(self) -> str:
        """What the song has, in a dancer's words (e.g. ``"swung eighths"``): the trait the
        key names when it is met, its opposite when it is missed."""
        high, low = FEATURE_WORDS[self.feature]
        wants_high = self.bound == "min" or (self.bound == "" and self.value >= 0.5)
        return high if wants_high == (self.match >= 0.5) else low


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def trait_match(feature: str, bound: str, target: float, value: float) -> float:
    """How well ``value`` meets one rhythm key: a logistic step of width :data:`SCALE` at a
    ``min`` or ``max`` bound (0.5 on the bound), a Gaussian round a typical value."""
    scale = SCALE[feature]
    if bound == "min":
        return _logistic((value - target) / scale)
    if bound == "max":
        return _logistic((target - value) / scale)
    return math.exp(-0.5 * ((value - target) / (2.0 * scale)) ** 2)


def rhythm_fit(
    features: Mapping[str, float],
    targets: Mapping[str, float],
    cycles: int = _TRUSTED_CYCLES,
    params: FitParams | None = None,
) -> tuple[float, tuple[TraitMatch, ...]]:
    """How well a song's measured features suit a dance's rhythm table.

    The fit starts at ``FitParams.neutral_fit`` and each key of the table multiplies it: a trait the
    dance's music has (a ``_min`` bound or a typical value) by ``1 + w (2 m - 1)``, from
    ``1 - w`` when the song clearly lacks it to ``1 + w`` when it clearly shows it; a
    ``_max`` bound (what the dance's music avoids) by ``1 - w (1 - m)``, so that keeping it
    is no evidence but breaking it counts against; ``w`` is ``FitParams.trait_weight`` and ``m``
    the key's match (:func:`trait_match`). A dance whose distinctive rhythm is heard so
    beats one that names none, and one whose rhythm is contradicted loses to both. The fit
    is capped at 1.

    Parameters
    ----------
    features
        Measured values (:func:`rhythm_features`).
    targets
        The dance's ``rhythm`` table: ``feature``, ``feature_min`` or ``feature_max`` keys.
    cycles
        Two-bar cycles the features were averaged over: fewer than 8 weaken every key.
    params
        The neutral fit and the traits' weight (:class:`FitParams`).

    Returns
    -------
    tuple
        The fit in (0, 1], and one :class:`TraitMatch` per key whose feature was measured.
    """
    p = params or FitParams()
    w = p.trait_weight * min(1.0, cycles / _TRUSTED_CYCLES)
    fit = p.neutral_fit
    matches: list[TraitMatch] = []
    for key, target in sorted(targets.items()):
        name, bound = key, ""
        if key.endswith(("_min", "_max")):
            name, bound = key[:-4], key[-3:]
        if name not in features:
            continue
        m = trait_match(name, bound, target, features[name])
        fit *= 1.0 - w * (1.0 - m) if bound == "max" else 1.0 + w * (2.0 * m - 1.0)
        matches.append(TraitMatch(name, bound, features[name], m))
    return min(1.0, fit), tuple(matches)


def describe(matches: tuple[TraitMatch, ...]) -> str:
    """The rhythm part of a dance fit's reason, e.g. ``"swung eighths; but no backbeat"``.

    Met traits are listed first; then, after "but", what the song has that the dance's
    music does not (a broken bound, a missing trait). Empty when nothing was compared.
    """
    heard = [t.words() for t in matches if t.evidence and t.match >= _MET]
    kept = [t.words() for t in matches if not t.evidence and t.match >= _MET]
    missed = [t.words() for t in matches if t.match <= 1.0 - _MET]
    parts = []
    if heard or kept:
        parts.append(", ".join(dict.fromkeys(heard + kept)))
    if missed:
        parts.append("but " + ", ".join(dict.fromkeys(missed)))
    return "; ".join(parts)
