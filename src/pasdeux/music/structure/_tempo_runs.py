"""Tempo runs: where a song's tempo jumps, and where it speeds up or slows down gradually.

The tempo of each bar (in log) is fitted by straight lines over runs of bars (an optimal
partition by dynamic programming, with a penalty per run scaled to the bar-to-bar jitter).
The runs are then judged musically (robust repeated-median lines, so a fermata or two do
not count): neighbouring runs stay apart only when the tempo jumps by 8 % between them, or
when their paces differ by 8 % in 32 bars or more, surely so given the jitter (a steady run
beside an accelerando or a ritardando). An accelerando is one run however unevenly it speeds
up; a ramp that changes the tempo by less than 8 % in all is no run of its own; a closing
ritardando of up to 4 bars belongs to the run before it. Each edge then moves by up to 2
bars to where the bars fit best, preferring whole groups of 4 bars when the fit is a tie.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from pasdeux.music._params import ListenParams

__all__ = ["bar_log_tempo", "tempo_runs"]

# The tunables (a noticeable change, ramps, jitter, the run penalty) are ListenParams'.


def bar_log_tempo(beats: NDArray[np.float64], bar_starts: list[int]) -> NDArray[np.float64]:
    """Log of each bar's tempo (beats a minute), from the bar's length and beat count.

    Parameters
    ----------
    beats
        Beat times (s).
    bar_starts
        Indices into ``beats`` of the downbeats.

    Returns
    -------
    numpy.ndarray
        One value per bar; the last bar, which has no next downbeat, is measured up to the
        last beat (NaN when it has a single beat).
    """
    out = np.full(len(bar_starts), np.nan)
    for k, i in enumerate(bar_starts):
        j = bar_starts[k + 1] if k + 1 < len(bar_starts) else beats.size - 1
        if j > i and beats[j] > beats[i]:
            out[k] = math.log(60.0 * (j - i) / float(beats[j] - beats[i]))
    return out


class _LineCost:
    """Sum of squared residuals of a least-squares line over ``x[a:b]``, in O(1)."""

    def __init__(self, x: NDArray[np.float64]) -> None:
        t = np.arange(x.size, dtype=float)
        self._c = [
            np.concatenate([[0.0], np.cumsum(v)]) for v in (np.ones(x.size), t, t * t, x, t * x)
        ]
        self._xx = np.concatenate([[0.0], np.cumsum(x * x)])

    def __call__(self, a: int, b: int) -> float:
        s1, st, stt, sx, stx = (float(c[b] - c[a]) for c in self._c)
        sxx = float(self._xx[b] - self._xx[a])
        var_t = stt - st * st / s1
        var_x = sxx - sx * sx / s1
        cov = stx - st * sx / s1
        return max(0.0, var_x - (cov * cov / var_t if var_t > 1e-12 else 0.0))


def _jitter(x: NDArray[np.float64], *, params: ListenParams) -> float:
    """Robust bar-to-bar tempo noise: MAD of second differences (÷ √6 for white noise)."""
    d2 = np.diff(x, 2)
    if d2.size < 3:
        return params.tempo_jitter_floor
    mad = float(np.median(np.abs(d2 - np.median(d2))))
    return max(params.tempo_jitter_floor, 1.4826 * mad / math.sqrt(6.0))


def _partition(x: NDArray[np.float64], min_len: int, *, params: ListenParams) -> list[int]:
    """Optimal partition of ``x`` into runs of at least ``min_len`` bars, each fitted by a line."""
    n = x.size
    if n < 2 * min_len:
        return [0, n]
    cost = _LineCost(x)
    s = _jitter(x, params=params)
    penalty = params.tempo_run_penalty * s * s * math.log(max(n, 3))
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    prev = np.zeros(n + 1, dtype=np.int64)
    for b in range(min_len, n + 1):
        for a in (0, *range(min_len, b - min_len + 1)):
            if not np.isfinite(best[a]):
                continue
            c = best[a] + cost(a, b) + penalty
            if c < best[b]:
                best[b], prev[b] = c, a
    cuts = [n]
    while cuts[-1] > 0:
        cuts.append(int(prev[cuts[-1]]))
    return cuts[::-1]


def _robust_line(y: NDArray[np.float64], t0: int) -> tuple[float, float]:
    """Siegel's repeated-median line through ``y`` (at bar indices from ``t0``): (slope,
    value at bar 0). Up to half the bars may be outliers (a fermata, a closing ritardando)."""
    t = np.arange(t0, t0 + y.size, dtype=float)
    if y.size < 2:
        return 0.0, float(y.mean()) if y.size else 0.0
    dt = t[None, :] - t[:, None]
    dy = y[None, :] - y[:, None]
    np.fill_diagonal(dt, np.nan)
    slope = float(np.median(np.nanmedian(dy / dt, axis=1)))
    return slope, float(np.median(y - slope * t))


def _slope_error(n: int, jitter: float) -> float:
    """Standard error of a line's slope over ``n`` bars with the given jitter."""
    return jitter * math.sqrt(12.0 / max(n * (n * n - 1), 1))


