"""Recognise a dance from its rhythm patterns, as a dancer does: bar-length patterns per band.

A dancer names a dance from a few bars: the tumbao bass that anticipates on the "&" of 2
and on 4 under a clave is a salsa, a surdo on 2 under sixteenths a samba, an oom-pah-pah
a waltz. Each dance's music is described by one or more such patterns in
``patterns.toml`` (next to this module): the strokes of one or two bars on a grid of
eighths, triplets or sixteenths, per frequency band (``low``: bass and kick, ``mid``:
chords, snare, clave, congas, ``high``: hats, shakers, güira), written from musical
knowledge and validated as they load (:func:`load_patterns`).

The song's side is its metrical profile (:class:`pasdeux.music.fit.RhythmProfile`: the
band-wise onset strength at 48 phases of each tracked beat over a two-bar cycle), refolded
to the dance's beat and bar (the dance may count the tracked beat at half or double time)
at 12 phases a dance beat; a stroke's strength is its peak within ±1 phase above the band's
20th percentile. It is read at the sixteenths and the triplets of every beat (phases 0, 3,
4, 6, 8 and 9: where a pattern can put a stroke), and each band is compared with the
pattern's strokes by Pearson correlation, i.e. after removing the mean and the scale, so
that a loud band does not outweigh a quiet one and only which slots are struck, and how
hard, counts. The pattern's similarity is the weighted mean of its bands' correlations
(``FitParams.band_weights_low_mid_high``: the bass counts most, the crowded mid band
least). A two-bar pattern is tried in both orders of its bars (a 3-2 clave is a 2-3 clave a
bar later), and the profile at every shift by a whole tracked bar (where the downbeat of a
dance counted in 4 falls when the song is tracked in 2); a shift by one beat, for a
downbeat tracked a beat off (a salsa's tumbao, which avoids the 1 and stresses the 4, pulls
the tracked downbeat there), costs ``FitParams.beat_shift_cost``, except for a pattern
marked ``pulls_downbeat``: music whose accents pull a listener's (and a tracker's) 1 a
beat off (the salsa's tumbao avoids the 1 and stresses the 4, the "ponche", which
listeners outside the style hear as the 1), so a beat's shift is no evidence against it.
A bar of three counted at double time is a tracked beat and a half long: of the two dance
bars the comparison holds, the second starts on a tracked off-beat (the "&" of tracked
beat 2), and a pattern heard in the first bar only (the tracked downbeat's) is no double
time. There each bar's share of the correlation (the means and scales taken over both
bars, so that a bar struck weakly against the other counts as weak; times two, so that it
equals the correlation when the bars are alike) is read, and the weaker bar's counts. A
dance's similarity is the best over its patterns and shifts (:func:`pattern_match`); it
multiplies the dance's score by :func:`pattern_factor`. Where no pattern can be compared,
the similarity is ``FitParams.neutral_similarity``.

What the published work gave this module:

* Dixon, Gouyon & Widmer (ISMIR 2004, "Towards characterisation of music via rhythmic
  patterns") characterise ballroom music by bar-length amplitude patterns laid on the bars
  (here: the onset profile on the tracked bars, per band), and find that the pattern alone
  names the dance of the Ballroom set's 698 pieces only half of the time, but with tempo
  and periodicity features 96 %: patterns are not unique to a dance, so here they weigh
  with the tempo and the meter, never alone (:func:`pasdeux.music.fit.rank_dances`).
* Gouyon, Dixon, Pampalk & Widmer (AES 2004) on the same Ballroom data set: the tempo
  alone names most dances; the dance's tempo range stays the first filter.
* Peeters (IEEE TASLP 2011, spectral and temporal rhythm patterns) compares patterns
  sampled in units of the beat, so that one template serves any tempo; the profile here is
  in beat phases for the same reason, and the comparison is per band, as his are per
  frequency band.
* Holzapfel & Stylianou (scale transform, 2009-2011) make rhythm similarity invariant to
  the tempo by a scale transform; the beat-phase profile is tempo-invariant by
  construction, and the octave (half or double time) is tried explicitly instead.

Nothing is learnt: the patterns are the musical knowledge; the constants that turn
similarities into a factor of the score (:class:`FitParams`: ``pattern_gain``,
``beat_shift_cost``, ``band_weights_low_mid_high``, ``neutral_similarity``) were set on the
tuning half of the generated corpus (``bench/music.py``), re-ranking cached profiles.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pasdeux.errors import SchemaError
from pasdeux.music.fit._params import FitParams
from pasdeux.music.fit._rhythm import RhythmProfile

__all__ = [
    "BANDS",
    "PATTERNS_FILE",
    "PatternMatch",
    "RhythmPattern",
    "load_patterns",
    "parse_patterns",
    "pattern_factor",
    "pattern_match",
]

#: The bands, in the profile's order.
BANDS = ("low", "mid", "high")
#: The data file shipped with the package.
PATTERNS_FILE = Path(__file__).with_name("patterns.toml")
#: Phases per dance beat at which patterns and profile are compared.
_PHASES = 12
_STEP_WEIGHT = {"X": 1.0, "x": 0.5, ".": 0.0}
_KEYS = {
    "dance",
    "name",
    "meter",
    "steps",
    "pulls_downbeat",
    *BANDS,
    *(f"{b}_says" for b in BANDS),
}


@dataclass(frozen=True)
class RhythmPattern:
    """One dance's pattern: per band, the stroke weights of ``bars`` bars at ``steps`` a beat
    (``None`` for a band the pattern leaves free), what each band's part is called, and
    whether the music pulls the heard downbeat a beat off (matching a beat off is free)."""

    dance: str
    name: str
    meter: int
    steps: int
    bars: int
    bands: tuple[NDArray[np.float64] | None, ...]
    says: tuple[str, ...]
    pulls_downbeat: bool = False


@dataclass(frozen=True)
class PatternMatch:
    """How well a song's profile matches a dance's best pattern: the pattern, its
    similarity (-1..1), the per-band correlations and whether it matched a beat off."""

    pattern: RhythmPattern
    similarity: float
    per_band: tuple[float | None, ...]
    shifted: bool

    def words(self, heard: float = 0.3) -> str:
        """The reason's part, e.g. ``"son clave 3-2 and tumbao (tumbao bass on the & of 2
        and 4, güiro and maracas in eighths)"``: the pattern, the band parts whose
        correlation reaches ``heard``, and whether it matched a beat off the downbeat."""
        parts = [
            say
            for say, r in zip(self.pattern.says, self.per_band, strict=True)
            if say and say != self.pattern.name and r is not None and r >= heard
        ]
        text = self.pattern.name + (f" ({', '.join(parts)})" if parts else "")
        return text + (", a beat off the tracked downbeat" if self.shifted else "")


def _fail(where: str, what: str) -> SchemaError:
    file, _, entry = where.partition(": ")
    return SchemaError(file, f"{entry}: {what}" if entry else what)


def _parse_band(text: Any, meter: int, steps: int, where: str) -> tuple[NDArray[np.float64], int]:
    if not isinstance(text, str):
        raise _fail(where, "a band must be a string of 'X', 'x' and '.'")
    cells = text.replace("|", "").replace(" ", "")
    bad = sorted(set(cells) - set(_STEP_WEIGHT))
    if bad:
        raise _fail(where, f"unknown step character(s) {''.join(bad)!r} (use X, x, .)")
    per_bar = meter * steps
    if len(cells) not in (per_bar, 2 * per_bar):
        raise _fail(where, f"{len(cells)} steps; one or two bars of {per_bar} are expected")
    weights = np.array([_STEP_WEIGHT[c] for c in cells], dtype=float)
    if not weights.any():
        raise _fail(where, "no stroke")
    return weights, len(cells) // per_bar


def _parse_one(entry: Any, where: str) -> RhythmPattern:
    if not isinstance(entry, dict):
        raise _fail(where, "each [[patterns]] entry must be a table")
    if isinstance(entry.get("dance"), str) and isinstance(entry.get("name"), str):
        where = f"{where} ({entry['dance']} '{entry['name']}')"
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(unknown)}")
    for key in ("dance", "name"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise _fail(where, f"'{key}' must be a non-empty string")
    meter, steps = entry.get("meter"), entry.get("steps")
    if not isinstance(meter, int) or meter not in (2, 3, 4):
        raise _fail(where, "'meter' must be 2, 3 or 4")
    if not isinstance(steps, int) or steps not in (2, 3, 4):
        raise _fail(where, "'steps' must be 2, 3 or 4")
    bands: list[NDArray[np.float64] | None] = []
    lengths = set()
    for band in BANDS:
        if band in entry:
            weights, bars = _parse_band(entry[band], meter, steps, f"{where} {band}")
            bands.append(weights)
            lengths.add(bars)
        else:
            bands.append(None)
    if not lengths:
        raise _fail(where, "no band (low, mid or high) given")
    if len(lengths) > 1:
        raise _fail(where, "its bands span different numbers of bars")
    says = []
    for band in BANDS:
        say = entry.get(f"{band}_says", "")
        if not isinstance(say, str):
            raise _fail(where, f"'{band}_says' must be a string")
        says.append(say)
    pulls = entry.get("pulls_downbeat", False)
    if not isinstance(pulls, bool):
        raise _fail(where, "'pulls_downbeat' must be true or false")
    return RhythmPattern(
        entry["dance"],
        entry["name"],
        meter,
        steps,
        lengths.pop(),
        tuple(bands),
        tuple(says),
        pulls,
    )


def parse_patterns(text: str, source: str) -> tuple[RhythmPattern, ...]:
    """Parse and validate a patterns file's text (see ``patterns.toml``).

    Parameters
    ----------
    text
        The TOML text.
    source
        The file's name, for the error messages.

    Returns
    -------
    tuple of RhythmPattern
        In the file's order.

    Raises
    ------
    SchemaError
        One line naming the file, the entry and what is wrong with it.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(source, f"not valid TOML ({exc})") from None
    entries = data.get("patterns")
    if not isinstance(entries, list) or not entries or set(data) != {"patterns"}:
        raise _fail(source, "expected only [[patterns]] entries")
    return tuple(_parse_one(e, f"{source}: pattern {i + 1}") for i, e in enumerate(entries))


