"""The local app: one page to drop a song on, a JSON API for jobs, each job's outputs.

Routes::

    GET  /                          the page (static/index.html, app.js, app.css)
    GET  /api/config                the dances, levels, ranges and limits the page offers
    GET  /api/jobs                  every job's status, newest first
    POST /api/jobs                  a form with the song and the options: a new job (201)
    GET  /api/jobs/{id}             one job's status
    DELETE /api/jobs/{id}           remove a finished or failed job and its folder
    GET  /api/jobs/{id}/zip         a finished job's output folder as a zip file
    GET  /jobs/{id}/{path}          a file of a finished job's output folder (the viewer)
    GET  /live?job={id}             the live page: "You lead", "Cut in", "Hijack" (_live.py)
    POST /api/live, /api/live/{sid}/next, /cut-in, /hijack   its session (see _live.py)

A job id is made by the server and must match ``[0-9a-f]{16}``; a file is served only if
its resolved path lies inside that job's output folder. Requests whose ``Host`` is not a
loopback name are refused (DNS rebinding), and making or removing a job needs the header
``X-Pasdeux: 1`` (which a form on another site cannot send without the app's consent).
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pasdeux.errors import InputError
from pasdeux.serve._jobs import (
    Job,
    JobRunner,
    is_job_id,
    load_jobs,
    new_job_id,
    zip_name,
    zip_outputs,
)
from pasdeux.serve._live import LiveSessions, cut_in, hijack, next_figure, start
from pasdeux.serve._params import ServeParams
from pasdeux.serve._upload import (
    UploadError,
    audio_extension,
    options_from_form,
    receive_upload,
    song_file_name,
)
from pasdeux.serve._work import OUTPUT_DIR, one_line

__all__ = ["create_app", "prepare_workdir"]

_STATIC = Path(str(resources.files("pasdeux.serve") / "static"))
#: The page's own policy: its script, style and frames (the viewer) from the app only.
_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'"
)


@dataclass(frozen=True)
class _Service:
    jobs_dir: Path
    params: ServeParams
    runner: JobRunner


def prepare_workdir(workdir: str | Path) -> Path:
    """Create the app's working folder (and its ``jobs/``) if needed; its resolved path.

    Raises
    ------
    InputError
        The folder cannot be created or written, or is a file.
    """
    root = Path(workdir).expanduser()
    if root.exists() and not root.is_dir():
        raise InputError(root, "is not a folder (the app's working folder)")
    try:
        (root / "jobs").mkdir(parents=True, exist_ok=True)
        probe = root / "jobs" / ".pasdeux-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise InputError(root, f"cannot be used as the app's working folder ({why})") from None
    return root.resolve()


def create_app(workdir: str | Path, params: ServeParams | None = None) -> Starlette:
    """The local app, keeping its jobs under ``workdir/jobs``.

    Parameters
    ----------
    workdir
        The app's working folder (created if needed); jobs an earlier run left in it are
        listed again.
    params
        Limits and workers (default :class:`ServeParams`).

    Returns
    -------
    starlette.applications.Starlette
        The ASGI app; its lifespan stops the jobs' processes on shutdown.

    Raises
    ------
    InputError
        ``workdir`` cannot be used (see :func:`prepare_workdir`).
    """
    p = params if params is not None else ServeParams()
    jobs_dir = prepare_workdir(workdir) / "jobs"
    runner = JobRunner(p)
    for job in load_jobs(jobs_dir):
        runner.add(job)
    service = _Service(jobs_dir, p, runner)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await anyio.to_thread.run_sync(runner.stop)

    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(p.allowed_hosts))],
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.live = LiveSessions(limit=p.live_sessions)
    return app


def _routes() -> list[Route | Mount]:
    return [
        Route("/", _page),
        Route("/api/config", _config),
        Route("/api/jobs", _list_jobs, methods=["GET"]),
        Route("/api/jobs", _create_job, methods=["POST"]),
        Route("/api/jobs/{job_id}", _job_status, methods=["GET"]),
        Route("/api/jobs/{job_id}", _remove_job, methods=["DELETE"]),
        Route("/api/jobs/{job_id}/zip", _job_zip),
        Route("/jobs/{job_id}/{path:path}", _job_file),
        Route("/live", _live_page),
        Route("/api/live", _start_live, methods=["POST"]),
        Route("/api/live/{sid}/next", next_figure, methods=["POST"]),
        Route("/api/live/{sid}/cut-in", cut_in, methods=["POST"]),
        Route("/api/live/{sid}/hijack", hijack, methods=["POST"]),
        Mount("/static", StaticFiles(directory=_STATIC), name="static"),
    ]


def _service(request: Request) -> _Service:
    service: _Service = request.app.state.service
    return service


def _error(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


async def _page(_request: Request) -> Response:
    return FileResponse(
        _STATIC / "index.html",
        headers={"Content-Security-Policy": _PAGE_CSP, "Cache-Control": "no-cache"},
    )


async def _live_page(_request: Request) -> Response:
    return FileResponse(
        _STATIC / "live.html",
        headers={"Content-Security-Policy": _PAGE_CSP, "Cache-Control": "no-cache"},
    )


async def _start_live(request: Request) -> Response:
    runner = _service(request).runner

    def find(job_id: str) -> Job | None:
        if not is_job_id(job_id):
            return None
        with runner.lock:
            return runner.jobs.get(job_id)

    return await start(request, find)


async def _config(request: Request) -> Response:
    from pasdeux._limits import FLOOR_SIDE_RANGE_M, HEIGHT_RANGE_M, SEED_MAX
    from pasdeux.dances import LEVELS, load_library

    params = _service(request).params
    return JSONResponse(
        {
            "dances": [style.name for style in load_library()],
            "levels": list(LEVELS),
            "floor_range_m": list(FLOOR_SIDE_RANGE_M),
            "height_range_m": list(HEIGHT_RANGE_M),
            "seed_max": SEED_MAX,
            "max_upload_bytes": params.max_upload_bytes,
            "workers": params.workers,
        }
    )


def _job(request: Request) -> Job | None:
    """The job the path names, or ``None`` (no such job, or not a job id at all)."""
    job_id = request.path_params["job_id"]
    if not is_job_id(job_id):
        return None
    service = _service(request)
    with service.runner.lock:
        return service.runner.jobs.get(job_id)


async def _list_jobs(request: Request) -> Response:
    runner = _service(request).runner
    with runner.lock:
        jobs = sorted(runner.jobs.values(), key=lambda j: j.created, reverse=True)
    return JSONResponse({"jobs": [job.status() for job in jobs]})


async def _job_status(request: Request) -> Response:
    job = _job(request)
    return _error(404, "no such job") if job is None else JSONResponse(job.status())


async def _remove_job(request: Request) -> Response:
    if request.headers.get("x-pasdeux") != "1":
        return _error(403, "removing a job needs the header X-Pasdeux: 1")
    job = _job(request)
    if job is None:
        return _error(404, "no such job")
    runner = _service(request).runner
    with runner.lock:
        if job.state not in ("done", "failed"):
            return _error(409, "the job is still queued or running")
        del runner.jobs[job.id]
    await anyio.to_thread.run_sync(shutil.rmtree, job.folder)
    return Response(status_code=204)


async def _job_zip(request: Request) -> Response:
    job = _job(request)
    if job is None or job.state != "done":
        return _error(404, "no such finished job")
    path = await anyio.to_thread.run_sync(zip_outputs, job)
    return FileResponse(path, media_type="application/zip", filename=zip_name(job))


def _inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` if it resolves to a file inside ``root``, else ``None``."""
    if "\x00" in relative:
        return None
    base = root.resolve()
    target = (base / relative).resolve()
    return target if target.is_relative_to(base) and target.is_file() else None


