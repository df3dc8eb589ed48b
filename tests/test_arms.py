"""Hand targets: free, joined and blending hands stay out of the partner's body."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from pasdeux.capsules import (
    BONE_CAPSULES,
    capsule_overlaps_m,
    capsule_radii_m,
    hold_contact_pairs,
    segment_distances_m,
)
from pasdeux.motion import positions_from_rotations, skeleton_for_height
from pasdeux.motion._params import MotionParams
from pasdeux.motion.body._arms import (
    _across_limited,
    _follow_pole,
    _pole_not_towards,
    _pose_arm,
    limited_reach,
    pose_arms,
)
from pasdeux.motion.body._contact import allowed_overlaps_m, contact_model, find_turns, turned
from pasdeux.motion.body._hands import (
    _blends_round_partners,
    _hand_tip,
    _unjoined_hands_apart,
    blended_targets,
    hand_targets,
)
from pasdeux.motion.body._reach import arm_reach_m, meeting_point, off_shoulders
from pasdeux.motion.rig._kin import Body

SKELETONS = {"leader": skeleton_for_height(1.80), "follower": skeleton_for_height(1.68)}
TORSO_AND_HEAD = ("hips", "belly", "chest", "head")


def _standing(role: str, at: tuple[float, float], facing_deg: float, n: int = 3) -> Body:
    """A dancer standing in the rest pose (a T-pose) with the pelvis over ``at``, turned
    ``facing_deg`` about the vertical (0: facing +y)."""
    skel = SKELETONS[role]
    turn = Rotation.from_euler("z", facing_deg, degrees=True)
    quats = np.zeros((n, len(skel.joints), 4))
    quats[..., 3] = 1.0
    quats[:, 0] = turn.as_quat()
    root = np.tile([at[0], at[1], skel.offsets_m[0][2]], (n, 1))
    world = np.tile(turn.as_matrix(), (n, len(skel.joints), 1, 1))
    return Body(positions_from_rotations(skel, root, quats), world, np.full(n, 0.0))


def _gap(body: Body, role: str, capsule: str, point: np.ndarray) -> np.ndarray:
    """Distance from ``point`` (F, 3) to the axis of ``capsule`` of ``body``."""
    ix = SKELETONS[role].index
    a, b = BONE_CAPSULES[capsule]
    return np.asarray(
        segment_distances_m(body.positions[:, ix(a)], body.positions[:, ix(b)], point, point)
    )


def _targets(hold: str, ldr: Body, flw: Body) -> dict[str, dict[str, np.ndarray]]:
    return hand_targets(hold, ldr, flw, SKELETONS)


def test_a_free_hand_never_hangs_inside_a_partner_standing_where_it_would_hang() -> None:
    """With her far away his free right hand hangs at some point; with her pelvis right
    there (beside him, facing his way), the hand is moved out of her: the wrist is at
    least its radius, its length and the body's from each of her torso capsules (the
    hand clear, pointing any way)."""
    ldr = _standing("leader", (0.0, 0.0), 0.0)
    hanging = _targets("none", ldr, _standing("follower", (5.0, 5.0), 0.0))["leader"]["r"]
    flw = _standing("follower", (float(hanging[0, 0]), float(hanging[0, 1])), 0.0)
    radii = capsule_radii_m()
    assert _gap(flw, "follower", "belly", hanging)[0] < radii["belly"]  # it would be inside
    hand = _targets("none", ldr, flw)["leader"]["r"]
    length = SKELETONS["leader"].length("RightHandMiddle1")
    for capsule in TORSO_AND_HEAD:
        gap = _gap(flw, "follower", capsule, hand)
        assert np.all(gap >= radii[capsule] + radii["r_hand"] + length - 1e-3), capsule


def test_joined_hands_between_close_partners_meet_outside_both_bodies() -> None:
    """Facing 0.30 m apart in a double hold, each pair of joined hands meets where the
    hand of either dancer, pointing any way, is clear of the other's torso, within both
    arms' reach; the two hands of a pair are at one place. At arm's length the meeting
    points are the hold's own (between the shoulders, 35 cm down or as far as both arms
    reach): nothing was in the way."""
    radii = capsule_radii_m()
    length = SKELETONS["follower"].length("LeftHandMiddle1")
    for apart, moved in ((0.30, True), (0.90, False)):
        ldr = _standing("leader", (0.0, 0.0), 0.0)
        flw = _standing("follower", (0.0, apart), 180.0)
        out = _targets("double", ldr, flw)
        for his, hers in (("l", "r"), ("r", "l")):
            meet = out["leader"][his]
            assert np.array_equal(meet, out["follower"][hers])
            for role, body in (("leader", ldr), ("follower", flw)):
                for capsule in ("hips", "belly", "chest"):
                    clear = radii[capsule] + radii["l_hand"] + length
                    assert np.all(_gap(body, role, capsule, meet) >= clear - 1e-3)
            ix_l, ix_f = SKELETONS["leader"].index, SKELETONS["follower"].index
            side = {"l": "Left", "r": "Right"}
            shoulders = (
                ldr.positions[:, ix_l(f"{side[his]}Arm")],
                flw.positions[:, ix_f(f"{side[hers]}Arm")],
            )
            # The hold's own point (``_reach``): between the shoulders, dropped 35 cm or
            # as far as both arms reach.
            reach = [arm_reach_m(SKELETONS[r]) for r in ("leader", "follower")]
            own = meeting_point(*shoulders, reach[0], reach[1], 0.35)
            own = off_shoulders(own, shoulders, tuple(0.3 * r for r in reach))
            assert np.allclose(meet, own) != moved
            for sk, body, hand in (
                (SKELETONS["leader"], ldr, his),
                (SKELETONS["follower"], flw, hers),
            ):
                shoulder = body.positions[:, sk.index(f"{side[hand]}Arm")]
                arm = sk.length(f"{side[hand]}ForeArm") + sk.length(f"{side[hand]}Hand")
                within = np.maximum(arm, np.linalg.norm(own - shoulder, axis=1))
                assert np.all(np.linalg.norm(meet - shoulder, axis=1) <= within + 1e-6)


def test_a_raised_hand_goes_over_her_head_not_into_it() -> None:
    """In an underarm turn with her close to him, facing him, the raised joined hands are
    above her head and clear of it (his hand pointing any way), and still joined. Turned
    side on, where her arm cannot reach that far, the hands go as far as her arm reaches
    (or as the hold put them; they stay joined), still clear of her head by more than the
    two radii."""
    ldr = _standing("leader", (0.0, 0.0), 0.0)
    radii = capsule_radii_m()
    clear = radii["head"] + radii["l_hand"] + SKELETONS["leader"].length("LeftHandMiddle1")
    ix = SKELETONS["follower"].index
    flw = _standing("follower", (0.0, 0.45), 180.0)
    out = _targets("left_to_right_raised", ldr, flw)
    meet = out["leader"]["l"]
    assert np.array_equal(meet, out["follower"]["r"])
    assert np.all(_gap(flw, "follower", "head", meet) >= clear - 1e-3)
    head_top = flw.positions[:, ix("HeadTop_End")]
    assert np.all(meet[:, 2] > head_top[:, 2] + radii["head"])
    flw = _standing("follower", (0.0, 0.45), 90.0)
    meet = _targets("left_to_right_raised", ldr, flw)["leader"]["l"]
    gap = _gap(flw, "follower", "head", meet)
    arm = SKELETONS["follower"].length("RightForeArm") + SKELETONS["follower"].length("RightHand")
    reach = np.linalg.norm(meet - flw.positions[:, ix("RightArm")], axis=1)
    assert np.all((gap >= clear - 1e-3) | (reach >= arm - 1e-3))
    assert np.all(gap > radii["head"] + radii["l_hand"])


def test_a_hand_changing_holds_goes_round_the_partner() -> None:
    """A blended target inside her belly: half way between two holds it is pushed out of
    her (clear of her torso, the hand pointing any way); in a hold alone it is left where
    the hold puts it; a hand going to its place on her back is pushed by the share of
    the holds that do not place it there (half way: half as far as a free hand; resting
    there: not at all); two hands joined in both holds meet (half way between their
    blended places) and go out of her together."""
    n = 3
    ldr = _standing("leader", (0.0, 0.0), 0.0, n)
    flw = _standing("follower", (-0.25, 0.30), 180.0, n)
    bodies = {"leader": ldr, "follower": flw}
    ix = SKELETONS["follower"].index
    inside = (flw.positions[:, ix("Hips")] + flw.positions[:, ix("Spine")]) / 2
    inside = inside + np.array([0.03, -0.02, 0.0])
    radii = capsule_radii_m()
    length = SKELETONS["leader"].length("LeftHandMiddle1")

    def blended(hand: tuple[str, str], weights: dict[str, np.ndarray]) -> np.ndarray:
        return _blends_round_partners({hand: inside}, weights, bodies, SKELETONS)[hand]

    def clear_of_her(point: np.ndarray) -> bool:
        return all(
            np.all(_gap(flw, "follower", c, point) >= radii[c] + radii["l_hand"] + length - 1e-3)
            for c in ("hips", "belly", "chest")
        )

    half = {"left_to_right": np.full(n, 0.5), "none": np.full(n, 0.5)}
    assert clear_of_her(blended(("leader", "l"), half))
    assert np.array_equal(blended(("leader", "l"), {"none": np.ones(n)}), inside)
    closing = {"closed": np.full(n, 0.5), "none": np.full(n, 0.5)}
    free_push = blended(("leader", "l"), half) - inside
    placed_push = blended(("leader", "r"), closing) - inside
    assert np.all(np.linalg.norm(placed_push, axis=1) > 0.05)
    np.testing.assert_allclose(placed_push, 0.5 * free_push, atol=1e-9)
    assert np.array_equal(blended(("leader", "r"), {"closed": np.ones(n)}), inside)
    raising = {"left_to_right": np.full(n, 0.5), "left_to_right_raised": np.full(n, 0.5)}
    hers = flw.positions[:, ix("RightArm")] + np.array([0.0, 0.0, 0.3])  # clear of him
    pair = {("leader", "l"): inside, ("follower", "r"): hers}
    out = _blends_round_partners(pair, raising, bodies, SKELETONS)
    assert clear_of_her(out["leader", "l"])
    assert np.array_equal(out["leader", "l"], out["follower", "r"])


@pytest.mark.parametrize("at", [(0.5, 0.0), (0.55, 0.1), (0.6, 0.2)])
def test_her_hand_comes_to_his_shoulder_round_its_outside(at: tuple[float, float]) -> None:
    """Side by side (she at his right, facing his way, level or a little ahead), their
    hands joined low, closed hold is taken: her left hand goes up to his right shoulder.
    Its wrist and its end (the hand pointing on from her shoulder) keep clear of his
    chest, belly and head all the way (by the capsules' and the hand's radii). Going
    straight there (``placed_approach_out_m`` 0) the hand cuts through his chest."""
    n = 61
    ramp = np.linspace(0.0, 1.0, n)
    bodies = {
        "leader": _standing("leader", (0.0, 0.0), 0.0, n),
        "follower": _standing("follower", at, 0.0, n),
    }
    weights = {"right_to_left": 1.0 - ramp, "closed": ramp}
    shoulder = bodies["follower"].positions[:, SKELETONS["follower"].index("LeftArm")]
    length = SKELETONS["follower"].length("LeftHandMiddle1")
    radii = capsule_radii_m()

    def least_gap(params: MotionParams) -> float:
        wrist = blended_targets(bodies, SKELETONS, weights, params, 60.0)["follower", "l"]
        tip = _hand_tip(wrist, shoulder, length)
        return min(
            float(np.min(_gap(bodies["leader"], "leader", c, p)) - radii[c] - radii["l_hand"])
            for c in ("chest", "belly", "head")
            for p in (wrist, tip)
        )

    assert least_gap(MotionParams()) > 0.0
    assert least_gap(MotionParams(placed_approach_out_m=0.0)) < 0.0


@pytest.mark.parametrize("lead", [2.0, 1.0])
def test_hands_going_to_their_places_on_the_partner_take_its_height_first(lead: float) -> None:
    """Closed hold into the embrace (a Slow Dance): his left hand leaves hers for her
    waist as her right goes up to his shoulder, the two arms crossing. With the height
    leading (``placed_height_lead`` 2) each hand is at its place's height half way
    through, his well below hers where they cross; blended with the rest (1) both are
    half way up or down, level with each other where the arms cross. Back from the
    embrace to closed hold the same, in reverse."""
    n = 61
    ramp = np.linspace(0.0, 1.0, n)
    bodies = {
        "leader": _standing("leader", (0.0, 0.0), 0.0, n),
        "follower": _standing("follower", (0.0, 0.38), 180.0, n),
    }
    params = MotionParams(placed_height_lead=lead)
    places = hand_targets("embrace", bodies["leader"], bodies["follower"], SKELETONS)
    joined = hand_targets("closed", bodies["leader"], bodies["follower"], SKELETONS)
    for weights, middle in (
        ({"closed": 1.0 - ramp, "embrace": ramp}, n // 2),
        ({"embrace": 1.0 - ramp, "closed": ramp}, n // 2),
    ):
        targets = blended_targets(bodies, SKELETONS, weights, params, 60.0)
        his, hers = targets["leader", "l"][middle], targets["follower", "r"][middle]
        if lead == 2.0:
            assert his[2] == pytest.approx(places["leader"]["l"][middle, 2], abs=0.03)
            assert hers[2] == pytest.approx(places["follower"]["r"][middle, 2], abs=0.03)
            assert hers[2] - his[2] > 0.3
        else:
            half = (joined["leader"]["l"][middle, 2] + places["leader"]["l"][middle, 2]) / 2
            assert his[2] == pytest.approx(half, abs=0.03)
            assert hers[2] - his[2] < 0.3


def test_her_arm_rests_on_his_in_closed_hold() -> None:
    """Closed hold: her left arm lies along his right one (her hand and forearm on his
    upper arm, her upper arm on his elbow and along his forearm); no other hold says so."""
    pairs = {("r_upper_arm", "l_forearm"), ("r_upper_arm", "l_upper_arm")}
    pairs |= {("r_forearm", "l_upper_arm"), ("r_hand", "l_upper_arm")}
    assert pairs <= hold_contact_pairs("closed")
    assert not pairs & hold_contact_pairs("left_to_right")
    assert ("r_upper_arm", "l_upper_arm") not in hold_contact_pairs("embrace")


@pytest.mark.parametrize("hold", ["none", "double", "left_to_right_raised", "closed"])
def test_far_apart_the_targets_are_the_holds_own(hold: str) -> None:
    """Partners 5 m apart: nothing is in any hand's way, pushing moves nothing (the
    targets are those of the partners at 4 m, shifted with her)."""
    ldr = _standing("leader", (0.0, 0.0), 0.0)
    a = _targets(hold, ldr, _standing("follower", (0.0, 5.0), 180.0))
    b = _targets(hold, ldr, _standing("follower", (0.0, 4.0), 180.0))
    for role in a:
        for side in "lr":
            shift = a[role][side] - b[role][side]
            assert np.allclose(shift[:, 0], 0.0) and np.allclose(shift[:, 2], 0.0)


@pytest.mark.parametrize(("at", "facing_deg"), [((0.30, 0.25), 60.0), ((0.30, 0.30), 45.0)])
def test_in_closed_hold_her_left_arm_lies_along_his_right_one(
    at: tuple[float, float], facing_deg: float
) -> None:
    """She stands close at his right front, turned across him (as in a Samba promenade),
    her left hand on his right shoulder: her left arm is posed with its elbow towards his
    right elbow, out of his chest and head (bent the usual way it folds into his chest)."""
    n = 3
    ldr = _standing("leader", (0.0, 0.0), 0.0, n)
    flw = _standing("follower", at, facing_deg, n)
    bodies = {"leader": ldr, "follower": flw}
    pose_arms(bodies, SKELETONS, {"closed": np.ones(n)}, {}, MotionParams(), 60.0)
    ix = SKELETONS["follower"].index
    radii = capsule_radii_m()
    upper_arm = (flw.positions[:, ix("LeftArm")], flw.positions[:, ix("LeftForeArm")])
    il = SKELETONS["leader"].index
    for capsule in ("chest", "head"):
        a, b = BONE_CAPSULES[capsule]
        gap = segment_distances_m(ldr.positions[:, il(a)], ldr.positions[:, il(b)], *upper_arm)
        assert np.all(gap >= radii[capsule] + radii["l_upper_arm"] - 0.01), capsule


@pytest.mark.parametrize(
    ("hold", "at"),
    [
        ("right_to_right_raised", (0.20, 0.28)),
        ("left_to_right_raised", (0.20, 0.28)),
        ("double", (0.05, 0.30)),
    ],
)
def test_no_elbow_bends_into_the_partner(hold: str, at: tuple[float, float]) -> None:
    """Facing each other close, the elbows bend out, up or down, not into the partner:
    no upper arm or forearm of one overlaps the other's torso or head by more than the
    check's centimetre (his right arm raised over her, she a little to his right, bent
    the usual way, goes 6 cm into her)."""
    n = 3
    ldr = _standing("leader", (0.0, 0.0), 0.0, n)
    flw = _standing("follower", at, 180.0, n)
    pose_arms(
        {"leader": ldr, "follower": flw}, SKELETONS, {hold: np.ones(n)}, {}, MotionParams(), 60.0
    )
    radii = capsule_radii_m()
    arms = ("l_upper_arm", "r_upper_arm", "l_forearm", "r_forearm")
    for body, other, role, partner in (
        (ldr, flw, "leader", "follower"),
        (flw, ldr, "follower", "leader"),
    ):
        for arm in arms:
            a0, a1 = BONE_CAPSULES[arm]
            ends = (
                body.positions[:, SKELETONS[role].index(a0)],
                body.positions[:, SKELETONS[role].index(a1)],
            )
            for part in ("belly", "chest", "head"):
                b0, b1 = BONE_CAPSULES[part]
                ix = SKELETONS[partner].index
                gap = segment_distances_m(
                    *ends, other.positions[:, ix(b0)], other.positions[:, ix(b1)]
                )
                assert np.all(gap > radii[arm] + radii[part] - 0.01), (role, arm, part)


def test_hands_no_hold_joins_pass_each_other_and_joined_hands_stay_joined() -> None:
    n = 3
    shoulders = {
        ("leader", "l"): np.tile([-0.2, 0.0, 1.45], (n, 1)),
        ("leader", "r"): np.tile([0.2, 0.0, 1.45], (n, 1)),
        ("follower", "l"): np.tile([0.2, 0.4, 1.35], (n, 1)),
        ("follower", "r"): np.tile([-0.2, 0.4, 1.35], (n, 1)),
    }
    # His right hand and her left at one place (leaving the closed hold for a raised one,
    # which joins only his left and her right); his left and her right joined.
    meet = np.tile([0.3, 0.2, 1.0], (n, 1))
    joined = np.tile([-0.25, 0.2, 1.0], (n, 1))
    targets = {
        ("leader", "r"): meet.copy(),
        ("follower", "l"): meet + np.array([0.01, 0.0, 0.0]),
        ("leader", "l"): joined.copy(),
        ("follower", "r"): joined.copy(),
    }
    weights = {"left_to_right_raised": np.ones(n)}
    out = _unjoined_hands_apart(targets, weights, shoulders, SKELETONS)
    radii = capsule_radii_m()
    gap = np.linalg.norm(out["leader", "r"][:, :2] - out["follower", "l"][:, :2], axis=1)
    assert np.all(gap >= radii["r_hand"] + radii["l_hand"] - 1e-6)
    # Moved level, and each half the way.
    assert np.allclose(out["leader", "r"][:, 2], meet[:, 2])
    moved = [
        np.linalg.norm(out[k] - targets[k], axis=1) for k in (("leader", "r"), ("follower", "l"))
    ]
    assert np.allclose(moved[0], moved[1])
    assert np.allclose(out["leader", "l"], joined)
    assert np.allclose(out["follower", "r"], joined)


@pytest.mark.parametrize("forward_share", [0.6, 0.0])
def test_hands_joined_low_side_by_side_come_down_in_front_and_the_arms_stay_apart(
    forward_share: float,
) -> None:
    """Side by side, facing the same way 0.45 m apart, his right hand holding her
    left low (a Polka promenade): the joined hands come down in front of both (the mean of
    their forward directions), so the elbows, turned out of each other's way by the
    contact stage about the lines from shoulder to wrist, clear: no capsule of one goes
    into one of the other beyond the check's 1 cm of contact except the hands and
    forearms the hold joins. Straight down between them (a forward share of 0) the
    shoulder-to-wrist lines point down between the bodies and turning the elbows about
    them (as far as they may turn) does not part the upper arms."""
    n = 3
    ldr = _standing("leader", (0.0, 0.0), 0.0, n)
    flw = _standing("follower", (0.45, 0.0), 0.0, n)
    params = MotionParams(low_hands_forward_share=forward_share)
    weights = {"right_to_left": np.ones(n)}
    pose_arms({"leader": ldr, "follower": flw}, SKELETONS, weights, {}, params, 60.0)
    il, ix = SKELETONS["leader"].index, SKELETONS["follower"].index
    hand = ldr.positions[:, il("RightHand")]
    assert np.allclose(hand, flw.positions[:, ix("LeftHand")], atol=1e-3)
    model = contact_model(SKELETONS["leader"], params)
    allowed = allowed_overlaps_m(weights, model, params.contact_resting_m)
    theta = find_turns((ldr.positions, flw.positions), model, allowed, params, 60.0)
    posed = [
        turned(body.positions, model.joints, theta[:, side]) for side, body in enumerate((ldr, flw))
    ]
    ends = [(pos[:, model.ends[:, 0]], pos[:, model.ends[:, 1]]) for pos in posed]
    beyond = capsule_overlaps_m(ends[0], model.radii_m, ends[1], model.radii_m) - allowed
    if forward_share > 0:
        assert hand[0, 1] > 0.1  # in front of the shoulders (both face +y)
        assert np.max(beyond) <= 0.01
    else:
        assert abs(hand[0, 1]) < 0.05
        assert np.max(beyond) > 0.01


def _capsule_gap(
    bodies: dict[str, Body], mine: tuple[str, str], theirs: tuple[str, str]
) -> np.ndarray:
    """Per frame, the distance between the axes of two capsules (role, capsule) of the two
    posed dancers."""
    ends = []
    for role, capsule in (mine, theirs):
        ix = SKELETONS[role].index
        a, b = BONE_CAPSULES[capsule]
        ends += [bodies[role].positions[:, ix(a)], bodies[role].positions[:, ix(b)]]
    return np.asarray(segment_distances_m(*ends))


@pytest.mark.parametrize("draw", [0.4, 0.0])
def test_a_hand_rising_for_an_underarm_turn_comes_up_in_front_of_him_not_through_her_head(
    draw: float,
) -> None:
    """She stands 0.6 m in front of him facing him; his right hand holds her left low and
    he changes to his left raised over her head (a Rumba Spot Turn into an Underarm Turn):
    drawn in half way (``blend_draw_in_share``), his hand rising from his side stays clear
    of her head all the way; swung up straight (draw 0) it goes into it. At either end
    the hand is where the hold puts it whatever the draw."""
    n = 61
    ramp = np.linspace(0.0, 1.0, n)
    weights = {"right_to_left": 1.0 - ramp, "left_to_right_raised": ramp}
    bodies = {
        "leader": _standing("leader", (0.0, 0.0), 0.0, n),
        "follower": _standing("follower", (0.0, 0.6), 180.0, n),
    }
    params = MotionParams(blend_draw_in_share=draw)
    pose_arms(bodies, SKELETONS, weights, {}, params, 60.0)
    radii = capsule_radii_m()
    gap = _capsule_gap(bodies, ("leader", "l_hand"), ("follower", "head"))
    touching = radii["l_hand"] + radii["head"]
    if draw:
        assert np.all(gap > touching + 0.01)
    else:
        assert np.any(gap < touching)
    ends = {
        "leader": _standing("leader", (0.0, 0.0), 0.0, 1),
        "follower": _standing("follower", (0.0, 0.6), 180.0, 1),
    }
    targets = hand_targets("left_to_right_raised", ends["leader"], ends["follower"], SKELETONS)
    ix = SKELETONS["leader"].index
    assert (
        np.linalg.norm(bodies["leader"].positions[-1, ix("LeftHand")] - targets["leader"]["l"][0])
        < 0.01
    )


def _ways(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random wandering unit vector per frame, sometimes jumping (a target swung round)."""
    steps = rng.normal(scale=0.15, size=(n, 3))
    steps[rng.uniform(size=n) < 0.05] *= 12.0
    way = np.cumsum(steps, axis=0) + rng.normal(size=3)
    return np.asarray(way / np.linalg.norm(way, axis=1, keepdims=True))


