"""Summaries of the beat grid: the main meter of a song's sections, their inter-beat
intervals, and the tempo curve."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import median_filter

from pasdeux.music._types import Section, TempoPoint

__all__ = ["main_meter", "section_ibis", "tempo_curve"]


def main_meter(sections: Sequence[Section]) -> int:
    """The meter that lasts longest over ``sections`` (the larger one on a tie)."""
    total: dict[int, float] = {}
    for s in sections:
        total[s.meter] = total.get(s.meter, 0.0) + (s.end - s.start)
    return max(total, key=lambda m: (total[m], m))


def section_ibis(beats: NDArray[np.float64], sections: Sequence[Section]) -> NDArray[np.float64]:
    """The intervals (s) between beats that start inside ``sections`` (all of them if none does)."""
    ibi = np.diff(beats)
    starts = beats[:-1]
    mask = np.zeros(ibi.size, dtype=bool)
    for s in sections:
        mask |= (starts >= s.start - 1e-6) & (starts < s.end - 1e-6)
    return ibi[mask] if np.any(mask) else ibi


def tempo_curve(beats: NDArray[np.float64]) -> tuple[TempoPoint, ...]:
    """The tempo at every beat, from the median of three inter-beat intervals round it."""
    ibi = np.diff(beats)
    ibi = np.append(ibi, ibi[-1])
    smooth = median_filter(ibi, size=3, mode="nearest")
    return tuple(
        TempoPoint(time=round(float(t), 3), bpm=round(60.0 / float(d), 2))
        for t, d in zip(beats, smooth)
    )
