"""The pelvis planned over the feet: a long stride's swinging foot holds it down until the
foot is well up (the leg at full stretch reaches its mark); a low swing lets go early."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from _tracks import feet_only_tracks
from pasdeux.motion import MotionParams
from pasdeux.motion.body import plan_pelvis, pose_body
from pasdeux.motion.rig import skeleton_for_height
from pasdeux.motion.steps import Tracks

FPS = 60.0


def _stride(length_m: float, peak_m: float, n: int = 120) -> Tracks:
    """Facing +x, the left foot standing beside the body, the right foot swinging from
    ``length_m / 2`` behind to as far in front over frames 30-90, ``peak_m`` high."""
    zeros = np.zeros(n)
    left = np.column_stack([zeros, np.full(n, 0.1), zeros])
    right = np.column_stack([np.full(n, -length_m / 2), np.full(n, -0.1), zeros])
    u = np.linspace(0.0, 1.0, 60)
    right[30:90, 0] = length_m * (u - 0.5)
    right[30:90, 2] = peak_m * np.sin(np.pi * u)
    right[90:, 0] = length_m / 2
    return feet_only_tracks({"L": left, "R": right}, {"L": 0.0, "R": 0.0})


def _pelvis_height(tr: Tracks, params: MotionParams) -> np.ndarray:
    plan_pelvis(tr, skeleton_for_height(1.80), params, FPS, np.zeros((tr.facing.size, 2)))
    return tr.pelvis_m[:, 2]


def test_a_long_strides_swinging_foot_holds_the_pelvis_down_until_it_is_well_up() -> None:
    params = MotionParams()
    assert params.swing_hold_lift_m > params.swing_free_lift_m
    held = _pelvis_height(_stride(1.1, 0.1), params)
    early = _pelvis_height(_stride(1.1, 0.1), replace(params, swing_hold_lift_m=0.02))
    # Never higher, and lower while the foot rises between the two heights.
    assert np.all(held <= early + 1e-9)
    assert np.any(held < early - 0.01)


def test_a_low_swing_lets_go_of_the_pelvis_as_before() -> None:
    params = MotionParams()
    low = 0.5 * params.swing_hold_peak_share * params.swing_hold_lift_m
    a = _pelvis_height(_stride(1.1, low), params)
    b = _pelvis_height(_stride(1.1, low), replace(params, swing_hold_lift_m=0.02))
    np.testing.assert_allclose(a, b, atol=1e-12)


def _swinging_ankle(params: MotionParams) -> tuple[np.ndarray, np.ndarray]:
    """The right ankle posed over a 1.1 m stride with the pelvis let go early (its leg
    falls short mid-swing), and where the plan puts it (same height above the foot's
    mark as the standing ankle is above the floor)."""
    skel = skeleton_for_height(1.80)
    early = replace(params, swing_hold_lift_m=params.swing_free_lift_m)
    tr = _stride(1.1, 0.1)
    plan_pelvis(tr, skel, early, FPS, np.zeros((tr.facing.size, 2)))
    body = pose_body(skel, tr, early)
    ankle = body.positions[:, skel.index("RightFoot")]
    standing = body.positions[0, skel.index("LeftFoot"), 2]
    planned = tr.feet["R"] + np.array([0.0, 0.0, standing])
    return ankle, planned


def test_a_swinging_foot_its_leg_cannot_reach_stays_over_its_mark() -> None:
    params = MotionParams()
    assert params.swing_over_mark_share == 1.0
    ankle, planned = _swinging_ankle(params)
    line, _ = _swinging_ankle(replace(params, swing_over_mark_share=0.0))
    air = planned[:, 2] > planned[0, 2] + params.swing_free_lift_m
    level = np.linalg.norm(ankle[air, :2] - planned[air, :2], axis=1)
    level_line = np.linalg.norm(line[air, :2] - planned[air, :2], axis=1)
    # Along the straight line the ankle falls short towards the hip; kept over its mark,
    # it is short only upwards (never lower than planned; raised about as much as allowed
    # at most, beyond which the leg falls short along the line again, by little here).
    assert level_line.max() > 0.01
    assert level.max() < 1e-3
    rise = ankle[air, 2] - planned[air, 2]
    assert rise.min() > -1e-6
    assert rise.max() < params.swing_over_mark_max_m + 0.005
    assert rise.max() > 0.01


def test_the_pelvis_goes_where_a_swing_lets_go_of_it_no_faster_than_its_limit_speed() -> None:
    """A 1.1 m stride 10 cm high holds the pelvis down until the foot is well up, then
    lets go of it within a few frames: without a bound the pelvis comes back up at 4.3
    m/s; with the default ``pelvis_limit_speed_m_s`` (3 m/s) no faster than that, never
    higher than without and as low at the stride's lowest (the leg still reaches)."""
    params = MotionParams()
    free = _pelvis_height(_stride(1.1, 0.1), replace(params, pelvis_limit_speed_m_s=1e3))
    bound = _pelvis_height(_stride(1.1, 0.1), params)
    assert np.abs(np.diff(free)).max() * FPS > 4.0
    assert np.abs(np.diff(bound)).max() * FPS <= params.pelvis_limit_speed_m_s + 1e-9
    assert np.all(bound <= free + 1e-9)
    assert bound.min() == pytest.approx(free.min(), abs=1e-6)
