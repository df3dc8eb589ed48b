"""What runs in a job's own process: ``pasdeux dance``'s pipeline, its progress written
into the job's folder for the app to read.

A job's folder holds ``input/`` (the song), ``job.json`` (what was asked),
``events.jsonl`` (one progress line a line, appended as the pipeline reports),
``result.json`` (written last, atomically: done or failed with its one-line error),
``out/`` (the folder ``pasdeux dance`` writes, complete or absent), ``process.log`` (what
the process printed, normally nothing) and, once downloaded, ``result.zip``.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from pasdeux._folder import shown
from pasdeux._json import write_json_atomic
from pasdeux.errors import InputError, PasdeuxError

__all__ = [
    "EVENTS_FILE",
    "OUTPUT_DIR",
    "RESULT_FILE",
    "STAGES",
    "JobOptions",
    "main",
    "one_line",
    "run_job",
    "stage_after",
]

EVENTS_FILE = "events.jsonl"
RESULT_FILE = "result.json"
OUTPUT_DIR = "out"
#: The stages a job goes through, in order (listen, choreograph, perform, write).
STAGES = ("listen", "choreograph", "move", "write")
#: The progress lines of :func:`pasdeux._run.run_dance` that start a stage (every line
#: before the first of them is the listening; the writing's lines start ``writing``).
_STAGE_STARTS = {"choreographing": "choreograph", "performing": "move"}


@dataclass(frozen=True, kw_only=True)
class JobOptions:
    """The options of ``pasdeux dance`` a job is run with.

    Attributes
    ----------
    style : str or None
        A dance of the library, or ``None`` for the one that suits each section.
    level : str
        The highest figure level.
    floor_m : tuple of float
        The floor's width and depth (metres).
    seed : int
        Which of the routines for the song.
    heights_m : tuple of float or None
        The leader's and the follower's heights (metres), or ``None`` for the defaults.
    """

    style: str | None = None
    level: str = "newcomer"
    floor_m: tuple[float, float] = (10.0, 8.0)
    seed: int = 0
    heights_m: tuple[float, float] | None = None

    def check(self) -> None:
        """Refuse what ``pasdeux dance`` would refuse, before any work.

        Raises
        ------
        InputError
            An unknown dance or level, a floor, seed or height out of range.
        """
        from pasdeux.choreo import check_options
        from pasdeux.motion import MotionParams

        check_options(style=self.style, level=self.level, floor_m=self.floor_m, seed=self.seed)
        if self.heights_m is not None:
            leader, follower = self.heights_m
            try:
                MotionParams(leader_height_m=leader, follower_height_m=follower)
            except ValueError as exc:
                raise InputError(None, f"heights {leader:g}, {follower:g} m: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        """The options as JSON (``style`` ``"auto"`` for ``None``)."""
        return {
            "style": self.style or "auto",
            "level": self.level,
            "floor_m": list(self.floor_m),
            "seed": self.seed,
            "heights_m": None if self.heights_m is None else list(self.heights_m),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobOptions:
        """The options :meth:`to_dict` wrote."""
        heights = data.get("heights_m")
        width, depth = data["floor_m"]
        return cls(
            style=None if data["style"] == "auto" else str(data["style"]),
            level=str(data["level"]),
            floor_m=(float(width), float(depth)),
            seed=int(data["seed"]),
            heights_m=None if heights is None else (float(heights[0]), float(heights[1])),
        )


def one_line(text: str) -> str:
    """``text`` as one printable line (line breaks and control characters escaped)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown(text))


def stage_after(stage: str, message: str) -> str:
    """The stage a job is in after the pipeline said ``message`` during ``stage``."""
    if message.startswith("writing "):
        return "write"
    return _STAGE_STARTS.get(message, stage)


class _EventLog:
    """The ``progress`` callback of a job: each line, with its stage and the seconds since
    the start, appended to ``events.jsonl`` (the song's path shown as its name)."""

    def __init__(self, path: Path, song: Path, song_name: str) -> None:
        self.path = path
        self.stage = STAGES[0]
        self.start = time.monotonic()
        self._song = str(song)
        self._song_name = song_name

    def __call__(self, message: str) -> None:
        self.stage = stage_after(self.stage, message)
        event = {
            "t": round(time.monotonic() - self.start, 3),
            "stage": self.stage,
            "message": one_line(message.replace(self._song, self._song_name)),
        }
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(event) + "\n")


class _Stopped(KeyboardInterrupt):
    """SIGTERM from the app's shutdown, raised where the job is so that the pipeline's
    cleanup (its staging folder) runs on the way out."""


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise _Stopped


def run_job(folder: str, song: str, song_name: str, options: JobOptions, max_song_s: float) -> None:
    """Run one job in this process (the entry point of a job's process).

    Parameters
    ----------
    folder
        The job's folder: progress goes to its ``events.jsonl``, the outputs to ``out/``
        and the outcome to ``result.json``.
    song
        The song's file (inside ``folder``).
    song_name
        The name the song was uploaded with, shown in messages instead of its path.
    options
        The options of ``pasdeux dance``.
    max_song_s
        The longest song accepted (seconds).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the app decides when its jobs stop
    signal.signal(signal.SIGTERM, _stop)
    root = Path(folder)
    log = _EventLog(root / EVENTS_FILE, Path(song), song_name)
    start, started_at = time.monotonic(), time.time()
    try:
        result = _dance(root, Path(song), song_name, options, max_song_s, log)
    except _Stopped:
        result = {"state": "failed", "error": "stopped: the app was shut down"}
    result["seconds"] = round(time.monotonic() - start, 3)
    result["started_at"], result["ended_at"] = started_at, time.time()
    write_json_atomic(root / RESULT_FILE, result)


def _dance(
    root: Path,
    song: Path,
    song_name: str,
    options: JobOptions,
    max_song_s: float,
    log: _EventLog,
) -> dict[str, Any]:
    """Run the pipeline; the job's outcome as JSON (an error as one line)."""
    try:
        from pasdeux._run import run_dance
        from pasdeux.music import AudioLimits

        result = run_dance(
            song,
            root / OUTPUT_DIR,
            style=options.style,
            level=options.level,
            floor_m=options.floor_m,
            seed=options.seed,
            heights_m=options.heights_m,
            progress=log,
            limits=AudioLimits(max_duration_s=max_song_s),
        )
    except InputError as exc:
        where = f"{song_name}: " if exc.path == str(song) else ""
        return {"state": "failed", "error": one_line(where + exc.problem)}
    except PasdeuxError as exc:
        return {"state": "failed", "error": one_line(f"internal error: {exc}")}
    except Exception as exc:
        return {
            "state": "failed",
            "error": one_line(f"internal error ({type(exc).__name__}: {exc})"),
        }
    dances = list(dict.fromkeys(p.dance for p in result.routine.figures))
    summary = (
        f"{len(result.routine.figures)} figures of {', '.join(dances)} on "
        f"{len(result.music.bars)} bars ({result.music.duration_s:.0f} s)"
    )
    return {"state": "done", "summary": summary}


def main(argv: list[str]) -> int:
    """The job's process: ``python -c ... FOLDER MAX_SONG_S`` runs the job ``FOLDER``'s
    ``job.json`` describes (see :func:`run_job`); returns the exit code (0: the outcome,
    done or failed, is in ``result.json``)."""
    folder, max_song_s = Path(argv[0]), float(argv[1])
    data = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    song = folder / "input" / str(data["song_file"])
    options = JobOptions.from_dict(data["options"])
    run_job(str(folder), str(song), str(data["song_name"]), options, max_song_s)
    sys.stdout.flush()
    return 0
