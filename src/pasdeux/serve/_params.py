"""The local app's tunables, and where it keeps its jobs by default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_PORT", "HOST", "ServeParams", "default_workdir"]

#: The only address the app listens on: it runs jobs on this machine for this machine's
#: user, and is never reachable from the network.
HOST = "127.0.0.1"
#: The port ``pasdeux serve`` listens on unless told otherwise.
DEFAULT_PORT = 8765


@dataclass(frozen=True, kw_only=True)
class ServeParams:
    """What the local app allows and how it runs jobs.

    Attributes
    ----------
    max_upload_bytes : int
        The largest song accepted (bytes of the uploaded file); counted while the upload
        streams in, so a larger one is refused (HTTP 413) without being stored whole.
    max_form_bytes : int
        What an upload may carry besides the song: the options and the multipart
        framing (bytes).
    max_field_bytes : int
        The longest option value (bytes).
    workers : int
        Jobs that run at once, each in a process of its own; more wait in turn. Each job
        takes one core for most of its time (the beat networks take more briefly).
    max_song_s : float
        The longest song a job accepts (seconds), as ``pasdeux dance --max-minutes``.
    check_decode_s : float
        How much of an upload is decoded before it is accepted (seconds from its start):
        a file whose header is audio but whose data does not decode, or that is cut or
        too short to find a beat in, is refused then (HTTP 400) instead of failing as a
        job. At least the 5 s a song needs.
    stop_timeout_s : float
        How long a job stopped by the app's shutdown is given to remove its half-written
        output before its process is killed (seconds).
    live_sessions : int
        Live sessions kept in memory ("You lead"); the oldest is dropped past it.
    allowed_hosts : tuple of str
        The ``Host`` headers answered (others get HTTP 400): the loopback names only, so
        that a web page from elsewhere cannot reach the app through DNS rebinding.
    """

    max_upload_bytes: int = 200_000_000
    max_form_bytes: int = 65_536
    max_field_bytes: int = 256
    workers: int = 2
    max_song_s: float = 3600.0
    check_decode_s: float = 10.0
    stop_timeout_s: float = 10.0
    live_sessions: int = 8
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")

    def __post_init__(self) -> None:
        for name in (
            "max_upload_bytes",
            "max_form_bytes",
            "max_field_bytes",
            "workers",
            "live_sessions",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        if not 5.0 <= self.check_decode_s < float("inf"):
            raise ValueError(f"check_decode_s must be at least 5 s, got {self.check_decode_s!r}")
        for name in ("max_song_s", "stop_timeout_s"):
            if not 0.0 < getattr(self, name) < float("inf"):
                raise ValueError(f"{name} must be a positive number, got {getattr(self, name)!r}")
        if not self.allowed_hosts:
            raise ValueError("allowed_hosts must name at least one host")


def default_workdir() -> Path:
    """The app's working folder unless told otherwise: ``pasdeux/serve`` in the user's
    cache folder (``$XDG_CACHE_HOME``, else ``~/.cache``).

    The cache, not the current folder: jobs are large (a copy of each song and its
    outputs) and can be made again, which is what a cache folder is for, and the app
    may be started from anywhere (a source tree, the home folder).
    """
    cache = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(cache) if Path(cache).is_absolute() else Path.home() / ".cache"
    return base / "pasdeux" / "serve"
