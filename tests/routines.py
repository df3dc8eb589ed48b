"""Routines for the motion tests: named figures danced in a row, and a short routine per dance."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.transform import Rotation

from pasdeux.choreo import PlacedFigure, Routine, choreograph
from pasdeux.dances import DanceStyle, find_style
from pasdeux.dances.geometry import CouplePose, replay_figure
from pasdeux.motion import DancerMotion
from test_plan import music_for

DIP_ACTIONS = ("dip", "lunge")


def routine_of(dance: str, figure_ids: Sequence[str], *, bpm: float = 100.0) -> Routine:
    """The figures ``figure_ids`` of ``dance`` danced one after the other on a steady beat,
    from a couple standing in the first figure's start position, after two beats of rest."""
    style = find_style(dance)
    figures = {f.id: f for f in style.figures}
    pose = CouplePose.standing((0.0, 0.0), math.pi / 2, figures[figure_ids[0]].start_position)
    beat_s = 60.0 / bpm
    placed = []
    beat = 2.0
    for bar, figure_id in enumerate(figure_ids, start=1):
        figure = figures[figure_id]
        placed.append(
            PlacedFigure(
                style.name, figure, beat, beat * beat_s, (beat + figure.length_beats) * beat_s,
                bar, pose.centre_xy_m, pose.leader.facing_rad, "test", pose,
            )
        )  # fmt: skip
        leader, follower = pose.dancers()
        replay_figure(figure, leader, follower)
        pose = CouplePose.from_dancers(leader, follower)
        beat += figure.length_beats
    beats = tuple(k * beat_s for k in range(math.ceil(beat) + 4))
    return Routine("test.wav", "gold", 0, (10.0, 8.0), beats, 0, tuple(placed))


def dance_routine(style: DanceStyle, seconds: float = 30.0, seed: int = 2) -> Routine:
    """A gold-level routine of ``style`` on ``seconds`` of a steady song at its tempo."""
    return choreograph(music_for(style, seconds), style=style, level="gold", seed=seed)


def facing_rad(dancer: DancerMotion) -> NDArray[np.float64]:
    """The dancer's facing per frame (CCW from +x), from the root rotation, unwrapped."""
    forward = Rotation.from_quat(dancer.rotations[:, 0].astype(float)).apply([0.0, 1.0, 0.0])
    return np.unwrap(np.arctan2(forward[:, 1], forward[:, 0]))


def dip_windows(routine: Routine) -> Iterator[tuple[float, float]]:
    """(start, end) seconds of every step declared a dip or lunge (either role)."""
    tempo = routine.tempo_map
    for placed in routine.figures:
        for step in (*placed.figure.leader, *placed.figure.follower):
            if step.action in DIP_ACTIONS or step.position == "dip":
                beat = placed.start_beat + step.beat
                yield (
                    tempo.second_from_beat(beat - 1.0),
                    tempo.second_from_beat(beat + step.duration_beats),
                )
