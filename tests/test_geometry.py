"""The geometry of the couple: known answers for single steps, the hold kept over chains of
figures, and the planner and the motion stage agreeing on where every figure begins."""

from __future__ import annotations

import math
from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from conftest import music_from_truth
from pasdeux._serial import from_jsonable, to_jsonable
from pasdeux.choreo import Routine, choreograph
from pasdeux.dances import ALIGNMENT_EIGHTHS, Figure, Step, find_style, load_library
from pasdeux.dances.geometry import (
    BODY_HOLDS,
    HOLD_DISTANCE_M,
    HOLD_MARGIN_M,
    CouplePose,
    DancerPose,
    couple_start,
    forward_vector,
    hand_leads,
    placement_turn_rad,
    relative_geometry,
    replay_figure,
)
from pasdeux.motion import MotionParams, Performance, perform
from pasdeux.music import MusicMap, Section

DANCES = tuple(style.name for style in load_library())


def _step(beat: float, foot: str, direction: str, size_m: float, **kw: object) -> Step:
    return Step(beat, 1.0, str(int(beat) + 1), foot, direction, size_m, **kw)  # type: ignore[arg-type]


def _figure(leader: list[Step], follower: list[Step], position: str = "closed") -> Figure:
    return Figure(
        id="f", name="F", meter=4, length_beats=4.0, counts="1 2 3 4", level="newcomer",
        description="", start_position=position, end_position=position,  # type: ignore[arg-type]
        leader=tuple(leader), follower=tuple(follower),
    )  # fmt: skip


def _distance(leader: DancerPose, follower: DancerPose) -> float:
    return relative_geometry(leader, follower)[0]


def test_a_forward_step_moves_the_body_its_size_along_the_facing() -> None:
    fig = _figure([_step(0.0, "L", "forward", 0.4)], [_step(0.0, "R", "back", 0.4)])
    leader, follower = couple_start((0.0, 0.0), math.pi / 2, "closed")
    before = leader.body.copy(), follower.body.copy()
    steps = replay_figure(fig, leader, follower)
    assert leader.body - before[0] == pytest.approx([0.0, 0.4], abs=1e-12)
    assert follower.body - before[1] == pytest.approx([0.0, 0.4], abs=1e-12)
    assert leader.feet["L"] == pytest.approx(leader.body + np.array([-0.09, 0.0]), abs=1e-12)
    # An ideal figure needs no correction.
    assert all(s.correction_xy_m == (0.0, 0.0) for s in steps)


def test_a_turn_in_closed_hold_keeps_the_distance_and_needs_no_correction() -> None:
    beats = (0.0, 1.0, 2.0, 3.0)
    leader_steps = [
        _step(b, "LR"[i % 2], "close" if i % 2 else "left", 0.0 if i % 2 else 0.3, turn_eighths=1.0)
        for i, b in enumerate(beats)
    ]
    follower_steps = [
        _step(
            b, "RL"[i % 2], "close" if i % 2 else "right", 0.0 if i % 2 else 0.3, turn_eighths=1.0
        )
        for i, b in enumerate(beats)
    ]
    fig = _figure(leader_steps, follower_steps)
    leader, follower = couple_start((1.0, -2.0), 0.3, "closed")
    start_distance = _distance(leader, follower)
    steps = replay_figure(fig, leader, follower)
    assert leader.facing_rad == pytest.approx(0.3 - math.pi, abs=1e-9)  # half a turn R
    assert _distance(leader, follower) == pytest.approx(start_distance, abs=1e-9)
    assert max(math.hypot(*s.correction_xy_m) for s in steps) == pytest.approx(0.0, abs=1e-9)


def test_a_heel_turn_pivots_about_the_follower() -> None:
    """She closes her feet and turns 3/8 on her heel; he steps round her: she does not move,
    he ends in hold in front of her."""
    fig = _figure(
        [_step(0.0, "L", "left", 0.4, turn_eighths=3.0)],
        [_step(0.0, "R", "close", 0.0, turn_eighths=3.0, action="heel_turn")],
    )
    leader, follower = couple_start((0.0, 0.0), 0.0, "closed")
    her_body = follower.body.copy()
    steps = replay_figure(fig, leader, follower)
    assert follower.body == pytest.approx(her_body, abs=1e-12)
    assert follower.facing_rad == pytest.approx(math.pi - 3 * math.pi / 4)
    assert 0.2 <= _distance(leader, follower) <= 0.6
    to_her = follower.body - leader.body
    assert float(np.dot(to_her, forward_vector(leader.facing_rad))) > 0.2
    # The leader went round her (he is no longer on the -x side where he started) ...
    assert leader.body[0] > her_body[0] - 0.1
    # ... and only the leader was placed: the anchor is the dancer doing the heel turn.
    assert all(s.correction_xy_m == (0.0, 0.0) for s in steps if s.role == "follower")


