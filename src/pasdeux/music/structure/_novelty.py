"""Texture bar by bar: band energies per frame, per bar, and where the texture changes.

The per-frame input is the power in third-octave bands (50 Hz to 12.8 kHz) about 20
times a second (:class:`pasdeux.music.frontend.BandFrames`). :func:`bar_features` averages
them over each bar; :func:`texture_novelty` compares
the bars before and after each downbeat (an energy distance, i.e. a checkerboard kernel over
the bars' distance matrix); :func:`texture_changes` keeps the strong changes and
:func:`arrival` tells an intro (the band not yet in) from a section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pasdeux.music._params import ListenParams

__all__ = [
    "BarFeatures",
    "Texture",
    "arrival",
    "bar_features",
    "phrase_evidence",
    "texture",
    "texture_changes",
    "texture_novelty",
]

# The tunables (band floor, texture changes, the intro) are ListenParams' fields.


@dataclass(frozen=True)
class BarFeatures:
    """What each bar sounds like.

    Attributes
    ----------
    start, end
        Each bar's start and end (s).
    bands_db
        ``(bars, bands)`` mean band level over the bar, dB relative to the song's loudest
        band, floored at -50 dB.
    level_db
        ``(bars,)`` mean level over the bar, dB relative to the loudest bar.
    """

    start: NDArray[np.float64]
    end: NDArray[np.float64]
    bands_db: NDArray[np.float64]
    level_db: NDArray[np.float64]

    @property
    def n_bars(self) -> int:
        """Number of bars."""
        return int(self.start.size)


def bar_features(
    bands: NDArray[np.floating],
    fps: float,
    downbeats: NDArray[np.floating],
    *,
    params: ListenParams,
) -> BarFeatures:
    """Average per-frame band power over each complete bar.

    Parameters
    ----------
    bands
        ``(frames, bands)`` band power per frame (:class:`pasdeux.music.frontend.BandFrames`).
    fps
        Frames a second of ``bands`` (frame ``k`` at ``k / fps`` s).
    downbeats
        Downbeat times (s); bar ``k`` runs from ``downbeats[k]`` to ``downbeats[k + 1]``
        (the bar after the last downbeat is left out: it is not known to be complete).
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    BarFeatures
        One row per complete bar (none when there are fewer than two downbeats).
    """
    p = np.asarray(bands, dtype=np.float64)
    t = np.asarray(downbeats, dtype=np.float64)
    n = max(0, t.size - 1)
    if n == 0 or p.shape[0] == 0:
        empty = np.zeros(0)
        return BarFeatures(empty, empty, np.zeros((0, p.shape[1] if p.ndim == 2 else 0)), empty)
    frames = np.clip(np.round(t * fps).astype(np.int64), 0, p.shape[0] - 1)
    cum = np.vstack([np.zeros((1, p.shape[1])), np.cumsum(p, axis=0)])
    hi = np.maximum(frames[1:], frames[:-1] + 1)
    mean = (cum[hi] - cum[frames[:-1]]) / (hi - frames[:-1])[:, None]
    peak = float(mean.max())
    if peak <= 0.0:
        bands_db = np.full(mean.shape, params.band_floor_db)
        level = np.full(n, params.band_floor_db)
    else:
        bands_db = 10.0 * np.log10(np.maximum(mean / peak, 10 ** (params.band_floor_db / 10)))
        total = mean.sum(axis=1)
        level = 10.0 * np.log10(
            np.maximum(total / float(total.max()), 10 ** (params.band_floor_db / 10))
        )
    return BarFeatures(t[:-1].copy(), t[1:].copy(), bands_db, level)


def _distances(feats: BarFeatures) -> NDArray[np.float64]:
    """RMS over the bands of the level difference (dB) between every two bars."""
    x = feats.bands_db
    sq = np.sum(x * x, axis=1)
    d2 = (sq[:, None] + sq[None, :] - 2.0 * x @ x.T) / max(1, x.shape[1])
    return np.asarray(np.sqrt(np.maximum(d2, 0.0)), dtype=np.float64)


def texture_novelty(
    feats: BarFeatures, half_bars: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """How much the texture changes at each downbeat.

    At bar ``k`` the ``half_bars`` bars before it are compared with the ``half_bars`` bars
    from it: a checkerboard kernel over the bars' distance matrix gives the energy distance
    ``2 E|L - R| - E|L - L'| - E|R - R'|`` (twice the band-level shift in dB for two steady
    textures; about 0 when both sides sound alike, however busy each is).

    Parameters
    ----------
    feats
        Bar features.
    half_bars
        Bars on each side.

    Returns
    -------
    novelty : numpy.ndarray
        ``(bars,)``; entry ``k`` is the change at the start of bar ``k`` (0 for bar 0).
    contrast : numpy.ndarray
        ``(bars,)`` the novelty as a share of ``2 E|L - R|``: 1 when each side is uniform, 0
        when the sides are alike.
    """
    n = feats.n_bars
    novelty = np.zeros(n)
    contrast = np.zeros(n)
    if n < 2:
        return novelty, contrast
    d = _distances(feats)
    for k in range(1, n):
        a, b = max(0, k - half_bars), min(n, k + half_bars)
        nl, nr = k - a, b - k
        within_l = float(d[a:k, a:k].sum()) / max(1, nl * (nl - 1))
        within_r = float(d[k:b, k:b].sum()) / max(1, nr * (nr - 1))
        between = float(d[a:k, k:b].mean())
        novelty[k] = 2.0 * between - within_l - within_r
        contrast[k] = novelty[k] / (2.0 * between) if between > 1e-9 else 0.0
    return novelty, contrast


def texture_changes(feats: BarFeatures, min_bars: int = 4, *, params: ListenParams) -> list[int]:
    """Bars where the texture changes strongly: the band comes in or drops out, chords or
    drums enter, the sound gets much louder or softer.

    A change needs a novelty of 10 (a band-level shift of about 5 dB RMS over the spectrum)
    and a contrast of 0.5 (the bars across it twice as far apart as the bars on one side);
    changes are peaks of the novelty at least ``min_bars`` from each other and from either
    end of the song.

    Parameters
    ----------
    feats
        Bar features.
    min_bars
        Shortest stretch between two changes (and before the first, after the last).
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    list of int
        Bar indices, ascending.
    """
    n = feats.n_bars
    if n < 2 * min_bars:
        return []
    novelty, contrast = texture_novelty(feats, params.texture_half_bars)
    candidates = [
        k
        for k in range(min_bars, n - min_bars + 1)
        if novelty[k] >= params.texture_change_db
        and contrast[k] >= params.texture_change_contrast
        and novelty[k] >= float(novelty[max(0, k - 2) : k + 3].max())
    ]
    chosen: list[int] = []
    for k in sorted(candidates, key=lambda k: -novelty[k]):
        if all(abs(k - c) >= min_bars for c in chosen):
            chosen.append(k)
    return sorted(chosen)


def arrival(feats: BarFeatures, changes: list[int], *, params: ListenParams) -> int | None:
    """The bar where the band arrives after an intro, if the song has one.

    An intro is the start of the song up to the first texture change, when that change
    comes within the first 16 bars (and the first half of the song) and the music after it
    is clearly louder (3 dB) than before: a pad, a piano or a lone instrument before the
    band comes in.

    Parameters
    ----------
    feats
        Bar features.
    changes
        Texture changes (:func:`texture_changes`).
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    int or None
        The bar index of the arrival, or ``None``.
    """
    if not changes:
        return None
    k = changes[0]
    n = feats.n_bars
    if k > params.intro_max_bars or k > n / 2:
        return None
    nxt = changes[1] if len(changes) > 1 else n
    before = _mean_db(feats.level_db[:k], params=params)
    after = _mean_db(feats.level_db[k:nxt], params=params)
    return k if after - before >= params.intro_rise_db else None


def _mean_db(db: NDArray[np.float64], *, params: ListenParams) -> float:
    """Level (dB) of the mean power of bars given in dB."""
    if db.size == 0:
        return params.band_floor_db
    return 10.0 * math.log10(float(np.mean(10.0 ** (db / 10.0))))


def phrase_evidence(feats: BarFeatures) -> NDArray[np.float64]:
    """How strongly the texture changes at the start of each bar, over 2 bars either side
    (the novelty of :func:`texture_novelty`, at least 0): high where phrases start."""
    novelty, _ = texture_novelty(feats, half_bars=2)
    return np.maximum(novelty, 0.0)


@dataclass(frozen=True)
class Texture:
    """Where a song's texture changes.

    Attributes
    ----------
    changes
        Bar indices where a new section starts for its texture (the intro's end excluded).
    arrival
        Bar index where the band comes in after an intro, or ``None``.
    evidence
        :func:`phrase_evidence` of every complete bar.
    """

    changes: tuple[int, ...]
    arrival: int | None
    evidence: NDArray[np.float64]


def texture(
    bands: NDArray[np.floating],
    fps: float,
    downbeats: NDArray[np.floating],
    *,
    params: ListenParams,
) -> Texture:
    """Texture changes, intro and phrase evidence of a song from its band frames.

    Parameters
    ----------
    bands
        ``(frames, bands)`` band power (:class:`pasdeux.music.frontend.BandFrames`).
    fps
        Their frame rate.
    downbeats
        Downbeat times (s); bar ``k`` starts at ``downbeats[k]``.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    Texture
    """
    feats = bar_features(bands, fps, downbeats, params=params)
    changes = texture_changes(feats, params=params)
    intro = arrival(feats, changes, params=params)
    return Texture(
        changes=tuple(k for k in changes if k != intro),
        arrival=intro,
        evidence=phrase_evidence(feats),
    )
