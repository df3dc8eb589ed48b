"""Feet kept off each other: a foot landing beside a partner's standing foot lands clear."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from _tracks import feet_only_tracks
from pasdeux.capsules import segment_distances_m
from pasdeux.dances.geometry import FOOT_OFFSET_M
from pasdeux.motion import MotionParams
from pasdeux.motion.rig import ANKLE_HEIGHT_SHARE, HIP_HEIGHT_SHARE
from pasdeux.motion.steps._feet import _rate_limited, feet_shifts, stances
from pasdeux.motion.steps._tracks import Tracks, swept_path

FPS = 60.0
BALL_M = 0.12
PARAMS = MotionParams()
REACH_M = 2 * PARAMS.capsule_radii_m["l_foot"]


def _tracks(feet: dict[str, np.ndarray], yaw: dict[str, float]) -> Tracks:
    """Tracks with only the feet (F, 3) and the way they point filled in."""
    return feet_only_tracks(feet, yaw)


def _standing(xy: tuple[float, float], n: int) -> np.ndarray:
    return np.column_stack([np.tile(xy, (n, 1)), np.zeros(n)])


def _stepping(
    start: tuple[float, float], end: tuple[float, float], n: int, a: int, b: int
) -> np.ndarray:
    """A foot standing at ``start``, in the air over frames ``a:b``, standing at ``end``."""
    out = _standing(start, n)
    u = np.linspace(0.0, 1.0, b - a)
    out[a:b, :2] = np.array(start) + np.outer(u, np.subtract(end, start))
    out[a + 1 : b - 1, 2] = 0.03
    out[b:, :2] = end
    return out


def _foot(track: np.ndarray, yaw: float, frame: int) -> tuple[np.ndarray, np.ndarray]:
    ankle = np.append(track[frame, :2], 0.0)
    return ankle, ankle + BALL_M * np.array([np.cos(yaw), np.sin(yaw), 0.0])


def test_stances_are_the_runs_on_the_floor() -> None:
    lift = np.array([0, 0, 0.02, 0.03, 0, 0, 0, 0.01, 0])
    found = [(s.start, s.stop) for s in stances(lift, "leader", "L")]
    assert found == [(0, 2), (4, 7), (8, 9)]


def test_a_foot_landing_on_a_standing_foot_lands_beside_it_and_stays_planted() -> None:
    n = 120
    # She stands with her left foot at (0.40, 0.02) pointing at him; his right foot steps
    # from (0, 0) to land toe to toe with it.
    her = {"L": _standing((0.40, 0.02), n), "R": _standing((0.40, 0.40), n)}
    his = {"L": _standing((0.0, -0.3), n), "R": _stepping((0.0, 0.0), (0.30, 0.0), n, 20, 50)}
    tracks = {
        "leader": _tracks(his, {"L": 0.0, "R": 0.0}),
        "follower": _tracks(her, {"L": np.pi, "R": np.pi}),
    }
    before = segment_distances_m(*_foot(his["R"], 0.0, 80), *_foot(her["L"], np.pi, 80))
    assert before < REACH_M - 0.01
    shifts = feet_shifts(tracks, {"leader": BALL_M, "follower": BALL_M}, PARAMS, FPS)
    # Her foot was there first: it does not move; his lands clear of it.
    assert np.allclose(shifts["follower"]["L"], 0.0)
    moved = his["R"].copy()
    moved[:, :2] += shifts["leader"]["R"]
    after = segment_distances_m(*_foot(moved, 0.0, 80), *_foot(her["L"], np.pi, 80))
    assert after >= REACH_M + PARAMS.feet_gap_m - 1e-6
    # Planted from the landing on: the shift is one and the same (no slide), and the foot
    # did not move before it lifted.
    assert np.ptp(shifts["leader"]["R"][50:], axis=0) == pytest.approx([0.0, 0.0], abs=1e-12)
    assert np.allclose(shifts["leader"]["R"][:20], 0.0)
    assert np.linalg.norm(shifts["leader"]["R"][60]) <= PARAMS.feet_shift_max_m + 1e-9


def test_feet_apart_are_not_moved() -> None:
    n = 60
    his = {"L": _standing((0.0, -0.1), n), "R": _stepping((0.0, 0.1), (0.3, 0.1), n, 10, 30)}
    her = {"L": _standing((0.0, 0.8), n), "R": _standing((0.2, 0.8), n)}
    tracks = {
        "leader": _tracks(his, {"L": 0.0, "R": 0.0}),
        "follower": _tracks(her, {"L": 0.0, "R": 0.0}),
    }
    shifts = feet_shifts(tracks, {"leader": BALL_M, "follower": BALL_M}, PARAMS, FPS)
    for role in shifts.values():
        for shift in role.values():
            assert np.allclose(shift, 0.0)


def test_a_foot_in_the_air_passes_round_a_standing_foot() -> None:
    n = 120
    # His right foot swings straight across the floor through where her foot stands.
    her = {"L": _standing((0.30, 0.0), n), "R": _standing((0.30, 0.6), n)}
    his = {"L": _standing((0.0, -0.4), n), "R": _stepping((0.0, 0.0), (0.60, 0.0), n, 20, 80)}
    tracks = {
        "leader": _tracks(his, {"L": np.pi / 2, "R": np.pi / 2}),
        "follower": _tracks(her, {"L": np.pi / 2, "R": np.pi / 2}),
    }
    shifts = feet_shifts(tracks, {"leader": BALL_M, "follower": BALL_M}, PARAMS, FPS)
    moved = his["R"][:, :2] + shifts["leader"]["R"]
    # Mid-swing, beside her foot, it is further from it than it was (it went round).
    frame = 50
    gap_before = segment_distances_m(
        *_foot(his["R"], np.pi / 2, frame), *_foot(her["L"], np.pi / 2, frame)
    )
    shifted = np.column_stack([moved, his["R"][:, 2]])
    gap_after = segment_distances_m(
        *_foot(shifted, np.pi / 2, frame), *_foot(her["L"], np.pi / 2, frame)
    )
    assert gap_after > gap_before + 0.02
    # On the floor at both ends, it is where the step put it.
    assert np.allclose(shifts["leader"]["R"][:20], 0.0)
    assert np.allclose(shifts["leader"]["R"][80:], 0.0)


def test_a_foot_in_the_air_passing_a_partners_ankle_keeps_the_shins_apart() -> None:
    n = 120
    radii = PARAMS.capsule_radii_m
    shins_m = 2 * radii["r_shin"]
    # Her feet point away from his path; his right foot swings past her left ankle 8 cm
    # off: the feet alone would clear (7 cm), the two shins' ends would not (9 cm).
    her = {"L": _standing((0.30, 0.08), n), "R": _standing((0.30, 0.6), n)}
    his = {"L": _standing((0.0, -0.4), n), "R": _stepping((0.0, 0.0), (0.60, 0.0), n, 20, 80)}
    tracks = {
        "leader": _tracks(his, {"L": np.pi / 2, "R": 0.0}),
        "follower": _tracks(her, {"L": np.pi / 2, "R": np.pi / 2}),
    }
    shifts = feet_shifts(tracks, {"leader": BALL_M, "follower": BALL_M}, PARAMS, FPS)
    moved = his["R"][:, :2] + shifts["leader"]["R"]
    frame = 50  # his ankle level with hers, mid-swing
    assert np.linalg.norm(his["R"][frame, :2] - her["L"][frame, :2]) < shins_m
    assert np.linalg.norm(moved[frame] - her["L"][frame, :2]) > shins_m - 0.005
    # On the floor at both ends, it is where the step put it.
    assert np.allclose(shifts["leader"]["R"][:20], 0.0)
    assert np.allclose(shifts["leader"]["R"][80:], 0.0)


def test_a_foot_stepping_round_a_turn_sweeps_round_its_centre() -> None:
    phase = np.linspace(0.0, 1.0, 11)
    # A quarter turn about (0.2, 0.1): from (1.2, 0.1) to (0.2, 1.1), on the circle.
    path = swept_path(np.array([1.2, 0.1]), np.array([0.2, 1.1]), np.pi / 2, phase)
    assert path[0] == pytest.approx([1.2, 0.1])
    assert path[-1] == pytest.approx([0.2, 1.1])
    radius = np.linalg.norm(path - [0.2, 0.1], axis=1)
    assert radius == pytest.approx(np.ones(11))
    # The chord would have passed 0.29 m nearer the centre half way.
    chord_mid = np.array([0.7, 0.6])
    assert np.linalg.norm(chord_mid - [0.2, 0.1]) < 0.75


def test_a_foot_stepping_without_much_turn_or_in_a_spin_goes_straight() -> None:
    phase = np.linspace(0.0, 1.0, 5)
    start, end = np.array([0.0, 0.0]), np.array([0.4, 0.0])
    for turn in (0.0, np.radians(5.0), 1.5 * np.pi, -2 * np.pi):
        path = swept_path(start, end, turn, phase)
        assert path[:, 1] == pytest.approx(np.zeros(5))
        assert path[:, 0] == pytest.approx(0.4 * phase)


def _couple_tracks(his: dict[str, np.ndarray], her: dict[str, np.ndarray]) -> dict[str, Tracks]:
    """Closed hold: he at the origin facing +x, she 0.35 m ahead and 0.08 m to his right
    facing him (her right hip to the left of his right hip)."""
    lead = _tracks(his, {"L": 0.0, "R": 0.0})
    follow = _tracks(her, {"L": np.pi, "R": np.pi})
    n = lead.facing.size
    follow.body_xy[:] = (0.35, -0.08)
    follow.facing[:] = np.pi
    assert follow.body_xy.shape == (n, 2)
    return {"leader": lead, "follower": follow}


@pytest.mark.parametrize(("land_y", "uncrossed"), [(-0.13, True), (-0.17, True), (-0.30, False)])
def test_a_foot_landing_across_a_partners_foot_lands_on_its_hips_side(
    land_y: float, uncrossed: bool
) -> None:
    n = 120
    his = {"L": _standing((0.0, 0.09), n), "R": _standing((0.05, -0.09), n)}
    # Her right foot steps forward towards him and lands to his right of his right foot,
    # although her right hip is to the left of his: the legs would cross there. Landing
    # far across (beyond feet_shift_max_m to undo) is a figure's own crossing, left alone.
    her = {"L": _standing((0.35, -0.17), n), "R": _stepping((0.35, 0.01), (0.1, land_y), n, 20, 50)}
    tracks = _couple_tracks(his, her)
    moves = feet_shifts(tracks, {"leader": BALL_M, "follower": BALL_M}, PARAMS, FPS)
    landed = her["R"][80, :2] + moves["follower"]["R"][80]
    planted = her["R"][60:, :2] + moves["follower"]["R"][60:]
    assert np.ptp(planted, axis=0).max() < 1e-9
    if uncrossed:
        # Along his right (-y): her foot is now to his left of his right foot, clear of it.
        assert landed[1] - his["R"][0, 1] >= 2 * PARAMS.capsule_radii_m["r_foot"] - 1e-6
        assert np.linalg.norm(moves["follower"]["R"][80]) <= PARAMS.feet_shift_max_m + 1e-9
    else:
        assert landed[1] < his["R"][0, 1]


def _turning_couple(
    his_turns: bool,
    round_centre: bool,
    land_xy: tuple[float, float],
    turn_rad: float,
    his_left_xy: tuple[float, float] = (0.0, 0.09),
) -> dict[str, Tracks]:
    """The closed hold of :func:`_couple_tracks` (his left foot at ``his_left_xy``) with
    her right foot landing at frame 50 at ``land_xy``, after which she turns ``turn_rad``
    (positive: to her left) over one second; he turns with her (``his_turns``), the two
    bodies going round the couple's centre (``round_centre``) or staying where they are.
    Every foot stays where it stands."""
    n = 140
    his = {"L": _standing(his_left_xy, n), "R": _standing((0.05, -0.09), n)}
    her = {"L": _standing((0.35, -0.17), n), "R": _stepping((0.35, 0.01), land_xy, n, 20, 50)}
    turn = np.zeros(n)
    turn[50:] = np.clip(np.arange(n - 50) / FPS, 0.0, 1.0) * turn_rad
    centre = np.array([0.175, -0.04])

    def placed(xy: tuple[float, float]) -> np.ndarray:
        if not round_centre:
            return np.tile(xy, (n, 1))
        off = np.subtract(xy, centre)
        c, s = np.cos(turn), np.sin(turn)
        out: np.ndarray = centre + np.column_stack(
            [c * off[0] - s * off[1], s * off[0] + c * off[1]]
        )
        return out

    lead = replace(
        _tracks(his, {"L": 0.0, "R": 0.0}),
        body_xy=placed((0.0, 0.0)),
        facing=turn.copy() if his_turns else np.zeros(n),
    )
    follow = replace(
        _tracks(her, {"L": np.pi, "R": np.pi}), body_xy=placed((0.35, -0.08)), facing=np.pi + turn
    )
    return {"leader": lead, "follower": follow}


@pytest.mark.parametrize(
    ("his_turns", "round_centre", "uncrossed"),
    [(True, True, True), (False, True, False), (False, False, False)],
)
def test_a_couple_turning_together_keeps_its_legs_uncrossed_a_dancer_turning_alone_not(
    his_turns: bool, round_centre: bool, uncrossed: bool
) -> None:
    # Her right foot lands 12 cm to his left of his right foot (his left foot is back, out
    # of the way), her right hip on his left of his: the legs do not cross there. Turning
    # a quarter turn together face to face (a Viennese Waltz), the couple goes round its
    # centre and the planted feet do not: past 45 deg her right foot is across his right
    # foot, so it lands on its hip's side of it (to his left after the turn: -x). She
    # turning alone (a spot turn) takes her hips round her own foot: the foot stays where
    # her step puts it.
    tracks = _turning_couple(his_turns, round_centre, (0.03, 0.03), np.pi / 2, (-0.3, 0.25))
    moves = feet_shifts(tracks, {"leader": BALL_M, "follower": BALL_M}, PARAMS, FPS)
    moved = moves["follower"]["R"][60:]
    assert np.ptp(moved, axis=0).max() < 1e-9
    if uncrossed:
        assert moved[0, 0] < -0.02
        assert np.linalg.norm(moved[0]) <= PARAMS.feet_shift_max_m + 1e-9
    else:
        assert np.allclose(moved, 0.0)


def test_a_crossing_later_in_a_turn_together_never_undoes_the_landings_own() -> None:
    # Her right foot lands across his right foot, near enough to land on its hip's side
    # (test_a_foot_landing_across_a_partners_foot_lands_on_its_hips_side); the couple then
    # turns a quarter turn together and the places that clear the landing are crossed
    # again later in the turn. The landing's crossing comes first: her foot still lands to
    # his left of his right foot (the least crossing over the whole stance would not).
    tracks = _turning_couple(True, True, (0.1, -0.13), np.pi / 2)
    moves = feet_shifts(tracks, {"leader": BALL_M, "follower": BALL_M}, PARAMS, FPS)
    landed = tracks["follower"].feet["R"][55, :2] + moves["follower"]["R"][55]
    his_right = tracks["leader"].feet["R"][55, :2]
    assert landed[1] - his_right[1] >= 2 * PARAMS.capsule_radii_m["r_foot"] - 1e-6
    assert np.linalg.norm(moves["follower"]["R"][55]) <= PARAMS.feet_shift_max_m + 1e-9


def _lower_shin_gap_m(
    ankle: np.ndarray, hip: np.ndarray, other_ankle: np.ndarray, other_hip: np.ndarray
) -> float:
    """The least distance between two legs' lower 15 cm, each straight from its ankle
    (x, y, z) to its hip."""

    def lower(a: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        up = 0.15 / (h[2] - a[2])
        return a, a + up * (h - a)

    return float(segment_distances_m(*lower(ankle, hip), *lower(other_ankle, other_hip)))


def test_a_foot_in_the_air_keeps_its_shin_clear_of_a_partners_leaning_shin() -> None:
    n = 120
    shins_m = 2 * PARAMS.capsule_radii_m["r_shin"]
    # His right foot swings along y = -0.18 past her left ankle 13 cm to its left: the
    # ankles clear (9.5 cm), but her leg leans across his path to her hip far to his
    # right, and the two shins meet above the ankles.
    her = {"L": _standing((0.30, -0.05), n), "R": _standing((0.60, -0.60), n)}
    his = {
        "L": _standing((0.0, 0.09), n),
        "R": _stepping((0.0, -0.18), (0.60, -0.18), n, 20, 80),
    }
    tracks = _couple_tracks(his, her)
    tracks["follower"].body_xy[:] = (0.40, -0.50)
    heights = {"leader": PARAMS.leader_height_m, "follower": PARAMS.follower_height_m}
    hips = {  # the hips of his right and her left leg (body point 9 cm to the side)
        "leader": np.array([0.0, -0.09, 0.530 * heights["leader"]]),
        "follower": np.array([0.40, -0.41, 0.530 * heights["follower"]]),
    }
    balls = {"leader": BALL_M, "follower": BALL_M}
    frame = 50  # mid-swing, his ankle level with hers

    def gap_m(shift: np.ndarray) -> float:
        ankle = np.append(his["R"][frame, :2] + shift[frame], 0.03 + 0.039 * heights["leader"])
        her_ankle = np.append(her["L"][frame, :2], 0.039 * heights["follower"])
        return _lower_shin_gap_m(ankle, hips["leader"], her_ankle, hips["follower"])

    zero = np.zeros((n, 2))
    assert np.linalg.norm(his["R"][frame, :2] - her["L"][frame, :2]) > shins_m + 0.02
    assert gap_m(zero) < shins_m - 0.01
    # Without the shins' check the ankles' clearance leaves the swing alone.
    unchecked = feet_shifts(tracks, balls, replace(PARAMS, feet_shin_check_m=0.0), FPS)
    assert gap_m(unchecked["leader"]["R"]) == pytest.approx(gap_m(zero), abs=0.002)
    shifts = feet_shifts(tracks, balls, PARAMS, FPS)
    assert gap_m(shifts["leader"]["R"]) > shins_m - 0.005
    # A bump, not a detour: bent by less than the 13 cm between the ankles.
    assert np.max(np.linalg.norm(shifts["leader"]["R"], axis=1)) < 0.10
    # On the floor at both ends (lift-off and landing), it is where the step put it.
    assert np.allclose(shifts["leader"]["R"][:21], 0.0)
    assert np.allclose(shifts["leader"]["R"][79:], 0.0)


def test_a_push_grows_and_shrinks_at_most_its_rate_and_stays_zero_on_the_floor() -> None:
    # A 6 cm push sideways that jumps on and off over frames 10-20 (0 elsewhere).
    push = np.zeros((30, 2))
    push[10:20, 1] = 0.06
    limited = _rate_limited(push, 0.02)
    size = np.linalg.norm(limited, axis=1)
    assert np.all(np.abs(np.diff(size)) <= 0.02 + 1e-12)
    assert np.all(size <= np.linalg.norm(push, axis=1) + 1e-12)
    assert np.allclose(limited[:10], 0.0)
    assert np.allclose(limited[20:], 0.0)
    # 0.02, 0.04, then the full 0.06 where the rate allows, the same way.
    assert size[10:20] == pytest.approx(
        [0.02, 0.04, 0.06, 0.06, 0.06, 0.06, 0.06, 0.06, 0.04, 0.02]
    )
    assert np.allclose(limited[:, 0], 0.0)


def test_a_standing_foot_keeps_its_shin_clear_of_a_partners_standing_leaning_shin() -> None:
    n = 60
    shins_m = 2 * PARAMS.capsule_radii_m["r_shin"]
    # His left foot stands at the origin, his leg straight up (his hip above it). Her
    # right foot lands 12 cm in front of it at frame 20, the feet pointing apart (they
    # clear by far), but her leg leans back over his ankle to her hip 30 cm behind it:
    # the lower shins meet above the ankles.
    his = {"L": _standing((0.0, 0.0), n), "R": _standing((-0.5, -0.5), n)}
    her = {"L": _standing((0.6, 0.6), n), "R": _stepping((0.12, -0.5), (0.12, 0.0), n, 10, 20)}
    lead = _tracks(his, {"L": np.pi / 2, "R": 0.0})
    follow = _tracks(her, {"L": np.pi, "R": -np.pi / 2})
    lead.body_xy[:] = (0.0, -FOOT_OFFSET_M)  # his left hip over his left ankle
    follow.facing[:] = np.pi
    follow.body_xy[:] = (-0.30, -FOOT_OFFSET_M)  # her right hip 42 cm behind her ankle
    tracks = {"leader": lead, "follower": follow}
    heights = {"leader": PARAMS.leader_height_m, "follower": PARAMS.follower_height_m}
    hips = {
        "leader": np.array([0.0, 0.0, HIP_HEIGHT_SHARE * heights["leader"]]),
        "follower": np.array([-0.30, 0.0, HIP_HEIGHT_SHARE * heights["follower"]]),
    }
    balls = {"leader": BALL_M, "follower": BALL_M}
    frame = 40

    def gap_m(moves: dict[str, dict[str, np.ndarray]]) -> float:
        ankle = np.append(his["L"][frame, :2] + moves["leader"]["L"][frame], 0.0)
        her_ankle = np.append(her["R"][frame, :2] + moves["follower"]["R"][frame], 0.0)
        ankle[2] = ANKLE_HEIGHT_SHARE * heights["leader"]
        her_ankle[2] = ANKLE_HEIGHT_SHARE * heights["follower"]
        return _lower_shin_gap_m(ankle, hips["leader"], her_ankle, hips["follower"])

    zero = {r: {f: np.zeros((n, 2)) for f in "LR"} for r in ("leader", "follower")}
    assert gap_m(zero) < shins_m - 0.02
    # Without the shins' check the feet, clear of each other, are left where they are.
    unchecked = feet_shifts(tracks, balls, replace(PARAMS, feet_shin_check_m=0.0), FPS)
    assert all(np.allclose(unchecked[r][f], 0.0) for r in unchecked for f in "LR")
    moves = feet_shifts(tracks, balls, PARAMS, FPS)
    assert gap_m(moves) > shins_m - 0.005
    # He stood there first: she lands beside him, planted (one shift over her stance),
    # and where her foot was in the air before the landing it is where the step put it.
    assert np.allclose(moves["leader"]["L"], 0.0)
    landed = moves["follower"]["R"][20:]
    assert np.allclose(landed, landed[0]) and np.linalg.norm(landed[0]) > 0.01
    assert np.linalg.norm(landed[0]) <= PARAMS.feet_shift_max_m + 1e-9
    assert np.allclose(moves["follower"]["R"][:10], 0.0)


def test_a_push_turning_round_changes_at_most_its_rate_as_a_vector() -> None:
    # A 6 cm push that keeps its size but turns a quarter turn at once (from sideways to
    # forward, as a foot passes a partner's): its vector jumps 8.5 cm in a frame, which
    # the size alone never shows (:func:`_rate_limited` with its size's rate only leaves it
    # alone). Limited to 2 cm a frame as a vector, never above its own size nor turned, and
    # 0 on the floor.
    push = np.zeros((40, 2))
    push[10:20, 1] = 0.06
    push[20:30, 0] = 0.06
    assert np.allclose(_rate_limited(push, 0.06), push)
    limited = _rate_limited(push, 0.06, 0.02)
    assert np.all(np.linalg.norm(np.diff(limited, axis=0), axis=1) <= 0.02 + 1e-9)
    size = np.linalg.norm(limited, axis=1)
    assert np.all(size <= np.linalg.norm(push, axis=1) + 1e-12)
    # never turned: along its own push, the same way
    across = limited[:, 0] * push[:, 1] - limited[:, 1] * push[:, 0]
    assert np.allclose(across, 0.0)
    assert np.all(np.einsum("ij,ij->i", limited, push) >= 0.0)
    assert np.allclose(limited[:10], 0.0)
    assert np.allclose(limited[30:], 0.0)
    # Never turned, it goes through 0 at the turn: 2 cm a frame down, then up again.
    assert size[10:30] == pytest.approx(
        [0.02, 0.04, 0.06, 0.06, 0.06, 0.06, 0.06, 0.06, 0.04, 0.02,
         0.0, 0.02, 0.04, 0.06, 0.06, 0.06, 0.06, 0.06, 0.04, 0.02]
    )  # fmt: skip


def test_two_feet_landing_at_once_on_the_same_place_share_the_way_apart() -> None:
    n = 120
    # His right foot steps forward and her left foot back, landing in the same frame on
    # the same place, toe to toe along the same line (her foot pointing at him).
    his = {"L": _standing((0.0, 0.3), n), "R": _stepping((0.0, 0.0), (0.30, 0.0), n, 20, 50)}
    her = {"L": _stepping((0.7, 0.0), (0.42, 0.0), n, 20, 50), "R": _standing((0.7, -0.3), n)}
    tracks = {
        "leader": _tracks(his, {"L": 0.0, "R": 0.0}),
        "follower": _tracks(her, {"L": np.pi, "R": np.pi}),
    }
    assert segment_distances_m(*_foot(his["R"], 0.0, 80), *_foot(her["L"], np.pi, 80)) < 1e-9
    moves = feet_shifts(tracks, {"leader": BALL_M, "follower": BALL_M}, PARAMS, FPS)
    his_move, her_move = moves["leader"]["R"][80], moves["follower"]["L"][80]
    # Neither has the right of way: both move, neither by more than the other could alone.
    assert np.linalg.norm(his_move) > 0.01
    assert np.linalg.norm(her_move) > 0.01
    moved_his, moved_her = his["R"].copy(), her["L"].copy()
    moved_his[:, :2] += moves["leader"]["R"]
    moved_her[:, :2] += moves["follower"]["L"]
    after = segment_distances_m(*_foot(moved_his, 0.0, 80), *_foot(moved_her, np.pi, 80))
    assert after >= REACH_M + PARAMS.feet_gap_m - 1e-6
    # Planted from the landing on (no slide).
    assert np.ptp(moves["leader"]["R"][50:], axis=0).max() < 1e-12
    assert np.ptp(moves["follower"]["L"][50:], axis=0).max() < 1e-12
