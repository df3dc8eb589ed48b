"""One song's analysis, as a worker process (or a Ray task) runs it.

The analysis is :func:`pasdeux.music.listen`, called exactly as ``pasdeux analyze`` calls
it, so that the dances stored are the ones ``analyze`` prints. An
:class:`~pasdeux.errors.InputError` (the file is not audio, too short, has no danceable
beat...) is the file's error; any other exception is an internal error, which the next
scan tries again. This module imports nothing heavy at the top: workers load the music
stage when they analyse.
"""

from __future__ import annotations

import os
import resource
import signal
import threading
import time
from dataclasses import dataclass

from pasdeux.library._types import Analysis, DanceScore, SectionInfo

__all__ = ["THREAD_VARIABLES", "AnalysisTask", "Outcome", "analyse", "init_worker"]

#: The numeric libraries' thread counts, set to 1 in a worker process (as Ray does).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True, kw_only=True)
class AnalysisTask:
    """What a worker is asked: analyse the file at ``path`` whose content hash is ``hash``."""

    path: str
    hash: str
    version: str
    max_song_s: float


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """A worker's answer: the analysis, the worker (host and process id), its peak memory
    so far (MB) and the CPU time the analysis took (s, every thread of the worker)."""

    path: str
    analysis: Analysis
    worker: str
    peak_rss_mb: float
    cpu_s: float = 0.0


def analyse(task: AnalysisTask) -> Outcome:
    """Analyse one file as ``pasdeux analyze`` does.

    Parameters
    ----------
    task
        The file, its content hash, the analysis version to stamp, the longest song taken.

    Returns
    -------
    Outcome
        The analysis (or the file's error), with the worker's peak memory so far.
    """
    start = time.perf_counter()
    cpu = time.process_time()
    try:
        analysis = _listen(task)
    except Exception as exc:  # one file's failure is that file's error: the scan goes on
        from pasdeux.errors import InputError

        bad_input = isinstance(exc, InputError)
        message = exc.problem if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        analysis = Analysis(
            hash=task.hash,
            version=task.version,
            error=" ".join(message.split()),
            error_kind="input" if bad_input else "internal",
        )
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return Outcome(
        path=task.path,
        analysis=_with_seconds(analysis, seconds),
        worker=f"{os.uname().nodename}:{os.getpid()}",
        peak_rss_mb=peak_kb / 1024.0,
        cpu_s=time.process_time() - cpu,
    )


def _listen(task: AnalysisTask) -> Analysis:
    from pasdeux.music import AudioLimits, listen

    warnings: list[str] = []

    def note(message: str) -> None:
        if message.startswith("warning:"):
            warnings.append(message.split(": ", 2)[-1])

    music = listen(task.path, progress=note, limits=AudioLimits(max_duration_s=task.max_song_s))
    return Analysis(
        hash=task.hash,
        version=task.version,
        duration_s=float(music.duration_s),
        meter=int(music.meter),
        bpm=float(music.bpm),
        mpm=float(music.mpm),
        dance=music.dances[0].name if music.dances else None,
        sections=tuple(
            SectionInfo(
                start_s=float(s.start),
                end_s=float(s.end),
                meter=s.meter,
                bpm=float(s.bpm),
                dance=s.dance,
            )
            for s in music.sections
        ),
        dances=tuple(DanceScore(name=d.name, score=float(d.score)) for d in music.dances),
        warnings=tuple(warnings),
    )


def _with_seconds(analysis: Analysis, seconds: float) -> Analysis:
    from dataclasses import replace

    return replace(analysis, seconds=seconds)


def init_worker(poll_s: float) -> None:
    """Set up a local worker process: one thread for the numeric libraries not loaded yet
    (the workers are the parallelism), Ctrl-C is the scan's to handle (the worker is stopped
    by it), and the worker exits when the scan that started it is gone (killed outright)."""
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(3)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
