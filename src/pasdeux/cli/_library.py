"""``pasdeux library scan|list|show|playlist``: the command line of :mod:`pasdeux.library`."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from pasdeux._folder import shown
from pasdeux.errors import InputError

__all__ = ["add_library_parser", "run_library"]

Say = Callable[[str], None]


def _mpm_range(text: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in text.split("-"))
    except ValueError:
        low = high = math.nan
    if not (math.isfinite(low) and math.isfinite(high) and 0 <= low <= high):
        raise argparse.ArgumentTypeError(f"must look like 28-30 (MPM, low-high), got {text!r}")
    return low, high


def _positive_minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 < value <= 24 * 60:
        raise argparse.ArgumentTypeError(f"must be a number of minutes up to 1440, got {text!r}")
    return value


def add_library_parser(
    sub: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
    audio_options: Callable[[argparse.ArgumentParser], None],
    bounded_int: Callable[[int, int], Callable[[str], int]],
) -> None:
    """Add ``library`` and its commands to the command line's subparsers."""
    library = sub.add_parser("library", help="a tagged collection: scan, list, show, playlist")
    cmds = library.add_subparsers(dest="library_command", required=True, parser_class=type(library))
    db_help = "the library's database (default: library.sqlite in your data folder)"

    scan = cmds.add_parser("scan", parents=[common], help="analyse the songs under folders")
    scan.add_argument("folders", type=Path, nargs="+", metavar="DIR")
    scan.add_argument("--db", type=Path, default=None, help=db_help)
    scan.add_argument(
        "--jobs", type=bounded_int(1, 256), default=os.cpu_count() or 1,
        help="analyses at once, one process each (default: the CPUs)",
    )  # fmt: skip
    scan.add_argument(
        "--ray", default=None, metavar="auto|local|ADDRESS",
        help="run the analyses on a Ray cluster (needs pasdeux[cluster])",
    )  # fmt: skip
    scan.add_argument(
        "--write-tags", action="store_true", help="write BPM and dance into the files' tags"
    )
    scan.add_argument("--json", action="store_true", help="the scan's report as JSON on stdout")
    audio_options(scan)

    lst = cmds.add_parser("list", parents=[common], help="the analysed songs, filtered")
    lst.add_argument("--db", type=Path, default=None, help=db_help)
    lst.add_argument("--dance", default=None, help="only songs whose best dance is this one")
    lst.add_argument("--mpm", type=_mpm_range, default=None, metavar="LO-HI", help="MPM range")
    lst.add_argument("--meter", type=bounded_int(1, 16), default=None, help="beats per bar")
    lst.add_argument("--errors", action="store_true", help="list the files that failed instead")
    fmt = lst.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="a JSON array on stdout")
    fmt.add_argument("--csv", action="store_true", help="CSV on stdout")

    show = cmds.add_parser("show", parents=[common], help="one song's analysis")
    show.add_argument("file", type=Path, metavar="FILE")
    show.add_argument("--db", type=Path, default=None, help=db_help)
    show.add_argument("--json", action="store_true", help="one JSON object on stdout")

    pl = cmds.add_parser("playlist", parents=[common], help="a practice set as M3U")
    pl.add_argument("--db", type=Path, default=None, help=db_help)
    pl.add_argument("--dances", required=True, help='e.g. "Waltz,Tango,Viennese Waltz"')
    pl.add_argument("--minutes", type=_positive_minutes, default=60.0, help="length (60)")
    pl.add_argument("-o", "--out", type=Path, required=True, metavar="FILE.m3u8")


def run_library(args: argparse.Namespace, say: Say) -> int:
    """Run ``pasdeux library ...``; returns the exit code."""
    from pasdeux.library import default_db_path

    db = args.db if args.db is not None else default_db_path()
    if args.library_command == "scan":
        return _scan(args, db, say)
    if args.library_command == "list":
        return _list(args, db)
    if args.library_command == "show":
        return _show(args, db)
    return _playlist(args, db, say)


