"""The motion stage: steps land on their beats, bodies stay whole, the couple stays together."""

from __future__ import annotations

import numpy as np
import pytest

from pasdeux.choreo import Routine, choreograph
from pasdeux.motion import Performance, perform
from pasdeux.music import MusicMap


@pytest.fixture(scope="module")
def routine(truth_music: MusicMap) -> Routine:
    return choreograph(truth_music, seed=4)


@pytest.fixture(scope="module")
def performance(routine: Routine, truth_music: MusicMap) -> Performance:
    return perform(routine, duration_s=truth_music.duration_s)


def test_every_step_lands_on_its_beat(routine: Routine, performance: Performance) -> None:
    tempo = routine.tempo_map
    n_steps = sum(len(p.figure.leader) + len(p.figure.follower) for p in routine.figures)
    assert len(performance.events) == n_steps
    beat_times = np.asarray(routine.beats)
    for event in performance.events:
        assert event.time_s == pytest.approx(tempo.second_from_beat(event.beat), abs=1e-3)
        if float(event.beat).is_integer() and event.time_s <= beat_times[-1]:
            # Whole-beat steps land on a detected beat of the song (after the last beat,
            # on the final chord, the tempo map extends the last beat interval).
            assert np.min(np.abs(beat_times - event.time_s)) < 1e-3


def test_the_stepping_foot_is_planted_where_and_when_the_step_lands(
    performance: Performance,
) -> None:
    for dancer in performance.dancers:
        positions = dancer.joint_positions()
        ankle = {f: dancer.skeleton.index(f"{f.lower()}_ankle") for f in "LR"}
        rest_ankle_z = positions[0, ankle["L"], 2]
        for event in performance.events:
            if event.role != dancer.role:
                continue
            frame = min(round(event.time_s * performance.fps), performance.n_frames - 1)
            xyz = positions[frame, ankle[event.foot]]
            assert xyz[:2] == pytest.approx([event.x_m, event.y_m], abs=0.02)
            assert xyz[2] == pytest.approx(rest_ankle_z, abs=0.01)


def test_bones_keep_their_lengths_and_feet_stay_above_the_floor(
    performance: Performance,
) -> None:
    for dancer in performance.dancers:
        positions = dancer.joint_positions()
        offsets = np.asarray(dancer.skeleton.offsets_m)
        for j, parent in enumerate(dancer.skeleton.parents):
            if parent < 0:
                continue
            lengths = np.linalg.norm(positions[:, j] - positions[:, parent], axis=1)
            assert lengths == pytest.approx(np.linalg.norm(offsets[j]), abs=1e-3)
        assert positions[..., 2].min() > -0.01


def test_partners_stay_in_hold(performance: Performance) -> None:
    leader = performance.dancer("leader").joint_positions()[:, 0, :2]
    follower = performance.dancer("follower").joint_positions()[:, 0, :2]
    distance = np.linalg.norm(leader - follower, axis=1)
    # Closed and embrace holds keep 0.2-0.6 m between pelvises; turns under the arm open
    # the couple up to about arm's length, never more.
    assert distance.max() < 1.3
    assert np.median(distance) == pytest.approx(0.36, abs=0.15)
    assert distance.min() > 0.15


def test_the_dancers_move(performance: Performance) -> None:
    for dancer in performance.dancers:
        feet = dancer.joint_positions()[:, dancer.skeleton.index("l_ankle"), :2]
        travelled = np.sum(np.linalg.norm(np.diff(feet, axis=0), axis=1))
        assert travelled > 5.0


def test_performance_json_round_trip(performance: Performance) -> None:
    again = Performance.from_dict(performance.to_dict())
    assert again.to_dict() == performance.to_dict()
    for a, b in zip(again.dancers, performance.dancers):
        np.testing.assert_array_equal(a.rotations, b.rotations)
