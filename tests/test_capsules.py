"""The capsule body model shared by the motion stage and the check."""

from __future__ import annotations

import numpy as np
import pytest

from pasdeux import capsules
from pasdeux.dances import HOLDS
from pasdeux.motion import JOINTS


def test_every_capsule_is_between_joints_of_the_rig_and_has_a_radius() -> None:
    radii = capsules.capsule_radii_m()
    assert set(radii) == set(capsules.BONE_CAPSULES)
    for a, b in capsules.BONE_CAPSULES.values():
        assert a in JOINTS and b in JOINTS
    assert all(0.0 < r < 0.2 for r in radii.values())
    for parts in capsules.PART_CAPSULES.values():
        assert set(parts) <= set(capsules.BONE_CAPSULES)


def test_closest_parameters_have_known_answers() -> None:
    z = np.zeros(3)
    x = np.array([1.0, 0.0, 0.0])
    y = np.array([0.0, 1.0, 0.0])
    # Crossing at the middle of both.
    up = np.array([0.0, 0.0, 0.1])
    s, t = capsules.closest_parameters(z - x, z + x, up - y, up + y)
    assert float(s) == pytest.approx(0.5)
    assert float(t) == pytest.approx(0.5)
    # A point beyond the end of a segment: the end.
    s, t = capsules.closest_parameters(z, x, 2 * x + y, 2 * x + y)
    assert (float(s), float(t)) == pytest.approx((1.0, 0.0))
    # Vectorised over leading axes.
    p0 = np.zeros((4, 3, 3))
    s, t = capsules.closest_parameters(p0, p0 + x, p0 + y, p0 + y + x)
    assert s.shape == t.shape == (4, 3)


def test_closest_on_segment_is_closest_parameters_of_a_point() -> None:
    rng = np.random.default_rng(5)
    p0, p1, point = rng.normal(size=(3, 300, 3))
    p1[:20] = p0[:20]  # segments that are points
    point[20:40] = p0[20:40] + 0.3 * (p1[20:40] - p0[20:40])  # points on the segment
    s = capsules.closest_on_segment(p0, p1, point)
    assert np.array_equal(s, capsules.closest_parameters(p0, p1, point, point)[0])
    assert np.all(s[:20] == 0.0)
    assert s[20:40] == pytest.approx(0.3)
    # Known answers: beyond either end, the end; beside the middle, the middle.
    x, y = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    z = np.zeros(3)
    ends = [float(capsules.closest_on_segment(z, x, q)) for q in (-x + y, 2 * x, 0.5 * x + y)]
    assert ends == pytest.approx([0.0, 1.0, 0.5])


def test_segment_distances_are_symmetric_and_never_more_than_the_ends_apart() -> None:
    rng = np.random.default_rng(3)
    p0, p1, q0, q1 = rng.normal(size=(4, 200, 3))
    d = capsules.segment_distances_m(p0, p1, q0, q1)
    assert np.allclose(d, capsules.segment_distances_m(q0, q1, p0, p1))
    ends = [np.linalg.norm(a - b, axis=1) for a in (p0, p1) for b in (q0, q1)]
    assert np.all(d <= np.min(ends, axis=0) + 1e-12)
    # A fine sampling of both segments never finds a closer pair of points.
    u = np.linspace(0.0, 1.0, 41)[:, None, None]
    a = p0 + u * (p1 - p0)
    b = q0 + u * (q1 - q0)
    sampled = np.min(np.linalg.norm(a[:, None] - b[None, :], axis=-1), axis=(0, 1))
    assert np.all(d <= sampled + 1e-12)


def test_holds_put_in_contact_only_the_parts_they_join() -> None:
    assert capsules.hold_contact_pairs("none") == frozenset()
    closed = capsules.hold_contact_pairs("closed")
    assert ("l_hand", "r_hand") in closed  # joined hands
    assert ("r_hand", "chest") in closed  # his right hand on her shoulder blade
    assert ("r_upper_arm", "l_hand") in closed  # her left hand on his right arm
    assert ("r_thigh", "l_thigh") not in closed
    for hold in HOLDS:
        for a, b in capsules.hold_contact_pairs(hold):
            assert a in capsules.BONE_CAPSULES and b in capsules.BONE_CAPSULES


def test_capsule_overlaps_have_known_answers() -> None:
    """Two parallel capsules 0.1 m apart with radii 0.04 and 0.08 overlap by 0.02 m; moved
    0.3 m apart, their gap is 0.18 m (a negative overlap); penetrating_pairs agrees."""
    a = (np.array([[[0.0, 0.0, 0.0]]]), np.array([[[0.0, 0.0, 1.0]]]))
    for apart, expected in ((0.1, 0.02), (0.3, -0.18)):
        b = (np.array([[[apart, 0.0, 0.0]]]), np.array([[[apart, 0.0, 1.0]]]))
        radii = (np.array([0.04]), np.array([0.08]))
        got = capsules.capsule_overlaps_m(a, radii[0], b, radii[1])
        assert got.shape == (1, 1, 1)
        assert float(got[0, 0, 0]) == pytest.approx(expected)
        pen = capsules.penetrating_pairs(a, radii[0], b, radii[1], contact_m=0.01)
        assert bool(pen[0, 0, 0]) is (expected > 0.01)


def test_in_closed_hold_her_elbow_rests_on_his_so_the_four_elbow_bones_touch() -> None:
    """Closed hold: her left arm lies along his right, her elbow on his elbow. Every bone
    meeting at those two elbows (his upper arm and forearm, hers) touches the other two
    there; no leg, and neither torso against the other, is contact. The motion stage lets
    the forearms rest on each other (by ``contact_resting_m``), not pass through."""
    from pasdeux.motion import MotionParams, skeleton_for_height
    from pasdeux.motion.body._contact import allowed_overlaps_m, contact_model

    pairs = capsules.hold_contact_pairs("closed")
    for his in ("r_upper_arm", "r_forearm"):
        for hers in ("l_upper_arm", "l_forearm"):
            assert (his, hers) in pairs
    legs = {f"{s}_{b}" for s in "lr" for b in ("thigh", "shin", "foot")}
    torso = {"hips", "belly", "chest"}
    assert not any(a in legs or b in legs for a, b in pairs)
    assert not any(a in torso and b in torso for a, b in pairs)
    params = MotionParams()
    model = contact_model(skeleton_for_height(1.80), params)
    allowed = allowed_overlaps_m({"closed": np.ones(1)}, model, params.contact_resting_m)
    names = list(capsules.BONE_CAPSULES)
    forearms = allowed[0, names.index("r_forearm"), names.index("l_forearm")]
    assert forearms == pytest.approx(params.contact_resting_m)
