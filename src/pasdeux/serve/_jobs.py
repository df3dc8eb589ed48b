"""The app's jobs: their records, a process per running job, at most ``workers`` at once.

Each job runs in a Python process of its own, not in a thread: the pipeline silences C
decoders by redirecting the process' file descriptor 2 for a moment, which two jobs in
threads would undo for each other (and for the server's own log); a process also returns
its memory when the job ends (a long song takes hundreds of MB) and can be stopped at once
on shutdown. Its cost is the imports, about a second a job. The process is a plain
``python -c`` (not ``multiprocessing``, whose ``spawn`` re-imports the caller's main
module) in a session of its own, so that Ctrl-C in the terminal reaches the app alone,
which then stops its jobs; what it prints goes to the job's ``process.log``.
"""

from __future__ import annotations

import collections
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pasdeux._json import write_json_atomic
from pasdeux.serve._params import ServeParams
from pasdeux.serve._work import (
    EVENTS_FILE,
    OUTPUT_DIR,
    RESULT_FILE,
    STAGES,
    JobOptions,
    one_line,
)

__all__ = [
    "JOB_FILE",
    "Job",
    "JobRunner",
    "is_job_id",
    "load_jobs",
    "new_job_id",
    "zip_name",
    "zip_outputs",
]

JOB_FILE = "job.json"
_LOG_FILE = "process.log"
#: What a job's process runs: :func:`pasdeux.serve._work.main` on the job's folder.
_JOB_COMMAND = "import sys; from pasdeux.serve._work import main; sys.exit(main(sys.argv[1:]))"
_ZIP_FILE = "result.zip"
_JOB_ID = re.compile(r"[0-9a-f]{16}")


def new_job_id() -> str:
    """A new job id: 16 random hex digits (made by the server, never by a client)."""
    return secrets.token_hex(8)


def is_job_id(text: str) -> bool:
    """Whether ``text`` has the shape of a job id (and so names no other path)."""
    return _JOB_ID.fullmatch(text) is not None


@dataclass
class Job:
    """One job's record in the app (its fields change under :class:`JobRunner`'s lock).

    Attributes
    ----------
    id : str
        The job's id, also its folder's name.
    folder : pathlib.Path
        The job's folder.
    song_name : str
        The song's name as uploaded (shown, never used as a path).
    song_file : pathlib.Path
        The song inside ``folder``.
    options : JobOptions
        What ``pasdeux dance`` is asked.
    created : float
        When it was submitted (seconds since the epoch).
    state : str
        ``queued``, ``running``, ``done`` or ``failed``.
    error, summary : str or None
        A failed job's one-line error; a finished job's one-line summary.
    seconds : float or None
        How long the job's pipeline ran (s).
    run_span : tuple of float or None
        When its pipeline started and ended (seconds since the epoch).
    """

    id: str
    folder: Path
    song_name: str
    song_file: Path
    options: JobOptions
    created: float
    state: str = "queued"
    error: str | None = None
    summary: str | None = None
    seconds: float | None = None
    run_span: tuple[float, float] | None = None

    def save(self) -> None:
        """Write ``job.json``: what was asked (read back by :func:`load_jobs`)."""
        data = {
            "song_name": self.song_name,
            "song_file": self.song_file.name,
            "options": self.options.to_dict(),
            "created": self.created,
        }
        write_json_atomic(self.folder / JOB_FILE, data)

    def status(self) -> dict[str, Any]:
        """The job as the page shows it: state, each stage's state and last line."""
        events = _read_events(self.folder / EVENTS_FILE)
        stage = events[-1]["stage"] if events else None
        done = self.state == "done"
        return {
            "id": self.id,
            "song": self.song_name,
            "options": self.options.to_dict(),
            "state": self.state,
            "stage": stage,
            "stages": _stage_states(self.state, stage, events),
            "warnings": [e["message"] for e in events if e["message"].startswith("warning:")],
            "error": self.error,
            "summary": self.summary,
            "seconds": self.seconds,
            "run_span": None if self.run_span is None else list(self.run_span),
            "elapsed_s": events[-1]["t"] if events else None,
            "created": self.created,
            "result_url": f"/jobs/{self.id}/index.html" if done else None,
            "zip_url": f"/api/jobs/{self.id}/zip" if done else None,
        }

    def finish(self, result: dict[str, Any]) -> None:
        """Take the outcome from ``result.json``."""
        self.state = "done" if result.get("state") == "done" else "failed"
        self.error = None if self.state == "done" else str(result.get("error", "failed"))
        self.summary = result.get("summary")
        seconds = result.get("seconds")
        self.seconds = float(seconds) if isinstance(seconds, int | float) else None
        span = (result.get("started_at"), result.get("ended_at"))
        if all(isinstance(t, int | float) for t in span):
            self.run_span = (float(span[0]), float(span[1]))  # type: ignore[arg-type]


def _read_events(path: Path) -> list[dict[str, Any]]:
    """The progress lines written so far (a line being written is skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    events = []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict) and event.get("stage") in STAGES:
            events.append(event)
    return events


def _stage_states(state: str, stage: str | None, events: list[dict[str, Any]]) -> list[Any]:
    """Each stage's state (pending, active, done or failed) and its last line."""
    current = STAGES.index(stage) if stage is not None else 0
    stages = []
    for i, name in enumerate(STAGES):
        if state == "done" or i < current:
            shown = "done"
        elif i > current or state == "queued":
            shown = "pending"
        else:
            shown = "failed" if state == "failed" else "active"
        lines = [e["message"] for e in events if e["stage"] == name]
        stages.append({"name": name, "state": shown, "message": lines[-1] if lines else ""})
    return stages


