"""Folders pasdeux writes into: a manifest of its files, staging folders, a writers' lock.

pasdeux never deletes or overwrites a file it did not write. Every folder it writes holds
a manifest (a small JSON file) naming each file it wrote with its size and SHA-256; a file
may be replaced only while it still matches its manifest entry. Output folders are built
in a hidden staging folder beside the target, named ``.NAME.pasdeux-PID-START-XXXX``
(``START`` is the process's start time in clock ticks, so a reused pid is told apart);
a staging folder whose process is gone (SIGKILL, power cut) is removed by the next run.
Writers into one parent folder take an exclusive ``flock`` on that folder while they
check and swap, so concurrent runs replace each other's output one at a time.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from pasdeux._json import write_text_atomic
from pasdeux.errors import InputError

__all__ = [
    "check_names_free",
    "check_replaceable",
    "clean_stale_staging",
    "folder_errors",
    "new_staging",
    "output_error",
    "probe_writable",
    "read_manifest",
    "replace_folder",
    "shown",
    "write_manifest",
    "writers_lock",
]

#: What a write into a folder may fail with that is about the folder, not about pasdeux.
_FOLDER_ERRNOS = {
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENAMETOOLONG: "file name too long",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EMLINK: "too many entries in the parent folder",
}
#: flock failures that mean "this file system has no locks", not "someone holds it".
_NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.EBADF, errno.EINVAL}
_STAGING = re.compile(r"^\.(?P<name>.+)\.pasdeux-(?P<pid>\d+)-(?P<start>\d+)-[^/]+$")
#: Staging folders of pasdeux before 0.x named by ``tempfile``: ``.NAME.XXXXXXXX`` and
#: ``.NAME.old.XXXXXXXX``.
_LEGACY_STAGING = r"^\.{name}\.(old\.)?[a-z0-9_]{{8}}$"


def shown(text: str | os.PathLike[str]) -> str:
    """``text`` (a path or a name from one) with undecodable bytes as U+FFFD, printable."""
    raw = os.fspath(text)
    try:
        return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return raw.encode("utf-8", "replace").decode("utf-8")


def output_error(folder: Path, exc: OSError) -> InputError | None:
    """The user error for ``exc`` raised writing ``folder``, or None if it is not one."""
    why = _FOLDER_ERRNOS.get(exc.errno or 0)
    return None if why is None else InputError(folder, f"cannot write here: {why}")


@contextlib.contextmanager
def folder_errors(folder: Path) -> Iterator[None]:
    """Raise the :func:`output_error` of an ``OSError`` about ``folder`` in the block."""
    try:
        yield
    except OSError as exc:
        if (mistake := output_error(folder, exc)) is None:
            raise
        raise mistake from None


def _digest(path: Path) -> dict[str, object]:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            sha.update(block)
    return {"size": path.stat().st_size, "sha256": sha.hexdigest()}


def write_manifest(
    folder: Path, marker: str, names: Iterable[str], keep: Mapping[str, object] | None = None
) -> None:
    """Write ``folder/marker``: each of ``names`` with its size and SHA-256.

    ``keep`` holds earlier entries to carry over (for a folder written in several runs).
    """
    files = dict(keep or {})
    files.update({name: _digest(folder / name) for name in sorted(names)})
    manifest = {"kind": "pasdeux-manifest", "schema": 1, "files": files}
    write_text_atomic(folder / marker, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def read_manifest(folder: Path, marker: str) -> dict[str, object] | None:
    """The files listed in ``folder/marker``; None if it is missing or not a pasdeux
    manifest (a marker of pasdeux before manifests, or a file of the user's by that name)."""
    try:
        data = json.loads((folder / marker).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("kind") != "pasdeux-manifest":
        return None
    files = data.get("files")
    return files if isinstance(files, dict) else None


def _is_legacy_marker(path: Path) -> bool:
    """Whether ``path`` is the marker pasdeux wrote before manifests (its exact text)."""
    try:
        return path.is_file() and path.read_bytes() == b"written by pasdeux\n"
    except OSError:
        return False


def _why_foreign(path: Path, entry: object) -> str | None:
    """Why pasdeux may not replace ``path`` given its manifest ``entry`` (None: it may)."""
    if path.is_symlink() or not path.is_file():
        return "was not written by pasdeux"
    if not isinstance(entry, dict):
        return "was not written by pasdeux"
    if path.stat().st_size != entry.get("size") or _digest(path) != entry:
        return "was changed since pasdeux wrote it"
    return None


def check_replaceable(folder: Path, marker: str, legacy_ok: Callable[[str], bool]) -> None:
    """Raise ``InputError`` unless every entry of the existing ``folder`` is pasdeux's.

    A folder that does not exist or is empty may be written. Otherwise it needs the
    ``marker`` file; each entry must be listed in the marker's manifest and unchanged. A
    marker without a manifest (from pasdeux before manifests) allows only the names
    ``legacy_ok`` accepts (unchecked: that version recorded no sizes or hashes).
    """
    if not folder.exists() and not folder.is_symlink():
        return
    if not folder.is_dir():
        raise InputError(folder, "exists and is not a folder; choose another -o")
    entries = sorted(p.name for p in folder.iterdir())
    if not entries:
        return
    if marker not in entries:
        more = f" and {len(entries) - 1} more" if len(entries) > 1 else ""
        raise InputError(
            folder,
            f"exists and is not a pasdeux output folder (it holds {shown(entries[0])}{more}); "
            "choose another -o",
        )
    files = read_manifest(folder, marker)
    if files is None and not _is_legacy_marker(folder / marker):
        raise InputError(
            folder / marker,
            f"was not written by pasdeux; pasdeux will not replace {folder}: move it away first",
        )
    for name in entries:
        if name == marker:
            continue
        if files is None:
            ok = legacy_ok(name) and (folder / name).is_file()
            why = None if ok else "was not written by pasdeux"
        else:
            why = _why_foreign(folder / name, files.get(name))
        if why is not None:
            raise InputError(
                folder / name, f"{why}; pasdeux will not replace {folder}: move it away first"
            )


def check_names_free(folder: Path, marker: str, names: Iterable[str]) -> dict[str, object]:
    """Raise ``InputError`` if writing ``names`` into ``folder`` would overwrite a file
    pasdeux did not write (or one changed since); returns the folder's manifest entries."""
    if folder.exists() and not folder.is_dir():
        raise InputError(folder, "exists and is not a folder")
    files = read_manifest(folder, marker) if folder.is_dir() else {}
    if files is None:
        if (folder / marker).exists() or (folder / marker).is_symlink():
            raise InputError(
                folder / marker, "was not written by pasdeux; pasdeux will not overwrite it"
            )
        files = {}
    for name in names:
        path = folder / name
        if path.exists() or path.is_symlink():
            why = _why_foreign(path, files.get(name))
            if why is not None:
                raise InputError(path, f"{why}; pasdeux will not overwrite it")
    return files


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _start_ticks(pid: int) -> int | None:
    """A process's start time in clock ticks since boot (Linux), None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


def _own_tag() -> str:
    pid = os.getpid()
    return f"{pid}-{_start_ticks(pid) or 0}"


def _alive(pid: int, start: int) -> bool:
    if Path("/proc/self/stat").exists():
        ticks = _start_ticks(pid)
        return ticks is not None and (start == 0 or ticks == start)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def new_staging(target: Path) -> Path:
    """A new, empty staging folder beside ``target`` named after this process."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.pasdeux-{_own_tag()}-", dir=target.parent)
    )
    staging.chmod(0o755)
    return staging


