"""The live benchmark's measures, on known answers."""

from __future__ import annotations

import math

from benchmods import load_bench
from test_plan import steady_music

bench = load_bench("live")


def test_beat_period_and_browser_rows_of_a_known_run() -> None:
    music = steady_music("Waltz", 3, 90.0, 30.0)
    assert math.isclose(bench.beat_s(music, 5.0), 60.0 / 90.0, rel_tol=1e-4)
    run = {
        "presses": 4,
        "replaced": 1,
        "errors": [],
        "figures": [{"index": i, "start_s": 2.0 * i} for i in range(4)],
        "responses": [
            # at 90 BPM a beat is 667 ms: one within it, one not, one that waited
            {"index": 1, "ms": 300.0, "shownMs": 0.1, "beforeStart": True,
             "waitedForBoundary": False, "slot": 1},
            {"index": 2, "ms": 1000.0, "shownMs": 0.2, "beforeStart": True,
             "waitedForBoundary": False, "slot": 1},
            {"index": 3, "ms": 4000.0, "shownMs": 0.1, "beforeStart": True,
             "waitedForBoundary": True, "slot": 2},
        ],
    }  # fmt: skip
    rows = bench.browser_rows(music, run)
    assert rows["next"] == 2 and rows["waited"] == 1 and rows["responses"] == 3
    assert rows["within_beat"] == 0.5 and rows["before_start"] == 1.0
    assert rows["direct_ms"] == [300.0, 1000.0]
    server = [
        {"song": "s.ogg", "dance": "Waltz", "figures": 2, "ms": [100.0, 200.0],
         "beats": [0.15, 0.3], "peer_ms": [(0.25, 50.0), (0.5, 90.0), (1.0, 200.0)],
         "beat_ms_median": 667.0},
    ]  # fmt: skip
    block = bench.table(server, [{**rows, "song": "s.ogg"}], quick=True)
    assert block.startswith(bench.MARK_START) and block.rstrip().endswith(bench.MARK_END)
    assert "| s.ogg | 4 | 1 | 2 | 1 |" in block and "| 50% | 100% |" in block