def test_the_closed_hold_holds_over_a_chain_of_imperfect_figures() -> None:
    """A figure in which she steps back 0.5 m while he steps forward 0.4 m drifts 0.1 m a
    figure on its own; danced 30 times, the hold keeps her in front within range."""
    fig = _figure(
        [_step(0.0, "L", "forward", 0.4), _step(2.0, "R", "forward", 0.4)],
        [_step(0.0, "R", "back", 0.5), _step(2.0, "L", "back", 0.5)],
    )
    leader, follower = couple_start((0.0, 0.0), 0.0, "closed")
    raw = leader.copy(), follower.copy()
    for _ in range(30):
        steps = replay_figure(fig, leader, follower)
        replay_figure(fig, *raw, keep_hold=False)
        assert max(math.hypot(*s.correction_xy_m) for s in steps) <= 0.1 + 1e-9
    assert _distance(*raw) > 5.0  # the steps alone drift apart
    assert 0.2 <= _distance(leader, follower) <= 0.6
    assert float(np.dot(follower.body - leader.body, forward_vector(leader.facing_rad))) > 0.2


def _both_step_in_one_hand_hold(direction: str, size_m: float) -> Figure:
    """Both partners step ``direction`` in open facing position, his left hand in her right."""
    return _figure(
        [_step(0.0, "L", direction, size_m, hold="left_to_right", position="open_facing")],
        [_step(0.0, "R", direction, size_m, hold="left_to_right", position="open_facing")],
        position="open_facing",
    )


def test_a_hand_hold_stays_within_arm_s_reach_over_a_chain() -> None:
    fig = _both_step_in_one_hand_hold("back", 0.3)
    leader, follower = couple_start((0.0, 0.0), 0.0, "open_facing")
    for _ in range(10):
        replay_figure(fig, leader, follower)
    # kept the margin inside arm's reach: room for the bodies moving between the steps
    reach = HOLD_DISTANCE_M["left_to_right"][1] - HOLD_MARGIN_M
    assert _distance(leader, follower) == pytest.approx(reach)


def test_a_hold_pushed_apart_keeps_the_margin_above_its_least_distance() -> None:
    fig = _both_step_in_one_hand_hold("forward", 0.4)
    leader, follower = couple_start((0.0, 0.0), 0.0, "open_facing")
    replay_figure(fig, leader, follower)  # 0.95 m apart, both step 0.4 m towards the other
    least = HOLD_DISTANCE_M["left_to_right"][0] + HOLD_MARGIN_M
    assert _distance(leader, follower) == pytest.approx(least)


def test_a_placement_turn_is_the_short_way_and_half_a_turn_always_one_way() -> None:
    """The turn between two facings is the short way round; exactly half a turn, whatever
    sign rounding leaves it with, is always +pi (counter-clockwise)."""
    assert placement_turn_rad(0.0, math.pi / 2) == pytest.approx(math.pi / 2)
    assert placement_turn_rad(0.0, 1.5 * math.pi) == pytest.approx(-math.pi / 2)
    assert placement_turn_rad(3.0, 3.0 + 4 * math.pi) == pytest.approx(0.0, abs=1e-12)
    for from_rad, to_rad in [
        (0.0, math.pi),
        (0.0, -math.pi),
        (math.pi, 0.0),
        (-math.pi, 0.0),
        (math.pi / 2, -math.pi / 2 + 1e-13),
        (-math.pi / 2, math.pi / 2 - 1e-13),
        (0.1, 0.1 + 3 * math.pi),
    ]:
        assert placement_turn_rad(from_rad, to_rad) == math.pi
    assert placement_turn_rad(0.0, math.pi - 0.01) == pytest.approx(math.pi - 0.01)
    assert placement_turn_rad(0.0, -math.pi + 0.01) == pytest.approx(-math.pi + 0.01)


def test_couple_pose_round_trips_exactly() -> None:
    leader, follower = couple_start((0.123456789, -2.5), 1.1, "promenade")
    fig = _figure([_step(0.0, "L", "forward", 0.33, turn_eighths=0.5)],
                  [_step(0.0, "R", "forward", 0.31, turn_eighths=-0.5)])  # fmt: skip
    replay_figure(fig, leader, follower)
    pose = CouplePose.from_dancers(leader, follower)
    assert pose.leader.support_foot == "L"
    again = from_jsonable(CouplePose, to_jsonable(pose))
    assert again == pose
    back = again.dancers()
    assert back[0].body.tolist() == leader.body.tolist()
    assert back[1].feet["R"].tolist() == follower.feet["R"].tolist()
    assert back[1].facing_rad == follower.facing_rad
    assert CouplePose.from_dancers(*back) == pose
    assert back[0].feet_facing_rad == leader.feet_facing_rad


