"""What ``library list`` and ``library show`` look up."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pasdeux.errors import InputError
from pasdeux.library._db import Library
from pasdeux.library._types import SongEntry

__all__ = ["filter_entries", "find_entry"]


def filter_entries(
    entries: Sequence[SongEntry],
    *,
    dance: str | None = None,
    mpm: tuple[float, float] | None = None,
    meter: int | None = None,
) -> list[SongEntry]:
    """The analysed songs of ``entries`` whose best dance is ``dance`` (a name or alias),
    whose MPM is within ``mpm`` (inclusive) and whose meter is ``meter``; ``None`` keeps
    all. Files not analysed, or whose analysis failed, are left out.

    Raises
    ------
    InputError
        ``dance`` is not a dance of the library.
    """
    name = None
    if dance is not None:
        from pasdeux.dances import find_style

        name = find_style(dance).name
    kept = []
    for e in entries:
        a = e.analysis
        if a is None or not a.ok or a.mpm is None:
            continue
        if name is not None and a.dance != name:
            continue
        if mpm is not None and not mpm[0] <= a.mpm <= mpm[1]:
            continue
        if meter is not None and a.meter != meter:
            continue
        kept.append(e)
    return kept


def find_entry(lib: Library, path: Path, hash_block_bytes: int = 1 << 20) -> SongEntry:
    """The library's entry for the file at ``path``; a file the library has not seen at
    that path is hashed, and found by its content if a copy of it was analysed.

    Raises
    ------
    InputError
        The library knows neither the path nor the content.
    """
    from pasdeux.library._scan import hash_file

    full = os.path.abspath(path)
    resolved = str(Path(full).resolve()) if os.path.exists(full) else full
    entry = lib.entry(resolved) or lib.entry(full)
    if entry is not None:
        return entry
    if not os.path.isfile(full):
        raise InputError(path, "no such file in the library (scan its folder first)")
    try:
        digest = hash_file(full, hash_block_bytes)
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    analysis = lib.analysis(digest)
    if analysis is None:
        raise InputError(path, "not in the library yet (scan its folder first)")
    st = os.stat(full)
    return SongEntry(
        path=resolved, size=st.st_size, mtime_ns=st.st_mtime_ns, hash=digest, error=None,
        analysis=analysis,
    )  # fmt: skip
