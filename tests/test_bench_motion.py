"""The motion benchmark's totals and verdicts per dance, on hand-made run records."""

from __future__ import annotations

from typing import Any

import pytest

from benchmods import load_bench

bm: Any = load_bench("motion")


def _dancer(role: str, **over: Any) -> dict[str, Any]:
    d = {
        "role": role, "supports": 50, "supports_sliding": 0, "support_slide_max_m": 0.004,
        "skating_ratio": 0.1, "lodge_skating_ratio": 0.05, "edge_pfc": 0.01,
        "contact_share": 0.9, "steps_timed": 40, "step_error_mean_ms": 4.0,
        "beat_align_score": 0.2, "bone_drift_max_m": 1e-6, "joint_speed_max_m_s": 5.0,
        "euler_flip_frames": 0, "pelvis_min_share": 0.8,
    }  # fmt: skip
    return d | over


def _run(half: str, realtime: float, **leader: Any) -> dict[str, Any]:
    report = {
        "dancers": [_dancer("leader", **leader), _dancer("follower")],
        "joined_within_share": 1.0, "joined_frames": 100, "joined_hand_p99_m": 0.001,
        "interpenetration_frames": 0, "turns": [{"error_deg": 3.0}],
        "interpenetration_pairs": [],
    }  # fmt: skip
    return {
        "song": "s", "half": half, "seed": 0, "dance": "Waltz", "danced": True,
        "frames": 1000, "realtime": realtime, "report": report,
    }  # fmt: skip


def test_every_target_passes_on_a_clean_run_and_fails_where_it_is_missed() -> None:
    clean = bm.aggregate([_run(bm.HELD_OUT, 80.0)])
    assert all(clean["pass"].values()), clean["pass"]
    runs = [
        _run(bm.HELD_OUT, 80.0),
        _run(bm.HELD_OUT, 40.0, euler_flip_frames=3, supports_sliding=1, step_error_mean_ms=30.0),
        {"song": "t", "half": bm.HELD_OUT, "seed": 0, "dance": "Waltz", "why": "not danced: x"},
    ]
    agg = bm.aggregate(runs)
    assert (agg["runs"], agg["danced"], agg["flips"]) == (3, 2, 3)
    assert agg["sliding"] == pytest.approx(1 / 200)
    assert agg["step_mean_ms"] == pytest.approx((30 * 40 + 4 * 40 * 3) / 160)
    assert agg["realtime_min"] == 40.0
    failed = {k for k, ok in agg["pass"].items() if ok is False}
    assert failed == {"sliding", "step", "flips", "realtime"}


def test_the_doc_section_has_its_markers_and_both_halves() -> None:
    records = [_run(bm.HELD_OUT, 80.0), _run(bm.TUNING, 30.0)]
    summary = {
        "date": "2026-01-01", "commit": "abc", "quick": True, "elapsed_s": 60.0,
        "level": "newcomer", "songs": [{"name": "s", "half": bm.HELD_OUT}], "rows": ["Waltz"],
        "seeds": [0], "runs": 2, "table": bm.summarise(records),
    }  # fmt: skip
    text = bm.markdown(summary)
    assert text.startswith(bm.MARK_START) and text.rstrip().endswith(bm.MARK_END)
    assert "held out (reported)" in text and "tuning half" in text
    assert "80x PASS" in text and "30x **FAIL**" in text
