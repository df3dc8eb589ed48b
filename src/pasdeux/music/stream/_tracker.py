"""The causal beat tracker: the forward algorithm over madmom's beat state space, with
tempo jumps, and a challenger that takes over when it explains the music clearly better.

The state space is madmom's (Krebs, Böck and Widmer, ISMIR 2015): a state is a tempo
(a whole beat period in frames, 28 to 109 frames for 55 to 215 BPM at 100 frames a
second) and a position within that beat; each frame moves a state one position on, and
at the end of a beat the tempo may change. madmom's online tracker changes tempo only
smoothly (``exp(-100 |ratio - 1|)``: a 25 % jump has a probability of e^-25) and so takes
many beats to follow an abrupt change; here a small probability (``tempo_jump_prob``) of
jumping to any tempo is mixed in. A jump's new tempo is the likelier the nearer it is
(its weight falls by ``jump_octave_decay`` nepers an octave), so that a tempo halved or
doubled is not taken for a change. The observation is madmom's: the network's activation
in the first ``1 / observation_lambda`` of a beat, its complement spread over the rest.

Two hypotheses run side by side. The incumbent hears mostly the network, which is steady
but remembers the old tempo, or falls nearly silent, for a few beats after an abrupt
change. The challenger hears mostly the onsets' peaks (the spectral flux above its running
floor, sharpened) and jumps tempo readily (``challenger_jump_prob``). The incumbent's beats
are reported; the challenger takes over (the incumbent adopts its beliefs) only when
(a) the incumbent's last beat was not heard: the network and the onsets there are both
below ``lost_ratio`` of their running means at heard beats; (b) the challenger's beat
differs from what the incumbent foresees (another period, or off its beats by
``differ_share`` of a period, within ``switch_ratio_max``: an octave is no change); and
(c) the music confirms the challenger's grid: at its beat and the ``confirm_beats`` before
it, a period apart, the network or the onsets reach ``confirm_ratio`` of their running
means, ``switch_margin`` times as well as the incumbent's beats over the span. So after
an abrupt change the period comes from the last two or three onsets at once, not from a
tempo walk, and steady music, whose beats are heard, never switches. A beat that stands
for the incumbent's unheard one (less than 0.6 of a period after it) says so, and one
that follows a gap of unreported beats counts them (``count_step``), so
that the bars are counted on from the take-over as the music plays them.

A tapper acts before either filter can: like a listener tapping along, it takes the
period from the last three onsets. When a strong onset peak falls two new periods after
one of the incumbent's beats, with an onset half way, and the incumbent's beats between
are heard more weakly than both (the first of them weakly in the network too), the
incumbent is re-seated on that period at once and the beat is reported: after an abrupt
change the second new beat is found on time. One interval is all it has heard, so a
syncopated figure (onsets at 0, 1.25 and 2.5 beats with the beat between silent) looks
the same; at the tapped grid's next beat, when the old grid's beat before it is heard
better than it, the incumbent goes back to the old grid and reports that beat late.

Often the incumbent jumps of its own accord at a new beat, but to a period its belief
happens to favour (a slow-down's beat read at two thirds of the tempo, or at double
time), and the next beat goes astray. So for ``tap_own_beats`` of its beats after its
own jump from a held tempo, the tapper listens as before the jump (to the old period, and
its own new beat at the tapped grid's middle is no old beat): when the incumbent has
itself reported the tapped beat, it is re-seated on the tapped period (not reported
again), and like a halving this holds its tempo off ``octave_low_jump_min`` times as fast
for ``octave_window_beats`` beats.

After a slow-down, a slower tempo's off-beats (eighths half way between its beats) fall
where a tempo twice as fast puts beats, and the forward filter, which counts any
activation above ``1 / observation_lambda`` for a beat, often settles there. The network
knows better: it hears the off-beats much more weakly than the beats. So for a few beats
after a change of the incumbent's tempo (a take-over or its own jump) from a tempo it
had held for ``octave_held_beats`` beats (not while it settles), an octave referee
compares its beats in pairs: when every other one is clearly weaker in the network
(``octave_ratio``), the incumbent goes on at half the tempo from the strong ones. Its own
jumps stay within ``jump_ratio_max`` (no octave), so that it does not jump straight back.
Some off-beats (a polka's pahs, a ska's skank) the network hears nearly as well as the
beats once the tempo has changed, but they carry no bass: after a change to a tempo
``octave_low_jump_min`` times as fast or more (a slow-down read at double time), every
other beat clearly weaker in the low band (``octave_low_ratio``) halves the tempo too. The
observation still favours the doubled grid (an off-beat heard at 0.5 is a beat for it and
costs the halved one), so for ``octave_window_beats`` beats after a halving the incumbent
keeps off tempos ``octave_low_jump_min`` times as fast, which it would otherwise walk
back to jump by jump.

Decisions: at each frame the incumbent's most likely state says how many frames ago its
beat began; when that is the decision delay, the beat is reported at the observation's
peak near that frame, with the tempo of that state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pasdeux.music.stream._params import StreamParams

__all__ = ["BeatDecision", "ForwardBeatTracker"]

Vector = NDArray[np.float64]


@dataclass(frozen=True)
class BeatDecision:
    """A beat decided at frame ``decided_frame``: it fell on frame ``frame`` (fractional
    after the peak's refinement) at ``bpm``; ``count_step`` beats after the last one
    reported: 1, or, when the challenger took over, 0 (this beat stands for the last,
    which the music did not play) or more (beats fell unreported between them)."""

    frame: float
    decided_frame: int
    bpm: float
    count_step: int = 1


@dataclass(frozen=True)
class _TapCheck:
    """What the tapper's next beat is checked against (see ``_untap_if_old``): the
    tapped beat's frame and its next's (``due``), the old grid's ``anchor`` and period
    (``old_interval``), the incumbent's held count before the tap and the beats counted
    from the anchor to the tapped beat."""

    beat: int
    due: int
    anchor: int
    old_interval: int
    old_held: int
    counted: int


@dataclass(frozen=True)
class _OwnJump:
    """The incumbent's own jump from a tempo it had held: the period (``interval``) and
    held count it jumped from, and its beats since (``beats``, the jump's first)."""

    interval: int
    held: int
    beats: int = 1


class _Space:
    """madmom's beat state space for ``params``' tempo range at ``fps`` frames a second."""

    def __init__(self, params: StreamParams, fps: float) -> None:
        lo = round(60.0 * fps / params.max_bpm)
        hi = round(60.0 * fps / params.min_bpm)
        self.intervals = np.arange(lo, hi + 1, dtype=np.int64)
        self.first = np.concatenate(([0], np.cumsum(self.intervals)[:-1]))
        self.last = np.cumsum(self.intervals) - 1
        self.size = int(self.intervals.sum())
        tempo_of = np.repeat(np.arange(self.intervals.size), self.intervals)
        self.position = np.arange(self.size) - self.first[tempo_of]
        self.period_of = self.intervals[tempo_of]
        is_beat = self.position < self.intervals[tempo_of] / params.observation_lambda
        self.beat_states = np.flatnonzero(is_beat)
        self.obs_lambda = float(params.observation_lambda)
        ratio = self.intervals[None, :] / self.intervals[:, None]
        smooth = np.exp(-params.tempo_lambda * np.abs(ratio - 1.0))
        self.smooth = smooth / smooth.sum(axis=1, keepdims=True)
        self.far = np.exp(-params.jump_octave_decay * np.abs(np.log2(ratio)))
        self.ratio = np.maximum(ratio, 1.0 / ratio)

    def transition(self, jump_prob: float, ratio_max: float) -> NDArray[np.float64]:
        """Tempo transition at a beat's end: smooth, or a jump with ``jump_prob`` to a
        tempo less than ``ratio_max`` times faster or slower."""
        far = np.where(self.ratio < ratio_max, self.far, 0.0)
        far /= far.sum(axis=1, keepdims=True)
        mixed: NDArray[np.float64] = (1.0 - jump_prob) * self.smooth + jump_prob * far
        return mixed

    def off_beat(self, a: float) -> float:
        """The observation's likelihood outside a beat, for activation ``a``."""
        return (1.0 - a) / (self.obs_lambda - 1.0)


class _Filter:
    """One forward filter over a :class:`_Space` with its own tempo transition."""

    def __init__(self, space: _Space, jump_prob: float, ratio_max: float = math.inf) -> None:
        self.space = space
        self.transition = space.transition(jump_prob, ratio_max)
        self.alpha: Vector = np.full(space.size, 1.0 / space.size)

    def predict(self) -> Vector:
        """The state distribution one frame on, before its observation."""
        s, prev = self.space, self.alpha
        new = np.empty_like(prev)
        new[1:] = prev[:-1]
        new[s.first] = prev[s.last] @ self.transition
        return new

    def update(self, prior: Vector, a: float) -> None:
        """Weigh ``prior`` by the observation ``a`` and keep it as the new belief."""
        off = self.space.off_beat(a)
        new = prior * off
        new[self.space.beat_states] *= a / off
        total = float(new.sum())
        self.alpha = new / total if total > 0 else np.full(new.size, 1.0 / new.size)


class ForwardBeatTracker:
    """Beats of a beat activation and onset peaks fed frame by frame (see the module
    docstring).

    Parameters
    ----------
    params
        The tunables.
    fps
        Frames a second of the activation.
    """

    def __init__(self, params: StreamParams, fps: float) -> None:
        self.fps = fps
        self.params = params
        self.space = _Space(params, fps)
        self.intervals = self.space.intervals
        self._incumbent = _Filter(self.space, params.tempo_jump_prob, params.jump_ratio_max)
        self._challenger = _Filter(self.space, params.challenger_jump_prob)
        self.switches = 0
        self.delay = round(params.decision_delay_s * fps)
        self._typical = np.zeros(2)  # running means of the network and the onsets at beats
        self._typical_keep = 0.5 ** (1.0 / params.typical_halflife_beats)
        self._missed = False  # whether the incumbent's last beat was heard by neither
        self._heard: list[tuple[float, float, float]] = []  # observation, network, onsets
        self._heard_start = 0  # frame of self._heard[0]
        self._changed_from = 1  # the incumbent's period before its last change of tempo
        self._low: list[float] = []  # the low band's onsets, frame by frame like _heard
        self._frame = 0
        self._last_beat = -math.inf
        self._interval = int(self.intervals[-1])  # of the incumbent's last beat
        self._count_step = 1  # the next beat's count step (not 1 after a take-over)
        self._recent: list[int] = []  # the incumbent's last beats
        self._rival_beats = [-math.inf, -math.inf]  # the challenger's last two beats
        # (onset, network activation, low band) of the beats since a change of tempo, if recent
        self._since_change: list[tuple[int, float, float]] | None = None
        self._held = 0  # the incumbent's beats in a row at about the same tempo
        self._octave_floor: tuple[int, int] | None = None  # (shortest period, until frame)
        self._settled = -math.inf  # the incumbent's last re-seat: the tapper's anchors follow it
        self._tap_slack = max(1, round(self.params.tap_slack_s * self.fps))  # frames
        self._tap_check: _TapCheck | None = None  # the last tap, until its next beat
        self._own_jump: _OwnJump | None = None  # the incumbent's own jump, if recent
        self._last_frame = -1  # the incumbent's last beat as reported (the refined frame)
        self.untaps = 0
        self.taps = 0

    def step(
        self, activation: float, onset: float, peak: float, low: float = 0.0
    ) -> BeatDecision | None:
        """Add the next frame's network ``activation``, ``onset`` strength (the flux over
        its running peak) and onset ``peak`` strength (the flux above its running floor,
        sharpened; all in [0, 1]) and the low band's flux ``low`` (kick and bass; only
        compared with itself); return the beat decided at this frame, if any."""
        p = self.params
        net, onset, peak = _clip(activation), _clip(onset), _clip(peak)
        a = (1.0 - p.onset_weight) * net + p.onset_weight * onset
        self._incumbent.update(self._incumbent.predict(), a)
        self._hold_octave()
        w = p.challenger_onset_weight
        self._challenger.update(self._challenger.predict(), (1.0 - w) * net + w * peak)
        self._heard.append((a, net, onset))
        self._low.append(float(low))
        t = self._frame
        self._frame += 1
        rival = _due(self.space, self._challenger.alpha, t, self.delay)
        if rival is not None and rival[0] - self._rival_beats[-1] >= 0.6 * rival[1]:
            self._rival_beats = [self._rival_beats[-1], rival[0]]
            if self._missed and self._differs(*rival) and self._confirmed(*rival, now=t):
                self._take_over(rival[1])
        decision = self._tapped(t) or self._decide(t)
        self._trim()
        return decision

    def _confirmed(self, onset: int, interval: int, *, now: int) -> bool:
        """Whether the music confirms the challenger's beat at ``onset``: at it and at the
        ``confirm_beats`` beats before it on its grid, the network or the onsets reach
        ``confirm_ratio`` of their running means at heard beats, and those beats are
        heard ``switch_margin`` times as well as the incumbent's over the same span."""
        p = self.params
        grid = [onset - k * interval for k in range(p.confirm_beats + 1)]
        theirs = [self._relative(b, now, interval) for b in grid]
        if min(theirs) < p.confirm_ratio:
            return False
        since = onset - (p.confirm_beats + 0.5) * interval
        mine = [self._relative(b, now, self._interval) for b in self._recent if b > since]
        return bool(np.mean(theirs) >= p.switch_margin * np.mean(mine)) if mine else True

    def _relative(self, onset: int, now: int, interval: int) -> float:
        """How well the beat at ``onset`` is heard: the network's or the onsets' value at
        it over their running mean at heard beats, whichever is larger."""
        typical = np.maximum(self._typical, 1e-6)
        return float(np.max(self._strength(onset, now, interval) / typical))

    def _differs(self, onset: int, interval: int) -> bool:
        """Whether the challenger's beat at ``onset`` (at ``interval``) is not one the
        incumbent foresees: another tempo, or off its beats."""
        mine = self._interval
        if max(interval / mine, mine / interval) > self.params.switch_ratio_max:
            return False  # another octave of the same beat, not a change of tempo
        if abs(interval - mine) > self.params.differ_share * mine:
            return True
        ahead = (onset - self._last_beat) / mine
        return bool(abs(ahead - round(ahead)) * mine > self.params.differ_share * mine)

    def _take_over(self, interval: int) -> None:
        """The challenger's beliefs at periods within ``switch_ratio_max`` of its beat's
        ``interval`` become the incumbent's (its last beat with them): its other octaves
        are left behind."""
        ratio = self.space.period_of / interval
        near = np.maximum(ratio, 1.0 / ratio) < self.params.switch_ratio_max
        alpha = np.where(near, self._challenger.alpha, 0.0)
        self._incumbent.alpha = alpha / alpha.sum()
        if self._last_beat > -math.inf:
            self._count_step = round((self._rival_beats[1] - self._last_beat) / interval)
        self._last_beat = self._rival_beats[0]
        self._missed = False
        self._since_change = [] if self._held >= self.params.octave_held_beats else None
        self._changed_from = self._interval
        self._held = 0
        self._settled = self._last_beat
        self.switches += 1

    def _decide(self, t: int) -> BeatDecision | None:
        """The incumbent's beat decided at frame ``t``, if any; whether it was heard."""
        due = _due(self.space, self._incumbent.alpha, t, self.delay)
        if due is None:
            return None
        onset, interval = due
        if onset - self._last_beat < 0.6 * interval:
            return None
        first, window = self._window(onset, t, interval)
        heard = _largest(window)
        self._missed = bool(np.all(heard < self.params.lost_ratio * self._typical))
        # the observation's peak within the beat's range
        frame = float(first + int(np.argmax(window[:, 0]))) if window.size else float(onset)
        if not self._missed:
            keep = self._typical_keep
            self._typical = keep * self._typical + (1.0 - keep) * heard
        self._note_own_jump(interval)
        self._last_frame = round(frame)
        jumped = abs(interval - self._interval) > self.params.differ_share * self._interval
        if jumped and self._held >= self.params.octave_held_beats:
            self._since_change = []  # the incumbent's own jump from a settled tempo
            self._changed_from = self._interval
        self._held = 0 if jumped else self._held + 1
        if self._since_change is not None:
            lows = self._low[first - self._heard_start : first - self._heard_start + len(window)]
            self._since_change = [
                *self._since_change,
                (onset, float(heard[0]), max(lows, default=0.0)),
            ]
        self._last_beat = onset
        self._interval = interval
        self._recent = [*self._recent[-7:], onset]
        step, self._count_step = self._count_step, 1
        decision = BeatDecision(
            frame=frame, decided_frame=t, bpm=60.0 * self.fps / interval, count_step=step
        )
        self._halve_if_double(t)
        return decision

    def _note_own_jump(self, interval: int) -> None:
        """Keep track of the incumbent's own jump from a tempo held ``tap_held_beats``
        beats, for ``tap_own_beats`` of its beats (see ``_tapped``)."""
        p, own = self.params, self._own_jump
        if own is not None:
            more = own.beats + 1
            self._own_jump = (
                _OwnJump(own.interval, own.held, more) if more <= p.tap_own_beats else None
            )
            return
        moved = abs(interval - self._interval) > p.tap_change_min * self._interval
        if moved and self._held >= p.tap_held_beats and p.tap_own_beats > 0:
            self._own_jump = _OwnJump(self._interval, self._held)

    def _tapped(self, t: int) -> BeatDecision | None:
        """The tapper's beat decided at frame ``t``, if any (see ``StreamParams``): a
        strong onset peak two new periods after one of the incumbent's heard beats, with
        an onset half way, where the incumbent's beats between them are heard more weakly
        than both, re-seats the incumbent on the new period and is reported; or, soon
        after the incumbent's own jump, when it reported that beat itself, only re-seats
        it (``_retap``)."""
        p = self.params
        beat = t - self.delay
        check = self._tap_check
        if check is not None and beat >= check.due - self.delay:
            self._tap_check = None  # checked once, at the tapped grid's next beat
            late = self._untap_if_old(t, check)
            if late is not None:
                return late
        if p.tap_confirm_ratio <= 0:
            return None
        own = self._own_jump
        old, held = (own.interval, own.held) if own else (self._interval, self._held)
        if held < p.tap_held_beats:
            return None
        retap = own is not None and abs(beat - self._last_frame) <= self._tap_slack
        if not retap and beat - self._last_beat < p.tap_gap_min_periods * self._interval:
            return None
        typical = max(float(self._typical[1]), 1e-6)
        strength = self._onset_peak(beat, t)
        if strength < p.tap_confirm_ratio * typical:
            return None
        lo, hi = self.intervals[0], self.intervals[-1]
        for anchor in reversed(self._recent):
            if anchor < self._settled:
                break
            period = (beat - anchor) / 2.0
            ratio = period / old
            if ratio > p.tap_ratio_max or period > hi:
                break
            if ratio < 1.0 / p.tap_ratio_max or abs(ratio - 1.0) < p.tap_change_min or period < lo:
                continue
            if self._tap_fits(anchor, beat, period, strength):
                tapped = self._tap_phase(anchor, beat, period, strength)
                if retap:
                    if tapped == beat:
                        self._retap(t, beat, period)
                    return None
                if tapped <= self._last_beat + self._tap_slack:
                    return None
                return self._reseat(t, tapped, period, anchor, (old, held))
        return None

    def _retap(self, t: int, beat: int, period: float) -> None:
        """The incumbent, which has just jumped and reported the beat at ``beat``
        itself, re-seated on the tapper's ``period`` from it (not reported again); for
        ``octave_window_beats`` beats it keeps off tempos ``octave_low_jump_min`` times
        as fast (the off-beats, which its observation hears as beats too)."""
        if not self._seat(t - beat, period):
            return
        self._own_jump = None
        self._interval, self._last_beat = round(period), max(self._last_beat, beat)
        self._settled = beat
        p = self.params
        self._octave_floor = (
            int(period / p.octave_low_jump_min),
            t + round(p.octave_window_beats * period),
        )

    def _tap_phase(self, anchor: int, beat: int, period: float, strength: float) -> int:
        """The tapped grid's last beat: ``beat``, or half a period before it when the
        onsets half way between the grid's beats (from ``anchor + period / 2``) are
        ``tap_phase_margin`` times as strong as its two new beats: the anchor was an
        off-beat of the new tempo (an old beat heard after the change), so the grid is
        half a beat out of phase."""
        slack = self._tap_slack
        on = self._onset_near(round(anchor + period), slack) + strength
        off = sum(self._onset_near(round(anchor + k * period), slack) for k in (0.5, 1.5))
        shifted = off > self.params.tap_phase_margin * on
        return round(beat - period / 2.0) if shifted else beat

    def _tap_fits(self, anchor: int, beat: int, period: float, strength: float) -> bool:
        """Whether the onsets confirm the tapper's grid from ``anchor`` to ``beat``: the
        anchor is heard, so is the beat half way, and the incumbent's beats between are
        heard more weakly than both new beats, and weakly by the network."""
        p = self.params
        slack = self._tap_slack
        typical = np.maximum(self._typical, 1e-6)
        if self._onset_near(anchor, slack) < p.tap_confirm_ratio * typical[1]:
            return False
        middle = self._onset_near(round(anchor + period), slack)
        if middle < p.tap_middle_ratio * typical[1]:
            return False
        between = [b for b in self._recent if anchor < b < beat - slack]
        if self._own_jump is not None:  # the incumbent's own beat at the middle is a new one
            between = [b for b in between if abs(b - (anchor + period)) > slack]
        if not between:
            return False
        for b in between:
            net, onset = self._strength(b, beat, self._interval)
            if onset >= min(middle, strength):
                return False  # the old grid is heard as well as the new one
            if b == between[0] and (
                onset >= p.tap_old_ratio * typical[1] or net >= p.tap_net_ratio * typical[0]
            ):
                return False  # the old grid's next beat is heard
        return True

    def _onset_peak(self, frame: int, now: int) -> float:
        """The onset at ``frame`` if it is the largest from the frame before it to ``now``."""
        rows = self._heard[max(0, frame - 1 - self._heard_start) : now + 1 - self._heard_start]
        onsets = [row[2] for row in rows]
        return onsets[1] if len(onsets) > 1 and onsets[1] >= max(onsets) else 0.0

    def _onset_near(self, frame: int, slack: int) -> float:
        """The largest onset within ``slack`` frames of ``frame``."""
        lo = max(0, frame - slack - self._heard_start)
        rows = self._heard[lo : max(lo, frame + slack + 1 - self._heard_start)]
        return max((row[2] for row in rows), default=0.0)

    def _untap_if_old(self, t: int, check: _TapCheck) -> BeatDecision | None:
        """At the tapped grid's next beat (``check``): when the old grid's beat before it
        was heard better than it, the change was a syncopation: the incumbent goes back
        to the old grid (its belief, period, held count and last beat), and that beat, if
        it fell after the tapper's, is reported late."""
        tapped, due, anchor = check.beat, check.due, check.anchor
        old, held, counted = check.old_interval, check.old_held, check.counted
        slack = self._tap_slack
        counted += sum(1 for b in self._recent if b > tapped)
        olds = [anchor + k * old for k in range(1, 8) if tapped + slack < anchor + k * old]
        olds = [b for b in olds if b < due - slack]
        if not olds or max(self._relative(b, t, old) for b in olds) <= self._relative(
            due, t, self._interval
        ):
            return None
        ahead = (t - anchor) // old  # the old grid's last beat before now
        last = anchor + ahead * old
        if not self._seat(t - last, old):
            return None
        self._interval, self._held, self._settled = old, held, t
        self.untaps += 1
        if last <= max(self._recent[-1], tapped) + slack:
            self._count_step = max(0, ahead + 1 - counted)
            self._last_beat = last
            return None
        self._last_beat, self._count_step = last, 1
        self._recent = [*self._recent[-7:], last]
        bpm = 60.0 * self.fps / old
        return BeatDecision(frame=float(last), decided_frame=t, bpm=bpm, count_step=ahead - counted)

    def _seat(self, position: int, period: float) -> bool:
        """The incumbent's belief on ``period``, ``position`` frames into its beat."""
        s = self.space
        seat = (np.abs(s.period_of - period) <= 1.0) & (s.position == position)
        if not np.any(seat):
            return False
        self._incumbent.alpha = seat / float(np.sum(seat))
        return True

    def _reseat(
        self, t: int, beat: int, period: float, anchor: int, old: tuple[int, int]
    ) -> BeatDecision | None:
        """The incumbent on ``period`` from the beat at frame ``beat``, reported; ``old``
        the (period, held count) of the grid it leaves."""
        if not self._seat(t - beat, period):
            return None
        interval = round(period)
        step = max(0, round((beat - self._last_beat) / period)) if self._recent else 1
        counted = sum(1 for b in self._recent if b > anchor) + step
        self._changed_from = old[0]
        self._tap_check = _TapCheck(
            beat=beat,
            due=beat + interval,
            anchor=anchor,
            old_interval=old[0],
            old_held=old[1],
            counted=counted,
        )
        self._last_beat, self._interval, self._missed = beat, interval, False
        self._recent = [*self._recent[-7:], beat]
        self._since_change = [] if old[1] >= self.params.octave_held_beats else None
        self._own_jump = None
        self._held, self._count_step, self._settled = 0, 1, beat
        self.taps += 1
        return BeatDecision(
            frame=float(beat), decided_frame=t, bpm=60.0 * self.fps / interval, count_step=step
        )

    def _halve_if_double(self, t: int) -> None:
        """Soon after a change of tempo, when every other one of the incumbent's beats is
        clearly weaker in the network (``octave_ratio`` of the beats between them, over
        ``octave_pairs`` pairs), or, after a change to a tempo ``octave_low_jump_min``
        times as fast or more, in the low band (``octave_low_ratio``), it has taken the
        off-beats for beats (a slower tempo's eighths): it goes on at half the tempo, on
        the strong beats."""
        p, beats = self.params, self._since_change
        if beats is None or len(beats) > p.octave_window_beats:
            self._since_change = None
            return
        n = 2 * p.octave_pairs
        if len(beats) < n or p.octave_ratio <= 0:
            return
        odd_strong = _alternate([b[1] for b in beats[-n:]], p.octave_ratio)
        doubled = self._interval * p.octave_low_jump_min < self._changed_from
        if odd_strong is None and p.octave_low_ratio > 0 and doubled:
            odd_strong = _alternate([b[2] for b in beats[-n:]], p.octave_low_ratio)
        if odd_strong is None:
            return
        period = 2 * self._interval
        if period > self.intervals[-1]:
            return
        anchor = beats[-1][0] if odd_strong else beats[-2][0]
        s = self.space
        seat = (np.abs(s.period_of - period) <= 1) & (s.position == t - anchor)
        if not np.any(seat):
            return
        self._incumbent.alpha = seat / float(np.sum(seat))
        self._last_beat = anchor
        self._interval = int(period)
        self._since_change = None
        self._held = 0
        self._settled = anchor
        self._octave_floor = (
            int(period / p.octave_low_jump_min),
            t + p.octave_window_beats * period,
        )

    def _hold_octave(self) -> None:
        """For ``octave_window_beats`` beats after a halving, the incumbent does not walk
        back (jump by jump) to a tempo ``octave_low_jump_min`` times as fast or more: the
        off-beats it halved away are heard as beats by the observation too."""
        if self._octave_floor is None:
            return
        floor, until = self._octave_floor
        if self._frame > until:
            self._octave_floor = None
            return
        alpha = np.where(self.space.period_of >= floor, self._incumbent.alpha, 0.0)
        total = float(alpha.sum())
        if total > 0:
            self._incumbent.alpha = alpha / total

    def _window(self, onset: int, now: int, interval: int) -> tuple[int, NDArray[np.float64]]:
        """The first frame and the rows (observation, network, onsets) heard within the
        beat's range around ``onset``."""
        reach = max(1, math.ceil(interval / self.space.obs_lambda))
        lo = max(self._heard_start, onset - reach)
        hi = min(now, onset + reach)
        rows = self._heard[lo - self._heard_start : hi - self._heard_start + 1]
        return lo, np.asarray(rows, dtype=float).reshape(-1, 3)

    def _strength(self, onset: int, now: int, interval: int) -> NDArray[np.float64]:
        """The network's and the onsets' largest values at the beat at ``onset``."""
        return _largest(self._window(onset, now, interval)[1])

    def _trim(self) -> None:
        """Bounded memory: the last frames only."""
        keep = 4 * int(self.intervals[-1])
        if len(self._heard) > 2 * keep:
            drop = len(self._heard) - keep
            self._heard = self._heard[drop:]
            self._low = self._low[drop:]
            self._heard_start += drop


def _alternate(values: list[float], ratio: float) -> bool | None:
    """Whether every other one of ``values`` (an even count) is clearly weaker than the
    ones between (each below its neighbour, on average below ``ratio`` of them): True
    when the strong ones are the odd ones (the last value's parity), False when the even
    ones, None when neither."""
    x = np.asarray(values, dtype=float)
    odd, even = x[1::2], x[0::2]
    strong, weak = (odd, even) if odd.mean() >= even.mean() else (even, odd)
    if not np.all(weak < strong) or weak.mean() >= ratio * strong.mean():
        return None
    return strong is odd


def _due(space: _Space, alpha: Vector, t: int, delay: int) -> tuple[int, int] | None:
    """(onset frame, interval) of the beat whose decision falls at frame ``t`` by the most
    likely state of ``alpha``, if one does."""
    state = int(np.argmax(alpha))
    tempo = int(np.searchsorted(space.first, state, side="right") - 1)
    since = int(space.position[state])
    interval = int(space.intervals[tempo])
    if not delay <= since <= delay + 2 or since >= interval // 2:
        return None
    return t - since, interval


def _largest(window: NDArray[np.float64]) -> NDArray[np.float64]:
    """The network's and the onsets' largest values in the rows of ``window``."""
    return window[:, 1:].max(axis=0) if window.shape[0] else np.zeros(2)


def _clip(x: float) -> float:
    return min(max(float(x), 1e-6), 1.0 - 1e-6)
