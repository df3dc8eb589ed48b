"""Benchmark the motion: every dance of the library on the corpus songs, measured by
``pasdeux check``.

The songs, their tuning and held-out halves and their rendering are ``bench/choreo.py``'s
(:func:`choreo.pick_songs`: ``--quick`` takes its four quick corpus songs and the two
shortest shared recordings). Every song is analysed once (:func:`pasdeux.music.listen`);
then for every dance and seed the public pipeline runs on the cached ``MusicMap``:
:func:`pasdeux.choreo.choreograph`, :func:`pasdeux.motion.perform` (timed: the synthesis
of both dancers, as a ratio to real time, frames / fps / seconds taken) and
:func:`pasdeux.export.write_outputs` into a scratch folder, which
:func:`pasdeux.check.check_output` then measures as ``pasdeux check`` does.

Per dance the table gives the issue's targets (``pasdeux.check.CheckTargets``) over every
run of that dance: supports drifting more than 1 cm (share of all supports of both
dancers), step-on-beat error (mean over every timed step; worst run's mean), frames where
the bodies interpenetrate, joined hands within 3 cm (share of joined hand-frames), the
worst figure turn error, the lowest pelvis outside a dip (share of standing height), the
largest joint speed, Euler flip frames, bone-length drift and the slowest synthesis.
Tables go into ``docs/benchmarks.md`` between ``<!-- motion:start -->`` and
``<!-- motion:end -->``.

Usage::

    .venv/bin/python bench/motion.py [--quick] [--dances A,B] [--seeds 0,1] [--json]
                                     [--no-write] [--level L]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import choreo
import corpus

REPO = choreo.REPO
DOC = choreo.DOC
MARK_START = "<!-- motion:start -->"
MARK_END = "<!-- motion:end -->"
HELD_OUT, TUNING = choreo.HELD_OUT, choreo.TUNING


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_one(song: Any, style: Any, seed: int, level: str, tmp: Path) -> dict[str, Any]:
    """Choreograph, perform (timed), write and check one song x dance x seed."""
    from pasdeux.check import check_output, verdicts
    from pasdeux.choreo import choreograph, count_music
    from pasdeux.errors import InputError
    from pasdeux.export import write_outputs
    from pasdeux.motion import perform

    rec: dict[str, Any] = {
        "song": song.name, "half": song.half, "seed": seed,
        "dance": choreo.AUTO if style is None else style.name,
    }  # fmt: skip
    if song.music is None:
        return rec | {"danced": False, "why": song.error}
    out = tmp / "out"
    try:
        routine = choreograph(song.music, style=style, level=level, seed=seed)
        danced = count_music(song.music, style, level=level).music
        t0 = time.perf_counter()
        performance = perform(routine, duration_s=song.music.duration_s)
        perform_s = time.perf_counter() - t0
        write_outputs(out, song.path, danced, routine, performance, title=song.name)
        report = check_output(out)
        rec |= {
            "danced": True,
            "frames": performance.n_frames,
            "perform_s": perform_s,
            "realtime": performance.duration_s / perform_s,
            "report": report.to_dict(),
            "verdicts": verdicts(report),
        }
    except InputError as exc:
        rec |= {"danced": False, "why": f"not danced: {exc.problem}"}
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(tb.filename).name}:{tb.lineno}"
        rec |= {"danced": False, "why": f"not danced: {type(exc).__name__}: {exc} ({where})"}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return rec


def _weighted(pairs: list[tuple[float | None, float]]) -> float | None:
    """The mean of values weighted by counts (None values and zero counts left out)."""
    num = sum(v * w for v, w in pairs if v is not None)
    den = sum(w for v, w in pairs if v is not None)
    return num / den if den else None


def aggregate(recs: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals and worst values over the runs of one dance."""
    ok = [r for r in recs if r.get("danced")]
    reports = [r["report"] for r in ok]
    dancers = [d for rep in reports for d in rep["dancers"]]
    supports = sum(d["supports"] for d in dancers)
    joined = [(rep["joined_within_share"], rep["joined_frames"]) for rep in reports]
    turns = [t for rep in reports for t in rep["turns"]]
    agg: dict[str, Any] = {
        "runs": len(recs),
        "danced": len(ok),
        "not_danced": dict(Counter(r["why"] for r in recs if not r.get("danced"))),
        "frames": sum(r["frames"] for r in ok),
        "supports": supports,
        "sliding_n": sum(d["supports_sliding"] for d in dancers),
        "sliding": _ratio(sum(d["supports_sliding"] for d in dancers), supports),
        "slide_max_m": max((d["support_slide_max_m"] for d in dancers), default=None),
        "step_mean_ms": _weighted([(d["step_error_mean_ms"], d["steps_timed"]) for d in dancers]),
        "step_worst_mean_ms": max(
            (d["step_error_mean_ms"] for d in dancers if d["step_error_mean_ms"] is not None),
            default=None,
        ),
        "interpenetration": sum(rep["interpenetration_frames"] for rep in reports),
        "pairs": sum((Counter(dict(rep["interpenetration_pairs"])) for rep in reports), Counter()),
        "depth_max_m": max(
            (rep.get("interpenetration_depth_max_m", 0.0) for rep in reports), default=None
        ),
        "joined_within": _weighted(joined),
        "joined_p99_m": max(
            (rep["joined_hand_p99_m"] for rep in reports if rep["joined_hand_p99_m"] is not None),
            default=None,
        ),
        "turn_max_deg": max((t["error_deg"] for t in turns), default=None),
        "turns_ok": _ratio(sum(t["error_deg"] <= 10.0 for t in turns), len(turns)),
        "pelvis_min": min((d["pelvis_min_share"] for d in dancers), default=None),
        "speed_max": max((d["joint_speed_max_m_s"] for d in dancers), default=None),
        "flips": sum(d["euler_flip_frames"] or 0 for d in dancers),
        "drift_max_m": max((d["bone_drift_max_m"] for d in dancers), default=None),
        "realtime_min": min((r["realtime"] for r in ok), default=None),
        "skating": _mean([d["skating_ratio"] for d in dancers]),
        "lodge": _mean([d["lodge_skating_ratio"] for d in dancers]),
        "pfc": _mean([d["edge_pfc"] for d in dancers]),
        "contact": _mean([d["contact_share"] for d in dancers]),
        "bas": _mean([d["beat_align_score"] for d in dancers if d["beat_align_score"] is not None]),
    }
    agg["pass"] = _passes(agg)
    return agg


