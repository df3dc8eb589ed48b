"""Benchmark the follower who reads the lead (:mod:`pasdeux.follow`).

For every dance of the library, an improvising leader (:func:`pasdeux.choreo.improvise`,
any figure the ``follows`` rules allow next, seeded) dances routines of figures on a steady
beat in the middle of the dance's tempo range; :func:`pasdeux.choreo.lead_frames` turns
them into what the follower senses, frame by frame, with a clean lead and with a noisy one
(each landing moved up to 3 cm, each step's time shifted up to 40 ms, the lead 60 ms late,
his lead through the joined hands off by up to 1 cm).
Three readers follow the same frames: the follower (``reader="grammar"``: the forward
algorithm over the figure grammar) and two baselines, "always the basic" and "nearest
template without the grammar" (``reader="nearest"``). Measured per figure:

* her first-beat steps right: the steps she danced from his first step of the figure to
  the end of its first beat are the figure's (foot, direction, size, turn, weight, hold,
  position), whatever she called it (figures that start alike share them);
* recognised by the end of its first beat: the figure she believes is led, at the last
  frame by one beat after his first step of the figure lands (one frame more: a step
  landing on the beat is sensed at the next frame), is the figure he dances; a figure is
  led from the lead of its first step to the lead of the next figure's, and a one-step
  figure followed sooner is judged at its end. Figures whose two parts are the same steps
  under another name (a Closed Change and the "finish" of another figure) count as the same;
* latency (beats): from his first step's landing to the moment from which she believes it
  until his last step of the figure (0 when she knew it before it landed); a figure she
  never settles on counts its whole length;
* her steps against where the couple geometry puts the follower of the routine: for each
  of her true steps, her nearest step in time (within half a beat): its landing's distance
  (cm) and time difference (ms); a true step with none within half a beat is missed;
* out of hold: her steps whose body lands further than 5 cm outside her step's hold's range
  of distances from his body (``HOLD_DISTANCE_M``);
* for context, the share of figures that are unambiguous by then: no other figure allowed
  after the previous one starts with the same leader steps up to the end of the first beat
  (and the same lead of his next step when its foot has left the floor by then); for the
  others a reader can only guess from the grammar.

Seeds are split into a tuning half (even seeds: :data:`TUNING_GRID` is searched on it for
the follower's best mean share recognised by the telling beat) and a held-out half (odd
seeds: reported). The table goes into ``docs/benchmarks.md`` between ``<!-- follow:start -->`` and
``<!-- follow:end -->``.

Usage::

    .venv/bin/python bench/follow.py [--quick] [--dances waltz,jive] [--json] [--no-write]
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

import choreo
from pasdeux.choreo import (
    LeadMotion,
    LeadNoise,
    PlanParams,
    Routine,
    improvise,
    lead_frames,
    swap_roles,
)
from pasdeux.dances import DanceStyle, Figure, find_style, load_library, successors
from pasdeux.dances.geometry import HOLD_DISTANCE_M, couple_start, hand_leads, replay_figure
from pasdeux.errors import InputError
from pasdeux.follow import Follower, FollowerStep, FollowParams

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "benchmarks.md"
MARK_START, MARK_END = "<!-- follow:start -->", "<!-- follow:end -->"
NOISY = LeadNoise(position_m=0.03, timing_s=0.04, late_lead_s=0.06, pull_m=0.01)
FPS = 25.0
SWING_SHARE = PlanParams().swing_share
LEAD_READ_BEATS = 0.25
FELT_CM = 5.0
FELT_DEG = 10.0
FELT_DIRECTION_DEG = 30.0
"""Two landings of his closer than this (cm, and his facings closer than this, deg) feel
alike to her (his landings are noisy by up to 3 cm); two steps begun in directions closer
than this (deg) too."""
LEAD_FELT_CM = 4.0
SYNC_SIZE_M = 0.1
SYNC_TURN_EIGHTHS = 1.0
"""Her step is in sync with the step led when it is that step within these (see
:func:`same_step`)."""
"""Two leads through the hands closer than this (cm) feel alike: the noisy lead's spread is
up to 1 cm, the follower reads the hands with 3 cm (``FollowParams.pull_sigma_m``)."""
"""How long his lead of a step must have run to tell its direction: a lead that begins at
the very end of a beat says nothing by then."""
TUNING_GRID: tuple[FollowParams, ...] = tuple(
    FollowParams(lead_kappa=kappa, foot_lead_kappa=kappa, foot_sigma_m=sigma)
    for kappa in (1.0, 2.0, 4.0)
    for sigma in (0.05, 0.1)
)
BEFORE = {"foot_sigma_m": 0.0, "foot_lead_kappa": 0.0, "pull_sigma_m": 0.0}
"""The follower as she was before she read his feet and his lead through the hands (a peer
in the same run)."""


@dataclass(frozen=True)
class Settings:
    """How big a run is: seeds per half, figures per routine, and the held-out seeds of the
    Hijack part (he reads her)."""

    seeds_per_half: int
    figures_per_routine: int
    tuning_figures: int
    hijack_seeds: int


FULL = Settings(seeds_per_half=20, figures_per_routine=50, tuning_figures=100, hijack_seeds=10)
QUICK = Settings(seeds_per_half=2, figures_per_routine=25, tuning_figures=50, hijack_seeds=1)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _key(steps: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        (s.beat, s.foot, s.direction, s.size_m, s.turn_eighths, s.weight, s.hold, s.position)
        for s in steps
    )


_SAME: dict[tuple[int, int], bool] = {}


def same_steps(a: Figure, b: Figure) -> bool:
    """Both parts of ``a`` and ``b`` are the same steps (one figure under two names)."""
    pair = (id(a), id(b))
    if pair not in _SAME:
        _SAME[pair] = a.id == b.id or (
            _key(a.leader) == _key(b.leader) and _key(a.follower) == _key(b.follower)
        )
    return _SAME[pair]


@dataclass(frozen=True)
class _HisStep:
    """One step of his as she feels it, replayed from the ideal start of the figure's
    position: the foot, the beat after his first step, the hold, where the foot and his body
    land and his facing then (cm, deg), the foot's travel (cm), his lead through the hands
    before it (cm)."""

    foot: str
    beat: float
    hold: str
    foot_to: tuple[float, float]
    body: tuple[float, float]
    facing_deg: float
    travel: tuple[float, float]
    lead: tuple[float, float]


_HIS: dict[int, tuple[Figure, list[_HisStep]]] = {}
"""By the figure object (figure ids repeat across dances: a Waltz's and a Polka's
``natural_turn``)."""


def _his_steps(fig: Figure) -> list[_HisStep]:
    """His steps of ``fig`` as she feels them (see :class:`_HisStep`)."""
    if id(fig) not in _HIS or _HIS[id(fig)][0] is not fig:
        plan = PlanParams()
        leader, follower = couple_start((0.0, 0.0), 0.0, fig.start_position)
        replayed = replay_figure(fig, leader, follower)
        leads = hand_leads(
            replayed,
            pull_m=plan.lead_pull_m,
            pull_min_m=plan.lead_pull_min_m,
            twist_m=plan.lead_twist_m,
            twist_min_rad=math.radians(plan.lead_twist_min_deg),
        )
        his = [rs for rs in replayed if rs.role == "leader"]

        def cm(v: Any) -> tuple[float, float]:
            return (100 * float(v[0]), 100 * float(v[1]))

        _HIS[id(fig)] = (
            fig,
            [
                _HisStep(
                    rs.step.foot,
                    rs.step.beat - fig.leader[0].beat,
                    rs.step.hold,
                    cm(rs.foot_to),
                    cm(rs.body_after),
                    math.degrees(rs.facing_after),
                    cm(np.subtract(rs.foot_to, rs.foot_from)),
                    cm(lead),
                )
                for rs, lead in zip(his, leads, strict=True)
            ],
        )
    return _HIS[id(fig)][1]


def _prefix(fig: Figure, beats: float = 1.0) -> tuple[list[_HisStep], _HisStep | None]:
    """His steps landed by ``beats`` after his first, and the next step when its foot has
    left the floor :data:`LEAD_READ_BEATS` before then (his lead of it has run long enough
    to be felt)."""
    his = _his_steps(fig)
    seen = [h for h in his if h.beat <= beats]
    nxt = None
    if len(seen) < len(his):
        after, before = his[len(seen)], seen[-1]
        if after.beat - SWING_SHARE * (after.beat - before.beat) <= beats - LEAD_READ_BEATS:
            nxt = after
    return seen, nxt


def _felt_alike(a: _HisStep, b: _HisStep, landed: bool) -> bool:
    """Two steps of his she cannot tell apart: a landed one by where it lands (within
    :data:`FELT_CM` and :data:`FELT_DEG`), a step begun by its direction (within
    :data:`FELT_DIRECTION_DEG`, or both hardly travelling); and his leads through the
    hands within :data:`LEAD_FELT_CM`."""
    if (a.foot, a.hold) != (b.foot, b.hold) or math.dist(a.lead, b.lead) >= LEAD_FELT_CM:
        return False
    if landed:
        turn = abs((a.facing_deg - b.facing_deg + 180.0) % 360.0 - 180.0)
        return (
            abs(a.beat - b.beat) < 1e-6
            and math.dist(a.foot_to, b.foot_to) < FELT_CM
            and math.dist(a.body, b.body) < FELT_CM
            and turn < FELT_DEG
        )
    ua, ub = math.hypot(*a.travel), math.hypot(*b.travel)
    if ua < FELT_CM or ub < FELT_CM:
        return ua < FELT_CM and ub < FELT_CM
    cos = (a.travel[0] * b.travel[0] + a.travel[1] * b.travel[1]) / (ua * ub)
    return cos > math.cos(math.radians(FELT_DIRECTION_DEG))


def _alike(
    a: tuple[list[_HisStep], _HisStep | None], b: tuple[list[_HisStep], _HisStep | None]
) -> bool:
    """Two prefixes (:func:`_prefix`) a follower cannot tell apart."""
    if len(a[0]) != len(b[0]) or (a[1] is None) != (b[1] is None):
        return False
    if not all(_felt_alike(x, y, True) for x, y in zip(a[0], b[0], strict=True)):
        return False
    return a[1] is None or b[1] is None or _felt_alike(a[1], b[1], False)


def _allowed(style: DanceStyle, before: Figure | None) -> list[Figure]:
    return successors(style, before) if before else [style.figure(i) for i in style.start_figures]


def distinguishable(style: DanceStyle, before: Figure | None, fig: Figure) -> bool:
    """No other figure allowed here starts as ``fig`` does up to the end of its first beat."""
    return telling_beat(style, before, fig) == 1


def telling_beat(
    style: DanceStyle, before: Figure | None, fig: Figure, until_beats: float = math.inf
) -> int | None:
    """The first beat of ``fig`` (1-based, counted from his first step) by whose end no other
    figure allowed here has been led alike (his steps landed, his next step's lead begun);
    None when another figure is led alike to its end (only her steps can be judged then).

    ``until_beats`` (beats after his first step) is where the figure stops being judged, the
    last moment she has felt of it before the next figure's lead: a beat after that is
    judged then, on what was led by then. Without it, a figure that ends as another's first
    steps do (the Paso Doble's Promenade and the Sixteen's first eight steps) would count as
    told "by the beat after its last step", by his step of the longer figure there that is
    missing; but she is judged before that beat, at her last frame of the figure, when
    neither that step nor its absence has been led."""
    others = [o for o in _allowed(style, before) if not same_steps(o, fig)]
    span = fig.leader[-1].beat - fig.leader[0].beat
    for k in range(1, math.ceil(span) + 2):
        beats = min(float(k), until_beats)
        mine = _prefix(fig, beats)
        if not any(_alike(_prefix(o, beats), mine) for o in others):
            return k
        if beats < k:
            break
    return None


def follow_frames(
    style: DanceStyle, motion: LeadMotion, routine: Routine, params: FollowParams
) -> tuple[list[float], list[str | None], list[FollowerStep]]:
    """Run a follower over the frames: the figure she believes at each frame, her steps."""
    follower = Follower(style, params=params, position=routine.figures[0].figure.start_position)
    times, believed, steps = [], [], []
    for frame in motion.frames:
        steps += follower.feel(frame)
        times.append(frame.time_s)
        believed.append(follower.figure)
    return times, believed, steps


def _step_key(step: Any) -> tuple[Any, ...]:
    return (
        step.foot,
        step.direction,
        step.size_m,
        step.turn_eighths,
        step.weight,
        step.hold,
        step.position,
    )


def first_beat_steps_right(
    style: DanceStyle, fig: Figure, first_s: float, period: float, steps: list[FollowerStep]
) -> bool:
    """Whether her steps from his first landing of ``fig`` (``first_s``) are, in order, the
    follower's steps of ``fig`` up to one beat after his first step (foot, direction, size,
    turn, weight, hold, position), the last landing by a quarter beat after that beat: she
    danced the right steps by the end of the first beat, whatever she called the figure."""
    want = [s for s in fig.follower if s.beat <= fig.leader[0].beat + 1.0 + 1e-6]
    when = [s.time_s for s in steps]
    k = bisect.bisect_left(when, first_s - 1e-6)
    got = steps[k : k + len(want)]
    if len(got) < len(want) or not want:
        return not want
    if got[-1].time_s > first_s + 1.25 * period:
        return False
    danced = [_step_key(style.figure(g.figure).follower[g.index]) for g in got]
    return danced == [_step_key(w) for w in want]


def figure_records(
    style: DanceStyle,
    routine: Routine,
    motion: LeadMotion,
    times: list[float],
    believed: list[str | None],
    steps: list[FollowerStep] | None = None,
) -> list[dict[str, Any]]:
    """Per figure: recognised by the end of its first beat, latency (beats), unambiguous,
    and (given her ``steps``) whether her steps by then were the figure's.

    A figure is led from the moment his body begins its first step (the lead) until the lead
    of the next figure begins: the end of its first beat is taken within that window (a
    one-step figure's next lead may come sooner), and she has settled on it if she believes
    it at the window's last frame."""
    period = routine.beats[1] - routine.beats[0]
    hers = sorted(steps or [], key=lambda s: s.time_s)
    t = np.array(times)
    leads = [
        min(s.lead_s for s in motion.steps if s.figure == f) for f in range(len(routine.figures))
    ]
    out = []
    for f, placed in enumerate(routine.figures):
        first = min(s.land_s for s in motion.steps if s.figure == f)
        closes = leads[f + 1] if f + 1 < len(leads) else float(t[-1]) + 1.0
        begin = int(np.searchsorted(t, leads[f], side="left"))
        end = max(begin, int(np.searchsorted(t, closes, side="left")) - 1)
        by = first + period + 1.0 / FPS  # a landing on the beat is sensed at the next frame
        at = min(end, int(np.searchsorted(t, by, side="right")) - 1)
        fig = placed.figure
        ok = [b is not None and same_steps(style.figure(b), fig) for b in believed[begin : end + 1]]
        k = len(ok) - 1
        while k > 0 and ok[k - 1]:
            k -= 1
        latency = max(0.0, (t[begin + k] - first) / period) if ok[-1] else fig.length_beats
        before = routine.figures[f - 1].figure if f else None
        # her last frame of the figure senses the landings up to a frame before it
        until = (t[end] - 1.0 / FPS - first) / period
        tells = telling_beat(style, before, fig, until)
        told = None
        if tells is not None:
            # his steps that tell it landed by then as planned; a noisy lead's landing may
            # come up to its timing noise later: she is judged once she could feel it
            telling = max(
                s.land_s
                for s in motion.steps
                if s.figure == f and fig.leader[s.index].beat - fig.leader[0].beat <= tells
            )
            by_tell = max(first + tells * period, telling) + 1.0 / FPS
            told = bool(ok[min(end, int(np.searchsorted(t, by_tell, side="right")) - 1) - begin])
        out.append(
            {
                "figure": fig.id,
                "telling_beat": tells,
                "by_telling_beat": told,
                "first_beat": bool(ok[at - begin]),
                "latency_beats": float(latency),
                "settled": bool(ok[-1]),
                "distinguishable": distinguishable(style, before, fig),
                "first_beat_steps": steps is not None
                and first_beat_steps_right(style, fig, first, period, hers),
            }
        )
    return out


def true_steps(routine: Routine) -> list[tuple[float, tuple[float, float], tuple[Any, ...]]]:
    """The routine's follower steps as the geometry places them: (time, where the foot lands,
    the step's key)."""
    tempo = routine.tempo_map
    out = []
    for placed in routine.figures:
        leader, follower = placed.start_pose.dancers()
        for rs in replay_figure(placed.figure, leader, follower):
            if rs.role == "follower":
                when = tempo.second_from_beat(placed.start_beat + rs.step.beat)
                out.append((when, rs.foot_to, _step_key(rs.step)))
    return out


def step_errors(
    style: DanceStyle, routine: Routine, steps: list[FollowerStep]
) -> dict[str, list[float]]:
    """Her steps against the true ones: position (cm), timing (ms), missed (1/0 per true step),
    and the spells out of sync (see :func:`out_of_sync_spells`)."""
    period = routine.beats[1] - routine.beats[0]
    mine = sorted(steps, key=lambda s: s.time_s)
    when = np.array([s.time_s for s in mine])
    pos, timing, missed, in_sync = [], [], [], []
    truth = true_steps(routine)
    for t, xy, key in truth:
        k = int(np.searchsorted(when, t))
        near = [j for j in (k - 1, k) if 0 <= j < len(mine)]
        j = min(near, key=lambda j: abs(when[j] - t), default=None)
        if j is None or abs(when[j] - t) > period / 2:
            missed.append(1.0)
            in_sync.append(False)
            continue
        missed.append(0.0)
        danced = style.figure(mine[j].figure).follower[mine[j].index]
        in_sync.append(same_step(_step_key(danced), key))
        pos.append(100 * float(np.hypot(*np.subtract(mine[j].foot_xy_m, xy))))
        timing.append(1000 * abs(float(when[j]) - t))
    spells = out_of_sync_spells([t for t, _, _ in truth], in_sync, period)
    return {"position_cm": pos, "timing_ms": timing, "missed": missed, "spells_beats": spells}


def same_step(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Two step keys (:func:`_step_key`) that are one step danced in sync: the same foot,
    direction, weight and hold, sizes within :data:`SYNC_SIZE_M` and turns within
    :data:`SYNC_TURN_EIGHTHS` (a step 5 cm shorter, or called another position of the
    couple, is the same step; another foot, direction or a turn the other way is not)."""
    foot, direction, size, turn, weight, hold, _ = a
    foot2, direction2, size2, turn2, weight2, hold2, _ = b
    return (
        (foot, direction, weight, hold) == (foot2, direction2, weight2, hold2)
        and abs(size - size2) <= SYNC_SIZE_M + 1e-9
        and abs(turn - turn2) <= SYNC_TURN_EIGHTHS + 1e-9
    )


def out_of_sync_spells(times_s: list[float], in_sync: list[bool], period_s: float) -> list[float]:
    """The spells in which more than one of her steps in a row is not the step led (another
    step, or none within half a beat), each as its length in beats: from the first such
    step to the next step she dances in sync (or the last true step). One wrong step alone
    is not a spell. The issue's target: none longer than one beat."""
    out = []
    k = 0
    while k < len(in_sync):
        if in_sync[k]:
            k += 1
            continue
        j = k
        while j < len(in_sync) and not in_sync[j]:
            j += 1
        if j - k > 1:
            back = times_s[j] if j < len(times_s) else times_s[-1]
            out.append((back - times_s[k]) / period_s)
        k = j
    return out


def out_of_hold(style: DanceStyle, motion: LeadMotion, steps: list[FollowerStep]) -> list[float]:
    """Per step of hers, 1 when her body lands outside her step's hold's range of distances
    from his body (:data:`pasdeux.dances.geometry.HOLD_DISTANCE_M`) at that moment, else 0."""
    when = np.array([f.time_s for f in motion.frames])
    out = []
    for step in steps:
        hold = style.figure(step.figure).follower[step.index].hold
        low, high = HOLD_DISTANCE_M[hold]
        k = min(int(np.searchsorted(when, step.time_s)), len(when) - 1)
        gap = math.dist(step.body_xy_m, motion.frames[k].body_xy_m)
        out.append(0.0 if low - 0.05 <= gap <= high + 0.05 else 1.0)
    return out


def run_routine(
    style: DanceStyle, seed: int, figures: int, noisy: bool, readers: dict[str, FollowParams]
) -> dict[str, dict[str, Any]]:
    """One improvised routine, followed by every reader: their figure records and step errors."""
    # both halves (even and odd seeds) see every meter of the dance
    meter = style.meters[(seed // 2) % len(style.meters)]
    routine = improvise(style, figures=figures, seed=seed, meter=meter)
    motion = lead_frames(routine, noise=NOISY if noisy else None, seed=seed, fps=FPS)
    out = {}
    for name, params in readers.items():
        times, believed, steps = follow_frames(style, motion, routine, params)
        out[name] = {
            "figures": figure_records(style, routine, motion, times, believed, steps),
            "steps": step_errors(style, routine, steps)
            | {"out_of_hold": out_of_hold(style, motion, steps)},
        }
    return out


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The numbers of one reader over many routines."""
    figs = [r for run in runs for r in run["figures"]]
    steps: dict[str, list[float]] = {
        "position_cm": [],
        "timing_ms": [],
        "missed": [],
        "out_of_hold": [],
    }
    for run in runs:
        for key in steps:
            steps[key] += run["steps"][key]
    latency = [r["latency_beats"] for r in figs]
    tellable = [r["by_telling_beat"] for r in figs if r["telling_beat"] is not None]
    spells = [b for run in runs for b in run["steps"]["spells_beats"]]
    return {
        "figures": len(figs),
        "tellable": len(tellable) / len(figs) if figs else float("nan"),
        "by_telling_beat": statistics.fmean(tellable) if tellable else float("nan"),
        "telling_beat_mean": statistics.fmean(
            r["telling_beat"] for r in figs if r["telling_beat"] is not None
        )
        if tellable
        else float("nan"),
        # a spell of two wrong steps on "4 &" put right on "1" lasts one beat to the float's
        # last digit: it is not over one beat
        "spells_over_one_beat": sum(b > 1.0 + 1e-6 for b in spells),
        "spell_longest_beats": max(spells, default=0.0),
        "first_beat": statistics.fmean(r["first_beat"] for r in figs),
        "first_beat_steps": statistics.fmean(r["first_beat_steps"] for r in figs),
        "first_beat_unambiguous": statistics.fmean(
            r["first_beat"] for r in figs if r["distinguishable"]
        )
        if any(r["distinguishable"] for r in figs)
        else float("nan"),
        "settled": statistics.fmean(r["settled"] for r in figs),
        "distinguishable": statistics.fmean(r["distinguishable"] for r in figs),
        "latency_median_beats": _pct(latency, 50),
        "latency_p95_beats": _pct(latency, 95),
        "position_median_cm": _pct(steps["position_cm"], 50),
        "position_p95_cm": _pct(steps["position_cm"], 95),
        "timing_median_ms": _pct(steps["timing_ms"], 50),
        "timing_p95_ms": _pct(steps["timing_ms"], 95),
        "missed": statistics.fmean(steps["missed"]) if steps["missed"] else float("nan"),
        "out_of_hold": statistics.fmean(steps["out_of_hold"]) if steps["out_of_hold"] else 0.0,
    }


def evaluate(
    styles: list[DanceStyle], seeds: list[int], figures: int, readers: dict[str, FollowParams]
) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """dance -> condition -> reader -> aggregated numbers, over ``seeds``."""
    out: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    for style in styles:
        started = time.perf_counter()
        out[style.name] = {}
        for cond in ("clean", "noisy"):
            runs = [run_routine(style, s, figures, cond == "noisy", readers) for s in seeds]
            out[style.name][cond] = {r: aggregate([run[r] for run in runs]) for r in readers}
        _say(f"  {style.name}: {time.perf_counter() - started:.1f} s")
    return out


def tune(
    styles: list[DanceStyle], seeds: list[int], figures: int
) -> tuple[FollowParams, list[dict[str, Any]]]:
    """The grid point with the best mean share recognised by the telling beat (the measure
    the follower is held to) on the tuning seeds."""
    scores = []
    for params in TUNING_GRID:
        _say(f"tuning lead_kappa={params.lead_kappa}, foot_sigma_m={params.foot_sigma_m}")
        result = evaluate(styles, seeds, figures, {"grammar": params})
        told = [c["grammar"]["by_telling_beat"] for d in result.values() for c in d.values()]
        scores.append(
            {
                "lead_kappa": params.lead_kappa,
                "foot_sigma_m": params.foot_sigma_m,
                "by_telling_beat": statistics.fmean(t for t in told if not math.isnan(t)),
            }
        )
    best = max(range(len(scores)), key=lambda i: scores[i]["by_telling_beat"])
    return TUNING_GRID[best], scores


def readers_of(params: FollowParams) -> dict[str, FollowParams]:
    """The follower tuned, the follower as she was before (:data:`BEFORE`), and the two
    baselines."""
    return {
        "grammar": params,
        "before": replace(params, **BEFORE),  # type: ignore[arg-type]
        "nearest": replace(params, reader="nearest"),
        "basic": replace(params, reader="basic"),
    }


def _p(x: float) -> str:
    return f"{100 * x:.1f}%"


def _means(half: dict[str, Any], cond: str, reader: str, key: str) -> float:
    """The mean over the dances of one number of one reader in one condition."""
    return statistics.fmean(conds[cond][reader][key] for conds in half.values())


def summary(result: dict[str, Any]) -> list[str]:
    """Both halves side by side, means over the dances: the follower, the follower without
    reading his feet, and the baselines."""
    lines = [
        "| half | lead | unambiguous | follower: figure by 1st beat | her 1st-beat steps right "
        "| figure, unambiguous ones | figure by its telling beat | spells out of sync > 1 beat "
        "| latency median (beats) | the follower before: "
        "figure / steps | always basic | nearest, no grammar |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, key in (("tuning", "tuning_half"), ("held-out", "held_out")):
        half = result[key]
        for cond in ("clean", "noisy"):

            def m(reader: str, what: str, c: str = cond, h: dict[str, Any] = half) -> float:
                return _means(h, c, reader, what)

            lines.append(
                f"| {name} | {cond} | {_p(m('grammar', 'distinguishable'))} "
                f"| {_p(m('grammar', 'first_beat'))} | {_p(m('grammar', 'first_beat_steps'))} "
                f"| {_p(m('grammar', 'first_beat_unambiguous'))} "
                f"| {_p(m('grammar', 'by_telling_beat'))} "
                f"| {sum(int(d[cond]['grammar']['spells_over_one_beat']) for d in half.values())} "
                f"| {m('grammar', 'latency_median_beats'):.2f} "
                f"| {_p(m('before', 'first_beat'))} / {_p(m('before', 'first_beat_steps'))} "
                f"| {_p(m('basic', 'first_beat'))} | {_p(m('nearest', 'first_beat'))} |"
            )
    return lines


def table(result: dict[str, Any], params: FollowParams, settings: Settings, quick: bool) -> str:
    """The docs/benchmarks.md section (markers included)."""
    held = result["held_out"]
    lines = [
        MARK_START,
        "## Follow: `bench/follow.py`" + (" (quick)" if quick else ""),
        "",
        "A follower reading an improvising leader (`pasdeux.follow`, the forward algorithm over",
        "each dance's figure grammar); held-out seeds, "
        f"{settings.seeds_per_half} routines of {settings.figures_per_routine} figures per dance"
        " and condition. Noisy: landings moved up to 3 cm, steps shifted up to 40 ms, the lead "
        "60 ms late, the lead through the hands off by up to 1 cm. Tuned on the other half of "
        "the seeds: "
        f"`lead_kappa={params.lead_kappa}` (= `foot_lead_kappa`), "
        f"`foot_sigma_m={params.foot_sigma_m}`, `step_sigma_m={params.step_sigma_m}`.",
        "Targets: >= 98% by the end of the first beat clean, >= 95% noisy (held here to the",
        "telling beat, see below), median latency <= 0.5 beat, no spell out of sync longer",
        "than one beat.",
        "",
        "Two measures of 'recognised by the end of the first beat'. *Figure*: the figure she",
        "believes then is the one he dances. *Her steps*: the steps she danced from his first",
        "step to the end of that beat are the figure's follower steps (foot, direction, size,",
        "turn, weight, hold, position), whatever she called it. They differ because many",
        "figures start alike: *unambiguous* is the share of figures that no other figure",
        "allowed there starts like for the leader (his steps landed by the end of the first",
        "beat, the lead of his next step begun by then); for the others no causal reader can",
        "tell the figure by then and must guess from the grammar (on the tuning seeds, nearly",
        "every figure missed is one of these: the Jive's Link and Change of Places, the Rumba's",
        "and Cha Cha's Fan and Closed Basic, the Waltz's Natural Turn and its variants), though",
        "she still dances the right first steps where the figures share them.",
        "*By its telling beat* is the measure we hold the follower to instead of the first beat",
        "(a causal reader cannot be asked to know what has not yet been led): the figure she",
        "believes at the end of the first beat by which his steps and lead differ from every",
        "other figure allowed there (or once his landings of that beat have reached her, when a",
        "noisy lead's come late), as she can feel them (his landings 5 cm or 10 deg apart,",
        "a step begun a quarter beat before in directions 30 deg apart, his lead through the",
        "hands 4 cm apart; *told by*: the share of figures that become tellable",
        "before they end (by her last frame of the figure, before the lead of the next: a",
        "figure that ends as a longer one's first steps do, the Paso Doble's Promenade and",
        "Sixteen, is not told by the longer one's next step, led only after that frame), and",
        "their mean telling beat; the rest are led alike to their end by",
        "another figure, and only her steps can be judged). *Spells out of sync*: runs of more",
        "than one of her steps in a row that are not the step led (another foot, direction,",
        "weight or hold, a size 10 cm or a turn 1/8 off, or missing), longer than one beat,",
        "counted over all routines (the issue: never).",
        "*The follower before* is the model before his feet and his lead through the hands",
        "were read (where his stepping foot lands from his body, the way it travels in the",
        "air, his joined hands moved towards where her body is to go), run on the same frames.",
        "",
        "Means over the dances, both halves (the tuning half: "
        f"{settings.seeds_per_half} routines of "
        f"{max(1, settings.tuning_figures // settings.seeds_per_half)} figures per dance and "
        "condition):",
        "",
        *summary(result),
        "",
        "Per dance, the held-out half:",
        "",
        "| dance | lead | figures | unambiguous | follower: figure by 1st beat "
        "| her 1st-beat steps right | told by (mean beat) | figure by its telling beat "
        "| spells > 1 beat / longest (beats) | latency median / p95 (beats) "
        "| always basic | nearest, no grammar | her steps: position median / p95 (cm) "
        "| timing median / p95 (ms) | missed | out of hold |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for dance, conds in held.items():
        for cond, rd in conds.items():
            g, b, n = rd["grammar"], rd["basic"], rd["nearest"]
            lines.append(
                f"| {dance} | {cond} | {g['figures']} | {_p(g['distinguishable'])} "
                f"| {_p(g['first_beat'])} | {_p(g['first_beat_steps'])} "
                f"| {_p(g['tellable'])} ({g['telling_beat_mean']:.2f}) "
                f"| {_p(g['by_telling_beat'])} "
                f"| {g['spells_over_one_beat']} / {g['spell_longest_beats']:.2f} "
                f"| {g['latency_median_beats']:.2f} / "
                f"{g['latency_p95_beats']:.2f} | {_p(b['first_beat'])} | {_p(n['first_beat'])} "
                f"| {g['position_median_cm']:.1f} / {g['position_p95_cm']:.1f} "
                f"| {g['timing_median_ms']:.0f} / {g['timing_p95_ms']:.0f} | {_p(g['missed'])} "
                f"| {_p(g['out_of_hold'])} |"
            )
    if result.get("hijack"):
        lines += ["", *hijack_table(result["hijack"], settings)]
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def hijack_table(hijack: dict[str, Any], settings: Settings) -> list[str]:
    """The Hijack part: he reads her, per dance (held-out seeds)."""
    lines = [
        "### Hijack: he reads her",
        "",
        "For a phrase she leads and he follows (`--hijack`, the live page's H): the same",
        "follower model, tuned as above, with the roles swapped (`pasdeux.choreo.swap_roles`:",
        "her part is the lead, his the part read); she improvises, he reads her frames. "
        f"Held-out seeds, {settings.hijack_seeds} routines of {settings.figures_per_routine} "
        "figures per dance and condition; the measures are those above, of his steps.",
        "",
        "| dance | lead | figures | figure by its telling beat | his 1st-beat steps right "
        "| spells > 1 beat / longest (beats) | latency median (beats) | missed |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for dance, conds in hijack.items():
        for cond, rd in conds.items():
            g = rd["grammar"]
            lines.append(
                f"| {dance} | {cond} | {g['figures']} | {_p(g['by_telling_beat'])} "
                f"| {_p(g['first_beat_steps'])} "
                f"| {g['spells_over_one_beat']} / {g['spell_longest_beats']:.2f} "
                f"| {g['latency_median_beats']:.2f} | {_p(g['missed'])} |"
            )
    for cond in ("clean", "noisy"):
        told = statistics.fmean(c[cond]["grammar"]["by_telling_beat"] for c in hijack.values())
        spells = sum(int(c[cond]["grammar"]["spells_over_one_beat"]) for c in hijack.values())
        lines.append(f"| **all dances** | {cond} | | **{_p(told)}** | | **{spells}** | | |")
    return lines


def write_doc(block: str, path: Path = DOC) -> None:
    """Replace the follow section of ``path`` (appended at the end if missing)."""
    choreo.write_doc(block, path, (MARK_START, MARK_END))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (see the module's description)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few routines per dance")
    parser.add_argument(
        "--dances",
        default="",
        help="comma-separated dances: names, ids or aliases (all by default)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    try:
        wanted = {find_style(d.strip()).id for d in args.dances.split(",") if d.strip()}
    except InputError as error:
        parser.error(f"--dances: {error}")
    styles = [s for s in load_library() if not wanted or s.id in wanted]
    tuning_seeds = [2 * i for i in range(settings.seeds_per_half)]
    held_seeds = [2 * i + 1 for i in range(settings.seeds_per_half)]
    per_routine = max(1, settings.tuning_figures // settings.seeds_per_half)
    params, scores = tune(styles, tuning_seeds, per_routine)
    _say(f"tuned: {params}")
    readers = readers_of(params)
    _say("the tuning half, every reader")
    tuning = evaluate(styles, tuning_seeds, per_routine, readers)
    _say("the held-out half, every reader")
    held = evaluate(styles, held_seeds, settings.figures_per_routine, readers)
    _say("Hijack: he reads her, held-out seeds")
    hijack = evaluate(
        [swap_roles(s) for s in styles],
        held_seeds[: settings.hijack_seeds],
        settings.figures_per_routine,
        {"grammar": params},
    )
    result = {
        "tuning": scores,
        "tuning_half": tuning,
        "held_out": held,
        "hijack": hijack,
        "quick": args.quick,
    }
    block = table(result, params, settings, args.quick)
    _say(block)
    if not args.no_write:
        write_doc(block)
    if args.json:
        print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