@pytest.mark.parametrize("side", ["l", "r"])
def test_an_arm_never_points_across_its_chest_nor_turns_faster_than_a_shoulder(side: str) -> None:
    """Property over random reaches (some swinging straight across the chest in a frame),
    the chest itself turning: in the chest's frame the limited way is never further than
    the limit from straight out to the side, turns no more than the step a frame (also
    from the last block's way), keeps each reach's length, and is the wanted way wherever
    that is within both limits; posed in two blocks it is as in one."""
    rng = np.random.default_rng(7 if side == "l" else 8)
    n = 400
    out = np.array([1.0 if side == "r" else -1.0, 0.0, 0.0])
    chest = Rotation.from_euler("z", np.cumsum(rng.normal(scale=0.05, size=n))[:, None]).as_matrix()
    local = _ways(rng, n) * rng.uniform(0.2, 0.6, size=(n, 1))
    reach = np.einsum("fij,fj->fi", chest, local)
    step, across = math.radians(18.0), math.radians(140.0)
    last = np.array([0.0, 1.0, 0.0])
    limits = (last, np.full(n, step), np.full(n, across))
    limited, end = limited_reach(chest, reach, side, limits)
    got = np.einsum("fji,fj->fi", chest, limited)
    assert np.allclose(np.linalg.norm(got, axis=1), np.linalg.norm(local, axis=1))
    unit = got / np.linalg.norm(got, axis=1, keepdims=True)
    assert np.all(unit @ out >= math.cos(across) - 1e-9)
    turns = np.sum(unit * np.vstack([last, unit[:-1]]), axis=1)
    assert np.all(turns >= math.cos(step) - 1e-9)
    assert np.allclose(end, unit[-1])
    wanted = local / np.linalg.norm(local, axis=1, keepdims=True)
    fine = (wanted @ out >= math.cos(across)) & (
        np.sum(wanted * np.vstack([last, wanted[:-1]]), axis=1) >= math.cos(step)
    )
    assert fine.sum() > 100
    first_bad = int(np.argmin(fine))
    assert np.allclose(unit[:first_bad], wanted[:first_bad])
    half = n // 2
    a, state = limited_reach(
        chest[:half], reach[:half], side, (last, limits[1][:half], limits[2][:half])
    )
    b, _ = limited_reach(
        chest[half:], reach[half:], side, (state, limits[1][half:], limits[2][half:])
    )
    assert np.allclose(np.vstack([a, b]), limited)