def _ratio(n: float, d: float) -> float | None:
    return n / d if d else None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _passes(a: dict[str, Any]) -> dict[str, bool | None]:
    """PASS (True), FAIL (False) or n/a (None) per target (``CheckTargets``)."""
    from pasdeux.check import CheckTargets

    t = CheckTargets()

    def cmp(value: float | None, ok: Any) -> bool | None:
        return None if value is None or not a["danced"] else bool(ok(value))

    return {
        "sliding": cmp(a["sliding"], lambda v: v <= t.supports_sliding_share_max),
        "step": cmp(a["step_mean_ms"], lambda v: v <= t.step_error_mean_ms_max),
        "interpenetration": cmp(
            a["interpenetration"], lambda v: v <= t.interpenetration_frames_max
        ),
        "joined": cmp(a["joined_within"], lambda v: v >= t.joined_within_share_min),
        "turns": cmp(a["turn_max_deg"], lambda v: v <= t.turn_error_deg_max),
        "pelvis": cmp(a["pelvis_min"], lambda v: v >= t.pelvis_share_min),
        "speed": cmp(a["speed_max"], lambda v: v <= t.joint_speed_m_s_max),
        "flips": cmp(a["flips"], lambda v: v <= t.euler_flip_frames_max),
        "drift": cmp(a["drift_max_m"], lambda v: v < t.bone_drift_m_max),
        "realtime": cmp(a["realtime_min"], lambda v: v >= t.synthesis_realtime_min),
    }


TARGETS = (
    ("sliding", "supports > 1 cm (0%)"),
    ("step", "step-on-beat mean (<= 10 ms)"),
    ("interpenetration", "interpenetration frames (0)"),
    ("joined", "hands within 3 cm (>= 99%)"),
    ("turns", "worst turn error (<= 10 deg)"),
    ("pelvis", "lowest pelvis (>= 60%)"),
    ("speed", "largest joint speed (<= 10 m/s)"),
    ("flips", "Euler flip frames (0)"),
    ("drift", "bone drift (< 1 mm)"),
    ("realtime", "synthesis (>= 50x real time)"),
)


