"""Practice sets: songs of the library in the order of a competition round, as M3U.

The dances asked are danced in the order of a competition round (the Standard round:
Waltz, Tango, Viennese Waltz, Slow Foxtrot, Quickstep; the Latin one: Cha Cha, Samba,
Rumba, Paso Doble, Jive; other dances after them, in the order given), round after round
until the set is as long as asked. A song is a candidate for a dance when the library's
best dance for it is that dance and its tempo lies inside the dance's tempo range in its
meter (the dance library's ranges); the songs nearest the middle of the range come first,
and no song (no content: two copies of a file are one song) comes twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pasdeux.errors import InputError
from pasdeux.library._types import SongEntry

__all__ = ["COMPETITION_ORDER", "PlaylistItem", "build_playlist", "write_m3u"]

#: The order of the dances in a competition round (Standard, then Latin).
COMPETITION_ORDER = (
    "Waltz", "Tango", "Viennese Waltz", "Slow Foxtrot", "Quickstep",
    "Cha Cha", "Samba", "Rumba", "Paso Doble", "Jive",
)  # fmt: skip

_HEADER = "# written by pasdeux library playlist"


@dataclass(frozen=True, kw_only=True)
class PlaylistItem:
    """One song of a set, with the dance it is played for."""

    path: str
    dance: str
    mpm: float
    bpm: float
    meter: int
    duration_s: float


def _candidates(entries: Sequence[SongEntry], dance: str) -> list[PlaylistItem]:
    """The songs for ``dance``, nearest the middle of its tempo range first."""
    from pasdeux.dances import find_style

    style = find_style(dance)
    scored: list[tuple[float, str, PlaylistItem]] = []
    for e in entries:
        a = e.analysis
        if a is None or not a.ok or a.dance != style.name or a.mpm is None:
            continue
        assert a.bpm is not None and a.meter is not None and a.duration_s is not None
        for t in style.tempos:
            if t.meter == a.meter and t.mpm_min <= a.mpm <= t.mpm_max:
                off = abs(a.mpm - (t.mpm_min + t.mpm_max) / 2) / max(t.mpm_max - t.mpm_min, 1e-9)
                item = PlaylistItem(
                    path=e.path, dance=style.name, mpm=a.mpm, bpm=a.bpm, meter=a.meter,
                    duration_s=a.duration_s,
                )  # fmt: skip
                scored.append((off, e.path, item))
                break
    return [item for _, _, item in sorted(scored, key=lambda s: (s[0], s[1]))]


def _why_none(entries: Sequence[SongEntry], dance: str) -> str:
    """Why no song fits ``dance``: none has it as its best dance, or those that have it lie
    outside its tempo ranges (named)."""
    from pasdeux.dances import find_style

    style = find_style(dance)
    outside = [
        e
        for e in entries
        if e.analysis is not None and e.analysis.ok and e.analysis.dance == style.name
    ]
    if not outside:
        return f"{style.name} (no song has it as its best dance)"
    ranges = " or ".join(f"{t.mpm_min:g}-{t.mpm_max:g} MPM in {t.meter}/4" for t in style.tempos)
    return f"{style.name} ({len(outside)} song(s) with it as their best dance, outside {ranges})"


def build_playlist(
    entries: Sequence[SongEntry], dances: Sequence[str], minutes: float
) -> tuple[list[PlaylistItem], list[str]]:
    """A practice set of about ``minutes`` from ``entries``.

    Parameters
    ----------
    entries
        The library's files with their analyses.
    dances
        Dance names (or aliases, as ``pasdeux figures`` knows them).
    minutes
        How long the set should be; songs are added round by round until it is reached
        (the last song may run past it) or no dance has a song left.

    Returns
    -------
    items, warnings
        The songs in play order, and one line for each dance without (enough) songs.

    Raises
    ------
    InputError
        An unknown dance; no song fits any of the dances.
    """
    from pasdeux.dances import find_style

    names = list(dict.fromkeys(find_style(d).name for d in dances))
    rank = {n: i for i, n in enumerate(COMPETITION_ORDER)}
    names.sort(key=lambda n: rank.get(n, len(rank)))
    hashes = {e.path: e.hash for e in entries}
    pools = {n: _candidates(entries, n) for n in names}
    empty = [_why_none(entries, n) for n in names if not pools[n]]
    warnings = [f"warning: no song in the library fits {why}" for why in empty]
    if not any(pools.values()):
        raise InputError(None, f"no song in the library fits {'; '.join(empty)}; scan more songs")
    used: set[str | None] = set()
    items: list[PlaylistItem] = []
    total_s = 0.0
    while total_s < 60.0 * minutes and any(pools.values()):
        for name in names:
            pool = pools[name]
            while pool and hashes[pool[0].path] in used:
                pool.pop(0)
            if not pool or total_s >= 60.0 * minutes:
                continue
            item = pool.pop(0)
            used.add(hashes[item.path])
            items.append(item)
            total_s += item.duration_s
    if total_s < 60.0 * minutes:
        warnings.append(
            f"warning: the set is {total_s / 60:.1f} minutes: the library has no more songs "
            f"that fit {', '.join(names)}"
        )
    return items, warnings


def write_m3u(items: Sequence[PlaylistItem], out: Path, title: str) -> None:
    """Write ``items`` as an extended M3U (UTF-8) at ``out``, each with its dance and MPM.

    Raises
    ------
    InputError
        ``out`` is a file pasdeux did not write (it is never overwritten), or its folder
        does not exist or cannot be written.
    """
    from pasdeux._json import write_text_atomic

    if out.exists():
        head = out.read_bytes()[:200].decode("utf-8", "replace").splitlines()
        if out.is_dir() or _HEADER not in head[:3]:
            raise InputError(out, "exists and was not written by pasdeux; choose another name")
    if not out.parent.is_dir():
        raise InputError(out.parent, "no such folder")
    lines = ["#EXTM3U", f"#PLAYLIST:{title}", _HEADER]
    for item in items:
        name = Path(item.path).stem
        lines.append(f"#EXTINF:{round(item.duration_s)},{item.dance} ({item.mpm:.1f} MPM) - {name}")
        lines.append(
            f"# dance: {item.dance}; {item.mpm:.1f} MPM; {item.bpm:.1f} BPM; {item.meter}/4"
        )
        lines.append(item.path)
    try:
        write_text_atomic(out, "\n".join(lines) + "\n")
    except OSError as exc:
        raise InputError(out, f"cannot be written ({exc.strerror or exc})") from None
