"""Keeping the partners apart: capsule overlaps resolved by turning knees and elbows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from pasdeux.capsules import BONE_CAPSULES, capsule_radii_m, segment_distances_m
from pasdeux.dances import load_library
from pasdeux.motion import (
    JOINTS,
    MotionParams,
    perform,
    positions_from_rotations,
    skeleton_for_height,
)
from pasdeux.motion.body._contact import (
    CHAINS,
    allowed_overlaps_m,
    clear_of,
    contact_model,
    find_turns,
    keep_apart,
    turn_chains,
    turned,
)
from routines import dance_routine

NAMES = list(BONE_CAPSULES)


def _legs_knees_into_each_other(n: int = 30) -> tuple[dict[str, np.ndarray], float]:
    """Joint positions (n frames, standing still) of two dancers facing each other 0.38 m
    apart, his right knee and her left knee bent forward into the same place; and how
    much the two thighs overlap."""
    skel = skeleton_for_height(1.80)
    ix = skel.index
    out = {}
    for role, (y, forward) in {"leader": (0.0, 1.0), "follower": (0.38, -1.0)}.items():
        pos = np.full((len(skel.joints), 3), 50.0)  # every joint far away but the legs
        x_knee = 0.09 if role == "leader" else 0.11  # her left side is his right
        hip = np.array([x_knee, y, 0.90])
        ankle = np.array([x_knee, y + 0.05 * forward, 0.08])
        mid = (hip + ankle) / 2
        knee = mid + np.array([0.0, 0.16 * forward, 0.0])
        knee = hip + (knee - hip) * 0.44 / np.linalg.norm(knee - hip)
        side = "Right" if role == "leader" else "Left"
        for joint, p in ((f"{side}UpLeg", hip), (f"{side}Leg", knee), (f"{side}Foot", ankle)):
            pos[ix(joint)] = p
        out[role] = np.tile(pos, (n, 1, 1))
    a, b = ("RightUpLeg", "RightLeg"), ("LeftUpLeg", "LeftLeg")
    gap = segment_distances_m(
        out["leader"][0, ix(a[0])], out["leader"][0, ix(a[1])],
        out["follower"][0, ix(b[0])], out["follower"][0, ix(b[1])],
    )  # fmt: skip
    return out, 0.12 - float(gap)


def _overlap(pos: dict[str, np.ndarray], a: str, b: str) -> np.ndarray:
    ix = skeleton_for_height(1.80).index
    (a0, a1), (b0, b1) = BONE_CAPSULES[a], BONE_CAPSULES[b]
    radii = capsule_radii_m()
    gap = segment_distances_m(
        pos["leader"][:, ix(a0)], pos["leader"][:, ix(a1)],
        pos["follower"][:, ix(b0)], pos["follower"][:, ix(b1)],
    )  # fmt: skip
    return np.asarray(radii[a] + radii[b] - gap)


def test_turning_a_chain_moves_only_its_middle_joint_and_keeps_the_bones() -> None:
    rng = np.random.default_rng(1)
    skel = skeleton_for_height(1.80)
    model = contact_model(skel, MotionParams())
    pos = rng.normal(size=(50, len(skel.joints), 3))
    theta = rng.uniform(-1.0, 1.0, size=(50, len(CHAINS)))
    out = turned(pos, model.joints, theta)
    middles = model.joints[:, 1]
    others = np.setdiff1d(np.arange(len(skel.joints)), middles)
    assert np.array_equal(out[:, others], pos[:, others])
    for root, mid, end in model.joints:
        for j in (root, end):
            before = np.linalg.norm(pos[:, mid] - pos[:, j], axis=1)
            assert np.allclose(np.linalg.norm(out[:, mid] - out[:, j], axis=1), before)
    assert not np.allclose(out[:, middles], pos[:, middles])


def test_two_thighs_overlapping_are_turned_apart_to_touching() -> None:
    pos, overlap = _legs_knees_into_each_other()
    assert overlap > 0.08  # the knees in the same place
    skel = skeleton_for_height(1.80)
    params = MotionParams()
    model = contact_model(skel, params)
    allowed = np.zeros((30, len(NAMES), len(NAMES)))
    theta = find_turns((pos["leader"], pos["follower"]), model, allowed, params, 20.0)
    after = {
        role: turned(pos[role], model.joints, theta[:, side])
        for side, role in enumerate(("leader", "follower"))
    }
    # Resolved to touching (a millimetre of the first-order steps left at most), and
    # nothing else brought into contact.
    assert np.all(_overlap(after, "r_thigh", "l_thigh") < 0.002)
    assert np.all(_overlap(after, "r_shin", "l_shin") < 0.002)
    # Only the knees moved: hips and ankles (the planted feet) stay where they were.
    ix = skel.index
    for role, side in (("leader", "Right"), ("follower", "Left")):
        for joint in (f"{side}UpLeg", f"{side}Foot"):
            assert np.array_equal(after[role][:, ix(joint)], pos[role][:, ix(joint)])
        knee = ix(f"{side}Leg")
        assert np.all(np.linalg.norm(after[role][:, knee] - pos[role][:, knee], axis=1) > 0.02)
    # Within the knees' ranges.
    assert np.all(theta >= model.low_rad - 1e-9)
    assert np.all(theta <= model.high_rad + 1e-9)


def test_a_pair_the_hold_joins_is_left_in_contact() -> None:
    pos, _ = _legs_knees_into_each_other()
    skel = skeleton_for_height(1.80)
    params = MotionParams()
    model = contact_model(skel, params)
    allowed = np.full((30, len(NAMES), len(NAMES)), np.inf)
    theta = find_turns((pos["leader"], pos["follower"]), model, allowed, params, 20.0)
    assert not np.any(theta)


def test_holds_allow_joined_hands_and_hands_placed_on_the_partner_only() -> None:
    model = contact_model(skeleton_for_height(1.80), MotionParams())
    weights = {"closed": np.ones(3), "none": np.zeros(3)}
    allowed = allowed_overlaps_m(weights, model, 0.01)[0]
    at = {name: i for i, name in enumerate(NAMES)}
    assert allowed[at["l_hand"], at["r_hand"]] == np.inf  # joined hands
    assert allowed[at["l_forearm"], at["r_forearm"]] == np.inf
    assert allowed[at["r_hand"], at["chest"]] == np.inf  # his hand on her back
    assert allowed[at["r_forearm"], at["chest"]] == 0.01  # his forearm round her, not in
    assert allowed[at["r_upper_arm"], at["l_hand"]] == np.inf  # her hand on his arm
    assert allowed[at["r_upper_arm"], at["l_forearm"]] == 0.01  # her arm resting on his
    assert allowed[at["r_thigh"], at["l_thigh"]] == 0.0
    assert allowed[at["chest"], at["chest"]] == 0.0
    none = allowed_overlaps_m({"none": np.ones(2)}, model, 0.01)
    assert not np.any(none)


def test_turned_rotations_pose_the_turned_joints_and_keep_the_foot() -> None:
    """Turning in the local rotations gives the joints :func:`turned` gives, and the
    foot's (the end joint's) world rotation is kept, so a planted foot stays planted."""
    rng = np.random.default_rng(5)
    skel = skeleton_for_height(1.68)
    model = contact_model(skel, MotionParams())
    n = 40
    rotations = Rotation.random(n * len(skel.joints), random_state=7).as_quat()
    rotations = rotations.reshape(n, len(skel.joints), 4).astype(np.float32)
    roots = rng.normal(size=(n, 3))
    pos = positions_from_rotations(skel, roots, rotations)
    theta = rng.uniform(-0.8, 0.8, size=(n, len(CHAINS)))
    turned_rotations = rotations.copy()
    turn_chains(skel, turned_rotations, pos, theta, model)
    after = positions_from_rotations(skel, roots, turned_rotations)
    assert np.allclose(after, turned(pos, model.joints, theta), atol=1e-5)
    for _, _, end in model.joints:
        world = [_world(skel, r, end) for r in (rotations, turned_rotations)]
        assert np.allclose(world[0].as_matrix(), world[1].as_matrix(), atol=1e-5)


def _world(skel, rotations: np.ndarray, joint: int) -> Rotation:  # type: ignore[no-untyped-def]
    out = Rotation.from_quat(rotations[:, joint])
    while skel.parents[joint] >= 0:
        joint = skel.parents[joint]
        out = Rotation.from_quat(rotations[:, joint]) * out
    return out


def test_keeping_apart_moves_no_foot_and_no_joined_hand_and_opens_the_overlaps() -> None:
    """A Waltz routine with and without the contact pass: the feet (ankles and toes) and
    the wrists are exactly where they were, the knees and elbows moved, and the frames
    where a thigh or a shin overlaps the partner's by more than the check's centimetre
    are far fewer."""
    style = next(s for s in load_library() if s.name == "Waltz")
    routine = dance_routine(style, 20.0)
    runs = {k: perform(routine, params=MotionParams(contact_rounds=k)) for k in (0, 3)}
    pos = {k: {d.role: d.joint_positions() for d in p.dancers} for k, p in runs.items()}
    ix = runs[0].dancers[0].skeleton.index
    for role in ("leader", "follower"):
        for joint in (
            "LeftFoot",
            "RightFoot",
            "LeftToeBase",
            "RightToeBase",
            "LeftHand",
            "RightHand",
        ):
            assert np.allclose(pos[0][role][:, ix(joint)], pos[3][role][:, ix(joint)], atol=1e-4)
        moved = np.linalg.norm(
            pos[0][role][:, ix("RightLeg")] - pos[3][role][:, ix("RightLeg")], axis=1
        )
        assert moved.max() > 0.02
    legs = [
        ("r_thigh", "l_thigh"),
        ("l_thigh", "r_thigh"),
        ("r_shin", "l_shin"),
        ("l_shin", "r_shin"),
    ]
    count = {k: sum(int(np.sum(_overlap(pos[k], a, b) > 0.01)) for a, b in legs) for k in pos}
    assert count[3] < 0.25 * count[0]


def test_the_contact_knobs_are_checked() -> None:
    with pytest.raises(ValueError, match="contact_rounds"):
        MotionParams(contact_rounds=-1)
    with pytest.raises(ValueError, match="contact_knee_turn_max_deg"):
        MotionParams(contact_knee_turn_max_deg=200.0)
    with pytest.raises(ValueError, match="contact_rate_hz"):
        MotionParams(contact_rate_hz=0.0)
    with pytest.raises(ValueError, match="contact_leg_clearance_m"):
        MotionParams(contact_leg_clearance_m=-0.01)


def test_keep_apart_with_no_rounds_changes_nothing() -> None:
    skel = skeleton_for_height(1.80)
    rotations = np.tile(np.array([0.0, 0.0, 0.0, 1.0], dtype=np.float32), (5, len(skel.joints), 1))
    rots = {"leader": rotations.copy(), "follower": rotations.copy()}
    roots = {"leader": np.zeros((5, 3)), "follower": np.zeros((5, 3))}
    skels = {"leader": skel, "follower": skel}
    keep_apart(skels, roots, rots, {"none": np.ones(5)}, MotionParams(contact_rounds=0), 60.0)
    assert np.array_equal(rots["leader"], rotations)


def test_a_free_hand_is_kept_off_the_partners_body_level() -> None:
    bottom = np.array([[0.0, 0.0, 0.9], [0.0, 0.0, 0.9]])
    top = bottom + np.array([0.0, 0.0, 0.6])
    hands = np.array([[0.05, 0.0, 1.0], [0.5, 0.2, 1.0]])  # inside the body; well clear
    shoulders = np.array([[0.3, 0.0, 1.4], [0.3, 0.0, 1.4]])
    out = clear_of(hands, (bottom, top), 0.13, shoulders)
    assert out[0] == pytest.approx([0.13, 0.0, 1.0])  # moved level to touching
    assert np.array_equal(out[1], hands[1])


@pytest.mark.parametrize("clearance_m", [0.0, 0.02, 0.03])
def test_overlapping_thighs_are_opened_to_the_clearance_and_resting_pairs_to_their_allowance(
    clearance_m: float,
) -> None:
    """Two thighs overlapping are turned apart until they are ``contact_leg_clearance_m``
    apart (the gap that what is interpolated and smoothed after eats into; legs have their
    own, ``contact_clearance_m`` is the other pairs'); the same legs, where a hold let them
    rest 1 cm into each other, are opened only to that 1 cm, never held off by the
    clearance."""
    pos, _ = _legs_knees_into_each_other()
    skel = skeleton_for_height(1.80)
    params = MotionParams(contact_leg_clearance_m=clearance_m, contact_clearance_m=0.05)
    model = contact_model(skel, params)
    his = [NAMES.index(c) for c in ("r_thigh", "r_shin", "r_foot")]
    hers = [NAMES.index(c) for c in ("l_thigh", "l_shin", "l_foot")]
    for rest_m in (0.0, 0.01):
        allowed = np.zeros((30, len(NAMES), len(NAMES)))
        allowed[:, np.array(his)[:, None], np.array(hers)[None, :]] = rest_m
        theta = find_turns((pos["leader"], pos["follower"]), model, allowed, params, 20.0)
        after = {
            role: turned(pos[role], model.joints, theta[:, side])
            for side, role in enumerate(("leader", "follower"))
        }
        overlap = _overlap(after, "r_thigh", "l_thigh")
        aim = rest_m if rest_m > 0 else -clearance_m
        assert np.all(overlap < aim + 0.002)
        assert np.all(overlap > aim - 0.01)


def test_a_knee_turns_out_further_than_in() -> None:
    """The knees' ranges: out (away from the other leg) to ``contact_knee_turn_out_max_deg``,
    in to ``contact_knee_turn_max_deg``; a right knee turned by the top of its range goes
    out to the right (+x for a dancer facing +y), a left one by the bottom of its range to
    the left; the elbows turn as far either way."""
    params = MotionParams(contact_knee_turn_max_deg=30.0, contact_knee_turn_out_max_deg=70.0)
    model = contact_model(skeleton_for_height(1.80), params)
    chains = list(CHAINS)
    out, inward = math.radians(70.0), math.radians(30.0)
    right, left = chains.index("r_leg"), chains.index("l_leg")
    assert (model.low_rad[right], model.high_rad[right]) == pytest.approx((-inward, out))
    assert (model.low_rad[left], model.high_rad[left]) == pytest.approx((-out, inward))
    for arm in ("l_arm", "r_arm"):
        c = chains.index(arm)
        elbow = math.radians(params.contact_elbow_turn_max_deg)
        assert (model.low_rad[c], model.high_rad[c]) == pytest.approx((-elbow, elbow))
    # A leg: hip, knee bent forward (+y), ankle under the hip.
    for x, angle, way in ((0.1, model.high_rad[right], 1.0), (-0.1, model.low_rad[left], -1.0)):
        pos = np.array([[[x, 0.0, 0.9], [x, 0.15, 0.5], [x, 0.0, 0.1]]])
        knee = turned(pos, np.array([[0, 1, 2]]), np.array([[angle]]))[0, 1]
        assert way * (knee[0] - x) > 0.1


def test_a_free_hand_in_the_partners_belly_is_moved_off_level_and_no_other() -> None:
    """Synthetic: his free right wrist placed on her belly's axis is to move level by the
    overlap and the clearance (the parts of her body it meets at once not added up), and
    no other hand moves (his left and her right are joined in ``left_to_right``)."""
    from pasdeux.motion.body._apart import hand_moves

    skel = skeleton_for_height(1.80)
    n = 5
    rest = positions_from_rotations(
        skel, np.tile([0.0, 0.0, 0.95], (n, 1)), np.tile([0.0, 0.0, 0.0, 1.0], (n, len(JOINTS), 1))
    )
    her = rest.copy()
    her[..., 1] += 0.6  # facing the same way, 0.6 m in front of him
    his = rest.copy()
    wrist, knuckle = skel.index("RightHand"), skel.index("RightHandMiddle1")
    belly = her[:, skel.index("Spine")]
    his[:, knuckle] = belly + (his[:, knuckle] - his[:, wrist])
    his[:, wrist] = belly
    weights = {"left_to_right": np.ones(n)}
    model = contact_model(skel, MotionParams())
    models = {"leader": model, "follower": model}
    moves = hand_moves({"leader": his, "follower": her}, models, weights, 0.02)
    assert set(moves) == {("leader", "r")}
    radii = capsule_radii_m()
    clear = radii["r_hand"] + radii["belly"] + 0.02
    assert np.linalg.norm(moves["leader", "r"], axis=1) == pytest.approx(clear, abs=0.03)
    assert np.all(moves["leader", "r"][:, 2] == 0.0)  # level


def test_free_hands_pass_each_other_in_an_underarm_turn() -> None:
    """Releasing the closed hold for an underarm turn, his right hand and her left (free in
    ``left_to_right_raised``) no longer go through each other: without the free hands'
    pass they do."""
    from pasdeux.check import check_performance
    from routines import routine_of

    routine = routine_of("Rumba", ("basic_with_underarm_turn", "underarm_turn_right"))

    def hand_pairs(rounds: int) -> int:
        performance = perform(routine, params=MotionParams(hand_rounds=rounds))
        report = check_performance(routine, performance)
        assert report.joined_within_share == 1.0
        return sum(k for pair, k in report.interpenetration_pairs if pair.count("_hand") == 2)

    assert hand_pairs(0) > 0
    assert hand_pairs(1) == 0


def _her_leg_across_his(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Joint positions (n frames) of his right leg standing still, knee bent 17 cm forward,
    and her left leg facing him 0.38 m away, as bent, carried sideways from 10 cm on his
    left to 10 cm on his right: her knee crosses his (each with the other hip, which says
    where the pelvis faces)."""
    skel = skeleton_for_height(1.80)
    ix = skel.index
    frames: dict[str, list[np.ndarray]] = {"leader": [], "follower": []}
    for x in np.linspace(-0.10, 0.10, n):
        for role, side, hip, way, bend in (
            ("leader", "Right", np.array([0.0, 0.0, 0.9]), 1.0, 0.17),
            ("follower", "Left", np.array([x, 0.38, 0.85]), -1.0, 0.17),
        ):
            pos = np.full((len(skel.joints), 3), 50.0 * way)  # far away but this leg
            ankle = hip + np.array([0.0, 0.05 * way, 0.08 - hip[2]])
            knee = (hip + ankle) / 2 + np.array([0.0, bend * way, 0.0])
            knee = hip + (knee - hip) * 0.44 / np.linalg.norm(knee - hip)
            for joint, p in ((f"{side}UpLeg", hip), (f"{side}Leg", knee), (f"{side}Foot", ankle)):
                pos[ix(joint)] = p
            # The other hip, 18 cm to the leg's inside (his right is +x, hers -x).
            other = "Left" if side == "Right" else "Right"
            pos[ix(f"{other}UpLeg")] = hip - np.array([0.18, 0.0, 0.0])
            frames[role].append(pos)
    return np.array(frames["leader"]), np.array(frames["follower"])


def test_legs_crossing_are_kept_apart_by_the_searched_swivel() -> None:
    """Her knee carried across his: the first-order turns flip side as the crossing point
    moves (and cancel when spread): the legs go 8.8 cm through each other. The knees'
    searched swivel keeps them to less than half that (3 cm where she must come round his
    knee to the solver's side after the contact), turning no faster than
    ``contact_swivel_rate_deg_s`` and within range, hips and ankles where they were."""
    pos = _her_leg_across_his()
    skel = skeleton_for_height(1.80)
    ix = skel.index
    n = pos[0].shape[0]
    allowed = np.zeros((n, len(NAMES), len(NAMES)))

    def worst(params: MotionParams) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        model = contact_model(skel, params)
        theta = find_turns(pos, model, allowed, params, 20.0)
        after = {
            role: turned(pos[side], model.joints, theta[:, side])
            for side, role in enumerate(("leader", "follower"))
        }
        pairs = [(a, b) for a in ("r_thigh", "r_shin") for b in ("l_thigh", "l_shin")]
        return np.max([_overlap(after, a, b) for a, b in pairs], axis=0), theta, after

    first_order, before, _ = worst(MotionParams(contact_swivel_sweeps=0))
    assert first_order.max() > 0.08
    params = MotionParams()
    overlap, theta, after = worst(params)
    assert overlap.max() < first_order.max() / 2
    model = contact_model(skel, params)
    assert np.all(theta >= model.low_rad - 1e-9)
    assert np.all(theta <= model.high_rad + 1e-9)
    # Where the search changed the turns, no faster than its rate.
    changed = np.any(np.abs(theta - before) > 1e-9, axis=(1, 2))
    step = np.abs(np.diff(theta, axis=0))[changed[1:] & changed[:-1]]
    assert np.all(step <= np.radians(params.contact_swivel_rate_deg_s) / 20.0 + 1e-9)
    for side, role, leg in ((0, "leader", "Right"), (1, "follower", "Left")):
        for joint in (f"{leg}UpLeg", f"{leg}Foot"):
            assert np.array_equal(after[role][:, ix(joint)], pos[side][:, ix(joint)])
