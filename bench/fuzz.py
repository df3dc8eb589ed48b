"""The long fuzz run: mutated songs, random options, signals and concurrent writers.

Every case is judged by the contract in ``tests/fuzz_harness.py`` (exit 0 or 2, one stderr
line for exit 2, no traceback, no hang, no user file changed, no staging folder left, an
output folder complete or absent). Each finding is saved under ``bench/.fuzz/`` (the song,
the command line, stderr); the counts per category go between ``<!-- fuzz:start -->`` and
``<!-- fuzz:end -->`` in ``docs/benchmarks.md``.

    .venv/bin/python bench/fuzz.py --cases 10000 --seed 1 --jobs 3
    .venv/bin/python bench/fuzz.py --seed 1 --case 123        # rerun one case, verbose
    .venv/bin/python bench/fuzz.py --command check --cases 300 --no-write   # check only

A long run may be made in pieces (``--start``, ``--cases``, ``--json > piece.json``) and
the pieces' summaries merged into the doc: ``--from-json piece1.json piece2.json ...``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import fuzz_harness as fh  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- fuzz:start -->", "<!-- fuzz:end -->"


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=200, help="how many cases (default 200)")
    p.add_argument("--seed", type=int, default=1, help="the run's seed (default 1)")
    p.add_argument("--start", type=int, default=0, help="first case number (default 0)")
    p.add_argument("--jobs", type=int, default=1, help="cases run at once (default 1)")
    p.add_argument("--timeout", type=float, default=120.0, help="per run (s, default 120)")
    p.add_argument("--mem-limit", type=float, default=3000.0, help="worker RSS cap (MB)")
    p.add_argument("--family", choices=fh.FAMILIES, help="only this family of cases")
    p.add_argument(
        "--command",
        choices=fh.OPTION_COMMANDS,
        help="only options cases of this command (e.g. check: damaged output folders)",
    )
    p.add_argument("--case", type=int, help="rerun this one case and print it")
    p.add_argument("--keep", type=Path, default=ROOT / "bench" / ".fuzz", help="findings")
    p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    p.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    p.add_argument(
        "--from-json",
        type=Path,
        nargs="+",
        metavar="JSON",
        help="rewrite the doc from saved --json summaries (pieces of one run are merged)",
    )
    return p.parse_args(argv)


class Progress:
    """Thread-safe tallies and a progress line on stderr."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.outcomes: list[fh.Outcome] = []
        self.lock = threading.Lock()
        self.t0 = time.monotonic()
        self.last_print = 0.0

    def add(self, outcome: fh.Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)
            for f in outcome.findings:
                c = outcome.case
                print(
                    f"  finding #{c.index} {c.family}/{c.kind}/{c.fmt}: {f.category}: "
                    f"{f.message[:150]}",
                    file=sys.stderr,
                    flush=True,
                )
            now = time.monotonic()
            if now - self.last_print > 10 or len(self.outcomes) == self.total:
                self.last_print = now
                self.print_line(now)

    def print_line(self, now: float) -> None:
        done = len(self.outcomes)
        rate = done / max(now - self.t0, 1e-9) * 60
        eta = (self.total - done) / max(rate, 1e-9)
        found = sum(1 for o in self.outcomes if o.findings)
        print(
            f"[{now - self.t0:7.0f}s] {done}/{self.total} cases, {rate:.1f}/min, "
            f"{found} with findings, ETA {eta:.0f} min",
            file=sys.stderr,
            flush=True,
        )


def _work(
    seeds: fh.Seeds, scratch: Path, todo: list[int], args: argparse.Namespace, progress: Progress
) -> None:
    with fh.Runner(seeds, scratch, timeout_s=args.timeout, mem_limit_mb=args.mem_limit) as r:
        while True:
            with progress.lock:
                if not todo:
                    return
                index = todo.pop(0)
            case = fh.make_case(index, args.seed, seeds, family=args.family, command=args.command)
            try:
                progress.add(r.run(case, keep=args.keep))
            except Exception:  # the harness's own failure: say so, go on with the next case
                print(f"harness error on case {index}:\n{traceback.format_exc()}", file=sys.stderr)


