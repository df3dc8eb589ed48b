"""Write a song's BPM and dance into its own tags, safely (``scan --write-tags``).

Fields: the BPM (ID3 ``TBPM``, Vorbis ``BPM``, MP4 ``tmpo``, WMA ``WM/BeatsPerMinute``),
a ``DANCE`` field (ID3 ``TXXX:DANCE``, Vorbis ``DANCE``, MP4
``----:com.apple.iTunes:DANCE``, WMA ``DANCE``) and the genre, set to the dance (ID3
``TCON``, Vorbis ``GENRE``, MP4 ``©gen``, WMA ``WM/Genre``), which players show and
ballroom DJ programs take the dance from. The BPM is whole beats a minute (ID3's rule),
counted as the dance counts them.

Safely: the file is copied beside itself (a hidden name), the copy's tags are written and
read back, the copy is checked to still open as audio, and only then moved over the
original (one rename). On any failure the copy is removed and the original is as it was.
Formats: MP3, WAV, AIFF (ID3 tags), FLAC, OGG Vorbis, Opus (Vorbis comments), M4A/MP4
and WMA; raw AAC, WebM and Matroska files carry no tags mutagen writes, and are refused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pasdeux.errors import InputError
from pasdeux.library._types import Analysis

__all__ = ["read_song_tags", "write_song_tags"]

_MP4_DANCE = "----:com.apple.iTunes:DANCE"


def write_song_tags(path: Path, analysis: Analysis) -> None:
    """Write ``analysis``'s BPM and dance into the tags of the file at ``path``.

    Raises
    ------
    InputError
        The format carries no tags pasdeux writes, or writing failed (the file is then
        untouched).
    """
    if analysis.bpm is None or analysis.dance is None:
        raise InputError(path, "has no analysis to write into its tags")
    before = os.stat(path)
    fd, name = tempfile.mkstemp(
        prefix=f".{path.stem}.pasdeux-tags-", suffix=path.suffix, dir=path.parent
    )
    os.close(fd)
    copy = Path(name)
    try:
        shutil.copyfile(path, copy)
        shutil.copystat(path, copy)
        _set_tags(copy, round(analysis.bpm), analysis.dance)
        if read_song_tags(copy) != (round(analysis.bpm), analysis.dance):
            raise InputError(copy, "tags not written (they did not read back)")
        _still_audio(copy)
        with open(copy, "rb") as handle:
            os.fsync(handle.fileno())
        now = os.stat(path)
        if (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            raise InputError(copy, "tags not written: the file changed while they were")
        os.replace(copy, path)
    except InputError as exc:  # about the copy: said of the file
        raise InputError(path, exc.problem) from None
    except OSError as exc:
        raise InputError(path, f"tags not written ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(OSError):
            copy.unlink()


def _open(path: Path) -> Any:
    import mutagen

    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError as exc:
        raise InputError(path, f"tags cannot be read ({exc})") from None
    if audio is None:
        raise InputError(path, f"pasdeux cannot write tags into {path.suffix or 'such'} files")
    return audio


def _set_tags(path: Path, bpm: int, dance: str) -> None:
    import mutagen
    from mutagen.asf import ASFTags
    from mutagen.flac import VCFLACDict
    from mutagen.id3 import ID3, TBPM, TCON, TXXX
    from mutagen.mp4 import MP4FreeForm, MP4Tags
    from mutagen.oggopus import OggOpusVComment
    from mutagen.oggvorbis import OggVCommentDict

    audio = _open(path)
    if audio.tags is None:
        try:
            audio.add_tags()
        except (mutagen.MutagenError, NotImplementedError):
            raise InputError(path, f"pasdeux cannot write tags into {path.suffix} files") from None
    tags = audio.tags
    if isinstance(tags, ID3):
        tags.setall("TBPM", [TBPM(encoding=3, text=[str(bpm)])])
        tags.setall("TCON", [TCON(encoding=3, text=[dance])])
        tags.delall("TXXX:DANCE")
        tags.add(TXXX(encoding=3, desc="DANCE", text=[dance]))
    elif isinstance(tags, MP4Tags):
        tags["tmpo"] = [bpm]
        tags["\xa9gen"] = [dance]
        tags[_MP4_DANCE] = [MP4FreeForm(dance.encode("utf-8"))]
    elif isinstance(tags, ASFTags):
        tags["WM/BeatsPerMinute"] = [str(bpm)]
        tags["WM/Genre"] = [dance]
        tags["DANCE"] = [dance]
    elif isinstance(tags, (VCFLACDict, OggOpusVComment, OggVCommentDict)):
        tags["BPM"] = [str(bpm)]
        tags["GENRE"] = [dance]
        tags["DANCE"] = [dance]
    else:
        raise InputError(path, f"pasdeux cannot write tags into {type(audio).__name__} files")
    try:
        audio.save()
    except mutagen.MutagenError as exc:
        raise InputError(path, f"tags not written ({exc})") from None


def read_song_tags(path: Path) -> tuple[int | None, str | None]:
    """The BPM and dance in the tags of the file at ``path`` (``None`` where missing)."""
    from mutagen.asf import ASFTags
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4Tags

    tags = _open(path).tags
    if tags is None:
        return None, None
    bpm: Any
    dance: Any
    if isinstance(tags, ID3):
        bpm = tags["TBPM"].text[0] if "TBPM" in tags else None
        dance = tags["TXXX:DANCE"].text[0] if "TXXX:DANCE" in tags else None
    elif isinstance(tags, MP4Tags):
        bpm = tags.get("tmpo", [None])[0]
        raw = tags.get(_MP4_DANCE, [None])[0]
        dance = None if raw is None else bytes(raw).decode("utf-8")
    elif isinstance(tags, ASFTags):
        bpm = str(tags["WM/BeatsPerMinute"][0]) if "WM/BeatsPerMinute" in tags else None
        dance = str(tags["DANCE"][0]) if "DANCE" in tags else None
    else:
        bpm = (tags.get("BPM") or [None])[0]
        dance = (tags.get("DANCE") or [None])[0]
    return (None if bpm is None else int(bpm)), (None if dance is None else str(dance))


def _still_audio(copy: Path) -> None:
    """Refuse a copy that no longer opens as audio (the tags broke it)."""
    from pasdeux.music import check_audio_file

    try:
        check_audio_file(copy)
    except InputError as exc:
        raise InputError(copy, f"tags not written (the tagged copy: {exc.problem})") from None