def _fmt(x: float | None, fmt: str, scale: float = 1.0) -> str:
    return "–" if x is None else format(x * scale, fmt)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{math.floor(1000 * x) / 10:g}%"


def _cells(a: dict[str, Any]) -> list[str]:
    p = a["pass"]
    frames = a["frames"] or 1
    values = {
        "sliding": f"{a['sliding_n']}/{a['supports']}",
        "step": f"{_fmt(a['step_mean_ms'], '.1f')} ms "
        f"(worst {_fmt(a['step_worst_mean_ms'], '.0f')})",
        "interpenetration": f"{a['interpenetration']} ({_pct(a['interpenetration'] / frames)})",
        "joined": f"{_pct(a['joined_within'])} (p99 {_fmt(a['joined_p99_m'], '.1f', 100)} cm)",
        "turns": f"{_fmt(a['turn_max_deg'], '.0f')} deg ({_pct(a['turns_ok'])} ok)",
        "pelvis": _pct(a["pelvis_min"]),
        "speed": f"{_fmt(a['speed_max'], '.1f')} m/s",
        "flips": str(a["flips"]),
        "drift": f"{_fmt(a['drift_max_m'], '.4f', 1000)} mm",
        "realtime": f"{_fmt(a['realtime_min'], '.0f')}x",
    }
    verdict = {None: "n/a", True: "PASS", False: "**FAIL**"}
    return [f"{values[k]} {verdict[p[k]]}" for k, _ in TARGETS]


