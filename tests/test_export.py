"""Outputs: BVH that reads back to the same motion, step sheets, all-or-nothing folders."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from benchmods import load_bench
from pasdeux.choreo import Routine, choreograph
from pasdeux.errors import InputError
from pasdeux.export import (
    BVH_FROM_FLOOR,
    OUTPUT_FILES,
    bvh_text,
    stepsheet_html,
    stepsheet_markdown,
    write_bvh,
    write_outputs,
)
from pasdeux.motion import DancerMotion, Performance, perform, skeleton_for_height
from pasdeux.music import MusicMap
from routines import routine_of


@pytest.fixture(scope="module")
def routine(truth_music: MusicMap) -> Routine:
    return choreograph(truth_music, seed=5)


@pytest.fixture(scope="module")
def performance(routine: Routine) -> Performance:
    return perform(routine, duration_s=12.0)


def _parse_bvh(
    text: str,
) -> tuple[list[str], list[int], np.ndarray, np.ndarray, float, list[str]]:
    """A small independent BVH reader: joint names, parents, offsets, frames, frame time
    and each joint's rotation order (as its rotation channels list the axes)."""
    names: list[str] = []
    orders: list[str] = []
    parents: list[int] = []
    offsets: list[list[float]] = []
    stack: list[int] = []
    lines = iter(text.splitlines())
    in_end_site = False
    for line in lines:
        words = line.split()
        if not words:
            continue
        if words[0] in ("ROOT", "JOINT"):
            parents.append(stack[-1] if stack else -1)
            names.append(words[1])
        elif words[0] == "End":
            in_end_site = True
        elif words[0] == "OFFSET" and not in_end_site:
            offsets.append([float(w) for w in words[1:4]])
        elif words[0] == "CHANNELS":
            orders.append("".join(w[0] for w in words[2:] if w.endswith("rotation")))
        elif words[0] == "{":
            if not in_end_site:
                stack.append(len(names) - 1)
        elif words[0] == "}":
            if in_end_site:
                in_end_site = False
            else:
                stack.pop()
        elif words[0] == "MOTION":
            break
    n_frames = int(next(lines).split()[1])
    frame_time = float(next(lines).split()[2])
    frames = np.array([[float(w) for w in next(lines).split()] for _ in range(n_frames)])
    return names, parents, np.array(offsets), frames, frame_time, orders


def test_bvh_reads_back_to_the_same_joint_positions(performance: Performance) -> None:
    dancer = performance.dancer("leader")
    text = bvh_text(dancer, performance.fps)
    names, parents, offsets, frames, frame_time, orders = _parse_bvh(text)
    assert frame_time == pytest.approx(1 / performance.fps)
    assert frames.shape == (performance.n_frames, 3 + 3 * len(names))
    # Forward kinematics in BVH space (Y up, centimetres), each joint's channel order.
    expected = dancer.joint_positions() @ BVH_FROM_FLOOR.T * 100.0
    world: dict[int, np.ndarray] = {}
    positions = np.zeros((frames.shape[0], len(names), 3))
    for k, (name, parent) in enumerate(zip(names, parents)):
        angles = frames[:, 3 + 3 * k : 6 + 3 * k]
        local = Rotation.from_euler(orders[k], angles, degrees=True).as_matrix()
        if parent < 0:
            world[k] = local
            positions[:, k] = frames[:, :3]
        else:
            world[k] = world[parent] @ local
            positions[:, k] = positions[:, parent] + np.einsum(
                "fij,j->fi", world[parent], offsets[k]
            )
        j = dancer.skeleton.index(name)
        np.testing.assert_allclose(positions[:, k], expected[:, j], atol=0.05)


