"""Joined hands: one meeting point both arms reach, and bodies brought within reach."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pasdeux.check import check_performance
from pasdeux.dances import load_library
from pasdeux.motion import MotionParams, perform, skeleton_for_height
from pasdeux.motion.body._arms import _speed_limited, pose_arms
from pasdeux.motion.body._reach import (
    arm_reach_m,
    highest_common_point,
    hold_span_m,
    level_point,
    meeting_point,
    reach_shifts,
)
from pasdeux.motion.rig._kin import Body, rot_z
from routines import dance_routine

SKELETONS = {"leader": skeleton_for_height(1.80), "follower": skeleton_for_height(1.68)}


def _rest_positions(role: str) -> np.ndarray:
    skel = SKELETONS[role]
    out = np.zeros((len(skel.joints), 3))
    for j, parent in enumerate(skel.parents):
        out[j] = np.asarray(skel.offsets_m[j]) + (out[parent] if parent >= 0 else 0.0)
    return out


def _standing(role: str, xy: np.ndarray, yaw: np.ndarray) -> Body:
    """A dancer standing in the rest pose at ``xy`` (F, 2) turned ``yaw`` (F,) from the
    rest's facing (+y)."""
    rot = rot_z(yaw)
    rest = _rest_positions(role)
    positions = np.einsum("fij,kj->fki", rot, rest)
    positions[:, :, :2] += xy[:, None, :]
    world = np.repeat(rot[:, None], len(rest), axis=1)
    return Body(positions=positions, world=world, facing=yaw + math.pi / 2)


def _facing_couple(distance_m: np.ndarray) -> dict[str, Body]:
    """Him at the origin facing +y, her ``distance_m`` (per frame) in front facing him."""
    n = len(distance_m)
    her_xy = np.column_stack([np.zeros(n), distance_m])
    return {
        "leader": _standing("leader", np.zeros((n, 2)), np.zeros(n)),
        "follower": _standing("follower", her_xy, np.full(n, math.pi)),
    }


def _posed(hold_weights: dict[str, np.ndarray], distance_m: np.ndarray) -> dict[str, Body]:
    bodies = _facing_couple(distance_m)
    pose_arms(bodies, SKELETONS, hold_weights, {}, MotionParams(), 60.0)
    return bodies


def _joint(bodies: dict[str, Body], role: str, name: str) -> np.ndarray:
    return bodies[role].positions[:, SKELETONS[role].index(name)]


def test_a_low_meeting_point_is_the_wanted_drop_where_both_reach_and_less_where_not() -> None:
    """Level shoulders 0.6 m apart, arms of 0.5 m: the hands meet half way, 0.35 m down
    (0.46 m from each shoulder). 0.9 m apart the drop is what both arms reach: 0.218 m.
    1.2 m apart nothing reaches: the arms point straight at each other."""
    a = np.zeros((3, 3))
    b = np.array([[0.6, 0.0, 0.0], [0.9, 0.0, 0.0], [1.2, 0.0, 0.0]])
    meet = meeting_point(a, b, 0.5, 0.5, 0.35)
    assert np.allclose(meet[0], [0.3, 0.0, -0.35])
    assert np.allclose(meet[1], [0.45, 0.0, -math.sqrt(0.5**2 - 0.45**2)])
    assert np.allclose(meet[2], [0.6, 0.0, 0.0])


def test_a_low_meeting_point_is_within_both_arms_for_any_shoulders_within_reach() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    reach_a, reach_b = 0.53, 0.5
    way = rng.normal(size=(n, 3)) * [1.0, 1.0, 0.2]
    way /= np.linalg.norm(way, axis=1, keepdims=True)
    a = rng.normal(size=(n, 3))
    b = a + rng.uniform(0.05, reach_a + reach_b, n)[:, None] * way
    meet = meeting_point(a, b, reach_a, reach_b, 0.35)
    assert np.all(np.linalg.norm(meet - a, axis=1) <= reach_a + 1e-9)
    assert np.all(np.linalg.norm(meet - b, axis=1) <= reach_b + 1e-9)
    # Never above the line between the shoulders, never further down than wanted.
    between = a + reach_a / (reach_a + reach_b) * (b - a)
    assert np.all(meet[:, 2] <= between[:, 2] + 1e-9)
    assert np.all(between[:, 2] - meet[:, 2] <= 0.35 + 1e-9)


