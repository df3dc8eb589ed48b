"""The causal bar tracker: beats counted into bars, one beat at a time.

A hidden Markov model over (beats in the bar, position in the bar), for each meter of
``StreamParams.meters``: each beat moves the position one on; with probability
``bar_jump_prob`` the count jumps to any state (a meter change, or a bar line missed).
Two cues say a beat is a bar's first, each as a z-score against its running mean and
spread over the last beats: the low band's onset at the beat (kick and bass land on the
one), and the harmonic change at the beat (the spectrum over the beat before it against
the beats after, ``change_beats`` each side: chords change at bar lines). The change at a
beat is known only ``change_beats`` beats later, so it is applied to the states that
many beats past a downbeat. The forward algorithm's most
likely state names the count of each beat as it is decided.
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
        self._changed = self.pos == params.change_beats % self.meters
        self._jump = params.bar_jump_prob
        self._accent_gain = params.accent_gain
        self._change_gain = params.change_gain
        self._accent_z = RunningZ(params.stats_halflife_beats, params.z_clip)
        self._change_z = RunningZ(params.stats_halflife_beats, params.z_clip)
        self.alpha = np.full(n, 1.0 / n)

    def skip(self) -> None:
        """A beat that fell unheard: the count moves on without cues."""
        moved = np.zeros_like(self.alpha)
        np.add.at(moved, self._next, self.alpha)
        self.alpha = (1.0 - self._jump) * moved + self._jump / moved.size

    def step(self, accent: float, earlier_change: float | None) -> BarCount:
        """The count of the next beat, given its low-band ``accent`` and the harmonic
        change at the beat ``change_beats`` before it (``None`` when not known)."""
        moved = np.zeros_like(self.alpha)
        np.add.at(moved, self._next, self.alpha)
        prior = (1.0 - self._jump) * moved + self._jump / moved.size
        log_like = np.zeros(moved.size)
        log_like[self.pos == 0] += self._accent_gain * self._accent_z(accent)
        if earlier_change is not None:
            log_like[self._changed] += self._change_gain * self._change_z(earlier_change)
        post = prior * np.exp(log_like - log_like.max())
        self.alpha = post / post.sum()
        state = int(np.argmax(self.alpha))
        return BarCount(count=int(self.pos[state]) + 1, meter=int(self.meters[state]))


def harmonic_change(before: NDArray[np.float32], after: NDArray[np.float32]) -> float:
    """Cosine distance between the mean spectra of two stretches ``(frames, bands)``
    (0 for an empty one or silence)."""
    if before.shape[0] == 0 or after.shape[0] == 0:
        return 0.0
    a = np.mean(before, axis=0, dtype=float)
    b = np.mean(after, axis=0, dtype=float)
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return 0.0 if norm <= 0 else 1.0 - float(a @ b) / norm
