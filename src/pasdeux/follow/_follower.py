"""The follower: reads the leader's motion frame by frame and dances her part.

Why a hidden Markov model and its forward algorithm (Rabiner 1989, "A tutorial on hidden
Markov models", the forward recursion) rather than a particle filter: the hidden state is
discrete and small (every step of the leader's part of every figure of one dance, at most
a few hundred states), so the exact filtered belief costs a matrix-vector product per step
and carries no sampling noise; the continuous quantities (tempo, where the couple is) are
not hidden here, they come from the beats heard and from the couple geometry module. The
shape of the model is that of online score following, where the state is the position in
a known sequence and the belief is updated causally as events arrive (Orio, Lemouton &
Schwarz 2003, "Score following: state of the art"; Cont 2010, a coupled event and duration
model), with the figure grammar in place of the score: a figure may be followed by any
figure the library's ``follows`` rules allow. Two things are taken from how partners
actually dance: the lead arrives before the step (studies of partnered dance and physical
human-human interaction find the leader's body and the connection move first and the
follower's step follows; e.g. Sawers, Bhattacharjee, McKay, Hackney, Kemp & Ting 2017,
"Small forces that differ with prior motor experience can communicate movement goals
during human-human physical interaction"), so between his steps she reads the lead (which
foot left the floor, where his body has begun to go, his hands) as partial evidence for
the next state; and timing, the beats between his steps along each transition, as an
observation of the transition itself (duration-aware, as in Cont's model).

Her steps: when one of his steps lands she dances the steps of her part that go with the
step she believes he took, timed from his landing and the beats heard, each placed by the
geometry module: replayed from where she is, then moved at most ``recovery_max_m`` (and
turned at most ``recovery_max_deg``) towards where the hold wants her relative to him, so
a wrong guess is mended over the next steps instead of by a jump.
"""

from __future__ import annotations

import math
from dataclasses import fields, replace

import numpy as np
from numpy.typing import NDArray

from pasdeux.dances import DanceStyle, Figure, Position
from pasdeux.dances.geometry import (
    POSITIONS_GEOMETRY,
    DancerPose,
    ReplayedStep,
    replay_figure,
)
from pasdeux.follow._model import (
    Grammar,
    Templates,
    build_grammar,
    figure_templates,
    in_frame,
    wrap,
)
from pasdeux.follow._params import FollowParams
from pasdeux.follow._reading import Felt, gap_likelihood, lead_loglik, step_loglik
from pasdeux.follow._types import FollowerStep, HandContact, LeaderFrame

__all__ = ["Follower"]


#: Two landing times this close (s) are one landing (the same step, timed again when a
#: window of his motion is made anew).
_SAME_LANDING_S = 1e-3


_TEMPLATE_FIELDS = tuple(f.name for f in fields(Templates))
"""The columns of :class:`Grammar` a replayed figure gives anew."""