def test_an_arm_reaching_straight_across_her_chest_is_posed_anatomical_and_slow() -> None:
    """Posed by the arm's IK: her right hand's target swung from out at her side straight
    across her chest to her left shoulder in five frames: the posed arm (shoulder to
    wrist, in her chest's frame) never points further across than ``arm_across_max_deg``
    and turns no faster than ``shoulder_turn_max_deg_s``; the elbow stays a hinge (the
    bones keep their lengths)."""
    n = 40
    params = MotionParams()
    flw = _standing("follower", (0.0, 0.0), 0.0, n)
    skel = SKELETONS["follower"]
    ix = skel.index
    shoulder = flw.positions[:, ix("RightArm")].copy()
    angle = np.pi * np.clip(np.arange(n) - 10.0, 0.0, 5.0) / 5.0
    way = np.column_stack([np.cos(angle), 0.3 * np.sin(angle), np.full(n, -0.2)])
    target = shoulder + 0.45 * way / np.linalg.norm(way, axis=1, keepdims=True)
    step = np.full(n, math.radians(params.shoulder_turn_max_deg_s) / 60.0)
    across = np.full(n, math.radians(params.arm_across_max_deg))
    _pose_arm(flw, skel, "r", target, (None, 0.3, math.pi, None), (None, step, across))
    reach = flw.positions[:, ix("RightHand")] - shoulder
    unit = reach / np.linalg.norm(reach, axis=1, keepdims=True)
    assert np.degrees(np.arccos(unit[:, 0].min())) <= params.arm_across_max_deg + 1e-6
    turn = np.degrees(np.arccos(np.clip(np.sum(unit[1:] * unit[:-1], axis=1), -1.0, 1.0)))
    assert turn.max() <= params.shoulder_turn_max_deg_s / 60.0 + 1e-6
    assert np.degrees(np.arccos(way[-1] @ unit[-1] / np.linalg.norm(way[-1]))) > 20.0
    upper = np.linalg.norm(flw.positions[:, ix("RightForeArm")] - shoulder, axis=1)
    assert np.allclose(upper, skel.length("RightForeArm"))


