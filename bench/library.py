"""Benchmark `pasdeux library scan`: speed with --jobs 1, 2 and Ray, memory, rescans, kills.

The collection: ``--n`` (300) short songs cut from the bench corpus's plain pieces (20 to
28 s each, at seeded offsets and gains, so that every file's content differs; written as
22.05 kHz 16-bit WAV under ``bench/.library/``), plus the shared recordings
(``../shared/music``, skipped when absent). Each mode scans the whole collection into a
fresh database, as a separate ``pasdeux library scan --json`` process:

* songs per minute (over the scan's whole wall time) with ``--jobs 1``, ``--jobs 2`` and
  ``--ray local --jobs 2`` (a local Ray cluster with two workers, its start included), as
  ratios to ``--jobs 1`` in the same run; the parallel efficiency per core (``--jobs 2``
  against ``--jobs 1``, halved); each worker's peak memory (its ``ru_maxrss``);
* the same results in every mode, file for file (the stored analyses compared);
* the labels identical to ``pasdeux analyze --json`` on a seeded sample of the files;
* an incremental rescan with nothing changed (the whole command's wall time);
* a ``--jobs 2`` scan killed with SIGKILL three times at random moments (seeded) and
  resumed: analyses lost across the kills, files left without an analysis, duplicate rows,
  integrity checks, and worker processes left behind by the killed scans.

Nothing is tuned here, so there are no halves to hold out. The machine's 2 cores are
shared with other work; the load average at the start is printed with the table.

Usage::

    .venv/bin/python bench/library.py [--n 300] [--quick] [--no-write] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

import choreo
import corpus

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "benchmarks.md"
MARK_START, MARK_END = "<!-- library:start -->", "<!-- library:end -->"
WORK = Path(__file__).resolve().parent / ".library"
SHARED = REPO.parent / "shared" / "music"
SEED = 14
SONG_S = (20.0, 28.0)
RATE = 22050
KILLS = 3
LABEL_SAMPLE = 12


def _say(line: str) -> None:
    print(f"[library] {line}", file=sys.stderr, flush=True)


def make_collection(n: int, out: Path) -> list[Path]:
    """``n`` distinct short songs cut from the corpus's plain pieces (rendered if missing)."""
    pieces = corpus.plain_pieces()
    corpus.DEFAULT_OUT.mkdir(parents=True, exist_ok=True)
    sources = []
    for piece in pieces:
        path = corpus.DEFAULT_OUT / f"{piece.name}.wav"
        if not corpus.is_current(path):
            _say(f"corpus: rendering {piece.name}")
            corpus.make_piece(piece, corpus.DEFAULT_OUT)
        sources.append(path)
    out.mkdir(parents=True, exist_ok=True)
    songs = []
    audio: dict[Path, tuple[Any, int]] = {}
    for i in range(n):
        source = sources[i % len(sources)]
        path = out / f"{i:04d}_{source.stem}.wav"
        songs.append(path)
        if path.exists():
            continue
        if source not in audio:
            data, sr = sf.read(source, dtype="float64", always_2d=True)
            audio[source] = (resample_poly(data.mean(axis=1), RATE, sr), RATE)
        mono, sr = audio[source]
        rng = np.random.default_rng(SEED * 100_003 + i)
        length = int(rng.uniform(*SONG_S) * sr)
        start = int(rng.uniform(0, max(0, mono.size - length)))
        clip = mono[start : start + length] * rng.uniform(0.5, 0.95) / max(np.abs(mono).max(), 1e-9)
        sf.write(path, clip.astype(np.float32), sr, subtype="PCM_16")
    return songs


