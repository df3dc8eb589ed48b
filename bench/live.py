"""Benchmark "You lead" (the live page of ``pasdeux serve``): does it respond within a beat?

The songs (the demo song that ships with pasdeux, and with ``../shared/music`` the Frost
Waltz and the No Frills Salsa) are danced once by a real ``pasdeux serve`` (the music
analysis ahead, as the live page needs; its routine is not used). Then two measures:

* **server**: a live session (:class:`pasdeux.live.LiveSession`) on each song's music,
  every figure to the song's end chosen by a seeded "user" among those allowed next (a
  cut-in a third of the way, a hijack at two thirds): the time to commit one figure (her
  reading of his frames, the window performed, the frames cut), in milliseconds and in
  beats of the song at that figure. Its peer in the same run is the honest way without
  the window: reading and performing the whole routine danced so far again at each key
  press (``follow_lead`` and ``perform`` on it), timed at a quarter, half and all of the
  song.
* **browser**: the live page in Debian's chromium (headless, software WebGL), the song
  playing at 1x, a number key pressed once a figure at a random moment of it (seeded) for
  ``--seconds``: for
  each key, the time until the chosen figure shows as the next one, and until its frames
  have arrived, and whether they arrived before the figure begins (it begins at the next
  figure boundary; a key pressed once the next figure is committed waits for the boundary
  after, counted apart). The browser, the app and the session share the
  machine's cores.

Nothing is tuned here, so there is no held-out half. The tables go into
``docs/benchmarks.md`` between ``<!-- live:start -->`` and ``<!-- live:end -->``.

Usage::

    .venv/bin/python bench/live.py [--quick] [--seconds 40] [--json] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx2 as httpx
import numpy as np

import choreo
from pasdeux._run import demo_song_path
from pasdeux.choreo import follow_lead
from pasdeux.dances import find_style
from pasdeux.live import LiveSession
from pasdeux.motion import perform
from pasdeux.music import MusicMap

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "benchmarks.md"
MARK_START, MARK_END = "<!-- live:start -->", "<!-- live:end -->"
SHARED = REPO.parent / "shared" / "music"
SHARED_SONGS = ("Kevin_MacLeod_-_Frost_Waltz.ogg", "Kevin_MacLeod_-_No_Frills_Salsa.ogg")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
]
HEADERS = {"X-Pasdeux": "1"}
PLAYING_JS = """() => {
  const t = document.getElementById('audio').currentTime;
  const f = window.pasdeuxLive.figures;
  let i = -1;
  f.forEach((x, k) => { if (x.start_s <= t) i = k; });
  return i < 0 ? null : [i, Math.max(0, f[i].end_s - t)];
}"""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def songs(quick: bool) -> list[Path]:
    """The demo song, and the shared recordings that are there (not with ``quick``)."""
    found = [SHARED / name for name in SHARED_SONGS if (SHARED / name).exists()]
    return [demo_song_path(), *([] if quick else found)]


@contextmanager
def serve(workdir: Path) -> Iterator[str]:
    """``pasdeux serve`` on a free port; its address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "pasdeux", "serve", "--port", str(port), "--workdir", str(workdir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def dance_job(base: str, song: Path) -> dict[str, Any]:
    """Upload ``song`` to the app and wait for its job (auto dance, seed 0)."""
    with song.open("rb") as f:
        answer = httpx.post(
            f"{base}/api/jobs",
            files={"song": (song.name, f, "application/octet-stream")},
            data={"style": "auto", "level": "gold", "seed": "0"},
            headers=HEADERS,
            timeout=120,
        ).json()
    while answer.get("state") not in ("done", "failed"):
        time.sleep(0.5)
        answer = httpx.get(f"{base}/api/jobs/{answer['id']}", timeout=30).json()
    if answer["state"] != "done":
        raise RuntimeError(f"{song.name}: {answer.get('error')}")
    return dict(answer)


def beat_s(music: MusicMap, t: float) -> float:
    """The song's beat period (s) at ``t``."""
    beats = np.asarray(music.beats)
    i = int(np.clip(np.searchsorted(beats, t), 1, len(beats) - 1))
    return float(beats[i] - beats[i - 1])


def server_side(folder: Path, seed: int) -> dict[str, Any]:
    """Commit every figure of a live session on the job's music; time each, and the
    whole-routine peer at a quarter, half and all of the song."""
    music = MusicMap.load(folder / "out" / "music.json")
    routine = json.loads((folder / "out" / "routine.json").read_text(encoding="utf-8"))
    style = find_style(routine["figures"][0]["dance"])
    session = LiveSession(music, style, seed=seed)
    user = random.Random(seed)
    timed: list[tuple[float, float]] = []  # (ms, beat ms)
    estimate = max(4, int(music.duration_s / (style.figures[0].length_beats * 0.5)))
    while True:
        k = len(session.placed)
        if k == estimate // 3:
            session.cut_in()
        if k == 2 * estimate // 3:
            session.cut_in()
            session.hijack()
        options = session.options()
        choice = user.choice(options).id if options and session.next_leads() == "you" else None
        start = time.perf_counter()
        chunk = session.next_figure(choice)
        ms = 1000 * (time.perf_counter() - start)
        if chunk is None:
            break
        timed.append((ms, 1000 * beat_s(music, chunk.start_s)))
    peers = []
    whole = session.routine()
    for share in (0.25, 0.5, 1.0):
        part = replace(whole, figures=whole.figures[: max(2, int(share * len(whole.figures)))])
        start = time.perf_counter()
        hers = follow_lead(part, style)
        perform(
            part, duration_s=part.figures[-1].end_s, fps=session.params.fps, follower_steps=hers
        )
        peers.append((share, 1000 * (time.perf_counter() - start)))
    return {
        "song": folder.name,
        "dance": style.name,
        "figures": len(timed),
        "ms": [m for m, _ in timed],
        "beats": [m / b for m, b in timed],
        "peer_ms": peers,
        "beat_ms_median": statistics.median(b for _, b in timed),
    }


def in_browser(base: str, job: dict[str, Any], seconds: float, seed: int) -> dict[str, Any]:
    """The live page in chromium with number keys pressed as the song plays."""
    from playwright.sync_api import sync_playwright

    rng = random.Random(seed)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(bypass_csp=True)
            page.goto(f"{base}/live?job={job['id']}")
            page.wait_for_function("window.pasdeuxLive && window.pasdeuxLive.figures.length >= 1")
            page.click("#live-play")
            presses = 0
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                # once a figure, at a random moment of it
                now = page.evaluate(PLAYING_JS)
                if now is None:
                    time.sleep(0.1)
                    continue
                index, left_s = now
                time.sleep(rng.uniform(0.0, 0.9) * left_s)
                n = page.evaluate("window.pasdeuxLive.options.length")
                if n:
                    page.keyboard.press(str(rng.randint(1, min(9, n))))
                    presses += 1
                page.wait_for_function(
                    "i => { const f = window.pasdeuxLive.figures;"
                    " const t = document.getElementById('audio').currentTime;"
                    " return f.length > i + 1 && f[i + 1].start_s <= t; }",
                    arg=index,
                    timeout=60_000,
                )
            time.sleep(3.0)
            live = page.evaluate(
                "({ responses: window.pasdeuxLive.responses, figures: window.pasdeuxLive.figures,"
                " errors: window.pasdeuxLive.errors, replaced: window.pasdeuxLive.replaced })"
            )
        finally:
            browser.close()
    return {"presses": presses, **live}


def _q(values: list[float], q: float) -> float:
    return float(np.quantile(values, q)) if values else math.nan


def browser_rows(music: MusicMap, run: dict[str, Any]) -> dict[str, Any]:
    """The browser run's figures: response times in ms and in beats, shares."""
    by_index = {f["index"]: f for f in run["figures"]}
    rows = [r for r in run["responses"] if r["index"] in by_index]
    beats = [r["ms"] / (1000 * beat_s(music, by_index[r["index"]]["start_s"])) for r in rows]
    direct = [b for r, b in zip(rows, beats, strict=True) if not r["waitedForBoundary"]]
    return {
        "presses": run["presses"],
        "replaced": run["replaced"],
        "next": sum(r["slot"] == 1 for r in rows),
        "direct_beats": direct,
        "direct_ms": [r["ms"] for r in rows if not r["waitedForBoundary"]],
        "responses": len(rows),
        "shown_ms_median": _q([r["shownMs"] for r in rows], 0.5),
        "ready_ms": [r["ms"] for r in rows],
        "ready_beats": beats,
        "within_beat": sum(b <= 1.0 for b in direct) / max(1, len(direct)),
        "before_start": sum(r["beforeStart"] for r in rows) / max(1, len(rows)),
        "waited": sum(r["waitedForBoundary"] for r in rows),
        "errors": len(run["errors"]),
    }


def table(server: list[dict[str, Any]], browser: list[dict[str, Any]], quick: bool) -> str:
    """The docs/benchmarks.md section (markers included)."""
    lines = [
        MARK_START,
        "## Live: `bench/live.py`" + (" (quick)" if quick else ""),
        "",
        '"You lead" on `pasdeux serve`\'s live page: the time from a key press to the chosen',
        "figure committed and its frames ready (target: within one beat). *Server*: one live",
        "session per song, every figure chosen by a seeded user (a cut-in and a hijack on the",
        "way), the time to commit a figure; its peer, reading and performing the whole",
        "routine danced so far again at each key press, at a quarter, half and all of the song.",
        "*Browser*: the page in headless chromium (software WebGL), the song at 1x, a number",
        "key once a figure at a random moment of it. A figure begins at a figure boundary.",
        "The browser, the app and the session share the machine's 2 cores. Nothing is tuned,",
        "so there is no held-out half.",
        "",
        "| song | dance | figures | beat (ms) | commit median / p95 / max (ms) "
        "| in beats median / p95 / max | whole routine again at 1/4, 1/2, all (ms) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for s in server:
        peers = ", ".join(f"{ms:.0f}" for _, ms in s["peer_ms"])
        lines.append(
            f"| {s['song']} | {s['dance']} | {s['figures']} | {s['beat_ms_median']:.0f} "
            f"| {_q(s['ms'], 0.5):.0f} / {_q(s['ms'], 0.95):.0f} / {max(s['ms']):.0f} "
            f"| {_q(s['beats'], 0.5):.2f} / {_q(s['beats'], 0.95):.2f} / {max(s['beats']):.2f} "
            f"| {peers} |"
        )
    lines += [
        "",
        "*Keys*: pressed; *replaced*: changed by a later key before they were sent; *next*:",
        "committed at once as the figure after the one danced at the key (the next boundary);",
        "*waited*: pressed once that figure was committed (the leader improvises it a second",
        "before the frames of the figure danced run out, or an earlier key chose it): shown at",
        "once as the one after it, sent a second before the next one's frames run out. Times",
        "and beats are of the keys committed at once; the waited ones are ready before they",
        "begin too.",
        "",
        "| song | keys | replaced | next | waited | shown as next, median (ms) "
        "| key to frames ready median / p95 / max (ms) | in beats median / p95 / max "
        "| within a beat | ready before it begins | page errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b in browser:
        ms, bt = b["direct_ms"], b["direct_beats"]
        lines.append(
            f"| {b['song']} | {b['presses']} | {b['replaced']} | {b['next']} "
            f"| {b['waited']} | {b['shown_ms_median']:.1f} "
            f"| {_q(ms, 0.5):.0f} / {_q(ms, 0.95):.0f} / {max(ms, default=math.nan):.0f} "
            f"| {_q(bt, 0.5):.2f} / {_q(bt, 0.95):.2f} / {max(bt, default=math.nan):.2f} "
            f"| {100 * b['within_beat']:.0f}% | {100 * b['before_start']:.0f}% | {b['errors']} |"
        )
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (see the module's description)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the demo song only, 20 s")
    parser.add_argument("--seconds", type=float, default=40.0, help="keys pressed this long")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    seconds = 20.0 if args.quick else args.seconds
    server, browser = [], []
    with tempfile.TemporaryDirectory(prefix="pasdeux-live-bench-") as tmp, serve(Path(tmp)) as base:
        for song in songs(args.quick):
            _say(f"{song.name}: dancing it once (the analysis ahead)")
            job = dance_job(base, song)
            folder = Path(tmp) / "jobs" / job["id"]
            _say(f"{song.name}: a live session to the end")
            server.append({**server_side(folder, args.seed), "song": song.name})
            if CHROMIUM.exists():
                _say(f"{song.name}: the live page in chromium for {seconds:.0f} s")
                run = in_browser(base, job, seconds, args.seed)
                music = MusicMap.load(folder / "out" / "music.json")
                browser.append({**browser_rows(music, run), "song": song.name})
    block = table(server, browser, args.quick)
    _say(block)
    if not args.no_write:
        choreo.write_doc(block, DOC, (MARK_START, MARK_END))
    if args.json:
        print(json.dumps({"server": server, "browser": browser}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