def test_an_elbow_swinging_round_the_arm_turns_no_faster_than_its_limit() -> None:
    """Property: the way an elbow bends (the pole) flipping over from frame to frame (a
    reach passing where :func:`elbow_pole` swings round), however fast its field turns,
    turns no more than the step a frame, stays across the reach, and comes back onto the
    field; within the step of a slowly turning field it is the field."""
    rng = np.random.default_rng(11)
    n = 300
    reach = np.tile([0.0, 1.0, 0.0], (n, 1))
    jumps = rng.uniform(size=n) < 0.05
    angle = np.cumsum(np.where(jumps, rng.uniform(1.0, 3.0, n), 0.01) * (np.arange(n) < n - 60))
    field = np.column_stack([np.cos(angle), np.zeros(n), np.sin(angle)])
    step = math.radians(12.0)
    pole, _ = _follow_pole(field, reach, None, 0.3, step)
    turns = np.arccos(np.clip(np.sum(pole[1:] * pole[:-1], axis=1), -1.0, 1.0))
    assert turns.max() <= step + 1e-9
    assert np.allclose(pole[:, 1], 0.0, atol=1e-9)
    assert np.allclose(pole[-1], field[-1])
    free, _ = _follow_pole(field, reach, None, 0.3)
    assert np.arccos(np.clip(np.sum(free[1:] * free[:-1], axis=1), -1.0, 1.0)).max() > 1.5 * step


