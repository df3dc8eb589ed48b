"""The viewer as a page to learn from: its payload (steps, charts, phrases, the music as
heard), its position packing, and in chromium the transport, loop, timeline, learning
panel, part switch and help overlay."""

from __future__ import annotations

import bisect
import dataclasses
import json
from collections.abc import Iterator
from typing import Any, cast

import numpy as np
import pytest

from _browser import CHROMIUM, CHROMIUM_ARGS
from pasdeux.dances import describe_step, find_style
from pasdeux.motion import perform
from pasdeux.render import viewer_payload, write_viewer
from pasdeux.render._viewer import _data_pieces, _varints
from routines import routine_of
from test_plan import music_for
from test_viewer_3d import _shot_counts
from test_viewer_browser import _payload, _unpack_positions, _write_clicks

BEAT_S = 0.5  # the synthetic page's beat (test_viewer_browser)
# A chart as footprint_svg marks its feet: each role's own step by data-step.
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100" viewBox="0 0 400 100">'
    '<rect width="400" height="100" fill="#eee"/>'
    + "".join(
        f'<g data-step="{role}-{k}"><ellipse cx="{20 + 40 * k + 200 * (role == "follower")}" '
        'cy="50" rx="10" ry="5"/></g>'
        for role in ("leader", "follower")
        for k in range(4)
    )
    + "</svg>"
)


def _decode_varints(raw: bytes) -> list[int]:
    """Zig-zag variable-length integers back to signed integers."""
    out, number, shift = [], 0, 0
    for byte in raw:
        number |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            out.append((number >> 1) ^ -(number & 1))
            number, shift = 0, 0
    return out


def test_varints_round_trip_at_every_size() -> None:
    """Signed integers of every byte length (to 2^40) come back exactly, small ones in one
    byte."""
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [np.arange(-70, 70), rng.integers(-(2**40), 2**40, 500), [2**40, -(2**40), 63, -64, 64]]
    ).astype(np.int64)
    assert _decode_varints(_varints(values)) == values.tolist()
    assert len(_varints(np.arange(-64, 64, dtype=np.int64))) == 128


def test_packed_positions_are_exact_far_from_the_centre() -> None:
    """Positions 2 km from the floor centre, jumping by metres a frame, decode to the mm."""
    payload = _payload()
    rng = np.random.default_rng(4)
    n_frames = cast("int", payload["n_frames"])
    wild = np.round(rng.uniform(-2000.0, 2000.0, (n_frames, 19, 3)), 3)
    payload["dancers"] = [{"role": "leader", "color": "#2b6cb0", "positions": wild}]
    data = json.loads("".join(_data_pieces(payload)))
    decoded = np.array(_unpack_positions(data["dancers"][0]["positions"], 19))
    assert np.array_equal(np.rint(decoded * 1000), np.rint(wild.ravel() * 1000))


def test_payload_steps_charts_phrases_and_the_music_as_heard() -> None:
    """Each placed figure carries both roles' steps, landing on their beats; each figure
    used has one footprint chart; the phrases are the music's; the music as heard comes
    only where it is counted otherwise."""
    style = find_style("Rumba")
    ids = [style.figures[0].id, style.figures[1].id, style.figures[0].id]
    routine = routine_of("Rumba", ids, bpm=100.0)
    performance = perform(routine, duration_s=routine.figures[-1].end_s + 1.0)
    music = music_for(style, 16.0)
    payload = viewer_payload(music, routine, performance, "song.wav", "t")
    assert len(payload["figures"]) == 3
    for placed, shown in zip(routine.figures, payload["figures"], strict=True):
        assert shown["chart"] == f"Rumba/{placed.figure.id}"
        for role in ("leader", "follower"):
            steps = getattr(placed.figure, role)
            got = shown["steps"][role]
            assert [s["count"] for s in got] == [s.count for s in steps]
            assert [s["text"] for s in got] == [describe_step(s) for s in steps]
            # 100 BPM from 0 s: beat b is at 0.6 b seconds
            want = [0.6 * (placed.start_beat + s.beat) for s in steps]
            assert [s["t_s"] for s in got] == pytest.approx(want, abs=1e-4)
    assert sorted(payload["charts"]) == sorted({f"Rumba/{i}" for i in ids})
    assert all(svg.startswith("<svg") for svg in payload["charts"].values())
    assert [(p["start_s"], p["end_s"], p["n_bars"]) for p in payload["phrases"]] == [
        (p.start, p.end, p.n_bars) for p in music.phrases
    ]
    assert "heard" not in payload
    assert "heard" not in viewer_payload(music, routine, performance, "s", "t", heard=music)
    half = dataclasses.replace(
        music,
        beats=music.beats[::2],
        beat_in_bar=tuple(i % 4 + 1 for i in range(len(music.beats[::2]))),
    )
    payload = viewer_payload(half, routine, performance, "s", "t", heard=music)
    assert payload["heard"]["beats"] == list(music.beats)
    assert payload["beats"] == list(half.beats)