def test_the_highest_point_two_arms_reach() -> None:
    """Arms of 0.6 m from points 1 m apart: highest half way, 0.33 m up; an arm of 0.3 m
    from a point within the other's reach: its top; arms of 0.6 and 0.3 m from points
    1 m apart do not meet: both straight at each other."""
    a = np.zeros((3, 3))
    b = np.array([[1.0, 0.0, 0.0], [0.1, 0.0, 0.0], [1.0, 0.0, 0.0]])
    top = np.vstack(
        [
            highest_common_point(a[:1], b[:1], 0.6, 0.6),
            highest_common_point(a[1:], b[1:], 0.6, 0.3),
        ]
    )
    assert np.allclose(top[0], [0.5, 0.0, math.sqrt(0.36 - 0.25)])
    assert np.allclose(top[1], [0.1, 0.0, 0.3])
    assert np.allclose(top[2], [0.6 / 0.9, 0.0, 0.0])


def test_a_level_meeting_point_keeps_its_height_and_comes_within_both_arms() -> None:
    """Shoulders 0.7 m apart at 1.4 m, hands wanted at 1.75 m over the far shoulder: kept
    at 1.75 m, moved towards the near shoulder until it reaches (0.5 m arms: 0.357 m on
    the level from each; the far one reaches that too). Shoulders 1.0 m apart: nothing at
    1.75 m is within both, the highest point both reach."""
    a = np.array([[0.0, 0.0, 1.4], [0.0, 0.0, 1.4]])
    b = np.array([[0.7, 0.0, 1.4], [1.0, 0.0, 1.4]])
    wanted = np.array([[0.7, 0.0, 1.75], [1.0, 0.0, 1.75]])
    meet = level_point(a, b, (0.5, 0.5), wanted)
    level = math.sqrt(0.5**2 - 0.35**2)
    assert np.allclose(meet[0], [level, 0.0, 1.75])
    assert np.allclose(meet[1], [0.5, 0.0, 1.4 + math.sqrt(0.25 - 0.25)])


@pytest.mark.parametrize("hold", ["left_to_right", "double", "right_to_right", "closed"])
def test_joined_hands_meet_within_a_centimetre_wherever_the_shoulders_are_within_reach(
    hold: str,
) -> None:
    """Two dancers facing each other from 0.3 m to 1.4 m apart, the arms posed for
    ``hold``: every joined pair of wrists is within 1 cm wherever its shoulders are within
    the arms' reach (``hand_reach_share`` of their length), and both arms straight at the
    gap where they are not."""
    distance = np.linspace(0.3, 1.4, 300)
    bodies = _posed({hold: np.ones(distance.size)}, distance)
    pairs = {
        "left_to_right": [("Left", "Right")],
        "right_to_right": [("Right", "Right")],
        "double": [("Left", "Right"), ("Right", "Left")],
        "closed": [("Left", "Right")],
    }[hold]
    share = MotionParams().hand_reach_share
    reach = share * (arm_reach_m(SKELETONS["leader"]) + arm_reach_m(SKELETONS["follower"]))
    for his, hers in pairs:
        gap = np.linalg.norm(
            _joint(bodies, "leader", his + "Hand") - _joint(bodies, "follower", hers + "Hand"),
            axis=1,
        )
        apart = np.linalg.norm(
            _joint(bodies, "leader", his + "Arm") - _joint(bodies, "follower", hers + "Arm"),
            axis=1,
        )
        within = apart <= reach
        assert within.sum() > 50
        assert gap[within].max() < 0.01, (his, hers, gap[within].max())
        assert np.all(gap[~within] >= apart[~within] - reach / share - 1e-3)


def test_raised_hands_meet_over_her_head_wherever_both_reach_that_high() -> None:
    """Raised for an underarm turn: where some point 7 cm over her head is within both
    arms the wrists meet there (within 1 cm); as she comes nearer the hands go from
    between the two towards over her head."""
    distance = np.linspace(0.3, 1.2, 300)
    bodies = _posed({"left_to_right_raised": np.ones(distance.size)}, distance)
    his, hers = _joint(bodies, "leader", "LeftHand"), _joint(bodies, "follower", "RightHand")
    top = _joint(bodies, "follower", "HeadTop_End")
    params = MotionParams()
    height = top + params.raised_hand_clearance_m
    shoulders = (_joint(bodies, "leader", "LeftArm"), _joint(bodies, "follower", "RightArm"))
    level = [
        np.sqrt(np.clip((params.hand_reach_share * arm_reach_m(SKELETONS[role])) ** 2
                        - (height[:, 2] - shoulder[:, 2]) ** 2, 0.0, None))
        for role, shoulder in zip(("leader", "follower"), shoulders, strict=True)
    ]  # fmt: skip
    apart = np.linalg.norm(shoulders[0][:, :2] - shoulders[1][:, :2], axis=1)
    # (5 cm spare: the shoulders posed have risen with the clavicles since the point was
    # chosen.)
    reached = apart <= level[0] + level[1] - 0.05
    assert reached.sum() > 50
    assert np.linalg.norm(his - hers, axis=1)[reached].max() < 0.01
    assert np.all(his[reached, 2] - top[reached, 2] >= params.raised_hand_clearance_m - 0.005)
    # Nearer her, the hands are nearer over her head.
    over = np.linalg.norm(his[:, :2] - top[:, :2], axis=1)
    assert over[reached][0] < over[reached][-1]