def test_an_elbow_kept_off_the_partner_turns_round_the_arm_not_over_it() -> None:
    """Property: poles across a fixed reach that jump about (an elbow taken off the
    partner as the partner's direction swings), limited: every pole stays across the
    reach (the elbow never passes along the arm, where it would flip over), turns no more
    than the step a frame, and is the wanted pole up to the first jump."""
    rng = np.random.default_rng(5)
    n = 300
    reach = np.tile([0.3, 0.2, 0.9], (n, 1))
    unit = reach[0] / np.linalg.norm(reach[0])
    a = np.cross(unit, [1.0, 0.0, 0.0])
    a /= np.linalg.norm(a)
    b = np.cross(unit, a)
    jumps = rng.uniform(size=n) < 0.04
    angle = np.cumsum(np.where(jumps, rng.uniform(2.0, 3.1, n), 0.02))
    pole = np.cos(angle)[:, None] * a + np.sin(angle)[:, None] * b
    step = math.radians(12.0)
    out = _across_limited(pole, reach, None, step)
    assert np.allclose(out @ unit, 0.0, atol=1e-9)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0)
    turns = np.arccos(np.clip(np.sum(out[1:] * out[:-1], axis=1), -1.0, 1.0))
    assert turns.max() <= step + 1e-9
    first = int(np.argmax(jumps))
    assert np.allclose(out[:first], pole[:first])


