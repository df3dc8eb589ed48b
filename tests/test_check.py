"""``pasdeux check`` on a real performance, and on the same one with known faults added."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

import fuzz_harness as fh
from pasdeux.check import CheckParams, CheckReport, check_performance, verdicts
from pasdeux.choreo import Routine, choreograph
from pasdeux.cli import main
from pasdeux.dances.geometry import CouplePose
from pasdeux.export import write_bvh
from pasdeux.motion import DancerMotion, Performance, perform
from pasdeux.music import MusicMap
from routines import facing_rad, routine_of
from test_cli import assert_user_error, run


@pytest.fixture(scope="module")
def routine(truth_music: MusicMap) -> Routine:
    return choreograph(truth_music, seed=4)


@pytest.fixture(scope="module")
def performance(routine: Routine, truth_music: MusicMap) -> Performance:
    return perform(routine, duration_s=truth_music.duration_s)


@pytest.fixture(scope="module")
def report(routine: Routine, performance: Performance) -> CheckReport:
    return check_performance(routine, performance)


def _changed(performance: Performance, role: str, **fields: object) -> Performance:
    dancers = tuple(
        dataclasses.replace(d, **fields) if d.role == role else d  # type: ignore[arg-type]
        for d in performance.dancers
    )
    return dataclasses.replace(performance, dancers=dancers)


def _dancer(performance: Performance, role: str) -> DancerMotion:
    return performance.dancer(role)


def test_a_real_performance_is_measured(report: CheckReport) -> None:
    assert [d.role for d in report.dancers] == ["leader", "follower"]
    for d in report.dancers:
        assert d.supports > 20
        assert d.steps_timed > 20
        assert d.bone_drift_max_m < 1e-4
        assert 0.5 < d.contact_share <= 1.0
        assert d.euler_flip_frames is None  # no BVH channels given
    assert report.joined_frames > 0
    assert len(report.turns) == 2 * len({t.index for t in report.turns})
    assert report.interpenetration_frames < report.n_frames
    json.loads(report.to_json())


def test_bodies_in_one_place_interpenetrate_every_frame(
    routine: Routine, performance: Performance
) -> None:
    leader = _dancer(performance, "leader")
    merged = _changed(performance, "follower", root_positions_m=leader.root_positions_m.copy())
    bad = check_performance(routine, merged)
    assert bad.interpenetration_frames == performance.n_frames
    assert verdicts(bad)["interpenetration"] is False
    # One inside the other: the torsos overlap by both radii (the pelvises coincide).
    torso = 2 * CheckParams().capsule_radii_m["hips"] - CheckParams().capsule_contact_m
    assert bad.interpenetration_depth_max_m >= torso - 1e-6
    good = check_performance(routine, performance)
    assert 0.0 <= good.interpenetration_depth_max_m < bad.interpenetration_depth_max_m


def test_hands_held_5_cm_apart_are_not_within_3_cm(
    routine: Routine, performance: Performance, report: CheckReport
) -> None:
    assert report.joined_hand_mean_m is not None and report.joined_hand_mean_m < 0.01
    follower = _dancer(performance, "follower")
    shifted = follower.root_positions_m + np.array([0.05, 0.0, 0.0])
    moved = _changed(performance, "follower", root_positions_m=shifted)
    bad = check_performance(routine, moved)
    assert bad.joined_hand_mean_m == pytest.approx(0.05, abs=0.01)
    assert bad.joined_within_share is not None and bad.joined_within_share < 0.1


def test_an_extra_quarter_turn_in_the_first_figure_is_a_90_degree_error(
    routine: Routine, performance: Performance, report: CheckReport
) -> None:
    leader = _dancer(performance, "leader")
    first = next(t for t in report.turns if t.role == "leader" and t.index == 0)
    end_s = max(e.time_s for e in performance.events if e.role == "leader" and e.figure_index == 0)
    n_end = round(end_s * performance.fps)
    extra = np.clip(np.arange(performance.n_frames) / n_end, 0.0, 1.0) * np.radians(-90.0)
    spin = Rotation.from_rotvec(np.outer(extra, [0.0, 0.0, 1.0]))
    rotations = leader.rotations.copy()
    rotations[:, 0] = (spin * Rotation.from_quat(rotations[:, 0].astype(float))).as_quat()
    bad = check_performance(routine, _changed(performance, "leader", rotations=rotations))
    turned = next(t for t in bad.turns if t.role == "leader" and t.index == 0)
    assert turned.performed_deg - first.performed_deg == pytest.approx(90.0, abs=0.5)
    second = [t for t in bad.turns if t.role == "leader" and t.index == 1]
    before = [t for t in report.turns if t.role == "leader" and t.index == 1]
    assert [t.performed_deg for t in second] == pytest.approx([t.performed_deg for t in before])


def test_a_pelvis_dropped_to_half_height_and_a_sliding_support_are_seen(
    routine: Routine, performance: Performance, report: CheckReport
) -> None:
    leader = _dancer(performance, "leader")
    roots = leader.root_positions_m.copy()
    mid = performance.n_frames // 2
    roots[mid : mid + 5, 2] *= 0.5
    support = next(
        e for e in performance.events if e.role == "leader" and e.weight and e.time_s > 10.0
    )
    f = math.ceil(support.time_s * performance.fps - 1e-6)  # the support's first frame
    roots[f:, 0] += np.clip((np.arange(performance.n_frames - f)) / 6.0, 0.0, 1.0) * 0.02
    bad = check_performance(routine, _changed(performance, "leader", root_positions_m=roots))
    ldr = bad.dancers[0]
    standing = leader.skeleton.offsets_m[0][2]
    dropped = float(roots[mid : mid + 5, 2].min())
    assert ldr.pelvis_min_share == pytest.approx(dropped / standing)
    assert mid <= round(ldr.pelvis_min_at_s * performance.fps) < mid + 5
    assert ldr.supports_sliding > report.dancers[0].supports_sliding
    assert ldr.support_slide_max_m == pytest.approx(0.02, abs=0.002)


@pytest.mark.slow
def test_check_measures_what_dance_wrote(demo_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("dance", demo_clip, "-o", out, "-q").returncode == 0
    result = run("check", out, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["kind"] == "check"
    for dancer in data["dancers"]:
        assert dancer["supports"] > 10
        assert isinstance(dancer["euler_flip_frames"], int)
        assert dancer["skating_ratio"] >= 0.0
    table = run("check", out)
    assert table.returncode == 0, table.stderr
    assert "supports sliding > 1 cm" in table.stdout and "targets:" in table.stdout
    assert "[" in table.stderr, "progress lines are shown"
    (out / "follower.bvh").unlink()
    assert_user_error(run("check", out), str(out), "follower.bvh")


def test_a_folder_that_is_not_an_output_is_a_user_error(tmp_path: Path) -> None:
    assert_user_error(run("check", tmp_path), str(tmp_path), "not a pasdeux output folder")
    assert_user_error(run("check", tmp_path / "nothing"), "no such folder")
    (tmp_path / "routine.json").write_text("{", encoding="utf-8")
    (tmp_path / "performance.json").write_text("{}", encoding="utf-8")
    assert_user_error(run("check", tmp_path), "routine.json", "JSON")


# --------------------------------------------------------------------------- damaged folders


@pytest.fixture(scope="module")
def written(
    routine: Routine, performance: Performance, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The files ``pasdeux check`` reads, as ``pasdeux dance`` writes them."""
    out = tmp_path_factory.mktemp("written")
    (out / "routine.json").write_text(routine.to_json(), encoding="utf-8")
    performance.save(out / "performance.json")
    for dancer in performance.dancers:
        write_bvh(out / f"{dancer.role}.bvh", dancer, performance.fps)
    return out