@cache
def load_patterns(path: Path = PATTERNS_FILE) -> dict[str, tuple[RhythmPattern, ...]]:
    """The patterns of each dance (by dance id), read and validated once.

    Parameters
    ----------
    path
        The patterns file (default: the one shipped with the package).

    Returns
    -------
    dict of str to tuple of RhythmPattern
        Dance id to its patterns.
    """
    patterns = parse_patterns(path.read_text(encoding="utf-8"), path.name)
    out: dict[str, list[RhythmPattern]] = {}
    for p in patterns:
        out.setdefault(p.dance, []).append(p)
    return {k: tuple(v) for k, v in out.items()}


#: The phases (of ``_PHASES``) at which strokes are compared: sixteenths and triplets.
_GRID = (0, 3, 4, 6, 8, 9)


def _template(
    weights: NDArray[np.float64], steps: int, keep: int, meter: int
) -> NDArray[np.float64]:
    """A pattern band's stroke weights over ``keep`` bars on the comparison grid (``_GRID``
    a beat); a two-bar pattern against one bar of the song gives the mean of its bars."""
    per_bar = meter * steps
    bars = weights.size // per_bar
    if bars > keep:
        weights = weights.reshape(bars, per_bar).mean(axis=0)
    elif bars < keep:
        weights = np.tile(weights, keep // bars)
    out = np.zeros(weights.size // steps * len(_GRID))
    where = [_GRID.index(_PHASES // steps * k) for k in range(steps)]
    for k, w in enumerate(weights):
        out[k // steps * len(_GRID) + where[k % steps]] = w
    return out


def _correlation(x: NDArray[np.float64], t: NDArray[np.float64]) -> float | None:
    """Pearson correlation; None when either side is flat."""
    shares = _bar_shares(x, t, 1)
    return None if shares is None else shares[0]


def _bar_shares(x: NDArray[np.float64], t: NDArray[np.float64], bars: int) -> list[float] | None:
    """Each of ``bars`` equal parts' share of the Pearson correlation of ``x`` and ``t``,
    times ``bars`` (so that each equals the correlation when the parts are alike): the
    means and scales are the whole's, so a part whose strokes are weak against the
    others' counts as weak. None when either side is flat."""
    xc, tc = x - x.mean(), t - t.mean()
    den = float(np.sqrt((xc * xc).sum() * (tc * tc).sum()))
    if den <= 1e-12:
        return None
    parts = (xc * tc).reshape(bars, -1).sum(axis=1) * bars / den
    return [float(v) for v in parts]


def _song_grid(
    profile: RhythmProfile, ratio: float, meter: int
) -> tuple[NDArray[np.float64], int] | None:
    """The profile at ``_PHASES`` a dance beat, folded to one or two dance bars
    ``(3, bars * meter * _PHASES)``, and how many dance bars that is; None when the
    two-bar cycle does not hold whole dance bars."""
    span = 2 * profile.meter
    n_beats = span * ratio
    if abs(n_beats - round(n_beats)) > 1e-9 or round(n_beats) % meter:
        return None
    group = profile.bins / ratio / _PHASES
    if abs(group - round(group)) > 1e-9 or round(group) < 1:
        return None
    n_bars = round(n_beats) // meter
    keep = 2 if n_bars % 2 == 0 else 1
    coarse = profile.flux.reshape(3, -1, round(group)).mean(axis=2)
    folded = coarse.reshape(3, n_bars // keep, keep * meter * _PHASES).mean(axis=1)
    # onset strength: a stroke's peak (±1 phase) above the band's 20th percentile
    peak = np.maximum(np.maximum(np.roll(folded, 1, 1), folded), np.roll(folded, -1, 1))
    floor = np.percentile(folded, 20, axis=1, keepdims=True)
    return np.maximum(peak - floor, 0.0), keep


def _match_one(
    song: NDArray[np.float64],
    keep: int,
    tracked_bar: int,
    pattern: RhythmPattern,
    p: FitParams,
    each_bar: bool = False,
) -> PatternMatch | None:
    """The pattern's best match over the shifts; with ``each_bar`` (two dance bars, one
    starting on a tracked beat and one between two), the weaker bar's share of it."""
    temps = [
        None if w is None else _template(w, pattern.steps, keep, pattern.meter)
        for w in pattern.bands
    ]
    length = song.shape[1]
    shifts = {(s * tracked_bar) % length: False for s in range(length // tracked_bar or 1)}
    for s in list(shifts):
        for d in (_PHASES, -_PHASES):
            shifts.setdefault((s + d) % length, True)
    if pattern.bars == 2 and keep == 2:  # the pattern's two bars in both orders
        bar = pattern.meter * _PHASES
        shifts.update({(s + bar) % length: off for s, off in list(shifts.items())})
    parts = 2 if each_bar and keep == 2 else 1
    named = [b for b, t in enumerate(temps) if t is not None]
    weights = p.band_weights_low_mid_high
    best: PatternMatch | None = None
    for shift, off in shifts.items():
        rolled = np.roll(song, -shift, axis=1).reshape(3, -1, _PHASES)[:, :, list(_GRID)]
        rolled = rolled.reshape(3, -1)
        shares = [
            None if t is None else _bar_shares(rolled[b], t, parts) for b, t in enumerate(temps)
        ]
        if all(shares[b] is None for b in named):
            continue
        found = []  # the pattern in each part: the weakest counts
        for k in range(parts):
            per_band = tuple(None if v is None else v[k] for v in shares)
            sim = sum(weights[b] * (per_band[b] or 0.0) for b in named)
            found.append((sim / sum(weights[b] for b in named), per_band))
        sim, per_band = min(found, key=lambda f: f[0])
        sim -= p.beat_shift_cost if off and not pattern.pulls_downbeat else 0.0
        if best is None or sim > best.similarity:
            best = PatternMatch(pattern, sim, per_band, off)
    return best


def pattern_match(
    profile: RhythmProfile,
    ratio: float,
    dance_meter: int,
    patterns: tuple[RhythmPattern, ...],
    params: FitParams | None = None,
) -> PatternMatch | None:
    """The dance's best pattern for the song read at the dance's beat and bar.

    Parameters
    ----------
    profile
        The song's profile (:func:`pasdeux.music.fit.rhythm_profile`).
    ratio
        The dance's beat rate over the tracked one (1, 2 or 0.5).
    dance_meter
        Beats in the dance's bar.
    patterns
        The dance's patterns (:func:`load_patterns`); those in another meter are skipped.
    params
        The band weights and the cost of a beat's shift (:class:`FitParams`).

    Returns
    -------
    PatternMatch or None
        None when no pattern applies (no pattern in that meter, or the profile holds no
        whole bar of the dance at that beat).
    """
    grid = _song_grid(profile, ratio, dance_meter)
    if grid is None:
        return None
    song, keep = grid
    tracked_bar = round(profile.meter * ratio * _PHASES)
    # a bar of three at double time: every other dance bar starts on a tracked off-beat
    bar_beats = dance_meter / ratio  # the dance's bar in tracked beats
    each_bar = abs(bar_beats - round(bar_beats)) > 1e-9
    best: PatternMatch | None = None
    for pattern in patterns:
        if pattern.meter != dance_meter:
            continue
        m = _match_one(song, keep, tracked_bar, pattern, params or FitParams(), each_bar)
        if m is not None and (best is None or m.similarity > best.similarity):
            best = m
    return best


def pattern_factor(similarity: float | None, params: FitParams | None = None) -> float:
    """The score factor of a pattern similarity: ``exp(gain (s - 1))``, 1 for a perfect
    match, falling by ``e`` for every ``1 / gain`` of similarity lost (``gain``:
    ``FitParams.pattern_gain``; no similarity: ``FitParams.neutral_similarity``)."""
    p = params or FitParams()
    s = p.neutral_similarity if similarity is None else min(1.0, similarity)
    return math.exp(p.pattern_gain * (s - 1.0))