def test_write_bvh_streams_the_text_of_the_one_string_writer(
    tmp_path: Path, routine: Routine
) -> None:
    # Long enough for two blocks of frames (the writer converts 2048 at a time).
    performance = perform(routine, duration_s=40.0)
    leader, follower = performance.dancers
    bent = leader.rotations.copy()
    bent[::50, 1] = [np.sin(np.pi / 4), 0.0, 0.0, np.cos(np.pi / 4)]  # 90 degrees: gimbal lock
    leader = DancerMotion(
        leader.role, leader.height_m, leader.skeleton, leader.root_positions_m, bent
    )
    for dancer in (leader, follower):
        path = tmp_path / f"{dancer.role}.bvh"
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no gimbal-lock warning reaches the user
            write_bvh(path, dancer, performance.fps)
        text = path.read_text(encoding="utf-8")
        assert text == bvh_text(dancer, performance.fps)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["follower.bvh", "leader.bvh"]


def test_stepsheets_list_every_figure_with_both_roles(
    routine: Routine, truth_music: MusicMap
) -> None:
    md = stepsheet_markdown(truth_music, routine, "Demo")
    page = stepsheet_html(truth_music, routine, "Demo")
    for placed in routine.figures:
        assert placed.figure.name in md
        assert placed.figure.name in page
    assert "| count | leader | follower | hold |" in md
    assert "LF forward" in md or "LF to the left" in md
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")


def test_write_outputs_writes_every_file_and_replaces_its_own_folder(
    tmp_path: Path, routine: Routine, performance: Performance, truth_music: MusicMap
) -> None:
    audio = tmp_path / "song.ogg"
    audio.write_bytes(b"not really audio; only copied")
    out = tmp_path / "out"
    index = write_outputs(out, audio, truth_music, routine, performance, title="t")
    assert index == out.resolve() / "index.html"
    for name in OUTPUT_FILES:
        assert (out / name).stat().st_size > 0, name
    assert json.loads((out / "routine.json").read_text())["kind"] == "routine"
    assert Routine.load(out / "routine.json") == routine
    # A second run replaces the folder it wrote before; no staging folders are left.
    write_outputs(out, audio, truth_music, routine, performance, title="t2")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_write_outputs_leaves_nothing_when_it_fails(
    tmp_path: Path, routine: Routine, performance: Performance, truth_music: MusicMap
) -> None:
    out = tmp_path / "out"
    with pytest.raises(FileNotFoundError):
        write_outputs(out, tmp_path / "missing.ogg", truth_music, routine, performance, title="t")
    assert list(tmp_path.iterdir()) == []


def test_write_outputs_refuses_a_folder_that_is_not_its_own(
    tmp_path: Path, routine: Routine, performance: Performance, truth_music: MusicMap
) -> None:
    (tmp_path / "thesis.txt").write_text("precious")
    with pytest.raises(InputError, match="not a pasdeux output folder"):
        write_outputs(
            tmp_path, tmp_path / "thesis.txt", truth_music, routine, performance, title="t"
        )
    assert (tmp_path / "thesis.txt").read_text() == "precious"


def _bench_choreo() -> Any:
    """bench/choreo.py (its own BVH reader)."""
    return load_bench("choreo")


def test_bvh_angles_are_continuous_through_whole_turns() -> None:
    """Spot turns, an underarm turn and travelling spins: no rotation channel of either
    dancer's BVH jumps by more than 90 degrees between frames (each frame's angles are the
    Euler triple nearest the frame before), the root's Y rotation (the heading, as an
    animator reads it) turns each figure by its declared turn, and an independent reader
    gets the same joint positions back within a millimetre."""
    reader = _bench_choreo()
    for dance, figure_ids in (
        ("Rumba", ("spot_turn_left", "spot_turn_right", "underarm_turn_right")),
        ("Slow Dance", ("underarm_turn", "underarm_turn")),
        ("Paso Doble", ("travelling_spins_from_promenade",)),
    ):
        routine = routine_of(dance, figure_ids)
        performance = perform(routine)
        for dancer in performance.dancers:
            bvh = reader.parse_bvh(bvh_text(dancer, performance.fps))
            jumps = np.abs(np.diff(bvh.motion[:, 3:], axis=0))
            assert int(np.sum(jumps > 90.0)) == 0, (dance, dancer.role)
            heading = bvh.motion[:, bvh.channels[0].index("Yrotation")]
            start = 0
            for k, placed in enumerate(routine.figures):
                steps = placed.figure.leader if dancer.role == "leader" else placed.figure.follower
                end = max(
                    round(e.time_s * performance.fps)
                    for e in performance.events
                    if e.role == dancer.role and e.figure_index == k
                )
                declared = -45.0 * sum(s.turn_eighths for s in steps)
                turned = heading[end] - heading[start]
                assert turned == pytest.approx(declared, abs=10.0), (dance, k, dancer.role)
                start = end
            read = reader.floor_positions_m(bvh)
            order = [dancer.skeleton.index(name) for name in bvh.names]
            expected = dancer.joint_positions()[:, order]
            assert np.abs(read - expected).max() < 1e-3, (dance, dancer.role)


