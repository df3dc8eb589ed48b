"""A scan: find the songs under some folders, analyse the new and changed ones, store them.

Incremental: a file whose size and modification time are as stored is not read again; a
new or changed file is hashed (SHA-256 of its content), and analysed only if no analysis
of that content by this analysis version is stored (a moved, renamed or touched file is
recognised by its hash). Files gone from a scanned folder are forgotten. Every stored
analysis is its own transaction, so a scan killed at any moment keeps all it stored and
the next one goes on from there.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pasdeux import __version__
from pasdeux._folder import shown
from pasdeux.errors import InputError
from pasdeux.library._db import FileRow, Library, scan_lock
from pasdeux.library._params import LibraryParams
from pasdeux.library._runners import connect_ray, run_local, run_ray
from pasdeux.library._tags import write_song_tags
from pasdeux.library._types import Analysis
from pasdeux.library._worker import AnalysisTask, Outcome

__all__ = ["ScanReport", "analysis_version", "find_songs", "hash_file", "scan_library"]

Say = Callable[[str], None]
#: Called after each stored analysis with (analyses done, analyses to do, errors so far).
OnResult = Callable[[int, int, int], None]


@dataclass(frozen=True, kw_only=True)
class ScanReport:
    """What a scan did.

    ``found`` audio files under the folders: ``unchanged`` as stored, ``recognised`` new or
    changed files whose content was already analysed, ``analysed`` analyses run and stored,
    of which ``errors`` were the file's error and ``internal_errors`` pasdeux's (tried again
    by the next scan); ``unreadable`` files could not be read to hash; ``failed`` files found
    have an error stored (this scan's or an earlier one's); ``removed`` files gone from the
    folders were forgotten; ``tagged`` files had their tags written, and
    ``tag_errors`` could not (path: why). ``peak_rss_mb`` is each worker's peak memory,
    ``cpu_s`` the CPU time of the analyses (every thread of the workers).
    """

    found: int
    unchanged: int
    recognised: int
    analysed: int
    errors: int
    internal_errors: int
    unreadable: int
    failed: int
    removed: int
    tagged: int
    tag_errors: tuple[str, ...]
    seconds: float
    analysis_seconds: float
    version: str
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    cpu_s: float = 0.0


def analysis_version() -> str:
    """The version of the analysis: pasdeux's version and a checksum of the music stage's
    and the dance library's code and data, so that any change to them re-analyses."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for package in ("music", "dances"):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def hash_file(path: str, block_bytes: int = 1 << 20) -> str:
    """The SHA-256 of a file's content, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(block_bytes):
            digest.update(block)
    return digest.hexdigest()


def find_songs(
    roots: Sequence[Path], params: LibraryParams
) -> tuple[list[tuple[str, int, int]], list[str]]:
    """Every song file under ``roots``: (absolute path, size, modification time in ns),
    sorted by path; and the song files skipped because their names are not UTF-8 (the
    database stores names as text). Hidden files and folders (names starting with a dot)
    are skipped, and folder links are not followed (no loops)."""
    found: dict[str, tuple[str, int, int]] = {}
    unnamed: list[str] = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if name.startswith(".") or Path(name).suffix.lower() not in params.extensions:
                    continue
                path = os.path.join(folder, name)
                try:
                    path.encode("utf-8")
                except UnicodeEncodeError:
                    unnamed.append(path)
                    continue
                try:
                    st = os.stat(path)
                except OSError:
                    continue  # a dangling link, or gone since listed
                if os.path.isfile(path):
                    found[path] = (path, st.st_size, st.st_mtime_ns)
    return [found[p] for p in sorted(found)], unnamed


def _roots(folders: Sequence[Path]) -> list[Path]:
    roots = []
    for folder in folders:
        if not folder.exists():
            raise InputError(folder, "no such folder")
        if not folder.is_dir():
            raise InputError(folder, "is not a folder (scan takes folders of songs)")
        roots.append(folder.resolve())
    return roots


@dataclass
class _Tally:
    unchanged: int = 0
    recognised: int = 0
    unreadable: int = 0
    analysed: int = 0
    errors: int = 0
    internal: int = 0
    cpu_s: float = 0.0
    peak: dict[str, float] = field(default_factory=dict)


def scan_library(
    folders: Sequence[Path],
    db_path: Path,
    *,
    jobs: int = 1,
    ray: str | None = None,
    write_tags: bool = False,
    params: LibraryParams | None = None,
    say: Say | None = None,
    on_result: OnResult | None = None,
    version: str | None = None,
) -> ScanReport:
    """Scan ``folders`` into the library at ``db_path``.

    Parameters
    ----------
    folders
        Folders of songs (searched recursively).
    db_path
        The library's database (created if missing).
    jobs
        Worker processes (or the CPUs of ``ray="local"``).
    ray
        ``None`` to run the analyses here; otherwise a Ray address (see
        :func:`~pasdeux.library._runners.run_ray`).
    write_tags
        Write the BPM and dance into each analysed file's tags.
    params
        Tunables (default :class:`LibraryParams`).
    say
        Called with a line as each phase starts.
    on_result
        Called after each stored analysis (for a progress bar).
    version
        The analysis version to stamp (default :func:`analysis_version`).

    Returns
    -------
    ScanReport

    Raises
    ------
    InputError
        A folder is missing; the database is not a library; another scan holds it; Ray was
        asked for and cannot be had.
    """
    p = params or LibraryParams()
    tell: Say = say or (lambda _line: None)
    start = time.perf_counter()
    roots = _roots(folders)
    stamp = version or analysis_version()
    db_path = db_path.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    cluster = connect_ray(ray, jobs, p) if ray else None  # before any work: a mistake costs none
    try:
        with (
            scan_lock(db_path),
            Library(db_path, create=True, busy_timeout_s=p.busy_timeout_s) as lib,
        ):
            songs, unnamed = find_songs(roots, p)
            for path in unnamed:
                tell(f"warning: {shown(path)}: skipped: its name is not UTF-8 (rename it)")
            removed = lib.forget_missing([str(r) for r in roots], (s[0] for s in songs))
            tell(f"{len(songs)} songs found, {removed} gone from the library")
            tally = _Tally()
            tasks = _plan(lib, songs, stamp, p, tally, tell)
            tell(
                f"{len(tasks)} to analyse" + (f" on Ray ({ray})" if ray else f" with {jobs} job(s)")
            )
            analysing = time.perf_counter()
            outcomes = run_ray(tasks, cluster, p) if cluster else run_local(tasks, jobs, p)
            with contextlib.closing(outcomes):  # the workers stop at once on Ctrl-C or an error
                _store(lib, outcomes, len(tasks), tally, on_result)
            analysis_s = time.perf_counter() - analysing
            tagged, tag_errors = (0, ()) if not write_tags else _tag_all(lib, songs, stamp, tell)
            failed = _failed(lib, songs)
    finally:
        if cluster is not None:
            cluster.shutdown()
    return ScanReport(
        found=len(songs),
        unchanged=tally.unchanged,
        recognised=tally.recognised,
        analysed=tally.analysed,
        errors=tally.errors,
        internal_errors=tally.internal,
        unreadable=tally.unreadable,
        failed=failed,
        removed=removed,
        tagged=tagged,
        tag_errors=tag_errors,
        seconds=time.perf_counter() - start,
        analysis_seconds=analysis_s,
        version=stamp,
        peak_rss_mb=tally.peak,
        cpu_s=tally.cpu_s,
    )


def _failed(lib: Library, songs: Sequence[tuple[str, int, int]]) -> int:
    """How many of ``songs`` have an error stored (unreadable, or their analysis failed)."""
    present = {s[0] for s in songs}
    return sum(
        1
        for e in lib.entries()
        if e.path in present and (e.error or (e.analysis is not None and not e.analysis.ok))
    )


def _plan(
    lib: Library,
    songs: Sequence[tuple[str, int, int]],
    version: str,
    p: LibraryParams,
    tally: _Tally,
    tell: Say,
) -> list[AnalysisTask]:
    """Hash the new and changed files (each recorded at once) and list the analyses due."""
    rows = lib.file_rows()
    stored = lib.analysis_versions()
    tasks: dict[str, AnalysisTask] = {}
    fresh = [s for s in songs if not _same(rows.get(s[0]), s)]
    if fresh:
        tell(f"hashing {len(fresh)} new or changed files")
    for path, size, mtime_ns in songs:
        row = rows.get(path)
        if _same(row, (path, size, mtime_ns)):
            assert row is not None and row.hash is not None
            digest = row.hash
            tally.unchanged += 1
        else:
            try:
                digest = hash_file(path, p.hash_block_bytes)
            except OSError as exc:
                lib.put_file(path, size, mtime_ns, None, f"cannot be read ({exc.strerror})")
                tally.unreadable += 1
                continue
            lib.put_file(path, size, mtime_ns, digest)
        due = (
            digest not in stored or stored[digest][0] != version or stored[digest][1] == "internal"
        )
        if due and digest not in tasks:
            tasks[digest] = AnalysisTask(
                path=path, hash=digest, version=version, max_song_s=p.max_song_s
            )
        elif not due and not _same(row, (path, size, mtime_ns)):
            tally.recognised += 1
    return list(tasks.values())


def _same(row: FileRow | None, song: tuple[str, int, int]) -> bool:
    return row is not None and row.hash is not None and (row.size, row.mtime_ns) == song[1:]


def _store(
    lib: Library, outcomes: Iterator[Outcome], total: int, tally: _Tally, on_result: OnResult | None
) -> None:
    """Store each outcome as it comes, one transaction each."""
    for outcome in outcomes:
        lib.put_analysis(outcome.analysis)
        tally.analysed += 1
        tally.cpu_s += outcome.cpu_s
        if outcome.analysis.error_kind == "input":
            tally.errors += 1
        elif outcome.analysis.error_kind == "internal":
            tally.internal += 1
        if outcome.worker != "?":
            tally.peak[outcome.worker] = max(
                tally.peak.get(outcome.worker, 0.0), outcome.peak_rss_mb
            )
        if on_result is not None:
            on_result(tally.analysed, total, tally.errors + tally.internal)


def _tag_all(
    lib: Library, songs: Sequence[tuple[str, int, int]], version: str, tell: Say
) -> tuple[int, tuple[str, ...]]:
    """Write the tags of every analysed file whose tags do not carry this analysis yet."""
    rows = lib.file_rows()
    todo: list[tuple[str, Analysis]] = []
    for path, _size, _mtime in songs:
        row = rows.get(path)
        if row is None or row.hash is None or row.tagged == version:
            continue
        analysis = lib.analysis(row.hash)
        if analysis is not None and analysis.ok and analysis.dance is not None:
            todo.append((path, analysis))
    if todo:
        tell(f"writing the tags of {len(todo)} files")
    errors: list[str] = []
    for path, analysis in todo:
        try:
            write_song_tags(Path(path), analysis)
        except InputError as exc:
            errors.append(f"{path}: {exc.problem}")
            continue
        st = os.stat(path)
        lib.put_tagged(path, st.st_size, st.st_mtime_ns, hash_file(path), version)
    return len(todo) - len(errors), tuple(errors)