def summarise(
    outcomes: list[fh.Outcome], seconds: float, args: argparse.Namespace, formats: tuple[str, ...]
) -> dict[str, Any]:
    """Counts per family and kind (× format for mutations), per category and per group."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for o in outcomes:
        c = o.case
        key = {
            "input": f"input/{c.kind}/{c.fmt}",
            "options": f"options/{c.argv[0]}/{c.target}",
            "signal": f"signal/{c.kind}",
            "concurrency": f"concurrency/{c.kind} writers",
        }[c.family]
        for k in (key, f"all/{c.family}"):
            rows[k]["cases"] += 1
            rows[k]["with findings"] += bool(o.findings)
            rows[k]["ms"] += round(o.seconds * 1000)
            for label in o.labels:
                rows[k][f"exit {label}"] += 1
    categories = Counter(f.category for o in outcomes for f in o.findings)
    groups: dict[str, list[int]] = defaultdict(list)
    for o in outcomes:
        for f in o.findings:
            groups[fh.signature(f)].append(o.case.index)
    return {
        "seed": args.seed,
        "cases": len(outcomes),
        "seconds": round(seconds, 1),
        "cases_per_min": round(len(outcomes) / max(seconds, 1e-9) * 60, 1),
        "jobs": args.jobs,
        "formats": list(formats),
        "with_findings": sum(1 for o in outcomes if o.findings),
        "categories": dict(categories.most_common()),
        "rows": {k: dict(v) for k, v in sorted(rows.items())},
        "groups": {
            k: sorted(set(v)) for k, v in sorted(groups.items(), key=lambda kv: -len(kv[1]))
        },
    }


def merge(pieces: list[dict[str, Any]]) -> dict[str, Any]:
    """One summary for a run made in pieces (disjoint case ranges of one seed): counts
    added, the pieces' times added, finding groups joined."""
    seeds = {p["seed"] for p in pieces}
    if len(seeds) != 1:
        raise SystemExit(f"pieces of different runs (seeds {sorted(seeds)}) cannot be merged")
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    categories: Counter[str] = Counter()
    groups: dict[str, set[int]] = defaultdict(set)
    for piece in pieces:
        for key, counts in piece["rows"].items():
            rows[key].update(counts)
        categories.update(piece["categories"])
        for sig, idx in piece["groups"].items():
            groups[sig].update(idx)
    cases = sum(p["cases"] for p in pieces)
    seconds = sum(p["seconds"] for p in pieces)
    return {
        **pieces[0],
        "cases": cases,
        "seconds": round(seconds, 1),
        "cases_per_min": round(cases / max(seconds, 1e-9) * 60, 1),
        "with_findings": sum(p["with_findings"] for p in pieces),
        "categories": dict(categories.most_common()),
        "rows": {k: dict(v) for k, v in sorted(rows.items())},
        "groups": {k: sorted(v) for k, v in sorted(groups.items(), key=lambda kv: -len(kv[1]))},
    }


