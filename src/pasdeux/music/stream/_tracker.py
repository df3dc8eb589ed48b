"""The causal beat tracker: the forward algorithm over madmom's beat state space, with
tempo jumps.

The state space is madmom's (Krebs, Böck and Widmer, ISMIR 2015): a state is a tempo
(a whole beat period in frames, 28 to 109 frames for 55 to 215 BPM at 100 frames a
second) and a position within that beat; each frame moves a state one position on, and
at the end of a beat the tempo may change. madmom's online tracker changes tempo only
smoothly (``exp(-100 |ratio - 1|)``: a 25 % jump has a probability of e^-25) and so takes
many beats to follow an abrupt change; here a small probability (``tempo_jump_prob``) of
jumping to any tempo is mixed in, so a beat that arrives a quarter early is explained
within a beat or two. A jump's new tempo is the likelier the nearer it is (its weight falls
by ``jump_octave_decay`` nepers an octave), so that a tempo halved or doubled is not
taken for a change. The observation is madmom's: the network's activation in the first
``1 / observation_lambda`` of a beat, its complement spread over the rest.

Decisions: at each frame the most likely state says how many frames ago its beat began;
when that is the decision delay, the beat is reported at the activation's peak near that
frame, with the tempo of that state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pasdeux.music.stream._params import StreamParams

__all__ = ["BeatDecision", "ForwardBeatTracker"]


@dataclass(frozen=True)
class BeatDecision:
    """A beat decided at frame ``decided_frame``: it fell on frame ``frame`` (fractional
    after the peak's refinement) at ``bpm``."""

    frame: float
    decided_frame: int
    bpm: float


class ForwardBeatTracker:
    """Beats of a beat activation fed frame by frame (see the module docstring).

    Parameters
    ----------
    params
        The tunables.
    fps
        Frames a second of the activation.
    """

    def __init__(self, params: StreamParams, fps: float) -> None:
        self.fps = fps
        lo = round(60.0 * fps / params.max_bpm)
        hi = round(60.0 * fps / params.min_bpm)
        self.intervals = np.arange(lo, hi + 1, dtype=np.int64)
        self.first = np.concatenate(([0], np.cumsum(self.intervals)[:-1]))
        self.last = np.cumsum(self.intervals) - 1
        n = int(self.intervals.sum())
        tempo_of = np.repeat(np.arange(self.intervals.size), self.intervals)
        self.position = np.arange(n) - self.first[tempo_of]
        self.is_beat = self.position < self.intervals[tempo_of] / params.observation_lambda
        self._lambda = float(params.observation_lambda)
        ratio = self.intervals[None, :] / self.intervals[:, None]
        smooth = np.exp(-params.tempo_lambda * np.abs(ratio - 1.0))
        smooth /= smooth.sum(axis=1, keepdims=True)
        far = np.exp(-params.jump_octave_decay * np.abs(np.log2(ratio)))
        far /= far.sum(axis=1, keepdims=True)
        jump = params.tempo_jump_prob
        self.transition = (1.0 - jump) * smooth + jump * far
        self.alpha = np.full(n, 1.0 / n)
        self.delay = round(params.decision_delay_s * fps)
        self._act: list[float] = []
        self._act_start = 0  # frame of self._act[0]
        self._frame = 0
        self._last_beat = -math.inf

    def step(self, activation: float) -> BeatDecision | None:
        """Add the next frame's activation; return the beat decided at this frame, if any."""
        a = min(max(float(activation), 1e-6), 1.0 - 1e-6)
        prev = self.alpha
        new = np.empty_like(prev)
        new[1:] = prev[:-1]
        new[self.first] = prev[self.last] @ self.transition
        new *= np.where(self.is_beat, a, (1.0 - a) / (self._lambda - 1.0))
        total = new.sum()
        self.alpha = new / total if total > 0 else np.full(new.size, 1.0 / new.size)
        self._act.append(a)
        t = self._frame
        self._frame += 1
        state = int(np.argmax(self.alpha))
        tempo = int(np.searchsorted(self.first, state, side="right") - 1)
        since = int(self.position[state])
        interval = int(self.intervals[tempo])
        if not self.delay <= since <= self.delay + 2 or since >= interval // 2:
            return None
        onset = t - since
        if onset - self._last_beat < 0.6 * interval:
            return None
        frame = self._refine(onset, t, interval)
        self._last_beat = onset
        return BeatDecision(frame=frame, decided_frame=t, bpm=60.0 * self.fps / interval)

    def _refine(self, onset: int, now: int, interval: int) -> float:
        """The activation's peak within the beat's range around ``onset`` (frames heard)."""
        reach = max(1, math.ceil(interval / self._lambda))
        lo = max(self._act_start, onset - reach)
        hi = min(now, onset + reach)
        window = np.asarray(self._act[lo - self._act_start : hi - self._act_start + 1])
        peak = lo + int(np.argmax(window)) if window.size else onset
        keep = 4 * int(self.intervals[-1])
        if len(self._act) > 2 * keep:  # bounded memory: the last frames only
            drop = len(self._act) - keep
            self._act = self._act[drop:]
            self._act_start += drop
        return float(peak)