async def _job_file(request: Request) -> Response:
    job = _job(request)
    target = None
    if job is not None and job.state == "done":
        target = _inside(job.folder / OUTPUT_DIR, request.path_params["path"])
    return _error(404, "no such file") if target is None else FileResponse(target)


async def _create_job(request: Request) -> Response:
    service = _service(request)
    if request.headers.get("x-pasdeux") != "1":
        return _error(403, "a new job needs the header X-Pasdeux: 1 (the app's own page sends it)")
    job_id = new_job_id()
    folder = service.jobs_dir / job_id
    (folder / "input").mkdir(parents=True)
    try:
        job = await _accept(request, folder, job_id, service.params)
        service.runner.submit(job)
    except UploadError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return _error(exc.status, exc.reason)
    except ClientDisconnect:
        shutil.rmtree(folder, ignore_errors=True)
        return _error(400, "the upload was cut short")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return JSONResponse(job.status(), status_code=201)


async def _accept(request: Request, folder: Path, job_id: str, params: ServeParams) -> Job:
    """Receive the upload into ``folder`` and check it: the job to run, not yet queued."""
    from pasdeux.music import AudioLimits, check_audio_file

    upload = await receive_upload(request, folder / "input" / "upload.part", params)
    name = one_line(upload.filename or "")[:200] or "the song"
    options = options_from_form(upload.fields)
    if upload.size == 0:
        raise UploadError(400, f"{name}: file is empty (0 bytes)")
    limits = AudioLimits(max_duration_s=params.max_song_s)
    extension = audio_extension(upload.head)
    song = folder / "input" / song_file_name(upload.filename or "", extension or "bin")
    upload.path.rename(song)
    check = functools.partial(check_audio_file, song, limits, decode_s=params.check_decode_s)
    try:
        # the loader's word, even on what is plainly not audio: it says what it is instead;
        # and its first seconds decoded, so that data that does not decode is refused here
        await anyio.to_thread.run_sync(check)
    except InputError as exc:
        raise UploadError(400, f"{name}: {exc.problem}") from None
    if extension is None:
        raise UploadError(400, f"{name}: is not an audio file (no audio format pasdeux reads)")
    job = Job(
        id=job_id,
        folder=folder,
        song_name=name,
        song_file=song,
        options=options,
        created=time.time(),
    )
    job.save()
    return job