def _is_ramp(slope: float, n: int, jitter: float, *, params: ListenParams) -> bool:
    """A run speeds up or slows down: at 8 % in 32 bars or faster, and surely so."""
    steep = abs(slope) * params.ramp_bars >= params.tempo_change_log
    return steep and abs(slope) >= params.tempo_sure_se * _slope_error(n, jitter)


def _jump(x: NDArray[np.float64], a: int, b: int, c: int) -> float:
    """Tempo jump (log) at bar ``b`` between the runs ``[a, b)`` and ``[b, c)``."""
    sa, ia = _robust_line(x[a:b], a)
    sb, ib = _robust_line(x[b:c], b)
    at = b - 0.5
    return abs((sa * at + ia) - (sb * at + ib))


def _refine(
    x: NDArray[np.float64],
    a: int,
    b: int,
    c: int,
    min_bars: int,
    jitter: float,
    *,
    params: ListenParams,
) -> int:
    """Move the edge between runs ``[a, b)`` and ``[b, c)`` by up to 2 bars, so that each
    bar near it goes with the run whose line explains it better; where a bar could go with
    either (within its jitter), prefer an edge a whole number of 4-bar groups after ``a``."""
    sa, ia = _robust_line(x[a:b], a)
    sb, ib = _robust_line(x[b:c], b)
    t = np.arange(x.size, dtype=float)
    err_a = np.abs(x - (sa * t + ia))
    err_b = np.abs(x - (sb * t + ib))
    edges = range(max(a + min_bars, b - 2), min(c - min_bars, b + 2) + 1)
    if not edges:
        return b
    cost = {e: float(err_a[a:e].sum() + err_b[e:c].sum()) for e in edges}
    least = min(cost.values())
    fine = [e for e in edges if cost[e] <= least + params.tempo_sure_se * jitter / 2]
    aligned = [e for e in fine if (e - a) % params.section_group_bars == 0]
    return min(aligned or fine, key=lambda e: (cost[e], abs(e - b)))


def _mergeable(
    x: NDArray[np.float64],
    a: int,
    b: int,
    c: int,
    jitter: float,
    *,
    closing: bool,
    params: ListenParams,
) -> bool:
    """Whether the runs ``[a, b)`` and ``[b, c)`` are one run to a dancer."""
    sa, sb = _robust_line(x[a:b], a)[0], _robust_line(x[b:c], b)[0]
    ramp_a, ramp_b = (
        _is_ramp(sa, b - a, jitter, params=params),
        _is_ramp(sb, c - b, jitter, params=params),
    )
    if closing and ramp_b and c - b <= params.closing_ritardando_bars:
        return True  # a closing ritardando (or accelerando) ends the run before it
    if _jump(x, a, b, c) >= params.tempo_change_log:
        return False
    noise = params.tempo_sure_se * math.hypot(
        _slope_error(b - a, jitter), _slope_error(c - b, jitter)
    )
    if abs(sa - sb) < max(params.tempo_change_log / params.ramp_bars, noise):
        return True  # the same pace: both steady, or one ramp
    # a ramp that changes the tempo by less than 8 % in all is no section of its own
    return (ramp_a and abs(sa) * (b - a) < params.tempo_change_log) or (
        ramp_b and abs(sb) * (c - b) < params.tempo_change_log
    )


def tempo_runs(
    log_tempo: NDArray[np.float64], min_bars: int = 4, *, params: ListenParams
) -> list[int]:
    """Split a stretch of bars (one meter) where its tempo changes.

    Parameters
    ----------
    log_tempo
        Log tempo of each bar (:func:`bar_log_tempo`); NaNs (bars that cannot be measured)
        take their neighbour's value.
    min_bars
        Shortest run.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    list of int
        Run edges as bar indices: ``[0, ..., n]``.
    """
    x = np.asarray(log_tempo, dtype=float).copy()
    n = x.size
    ok = np.isfinite(x)
    if n == 0 or not ok.any():
        return [0, n]
    x[~ok] = np.interp(np.nonzero(~ok)[0], np.nonzero(ok)[0], x[ok])
    cuts = _partition(x, min_bars, params=params)
    jitter = _jitter(x, params=params)
    while len(cuts) > 2:
        weakest: tuple[float, int] | None = None
        for q in range(1, len(cuts) - 1):
            a, b, c = cuts[q - 1], cuts[q], cuts[q + 1]
            if _mergeable(x, a, b, c, jitter, closing=c == n, params=params):
                jump = _jump(x, a, b, c)
                weakest = min(weakest or (jump, q), (jump, q))
        if weakest is None:
            break
        del cuts[weakest[1]]
    for q in range(1, len(cuts) - 1):
        cuts[q] = _refine(x, cuts[q - 1], cuts[q], cuts[q + 1], min_bars, jitter, params=params)
    return cuts