def _detail_table(rows: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| dance | supports | slide max (cm) | skating ratio | Lodge FSR | EDGE PFC | "
        "foot contact | Beat Align Score | deepest overlap (cm) | "
        "most frequent interpenetration (frames) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for dance, a in rows.items():
        lines.append(
            f"| {dance} | {a['supports']} | {_fmt(a['slide_max_m'], '.2f', 100)} | "
            f"{_fmt(a['skating'], '.3f')} | {_fmt(a['lodge'], '.3f')} | {_fmt(a['pfc'], '.3f')} | "
            f"{_pct(a['contact'])} | {_fmt(a['bas'], '.3f')} | "
            f"{_fmt(a['depth_max_m'], '.1f', 100)} | "
            + ", ".join(f"{pair} {n}" for pair, n in a["pairs"].most_common(2))
            + " |"
        )
    return lines


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregates per half ("held-out", "tuning", "all") and per dance."""
    rows = list(dict.fromkeys(r["dance"] for r in records))
    return {
        half: {
            d: aggregate([r for r in records if r["dance"] == d and half in ("all", r["half"])])
            for d in rows
        }
        for half in (HELD_OUT, TUNING, "all")
    }


def markdown(summary: dict[str, Any]) -> str:
    """The docs/benchmarks.md section (both markers included)."""
    lines = [
        MARK_START,
        "## Motion (`bench/motion.py`)",
        "",
        f"{summary['date']}, {'`--quick`, ' if summary['quick'] else ''}"
        f"{len(summary['songs'])} songs x {len(summary['rows'])} dances x seeds "
        f"{summary['seeds']} = {summary['runs']} runs in {summary['elapsed_s'] / 60:.1f} min "
        f"(level {summary['level']}, commit {summary['commit']}). Songs: "
        + ", ".join(f"{s['name']} ({s['half']})" for s in summary["songs"])
        + ".",
        "",
        "Each run: `choreograph`, `perform` (timed), `write_outputs`, then `pasdeux check` "
        "(`pasdeux.check.check_output`) on the folder. Supports, step timing, pelvis, speed, "
        "flips and drift are over both dancers; the turn error is the worst figure of either "
        "dancer (performed facing change against the steps' `turn_eighths`); synthesis is "
        "the slowest run's performance duration / `perform` time for both dancers (wall "
        "clock: on a shared machine it varies from run to run). Targets are issue 10's "
        "(`pasdeux.check.CheckTargets`).",
        "",
    ]
    for half in (HELD_OUT, TUNING):
        label = "held out (reported)" if half == HELD_OUT else "tuning half"
        lines += [
            f"### Motion targets, {label}",
            "",
            *choreo.target_table(summary["table"][half], TARGETS, _cells),
            "",
        ]
    lines += [
        "### Motion details, all songs",
        "",
        "Skating: the literature's ratio (ball below 5 cm and faster than 0.5 m/s, share of "
        "contact frames), Lodge's foot-skating ratio and EDGE's PFC (definitions in "
        "`pasdeux.check.measures`); Beat Align Score: Bailando's.",
        "",
        *_detail_table(summary["table"]["all"]),
        "",
    ]
    lines += choreo.not_danced_lines(summary["table"]["all"])
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def write_doc(block: str, path: Path = DOC) -> None:
    """Replace the block between the motion markers of ``path`` (append it at the end)."""
    choreo.write_doc(block, path, (MARK_START, MARK_END))


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="choreo.py's quick songs, 1 seed")
    parser.add_argument("--dances", default=None, help="comma-separated dances (and/or auto)")
    parser.add_argument("--seeds", default=None, help="comma-separated seeds (default 0,1,2)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--level", default="newcomer", help="figure level (the CLI's default)")
    parser.add_argument("--corpus", type=Path, default=corpus.DEFAULT_OUT, help="corpus folder")
    parser.add_argument("--shared", type=Path, default=choreo.SHARED_MUSIC, help="recordings")
    return parser.parse_args(argv)


def run_all(
    songs: list[Any], rows: list[Any], seeds: list[int], level: str, tmp: Path
) -> list[dict[str, Any]]:
    """Every song x dance x seed (each song analysed once)."""
    records: list[dict[str, Any]] = []
    total = len(songs) * len(rows) * len(seeds)
    for song in songs:
        choreo.analyse(song)
        _say(
            f"{song.name}: analysed in {song.listen_s:.1f} s"
            + (f" ({song.error})" if song.error else "")
        )
        for style in rows:
            for seed in seeds:
                rec = run_one(song, style, seed, level, tmp)
                records.append(rec)
                state = (
                    f"ok, synthesis {rec['realtime']:.0f}x real time"
                    if rec.get("danced")
                    else rec["why"]
                )
                _say(f"[{len(records)}/{total}] {song.name} {rec['dance']} seed {seed}: {state}")
        song.music = None
    return records


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns 0 (2 for a bad option)."""
    args = _args(argv)
    from pasdeux.dances import load_library
    from pasdeux.errors import InputError

    library = load_library()
    try:
        rows = choreo._rows(args.dances, library) if args.dances else list(library)
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()] if args.seeds else []
    except (ValueError, InputError) as exc:
        print(f"motion.py: bad option: {exc}", file=sys.stderr)
        return 2
    seeds = seeds or ([0] if args.quick else [0, 1, 2])
    t0 = time.perf_counter()
    songs = choreo.pick_songs(args.quick, args.corpus, args.shared)
    with tempfile.TemporaryDirectory(prefix="pasdeux_bench_motion_") as tmp:
        records = run_all(songs, rows, seeds, args.level, Path(tmp))
    summary = {
        "date": _dt.date.today().isoformat(),
        "commit": choreo._commit(),
        "quick": args.quick,
        "elapsed_s": round(time.perf_counter() - t0, 1),
        "level": args.level,
        "songs": [
            {"name": s.name, "half": s.half, "listen_s": round(s.listen_s, 2)} for s in songs
        ],
        "rows": [choreo.AUTO if r is None else r.name for r in rows],
        "seeds": seeds,
        "runs": len(records),
        "table": summarise(records),
    }
    out_json = args.corpus / ("motion.quick.json" if args.quick else "motion.json")
    out_json.write_text(
        json.dumps(choreo._finite(summary | {"records": records}), indent=1, default=str) + "\n",
        encoding="utf-8",
    )
    block = markdown(summary)
    if not args.no_write:
        write_doc(block)
        _say(f"wrote {DOC}")
    _say(block)
    if args.json:
        print(json.dumps(choreo._finite(summary), indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