def _read_result(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / RESULT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class JobRunner:
    """Runs submitted jobs, each in its own process, at most ``params.workers`` at once
    (the others wait their turn, first come first served).

    Parameters
    ----------
    params
        The app's tunables (``workers``, ``max_song_s``, ``stop_timeout_s``).
    """

    def __init__(self, params: ServeParams) -> None:
        self.params = params
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self._turns = threading.Condition(self.lock)
        self._queue: collections.deque[str] = collections.deque()
        self._stopping = False
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._threads: list[threading.Thread] = []

    def add(self, job: Job) -> None:
        """Record a job that is not to run (one found finished in the working folder)."""
        with self.lock:
            self.jobs[job.id] = job

    def submit(self, job: Job) -> None:
        """Queue ``job``; it starts as soon as a worker is free."""
        thread = threading.Thread(target=self._run, args=(job,), name=f"job-{job.id}")
        with self.lock:
            if self._stopping:
                raise RuntimeError("the app is stopping")
            self.jobs[job.id] = job
            self._queue.append(job.id)
            self._threads.append(thread)
        thread.start()

    def _run(self, job: Job) -> None:
        try:
            process = self._start(job)
        except OSError as exc:  # no process could be made (out of memory, of processes)
            self._ended(job, None, f"the job's process could not start ({exc})")
            return
        if process is None:
            self._ended(job, None, "cancelled: the app stopped before it started")
            return
        process.wait()
        self._ended(job, process.returncode)

    def _ended(self, job: Job, exitcode: int | None, why: str | None = None) -> None:
        """Record the outcome of a job (one whose process left no ``result.json``,
        stopped while it started or killed, or that never ran, gets one here)."""
        result = _read_result(job.folder)
        if result is None:
            if why is None and self._stopping:
                why = "stopped: the app was shut down"
            elif why is None:
                last = _last_line(job.folder / _LOG_FILE)
                why = f"the job's process ended without a result (exit code {exitcode}){last}"
            result = {"state": "failed", "error": why}
            write_json_atomic(job.folder / RESULT_FILE, result)
        with self._turns:
            job.finish(result)
            self._processes.pop(job.id, None)
            self._turns.notify_all()

    def _start(self, job: Job) -> subprocess.Popen[bytes] | None:
        """Wait for the job's turn (first come, first served, ``workers`` at once) and
        start its process; ``None`` if the app stops first."""
        with self._turns:
            while not self._stopping and (
                len(self._processes) >= self.params.workers or self._queue[0] != job.id
            ):
                self._turns.wait()
            self._queue.remove(job.id)
            self._turns.notify_all()
            if self._stopping:
                return None
            with (job.folder / _LOG_FILE).open("ab") as log:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        _JOB_COMMAND,
                        str(job.folder),
                        repr(self.params.max_song_s),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self._processes[job.id] = process
            job.state = "running"
        return process

    def stop(self) -> None:
        """Stop: queued jobs are cancelled, running ones asked to stop (SIGTERM: they
        remove their half-written outputs) and killed after ``stop_timeout_s``."""
        with self._turns:
            self._stopping = True
            self._turns.notify_all()
            processes = list(self._processes.values())
            threads = list(self._threads)
        for process in processes:
            process.terminate()
        deadline = time.monotonic() + self.params.stop_timeout_s
        for process in processes:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for thread in threads:
            thread.join()


def _last_line(path: Path) -> str:
    """``: LINE``, the last line a job's process printed (its error), if any."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return f": {one_line(lines[-1])[:300]}" if lines else ""


def load_jobs(jobs_dir: Path) -> list[Job]:
    """The jobs an earlier run of the app left in ``jobs_dir``, oldest first; one that had
    not finished is marked failed (the app stopped before it finished)."""
    jobs = []
    for folder in jobs_dir.iterdir():
        if not is_job_id(folder.name):
            continue
        try:
            data = json.loads((folder / JOB_FILE).read_text(encoding="utf-8"))
            job = Job(
                id=folder.name,
                folder=folder,
                song_name=str(data["song_name"]),
                song_file=folder / "input" / str(data["song_file"]),
                options=JobOptions.from_dict(data["options"]),
                created=float(data["created"]),
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            continue
        result = _read_result(folder)
        if result is None:
            result = {"state": "failed", "error": "stopped: the app stopped before it finished"}
        job.finish(result)
        jobs.append(job)
    return sorted(jobs, key=lambda j: j.created)


def zip_outputs(job: Job) -> Path:
    """The job's output folder as a zip file (made once, kept in the job's folder); its
    entries are in one folder named after the song."""
    target = job.folder / _ZIP_FILE
    if target.is_file():
        return target
    prefix = zip_name(job)[: -len(".zip")]
    fd, tmp = tempfile.mkstemp(prefix=".result.", suffix=".zip", dir=job.folder)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted((job.folder / OUTPUT_DIR).iterdir()):
                if path.is_file():
                    z.write(path, f"{prefix}/{path.name}")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def zip_name(job: Job) -> str:
    """The zip file's name offered for download: ``pasdeux-<song>-<id>.zip``."""
    return f"pasdeux-{job.song_file.stem}-{job.id[:6]}.zip"