def test_a_turned_rock_replaced_comes_back_to_its_place() -> None:
    # A back rock opening 1/8, the weight replaced, the foot closed squaring up again: the
    # body is back where it started (the replace does not leave it beside the foot in the
    # new facing, which made the Salsa Back Basic creep 0.13 m a figure).
    fig = _figure(
        [_step(0.0, "L", "back", 0.15, turn_eighths=-1.0), _step(1.0, "R", "replace", 0.0),
         _step(2.0, "L", "close", 0.0, turn_eighths=1.0)],
        [_step(0.0, "R", "back", 0.15, turn_eighths=1.0), _step(1.0, "L", "replace", 0.0),
         _step(2.0, "R", "close", 0.0, turn_eighths=-1.0)],
        position="open_facing",
    )  # fmt: skip
    leader, follower = couple_start((0.0, 0.0), 0.3, "open_facing")
    start = leader.copy(), follower.copy()
    steps = replay_figure(fig, leader, follower, keep_hold=False)
    assert steps[2].body_after == pytest.approx(tuple(start[0].body), abs=1e-12)  # replaced
    for pose, before in zip((leader, follower), start, strict=True):
        assert pose.body == pytest.approx(before.body, abs=1e-12)
        for foot in "LR":
            assert pose.feet[foot] == pytest.approx(before.feet[foot], abs=1e-12)


def test_the_salsa_back_basic_danced_again_and_again_stays_in_place() -> None:
    salsa = next(s for s in load_library() if s.id == "salsa")
    fig = next(f for f in salsa.figures if f.id == "back_basic")
    leader, follower = couple_start((0.0, 0.0), 0.0, fig.start_position)
    start = leader.body.copy(), follower.body.copy()
    for _ in range(8):
        steps = replay_figure(fig, leader, follower)
        assert all(s.correction_xy_m == (0.0, 0.0) for s in steps)
    assert leader.body == pytest.approx(start[0], abs=1e-9)
    assert follower.body == pytest.approx(start[1], abs=1e-9)


@pytest.mark.parametrize("figure_id", ["natural_turn", "reverse_turn"])
def test_viennese_waltz_turns_travel_along_the_line_of_dance(figure_id: str) -> None:
    # A full turn in two bars travels along the line of dance (+x here); it drifted 0.8 m
    # towards the centre or the wall while its side steps were taken at mid-turn as if
    # written in the facing they end in. What is left comes from the 1/8 before step 1.
    vw = next(s for s in load_library() if s.id == "viennese_waltz")
    fig = next(f for f in vw.figures if f.id == figure_id)
    facing = -ALIGNMENT_EIGHTHS[fig.start_alignment] * math.pi / 4
    leader, follower = couple_start((0.0, 0.0), facing, fig.start_position)
    replay_figure(fig, leader, follower)
    along_m, sideways_m = (leader.body + follower.body) / 2
    assert along_m > 1.3
    assert abs(sideways_m) < 0.2


LARGEST_CORRECTION_M = 0.15
"""The largest per-step hold correction any figure of the library may need from its ideal
start: a little more than the hold's slack (0.12 m), which a figure opening to or closing
from promenade may take while the partners' relative facing changes (Waltz Chasse from PP
0.150 m, Foxtrot Reverse Wave 0.145 m). More is a sliding the eye sees, and it meant the
roles' steps did not dance together: 0.42 m in the Foxtrot Natural Turn (a heel turn split
differently between the roles), 0.17-0.26 m in Latin turns written the wrong way."""


@pytest.mark.parametrize("dance", DANCES)
def test_no_figure_needs_a_large_hold_correction(dance: str) -> None:
    style = next(s for s in load_library() if s.name == dance)
    for fig in style.figures:
        facing = 0.0
        if fig.start_alignment != "any":
            facing = -ALIGNMENT_EIGHTHS[fig.start_alignment] * math.pi / 4
        steps = replay_figure(fig, *couple_start((0.0, 0.0), facing, fig.start_position))
        worst = max(steps, key=lambda s: math.hypot(*s.correction_xy_m))
        assert math.hypot(*worst.correction_xy_m) <= LARGEST_CORRECTION_M, (
            f"{fig.id} {worst.role} step {worst.index + 1}: {worst.correction_xy_m}"
        )


# ------------------------------------------------------------- routines of every dance