def scan(folders: list[Path], db: Path, *extra: str) -> tuple[dict[str, Any], float]:
    """Run ``pasdeux library scan`` to the end; its JSON report and wall time (s)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pasdeux", "library", "scan", *map(str, folders), "--db", str(db),
         "--json", "-q", *extra],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"scan failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout), wall


def stored_rows(db: Path) -> dict[str, tuple[Any, ...]]:
    """The stored analyses by content hash (what must be the same in every mode)."""
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT hash, duration_s, meter, bpm, mpm, dance, sections, dances, error FROM analyses"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db, timeout=60) as con:
        try:
            return int(con.execute(sql).fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def kill_and_resume(folders: list[Path], db: Path, full_s: float) -> dict[str, Any]:
    """Kill a ``--jobs 2`` scan with SIGKILL ``KILLS`` times at random moments, resume."""
    rng = random.Random(SEED)
    lost = orphans = 0
    integrity = []
    stored_at_kill = []
    for _ in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "pasdeux", "library", "scan", *map(str, folders), "--db",
             str(db), "--jobs", "2", "-q"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        start = _count(db, "SELECT COUNT(*) FROM analyses")
        while _count(db, "SELECT COUNT(*) FROM analyses") <= start and proc.poll() is None:
            time.sleep(0.2)  # a kill while analyses are being stored
        time.sleep(rng.uniform(0.0, 0.25) * full_s)
        workers = _children(proc.pid)
        before = _count(db, "SELECT COUNT(*) FROM analyses")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = _count(db, "SELECT COUNT(*) FROM analyses")
        lost += max(0, before - after)
        stored_at_kill.append(after)
        with sqlite3.connect(db) as con:
            integrity.append(con.execute("PRAGMA integrity_check").fetchone()[0])
        time.sleep(3.0)  # workers poll for their scan every second
        orphans += sum(_alive(w) for w in workers)
        _say(f"killed at {after} analyses stored ({len(workers)} children)")
    report, wall = scan(folders, db, "--jobs", "2")
    missing = _count(
        db,
        "SELECT COUNT(*) FROM files f LEFT JOIN analyses a ON a.hash = f.hash WHERE a.hash IS NULL",
    )
    duplicates = _count(db, "SELECT COUNT(*) - COUNT(DISTINCT hash) FROM analyses") + _count(
        db, "SELECT COUNT(*) - COUNT(DISTINCT path) FROM files"
    )
    contents = _count(db, "SELECT COUNT(DISTINCT hash) FROM files")
    return {
        "stored_at_kills": stored_at_kill,
        "analyses_lost": lost,
        "files_without_analysis": missing,
        "duplicates": duplicates,
        "integrity": integrity,
        "orphan_workers": orphans,
        "resumed_analysed": report["analysed"],
        "analysed_again": report["analysed"] - (contents - stored_at_kill[-1]),
        "resume_s": wall,
    }


def labels_match(db: Path, songs: list[Path]) -> tuple[int, int, list[str]]:
    """How many of a seeded sample of ``songs`` have the library's labels identical to
    ``pasdeux analyze --json``'s (best dance, ranked dances, each section's dance)."""
    sample = random.Random(SEED).sample(songs, min(LABEL_SAMPLE, len(songs)))
    same = 0
    differ = []
    for song in sample:
        shown = subprocess.run(
            [sys.executable, "-m", "pasdeux", "library", "show", str(song), "--db", str(db),
             "--json"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        analyzed = subprocess.run(
            [sys.executable, "-m", "pasdeux", "analyze", str(song), "--json", "-q"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        stored = json.loads(shown)
        if analyzed.returncode != 0:
            ok = stored.get("error") is not None
        else:
            truth = json.loads(analyzed.stdout)
            ok = (
                stored["dance"] == truth["dances"][0]["name"]
                and [d["name"] for d in stored["dances"]] == [d["name"] for d in truth["dances"]]
                and [s["dance"] for s in stored["sections"]]
                == [s["dance"] for s in truth["sections"]]
            )
        same += ok
        if not ok:
            differ.append(song.name)
    return same, len(sample), differ


def _mode(name: str, report: dict[str, Any], wall: float) -> dict[str, Any]:
    peaks = list(report["peak_rss_mb"].values())
    return {
        "mode": name,
        "analysed": report["analysed"],
        "errors": report["failed"],
        "wall_s": wall,
        "songs_per_min": 60.0 * report["analysed"] / wall,
        "workers": len(peaks),
        "peak_worker_mb": max(peaks) if peaks else 0.0,
        "cpu_s_per_song": report.get("cpu_s", 0.0) / max(report["analysed"], 1),
    }


def run(n: int, ray: bool) -> dict[str, Any]:
    """The whole benchmark; its results as plain values."""
    load = os.getloadavg()[0]
    songs = make_collection(n, WORK / "songs")
    folders = [WORK / "songs"]
    shared = sorted(SHARED.glob("*.ogg")) if SHARED.is_dir() else []
    if shared:
        folders.append(SHARED)
    else:
        _say(f"{SHARED} not found: the shared recordings are left out")
    dbs = WORK / "dbs"
    dbs.mkdir(parents=True, exist_ok=True)
    for old in dbs.iterdir():
        old.unlink()
    modes = []
    plan = [("--jobs 1", ["--jobs", "1"]), ("--jobs 2", ["--jobs", "2"])]
    if ray:
        plan.append(("Ray local, 2 workers", ["--ray", "local", "--jobs", "2"]))
    for i, (name, extra) in enumerate(plan):
        _say(f"scanning with {name}")
        report, wall = scan(folders, dbs / f"mode{i}.sqlite", *extra)
        modes.append(_mode(name, report, wall))
        _say(f"{name}: {modes[-1]['songs_per_min']:.1f} songs/min")
    reference = stored_rows(dbs / "mode0.sqlite")
    differing = {}
    for i in range(1, len(plan)):
        rows = stored_rows(dbs / f"mode{i}.sqlite")
        differing[plan[i][0]] = sum(rows.get(h) != row for h, row in reference.items())
    _say("rescanning with nothing changed")
    rescan, rescan_s = scan(folders, dbs / "mode1.sqlite", "--jobs", "2")
    _say("comparing labels with pasdeux analyze")
    same, sampled, label_diffs = labels_match(dbs / "mode0.sqlite", songs + shared)
    _say("killing a scan three times")
    kills = kill_and_resume(folders, dbs / "killed.sqlite", modes[1]["wall_s"])
    return {
        "n": n,
        "shared": len(shared),
        "files": len(songs) + len(shared),
        "load_average": load,
        "modes": modes,
        "differing": differing,
        "rescan": {"wall_s": rescan_s, "analysed": rescan["analysed"], "files": rescan["found"]},
        "labels": {"same": same, "sampled": sampled, "differ": label_diffs},
        "kills": kills,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def _pass(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _nothing_lost(k: dict[str, Any]) -> bool:
    counts = ("analyses_lost", "files_without_analysis", "duplicates", "orphan_workers")
    return all(k[c] == 0 for c in counts) and all(i == "ok" for i in k["integrity"])


def table(r: dict[str, Any]) -> str:
    """The Markdown section for docs/benchmarks.md."""
    base = r["modes"][0]["songs_per_min"]
    lines = [
        MARK_START,
        "## Library (bench/library.py)",
        "",
        f"`pasdeux library scan` on {r['files']} files: {r['n']} songs of 20-28 s cut from the "
        f"bench corpus's plain pieces and {r['shared']} shared recordings; {r['date']}, on "
        f"this machine's 2 cores shared with other work (load average {r['load_average']:.1f} "
        "at the start). Each mode scans into a fresh database in a process of its own; the "
        "rates are over the scan's whole wall time (Ray's start included).",
        "",
        "| mode | analysed | failed | wall (s) | songs/min | ratio to --jobs 1 | workers | "
        "peak memory per worker (MB) | CPU s per song |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in r["modes"]:
        cpu = m.get("cpu_s_per_song") or 0.0
        lines.append(
            f"| {m['mode']} | {m['analysed']} | {m['errors']} | {m['wall_s']:.0f} | "
            f"{m['songs_per_min']:.1f} | {m['songs_per_min'] / base:.2f} | {m['workers']} | "
            f"{m['peak_worker_mb']:.0f} | {f'{cpu:.2f}' if cpu else '-'} |"
        )
    modes = {m["mode"]: m for m in r["modes"]}
    eff = modes["--jobs 2"]["songs_per_min"] / base / 2
    k = r["kills"]
    rescan_limit_s = 2.0 * max(1.0, r["rescan"]["files"] / 300)
    lines += [
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| parallel efficiency per core >= 0.85 (--jobs 2 against --jobs 1) | {eff:.2f} | "
        f"{_pass(eff >= 0.85)} |",
    ]
    ray = modes.get("Ray local, 2 workers")
    if ray is not None:
        ratio = ray["songs_per_min"] / modes["--jobs 2"]["songs_per_min"]
        lines.append(
            f"| Ray local within 15% of --jobs 2 | {ratio:.2f} of its rate | "
            f"{_pass(ratio >= 0.85)} |"
        )
    same_all = all(v == 0 for v in r["differing"].values())
    lines += [
        f"| the same results in every mode, file for file | "
        f"{', '.join(f'{m}: {d} differ' for m, d in r['differing'].items())} | {_pass(same_all)} |",
        f"| rescan with nothing changed < 2 s per 300 songs (the whole command) | "
        f"{r['rescan']['wall_s']:.2f} s for {r['rescan']['files']} files, "
        f"{r['rescan']['analysed']} analysed | "
        f"{_pass(r['rescan']['wall_s'] < rescan_limit_s and r['rescan']['analysed'] == 0)} |",
        f"| {KILLS} SIGKILLs at random moments, resumed: nothing lost | analyses lost "
        f"{k['analyses_lost']}, files without analysis {k['files_without_analysis']}, "
        f"duplicates {k['duplicates']}, integrity {'/'.join(k['integrity'])}, stored at the "
        f"kills {k['stored_at_kills']}, analysed again after the resume {k['analysed_again']}, "
        f"workers left running {k['orphan_workers']} | "
        f"{_pass(_nothing_lost(k))} |",
        f"| dance labels identical to `pasdeux analyze` | {r['labels']['same']} of "
        f"{r['labels']['sampled']} sampled files | "
        f"{_pass(r['labels']['same'] == r['labels']['sampled'])} |",
        MARK_END,
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (see the module's description)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--n", type=int, default=300, help="generated songs (300)")
    parser.add_argument("--quick", action="store_true", help="30 songs")
    parser.add_argument("--no-ray", action="store_true", help="leave the Ray mode out")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument(
        "--table-from", type=Path, default=None, help="only write the table of a --json output"
    )
    args = parser.parse_args(argv)
    if args.table_from is not None:
        result = json.loads(args.table_from.read_text())
    else:
        result = run(30 if args.quick else args.n, ray=not args.no_ray)
    block = table(result)
    _say("\n" + block)
    if not args.no_write:
        choreo.write_doc(block, DOC, (MARK_START, MARK_END))
    if args.json:
        print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
