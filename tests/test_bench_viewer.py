"""The viewer benchmark's page parts, summary and table, on a written synthetic page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmods import load_bench
from pasdeux.render import write_viewer
from test_viewer_learn import _learn_payload

bv: Any = load_bench("viewer")


def test_page_parts_add_up(tmp_path: Path) -> None:
    """The page's parts (script, positions, charts, the rest) add up to its size."""
    index = tmp_path / "index.html"
    write_viewer(index, _learn_payload())
    parts = bv.page_parts(index)
    assert parts["page"] == index.stat().st_size
    assert parts["script"] + parts["positions"] + parts["charts"] + parts["rest"] == parts["page"]
    assert parts["positions"] > 0 and parts["charts"] > 0 and parts["rest"] > 0
    assert (parts["frames"], parts["fps"], parts["joints"]) == (360, 60, 19)


def test_summary_and_table_judge_the_targets() -> None:
    """Sizes in MB, ready in s (median), frames in ms; a value over its target fails."""
    parts = {"page": 3_000_000, "script": 600_000, "positions": 2_000_000, "charts": 100_000}
    parts |= {"rest": 300_000, "frames": 14_400, "fps": 60, "joints": 29}
    run = {"ready_ms": [500.0, 700.0, 2500.0], "frame_ms": [2.0] * 95 + [20.0] * 5}
    numbers = bv.summarise(parts, run)
    assert numbers["page_mb"] == 3.0 and numbers["ready_s"] == 0.7
    assert numbers["ready_max_s"] == 2.5 and numbers["frame_ms"] == 2.9
    assert numbers["frame_p95_ms"] == 20.0 and numbers["frames"] == 100
    summary = {
        "date": "2026-12-02", "commit": "abc", "machine": "m", "chromium": "1", "renderer": "r",
        "song": "s.wav", "dance_s": 10.0, "page": parts, "numbers": numbers,
    }  # fmt: skip
    table = bv.markdown(summary)
    assert table.startswith(bv.MARK_START) and table.rstrip().endswith(bv.MARK_END)
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if "|" in line}
    assert rows["page size"].rstrip(" |").endswith("✅")
    assert rows["ready"].rstrip(" |").endswith("❌")  # the slowest load took 2.5 s
    assert rows["frame update, mean"].rstrip(" |").endswith("✅")
    assert rows["frame update, 95th percentile (max)"].rstrip(" |").endswith("❌")
    assert not any("as before" in row for row in rows)
    before = bv.summarise(parts | {"positions_before": 4_000_000}, run)
    assert before["before_mb"] == 5.0
    table = bv.markdown(summary | {"numbers": before})
    assert "not a target: the page with the positions packed as before" in table
    assert "| 5.00 MB | – | |" in table