# ---------------------------------------------------------------------------- in chromium


def _learn_payload() -> dict[str, Any]:
    """The synthetic 6 s page (beats every 0.5 s, bars of 4, figures of 2 s) with steps:
    the leader steps on every beat counting 1-4, the follower counts "S", "Q", "Q", "S";
    two phrases; one chart; the music as heard in double time (beats every 0.25 s)."""
    payload = _payload()
    for fig in cast("list[dict[str, Any]]", payload["figures"]):
        a = fig["start_s"]
        fig["chart"] = "Slow Dance/x"
        fig["steps"] = {
            "leader": [
                {
                    "t_s": a + k * BEAT_S,
                    "count": str(k + 1),
                    "foot": "LR"[k % 2],
                    "text": f"step {k}",
                }
                for k in range(4)
            ],
            "follower": [
                {"t_s": a + k * BEAT_S, "count": "SQQS"[k], "foot": "RL"[k % 2], "text": f"pas {k}"}
                for k in range(4)
            ],
        }
    payload["charts"] = {"Slow Dance/x": SVG}
    payload["phrases"] = [
        {"start_s": 0.0, "end_s": 4.0, "first_bar": 1, "n_bars": 2},
        {"start_s": 4.0, "end_s": 6.0, "first_bar": 3, "n_bars": 1},
    ]
    heard = [k * 0.25 for k in range(24)]
    payload["heard"] = {
        "beats": heard,
        "beat_in_bar": [k % 4 + 1 for k in range(24)],
        "bar_of_beat": [k // 4 + 1 for k in range(24)],
    }
    return payload


def _expected(payload: dict[str, Any], t: float, role: str = "leader") -> tuple[str, str | None]:
    """The figure's name and the role's step count at time t."""
    for fig in payload["figures"]:
        if fig["start_s"] <= t < fig["end_s"]:
            steps = fig["steps"][role]
            k = bisect.bisect_right([s["t_s"] for s in steps], t + 1e-6) - 1
            return fig["name"], steps[k]["count"] if k >= 0 else None
    return "", None


STATE_JS = """() => ({
    audio: document.getElementById('audio').currentTime,
    state: JSON.parse(JSON.stringify(window.pasdeuxState)),
    big: document.querySelector('#lesson [data-part=counts] .now')?.textContent ?? null,
    figure: document.querySelector('#lesson [data-part=figure]').textContent,
    heard: document.querySelector('#lesson [data-part=heard]').textContent,
})"""
# The same in an animation frame: after the page's own frame callback, which drew the
# clock's time in it (a sample between frames may meet a frame late on a loaded machine).
FRAME_STATE_JS = (
    "() => new Promise((done) => requestAnimationFrame(() => done((" + STATE_JS + ")())))"
)


@dataclasses.dataclass
class Session:
    """The synthetic learning page open in chromium, with its payload and what it logged."""

    page: Any
    payload: dict[str, Any]
    errors: list[str] = dataclasses.field(default_factory=list)
    requests: list[str] = dataclasses.field(default_factory=list)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """The page open in chromium; at the end, no console error and no network request."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("learn")
    payload = _learn_payload()
    _write_clicks(folder / "song.wav", cast("list[float]", payload["beats"]))
    write_viewer(folder / "index.html", payload)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            s = Session(browser.new_page(viewport={"width": 1400, "height": 1000}), payload)
            s.page.on("console", lambda m: s.errors.append(m.text) if m.type == "error" else None)
            s.page.on("pageerror", lambda err: s.errors.append(f"uncaught: {err}"))
            s.page.on("request", lambda req: s.requests.append(req.url))
            s.page.goto((folder / "index.html").as_uri())
            s.page.wait_for_function("window.pasdeuxState !== undefined")
            s.page.wait_for_function("document.getElementById('audio').readyState >= 2")
            yield s
            assert s.errors == []
            assert [u for u in s.requests if not u.startswith("file://")] == []
        finally:
            browser.close()


def _at(page: Any, t: float) -> dict[str, Any]:
    """Pause at time t and wait until the page shows it."""
    page.evaluate(
        "t => { const a = document.getElementById('audio'); a.pause(); a.currentTime = t; }", t
    )
    page.wait_for_function("t => window.pasdeuxState.time === t", arg=t)
    return cast("dict[str, Any]", page.evaluate(STATE_JS))


@pytest.mark.browser
def test_figure_and_count_follow_the_audio_while_playing(session: Session) -> None:
    """Playing, the figure and the step count shown are the routine's at the audio's
    currentTime, within 50 ms."""
    page = session.page
    _at(page, 0.0)
    page.keyboard.press("Space")
    samples = []
    for target in (0.3, 0.8, 1.6, 2.2, 2.7, 3.3):
        page.wait_for_function("t => window.pasdeuxState.time >= t", arg=target)
        samples.append(page.evaluate(FRAME_STATE_JS))
    page.keyboard.press("Space")
    page.wait_for_function("document.getElementById('audio').paused")
    for s in samples:
        t = s["state"]["time"]
        assert abs(t - s["audio"]) <= 0.05, (t, s["audio"])
        name, count = _expected(session.payload, t)
        assert s["state"]["figure"] == s["figure"] == name
        assert s["state"]["step"] == s["big"] == count, (t, s)
        # the music as heard counts in double time: its count is shown beside
        want = int(t / 0.25) % 4 + 1
        assert s["state"]["heardCount"] == want and s["heard"] == f"music {want}"
    assert page.inner_text("[data-part=beat-label]") == "dance"


@pytest.mark.browser
def test_arrows_seek_by_beat_and_bar(session: Session) -> None:
    """Right/left arrows go to the next/previous beat; up, down and shift+arrows by bar."""
    page = session.page
    _at(page, 1.2)
    times = []
    for key in (
        "ArrowRight",
        "ArrowRight",
        "ArrowLeft",
        "Shift+ArrowRight",
        "ArrowUp",
        "ArrowDown",
    ):
        page.keyboard.press(key)
        page.wait_for_function("() => !document.getElementById('audio').seeking")
        times.append(round(page.evaluate("document.getElementById('audio').currentTime"), 3))
    assert times == [1.5, 2.0, 1.5, 2.0, 4.0, 2.0]


@pytest.mark.browser
def test_the_seek_bar_moves_the_clock(session: Session) -> None:
    """A click three quarters along the seek bar jumps near 4.5 s of the 6 s song, and
    the page shows that time; the bar follows the clock."""
    page = session.page
    _at(page, 0.5)
    box = page.locator("#seek").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    page.wait_for_function("Math.abs(window.pasdeuxState.time - 4.5) < 0.3")
    t = page.evaluate("document.getElementById('audio').currentTime")
    assert abs(t - 4.5) < 0.3
    _at(page, 1.25)
    assert float(page.input_value("#seek")) == 1.25


@pytest.mark.browser
def test_speed_keeps_the_pitch(session: Session) -> None:
    """[ and ] step the speed within 0.5x-1.25x with preservesPitch set; the menu sets it."""
    page = session.page
    _at(page, 0.5)
    rates = []
    for key in ("[", "[", "]", "]", "]", "]", "]"):
        page.keyboard.press(key)
        rates.append(page.evaluate("document.getElementById('audio').playbackRate"))
    assert rates == [0.9, 0.8, 0.9, 1, 1.1, 1.25, 1.25]
    page.select_option("#speed", "0.5")
    audio = page.evaluate(
        "(() => { const a = document.getElementById('audio');"
        " return [a.playbackRate, a.preservesPitch]; })()"
    )
    assert audio == [0.5, True]
    page.select_option("#speed", "1")


@pytest.mark.browser
def test_loop_wraps_to_its_start(session: Session) -> None:
    """L loops the figure danced now: played past its end, time goes back to its start;
    bars 3 to 3 loop 4 s to 6 s (the song's end)."""
    page = session.page
    _at(page, 2.5)
    page.keyboard.press("l")
    page.wait_for_function("window.pasdeuxState.loop !== null")
    assert page.evaluate("window.pasdeuxState.loop") == {"kind": "figure", "start": 2.0, "end": 4.0}
    page.evaluate("document.getElementById('audio').currentTime = 3.8")
    page.wait_for_function("window.pasdeuxState.time === 3.8")
    page.keyboard.press("Space")
    # playing on from 3.8 s, the clock can only come back before 2.5 s by the loop
    page.wait_for_function("window.pasdeuxState.time < 2.5")
    t = page.evaluate("document.getElementById('audio').currentTime")
    assert 2.0 <= t < 2.5
    page.keyboard.press("Space")
    page.keyboard.press("l")
    page.wait_for_function("window.pasdeuxState.loop === null")
    page.fill("#loop-from", "3")
    page.fill("#loop-to", "3")
    page.click("#loop-bars")
    page.wait_for_function("window.pasdeuxState.loop !== null")
    assert page.evaluate("window.pasdeuxState.loop") == {"kind": "bars", "start": 4.0, "end": 6.0}
    page.click("#loop-bars")
    page.wait_for_function("window.pasdeuxState.loop === null")


@pytest.mark.browser
def test_timeline_click_jumps_to_the_start_of_what_is_under_it(session: Session) -> None:
    """On the figures row a click jumps to the figure's start; on the beats row, to the
    nearest beat."""
    page = session.page
    _at(page, 0.0)
    box = page.locator("#timeline").bounding_box()
    x = box["x"] + box["width"] * 3.3 / 6.0
    page.mouse.click(x, box["y"] + box["height"] * 0.85)
    page.wait_for_function("window.pasdeuxState.time === 2.0")
    page.mouse.click(x, box["y"] + box["height"] * 0.48)
    page.wait_for_function("window.pasdeuxState.time === 3.5")


# The timeline's pixels in its figures row at the song's time t (device pixels, read in
# the page from the canvas itself).
TIMELINE_PIXEL_JS = """t => {
    const c = document.getElementById('timeline');
    const x = Math.round(c.width * t / document.getElementById('audio').duration);
    return Array.from(c.getContext('2d').getImageData(x, Math.round(c.height * 0.8), 1, 1).data);
}"""


def _drag_timeline(page: Any, from_s: float, to_s: float) -> None:
    """Press on the timeline's figures row at time from_s and drag to to_s, in steps."""
    box = page.locator("#timeline").bounding_box()
    y = box["y"] + box["height"] * 0.8
    page.mouse.move(box["x"] + box["width"] * from_s / 6.0, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * to_s / 6.0, y, steps=8)
    page.mouse.up()


@pytest.mark.browser
def test_timeline_drag_loops_whole_bars(session: Session) -> None:
    """A drag on the timeline from inside bar 1 to inside bar 2 loops bars 1-2 (0-4 s),
    snapped to the bars, shaded on the timeline and shown in the bar inputs; playing past
    its end wraps to its start; Esc stops it. Dragged backwards from bar 3 to bar 2 it
    loops 2-6 s, and B stops that. A click without a drag still jumps."""
    page = session.page
    _at(page, 0.0)
    outside_before = page.evaluate(TIMELINE_PIXEL_JS, 5.3)
    inside_before = page.evaluate(TIMELINE_PIXEL_JS, 1.3)
    _drag_timeline(page, 0.7, 2.6)
    page.wait_for_function("window.pasdeuxState.loop !== null")
    assert page.evaluate("window.pasdeuxState.loop") == {"kind": "bars", "start": 0.0, "end": 4.0}
    assert (page.input_value("#loop-from"), page.input_value("#loop-to")) == ("1", "2")
    assert page.inner_text("#loop-label") == "looping bars 1–2"
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert page.evaluate(TIMELINE_PIXEL_JS, 5.3) == outside_before
    assert page.evaluate(TIMELINE_PIXEL_JS, 1.3) != inside_before  # shaded
    page.evaluate("document.getElementById('audio').currentTime = 3.8")
    page.wait_for_function("window.pasdeuxState.time === 3.8")
    page.keyboard.press("Space")
    # playing on from 3.8 s, the clock can only come back before 1 s by the loop
    page.wait_for_function("window.pasdeuxState.time < 1.0")
    t = page.evaluate("document.getElementById('audio').currentTime")
    page.keyboard.press("Space")
    assert 0.0 <= t < 1.0
    page.keyboard.press("Escape")
    page.wait_for_function("window.pasdeuxState.loop === null")
    _drag_timeline(page, 5.5, 3.1)
    page.wait_for_function("window.pasdeuxState.loop !== null")
    assert page.evaluate("window.pasdeuxState.loop") == {"kind": "bars", "start": 2.0, "end": 6.0}
    assert page.inner_text("#loop-label") == "looping bars 2–3"
    page.keyboard.press("b")
    page.wait_for_function("window.pasdeuxState.loop === null")
    box = page.locator("#timeline").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 4.7 / 6.0, box["y"] + box["height"] * 0.85)
    page.wait_for_function("window.pasdeuxState.time === 4.0")
    assert page.evaluate("window.pasdeuxState.loop") is None


@pytest.mark.browser
def test_part_switch_shows_one_role(session: Session) -> None:
    """R cycles both -> leader -> follower: the other body leaves the 3D view and the
    floor plan, the other role's steps their list, and the count shown is the role's."""
    page = session.page
    _at(page, 0.6)
    seen: dict[str, dict[str, Any]] = {}
    for role in ("leader", "follower", "both"):
        page.keyboard.press("r")
        page.wait_for_function("r => window.pasdeuxState.role === r", arg=role)
        page.evaluate(
            "t => { document.getElementById('audio').currentTime = t; }", 0.6 + len(seen) * 1e-3
        )
        page.wait_for_function(
            "t => Math.abs(window.pasdeuxState.time3d - t) < 1e-6", arg=0.6 + len(seen) * 1e-3
        )
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        seen[role] = {
            "pixels": _shot_counts(page),
            "drawn": sorted(page.evaluate("Object.keys(window.pasdeuxState.drawn)")),
            "leader_steps": page.is_visible("[data-part=steps-leader]"),
            "follower_steps": page.is_visible("[data-part=steps-follower]"),
            "step": page.evaluate("window.pasdeuxState.step"),
        }
    assert seen["leader"]["pixels"]["blue"] > 1500 and seen["leader"]["pixels"]["red"] < 50
    assert seen["follower"]["pixels"]["red"] > 1500 and seen["follower"]["pixels"]["blue"] < 50
    both = seen["both"]["pixels"]
    assert both["red"] > 1500 and both["blue"] > 1500
    assert seen["leader"]["drawn"] == ["leader"] and seen["follower"]["drawn"] == ["follower"]
    assert seen["both"]["drawn"] == ["follower", "leader"]
    assert (seen["leader"]["leader_steps"], seen["leader"]["follower_steps"]) == (True, False)
    assert (seen["follower"]["leader_steps"], seen["follower"]["follower_steps"]) == (False, True)
    assert seen["both"]["leader_steps"] and seen["both"]["follower_steps"]
    assert (seen["leader"]["step"], seen["follower"]["step"]) == ("2", "Q")


@pytest.mark.browser
def test_help_overlay_toggles(session: Session) -> None:
    """? opens the shortcuts, listed from the keys' own table; ? or Esc closes them."""
    page = session.page
    _at(page, 0.0)
    assert not page.is_visible("#help")
    page.keyboard.press("?")
    assert page.is_visible("#help")
    text = page.inner_text("#help")
    for words in (
        "play / pause",
        "previous / next beat",
        "slower / faster",
        "loop the figure",
        "a drag loops the whole bars",
    ):
        assert words in text
    page.keyboard.press("?")
    assert not page.is_visible("#help")
    page.keyboard.press("?")
    page.keyboard.press("Escape")
    assert not page.is_visible("#help")
    assert page.evaluate("window.pasdeuxState.help") is False


@pytest.mark.browser
def test_steps_now_and_next_run_into_the_next_figure(session: Session) -> None:
    """Each role's list: the step landed last (lit), then the next three, into the next
    figure (marked later); the chart lights each role's step landed last."""
    page = session.page
    _at(page, 1.6)  # the first figure's 4th step landed at 1.5 s; the next starts at 2 s
    items = page.eval_on_selector_all(
        "[data-part=steps-leader] li", "ls => ls.map(l => [l.className, l.textContent])"
    )
    assert items == [
        ["now", "4 step 3"],
        ["later", "1 step 0"],
        ["later", "2 step 1"],
        ["later", "3 step 2"],
    ]
    follower = page.eval_on_selector_all(
        "[data-part=steps-follower] li", "ls => ls.map(l => l.textContent)"
    )
    assert follower == ["S pas 3", "S pas 0", "Q pas 1", "Q pas 2"]
    assert page.eval_on_selector_all(
        "[data-part=counts] span", "ss => ss.map(s => [s.className, s.textContent])"
    ) == [["", "1"], ["", "2"], ["", "3"], ["now", "4"]]
    lit = "[data-part=chart] .now"
    assert page.eval_on_selector_all(lit, "gs => gs.map(g => g.dataset.step)") == [
        "leader-3",
        "follower-3",
    ]
    _at(page, 0.6)
    assert page.eval_on_selector_all(lit, "gs => gs.map(g => g.dataset.step)") == [
        "leader-1",
        "follower-1",
    ]
