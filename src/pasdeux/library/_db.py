"""The library's SQLite database: files by path, analyses by the hash of their content.

Two tables: ``files`` (path, size, modification time, content hash, and an error when the
file could not be read) and ``analyses`` (one row per content hash: the measures of
:class:`~pasdeux.library.Analysis`, or its error). A file moved or renamed keeps its hash,
so its analysis is found again; two copies of a song share one analysis.

The database runs in WAL mode: readers (``list``, ``show``, ``playlist``) see the last
committed state while a scan writes, and every change is its own short transaction, so a
scan killed at any moment leaves everything it committed, and nothing half-written. One
scan writes at a time: :func:`scan_lock` takes an exclusive lock beside the database and
refuses a second scan in one line.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pasdeux.errors import InputError
from pasdeux.library._types import Analysis, DanceScore, SectionInfo, SongEntry

__all__ = ["SCHEMA", "FileRow", "Library", "scan_lock"]

#: The layout of the tables; a database of a newer layout is refused.
SCHEMA = 1

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT,
    error TEXT,
    tagged TEXT,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS files_by_hash ON files (hash);
CREATE TABLE IF NOT EXISTS analyses (
    hash TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    duration_s REAL,
    meter INTEGER,
    bpm REAL,
    mpm REAL,
    dance TEXT,
    sections TEXT NOT NULL,
    dances TEXT NOT NULL,
    warnings TEXT NOT NULL,
    error TEXT,
    error_kind TEXT,
    seconds REAL NOT NULL,
    stored REAL NOT NULL
);
"""

_ANALYSIS_COLUMNS = (
    "hash, version, duration_s, meter, bpm, mpm, dance, sections, dances, warnings, error, "
    "error_kind, seconds"
)


@dataclass(frozen=True)
class FileRow:
    """What the library last saw of a file."""

    size: int
    mtime_ns: int
    hash: str | None
    tagged: str | None


