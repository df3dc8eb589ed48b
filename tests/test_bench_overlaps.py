"""The overlaps diagnostic's runs of frames and step phases, with known answers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from benchmods import load_bench

bo: Any = load_bench("overlaps")


def test_episodes_are_the_runs_of_each_pair_in_the_order_they_start() -> None:
    hits = np.zeros((10, 2, 2), dtype=bool)
    depth = np.zeros((10, 2, 2))
    hits[2:5, 0, 1] = True  # his a / her b: frames 2-4
    depth[2:5, 0, 1] = [0.01, 0.03, 0.02]
    hits[7:10, 0, 1] = True  # again, to the last frame
    hits[1:3, 1, 0] = True  # his b / her a: frames 1-2
    depth[1:3, 1, 0] = 0.005
    eps = bo.episodes(hits, depth, ["a", "b"])
    assert [(e.pair, e.start, e.stop) for e in eps] == [
        ("b/a", 1, 3),
        ("a/b", 2, 5),
        ("a/b", 7, 10),
    ]
    assert eps[1].depth_m == pytest.approx(0.03)
    assert eps[0].depth_m == pytest.approx(0.005)


def test_a_step_phase_runs_from_the_previous_landing_to_the_next() -> None:
    lands = np.array([1.0, 2.0, 4.0])
    assert bo.step_phase(lands, 0.5) == (0, pytest.approx(0.5))  # the first from 0 s
    assert bo.step_phase(lands, 3.0) == (2, pytest.approx(0.5))
    assert bo.step_phase(lands, 2.0) == (1, pytest.approx(1.0))  # landing: that step, 1
    assert bo.step_phase(lands, 5.0) == (-1, 1.0)  # after the last landing