def _copy(written: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(written, tmp_path / "out"))


def _check(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", str(folder), "-q"])
    return code, capsys.readouterr().err


def test_a_field_of_the_wrong_type_names_its_file(
    written: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _copy(written, tmp_path)
    data = json.loads((out / "routine.json").read_text(encoding="utf-8"))
    data["level"] = [[]]
    (out / "routine.json").write_text(json.dumps(data), encoding="utf-8")
    code, err = _check(out, capsys)
    assert code == 2, err
    assert err.startswith(f"pasdeux: {out / 'routine.json'}: Routine.level: expected str"), err


def test_json_nested_too_deeply_is_a_user_error(
    written: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _copy(written, tmp_path)
    (out / "performance.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, err = _check(out, capsys)
    assert code == 2, err
    assert f"{out / 'performance.json'}: is not a file pasdeux wrote (nested too deeply)" in err


@pytest.mark.parametrize("frames", ["-1", "fewer"])
def test_a_bvh_whose_frames_are_not_the_performance_is_a_user_error(
    frames: str, written: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _copy(written, tmp_path)
    bvh = out / "leader.bvh"
    text = bvh.read_text(encoding="utf-8")
    n = int(re.search(r"Frames: (\d+)", text).group(1))  # type: ignore[union-attr]
    if frames == "fewer":  # a whole, consistent BVH file one frame short
        text = text.rstrip("\n").rsplit("\n", 1)[0] + "\n"
        frames = str(n - 1)
    bvh.write_text(text.replace(f"Frames: {n}", f"Frames: {frames}"), encoding="utf-8")
    code, err = _check(out, capsys)
    assert code == 2, err
    assert err.startswith(f"pasdeux: {bvh}: "), err


def test_a_folder_that_may_not_be_entered_is_a_user_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "routine.json").write_text("{}", encoding="utf-8")
    out.chmod(0)
    try:  # as root, without the capabilities that ignore modes (as any user runs)
        result = subprocess.run(
            [sys.executable, "-m", "pasdeux", "check", str(out)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
            preexec_fn=fh.drop_root_file_access,
            timeout=120,
        )
    finally:
        out.chmod(0o755)
    assert_user_error(result, f"{out}: cannot be read (Permission denied)")


def _edit(path: Path, change: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(json.dumps(data), encoding="utf-8")


def _set(keys: tuple[object, ...], value: object) -> object:
    def change(data: object) -> None:
        for key in keys[:-1]:
            data = data[key]  # type: ignore[index]
        data[keys[-1]] = value  # type: ignore[index]

    return change


INCONSISTENT = [
    ("routine.json", _set(("beats", 3), -1.0), "beat times are not finite and increasing"),
    ("performance.json", _set(("events", 2, "step_index"), 99), "step event 2 is not one"),
    ("performance.json", _set(("events", 2, "figure_index"), -1), "step event 2 is not one"),
    ("performance.json", _set(("events", 2, "time_s"), math.nan), "event 2 is not within"),
    ("performance.json", _set(("events", 13, "beat"), 1e308), "event 13 is not within"),
    ("performance.json", _set(("dancers", 0, "rotations", "shape", 1), 2**63), "OverflowError"),
    ("performance.json", _set(("dancers", 1, "skeleton", "parents", 8), 20), "not a tree"),
    ("performance.json", _set(("dancers", 0, "skeleton", "parents", 0), 0), "not a tree"),
    ("performance.json", _set(("dancers", 0, "skeleton", "joints", 4), "x"), "lacks joint"),
    ("performance.json", _set(("n_frames",), 7), "frames, not n_frames 7"),
]
"""Files that parse but do not fit together (found by ``bench/fuzz.py --command check``)."""


@pytest.mark.parametrize(("name", "change", "words"), INCONSISTENT)
def test_files_that_do_not_fit_together_are_a_user_error(
    name: str,
    change: object,
    words: str,
    written: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _copy(written, tmp_path)
    _edit(out / name, change)
    code, err = _check(out, capsys)
    assert code == 2, err
    assert err.startswith(f"pasdeux: {out / name}: ") and words in err, err


def test_a_motion_three_frames_late_is_timed_50_ms_late(
    routine: Routine, performance: Performance, report: CheckReport
) -> None:
    """Landings are timed where the feet land: the performance as danced is within 10 ms
    of the beat on average, the same motion three frames late 50 ms late."""
    leader = _dancer(performance, "leader")
    late = {
        "root_positions_m": np.concatenate(
            [np.repeat(leader.root_positions_m[:1], 3, axis=0), leader.root_positions_m[:-3]]
        ),
        "rotations": np.concatenate(
            [np.repeat(leader.rotations[:1], 3, axis=0), leader.rotations[:-3]]
        ),
    }
    bad = check_performance(routine, _changed(performance, "leader", **late))
    on_time = report.dancers[0].step_error_mean_ms
    assert on_time is not None and on_time < 10.0
    assert bad.dancers[0].step_error_mean_ms == pytest.approx(50.0, abs=10.0)


def _replaced_figure(routine: Routine, index: int, **fields: object) -> Routine:
    figures = list(routine.figures)
    figures[index] = dataclasses.replace(figures[index], **fields)  # type: ignore[arg-type]
    return dataclasses.replace(routine, figures=tuple(figures))


def test_a_turn_the_plan_makes_between_figures_is_not_the_figures() -> None:
    """A plan that places the couple afresh, a quarter turn round, where a figure begins
    (as at the start of a stretch of the song): the motion turns the couple into it over
    the figure's first step, and the check counts that turn to the plan, not the figure,
    which still turns as declared; measured against a plan without the quarter turn, the
    same motion is a figure 90 degrees off."""
    plain = routine_of("Rumba", ("closed_basic", "closed_basic"))
    second = plain.figures[1]
    turned_pose = CouplePose.standing(
        second.start_pose.centre_xy_m,
        second.start_pose.leader.facing_rad + math.pi / 2,
        second.figure.start_position,
    )
    routine = _replaced_figure(plain, 1, start_pose=turned_pose)
    performance = perform(routine)
    turns = check_performance(routine, performance).turns
    assert max(t.error_deg for t in turns) < 10.0
    blind = check_performance(plain, performance).turns
    assert [round(t.error_deg) for t in blind if t.index == 1] == [90, 90]


@pytest.mark.parametrize("half_turn", [math.pi, -math.pi])
def test_a_couple_placed_half_a_turn_round_turns_one_way_the_check_agrees(
    half_turn: float,
) -> None:
    """A plan that places the couple afresh exactly half a turn round (either sign, as
    rounding leaves it): both partners turn into it the same way, and the check measures
    each figure's turn as declared (it once took the half turn one way while the motion
    took it the other: a figure 360 degrees off)."""
    plain = routine_of("Rumba", ("closed_basic", "closed_basic"))
    second = plain.figures[1]
    turned_pose = CouplePose.standing(
        second.start_pose.centre_xy_m,
        second.start_pose.leader.facing_rad + half_turn,
        second.figure.start_position,
    )
    routine = _replaced_figure(plain, 1, start_pose=turned_pose)
    performance = perform(routine)
    turns = check_performance(routine, performance).turns
    assert len(turns) == 4 and max(t.error_deg for t in turns) < 10.0
    frames = [round(f.start_s * performance.fps) for f in routine.figures]
    turned = {
        d.role: float(np.diff(facing_rad(d)[[frames[1], frames[1] + 30]])[0])
        for d in performance.dancers
    }
    assert math.copysign(1.0, turned["leader"]) == math.copysign(1.0, turned["follower"])


def test_the_first_figure_turns_from_where_the_routine_starts() -> None:
    """A routine whose first step lands on the first frame (the foot and the turn set off
    before the recording starts): the first figure's turn is measured from the facing the
    routine starts in, not from the first frame's, part way into the step's turn."""
    plain = routine_of("Jive", ("fallaway_rock", "fallaway_rock"), bpm=176.0)
    beat_s = 60.0 / 176.0
    figures = tuple(
        dataclasses.replace(f, start_beat=f.start_beat - 2.0, start_s=f.start_s - 2 * beat_s)
        for f in plain.figures
    )
    routine = dataclasses.replace(plain, figures=figures)
    performance = perform(routine)
    first = [t for t in check_performance(routine, performance).turns if t.index == 0]
    assert first and max(t.error_deg for t in first) < 10.0
    leader = _dancer(performance, "leader")
    from_frame0 = check_performance(
        _replaced_figure(
            routine,
            0,
            start_pose=dataclasses.replace(
                routine.figures[0].start_pose,
                leader=dataclasses.replace(
                    routine.figures[0].start_pose.leader,
                    facing_rad=float(facing_rad(leader)[0]),
                ),
            ),
        ),
        performance,
    )
    assert max(t.error_deg for t in from_frame0.turns if t.role == "leader" and t.index == 0) > 20
