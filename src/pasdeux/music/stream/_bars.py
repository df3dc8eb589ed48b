"""The causal bar tracker: beats counted into bars, one beat at a time.

A hidden Markov model over (beats in the bar, position in the bar), for each meter of
``StreamParams.meters``: each beat moves the position one on; with probability
``bar_jump_prob`` the count jumps to any state (a meter change, or a bar line missed).
Two cues say a beat is a bar's first, each as a z-score against its running mean and
spread over the last beats: the low band's onset at the beat (kick and bass land on the
one), and the harmonic change at the beat (the spectrum over the beat before it against
the beats after, ``change_beats`` each side: chords change at bar lines). The change at a
beat is known only ``change_beats`` beats later, so it is applied to the states that
many beats past a downbeat. A third cue weighs the meters, not the downbeat: bars of
``m`` beats repeat their accents ``m`` beats later whatever their phase, so the
correlation of the last ``meter_window_beats`` accents with themselves a bar later is
high for the meter played and low for the others (a kick on 1 and 3 repeats every 2
beats, which no bar of 3 does). It needs no running statistics from before a change, so
after one it turns within a bar or two, where the downbeat cues, still scaled by the old
section's, take three or four. The forward algorithm's most likely state names the
count of each beat as it is decided.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pasdeux.music.stream._params import StreamParams

__all__ = ["BarCount", "BarTracker", "RunningZ"]


@dataclass(frozen=True)
class BarCount:
    """A beat's place in its bar: ``count`` (1 is the downbeat) of ``meter`` beats."""

    count: int
    meter: int


class RunningZ:
    """z-scores against an exponentially weighted running mean and variance.

    Parameters
    ----------
    halflife
        Half-life of the weights, in values.
    clip
        Largest magnitude returned.
    """

    def __init__(self, halflife: float, clip: float) -> None:
        self._keep = 0.5 ** (1.0 / halflife)
        self._clip = clip
        self._mean = 0.0
        self._var = 0.0
        self._weight = 0.0

    def __call__(self, x: float) -> float:
        """The z-score of ``x`` against the values before it (0 for the first two); then
        ``x`` joins them."""
        z = 0.0
        if self._weight > 1.5 and self._var > 0:
            z = (x - self._mean) / math.sqrt(self._var)
        w = self._weight * self._keep + 1.0
        delta = x - self._mean
        self._mean += delta / w
        self._var = (self._weight * self._keep * (self._var + delta * delta / w)) / w
        self._weight = w
        return float(np.clip(z, -self._clip, self._clip))


class BarTracker:
    """Counts of beats fed one at a time with their cues (see the module docstring).

    Parameters
    ----------
    params
        The tunables.
    """

    def __init__(self, params: StreamParams) -> None:
        self.meters = np.asarray([m for m in params.meters for _ in range(m)], dtype=np.int64)
        self.pos = np.asarray([b for m in params.meters for b in range(m)], dtype=np.int64)
        n = self.pos.size
        nxt = np.empty(n, dtype=np.int64)
        start = 0
        for m in params.meters:
            nxt[start : start + m] = start + (np.arange(m) + 1) % m
            start += m
        self._next = nxt
        self._recent: list[float] = []  # the last beats' accents (nan: unheard)
        self._window = params.meter_window_beats
        self._meter_gain = params.meter_gain
        self._meter_set = sorted(set(params.meters))
        self._changed = self.pos == params.change_beats % self.meters
        self._jump = params.bar_jump_prob
        self._accent_gain = params.accent_gain
        self._change_gain = params.change_gain
        self._accent_z = RunningZ(params.stats_halflife_beats, params.z_clip)
        self._change_z = RunningZ(params.stats_halflife_beats, params.z_clip)
        self.alpha = np.full(n, 1.0 / n)

    def skip(self) -> None:
        """A beat that fell unheard: the count moves on without cues."""
        self.alpha = self._prior()
        self._recent = [*self._recent[-self._window + 1 :], math.nan]

    def _prior(self) -> NDArray[np.float64]:
        """The belief one beat on, before its cues: the count moves on, or (with
        ``bar_jump_prob``) jumps to any state."""
        moved = np.zeros_like(self.alpha)
        np.add.at(moved, self._next, self.alpha)
        return (1.0 - self._jump) * moved + self._jump / moved.size

    def _meter_like(self, accent: float) -> NDArray[np.float64]:
        """Log-likelihood of each state's meter from the last ``meter_window_beats``
        accents (``accent`` the newest; none before that many beats): each meter's lag
        correlation over them, less their mean, times ``meter_gain``. Bars of ``m``
        beats repeat their accents ``m`` beats later whatever their phase: a kick on 1
        and 3 correlates at a lag of 4 (and 2) and against one of 3, an oom-pah-pah the
        other way round."""
        self._recent = [*self._recent[-self._window + 1 :], accent]
        log_like = np.zeros(self.alpha.size)
        if self._meter_gain <= 0 or len(self._meter_set) < 2 or len(self._recent) < self._window:
            return log_like  # a short window holds fewer pairs a bar apart for longer bars
        fits = {m: _lag_correlation(self._recent, m) for m in self._meter_set}
        mean = float(np.mean(list(fits.values())))
        for m, r in fits.items():
            log_like[self.meters == m] = self._meter_gain * (r - mean)
        return log_like

    def step(self, accent: float, earlier_change: float | None) -> BarCount:
        """The count of the next beat, given its low-band ``accent`` and the harmonic
        change at the beat ``change_beats`` before it (``None`` when not known)."""
        prior = self._prior()
        log_like = np.zeros(prior.size)
        log_like[self.pos == 0] += self._accent_gain * self._accent_z(accent)
        log_like += self._meter_like(accent)
        if earlier_change is not None:
            log_like[self._changed] += self._change_gain * self._change_z(earlier_change)
        post = prior * np.exp(log_like - log_like.max())
        self.alpha = post / post.sum()
        state = int(np.argmax(self.alpha))
        return BarCount(count=int(self.pos[state]) + 1, meter=int(self.meters[state]))


def _lag_correlation(values: list[float], lag: int) -> float:
    """Pearson correlation of ``values`` with themselves ``lag`` later (0 when fewer
    than three pairs, or flat)."""
    x = np.asarray(values, dtype=float)
    if x.size <= lag:
        return 0.0
    a, b = x[:-lag], x[lag:]
    ok = np.isfinite(a) & np.isfinite(b)
    if np.count_nonzero(ok) < 3:
        return 0.0
    a, b = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    norm = float(np.sqrt((a @ a) * (b @ b)))
    return float(a @ b) / norm if norm > 0 else 0.0


def harmonic_change(before: NDArray[np.float32], after: NDArray[np.float32]) -> float:
    """Cosine distance between the mean spectra of two stretches ``(frames, bands)``
    (0 for an empty one or silence)."""
    if before.shape[0] == 0 or after.shape[0] == 0:
        return 0.0
    a = np.mean(before, axis=0, dtype=float)
    b = np.mean(after, axis=0, dtype=float)
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return 0.0 if norm <= 0 else 1.0 - float(a @ b) / norm
