"""The library's tunables, and where it keeps its database by default."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["AUDIO_EXTENSIONS", "LibraryParams", "default_db_path"]

#: File names a scan takes for songs: the formats ``pasdeux analyze`` reads (libsndfile's
#: WAV, AIFF, FLAC, OGG Vorbis, Opus and MP3; ffmpeg's M4A/AAC, WMA, WebM and Matroska
#: audio). Video containers (``.mp4``, ``.mov``, ``.mkv``) are left out of a music scan.
AUDIO_EXTENSIONS = frozenset(
    {
        ".wav", ".wave", ".aif", ".aiff", ".aifc", ".flac", ".ogg", ".oga", ".opus",
        ".mp3", ".m4a", ".m4b", ".aac", ".wma", ".webm", ".mka",
    }
)  # fmt: skip


def default_db_path() -> Path:
    """The library's database when ``--db`` is not given: ``library.sqlite`` in the user's
    data folder (``~/.local/share/pasdeux`` on Linux, as :mod:`platformdirs` says)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("pasdeux", appauthor=False)) / "library.sqlite"


@dataclass(frozen=True, kw_only=True)
class LibraryParams:
    """How a scan finds, analyses and stores songs.

    Attributes
    ----------
    extensions : frozenset of str
        File name endings (lower case, with the dot) taken for songs.
    max_song_s : float
        The longest song analysed (seconds), as ``pasdeux analyze --max-minutes``; a longer
        one is recorded with its error.
    hash_block_bytes : int
        Bytes read at a time while hashing a file's content.
    in_flight_per_worker : int
        Analyses handed to each worker ahead of its results (keeps the workers busy without
        queueing the whole collection in memory).
    busy_timeout_s : float
        How long a command waits for another's write to the database to finish (seconds).
    progress_every_s : float
        How often the progress bar is redrawn on a terminal (seconds); elsewhere (a log
        file) a line is written ten times less often.
    parent_poll_s : float
        How often a worker checks that the scan that started it is still alive (seconds);
        an orphaned worker (its scan was killed) exits.
    ray_object_store_bytes : int
        The object store of a local Ray cluster (``--ray local``), in bytes: the results
        are small, so a small store spares the memory Ray would reserve by default.
    """

    extensions: frozenset[str] = AUDIO_EXTENSIONS
    max_song_s: float = 3600.0
    hash_block_bytes: int = 1 << 20
    in_flight_per_worker: int = 2
    busy_timeout_s: float = 30.0
    progress_every_s: float = 0.5
    parent_poll_s: float = 1.0
    ray_object_store_bytes: int = 100_000_000

    def __post_init__(self) -> None:
        for name in ("hash_block_bytes", "in_flight_per_worker", "ray_object_store_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        for name in ("max_song_s", "busy_timeout_s", "progress_every_s", "parent_poll_s"):
            if not 0.0 < getattr(self, name) < float("inf"):
                raise ValueError(f"{name} must be a positive number, got {getattr(self, name)!r}")
        if not all(e.startswith(".") and e == e.lower() for e in self.extensions):
            raise ValueError("extensions must be lower case and start with a dot")
