"""Bars and meter: a Viterbi over the beats whose states are (meter, position in bar), so that
the meter may change along a song."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pasdeux.music._features import _frames, _window_max

#: Bar model: meters, per-bar log prior (mildly against 2), log probability of a meter
#: change at a bar line, and the pseudo-count that pulls a weak beat's downbeat
#: probability towards ``_Q_PRIOR``.
_METERS = (2, 3, 4)


_METER_LOG_PRIOR = {2: math.log(0.5), 3: 0.0, 4: 0.0}


_SWITCH_LOG_PROB = math.log(1e-4)


_Q_PSEUDO = 0.05


_Q_PRIOR = 0.3


def _downbeat_probability(act: NDArray[np.float64], beats: NDArray[np.float64]) -> NDArray[Any]:
    """q = d / (b + d) at each beat (max over ±3 frames), pulled to a prior when both are weak."""
    frames = _frames(beats)
    b = _window_max(act[:, 0], frames)
    d = _window_max(act[:, 1], frames)
    q = (d + _Q_PSEUDO * _Q_PRIOR) / (b + d + _Q_PSEUDO)
    return np.clip(q, 1e-3, 1.0 - 1e-3)


def bar_viterbi(
    q: NDArray[np.float64],
    switch_log_prob: float = _SWITCH_LOG_PROB,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Most likely meter and position in bar of every beat, allowing meter changes.

    States are (meter m in {2, 3, 4}, position p in 1..m). Within a bar p moves to p + 1;
    after the last beat of a bar the next bar starts in the same meter, or (at a cost of
    ``switch_log_prob``) in another one. A beat's emission is ``log q`` on a downbeat and
    ``log(1 - q)`` elsewhere. The song may start anywhere in a bar (a pickup).

    Parameters
    ----------
    q
        Probability that each beat is a downbeat.
    switch_log_prob
        Log probability of changing meter at a bar line.

    Returns
    -------
    meters : numpy.ndarray
        The meter of the bar each beat belongs to.
    positions : numpy.ndarray
        Each beat's position in its bar (1 = downbeat).
    """
    states = [(m, p) for m in _METERS for p in range(1, m + 1)]
    index = {s: k for k, s in enumerate(states)}
    n_states = len(states)
    trans = np.full((n_states, n_states), -np.inf)
    n_other = len(_METERS) - 1
    for k, (m, p) in enumerate(states):
        if p < m:
            trans[k, index[(m, p + 1)]] = 0.0
            continue
        for m2 in _METERS:
            stay = math.log1p(-math.exp(switch_log_prob))
            base = stay if m2 == m else switch_log_prob - math.log(n_other)
            trans[k, index[(m2, 1)]] = base + _METER_LOG_PRIOR[m2]
    is_down = np.array([p == 1 for _, p in states])
    qq = np.asarray(q, dtype=float)
    emis = np.where(is_down[None, :], np.log(qq)[:, None], np.log1p(-qq)[:, None])
    init = np.array([_METER_LOG_PRIOR[m] - math.log(m) for m, _ in states])
    n = qq.size
    back = np.zeros((n, n_states), dtype=np.int64)
    delta = init + emis[0]
    for i in range(1, n):
        cand = delta[:, None] + trans
        back[i] = np.argmax(cand, axis=0)
        delta = cand[back[i], np.arange(n_states)] + emis[i]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(np.argmax(delta))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    meters = np.array([states[k][0] for k in path], dtype=np.int64)
    positions = np.array([states[k][1] for k in path], dtype=np.int64)
    if not np.any(positions == 1):  # too few beats to finish a bar: call the first a downbeat
        positions = np.arange(n, dtype=np.int64) % meters[0] + 1
    return meters, positions
