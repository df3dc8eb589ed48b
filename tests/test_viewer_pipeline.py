"""The viewer written by `pasdeux dance` plays a real song in chromium, in sync: the count,
the figure and the step's count shown are the music's and the routine's at the audio's
clock, within 50 ms."""

from __future__ import annotations

import bisect
import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest

from _browser import CHROMIUM, CHROMIUM_ARGS
from pasdeux._run import run_dance
from pasdeux.choreo import Routine

# What the page shows, sampled in an animation frame after the page's own frame callback
# drew the clock's time: its state, the counter, the figure's name and the step's count
# lit in the learning panel and in the caption over the 3D view, and the audio's clock.
SAMPLE_JS = """() => new Promise((done) => requestAnimationFrame(() => done({
    state: JSON.parse(JSON.stringify(window.pasdeuxState)),
    count: document.getElementById('count').textContent,
    figure: document.getElementById('figure').textContent,
    lit: document.querySelector('#lesson [data-part=counts] .now')?.textContent ?? null,
    caption_figure: document.querySelector('#caption [data-part=figure]').textContent,
    caption_count: document.querySelector('#caption [data-part=count]').textContent,
    audio: document.getElementById('audio').currentTime,
})))"""


def _routine_at(routine: Routine, t: float) -> tuple[str, str | None]:
    """The figure danced at t (the last begun, until its end) and the leader's count of
    its step landed last, from the routine and its tempo map."""
    begun = [p for p in routine.figures if p.start_s <= t]
    if not begun or t >= begun[-1].end_s:
        return "", None
    placed = begun[-1]
    times = [
        routine.tempo_map.second_from_beat(placed.start_beat + s.beat) for s in placed.figure.leader
    ]
    k = bisect.bisect_right([round(x, 4) for x in times], t + 1e-6) - 1
    return placed.figure.name, placed.figure.leader[k].count if k >= 0 else None


@pytest.mark.browser
def test_dance_output_plays_with_count_following_the_song(demo_clip: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    result = run_dance(demo_clip, tmp_path / "out", seed=1)
    music = json.loads((tmp_path / "out" / "music.json").read_text())
    beats, beat_in_bar = music["beats"], music["beat_in_bar"]
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.on("pageerror", lambda err: errors.append(str(err)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(result.index_html.as_uri())
            page.wait_for_function("document.getElementById('audio').readyState >= 2")
            # Start just before the change from 4/4 to 3/4 (at 13.9 s in the clip).
            page.evaluate("document.getElementById('audio').currentTime = 12.5")
            page.click("#play")
            samples: list[dict[str, Any]] = []
            for target in (13.0, 13.6, 14.2, 14.8, 15.4):
                page.wait_for_function(
                    "t => window.pasdeuxState && window.pasdeuxState.time >= t", arg=target
                )
                samples.append(page.evaluate(SAMPLE_JS))
        finally:
            browser.close()
    assert errors == []
    for s in samples:
        t = s["state"]["time"]
        assert abs(t - s["audio"]) <= 0.05, (t, s["audio"])
        expected = beat_in_bar[bisect.bisect_right(beats, t) - 1]
        assert s["count"] == str(expected), (t, s["count"], expected)
        name, step = _routine_at(result.routine, t)
        assert s["state"]["figure"] == s["figure"] == s["caption_figure"] == name, (t, s)
        assert s["state"]["step"] == s["lit"] == step, (t, s)
        # the caption: the step's count, before the figure's first step the beat's
        assert s["caption_count"] == (step if step is not None else str(expected)), (t, s)
    leader_moves = [
        math.dist(a["state"]["drawn"]["leader"], b["state"]["drawn"]["leader"])
        + math.dist(a["state"]["drawn"]["follower"], b["state"]["drawn"]["follower"])
        for a, b in itertools.pairwise(samples)
    ]
    assert sum(leader_moves) > 1.0, leader_moves
    # The count reaches 4 before the change and never passes 3 after it.
    counts_after = [int(s["count"]) for s in samples if s["state"]["time"] > 14.0]
    assert counts_after and max(counts_after) <= 3


@pytest.mark.browser
@pytest.mark.slow
def test_demo_output_works_from_file_in_chromium(tmp_path: Path) -> None:
    """`pasdeux demo`'s folder, opened from file://: no console error, no request but its
    own files; both dancers drawn as bodies in 3D; playing, the routine's figure and step
    count at the audio's clock within 50 ms; the step sheet beside it opens too."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    from test_cli import run
    from test_viewer_3d import _shot_counts

    out = tmp_path / "demo"
    result = run("demo", "-o", out, "--quiet")
    assert result.returncode == 0, result.stderr
    routine = Routine.load(out / "routine.json")
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("pageerror", lambda err: errors.append(str(err)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("request", lambda req: requests.append(req.url))
            page.goto((out / "index.html").as_uri())
            page.wait_for_function("document.getElementById('audio').readyState >= 2")
            page.evaluate("document.getElementById('audio').currentTime = 20.0")
            page.wait_for_function("Math.abs(window.pasdeuxState.time3d - 20.0) < 1e-3")
            page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
            )
            bodies = _shot_counts(page)
            page.click("#play")
            samples = []
            for target in (20.5, 21.3, 22.1):
                page.wait_for_function("t => window.pasdeuxState.time >= t", arg=target)
                samples.append(page.evaluate(SAMPLE_JS))
            page.click("#play")
            page.goto((out / "stepsheet.html").as_uri())
            sheet = page.inner_text("body")
        finally:
            browser.close()
    assert errors == []
    assert all(u.startswith("file://") for u in requests), requests
    assert bodies["blue"] > 1500 and bodies["red"] > 1500, bodies
    for s in samples:
        t = s["state"]["time"]
        assert abs(t - s["audio"]) <= 0.05, (t, s["audio"])
        name, step = _routine_at(routine, t)
        assert s["state"]["figure"] == s["caption_figure"] == name, (t, s)
        assert s["state"]["step"] == s["lit"] == step, (t, s)
    assert "Routine" in sheet and routine.figures[0].figure.name in sheet
