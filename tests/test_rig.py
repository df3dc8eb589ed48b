"""The rig: Mixamo names and hierarchy, Drillis & Contini proportions, a T-pose rest pose,
both heights configurable, and BVH that independent readers (bench/choreo.py's parser,
Blender's importer) turn back into the same joint positions."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pasdeux.export import BVH_FROM_FLOOR, bvh_text, write_bvh
from pasdeux.motion import (
    DANCER_HEIGHTS_M,
    JOINTS,
    PARENTS,
    DancerMotion,
    MotionParams,
    Performance,
    Skeleton,
    perform,
    positions_from_rotations,
    skeleton_for_height,
)
from routines import routine_of
from test_cli import assert_user_error, run
from test_export import _bench_choreo

SIDES = ("Left", "Right")
HEIGHTS = (1.80, 1.68, 1.55, 1.95)


def _parent(name: str) -> str | None:
    p = PARENTS[JOINTS.index(name)]
    return None if p < 0 else JOINTS[p]


def _rest_positions(skel: Skeleton) -> np.ndarray:
    """Joint positions of the rest pose (every rotation the identity, the root at the
    origin's floor: the root's offset is its height)."""
    identity = np.zeros((1, len(skel.joints), 4))
    identity[..., 3] = 1.0
    root = np.asarray(skel.offsets_m[0])[None]
    return np.asarray(positions_from_rotations(skel, root, identity)[0])


def test_the_rig_has_mixamo_names_and_hierarchy() -> None:
    chain = ["Hips", "Spine", "Spine1", "Spine2", "Neck", "Head", "HeadTop_End"]
    for child, parent in zip(chain[1:], chain[:-1], strict=True):
        assert _parent(child) == parent
    assert _parent("Hips") is None
    for side in SIDES:
        arm = ["Spine2", "Shoulder", "Arm", "ForeArm", "Hand", "HandMiddle1", "HandMiddle_End"]
        names = [arm[0]] + [side + j for j in arm[1:]]
        leg = ["Hips"] + [side + j for j in ("UpLeg", "Leg", "Foot", "ToeBase", "Toe_End")]
        for chain in (names, leg):
            for child, parent in zip(chain[1:], chain[:-1], strict=True):
                assert _parent(child) == parent
    assert len(JOINTS) == len(set(JOINTS)) == 29
    leaves = {j for j in JOINTS if JOINTS.index(j) not in PARENTS}
    assert leaves == {"HeadTop_End"} | {s + j for s in SIDES for j in ("HandMiddle_End", "Toe_End")}
    # Parents come before their children (a depth-first order, as the BVH file lists them).
    assert all(p < j for j, p in enumerate(PARENTS))


@pytest.mark.parametrize("height_m", HEIGHTS)
def test_proportions_head_top_at_the_height_and_arm_span_the_height(height_m: float) -> None:
    skel = skeleton_for_height(height_m)
    rest = _rest_positions(skel)
    at = {name: rest[i] for i, name in enumerate(skel.joints)}
    assert at["HeadTop_End"][2] == pytest.approx(height_m, abs=0.01)
    span = at["RightHandMiddle_End"][0] - at["LeftHandMiddle_End"][0]
    assert span == pytest.approx(height_m, rel=0.05)
    # Drillis & Contini's landmark heights: hip joint 0.530 H, knee 0.285 H, ankle 0.039 H,
    # chin 0.870 H; the feet on the floor.
    for joint, share in (("UpLeg", 0.530), ("Leg", 0.285), ("Foot", 0.039)):
        for side in SIDES:
            assert at[side + joint][2] == pytest.approx(share * height_m, abs=0.005)
    assert at["Head"][2] == pytest.approx(0.870 * height_m, abs=0.005)
    for side in SIDES:
        assert 0.0 <= at[side + "Toe_End"][2] < at[side + "ToeBase"][2] < 0.03
        assert at[side + "Arm"][0] * (1 if side == "Right" else -1) > 0.08 * height_m


def test_the_rest_pose_is_a_t_pose() -> None:
    """Arms straight out along the body's left (-x) and right (+x) axis at the shoulders'
    height, hand and finger along them; legs straight down; feet forward (+y)."""
    skel = skeleton_for_height(1.80)
    rest = _rest_positions(skel)
    for side, sign in (("Left", -1.0), ("Right", 1.0)):
        for joint in ("ForeArm", "Hand", "HandMiddle1", "HandMiddle_End"):
            x, y, z = skel.offset(side + joint)
            assert (y, z) == (0.0, 0.0) and np.sign(x) == sign, joint
            assert rest[skel.index(side + joint)][2] == rest[skel.index(side + "Arm")][2]
        for joint in ("Leg", "Foot"):
            x, y, z = skel.offset(side + joint)
            assert (x, y) == (0.0, 0.0) and z < 0.0
        assert skel.offset(side + "ToeBase")[1] > 0.0
        assert skel.offset(side + "Shoulder")[0] * sign > 0.0  # the clavicle goes outward


def test_bvh_offsets_are_the_t_pose_and_the_end_sites_the_rigs(tmp_path: Path) -> None:
    performance = perform(routine_of("Waltz", ("natural_turn",)), duration_s=3.0)
    dancer = performance.dancer("follower")
    skel = dancer.skeleton
    text = bvh_text(dancer, performance.fps)
    bvh = _bench_choreo().parse_bvh(text)
    leaves = [j for j in range(len(skel.joints)) if j not in skel.parents]
    assert list(bvh.names) == [n for j, n in enumerate(skel.joints) if j not in leaves]
    in_bvh = np.asarray(skel.offsets_m) @ BVH_FROM_FLOOR.T * 100.0
    for k, name in enumerate(bvh.names[1:], start=1):
        np.testing.assert_allclose(bvh.offsets[k], in_bvh[skel.index(name)], atol=1e-4)
    end_sites = re.findall(r"End Site\s*\{\s*OFFSET ([-\d.]+) ([-\d.]+) ([-\d.]+)", text)
    np.testing.assert_allclose(np.array(end_sites, dtype=float), in_bvh[leaves], atol=1e-4)


def test_performances_take_both_heights_and_read_back_from_bvh_within_a_millimetre() -> None:
    """Heights 1.92 and 1.58: each dancer's rig is scaled to hers; the independent reader
    of bench/choreo.py gets every joint of both BVH files back within 1 mm; the feet stay
    planted where the steps land and the joined hands joined, as with the default heights."""
    reader = _bench_choreo()
    routine = routine_of("Rumba", ("spot_turn_left", "underarm_turn_right"))
    params = MotionParams(leader_height_m=1.92, follower_height_m=1.58)
    performance = perform(routine, params=params)
    for dancer, height in zip(performance.dancers, (1.92, 1.58), strict=True):
        assert dancer.height_m == height
        assert dancer.skeleton == skeleton_for_height(height)
        bvh = reader.parse_bvh(bvh_text(dancer, performance.fps))
        read = reader.floor_positions_m(bvh)
        expected = dancer.joint_positions()[:, [dancer.skeleton.index(n) for n in bvh.names]]
        assert np.abs(read - expected).max() < 1e-3, dancer.role
    _assert_feet_planted_and_hands_joined(performance)


def _assert_feet_planted_and_hands_joined(performance: Performance) -> None:
    for dancer in performance.dancers:
        pos = dancer.joint_positions()
        for event in performance.events:
            if event.role != dancer.role or not event.weight:
                continue
            f = round(event.time_s * performance.fps)
            if f >= performance.n_frames:
                continue
            ankle = pos[f, dancer.skeleton.index(f"{dict(L='Left', R='Right')[event.foot]}Foot")]
            assert np.hypot(ankle[0] - event.x_m, ankle[1] - event.y_m) < 0.02
    ldr, flw = (d.joint_positions() for d in performance.dancers)
    skel_l, skel_f = (d.skeleton for d in performance.dancers)
    # In the underarm turn his left hand holds her right (the second figure's last beats).
    last = performance.n_frames - 1
    frames = np.arange(last - round(1.0 * performance.fps), last - round(0.5 * performance.fps))
    gap = ldr[frames, skel_l.index("LeftHand")] - flw[frames, skel_f.index("RightHand")]
    assert np.percentile(np.linalg.norm(gap, axis=1), 99) < 0.03


def test_hands_follow_the_forearm_and_toes_stay_on_the_floor() -> None:
    """With no trail the hand's local rotation is the identity and the finger's a curl of
    ``finger_curl_deg`` about the hand's forward axis; with the default trail the hand
    stays within 45 degrees of the forearm's way. Toes
    bend where the heel rises on a pivot, so the toe tips never go through the floor."""
    routine = routine_of("Rumba", ("spot_turn_left", "spot_turn_right"))
    stiff = perform(routine, params=MotionParams(finger_curl_deg=30.0, hand_follow_s=1e-6))
    relaxed = perform(routine)
    for dancer, other in zip(stiff.dancers, relaxed.dancers, strict=True):
        skel = dancer.skeleton
        rot = dancer.rotations.astype(float)
        for side in SIDES:
            hand = rot[:, skel.index(side + "Hand")]
            np.testing.assert_allclose(np.abs(hand[:, 3]), 1.0, atol=1e-6)
            finger = rot[:, skel.index(side + "HandMiddle1")]
            angle = 2 * np.degrees(np.arccos(np.clip(np.abs(finger[:, 3]), 0, 1)))
            np.testing.assert_allclose(angle, 30.0, atol=0.01)
            np.testing.assert_allclose(np.abs(finger[:, 1]), np.sin(np.radians(15.0)), atol=1e-5)
            trail = np.abs(other.rotations[:, skel.index(side + "Hand"), 3].astype(float))
            assert 2 * np.degrees(np.arccos(np.clip(trail, 0, 1))).max() < 45.0
        pos = other.joint_positions()
        for side in SIDES:
            assert pos[:, skel.index(side + "Toe_End"), 2].min() > -0.002
        heel_up = pos[:, skel.index("LeftFoot"), 2] - pos[0, skel.index("LeftFoot"), 2] > 0.02
        assert heel_up.any(), "a pivot raises the heel"


@pytest.mark.parametrize(
    "heights", ["1.8", "180,168", "x,1.6", "nan,1.6", "1.8,1.6,1.7", "1.1,1.6"]
)
def test_bad_heights_are_user_errors(tmp_path: Path, heights: str) -> None:
    song = tmp_path / "missing.ogg"  # the options are checked before the song is read
    result = run("dance", song, "--heights", heights, "-o", tmp_path / "o")
    assert_user_error(result, "--heights", "1.2 to 2.2")
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_dance_with_heights_end_to_end(demo_clip: Path, tmp_path: Path) -> None:
    """``pasdeux dance SONG --heights 1.90,1.60`` writes both rigs at those heights (the
    BVH files' head tops), and ``pasdeux check`` passes its own validation on the folder."""
    out = tmp_path / "out"
    result = run("dance", demo_clip, "--heights", "1.90,1.60", "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "performance.json").read_text(encoding="utf-8"))
    for dancer, height in zip(data["dancers"], (1.90, 1.60), strict=True):
        assert dancer["height_m"] == height
        skel = Skeleton(**{k: _tuples(v) for k, v in dancer["skeleton"].items()})
        top = _rest_positions(skel)[skel.index("HeadTop_End")]
        assert top[2] == pytest.approx(height, abs=0.01)
    checked = run("check", out)
    assert checked.returncode == 0, checked.stderr
    assert "bone-length drift" in checked.stdout
    assert DANCER_HEIGHTS_M == {"leader": 1.80, "follower": 1.68}


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _arm_past_lock(n: int) -> np.ndarray:
    """Quaternions (floor axes) of an arm turning 4 degrees a frame along a line that
    passes 2 degrees from the Z X Y order's gimbal lock (middle angle 88, in BVH axes)."""
    from scipy.spatial.transform import Rotation

    centre = Rotation.from_euler("ZXY", [-70.0, 88.0, 10.0], degrees=True)
    angle = np.clip(np.radians(4.0) * (np.arange(n) - n // 2), -1.5, 1.5)
    bvh = (Rotation.from_rotvec(angle[:, None] * np.array([[0.6, 0.0, 0.8]])) * centre).as_matrix()
    return np.asarray(Rotation.from_matrix(BVH_FROM_FLOOR.T @ bvh @ BVH_FROM_FLOOR).as_quat())


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("blender") is None, reason="Debian's blender is not installed")
def test_blender_imports_the_bvh_with_our_joint_positions(tmp_path: Path) -> None:
    """Blender's own BVH importer (run headless) makes one bone per joint of the file, whose
    world head positions at a few frames are our forward kinematics within 1 mm."""
    routine = routine_of("Rumba", ("spot_turn_left", "underarm_turn_right"))
    performance = perform(routine, params=MotionParams(leader_height_m=1.86))
    script = Path(__file__).with_name("blender_import_bvh.py")
    # Her right arm swung past the Z X Y order's gimbal lock: written in another order.
    her = performance.dancers[1]
    swung = her.rotations.copy()
    arm = her.skeleton.index("RightArm")
    swung[:, arm] = _arm_past_lock(performance.n_frames)
    past = DancerMotion("swung", her.height_m, her.skeleton, her.root_positions_m, swung)
    text = bvh_text(past, performance.fps)
    channels = text.split("JOINT RightArm")[1].split("CHANNELS 3 ")[1].splitlines()[0]
    assert channels != "Zrotation Xrotation Yrotation"
    for dancer in (*performance.dancers, past):
        bvh, out = tmp_path / f"{dancer.role}.bvh", tmp_path / f"{dancer.role}.json"
        write_bvh(bvh, dancer, performance.fps)
        n = performance.n_frames
        frames = [0, n // 4, n // 2, (3 * n) // 4, n - 1]
        argv = ["blender", "-b", "--factory-startup", "--python", str(script), "--"]
        result = subprocess.run(
            [*argv, str(bvh), str(out), ",".join(map(str, frames))],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0 and out.is_file(), result.stderr[-2000:]
        bones = json.loads(out.read_text(encoding="utf-8"))["bones"]
        skel = dancer.skeleton
        assert set(bones) == {n for j, n in enumerate(skel.joints) if j in skel.parents}
        positions = dancer.joint_positions()[frames]
        for name, heads in bones.items():
            error = np.abs(np.asarray(heads) - positions[:, skel.index(name)]).max()
            assert error < 1e-3, (dancer.role, name, error)
