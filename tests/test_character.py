"""The dance's character in the motion: rise and fall, Cuban hips, contra-body, head."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from pasdeux.capsules import BONE_CAPSULES, capsule_radii_m, segment_distances_m
from pasdeux.check import RIG, check_performance
from pasdeux.check import measures as m
from pasdeux.choreo import Routine
from pasdeux.motion import DancerMotion, MotionParams, Performance, StepEvent, perform
from routines import routine_of

FORWARD = np.array(RIG.forward_axis)
RIGHT = np.array(RIG.right_axis)


def _rest_z(dancer: DancerMotion, joint: str) -> float:
    skel, j, z = dancer.skeleton, dancer.skeleton.index(joint), 0.0
    while j >= 0:
        z += skel.offsets_m[j][2]
        j = skel.parents[j]
    return z


def _world(dancer: DancerMotion, joint: str) -> np.ndarray:
    skel = dancer.skeleton
    return m.world_rotations(skel.parents, dancer.rotations, skel.index(joint))


def _frame(performance: Performance, t: float) -> int:
    return min(round(t * performance.fps), performance.n_frames - 1)


def _weighted(performance: Performance, role: str) -> list[StepEvent]:
    return [e for e in performance.events if e.role == role and e.weight]


@pytest.fixture(scope="module")
def waltz() -> tuple[Routine, Performance]:
    routine = routine_of("Waltz", ["rf_closed_change", "lf_closed_change"], bpm=87.0)
    return routine, perform(routine)


def test_a_waltz_closed_change_rises_onto_the_balls_and_falls(
    waltz: tuple[Routine, Performance],
) -> None:
    _, performance = waltz
    beat_s = 60.0 / 87.0
    for dancer in performance.dancers:
        pos = dancer.joint_positions()
        events = _weighted(performance, dancer.role)
        # Beat 3 of the first bar: up, on the balls of both feet (the heel of the foot
        # that stands since beat 2 off the floor, its ball where it was, on the floor).
        standing = events[1]
        up = _frame(performance, events[2].time_s)
        heel = pos[:, dancer.skeleton.index(RIG.heels[standing.foot])]
        ball = pos[:, dancer.skeleton.index(RIG.balls[standing.foot])]
        heel_rest = _rest_z(dancer, RIG.heels[standing.foot])
        ball_rest = _rest_z(dancer, RIG.balls[standing.foot])
        landed = _frame(performance, standing.time_s + 0.1)
        assert heel[up, 2] - heel_rest > 0.03, dancer.role
        assert ball[up, 2] - ball_rest < 0.003, dancer.role
        assert np.linalg.norm(ball[landed:up, :2] - ball[landed, :2], axis=1).max() < 0.005
        # The pelvis is up with the heels, and down again at the first beat of the next
        # bar, the knees giving below the standing height as the weight arrives.
        hips = pos[:, 0, 2]
        standing_m = dancer.skeleton.offsets_m[0][2]
        assert hips[up] > standing_m + 0.02, dancer.role
        down = _frame(performance, events[3].time_s)
        assert hips[down] < standing_m - 0.01, dancer.role
        heel_next = pos[down, dancer.skeleton.index(RIG.heels[events[3].foot]), 2]
        assert heel_next - _rest_z(dancer, RIG.heels[events[3].foot]) < 0.005
        assert events[3].time_s - events[2].time_s == pytest.approx(beat_s, abs=0.01)


def test_the_check_sees_the_waltz_rise_and_its_supports_stay_planted(
    waltz: tuple[Routine, Performance],
) -> None:
    routine, performance = waltz
    report = check_performance(routine, performance)
    for d in report.dancers:
        assert d.supports_sliding == 0
        assert d.heel_rise_max_m > 0.04
        assert d.heel_up_share > 0.3  # beats 2 and 3 of each bar (the last support lasts)


def test_a_tango_does_not_rise() -> None:
    routine = routine_of("Tango", ["walks", "progressive_side_step"], bpm=128.0)
    performance = perform(routine)
    report = check_performance(routine, performance)
    for dancer, d in zip(performance.dancers, report.dancers, strict=True):
        assert d.heel_rise_max_m < 0.005, dancer.role
        assert d.heel_up_share == 0.0
        standing_m = dancer.skeleton.offsets_m[0][2]
        assert performance.dancer(dancer.role).joint_positions()[:, 0, 2].max() <= standing_m


def test_a_rumba_basic_tilts_the_hips_up_over_the_standing_leg() -> None:
    routine = routine_of("Rumba", ["closed_basic", "closed_basic"], bpm=100.0)
    # Without the contra-body turn of the basic's turning steps: the hips' own turn.
    params = MotionParams(contra_body_deg=0.0)
    performance = perform(routine, params=params)
    checked = 0
    for dancer in performance.dancers:
        tilt = m.tilt_deg(_world(dancer, RIG.root), RIGHT)
        twist = m.yaw_between_deg(_world(dancer, RIG.root), _world(dancer, RIG.chest), FORWARD)
        events = _weighted(performance, dancer.role)
        for e, nxt in itertools.pairwise(events):
            if nxt.time_s - e.time_s < 0.5:
                continue
            f = _frame(performance, (e.time_s + nxt.time_s) / 2)
            way = 1.0 if e.foot == "R" else -1.0
            assert way * tilt[f] > 4.0, (dancer.role, e)  # the standing side's hip up
            assert way * twist[f] > 3.0, (dancer.role, e)  # the hips turned towards it
            checked += 1
    assert checked >= 8
    report = check_performance(routine, performance)
    for d in report.dancers:
        assert d.hip_tilt_range_deg == pytest.approx(2 * params.cuban_hip_tilt_deg, abs=1.0)


def test_a_turn_twists_the_chest_into_it_and_the_heads_look_left_in_closed_hold() -> None:
    routine = routine_of("Waltz", ["natural_turn"], bpm=87.0)
    performance = perform(routine)
    params = MotionParams()
    for dancer in performance.dancers:
        chest = _world(dancer, RIG.chest)
        twist = m.yaw_between_deg(_world(dancer, RIG.root), chest, FORWARD)
        # A natural turn turns right (clockwise): the chest leads, clockwise of the hips.
        assert twist.min() < -0.8 * params.contra_body_deg, dancer.role
        assert twist.max() < 1.0, dancer.role
        head = m.yaw_between_deg(chest, _world(dancer, RIG.head), FORWARD)
        mid = performance.n_frames // 2
        want = params.head_turn_deg if dancer.role == "follower" else params.leader_head_turn_deg
        assert head[mid] == pytest.approx(want, abs=1.0), dancer.role


def test_the_character_measures_have_known_answers() -> None:
    n = 10
    heel = np.zeros((n, 3))
    heel[:, 2] = 0.07 + np.array([0, 0, 0.01, 0.03, 0.05, 0.05, 0.02, 0, 0, 0])
    assert m.heel_rise_m(heel, 0.07, 0, n) == pytest.approx(0.05)
    assert m.heel_rise_m(heel, 0.07, 7, n) == 0.0
    assert m.heel_rise_m(heel, 0.07, 4, 4) == 0.0
    assert m.heel_up_frames(heel, 0.07, 0.015, 0, n) == 4
    # A pelvis tilted 10 deg with its right side up (about its forward axis, y), turned
    # 90 deg to face -x: the tilt is 10 deg whatever the facing.
    tilt = Rotation.from_euler("ZY", [[90.0, -10.0]] * n, degrees=True).as_matrix()
    assert m.tilt_deg(tilt, RIGHT) == pytest.approx(np.full(n, 10.0))
    # A chest 30 deg counter-clockwise of hips facing 170 deg: across the wrap at 180.
    hips = Rotation.from_euler("z", np.full((n, 1), 170.0), degrees=True).as_matrix()
    chest = Rotation.from_euler("z", np.full((n, 1), 200.0), degrees=True).as_matrix()
    assert m.yaw_between_deg(hips, chest, FORWARD) == pytest.approx(np.full(n, 30.0))
    assert m.yaw_between_deg(chest, hips, FORWARD) == pytest.approx(np.full(n, -30.0))
    assert m.range_deg(np.array([-5.0, 3.0, 12.0])) == pytest.approx(17.0)
    assert m.range_deg(np.array([])) == 0.0
    assert math.isclose(float(m.tilt_deg(np.eye(3)[None], RIGHT)[0]), 0.0, abs_tol=1e-9)


def test_a_samba_basic_bounces_once_a_beat() -> None:
    bpm = 100.0
    routine = routine_of("Samba", ["natural_basic", "natural_basic"], bpm=bpm)
    flat = perform(routine, params=MotionParams(bounce_m=0.0))
    bouncing = perform(routine)
    beat_s = 60.0 / bpm
    first, last = routine.figures[0].start_s, routine.figures[-1].end_s
    beats = np.arange(first + beat_s, last - 0.5 * beat_s, beat_s)
    for role in ("leader", "follower"):
        lower = (
            flat.dancer(role).root_positions_m[:, 2] - bouncing.dancer(role).root_positions_m[:, 2]
        )
        on = lower[[_frame(bouncing, t) for t in beats]]
        between = lower[[_frame(bouncing, t + beat_s / 2) for t in beats]]
        # Flexed on every beat, straightened between.
        assert on.min() > 0.02, role
        assert between.max() < 0.01, role


@pytest.mark.parametrize(
    ("dance", "figures"), [("Jive", ["basic_in_place"] * 2), ("East Coast Swing", ["basic"] * 2)]
)
def test_a_springy_dance_gives_at_the_knees_on_every_step(dance: str, figures: list[str]) -> None:
    """In a dance whose pulse is springy (the Jive, the swing) the pelvis is lowered a
    little a third of the way through every weight step and straightened by its end; with
    ``spring_m = 0`` it is not (the Samba's own bounce is per step, not this). The hips
    sitting back as the knees give (``hold_sit_back_share``) is left out of both: it moves
    the pelvis on the floor, and with it what the legs reach."""
    routine = routine_of(dance, figures, bpm=150.0)
    flat = perform(routine, params=MotionParams(spring_m=0.0, hold_sit_back_share=0.0))
    springy = perform(routine, params=MotionParams(hold_sit_back_share=0.0))
    for role in ("leader", "follower"):
        lower = (
            flat.dancer(role).root_positions_m[:, 2] - springy.dancer(role).root_positions_m[:, 2]
        )
        steps = [e for e in springy.events if e.role == role and e.weight]
        assert len(steps) >= 8
        for e, nxt in itertools.pairwise(steps):
            third = _frame(springy, e.time_s + (nxt.time_s - e.time_s) / 3)
            if nxt.time_s - e.time_s > 0.3:  # (the short 'a' of a chassé gives less)
                assert lower[third] > 0.012, (role, e.time_s)
        assert lower.min() > -1e-9


def test_a_kick_leaves_the_floor_and_is_up_on_its_beat() -> None:
    """The Jive's Kick Ball Change: on 1 the free foot (his left, her right) is up in the
    air, its ankle ``kick_height_m`` above where it stands, its ball off the floor, its toe
    pointed; it is back on the floor, on its ball, by "a"; with ``kick_height_m = 0`` it is
    a tap on the floor instead."""
    routine = routine_of(
        "Jive",
        ["change_of_places_right_to_left", "kick_ball_change", "change_of_places_left_to_right"],
    )
    kick = routine.figures[1]
    beat_s = routine.tempo_map.second_from_beat(kick.start_beat + 1) - kick.start_s
    for height, up in ((MotionParams().kick_height_m, True), (0.0, False)):
        performance = perform(routine, params=MotionParams(kick_height_m=height))
        for role, side in (("leader", "Left"), ("follower", "Right")):
            dancer = performance.dancer(role)
            pos = dancer.joint_positions()
            ankle = pos[:, dancer.skeleton.index(f"{side}Foot"), 2]
            ball = pos[:, dancer.skeleton.index(f"{side}ToeBase"), 2]
            standing = _rest_z(dancer, f"{side}Foot")
            on_beat = _frame(performance, kick.start_s)
            at_a = _frame(performance, kick.start_s + 0.75 * beat_s + 0.02)
            if up:
                assert ankle[on_beat] - standing == pytest.approx(height, abs=0.02), role
                assert ball[on_beat] > 0.15, role
                # The toe pointed: the ball further below the ankle than standing flat.
                flat = standing - _rest_z(dancer, f"{side}ToeBase")
                assert ankle[on_beat] - ball[on_beat] > flat + 0.04, role
            else:
                assert ankle[on_beat] - standing < 0.02, role
            assert ball[at_a] < 0.05, role


def test_a_rumba_basic_stands_on_a_straighter_leg() -> None:
    """Half way through each support the standing knee is bent less than 30 deg in the
    median (it was 26 deg for him, 37 deg for her): the pelvis goes as high as the
    standing leg reaches, and the free foot rests on its ball rather than hold the pelvis
    down. (A Latin standing leg is straight; the forward and back checks, both feet
    weighted far apart, still bend it about 35 deg.)"""
    routine = routine_of("Rumba", ["closed_basic", "closed_basic", "closed_basic"], bpm=100.0)
    performance = perform(routine)
    for dancer in performance.dancers:
        positions = dancer.joint_positions()
        index = dancer.skeleton.index
        bends = []
        for e, nxt in itertools.pairwise(_weighted(performance, dancer.role)):
            f = _frame(performance, (e.time_s + nxt.time_s) / 2)
            side = "Left" if e.foot == "L" else "Right"
            hip, knee, ankle = (positions[f, index(side + j)] for j in ("UpLeg", "Leg", "Foot"))
            thigh, shin = knee - hip, ankle - knee
            cos = thigh @ shin / np.linalg.norm(thigh) / np.linalg.norm(shin)
            bends.append(math.degrees(math.acos(min(1.0, max(-1.0, float(cos))))))
        assert np.median(bends) < 30.0, (dancer.role, np.round(bends))


def _leg_overlap_frames(performance: Performance) -> int:
    """Frames where a leg capsule (thigh, shin) of the leader overlaps one of the follower's."""
    legs = [c for c in BONE_CAPSULES if c.endswith(("_thigh", "_shin"))]
    radii = capsule_radii_m()
    pos = {d.role: (d.skeleton, d.joint_positions()) for d in performance.dancers}
    hit = np.zeros(performance.n_frames, dtype=bool)
    for a in legs:
        for b in legs:
            ends = []
            for role, capsule in (("leader", a), ("follower", b)):
                skel, p = pos[role]
                ends += [p[:, skel.index(j)] for j in BONE_CAPSULES[capsule]]
            hit |= segment_distances_m(*ends) < radii[a] + radii[b]
    return int(hit.sum())


def test_a_springy_closed_hold_sits_the_hips_back_and_keeps_the_knees_apart() -> None:
    """In the Polka's closed-hold turns (a springy pulse: the knees give on every step) the
    hips sit back as the knees come forward (``hold_sit_back_share``): the pelvises are
    further apart than with the share 0, and the partners' bent legs, which interleave only
    8 cm apart sideways, pass each other instead of going through each other. A Waltz (not
    springy) is not changed."""
    routine = routine_of("Polka", ["natural_turn", "natural_turn", "basic"], bpm=120.0)
    # The knees' searched swivel (which keeps most of those legs apart on its own) off in
    # both: the sit-back is what is measured.
    upright = perform(
        routine, params=MotionParams(contact_swivel_sweeps=0, hold_sit_back_share=0.0)
    )
    sat = perform(routine, params=MotionParams(contact_swivel_sweeps=0))

    def apart(p: Performance) -> np.ndarray:
        roots = [d.root_positions_m[:, :2] for d in p.dancers]
        return np.asarray(np.linalg.norm(roots[0] - roots[1], axis=1))

    wider = apart(sat) - apart(upright)
    assert wider.max() > 0.08
    assert np.median(wider) > 0.03
    assert _leg_overlap_frames(upright) > 30
    assert _leg_overlap_frames(sat) <= _leg_overlap_frames(upright) / 2
    waltz = routine_of("Waltz", ["rf_closed_change", "lf_closed_change"], bpm=87.0)
    upright_waltz = perform(waltz, params=MotionParams(hold_sit_back_share=0.0))
    for ours, theirs in zip(perform(waltz).dancers, upright_waltz.dancers, strict=True):
        assert np.array_equal(ours.root_positions_m, theirs.root_positions_m)