def test_an_elbow_kept_off_the_partner_turns_smoothly_where_the_field_points_at_him() -> None:
    """A raised right arm (reaching straight up) whose elbow's field sweeps through the
    way to the partner standing in front (+y), a degree a sample: kept off him in full,
    the pole never points towards him, and it turns continuously (at most 180 degrees over
    the 30 degree band on the arm's inner side, 6 a sample, elsewhere little) to the arm's
    outer side (+x) where the field points straight at him. Taking away only the part
    pointing at him would leave a vanishing remainder there that changes sign (a 180
    degree jump of the elbow between two frames)."""
    a = np.radians(np.arange(-80.0, 81.0))
    field = np.column_stack([np.sin(a), np.cos(a), np.zeros_like(a)])
    reach = np.tile([0.0, 0.0, 0.5], (a.size, 1))
    toward = np.tile([0.0, 1.0, -0.3], (a.size, 1))
    outward = np.tile([1.0, 0.0, 0.0], (a.size, 1))
    band = math.radians(30.0)
    pole = _pole_not_towards(field, reach, toward, np.ones(a.size), outward, band)
    assert np.allclose(np.linalg.norm(pole, axis=1), 1.0)
    assert np.all(pole[:, 1] <= 1e-9)
    steps = np.degrees(np.arccos(np.clip(np.sum(pole[1:] * pole[:-1], axis=1), -1.0, 1.0)))
    assert steps.max() < 6.5
    assert pole[80, 0] > 0.99  # straight at him: out to the arm's side
    assert pole[65, 1] < -0.99  # half way through the band: away from him
    assert pole[40, 0] < -0.99  # beyond the band on the inner side: that side's right angle
    # A hanging arm is turned by as much as it reaches level: straight down, not at all;
    # down and forward, a pole on the inner side of him goes to that side's right angle
    # by that share, with no swing round through the way away from him.
    down = np.tile([0.0, 0.0, -0.5], (a.size, 1))
    assert np.allclose(_pole_not_towards(field, down, toward, np.ones(a.size), outward), field)
    slant = np.tile([0.0, 0.3, -0.4], (a.size, 1))
    across = field - np.sum(field * slant, axis=1, keepdims=True) * slant / 0.25
    across /= np.linalg.norm(across, axis=1, keepdims=True)
    hung = _pole_not_towards(across, slant, toward, np.ones(a.size), outward, band)
    assert np.all(hung[:80, 0] <= 1e-9)  # the inner side's poles stay on the inner side
    assert hung[79, 1] > 0.3  # a degree inside: turned part way, not round through "away"
    # Half kept off: a pole at the partner turns half way to the side.
    half = _pole_not_towards(field[80:81], reach[:1], toward[:1], np.array([0.5]), outward[:1])
    assert np.allclose(half[0], [math.sqrt(0.5), math.sqrt(0.5), 0.0])