def _path_near_lock(
    rng: np.random.Generator,
    off_deg: tuple[float, float] = (0.5, 5.0),
    step_deg: tuple[float, float] = (3.0, 10.0),
) -> np.ndarray:
    """A smooth random rotation path (floor-frame quaternions) through a rotation
    ``off_deg`` from the gimbal lock of the default Z X Y order (its middle angle at 90,
    in BVH axes): up to 90 degrees either way, ``step_deg`` a frame."""
    a, c = rng.uniform(-180.0, 180.0, 2)
    b = rng.choice([-1.0, 1.0]) * (90.0 - rng.uniform(*off_deg))
    centre = Rotation.from_euler("ZXY", [a, b, c], degrees=True)
    span = rng.uniform(10.0, 90.0)
    t = np.linspace(-1.0, 1.0, int(2.0 * span / rng.uniform(*step_deg)) + 2)[:, None]
    way = t * rng.normal(size=3) + t**2 * rng.normal(size=3) * 0.5
    way *= np.radians(span) / np.linalg.norm(way, axis=1).max()
    bvh = (Rotation.from_rotvec(way) * centre).as_matrix()
    return np.asarray(Rotation.from_matrix(BVH_FROM_FLOOR.T @ bvh @ BVH_FROM_FLOOR).as_quat())


@pytest.mark.parametrize(
    ("off_deg", "step_deg"),
    [
        ((0.5, 5.0), (3.0, 10.0)),
        # a fast turn (30-40 degrees a frame; a Paso Doble spin's arm twists 28) just
        # further from the lock than 15 degrees, whose Z X Y channels still swing over 90
        ((15.2, 16.0), (30.0, 40.0)),
    ],
)
def test_bvh_channels_never_jump_through_the_gimbal_lock(
    off_deg: tuple[float, float], step_deg: tuple[float, float]
) -> None:
    """Property: a shoulder turning smoothly past where the default order's channels swing
    round (its gimbal lock) is written with no rotation channel jumping by more than 90
    degrees between frames (the writer picks the order whose lock the motion stays away
    from, each frame's triple nearest the last), and the channels, read back in the order
    the file declares, are the same rotations."""
    skel = skeleton_for_height(1.8)
    arm = skel.index("RightArm")
    rng = np.random.default_rng(10)
    for _ in range(150):
        path = _path_near_lock(rng, off_deg, step_deg)
        quats = np.tile([0.0, 0.0, 0.0, 1.0], (path.shape[0], len(skel.joints), 1))
        quats[:, arm] = path
        dancer = DancerMotion("leader", 1.8, skel, np.tile([0.0, 0.0, 0.9], (len(path), 1)), quats)
        names, _, _, frames, _, orders = _parse_bvh(bvh_text(dancer, 60.0))
        assert np.abs(np.diff(frames[:, 3:], axis=0)).max() <= 90.0
        k = names.index("RightArm")
        read = Rotation.from_euler(orders[k], frames[:, 3 + 3 * k : 6 + 3 * k], degrees=True)
        wanted = Rotation.from_matrix(
            BVH_FROM_FLOOR @ Rotation.from_quat(path).as_matrix() @ BVH_FROM_FLOOR.T
        )
        assert np.degrees((read * wanted.inv()).magnitude()).max() < 0.05
