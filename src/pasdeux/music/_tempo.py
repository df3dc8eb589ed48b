"""The tempo map: the one place where seconds and beats are converted.

Musical time counts beats from the first downbeat (beat 0.0). Beats before the first
downbeat (a pickup) have negative beat numbers. Between two detected beats time is
interpolated linearly; beyond the first and last beat the nearest inter-beat interval
is extended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pasdeux.errors import PasdeuxError

__all__ = ["TempoMap"]


@dataclass(frozen=True)
class TempoMap:
    """Converts between song time in seconds and musical time in beats.

    Parameters
    ----------
    beat_times_s
        Times of consecutive beats in seconds, strictly increasing, at least two.
    first_downbeat_index
        Index into ``beat_times_s`` of the beat that is musical beat 0.0.
    """

    beat_times_s: tuple[float, ...]
    first_downbeat_index: int = 0

    def __post_init__(self) -> None:
        times = np.asarray(self.beat_times_s, dtype=float)
        if times.ndim != 1 or times.size < 2:
            raise PasdeuxError("a tempo map needs at least two beat times")
        if not np.all(np.isfinite(times)) or np.any(np.diff(times) <= 0):
            raise PasdeuxError("beat times must be finite and strictly increasing (seconds)")
        if not 0 <= self.first_downbeat_index < times.size:
            raise PasdeuxError("first_downbeat_index is outside the beat list")

    @classmethod
    def from_beats(cls, beat_times_s: Sequence[float], first_downbeat_index: int = 0) -> TempoMap:
        """Build a tempo map from a sequence of beat times in seconds."""
        return cls(tuple(float(t) for t in beat_times_s), int(first_downbeat_index))

    @property
    def _times(self) -> NDArray[np.float64]:
        return np.asarray(self.beat_times_s, dtype=float)

    @property
    def _numbers(self) -> NDArray[np.float64]:
        return np.arange(len(self.beat_times_s), dtype=float) - self.first_downbeat_index

    def seconds_from_beats(self, beats: ArrayLike) -> NDArray[np.float64]:
        """Song time in seconds of musical time ``beats`` (beats from the first downbeat)."""
        return _extrapolating_interp(np.asarray(beats, dtype=float), self._numbers, self._times)

    def beats_from_seconds(self, seconds: ArrayLike) -> NDArray[np.float64]:
        """Musical time in beats (from the first downbeat) of song time ``seconds``."""
        return _extrapolating_interp(np.asarray(seconds, dtype=float), self._times, self._numbers)

    def second_from_beat(self, beat: float) -> float:
        """Scalar form of :meth:`seconds_from_beats`."""
        return float(self.seconds_from_beats(np.array([beat]))[0])

    def beat_from_second(self, second: float) -> float:
        """Scalar form of :meth:`beats_from_seconds`."""
        return float(self.beats_from_seconds(np.array([second]))[0])

    def bpm_at_seconds(self, seconds: ArrayLike) -> NDArray[np.float64]:
        """Local tempo in beats per minute at song time ``seconds``."""
        t = np.asarray(seconds, dtype=float)
        times = self._times
        idx = np.clip(np.searchsorted(times, t, side="right") - 1, 0, times.size - 2)
        return np.asarray(60.0 / (times[idx + 1] - times[idx]), dtype=float)


def _extrapolating_interp(
    x: NDArray[np.float64], xp: NDArray[np.float64], fp: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Piecewise-linear interpolation that extends the first and last segments."""
    y = np.interp(x, xp, fp)
    lo = x < xp[0]
    hi = x > xp[-1]
    if np.any(lo):
        slope = (fp[1] - fp[0]) / (xp[1] - xp[0])
        y[lo] = fp[0] + (x[lo] - xp[0]) * slope
    if np.any(hi):
        slope = (fp[-1] - fp[-2]) / (xp[-1] - xp[-2])
        y[hi] = fp[-1] + (x[hi] - xp[-1]) * slope
    return np.asarray(y, dtype=float)