def markdown(summary: dict[str, Any]) -> str:
    """The docs/benchmarks.md section for ``summary``."""
    rows = summary["rows"]
    lines = [
        "## Fuzz and fault suite (`bench/fuzz.py`)",
        "",
        f"{summary['cases']} cases, seed {summary['seed']}, {summary['jobs']} job(s), "
        f"{summary['seconds'] / 60:.0f} min ({summary['cases_per_min']} cases/min) on "
        f"{platform.machine()} with {os.cpu_count()} cores, "
        f"{_dt.datetime.now(_dt.UTC):%Y-%m-%d}. Cases with findings: "
        f"**{summary['with_findings']}**. Rerun one case with "
        "`bench/fuzz.py --seed S --case N`.",
        "",
        "Each case runs `pasdeux` on a sandbox folder holding the user's own files and is held",
        "to the contract: exit 0 or 2 (or the signal's code for a killed run), no hang (120 s)",
        "and no runaway memory (3 GB), one stderr line and no traceback for exit 2, no user file",
        "changed, no staging folder or stray file left (after the next run, for a killed one),",
        "an output folder complete or absent, a truncated song refused or warned about.",
        "Mutated songs and option cases run in-process in a long-lived worker; signals",
        "(SIGINT, SIGTERM, SIGKILL while writing, then a normal run) and concurrent writers",
        "(2 or 4 `dance` into one folder) in fresh processes. Findings are saved under",
        "`bench/.fuzz/` (song, command line, stderr). Exits are counted per process: a signal",
        "case has two runs (the killed one and the next), a concurrency case two or four.",
        "",
        "```bash",
        ".venv/bin/python bench/fuzz.py --cases 10000 --seed 1 --jobs 3   # the long run",
        ".venv/bin/python bench/fuzz.py --seed 1 --case 88                # replay one case",
        "```",
        "",
        "| family | cases | s/case | exit 0 | exit 2 | other exits | with findings |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for fam in fh.FAMILIES:
        r = rows.get(f"all/{fam}", {})
        other = (
            sum(v for k, v in r.items() if k.startswith("exit "))
            - r.get("exit 0", 0)
            - r.get("exit 2", 0)
        )
        per_case = r.get("ms", 0) / 1000 / max(r.get("cases", 0), 1)
        lines.append(
            f"| {fam} | {r.get('cases', 0)} | {per_case:.1f} | {r.get('exit 0', 0)} | "
            f"{r.get('exit 2', 0)} | {other} | {r.get('with findings', 0)} |"
        )
    lines += ["", "Mutated songs (cases / cases with findings):", ""]
    formats = summary["formats"]
    lines += ["| mutation | " + " | ".join(formats) + " |", "|---|" + "---:|" * len(formats)]
    for kind in fh.MUTATIONS:
        cells = []
        for fmt in formats:
            r = rows.get(f"input/{kind}/{fmt}", {})
            cells.append(f"{r.get('cases', 0)} / {r.get('with findings', 0)}")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines += ["", "Options, signals and concurrent writers (cases / with findings):", ""]
    lines += ["| case | cases | with findings |", "|---|---:|---:|"]
    for key, r in rows.items():
        if key.split("/")[0] in ("options", "signal", "concurrency"):
            lines.append(f"| {key} | {r.get('cases', 0)} | {r.get('with findings', 0)} |")
    lines += ["", "Findings by category:", ""]
    cats = summary["categories"] or {"none": 0}
    lines += ["| category | findings |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in cats.items()]
    if summary["groups"]:
        lines += [
            "",
            "Findings grouped (category, message and last stderr line, numbers and names",
            "blurred; case numbers replay with `--case`):",
            "",
            "| cases | group | e.g. |",
            "|---:|---|---|",
        ]
        for sig, idx in summary["groups"].items():
            shown = ", ".join(f"#{i}" for i in idx[:5]) + (" …" if len(idx) > 5 else "")
            lines.append(f"| {len(idx)} | {sig.replace('|', '/')} | {shown} |")
    return "\n".join(lines) + "\n"


def write_doc(text: str) -> None:
    """Put ``text`` between the fuzz markers of docs/benchmarks.md (appending them once)."""
    doc = DOC.read_text()
    block = f"{START}\n{text}{END}"
    if START in doc and END in doc:
        head, rest = doc.split(START, 1)
        doc = head + block + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(doc)


def _one(seeds: fh.Seeds, scratch: Path, args: argparse.Namespace) -> int:
    case = fh.make_case(args.case, args.seed, seeds, family=args.family, command=args.command)
    print(json.dumps(case.describe(), indent=1, ensure_ascii=False, default=str))
    with fh.Runner(seeds, scratch, timeout_s=args.timeout, mem_limit_mb=args.mem_limit) as r:
        outcome = r.run(case, keep=args.keep)
    print(f"exits {outcome.labels} in {outcome.seconds:.1f} s")
    for f in outcome.findings:
        print(f"{f.category}: {f.message}\n  stderr: {f.stderr.strip()[-800:]}")
    return 1 if outcome.findings else 0


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    if args.from_json is not None:
        write_doc(markdown(merge([json.loads(f.read_text()) for f in args.from_json])))
        return 0
    with tempfile.TemporaryDirectory(prefix="pasdeux-fuzz-") as tmp:
        t0 = time.monotonic()
        seeds = fh.make_seeds(Path(tmp) / "seeds")
        print(
            f"seeds ({', '.join(seeds.formats)}) in {time.monotonic() - t0:.1f} s", file=sys.stderr
        )
        if args.case is not None:
            return _one(seeds, Path(tmp) / "one", args)
        todo = list(range(args.start, args.start + args.cases))
        progress = Progress(len(todo))
        t0 = time.monotonic()
        threads = [
            threading.Thread(
                target=_work, args=(seeds, Path(tmp) / f"job{j}", todo, args, progress)
            )
            for j in range(max(1, args.jobs))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        summary = summarise(progress.outcomes, time.monotonic() - t0, args, seeds.formats)
    text = markdown(summary)
    print(text, file=sys.stderr)
    print("finding groups (signature: case numbers):", file=sys.stderr)
    for sig, idx in summary["groups"].items():
        print(f"  {len(idx):4d}  {sig}  e.g. #{idx[:6]}", file=sys.stderr)
    if not args.no_write:
        write_doc(text)
    if args.json:
        print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
