"""A dance-music library: a collection's songs analysed once, kept in SQLite, played by dance.

:func:`scan_library` finds the songs under folders, analyses the new and changed ones (in
worker processes here, or as Ray tasks on a cluster) exactly as ``pasdeux analyze`` does,
and stores each in a :class:`Library` (SQLite in WAL mode; files by path, analyses by the
hash of their content, so a moved file is recognised). :func:`filter_entries` and
:func:`find_entry` answer ``library list`` and ``library show``; :func:`build_playlist`
and :func:`write_m3u` make a practice set in the order of a competition round;
:func:`write_song_tags` writes the BPM and dance into a file's tags, safely. Tunables are
in :class:`LibraryParams`.
"""

from __future__ import annotations

from pasdeux.library._db import SCHEMA, Library, scan_lock
from pasdeux.library._params import AUDIO_EXTENSIONS, LibraryParams, default_db_path
from pasdeux.library._playlist import COMPETITION_ORDER, PlaylistItem, build_playlist, write_m3u
from pasdeux.library._query import filter_entries, find_entry
from pasdeux.library._scan import (
    ScanReport,
    analysis_version,
    find_songs,
    hash_file,
    scan_library,
)
from pasdeux.library._tags import read_song_tags, write_song_tags
from pasdeux.library._types import Analysis, DanceScore, SectionInfo, SongEntry

__all__ = [
    "AUDIO_EXTENSIONS",
    "COMPETITION_ORDER",
    "SCHEMA",
    "Analysis",
    "DanceScore",
    "Library",
    "LibraryParams",
    "PlaylistItem",
    "ScanReport",
    "SectionInfo",
    "SongEntry",
    "analysis_version",
    "build_playlist",
    "default_db_path",
    "filter_entries",
    "find_entry",
    "find_songs",
    "hash_file",
    "read_song_tags",
    "scan_library",
    "scan_lock",
    "write_m3u",
    "write_song_tags",
]