def _song(dance: str, n_bars: int) -> MusicMap:
    """``n_bars`` steady bars at the middle of ``dance``'s tempo, one section for it."""
    style = next(s for s in load_library() if s.name == dance)
    tempo = style.tempos[0]
    meter, bpm = tempo.meter, (tempo.bpm_min + tempo.bpm_max) / 2
    n_beats = n_bars * meter + 1
    beats = tuple(round(i * 60.0 / bpm, 6) for i in range(n_beats))
    end = beats[-1] + 1.0
    return replace(
        music_from_truth(),
        duration_s=end,
        beats=beats,
        beat_in_bar=tuple(1 + i % meter for i in range(n_beats)),
        meter=meter,
        bpm=bpm,
        mpm=bpm / meter,
        phrases=(),
        sections=(Section(0.0, end, meter, bpm, dance),),
    )


@cache
def _routine(dance: str, seed: int) -> Routine:
    return choreograph(_song(dance, 32), style=dance, level="gold", seed=seed)


@pytest.mark.slow
@pytest.mark.parametrize("dance", DANCES)
def test_planner_and_motion_agree_on_every_figure_start(dance: str) -> None:
    """The motion stage lands every step where the plan's replay, from each figure's
    recorded start pose, puts it (a foot that stays where it stands, where its ball pivot
    left it). The planner starts each figure from the couple standing
    in the figure's start position at the planned centre and facing; in the body holds
    that is where the previous figure left them, to the hold's slack."""
    routine = _routine(dance, 0)
    for a, b in zip(routine.figures, routine.figures[1:]):
        assert b.centre_xy_m == pytest.approx(b.start_pose.centre_xy_m, abs=1e-4)
        if a.figure.end_position != b.figure.start_position or a.figure.end_position not in (
            "closed",
            "outside_partner",
            "promenade",
        ):
            continue
        leader, follower = a.start_pose.dancers()
        replay_figure(a.figure, leader, follower)
        for ended, starts in zip((leader, follower), b.start_pose.dancers(), strict=True):
            gap_m = float(np.hypot(*(ended.body - starts.body)))
            assert gap_m <= 0.07, (a.figure.id, b.figure.id, gap_m)
    # The feet where the plan puts them, none moved aside for the partner's (a foot
    # landing beside a partner's standing foot moves at most feet_shift_max_m: test_feet).
    params = MotionParams(feet_shift_max_m=0.0)
    performance = perform(routine, duration_s=routine.beats[-1] + 1.0, fps=10.0, params=params)
    replayed = {
        (rs.role, i, rs.index): rs
        for i, placed in enumerate(routine.figures)
        for rs in replay_figure(placed.figure, *placed.start_pose.dancers())
    }
    landed = {(e.role, e.figure_index, e.step_index): (e.x_m, e.y_m) for e in performance.events}
    assert landed.keys() == replayed.keys()
    ball_m = {
        d.role: float(np.hypot(*d.skeleton.offset("LeftToeBase")[:2])) for d in performance.dancers
    }
    for key, rs in replayed.items():
        # A weight change onto a foot that stays (a replace without a turn) is danced where
        # the foot stands: a pivot on its ball may have moved its ankle, at most the ball's
        # distance either side of the plan's mark. Every other step lands on its mark.
        stays = math.dist(rs.foot_from, rs.foot_to) < 1e-3 and not rs.step.turn_eighths
        tolerance_m = 2 * ball_m[rs.role] + 1e-4 if stays else 1e-4
        assert math.dist(landed[key], rs.foot_to) <= tolerance_m, (key, landed[key], rs.foot_to)


def _frame_holds(routine: Routine, times: np.ndarray) -> list[tuple[str, str]]:
    """Per frame, the hold of the leader's last landed step and of his next step."""
    tempo = routine.tempo_map
    steps = sorted(
        (tempo.second_from_beat(p.start_beat + s.beat), s.hold)
        for p in routine.figures
        for s in p.figure.leader
    )
    lands = np.array([t for t, _ in steps])
    nxt = np.clip(np.searchsorted(lands, times, side="left"), 0, len(steps) - 1)
    prev = np.clip(np.searchsorted(lands, times, side="right") - 1, 0, len(steps) - 1)
    return [(steps[a][1], steps[b][1]) for a, b in zip(prev, nxt)]


