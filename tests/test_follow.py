"""The follower who reads the lead (`pasdeux.follow`) and the improvising leader."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import pasdeux.follow
from pasdeux.choreo import LeadNoise, Routine, improvise, lead_frames, lead_routine
from pasdeux.dances import DanceStyle, find_style, successors
from pasdeux.dances.geometry import HOLD_DISTANCE_M, replay_figure
from pasdeux.follow import Follower, FollowerStep, FollowParams, LeaderFrame

FOLLOW_DIR = Path(pasdeux.follow.__file__).parent
SENSED = {
    "time_s",
    "body_xy_m",
    "facing_rad",
    "left_foot_xy_m",
    "right_foot_xy_m",
    "left_foot_down",
    "right_foot_down",
    "left_foot_landed_s",
    "right_foot_landed_s",
    "hands",
    "new_beats_s",
}


def _style(name: str) -> DanceStyle:
    return find_style(name)


def _follow(
    style: DanceStyle, routine: Routine, frames: tuple[LeaderFrame, ...]
) -> tuple[list[tuple[float, str | None]], list[FollowerStep], Follower]:
    follower = Follower(style, position=routine.figures[0].figure.start_position)
    believed, steps = [], []
    for frame in frames:
        steps += follower.feel(frame)
        believed.append((frame.time_s, follower.figure))
    return believed, steps, follower


def _believed_at(believed: list[tuple[float, str | None]], t: float) -> str | None:
    return [b for time_s, b in believed if time_s <= t][-1]


# --- blind to the plan ---------------------------------------------------------------------
def test_follow_package_never_imports_the_choreographer() -> None:
    for path in FOLLOW_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith("pasdeux.choreo"), f"{path.name} imports {name}"
                assert not name.startswith("pasdeux.motion"), f"{path.name} imports {name}"


def test_follower_is_given_only_what_a_partner_senses() -> None:
    assert {f.name for f in dataclasses.fields(LeaderFrame)} == SENSED
    feel = inspect.signature(Follower.feel)
    assert list(feel.parameters) == ["self", "frame"]
    assert feel.parameters["frame"].annotation in (LeaderFrame, "LeaderFrame")
    init = inspect.signature(Follower.__init__)
    assert list(init.parameters) == ["self", "style", "params", "position"]
    for param in [*init.parameters.values(), *feel.parameters.values()]:
        text = str(param.annotation)
        for forbidden in ("Routine", "PlacedFigure", "choreo", "Figure"):
            assert forbidden not in text.replace("FollowParams", ""), param


# --- the improvising leader ----------------------------------------------------------------
def test_improvised_figures_follow_the_grammar_and_the_seed() -> None:
    style = _style("Jive")
    routine = improvise(style, figures=30, seed=5)
    figs = [p.figure for p in routine.figures]
    for before, after in itertools.pairwise(figs):
        assert after.id in {f.id for f in successors(style, before)}
    again = improvise(style, figures=30, seed=5)
    assert [p.figure.id for p in again.figures] == [f.id for f in figs]
    assert [p.figure.id for p in improvise(style, figures=30, seed=6).figures] != [
        f.id for f in figs
    ]


def test_noisy_lead_stays_within_its_bounds() -> None:
    style = _style("Waltz")
    routine = improvise(style, figures=6, seed=2)
    clean = lead_frames(routine, fps=25)
    noise = LeadNoise(position_m=0.03, timing_s=0.04, late_lead_s=0.06)
    noisy = lead_frames(routine, noise=noise, seed=1, fps=25)
    assert len(clean.steps) == len(noisy.steps)
    for a, b in zip(clean.steps, noisy.steps, strict=True):
        assert abs(a.land_s - b.land_s) <= 0.04 + 1e-6
        assert b.lead_s >= a.lead_s - 0.04 - 1e-6  # the lead comes late, never early
    beats = [b for f in clean.frames for b in f.new_beats_s]
    assert beats == sorted(beats) and len(beats) == len(set(beats))


# --- known answers -------------------------------------------------------------------------
def test_follower_recognises_a_known_sequence_and_dances_her_part_where_the_geometry_puts_it() -> (
    None
):
    style = _style("Waltz")
    ids = ["natural_turn", "rf_closed_change", "reverse_turn", "whisk", "chasse_from_pp"]
    figs = [style.figure(i) for i in ids]
    for before, after in itertools.pairwise(figs):
        assert after in successors(style, before)
    routine = lead_routine(style, figs)
    motion = lead_frames(routine, fps=30)
    believed, steps, _ = _follow(style, routine, motion.frames)
    for f, placed in enumerate(routine.figures):
        last = max(s.land_s for s in motion.steps if s.figure == f)
        assert _believed_at(believed, last) == placed.figure.id
    truth = []
    for placed in routine.figures:
        leader, follower = placed.start_pose.dancers()
        truth += [r for r in replay_figure(placed.figure, leader, follower) if r.role == "follower"]
    assert len(steps) == len(truth)
    for mine, true in zip(steps, truth, strict=True):
        assert mine.foot == true.step.foot
        assert math.dist(mine.foot_xy_m, true.foot_to) < 0.01


def test_first_figure_known_before_the_end_of_its_first_beat_when_it_can_be_told() -> None:
    style = _style("Waltz")
    routine = lead_routine(style, [style.figure("reverse_turn"), style.figure("lf_closed_change")])
    motion = lead_frames(routine, fps=30)
    believed, _, _ = _follow(style, routine, motion.frames)
    period = routine.beats[1] - routine.beats[0]
    first = min(s.land_s for s in motion.steps if s.figure == 0)
    # the only start figure beginning with the LF forward: known from the lead, before it lands
    assert _believed_at(believed, first) == "reverse_turn"
    assert _believed_at(believed, first + period) == "reverse_turn"


@pytest.mark.parametrize(
    ("replay_min_prob", "read"), [(1e-3, "reverse_turn"), (1.0, "reverse_wave")]
)
def test_his_steps_read_against_figures_replayed_from_where_the_couple_stands(
    replay_min_prob: float, read: str
) -> None:
    # after a Feather Step she stands further ahead of him than the ideal outside partner
    # position: his side step round her heel turn (Reverse Turn) then carries him as far as
    # the Reverse Wave's diagonal step would from the ideal start; replayed from where they
    # stand, the two steps land 10 cm apart
    style = _style("Slow Foxtrot")
    figs = [style.figure("feather_step"), style.figure("reverse_turn")]
    assert figs[1] in successors(style, figs[0])
    routine = lead_routine(style, figs)
    motion = lead_frames(routine, fps=25)
    follower = Follower(
        style,
        params=FollowParams(replay_min_prob=replay_min_prob),
        position=figs[0].start_position,
    )
    believed = []
    for frame in motion.frames:
        follower.feel(frame)
        believed.append((frame.time_s, follower.figure))
    second = sorted(s.land_s for s in motion.steps if s.figure == 1)[1]
    assert _believed_at(believed, second + 0.05) == read


def test_leader_changing_figure_mid_way_she_recovers_without_a_jump() -> None:
    style = _style("Waltz")
    natural = style.figure("natural_turn")
    half = replace(
        natural, id="natural_turn_half", leader=natural.leader[:3], follower=natural.follower[:3]
    )
    half = replace(half, length_beats=3.0)
    routine = lead_routine(
        style,
        [half, style.figure("reverse_turn"), style.figure("whisk"), style.figure("chasse_from_pp")],
    )
    motion = lead_frames(routine, fps=30)
    believed, steps, follower = _follow(style, routine, motion.frames)
    for f in (1, 2, 3):
        last = max(s.land_s for s in motion.steps if s.figure == f)
        assert _believed_at(believed, last) == routine.figures[f].figure.id
    params = FollowParams()
    previous = steps[0].body_xy_m
    for step in steps[1:]:
        assert step.recovery_m <= params.recovery_max_m + 1e-9
        assert math.dist(step.body_xy_m, previous) < 0.8  # a step, never a jump
        previous = step.body_xy_m
    pose = follower.pose
    assert pose is not None
    him = motion.frames[-1].body_xy_m
    low, high = HOLD_DISTANCE_M["closed"]
    assert low <= math.dist(pose.body.tolist(), him) <= high


# --- properties ----------------------------------------------------------------------------
@pytest.mark.parametrize("dance", ["Cha Cha", "Tango", "Samba"])
def test_follower_is_causal_and_her_steps_come_in_time_order(dance: str) -> None:
    style = _style(dance)
    a = lead_frames(improvise(style, figures=8, seed=1), fps=20)
    b = lead_frames(improvise(style, figures=8, seed=2), fps=20)
    cut = 60
    spliced = a.frames[:cut] + tuple(f for f in b.frames if f.time_s > a.frames[cut - 1].time_s)
    routine = improvise(style, figures=8, seed=1)
    believed_a, steps_a, _ = _follow(style, routine, a.frames)
    believed_s, steps_s, follower = _follow(style, routine, spliced)
    t_cut = a.frames[cut - 1].time_s
    assert [s for s in steps_a if s.time_s <= t_cut] == [s for s in steps_s if s.time_s <= t_cut]
    assert believed_a[:cut] == believed_s[:cut]
    times = [s.time_s for s in steps_a]
    assert times == sorted(times)
    assert math.isclose(sum(follower.belief().values()), 1.0)


def test_baselines_read_as_they_say() -> None:
    style = _style("Rumba")
    routine = improvise(style, figures=6, seed=3)
    motion = lead_frames(routine, fps=20)
    basic = Follower(style, params=FollowParams(reader="basic"))
    for frame in motion.frames:
        basic.feel(frame)
        assert basic.figure == "closed_basic"
    nearest = Follower(style, params=FollowParams(reader="nearest"))
    figures = set()
    for frame in motion.frames:
        nearest.feel(frame)
        figures.add(nearest.figure)
    assert len(figures) > 1
    assert np.isfinite(list(nearest.belief().values())).all()


def test_a_quick_step_between_two_frames_is_still_felt() -> None:
    jive = find_style("jive")
    routine = lead_routine(jive, [jive.figure(i) for i in ("basic_in_place", "link")])
    fps = 8.0
    motion = lead_frames(routine, fps=fps)
    # his steps whose foot leaves the floor and lands between two frames: some travel,
    # some are steps in place (the foot lands where it was)
    unseen = [s for s in motion.steps if math.floor(s.lift_s * fps) == math.floor(s.land_s * fps)]
    sizes = {
        jive.figure(routine.figures[s.figure].figure.id).leader[s.index].size_m for s in unseen
    }
    assert 0.0 in sizes and max(sizes) > 0.05, "the test needs both kinds of step"
    follower = Follower(jive, position=routine.figures[0].figure.start_position)
    hers = [step for frame in motion.frames for step in follower.feel(frame)]
    for step in unseen:
        # she answers it at the next frame
        assert any(0 <= h.time_s - step.land_s <= 1.0 / fps + 1e-6 for h in hers)
    # one answer per step of his: every step of hers goes with one landing
    assert len({h.time_s for h in hers}) <= len(motion.steps)


def test_two_steps_landing_between_the_same_two_frames_are_read_in_their_order() -> None:
    jive = find_style("jive")
    ids = ("basic_in_place", "link", "fallaway_rock", "basic_in_place")
    routine = lead_routine(jive, [jive.figure(i) for i in ids])
    fps = 6.0
    motion = lead_frames(routine, fps=fps)
    lands = [s.land_s for s in motion.steps]
    pairs = [
        k
        for k in range(len(lands) - 1)
        if math.ceil(lands[k] * fps) == math.ceil(lands[k + 1] * fps)
    ]
    assert pairs, "the test needs two steps landing between the same two frames"
    follower = Follower(jive, position=routine.figures[0].figure.start_position)
    danced = [(s.figure, s.index) for frame in motion.frames for s in follower.feel(frame)]
    led = []
    for placed in routine.figures:
        fig = placed.figure
        led += [(fig.id, j) for j in range(len(fig.follower))]
    # every step of hers is the one led, in order, although her reading lags by a frame
    assert danced == led
