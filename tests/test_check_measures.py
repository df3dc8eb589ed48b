"""The check's measures on synthetic motion with known answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from pasdeux.check import measures as m
from pasdeux.export import write_bvh
from pasdeux.motion import DancerMotion, skeleton_for_height

FPS = 60.0


def _still(n: int, at: tuple[float, float, float] = (0.0, 0.0, 0.02)) -> np.ndarray:
    return np.tile(np.asarray(at, dtype=float), (n, 1))


def test_a_foot_sliding_2_cm_slides_2_cm_and_a_pivot_does_not_slide() -> None:
    n = 30
    heel, ball = _still(n, (0.0, 0.0, 0.08)), _still(n, (0.0, 0.14, 0.02))
    heel[:, 0] += np.linspace(0.0, 0.02, n)
    ball[:, 0] += np.linspace(0.0, 0.02, n)
    assert m.support_slide_m(heel, ball, 0, n) == pytest.approx(0.02)
    assert m.support_slide_m(heel, ball, 0, n // 2) < 0.011
    # Turning a quarter on the ball: the heel swings round it, the ball stays.
    angle = np.linspace(0.0, np.pi / 2, n)
    pivot = _still(n, (0.0, 0.14, 0.02))
    swung = pivot + np.column_stack([0.14 * np.sin(angle), -0.14 * np.cos(angle), 0.06 + 0 * angle])
    assert m.support_slide_m(swung, pivot, 0, n) == pytest.approx(0.0)


def test_capsule_distances_have_known_answers() -> None:
    z = np.zeros(3)
    x = np.array([1.0, 0.0, 0.0])
    y = np.array([0.0, 1.0, 0.0])
    up = np.array([0.0, 0.0, 0.01])
    cases = [
        ((z, x, z + up, x + up), 0.01),  # parallel, 1 cm apart
        ((z - x, z + x, up - y, up + y), 0.01),  # crossing, 1 cm over
        ((z, x, 2 * x, 3 * x), 1.0),  # in line, end to end
        ((z, z, -y + 0.5 * x, y + 0.5 * x), 0.5),  # a point and a segment
        ((z, z, up, up), 0.01),  # two points
        ((z, x, x + y, x + y), 1.0),  # a segment and a point beyond its end
    ]
    for (p0, p1, q0, q1), expected in cases:
        assert float(m.segment_distances_m(p0, p1, q0, q1)) == pytest.approx(expected)
    ends_a = (z[None, None], x[None, None])
    ends_b = ((z + up)[None, None], (x + up)[None, None])
    thin, thick = np.array([0.004]), np.array([0.006])
    assert not m.penetrating_pairs(ends_a, thin, ends_b, thin).any()
    assert m.penetrating_pairs(ends_a, thick, ends_b, thick).all()
    # Overlapping by 2 mm is touching when contact allows 5 mm.
    assert not m.penetrating_pairs(ends_a, thick, ends_b, thick, contact_m=0.005).any()


def test_a_turn_of_450_degrees_is_450_degrees() -> None:
    yaw = np.linspace(0.0, -np.radians(450.0), 200)  # clockwise seen from above
    quats = Rotation.from_rotvec(np.outer(yaw, [0.0, 0.0, 1.0])).as_quat()[:, None, :]
    world = m.world_rotations((-1,), quats, 0)
    facing = m.facing_unwrapped_rad(world, np.array([0.0, 1.0, 0.0]))
    assert np.degrees(facing[0] - facing[-1]) == pytest.approx(450.0)


def test_a_quaternion_sign_flip_is_not_an_euler_flip(tmp_path: Path) -> None:
    skel = skeleton_for_height(1.8)
    n = 40
    turn = Rotation.from_rotvec(np.outer(np.linspace(0.0, 0.5, n), [0.0, 0.0, 1.0])).as_quat()
    turn[1::2] *= -1.0  # the same rotations, every other one written as -q
    rotations = np.tile(np.array([0.0, 0.0, 0.0, 1.0]), (n, len(skel.joints), 1))
    rotations[:, 0] = turn
    dancer = DancerMotion("leader", 1.8, skel, np.tile([0.0, 0.0, 0.96], (n, 1)), rotations)
    write_bvh(tmp_path / "leader.bvh", dancer, FPS)
    names, channels = m.read_rotation_channels(tmp_path / "leader.bvh")
    # Every joint but the end sites (the leaves, written as End Site) has three channels.
    assert len(names) == 3 * len(set(skel.parents) - {-1})
    assert m.euler_flip_frames(channels, 90.0) == 0


def test_a_channel_wrapping_round_is_a_flip() -> None:
    channels = np.array([[170.0, 0.0], [179.0, 1.0], [-179.0, 2.0], [-170.0, 3.0]])
    assert m.euler_flip_frames(channels, 90.0) == 1
    assert m.euler_flip_frames(channels[:2], 90.0) == 0


def _pulsing(beat_times: np.ndarray, n: int) -> np.ndarray:
    """A joint whose speed is 0 at ``beat_times`` (|sin| between them), shape (n, 1, 3)."""
    t = np.arange(n) / FPS
    period = float(beat_times[1] - beat_times[0])
    phase = np.pi * (t - beat_times[0]) / period
    x = np.cumsum(np.abs(np.sin(phase))) / FPS
    return np.column_stack([x, 0 * x, 0 * x])[:, None, :]


def test_beat_align_score_is_one_on_the_beat_and_zero_off_it() -> None:
    beats = np.arange(0.0, 10.0, 0.5)
    on = _pulsing(beats, 600)
    off = _pulsing(beats + 0.25, 600)
    kw = {"smoothing_s": 5 / 60, "sigma_s": 3 / 60}
    assert m.beat_align_score(on, FPS, beats[1:-1], **kw) == pytest.approx(1.0, abs=0.05)
    assert m.beat_align_score(off, FPS, beats[1:-1], **kw) == pytest.approx(0.0, abs=0.01)


def test_skating_ratio_counts_moving_frames_of_a_foot_on_the_floor() -> None:
    ball = _still(100)
    ball[:, 0] = np.minimum(np.arange(100), 50) / FPS  # 1 m/s for 50 frames, then still
    assert m.skating_ratio(ball, FPS, 0.05, 0.5) == pytest.approx(0.5)
    lifted = ball.copy()
    lifted[:51, 2] = 0.10  # the moving part in the air: not skating
    assert m.skating_ratio(lifted, FPS, 0.05, 0.5) == 0.0


def test_lodge_ratio_follows_their_definition() -> None:
    n = 61
    heel, ball = _still(n, (0.0, 0.0, 0.08)), _still(n)
    along_x = [heel.copy(), ball.copy()]
    for p in along_x:
        # 1 m/s along x: the mean of the two horizontal components is 0.5 m/s, above
        # their 0.01 m per 1/30 s (0.5 m/s along x alone would not skate for them).
        p[:, 0] += np.arange(n) * 1.0 / FPS
    diagonal = [p.copy() for p in along_x]
    for p in diagonal:
        p[:, 1] -= p[:, 0]  # dx = -dy: the mean of the two components is 0
    still = [heel, ball]
    ratio = m.lodge_skating_ratio([along_x[0], still[0]], [along_x[1], still[1]], FPS)
    assert ratio == pytest.approx(0.5 * (n - 1) / n)  # one foot skates but on its last frame
    assert m.lodge_skating_ratio([diagonal[0]], [diagonal[1]], FPS) == 0.0


def test_edge_pfc_is_zero_for_planted_feet_and_known_for_sliding_ones() -> None:
    n = 50
    t = np.arange(n) / FPS
    root = np.column_stack([t**2, 0 * t, 0.96 + 0 * t])  # constant acceleration
    still = [_still(n), _still(n)]
    assert m.edge_pfc(root, still, still, FPS) == 0.0
    sliding = _still(n)
    sliding[:, 0] = 0.3 * t  # 0.3 m/s = 0.01 m per 1/30 s
    feet = [sliding, sliding.copy()]
    assert m.edge_pfc(root, feet, feet, FPS) == pytest.approx(1.0)


def test_landing_frame_is_the_stop_nearest_the_beat() -> None:
    moving = np.zeros(20, dtype=bool)
    moving[3:8] = True  # arrives on frame 8
    moving[12:15] = True  # and sets off again on frame 12 (its next step): not a landing
    assert m.landing_frame(moving, 0, 14, near=9) == 8
    moving[12:] = True  # still moving at the end of the window
    assert m.landing_frame(moving, 0, 20, near=19) == 8
    assert m.landing_frame(moving, 9, 20, near=9) is None


def test_bone_drift_and_joint_speed() -> None:
    n = 10
    pos = np.zeros((n, 2, 3))
    pos[:, 1, 2] = 0.5
    pos[4, 1, 2] = 0.502
    assert m.bone_drift_max_m(pos, (-1, 0), ((0.0, 0.0, 0.0), (0.0, 0.0, 0.5))) == pytest.approx(
        0.002
    )
    pos[6, 0, 0] = 0.5  # the root jumps 0.5 m in one frame
    speed, joint, frame = m.joint_speed_max(pos, FPS)
    assert speed == pytest.approx(30.0)
    assert (joint, frame) == (0, 6)