@pytest.mark.parametrize("gap_m", [0.35, 0.4, 0.5])
def test_the_two_arms_of_a_raised_joined_pair_do_not_cross(gap_m: float) -> None:
    """She stands ``gap_m`` in front of him, turned 30 degrees off facing him (in an
    underarm turn); his left hand holds her right raised. Each elbow kept off the other's
    body alone, the two upper arms cross in an X (4-5 cm into each other); kept also off
    the elbow of the arm it is joined to, no upper arm of one comes nearer an arm of the
    other than their capsules' radii."""
    n = 3
    bodies = {
        "leader": _standing("leader", (0.0, 0.0), 0.0, n),
        "follower": _standing("follower", (0.0, gap_m), 210.0, n),
    }
    pose_arms(bodies, SKELETONS, {"left_to_right_raised": np.ones(n)}, {}, MotionParams(), 60.0)
    radii = capsule_radii_m()
    arms = ("l_upper_arm", "r_upper_arm", "l_forearm", "r_forearm")
    for his in arms:
        for hers in arms:
            if "upper" not in his and "upper" not in hers:
                continue  # the joined forearms meet at the hands
            gap = _capsule_gap(bodies, ("leader", his), ("follower", hers))
            assert np.all(gap > radii[his] + radii[hers]), (his, hers)