class Library:
    """An open library database.

    Parameters
    ----------
    path
        The database file.
    create
        Create it (and its folder) when missing; otherwise a missing database is an
        :class:`~pasdeux.errors.InputError` that says to scan first.
    busy_timeout_s
        How long to wait for another command's write to finish.

    Raises
    ------
    InputError
        The file is missing (without ``create``), not a database, of a newer layout, or
        cannot be opened.
    """

    def __init__(self, path: Path, *, create: bool = False, busy_timeout_s: float = 30.0) -> None:
        self.path = path
        if not create and not path.is_file():
            raise InputError(path, "no library here yet; run 'pasdeux library scan DIR' first")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(path, f"cannot open the library ({exc})") from None
        try:
            self._set_up(create)
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise InputError(path, f"is not a pasdeux library ({exc})") from None

    def _set_up(self, create: bool) -> None:
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if create:
            with self.transaction():
                for statement in _TABLES.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA),)
                )
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None or int(row[0]) > SCHEMA:
            raise sqlite3.DatabaseError(f"layout {row[0] if row else 'unknown'}; this is {SCHEMA}")

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- what a scan reads ---------------------------------------------------------------
    def file_rows(self) -> dict[str, FileRow]:
        """Every file the library knows, by path."""
        rows = self.db.execute("SELECT path, size, mtime_ns, hash, tagged FROM files")
        return {p: FileRow(s, m, h, t) for p, s, m, h, t in rows}

    def analysis_versions(self) -> dict[str, tuple[str, str | None]]:
        """Every stored analysis's version and error kind, by content hash."""
        rows = self.db.execute("SELECT hash, version, error_kind FROM analyses")
        return {h: (v, k) for h, v, k in rows}

    # --- what a scan writes --------------------------------------------------------------
    def put_file(
        self, path: str, size: int, mtime_ns: int, hash_: str | None, error: str | None = None
    ) -> None:
        """Record a file as seen now (its tags mark is kept while its content is the same)."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO files (path, size, mtime_ns, hash, error, tagged, seen) "
                "VALUES (?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (path) DO UPDATE SET "
                "size = excluded.size, mtime_ns = excluded.mtime_ns, error = excluded.error, "
                "tagged = CASE WHEN files.hash IS excluded.hash THEN files.tagged END, "
                "hash = excluded.hash, seen = excluded.seen",
                (path, size, mtime_ns, hash_, error, time.time()),
            )

    def forget_missing(self, roots: Sequence[str], present: Iterable[str]) -> int:
        """Remove the files under ``roots`` that are not ``present``; returns how many."""
        keep = set(present)
        gone = [
            p
            for p in self.file_rows()
            if p not in keep and any(p.startswith(root.rstrip("/") + "/") for root in roots)
        ]
        with self.transaction():
            self.db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in gone))
        return len(gone)

    def put_analysis(self, analysis: Analysis) -> None:
        """Store (or replace) the analysis of a content hash, in one transaction."""
        a = analysis
        sections = [[s.start_s, s.end_s, s.meter, s.bpm, s.dance] for s in a.sections]
        dances = [[d.name, d.score] for d in a.dances]
        with self.transaction():
            self.db.execute(
                f"INSERT OR REPLACE INTO analyses ({_ANALYSIS_COLUMNS}, stored) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    a.hash, a.version, a.duration_s, a.meter, a.bpm, a.mpm, a.dance,
                    json.dumps(sections), json.dumps(dances), json.dumps(list(a.warnings)),
                    a.error, a.error_kind, a.seconds, time.time(),
                ),
            )  # fmt: skip

    def put_tagged(self, path: str, size: int, mtime_ns: int, new_hash: str, mark: str) -> None:
        """After tags were written into ``path``: its new state, its analysis under its new
        content hash too, and the mark that says which analysis the tags carry."""
        with self.transaction():
            old = self.db.execute("SELECT hash FROM files WHERE path = ?", (path,)).fetchone()
            if old is not None and old[0] != new_hash:
                self.db.execute(
                    f"INSERT OR REPLACE INTO analyses ({_ANALYSIS_COLUMNS}, stored) "
                    f"SELECT ?, {_ANALYSIS_COLUMNS.split(', ', 1)[1]}, stored FROM analyses "
                    "WHERE hash = ?",
                    (new_hash, old[0]),
                )
            self.db.execute(
                "UPDATE files SET size = ?, mtime_ns = ?, hash = ?, tagged = ? WHERE path = ?",
                (size, mtime_ns, new_hash, mark, path),
            )

    # --- what list, show and playlist read ------------------------------------------------
    def entries(self) -> list[SongEntry]:
        """Every file with its analysis, by path."""
        rows = self.db.execute(
            f"SELECT f.path, f.size, f.mtime_ns, f.hash, f.error, {_prefixed('a')} "
            "FROM files f LEFT JOIN analyses a ON a.hash = f.hash ORDER BY f.path"
        ).fetchall()
        return [_entry(row) for row in rows]

    def entry(self, path: str) -> SongEntry | None:
        """The file at ``path`` with its analysis, or ``None`` if the library has no such file."""
        row = self.db.execute(
            f"SELECT f.path, f.size, f.mtime_ns, f.hash, f.error, {_prefixed('a')} "
            "FROM files f LEFT JOIN analyses a ON a.hash = f.hash WHERE f.path = ?",
            (path,),
        ).fetchone()
        return None if row is None else _entry(row)

    def analysis(self, hash_: str) -> Analysis | None:
        """The stored analysis of a content hash, if any."""
        row = self.db.execute(
            f"SELECT {_ANALYSIS_COLUMNS} FROM analyses WHERE hash = ?", (hash_,)
        ).fetchone()
        return None if row is None else _analysis(row)

    def counts(self) -> tuple[int, int]:
        """How many files and how many analyses the library holds."""
        files = self.db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        analyses = self.db.execute("SELECT COUNT(*) FROM analyses").fetchone()[0]
        return int(files), int(analyses)


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in _ANALYSIS_COLUMNS.split(", "))


def _entry(row: Sequence[Any]) -> SongEntry:
    path, size, mtime_ns, hash_, error = row[:5]
    analysis = None if row[5] is None else _analysis(row[5:])
    return SongEntry(
        path=path, size=size, mtime_ns=mtime_ns, hash=hash_, error=error, analysis=analysis
    )


def _analysis(row: Sequence[Any]) -> Analysis:
    hash_, version, duration_s, meter, bpm, mpm, dance, sections, dances, warnings = row[:10]
    error, error_kind, seconds = row[10:13]
    return Analysis(
        hash=hash_,
        version=version,
        duration_s=duration_s,
        meter=meter,
        bpm=bpm,
        mpm=mpm,
        dance=dance,
        sections=tuple(
            SectionInfo(start_s=s, end_s=e, meter=m, bpm=b, dance=d)
            for s, e, m, b, d in json.loads(sections)
        ),
        dances=tuple(DanceScore(name=n, score=sc) for n, sc in json.loads(dances)),
        warnings=tuple(json.loads(warnings)),
        error=error,
        error_kind=error_kind,
        seconds=seconds,
    )


@contextlib.contextmanager
def scan_lock(db_path: Path) -> Iterator[None]:
    """Hold the one scan's lock on the library at ``db_path`` (``DB.lock`` beside it).

    Raises
    ------
    InputError
        Another scan holds it (its pid is named).
    """
    lock_path = db_path.with_name(db_path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise InputError(
                db_path,
                f"another scan (pid {holder}) is writing this library; "
                "wait for it to finish, or use another --db",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock (and so does the process's death)
