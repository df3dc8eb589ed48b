"""The library's values: one file's analysis as stored, and a file with its analysis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Analysis", "DanceScore", "ErrorKind", "SectionInfo", "SongEntry"]

#: ``"input"``: the file is bad (not audio, truncated to nothing, no danceable beat): kept
#: until the file changes. ``"internal"``: pasdeux failed: tried again by the next scan.
ErrorKind = Literal["input", "internal"]


@dataclass(frozen=True, kw_only=True)
class SectionInfo:
    """A section of a song as ``pasdeux analyze`` gives it: a stretch with one meter and
    tempo, and the dance that suits it."""

    start_s: float
    end_s: float
    meter: int
    bpm: float
    dance: str


@dataclass(frozen=True, kw_only=True)
class DanceScore:
    """One ranked dance: its name (as in the dance library) and its score in [0, 1]."""

    name: str
    score: float


@dataclass(frozen=True, kw_only=True)
class Analysis:
    """What a scan keeps of one song's analysis, by the hash of the file's content.

    ``dance`` is the best-ranked dance (``pasdeux analyze``'s first dance), ``bpm`` and
    ``mpm`` the song's main tempo. A failed analysis has ``error`` (one line, without the
    file's name) and its ``error_kind``, and no measures.
    """

    hash: str
    version: str
    duration_s: float | None = None
    meter: int | None = None
    bpm: float | None = None
    mpm: float | None = None
    dance: str | None = None
    sections: tuple[SectionInfo, ...] = ()
    dances: tuple[DanceScore, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    error_kind: ErrorKind | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the song was analysed (no error)."""
        return self.error is None

    def to_jsonable(self) -> dict[str, Any]:
        """The analysis as plain JSON values."""
        return {
            "hash": self.hash,
            "version": self.version,
            "duration_s": self.duration_s,
            "meter": self.meter,
            "bpm": self.bpm,
            "mpm": self.mpm,
            "dance": self.dance,
            "sections": [
                {
                    "start": s.start_s,
                    "end": s.end_s,
                    "meter": s.meter,
                    "bpm": s.bpm,
                    "dance": s.dance,
                }
                for s in self.sections
            ],
            "dances": [{"name": d.name, "score": d.score} for d in self.dances],
            "warnings": list(self.warnings),
            "error": self.error,
            "error_kind": self.error_kind,
        }


@dataclass(frozen=True, kw_only=True)
class SongEntry:
    """A file of the collection as the library last saw it, with its content's analysis
    (``None`` until analysed; ``error`` when the file itself could not be read)."""

    path: str
    size: int
    mtime_ns: int
    hash: str | None
    error: str | None
    analysis: Analysis | None

    def to_jsonable(self) -> dict[str, Any]:
        """The entry as plain JSON values."""
        out: dict[str, Any] = {"path": self.path, "size": self.size, "hash": self.hash}
        if self.error is not None:
            out["error"] = self.error
        if self.analysis is not None:
            fields = self.analysis.to_jsonable()
            fields.pop("hash")
            out.update(fields)
        return out