class _Bar:
    """A progress bar on stderr: songs analysed of those to do, the rate and the time left;
    redrawn in place on a terminal, a line now and then elsewhere."""

    def __init__(self, stream: IO[str], every_s: float) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.every_s = every_s if self.tty else 10 * every_s
        self.start = self.last = time.monotonic()
        self.drawn = False

    def __call__(self, done: int, total: int, errors: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < self.every_s:
            return
        self.last = now
        per_s = done / max(now - self.start, 1e-9)
        left = (total - done) / per_s if per_s > 0 else math.inf
        width = 24
        full = width * done // max(total, 1)
        eta = "--" if not math.isfinite(left) else f"{int(left) // 60}:{int(left) % 60:02d}"
        line = (
            f"[{'#' * full}{'.' * (width - full)}] {done}/{total} songs, "
            f"{60 * per_s:.1f}/min, ETA {eta}, {errors} errors"
        )
        self.stream.write(("\r" + line + "\x1b[K") if self.tty else line + "\n")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _scan(args: argparse.Namespace, db: Path, say: Say) -> int:
    from pasdeux.library import LibraryParams, scan_library

    params = LibraryParams(max_song_s=60.0 * float(args.max_minutes))
    bar = None if args.quiet else _Bar(sys.stderr, params.progress_every_s)
    try:
        report = scan_library(
            args.folders, db, jobs=args.jobs, ray=args.ray, write_tags=args.write_tags,
            params=params, say=say, on_result=bar,
        )  # fmt: skip
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print(json.dumps(dataclasses.asdict(report), indent=1))
    else:
        rate = 60 * report.analysed / report.analysis_seconds if report.analysis_seconds else 0.0
        print(
            f"{shown(db)}: {report.found} songs; {report.analysed} analysed "
            f"({rate:.1f}/min), {report.unchanged} unchanged, {report.recognised} recognised "
            f"by content, {report.removed} gone; {report.failed} with "
            f"errors ('pasdeux library list --errors')"
        )
        if args.write_tags:
            print(f"tags written into {report.tagged} files")
    for line in report.tag_errors:
        print(f"warning: {shown(line)}", file=sys.stderr)
    if report.internal_errors:
        print(
            f"pasdeux: {report.internal_errors} analyses failed inside pasdeux; "
            "the next scan tries them again ('pasdeux library list --errors')",
            file=sys.stderr,
        )
        return 1
    return 0


_COLUMNS = ("path", "dance", "mpm", "bpm", "meter", "duration_s")


def _row(entry: Any) -> dict[str, Any]:
    a = entry.analysis
    return {
        "path": entry.path,
        "dance": a.dance,
        "mpm": round(a.mpm, 2),
        "bpm": round(a.bpm, 2),
        "meter": a.meter,
        "duration_s": round(a.duration_s, 2),
    }


def _list(args: argparse.Namespace, db: Path) -> int:
    from pasdeux.library import Library, filter_entries

    with Library(db) as lib:
        entries = lib.entries()
    if args.errors:
        return _list_errors(entries, args)
    kept = filter_entries(entries, dance=args.dance, mpm=args.mpm, meter=args.meter)
    rows = [_row(e) for e in kept]
    if args.json:
        print(json.dumps([e.to_jsonable() for e in kept], indent=1))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        for r in rows:
            print(
                f"{r['dance'] or '-':16s} {r['mpm']:6.1f} MPM {r['bpm']:6.1f} BPM "
                f"{r['meter']}/4 {r['duration_s']:6.1f} s  {shown(r['path'])}"
            )
    return 0


def _list_errors(entries: list[Any], args: argparse.Namespace) -> int:
    failed = [
        (e.path, e.error or (e.analysis.error if e.analysis else None))
        for e in entries
        if e.error or (e.analysis is not None and not e.analysis.ok)
    ]
    if args.json:
        print(json.dumps([{"path": p, "error": err} for p, err in failed], indent=1))
    elif args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(("path", "error"))
        writer.writerows(failed)
    else:
        for path, err in failed:
            print(f"{shown(path)}: {err}")
    return 0


def _show(args: argparse.Namespace, db: Path) -> int:
    from pasdeux.library import Library, find_entry

    with Library(db) as lib:
        entry = find_entry(lib, args.file)
    if args.json:
        print(json.dumps(entry.to_jsonable(), indent=1))
        return 0
    a = entry.analysis
    print(f"{shown(entry.path)}: {entry.size} bytes, sha256 {entry.hash}")
    if entry.error is not None or a is None:
        print(f"  error: {entry.error or 'not analysed yet'}")
        return 0
    print(f"  analysis {a.version}")
    if not a.ok:
        print(f"  error ({a.error_kind}): {a.error}")
        return 0
    print(f"  {a.duration_s:.1f} s, meter {a.meter}, {a.bpm:.1f} BPM, {a.mpm:.1f} MPM")
    for s in a.sections:
        print(
            f"  section {s.start_s:6.1f}-{s.end_s:6.1f} s: {s.meter}/4 {s.bpm:5.1f} BPM "
            f"-> {s.dance}"
        )
    print("  dances: " + ", ".join(f"{d.name} {d.score:.2f}" for d in a.dances[:5]))
    for w in a.warnings:
        print(f"  warning: {w}")
    return 0


def _playlist(args: argparse.Namespace, db: Path, say: Say) -> int:
    from pasdeux.library import Library, build_playlist, write_m3u

    dances = [d.strip() for d in args.dances.split(",") if d.strip()]
    if not dances:
        raise InputError(None, '--dances needs at least one dance, e.g. "Waltz,Tango"')
    with Library(db) as lib:
        entries = lib.entries()
    items, warnings = build_playlist(entries, dances, args.minutes)
    for line in warnings:
        say(line)
    names = list(dict.fromkeys(i.dance for i in items))
    write_m3u(items, args.out, f"pasdeux practice set: {', '.join(names)}")
    total = sum(i.duration_s for i in items)
    print(f"{shown(args.out)}: {len(items)} songs, {total / 60:.1f} minutes ({', '.join(names)})")
    return 0