def probe_writable(target: Path, *, report: Path | None = None) -> None:
    """Raise ``InputError`` unless a folder can be made where ``target`` is to be written.

    Really creates and removes a staging folder (in the nearest existing ancestor when the
    parent does not exist yet): permission bits do not tell about read-only mounts. The
    error names ``report`` (default: ``target``).
    """
    anchor = _nearest_existing(target.parent)
    if not anchor.is_dir():
        raise InputError(anchor, "is not a folder")
    try:
        probe = tempfile.mkdtemp(prefix=f".{target.name}.pasdeux-{_own_tag()}-", dir=anchor)
        os.rmdir(probe)
    except OSError as exc:
        mapped = output_error(report or target, exc)
        if mapped is None:
            raise
        raise mapped from None


def _legacy_leftover(path: Path, target_name: str, pasdeux_name: Callable[[str], bool]) -> bool:
    if not re.match(_LEGACY_STAGING.format(name=re.escape(target_name)), path.name):
        return False
    if not path.is_dir() or path.is_symlink():
        return False
    return all(pasdeux_name(p.name) and p.is_file() for p in path.iterdir())


def clean_stale_staging(target: Path, pasdeux_name: Callable[[str], bool]) -> None:
    """Remove the staging folders beside ``target`` whose process is gone.

    Also removes leftovers of versions before staging names told their process (hidden
    ``.NAME.XXXXXXXX`` folders holding only files ``pasdeux_name`` accepts).
    """
    parent = target.parent
    if not parent.is_dir():
        return
    own = _own_tag()
    for path in parent.iterdir():
        m = _STAGING.match(path.name)
        if m is not None and path.is_dir() and not path.is_symlink():
            tag = f"{m['pid']}-{m['start']}"
            if tag != own and not _alive(int(m["pid"]), int(m["start"])):
                shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(f".{target.name}.") and _legacy_leftover(
            path, target.name, pasdeux_name
        ):
            shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def writers_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (waiting for other pasdeux writers)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            # A file system without locks (some network mounts): write unserialised.
            if exc.errno not in _NO_LOCKS:
                raise
        yield
    finally:
        os.close(fd)


def replace_folder(staging: Path, target: Path) -> None:
    """Move the finished ``staging`` folder to ``target``, replacing what is there.

    The caller holds :func:`writers_lock` on the parent and has checked ``target`` with
    :func:`check_replaceable`. If the second rename fails the old folder is put back.
    """
    if not target.exists():
        staging.rename(target)
        return
    old = staging.with_name(staging.name + "-old")
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
