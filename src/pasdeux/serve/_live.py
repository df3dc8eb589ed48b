"""The live page's API: "You lead", "Cut in" and "Hijack" on a finished job's song.

Routes::

    GET  /live                          the live page (static/live.html; ``?job=ID``)
    POST /api/live                      {"job": ID}: a new session on that job's song (201)
    POST /api/live/{sid}/next           {"figure": ID or null, "index": K}: commit figure K
    POST /api/live/{sid}/cut-in         the second leader takes over (or gives the lead back)
    POST /api/live/{sid}/hijack         the follower leads the next phrase

The song's analysis is the job's (``music.json``, the music as danced, and the dance of
its ``routine.json``); nothing of its routine is used. A session lives in the app's memory
(at most ``ServeParams.live_sessions``; the oldest is dropped). The posts need the header
``X-Pasdeux: 1``, as a new job does.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pasdeux.errors import InputError, PasdeuxError
from pasdeux.serve._jobs import Job, new_job_id
from pasdeux.serve._work import OUTPUT_DIR

__all__ = ["LiveSessions", "create_session", "cut_in", "hijack", "next_figure", "start"]


@dataclass
class _Live:
    session: Any  # pasdeux.live.LiveSession (imported when a session starts)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class LiveSessions:
    """The app's live sessions by id, the oldest dropped past ``limit``."""

    limit: int
    sessions: OrderedDict[str, _Live] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, session: Any) -> str:
        """Keep ``session``; its id."""
        sid = new_job_id()
        with self.lock:
            self.sessions[sid] = _Live(session)
            while len(self.sessions) > self.limit:
                self.sessions.popitem(last=False)
        return sid

    def get(self, sid: str) -> _Live | None:
        """The session ``sid``, or ``None``."""
        with self.lock:
            return self.sessions.get(sid)


def create_session(job: Job, seed: int) -> tuple[Any, dict[str, Any]]:
    """A live session on ``job``'s song (its music as danced, counted in its first dance's
    meter, and the job's level, floor, heights), and what the page needs to draw it.

    Raises
    ------
    InputError
        The job's folder lacks its music, routine or song, or they do not read.
    """
    from pasdeux.choreo import Floor, count_music
    from pasdeux.dances import find_style
    from pasdeux.live import LiveSession
    from pasdeux.motion import JOINTS, PARENTS, MotionParams
    from pasdeux.music import MusicMap

    out = job.folder / OUTPUT_DIR
    try:
        music = MusicMap.load(out / "music.json")
        routine = json.loads((out / "routine.json").read_text(encoding="utf-8"))
        style = find_style(str(routine["figures"][0]["dance"]))
    except (OSError, KeyError, IndexError, ValueError, PasdeuxError) as exc:
        raise InputError(out, f"cannot start a live session ({exc})") from None
    songs = sorted(p.name for p in out.glob("song.*"))
    if not songs:
        raise InputError(out, "has no copy of the song")
    options = job.options
    # one dance over the whole song, its bars counted in the dance's meter (as `pasdeux
    # dance --follower reads` counts them)
    counted = count_music(music, style, level=options.level)
    level = counted.level or options.level
    heights = options.heights_m or (
        MotionParams().leader_height_m,
        MotionParams().follower_height_m,
    )
    session = LiveSession(
        counted.music,
        style,
        seed=seed,
        floor=Floor(level=level, floor_m=options.floor_m),
        motion=MotionParams(leader_height_m=heights[0], follower_height_m=heights[1]),
    )
    music = counted.music
    bars = [int(b) for b in _bar_numbers(music.beat_in_bar)]
    setup = {
        "dance": style.name,
        "song": job.song_name,
        "audio_url": f"/jobs/{job.id}/{songs[0]}",
        "fps": session.params.fps,
        "n_frames": session.n_frames,
        "duration_s": music.duration_s,
        "joints": list(JOINTS),
        "parents": [int(p) for p in PARENTS],
        "beats": list(music.beats),
        "beat_in_bar": list(music.beat_in_bar),
        "bar_of_beat": bars,
        "floor": {"width_m": session.floor.floor_m[0], "depth_m": session.floor.floor_m[1]},
        "options": [{"id": f.id, "name": f.name} for f in session.options()],
        "next_leads": session.next_leads(),
    }
    return session, setup


def _bar_numbers(beat_in_bar: tuple[int, ...]) -> list[int]:
    out, bar = [], 0
    for pos in beat_in_bar:
        bar += pos == 1
        out.append(bar)
    return out


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _session(request: Request) -> _Live | None:
    sessions: LiveSessions = request.app.state.live
    return sessions.get(request.path_params["sid"])


def _refused(request: Request) -> JSONResponse | None:
    if request.headers.get("x-pasdeux") != "1":
        return JSONResponse({"error": "the live API needs the header X-Pasdeux: 1"}, 403)
    return None


async def start(request: Request, find_job: Callable[[str], Job | None]) -> Response:
    """POST /api/live: a new session on the finished job the body names."""
    if (refused := _refused(request)) is not None:
        return refused
    body = await _body(request)
    job = find_job(str(body.get("job", "")))
    if job is None or job.state != "done":
        return JSONResponse({"error": "no such finished job"}, 404)
    seed = body.get("seed", job.options.seed)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32 - 3:
        return JSONResponse({"error": f"seed {seed!r} is not a whole number 0 to 2^32 - 4"}, 400)
    try:
        session, setup = await anyio.to_thread.run_sync(create_session, job, seed)
    except InputError as exc:
        return JSONResponse({"error": exc.problem}, 400)
    sessions: LiveSessions = request.app.state.live
    return JSONResponse({"session": sessions.add(session), **setup}, 201)


def _next(live: _Live, figure: str | None, index: int) -> dict[str, Any]:
    with live.lock:
        committed = len(live.session.placed)
        if index != committed:
            raise InputError(None, f"figure {index} is not the next (figure {committed} is)")
        chunk = live.session.next_figure(figure)
        return {"done": True} if chunk is None else chunk.to_dict()


async def next_figure(request: Request) -> Response:
    """POST /api/live/{sid}/next: commit the next figure, return its motion."""
    if (refused := _refused(request)) is not None:
        return refused
    live = _session(request)
    if live is None:
        return JSONResponse({"error": "no such live session"}, 404)
    body = await _body(request)
    figure, index = body.get("figure"), body.get("index")
    if (figure is not None and not isinstance(figure, str)) or not isinstance(index, int):
        return JSONResponse({"error": "send {figure: id or null, index: n}"}, 400)
    try:
        answer = await anyio.to_thread.run_sync(_next, live, figure, index)
    except InputError as exc:
        return JSONResponse({"error": exc.problem}, 409)
    return JSONResponse(answer)


async def cut_in(request: Request) -> Response:
    """POST /api/live/{sid}/cut-in."""
    if (refused := _refused(request)) is not None:
        return refused
    live = _session(request)
    if live is None:
        return JSONResponse({"error": "no such live session"}, 404)
    with live.lock:
        leads = live.session.cut_in()
        return JSONResponse({"leader": leads, "next_leads": live.session.next_leads()})


async def hijack(request: Request) -> Response:
    """POST /api/live/{sid}/hijack."""
    if (refused := _refused(request)) is not None:
        return refused
    live = _session(request)
    if live is None:
        return JSONResponse({"error": "no such live session"}, 404)
    with live.lock:
        try:
            first, last = live.session.hijack()
        except InputError as exc:
            return JSONResponse({"error": exc.problem}, 409)
        return JSONResponse(
            {"from_bar": first, "to_bar": last, "next_leads": live.session.next_leads()}
        )