class Follower:
    """A follower who knows a dance's figures (both parts) and reads the leader causally.

    She is given one :class:`LeaderFrame` at a time (:meth:`feel`) and nothing else: not the
    routine, not his figures' names.

    Parameters
    ----------
    style
        The dance they dance (its figures and their ``follows`` rules).
    params
        Tunables (:class:`FollowParams`).
    position
        The couple position they stand in before the first step.
    """

    def __init__(
        self,
        style: DanceStyle,
        *,
        params: FollowParams | None = None,
        position: Position = "closed",
    ) -> None:
        self.params = params or FollowParams()
        self.grammar: Grammar = build_grammar(style, self.params)
        self._position: Position = position
        self._beats: list[float] = []
        self._down = (True, True)
        self._last: tuple[float, NDArray[np.float64], float, float] | None = None
        self._alpha: NDArray[np.float64] | None = None
        self._prior = self.grammar.start.copy()
        self._steps_taken = 0
        self._now: int | None = None
        self._her: DancerPose | None = None
        self._last_frame: LeaderFrame | None = None
        self._state: int | None = None
        self._recovering = False
        # when the figure now danced began (his steps taken by then) and where he and she
        # stood then
        self._begun: tuple[int, DancerPose, DancerPose] | None = None
        # his hands at the previous frame (and his body and facing then): at a landing the
        # lead of his next step may already have moved them
        self._hands_before: tuple[tuple[HandContact, ...], tuple[float, float], float] | None = None
        self._period_cache = (0, 60.0 / self.params.default_bpm)
        # his feet (L, R) where they were at his last step (the stepping foot's travel)
        self._feet_last = np.zeros((2, 2))
        # when each of his feet last took his weight, as felt so far (from the first frame:
        # a landing before it is not taken for a new one)
        self._landed_s: list[float | None] = [None, None]
        # the previous frame
        self._seen: LeaderFrame | None = None
        # where he and she stood before each of his steps (by the step's number; the last
        # ones), the figures replayed from there (by figure and step number), and the
        # grammar whose templates for his next step are replayed from there
        self._starts: dict[int, tuple[DancerPose, DancerPose]] = {}
        self._replays: dict[tuple[int, int], Templates] = {}
        self._next: Grammar = self.grammar

    @property
    def figure(self) -> str | None:
        """The figure she believes he is leading now (``None`` before he moves)."""
        return None if self._now is None else self.grammar.figures[self._now].id

    @property
    def pose(self) -> DancerPose | None:
        """Where she is (a copy), ``None`` before the first frame."""
        return None if self._her is None else self._her.copy()

    def feel(self, frame: LeaderFrame) -> list[FollowerStep]:
        """Take in one frame of the leader; return the steps she decides on at it.

        Parameters
        ----------
        frame
            What she feels and sees of him now, and the beats heard since the last frame.

        Returns
        -------
        list[FollowerStep]
            Her steps that go with a step of his landing at this frame (empty otherwise),
            each with the time it lands (at his landing, or later in the same step group).
        """
        self._beats.extend(frame.new_beats_s)
        if self._her is None:
            self._begin(frame)
        down = (frame.left_foot_down, frame.right_foot_down)
        steps: list[FollowerStep] = []
        # a quick step may leave the floor and land between two frames (or a step in place
        # not move the foot): it is down at both, but his weight arrived on it
        arrived = self._weight_arrived(frame)
        landed_s = (frame.left_foot_landed_s, frame.right_foot_landed_s)
        stepped = [f for f in (0, 1) if arrived[f] or (down[f] and not self._down[f])]
        # two quick steps landing between the same two frames: in the order they landed
        for k, foot in enumerate(sorted(stepped, key=lambda f: landed_s[f] or frame.time_s)):
            at = self._as_landed(frame, landed_s[foot])
            steps += self._on_step(at, foot, frame.time_s, second=k == 1)
        self._down = down
        self._seen = frame
        self._landed_s = [
            now if now is not None else before
            for now, before in zip(landed_s, self._landed_s, strict=True)
        ]
        self._hands_before = (frame.hands, frame.body_xy_m, frame.facing_rad)
        self._now = self._read_lead(frame, down)
        return steps

    def _weight_arrived(self, frame: LeaderFrame) -> tuple[bool, bool]:
        """Per foot (L, R), whether his weight arrived on it since the previous frame."""

        def new(now: float | None, before: float | None) -> bool:
            return now is not None and (before is None or now > before + _SAME_LANDING_S)

        return (
            new(frame.left_foot_landed_s, self._landed_s[0]),
            new(frame.right_foot_landed_s, self._landed_s[1]),
        )

    def belief(self) -> dict[str, float]:
        """Her belief after his last step: each figure's probability (empty before it)."""
        if self._alpha is None:
            return {}
        sums = np.bincount(self.grammar.figure_of, weights=self._alpha)
        return {fig.id: float(p) for fig, p in zip(self.grammar.figures, sums, strict=False)}

    def _begin(self, frame: LeaderFrame) -> None:
        """She stands in the start position relative to where he is."""
        geometry = POSITIONS_GEOMETRY[self._position]
        body = np.array(frame.body_xy_m)
        offset = geometry.forward_m * _unit(frame.facing_rad) + geometry.right_m * _unit(
            frame.facing_rad - math.pi / 2
        )
        xy = body + offset
        self._her = DancerPose.standing(
            (float(xy[0]), float(xy[1])), wrap(frame.facing_rad + geometry.facing_rad)
        )
        self._last = (frame.time_s, body, frame.facing_rad, self._beat_at(frame.time_s))
        self._last_frame = frame
        self._feet_last = _feet(frame)
        self._landed_s = [frame.left_foot_landed_s, frame.right_foot_landed_s]
        self._seen = frame
        self._stand(frame)

    def _stand(self, frame: LeaderFrame) -> None:
        """Before his next step (his previous one landed at ``frame``, hers danced): note
        where both stand and read that step against his figures replayed from where each
        figure she may be in began."""
        assert self._her is not None
        n = self._steps_taken
        self._starts[n] = (_his_pose(frame), self._her.copy())
        longest = max(len(fig.leader) for fig in self.grammar.figures)
        for old in [k for k in self._starts if k < n - longest]:
            del self._starts[old]
        self._replays = {k: v for k, v in self._replays.items() if k[1] in self._starts}
        self._next = self._replayed(n)

    def _replayed(self, n: int) -> Grammar:
        """The grammar with the templates of the states his step number ``n`` is likely to
        be in (``replay_min_prob``) replayed from where their figure began: state (figure,
        k) began at his step ``n - k``."""
        g, p = self.grammar, self.params
        if p.reader != "grammar" or p.replay_min_prob >= 1.0:
            return g
        likely = np.flatnonzero(self._prior >= p.replay_min_prob)
        arrays = {name: getattr(g, name).copy() for name in _TEMPLATE_FIELDS}
        for s in likely:
            f, k = int(g.figure_of[s]), int(g.step_of[s])
            began = n - k
            if began not in self._starts:
                continue
            if (f, began) not in self._replays:
                him, her = self._starts[began]
                self._replays[(f, began)] = figure_templates(g.figures[f], p, him, her)
            replayed = self._replays[(f, began)]
            for name, values in arrays.items():
                values[s] = getattr(replayed, name)[k]
        return replace(g, **arrays)

    def _period_s(self) -> float:
        """The beat period: the median of the last beats heard (the default tempo before)."""
        heard = self._period_cache[0]
        if heard != len(self._beats) and len(self._beats) >= 2:
            recent = self._beats[-(self.params.beats_averaged + 1) :]
            self._period_cache = (len(self._beats), float(np.median(np.diff(recent))))
        return self._period_cache[1]

    def _beat_at(self, time_s: float) -> float:
        """Beats from the first beat heard (or from time 0 before any)."""
        if not self._beats:
            return time_s / self._period_s()
        return len(self._beats) - 1 + (time_s - self._beats[-1]) / self._period_s()

    def _felt(
        self, frame: LeaderFrame, foot: int | None, landing: bool = False, hands_now: bool = False
    ) -> Felt:
        """What she feels of his step (``landing``: the hands as they were while it was in
        the air, unless ``hands_now``: as at ``frame``) or of its lead so far."""
        assert self._last is not None
        _, body, facing, _ = self._last
        here = np.array(frame.body_xy_m)
        contacts, at, toward = frame.hands, frame.body_xy_m, frame.facing_rad
        if landing and not hands_now and self._hands_before is not None:
            contacts, at, toward = self._hands_before
        hands = np.zeros((2, 3))
        joined = np.zeros(2, dtype=bool)
        for hand, (x, y, up) in contacts:
            h = 0 if hand == "L" else 1
            hands[h, :2] = in_frame(np.array([x, y]) - np.array(at), toward)
            hands[h, 2] = up
            joined[h] = True
        foot_at = foot_move = None
        if foot is not None:
            xy = np.array(frame.right_foot_xy_m if foot else frame.left_foot_xy_m)
            foot_move = in_frame(xy - self._feet_last[foot], facing)
            if landing:
                foot_at = in_frame(xy - here, facing)
        return Felt(
            foot=foot,
            move_m=in_frame(here - body, facing),
            turn_rad=wrap(frame.facing_rad - facing),
            hands_m=hands,
            joined=joined,
            foot_at_m=foot_at,
            foot_move_m=foot_move,
        )

    def _as_landed(self, frame: LeaderFrame, landed_s: float | None) -> LeaderFrame:
        """Him as he was when his weight arrived at ``landed_s`` (between the previous frame
        and ``frame``; ``frame`` itself when she cannot tell when): his body and facing
        between the two, a foot that landed later where it was before (two quick steps
        between two frames are felt one after the other), his hands as at ``frame``."""
        before = self._seen
        if landed_s is None or before is None or landed_s >= frame.time_s:
            return frame
        u = max(0.0, (landed_s - before.time_s) / max(frame.time_s - before.time_s, 1e-9))
        body = np.add(before.body_xy_m, u * np.subtract(frame.body_xy_m, before.body_xy_m))
        facing = before.facing_rad + u * wrap(frame.facing_rad - before.facing_rad)
        later = [
            t is not None and t > landed_s + _SAME_LANDING_S
            for t in (frame.left_foot_landed_s, frame.right_foot_landed_s)
        ]
        return replace(
            frame,
            time_s=landed_s,
            body_xy_m=(float(body[0]), float(body[1])),
            facing_rad=wrap(facing),
            left_foot_xy_m=before.left_foot_xy_m if later[0] else frame.left_foot_xy_m,
            right_foot_xy_m=before.right_foot_xy_m if later[1] else frame.right_foot_xy_m,
        )

    def _on_step(
        self, frame: LeaderFrame, foot: int, felt_s: float, second: bool = False
    ) -> list[FollowerStep]:
        """One of his steps landed (``frame``: him as he was then, see :meth:`_as_landed`),
        felt at ``felt_s`` (``second``: after another step of his felt at the same frame):
        update the belief, dance her steps that go with it."""
        assert self._last is not None
        g, p = self.grammar, self.params
        read = self._next
        loglik = step_loglik(read, p, self._felt(frame, foot, landing=True))
        if second and self._hands_before is not None:
            # two of his steps landed between two frames: the hands during the second were
            # as at the frame before (its lead not begun) or as now (begun, the next not yet)
            felt = self._felt(frame, foot, True, True)
            loglik = np.maximum(loglik, step_loglik(read, p, felt))
        like = np.exp(loglik - loglik.max())
        beat = self._beat_at(frame.time_s)
        if p.reader == "basic":
            basic = np.flatnonzero(g.figure_of == g.basic)
            post = np.zeros(g.size)
            post[basic[self._steps_taken % len(basic)]] = 1.0
        elif p.reader == "nearest" or self._alpha is None:
            post = like * (g.start if p.reader == "grammar" else 1.0)
        else:
            moves = g.trans * gap_likelihood(g, p, beat - self._last[3])
            post = (self._alpha @ moves) * like
        if post.sum() <= 0:
            post = like
        self._alpha = post / post.sum()
        self._prior = self._alpha @ g.trans if p.reader == "grammar" else np.ones(g.size)
        self._steps_taken += 1
        self._last = (felt_s, np.array(frame.body_xy_m), frame.facing_rad, beat)
        self._feet_last = _feet(frame)
        before, self._last_frame = self._last_frame, frame
        assert before is not None
        state = int(np.argmax(self._alpha))
        self._track_recovery(state)
        steps = self._dance(state, before, felt_s)
        self._stand(frame)
        return steps

    def _track_recovery(self, state: int) -> None:
        """She is recovering from the step where her belief jumps (to a state the grammar
        does not lead to from the one she danced) until a figure begins as it may."""
        g = self.grammar
        before, self._state = self._state, state
        if before is None:
            return
        expected = g.trans[before, state] >= 0.5 / len(g.figures)
        if not expected:
            self._recovering = True
        elif g.step_of[state] == 0:
            self._recovering = False

    def _read_lead(self, frame: LeaderFrame, down: tuple[bool, bool]) -> int | None:
        """The figure she believes is led now: from the lead of his next step once it has
        begun, else from his last step."""
        g, p = self.grammar, self.params
        if p.reader == "basic":
            return g.basic
        up = [f for f in (0, 1) if not down[f]]
        felt = self._felt(frame, up[0] if len(up) == 1 else None)
        led = felt.foot is not None or float(np.hypot(*felt.move_m)) >= p.lead_min_m
        if not led and self._alpha is not None:
            return int(g.figure_of[int(np.argmax(self._alpha))])
        if not led and self._steps_taken == 0:
            return None
        loglik = lead_loglik(self._next, p, felt)
        belief = self._prior * np.exp(loglik - loglik.max())
        return int(g.figure_of[int(np.argmax(belief))])

    def _dance(self, state: int, before: LeaderFrame, time_s: float) -> list[FollowerStep]:
        """Her steps that go with his step of ``state``: his step and hers replayed together
        by the geometry module from where they were at his previous step (so that a turn
        in hold turns both about the couple's centre), then brought at most the recovery
        limits towards where the hold wants her."""
        assert self._her is not None
        g, p = self.grammar, self.params
        fig = g.figures[int(g.figure_of[state])]
        mine = g.her_steps[state]
        if int(g.step_of[state]) == 0:  # a figure begins: where both stand now
            self._begun = (self._steps_taken, _his_pose(before), self._her.copy())
        if not mine:
            return []
        in_figure = self._dance_in_figure(state, time_s)
        if in_figure is not None:
            return in_figure
        him = _his_pose(before)
        together = replace(
            fig,
            leader=(fig.leader[int(g.step_of[state])],),
            follower=tuple(fig.follower[j] for j, _ in mine),
        )
        free, held = self._her.copy(), self._her.copy()
        replay_figure(together, him.copy(), free, keep_hold=False)
        steps = [r for r in replay_figure(together, him, held) if r.role == "follower"]
        shift = held.body - free.body
        size = float(np.hypot(*shift))
        if self._recovering and size > p.recovery_max_m:
            shift = shift * (p.recovery_max_m / size)
        correction = shift - (held.body - free.body)  # undo what the limit forbids
        held.body = held.body + correction
        for foot in {r.step.foot for r in steps}:
            held.feet[foot] = held.feet[foot] + correction
        self._her = held
        if self._recovering:
            self._face_partner(fig.follower[mine[-1][0]].position, him.facing_rad)
        period = self._period_s()
        moved = float(np.hypot(*shift)) if self._recovering else 0.0
        return [
            self._her_step(
                fig,
                mine[r.index][0],
                r,
                time_s + max(0.0, mine[r.index][1]) * period,
                correction,
                moved,
            )
            for r in steps
        ]

    def _dance_in_figure(self, state: int, time_s: float) -> list[FollowerStep] | None:
        """Her steps of ``state`` when she has danced a step with each of his since a figure
        began: the figure replayed whole, up to these steps, from
        where both stood when it began (where the couple geometry puts her, as in a
        plan), if that is within ``recovery_max_m`` of where she is (a figure that began
        as another she took it for); ``None`` otherwise (then each step is replayed from
        where she is)."""
        assert self._her is not None
        g, p = self.grammar, self.params
        f, k = int(g.figure_of[state]), int(g.step_of[state])
        begun = self._begun
        if begun is None or self._steps_taken - begun[0] != k:
            return None
        mine = dict(g.her_steps[state])
        fig = g.figures[f]
        part = replace(fig, leader=fig.leader[: k + 1], follower=fig.follower[: max(mine) + 1])
        him, her = begun[1].copy(), begun[2].copy()
        replayed = [r for r in replay_figure(part, him, her) if r.role == "follower"]
        first = next(r for r in replayed if r.index in mine)
        moved = float(np.hypot(*np.subtract(first.body_before, self._her.body)))
        if moved > p.recovery_max_m:
            return None
        self._her = her
        period = self._period_s()
        moved = moved if moved > 1e-3 else 0.0
        return [
            self._her_step(
                fig, r.index, r, time_s + max(0.0, mine[r.index]) * period, np.zeros(2), moved
            )
            for r in replayed
            if r.index in mine
        ]

    def _face_partner(self, position: Position, his_facing_rad: float) -> None:
        """Turn her at most ``recovery_max_deg`` towards the position's relative facing when
        she is off it by more than its tolerance."""
        assert self._her is not None
        geometry = POSITIONS_GEOMETRY[position]
        off = wrap(his_facing_rad + geometry.facing_rad - self._her.facing_rad)
        if abs(off) > geometry.facing_tolerance_rad:
            limit = math.radians(self.params.recovery_max_deg)
            excess = off - math.copysign(geometry.facing_tolerance_rad, off)
            self._her.facing_rad = wrap(self._her.facing_rad + max(-limit, min(limit, excess)))

    def _her_step(
        self,
        fig: Figure,
        index: int,
        replayed: ReplayedStep,
        time_s: float,
        correction: NDArray[np.float64],
        recovery_m: float,
    ) -> FollowerStep:
        step = fig.follower[index]
        foot = np.add(replayed.foot_to, correction)
        body = np.add(replayed.body_after, correction)
        return FollowerStep(
            time_s=time_s,
            figure=fig.id,
            index=index,
            foot=step.foot,
            direction=step.direction,
            weight=step.weight,
            turn_eighths=step.turn_eighths,
            foot_xy_m=(float(foot[0]), float(foot[1])),
            body_xy_m=(float(body[0]), float(body[1])),
            facing_rad=replayed.facing_after,
            recovery_m=recovery_m,
        )


def _unit(angle_rad: float) -> NDArray[np.float64]:
    return np.array([math.cos(angle_rad), math.sin(angle_rad)])


def _feet(frame: LeaderFrame) -> NDArray[np.float64]:
    """His feet (L, R) on the floor at ``frame``."""
    return np.array([frame.left_foot_xy_m, frame.right_foot_xy_m], dtype=float)


def _his_pose(frame: LeaderFrame) -> DancerPose:
    """Where he stands at ``frame`` (his body, facing and feet)."""
    return DancerPose(
        body=np.array(frame.body_xy_m),
        facing_rad=frame.facing_rad,
        feet={"L": np.array(frame.left_foot_xy_m), "R": np.array(frame.right_foot_xy_m)},
    )