def _hold_violations(routine: Routine, performance: Performance) -> list[str]:
    times = np.arange(performance.n_frames) / performance.fps
    leader = performance.dancer("leader")
    his = leader.root_positions_m[:, :2]
    hers = performance.dancer("follower").root_positions_m[:, :2]
    distance = np.linalg.norm(hers - his, axis=1)
    # The pelvis faces local +y; its world rotation is the root joint's.
    forward = Rotation.from_quat(leader.rotations[:, 0]).apply([0.0, 1.0, 0.0])[:, :2]
    ahead = np.sum((hers - his) * forward, axis=1)
    problems = []
    for frame, (before, after) in enumerate(_frame_holds(routine, times)):
        d = distance[frame]
        if before in BODY_HOLDS and after in BODY_HOLDS:
            if not 0.2 - 1e-3 <= d <= 0.6 + 1e-3 or ahead[frame] <= 0.0:
                problems.append(
                    f"{times[frame]:.2f} s {after}: {d:.2f} m, ahead {ahead[frame]:.2f}"
                )
        elif "none" not in (before, after):
            # She goes round him, not through him: never much nearer than the hold allows
            # (2 cm of slack: her landing is placed against his replayed body, which the
            # track may reach a frame later).
            low = min(HOLD_DISTANCE_M[before][0], HOLD_DISTANCE_M[after][0])
            high = max(HOLD_DISTANCE_M[before][1], HOLD_DISTANCE_M[after][1])
            if not low - 0.02 <= d <= high + 1e-3:
                problems.append(f"{times[frame]:.2f} s {before}->{after}: {d:.2f} m")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("dance", DANCES)
def test_the_hold_holds_at_every_frame(dance: str) -> None:
    """Closed and embrace holds keep the pelvises 0.2-0.6 m apart with her in front of him,
    hand holds within arm's reach, at every frame of three routines."""
    for seed in range(3):
        routine = _routine(dance, seed)
        performance = perform(routine, duration_s=routine.beats[-1] + 1.0, fps=25.0)
        problems = _hold_violations(routine, performance)
        assert not problems, f"seed {seed}: {len(problems)} frames, first {problems[:3]}"


def test_the_motion_blends_where_a_figure_starts_elsewhere_than_the_last_one_ended() -> None:
    """A plan that places the couple afresh (0.3 m aside) between two figures: the dancers
    travel there over the next step instead of jumping."""
    routine = _routine("Waltz", 0)
    k = len(routine.figures) // 2
    moved = routine.figures[k]
    leader, follower = moved.start_pose.dancers()
    for pose in (leader, follower):
        pose.body = pose.body + np.array([0.3, 0.0])
        pose.feet = {foot: xy + np.array([0.3, 0.0]) for foot, xy in pose.feet.items()}
    figures = list(routine.figures)
    figures[k] = replace(moved, start_pose=CouplePose.from_dancers(leader, follower))
    # Feet kept where the plan puts them (not moved aside for the partner's feet): the
    # landing is the replayed mark.
    performance = perform(
        replace(routine, figures=tuple(figures)),
        duration_s=moved.end_s + 1.0,
        fps=25.0,
        params=MotionParams(feet_shift_max_m=0.0),
    )
    for dancer in performance.dancers:
        per_frame = np.linalg.norm(np.diff(dancer.root_positions_m[:, :2], axis=0), axis=1)
        assert per_frame.max() < 0.2, dancer.role  # a fast step, not a 0.3 m jump
    first = next(e for e in performance.events if e.figure_index == k and e.role == "leader")
    replayed = replay_figure(moved.figure, leader.copy(), follower.copy())
    assert (first.x_m, first.y_m) == pytest.approx(replayed[0].foot_to, abs=1e-4)


def test_hand_leads_twist_tells_her_turn_direction_apart() -> None:
    swing = find_style("East Coast Swing")

    def leads(figure_id: str) -> list[np.ndarray]:
        fig = swing.figure(figure_id)
        leader, follower = couple_start((0.0, 0.0), 0.0, fig.start_position)
        return hand_leads(
            replay_figure(fig, leader, follower),
            pull_m=0.04,
            pull_min_m=0.05,
            twist_m=0.04,
            twist_min_rad=math.radians(60),
        )

    left, right = leads("inside_turn"), leads("underarm_turn_right")
    # his steps are the same; her turn to the left begins the hand's circle to his right,
    # her turn to the right to his left
    assert [s.direction for s in swing.figure("inside_turn").leader] == [
        s.direction for s in swing.figure("underarm_turn_right").leader
    ]
    # (on top of the pull, the same for both: she travels alike)
    assert all(l_[1] - r_[1] >= 0.04 - 1e-9 for l_, r_ in zip(left[:3], right[:3], strict=True))
    # no turn of hers, no twist: the basic's lead is the pull alone (at most pull_m)
    assert all(float(np.hypot(*lead)) <= 0.04 + 1e-9 for lead in leads("basic"))
