"""The library benchmark's checks and table, on known answers."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmods import load_bench
from pasdeux.library import Library

bench = load_bench("library")


def _result(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "n": 300,
        "shared": 8,
        "files": 308,
        "load_average": 2.0,
        "date": "2026-12-02 21:00 UTC",
        "modes": [
            {
                "mode": "--jobs 1",
                "analysed": 308,
                "errors": 0,
                "wall_s": 600.0,
                "songs_per_min": 30.8,
                "workers": 1,
                "peak_worker_mb": 420.0,
            },
            {
                "mode": "--jobs 2",
                "analysed": 308,
                "errors": 0,
                "wall_s": 330.0,
                "songs_per_min": 56.0,
                "workers": 2,
                "peak_worker_mb": 410.0,
            },
            {
                "mode": "Ray local, 2 workers",
                "analysed": 308,
                "errors": 0,
                "wall_s": 360.0,
                "songs_per_min": 51.3,
                "workers": 2,
                "peak_worker_mb": 440.0,
            },
        ],
        "differing": {"--jobs 2": 0, "Ray local, 2 workers": 0},
        "rescan": {"wall_s": 0.5, "analysed": 0, "files": 308},
        "labels": {"same": 12, "sampled": 12, "differ": []},
        "kills": {
            "stored_at_kills": [20, 61, 90],
            "analyses_lost": 0,
            "files_without_analysis": 0,
            "duplicates": 0,
            "integrity": ["ok"] * 3,
            "orphan_workers": 0,
            "resumed_analysed": 218,
            "analysed_again": 0,
            "resume_s": 240.0,
        },
    }
    result.update(changes)
    return result


def test_table_marks_each_target() -> None:
    text = bench.table(_result())
    assert text.startswith(bench.MARK_START) and text.rstrip().endswith(bench.MARK_END)
    assert "| --jobs 2 | 308 | 0 | 330 | 56.0 | 1.82 | 2 | 410 | - |" in text
    assert "| 0.91 | PASS |" in text  # efficiency: 56.0 / 30.8 / 2
    assert "0.92 of its rate | PASS |" in text  # Ray against --jobs 2
    assert "FAIL" not in text
    slow = _result(rescan={"wall_s": 2.5, "analysed": 0, "files": 308})
    assert "0 analysed | FAIL |" in bench.table(slow)
    lost = _result(kills={**_result()["kills"], "analyses_lost": 1})
    assert "workers left running 0 | FAIL |" in bench.table(lost)


def test_doc_section_replaced_in_place(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        "# Benchmarks\n\nbefore\n\n<!-- library:start -->\nold\n<!-- library:end -->\nafter\n"
    )
    bench.choreo.write_doc(bench.table(_result()), doc, (bench.MARK_START, bench.MARK_END))
    text = doc.read_text()
    assert "old" not in text and "before" in text and text.endswith("after\n")
    assert text.count(bench.MARK_START) == 1


def test_children_and_liveness_of_processes() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(0.2)
        assert child.pid in bench._children(os.getpid())
        assert bench._alive(child.pid)
    finally:
        child.kill()
        child.wait()
    assert not bench._alive(child.pid)


def test_counts_read_an_empty_or_missing_library_as_zero(tmp_path: Path) -> None:
    db = tmp_path / "lib.sqlite"
    assert bench._count(db, "SELECT COUNT(*) FROM analyses") == 0
    Library(db, create=True).close()
    assert bench._count(db, "SELECT COUNT(*) FROM analyses") == 0
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