def test_a_change_between_two_holds_joining_the_same_hands_keeps_them_joined() -> None:
    """From hands joined low to raised over her head (0.5 m apart) over 60 frames: at
    every frame of the change the wrists are within 1 cm."""
    n = 120
    ramp = np.clip(np.linspace(-0.5, 1.5, n), 0.0, 1.0)
    weights = {"left_to_right": 1.0 - ramp, "left_to_right_raised": ramp}
    bodies = _posed(weights, np.full(n, 0.5))
    gap = _joint(bodies, "leader", "LeftHand") - _joint(bodies, "follower", "RightHand")
    assert np.linalg.norm(gap, axis=1).max() < 0.01


def test_bodies_beyond_the_hands_reach_are_each_brought_half_the_way_in() -> None:
    """Facing each other on the x axis 1.3 m apart (his left shoulder and her right on
    the same line): in a one-hand hold each pelvis moves half the shortfall towards the
    other; within reach, or in the closed hold, nothing moves."""
    n = 200
    params = MotionParams()
    span = hold_span_m("left_to_right", SKELETONS, params)
    facing = {"leader": np.zeros(n), "follower": np.full(n, math.pi)}
    for distance, hold, moved in ((1.3, "left_to_right", True), (0.8, "left_to_right", False),
                                  (1.3, "closed", False)):  # fmt: skip
        xy = {"leader": np.zeros((n, 2)), "follower": np.tile([distance, 0.0], (n, 1))}
        shifts = reach_shifts(xy, facing, SKELETONS, {hold: np.ones(n)}, params, 60.0)
        expected = (distance - span) / 2 if moved else 0.0
        # (Within 0.1 mm: the shoulders are not exactly over the pelvis.)
        assert np.allclose(shifts["leader"], [[expected, 0.0]] * n, atol=1e-4)
        assert np.allclose(shifts["follower"], [[-expected, 0.0]] * n, atol=1e-4)


@pytest.mark.slow
def test_every_dance_keeps_its_joined_hands_joined() -> None:
    """Over a routine of every dance: the joined hands are within 3 cm in 99% of the frames
    ``pasdeux check`` counts as joined."""
    shares = {}
    for style in load_library():
        routine = dance_routine(style)
        report = check_performance(routine, perform(routine))
        if report.joined_within_share is not None:
            shares[style.name] = report.joined_within_share
    assert shares and min(shares.values()) >= 0.99, shares


def test_a_hand_target_moving_too_fast_follows_at_the_limit_across_blocks() -> None:
    """A target jumping 1 m at frame 5 is followed 0.1 m a frame (step 0.1 m) until it is
    reached; a slow target is left as it is; posed in two blocks (the last frame carried)
    the result is the same."""
    target = np.zeros((30, 3))
    target[5:, 0] = 1.0
    out, last = _speed_limited(target, None, 0.1)
    assert np.allclose(out[:5, 0], 0.0)
    assert np.allclose(out[5:15, 0], np.arange(1, 11) * 0.1)
    assert np.allclose(out[15:, 0], 1.0) and np.allclose(last, [1.0, 0.0, 0.0])
    first, carried = _speed_limited(target[:8], None, 0.1)
    second, _ = _speed_limited(target[8:], carried, 0.1)
    assert np.allclose(np.vstack([first, second]), out)
    slow = np.column_stack([np.linspace(0.0, 1.0, 30), np.zeros(30), np.zeros(30)])
    assert np.array_equal(_speed_limited(slow, None, 0.1)[0], slow)


def test_a_low_meeting_point_drops_along_the_way_given_as_far_as_both_reach() -> None:
    """Dropped along a way forward and down, the point is the wanted drop along it from
    between the shoulders where both arms reach it, and within both arms where they
    do not (the drop shortened)."""
    way = np.array([[0.0, 0.6, -1.0]]) / math.hypot(0.6, 1.0)
    a = np.zeros((2, 3))
    b = np.array([[0.2, 0.0, 0.0], [0.9, 0.0, 0.0]])
    ways = np.repeat(way, 2, axis=0)
    meet = meeting_point(a, b, 0.5, 0.5, 0.35, ways)
    assert np.allclose(meet[0], [0.1, 0.0, 0.0] + 0.35 * way[0])
    assert np.all(np.linalg.norm(meet - a, axis=1) <= 0.5 + 1e-9)
    assert np.all(np.linalg.norm(meet - b, axis=1) <= 0.5 + 1e-9)
    assert np.isclose(np.linalg.norm(meet[1] - b[1]), 0.5)  # as far as both reach
