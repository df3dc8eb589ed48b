"""Write a whole output folder, all or nothing."""

from __future__ import annotations

import contextlib
import errno
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from pasdeux._folder import (
    check_replaceable,
    clean_stale_staging,
    folder_errors,
    new_staging,
    output_error,
    probe_writable,
    replace_folder,
    write_manifest,
    writers_lock,
)
from pasdeux._json import write_json_atomic, write_text_atomic
from pasdeux.choreo import FollowedStep, Routine
from pasdeux.errors import InputError
from pasdeux.export._bvh import write_bvh
from pasdeux.export._stepsheet import stepsheet_html, stepsheet_markdown
from pasdeux.motion import Performance
from pasdeux.music import MusicMap
from pasdeux.render import viewer_payload, write_viewer

__all__ = ["OUTPUT_FILES", "check_output_folder", "output_error", "write_outputs"]

OUTPUT_FILES = (
    "index.html",
    "music.json",
    "routine.json",
    "performance.json",
    "leader.bvh",
    "follower.bvh",
    "stepsheet.html",
    "stepsheet.md",
)
_MARKER = ".pasdeux-output"


def write_outputs(
    out_dir: str | Path,
    audio_path: str | Path,
    music: MusicMap,
    routine: Routine,
    performance: Performance,
    *,
    title: str,
    progress: Callable[[str], None] | None = None,
    heard: MusicMap | None = None,
    reading: Sequence[FollowedStep] | None = None,
) -> Path:
    """Write every output file into ``out_dir`` atomically.

    Everything is written into a hidden staging folder beside ``out_dir`` first and moved
    into place only when complete, so a failure leaves no folder that looks finished. An
    existing ``out_dir`` is replaced only if it is empty or an earlier pasdeux output
    whose files are all listed, unchanged, in its manifest (see
    :func:`check_output_folder`); the new folder's marker file lists every file written
    with its size and SHA-256. Writers into one parent folder take turns (a lock).
    ``heard`` is the music as heard when ``music`` is it as danced (the viewer shows the
    music's count beside the dance's where they differ). ``reading`` is the follower's own
    steps when she read the leader (the step sheet and the viewer say where she read him
    wrong).

    Raises
    ------
    InputError
        If ``out_dir`` may not be replaced, or the file system refuses the write (read-only,
        full, permission denied): nothing is left half-written.

    Returns
    -------
    Path
        The path of ``index.html``.
    """
    out = check_output_folder(out_dir)
    try:
        staging = new_staging(out)
    except OSError as exc:
        raise (_user_error(exc, out, audio_path) or exc) from None
    try:
        audio = Path(audio_path)
        audio_name = _song_copy_name(audio)
        shutil.copyfile(audio, staging / audio_name)
        say = progress or (lambda _msg: None)
        say("writing music.json, routine.json, performance.json")
        write_json_atomic(staging / "music.json", music.to_dict())
        write_json_atomic(staging / "routine.json", routine.to_dict())
        performance.save(staging / "performance.json")
        say("writing leader.bvh, follower.bvh")
        for dancer in performance.dancers:
            write_bvh(staging / f"{dancer.role}.bvh", dancer, performance.fps)
        say("writing stepsheet.md, stepsheet.html, index.html")
        write_text_atomic(
            staging / "stepsheet.md", stepsheet_markdown(music, routine, title, reading)
        )
        write_text_atomic(
            staging / "stepsheet.html", stepsheet_html(music, routine, title, reading)
        )
        write_viewer(
            staging / "index.html",
            viewer_payload(
                music, routine, performance, audio_name, title, heard=heard, reading=reading
            ),
        )
        write_manifest(staging, _MARKER, (p.name for p in staging.iterdir()))
        with writers_lock(out.parent):
            check_replaceable(out, _MARKER, _legacy_name)
            replace_folder(staging, out)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError) and (mistake := _user_error(exc, out, audio_path)):
            raise mistake from None
        raise
    return out / "index.html"


def _song_copy_name(audio: Path) -> str:
    """``song`` with the song's extension when it is a plain one (``song.ogg``), so the
    name is safe in HTML, JSON and on any file system; else ``song.audio``."""
    suffix = audio.suffix.lower()
    return "song" + (suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) else ".audio")


def _legacy_name(name: str) -> bool:
    """Whether ``name`` is one pasdeux writes into an output folder.

    An output folder written before manifests (its marker says only "written by pasdeux")
    is replaced only if it holds nothing but these names: its files cannot be checked
    for changes, but nothing else in it is deleted.
    """
    return (
        name in OUTPUT_FILES
        or name == _MARKER
        or re.fullmatch(r"song\.[a-z0-9]+", name) is not None
    )


def _staged_name(name: str) -> bool:
    """A file found in a staging folder of an earlier version: pasdeux's or its temp file."""
    m = re.fullmatch(r"\.(.+)\.[a-z0-9_]{8}", name)
    return _legacy_name(name) or (m is not None and _legacy_name(m[1]))


def check_output_folder(out_dir: str | Path) -> Path:
    """Check that pasdeux may write the output folder ``out_dir``; returns its full path.

    Run before any analysis: the folder must be new, empty, or an earlier pasdeux output
    whose every file is pasdeux's and unchanged (checked against its manifest), and a
    folder must be creatable beside it (really tried, so read-only mounts are caught).
    Staging folders left beside it by runs that were killed are removed.

    Raises
    ------
    InputError
        Naming the folder (or the file in it that pasdeux did not write) and the problem.
    """
    out = Path(out_dir).absolute()
    with folder_errors(out):  # a path too long or through a file is the user's mistake too
        out = out.resolve()
        parent_exists = out.parent.is_dir()
        with writers_lock(out.parent) if parent_exists else contextlib.nullcontext():
            check_replaceable(out, _MARKER, _legacy_name)
            if parent_exists:
                clean_stale_staging(out, _staged_name)
        probe_writable(out)
    return out


def _user_error(exc: OSError, out: Path, audio_path: str | Path) -> InputError | None:
    """The user error ``exc`` is when it is about writing ``out`` (None: it is not one)."""
    reading_song = exc.filename is not None and exc.filename == str(audio_path)
    if reading_song and exc.errno not in (errno.ENOSPC, errno.EDQUOT):
        return None
    return output_error(out, exc)
