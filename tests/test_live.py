"""Live ("You lead", "Cut in", "Hijack"): figures committed one at a time as the song plays,
the follower reading the leader; and the follower leading a phrase (offline and live)."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from _browser import CHROMIUM, CHROMIUM_ARGS
from pasdeux.choreo import (
    HIJACK_WHY,
    Hijack,
    Routine,
    follow_lead,
    hijack_span,
    improvise_song,
    lead_frames,
    led_by_her,
    read_her,
    swap_roles,
)
from pasdeux.dances import find_style, successors
from pasdeux.errors import InputError
from pasdeux.follow import Follower
from pasdeux.live import Chunk, LiveParams, LiveSession
from pasdeux.motion import perform
from test_cli import assert_user_error, run
from test_plan import music_for


def _frames(chunks: list[Chunk], role: str) -> NDArray[np.float32]:
    return np.concatenate([c.positions_m[role] for c in chunks])


def _dance_live(session: LiveSession, plan: dict[int, str]) -> list[Chunk]:
    """Commit every figure to the song's end; at figure k do ``plan[k]`` ("choose" the
    last option, "cut in", "hijack")."""
    chunks: list[Chunk] = []
    for k in itertools.count():
        action = plan.get(k, "")
        if action == "cut in":
            session.cut_in()
        if action == "hijack":
            session.hijack()
        options = session.options()
        mine = action == "choose" and session.next_leads() == "you" and options
        chunk = session.next_figure(options[-1].id if mine else None)
        if chunk is None:
            return chunks
        chunks.append(chunk)
    raise AssertionError("unreachable")


def test_a_chosen_figure_is_the_next_and_the_frames_follow_on_without_a_gap() -> None:
    style = find_style("Waltz")
    session = LiveSession(music_for(style, 40.0), style, seed=1)
    first = session.next_figure()
    assert first is not None and first.first_frame == 0 and first.leads == "you"
    options = session.options()
    assert {f.id for f in options} <= {f.id for f in successors(style, session.placed[0].figure)}
    chosen = options[-1]
    second = session.next_figure(chosen.id)
    assert second is not None and second.figure == chosen.id
    assert second.first_frame == first.first_frame + len(first.positions_m["leader"])
    assert second.start_s == pytest.approx(first.end_s, abs=0.02)
    chunks = [first, second, *_dance_live(session, {})]
    starts = [c.first_frame for c in chunks]
    sizes = [len(c.positions_m["follower"]) for c in chunks]
    assert starts == list(np.cumsum([0, *sizes[:-1]]))
    assert sum(sizes) == session.n_frames
    for before, after in itertools.pairwise(session.placed):
        assert after.figure.id in {f.id for f in successors(style, before.figure)}


def test_a_figure_not_allowed_next_or_chosen_for_another_is_refused() -> None:
    style = find_style("Jive")
    session = LiveSession(music_for(style, 20.0), style, seed=0)
    session.next_figure()
    allowed = {f.id for f in session.options()}
    wrong = next(f.id for f in style.figures if f.id not in allowed)
    with pytest.raises(InputError, match="may not come next"):
        session.next_figure(wrong)
    session.cut_in()
    with pytest.raises(InputError, match="second leader leads the next figure"):
        session.next_figure(next(iter(allowed)))
    assert len(session.placed) == 1  # nothing committed by a refused choice


def test_she_reads_only_his_motion_live_as_she_would_offline() -> None:
    # Fed window by window, she decides exactly the steps a follower decides when fed his
    # whole motion at once: the session gives her his frames and nothing else.
    style = find_style("Rumba")
    session = LiveSession(music_for(style, 40.0), style, seed=3)
    _dance_live(session, {2: "choose", 3: "choose", 5: "choose"})
    live = [(s.time_s, s.read, s.index, s.foot_xy_m) for s in session.steps]
    follower = Follower(style, position=session.placed[0].figure.start_position)
    motion = lead_frames(session.routine(), fps=session.params.fps)
    last = max(s.time_s for s in session.steps)
    offline = []
    for frame in motion.frames:
        if frame.time_s > last + 1e-6:
            break
        offline += follower.feel(frame)
    assert live == [(s.time_s, s.figure, s.index, s.foot_xy_m) for s in offline]


def _joint_moves(frames: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
    """How far each frame's farthest-moving joint moved since the frame before (m)."""
    moved: NDArray[np.float64] = np.linalg.norm(
        np.diff(frames.astype(np.float64), axis=0), axis=2
    ).max(axis=1)
    return moved


def _root_speed(frames: NDArray[np.floating[Any]], fps: float) -> NDArray[np.float64]:
    steps = np.diff(frames[:, 0, :2].astype(np.float64), axis=0)
    out: NDArray[np.float64] = np.hypot(steps[:, 0], steps[:, 1]) * fps
    return out


@pytest.mark.parametrize("dance", ["Waltz", "Jive"])
def test_a_second_leader_cuts_in_and_she_dances_on_without_a_break(dance: str) -> None:
    style = find_style(dance)
    music = music_for(style, 40.0)
    session = LiveSession(music, style, seed=2)
    chunks = _dance_live(session, {3: "cut in"})
    leads = [c.leads for c in chunks]
    assert leads[:3] == ["you"] * 3 and set(leads[3:]) == {"second leader"}
    hers = _frames(chunks, "follower")
    assert len(hers) == session.n_frames  # no frame missing
    # her body moves on as smoothly across the seams and the cut-in as the motion stage
    # moves it over the same figures performed whole
    whole = perform(
        session.routine(),
        duration_s=music.duration_s,
        fps=session.params.fps,
        follower_steps=[s for s in session.steps if s.role == "follower"],
    )
    offline = whole.dancers[1].joint_positions()
    fps = session.params.fps
    assert _root_speed(hers, fps).max() <= 1.25 * _root_speed(offline, fps).max() + 0.2
    # no joint moves further in a frame than the most any joint moves in the whole
    assert _joint_moves(hers).max() <= 1.1 * _joint_moves(offline).max() + 0.01
    cut = chunks[3].first_frame
    assert (
        np.linalg.norm(hers[cut, 0] - hers[cut - 1, 0])
        <= np.linalg.norm(offline[cut, 0] - offline[cut - 1, 0]) + 0.02
    )
    # and she keeps stepping through it
    times = sorted(s.time_s for s in session.steps if s.role == "follower")
    when = chunks[3].start_s
    assert any(when - 0.01 <= t <= when + 2.0 for t in times)


def test_the_follower_hijacks_a_phrase_live_and_he_reads_her() -> None:
    style = find_style("Cha Cha")
    music = music_for(style, 60.0)
    session = LiveSession(music, style, seed=1)
    chunks = _dance_live(session, {2: "hijack"})
    hers = [c for c in chunks if c.leads == "follower"]
    assert hers and chunks[2].leads == "follower"
    start, end = hijack_span(music, chunks[2].bar)
    assert all(start - 1e-6 <= session.placed[c.index].start_beat < end for c in hers)
    after = chunks[hers[-1].index + 1]
    assert after.leads == "you"  # the lead comes back after her phrase
    his = [s for c in hers for s in c.steps if s.role == "leader"]
    assert his and all(s.figure_index in {c.index for c in hers} for s in his)
    assert sum(not s.wrong for s in his) > len(his) / 2
    assert len(_frames(chunks, "leader")) == session.n_frames
    whole = perform(
        session.routine(),
        duration_s=music.duration_s,
        fps=session.params.fps,
        follower_steps=[s for s in session.steps if s.role == "follower"],
        leader_steps=[s for s in session.steps if s.role == "leader"],
    )
    for role, dancer in zip(("leader", "follower"), whole.dancers, strict=True):
        offline = dancer.joint_positions()
        assert _joint_moves(_frames(chunks, role)).max() <= 1.1 * _joint_moves(offline).max() + 0.01


def test_live_params_are_checked() -> None:
    with pytest.raises(ValueError, match="fps"):
        LiveParams(fps=0.0)
    with pytest.raises(ValueError, match="window_figures"):
        LiveParams(window_figures=0)


# --- hijack, offline ------------------------------------------------------------------------
@pytest.mark.parametrize("dance", ["Waltz", "Jive", "Rumba", "Slow Foxtrot"])
def test_she_leads_her_phrase_and_he_dances_what_he_reads(dance: str) -> None:
    style = find_style(dance)
    music = music_for(style, 60.0)
    routine = improvise_song(music, style, seed=1, hijack=Hijack(bar=5, seed=7))
    led = led_by_her(routine)
    start, end = hijack_span(music, 5)
    assert led and all(start - 1e-6 <= routine.figures[i].start_beat < end for i in led)
    assert led == tuple(range(led[0], led[-1] + 1))
    alone = improvise_song(music, style, seed=1)
    assert [p.figure.id for p in routine.figures[: led[0]]] == [
        p.figure.id for p in alone.figures[: led[0]]
    ]
    for before, after in itertools.pairwise(routine.figures):
        assert after.figure.id in {f.id for f in successors(style, before.figure)}
    his = read_her(routine, style)
    assert his and {s.figure_index for s in his} <= set(led)
    assert all(
        s.role == "leader" and s.led == routine.figures[s.figure_index].figure.id for s in his
    )
    # each of his steps is his part of the figure he read
    assert all(s.step == style.figure(s.read).leader[s.index] for s in his)
    hers = follow_lead(routine, style)
    mine = [s for s in hers if s.figure_index in led]
    assert mine and not any(s.wrong for s in mine)  # she dances what she leads
    performance = perform(routine, fps=30.0, follower_steps=hers, leader_steps=his)
    his_events = sorted(
        e.time_s for e in performance.events if e.role == "leader" and e.figure_index in set(led)
    )
    assert his_events == pytest.approx(sorted(round(s.time_s, 4) for s in his), abs=1e-3)


def test_the_roles_swapped_are_her_part_as_the_leaders() -> None:
    style = find_style("Rumba")
    swapped = swap_roles(style)
    for mine, theirs in zip(style.figures, swapped.figures, strict=True):
        assert theirs.id == mine.id and theirs.follows == mine.follows
        assert [(s.foot, s.beat, s.direction) for s in theirs.leader] == [
            (s.foot, s.beat, s.direction) for s in mine.follower
        ]
        assert [(s.foot, s.beat, s.direction) for s in theirs.follower] == [
            (s.foot, s.beat, s.direction) for s in mine.leader
        ]
        if mine.start_position in ("closed", "open_facing"):
            assert theirs.start_position == mine.start_position
        if mine.start_position == "promenade":
            assert theirs.start_position == "counter_promenade"


def test_a_hijack_outside_the_song_is_refused() -> None:
    style = find_style("Jive")
    with pytest.raises(InputError, match="--hijack 400: the song has bars 1 to"):
        improvise_song(music_for(style, 20.0), style, seed=0, hijack=Hijack(bar=400, seed=1))


def test_no_hijack_reads_nothing_and_changes_nothing() -> None:
    style = find_style("Jive")
    music = music_for(style, 30.0)
    routine = improvise_song(music, style, seed=5)
    assert led_by_her(routine) == () and read_her(routine, style) == ()
    assert HIJACK_WHY not in {p.why for p in routine.figures}
    assert replace(routine) == routine


# --- hijack, on the command line ------------------------------------------------------------
@pytest.mark.slow
def test_dance_with_a_hijack_says_who_leads(demo_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("dance", demo_clip, "--follower", "reads", "--style", "rumba", "--hijack", "3",
                 "--seed", "2", "-o", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    routine = Routine.load(out / "routine.json")
    hers = [p for p in routine.figures if p.why == HIJACK_WHY]
    assert hers and hers[0].bar >= 3 and hers[-1] is not routine.figures[-1]
    sheet = (out / "stepsheet.md").read_text()
    assert f"From bar {hers[0].bar} to bar" in sheet and "the leader read her" in sheet
    page = (out / "index.html").read_text()
    assert re.search(r'"leads": ?"follower"', page) and re.search(r'"leads": ?"leader"', page)
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    shown = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            viewer = browser.new_page()
            viewer.goto((out / "index.html").as_uri())
            viewer.wait_for_function("window.pasdeuxViewer !== undefined")
            for placed in (routine.figures[0], hers[0]):
                t = placed.start_s + 0.05
                viewer.evaluate("t => window.pasdeuxViewer.drawAt(t)", t)
                shown[placed.why] = (
                    viewer.evaluate("window.pasdeuxState.leads"),
                    viewer.inner_text("#figure"),
                )
        finally:
            browser.close()
    assert shown[HIJACK_WHY] == ("follower", f"{hers[0].figure.name} — the follower leads")
    assert shown[routine.figures[0].why] == ("leader", routine.figures[0].figure.name)


def test_a_hijack_needs_a_reading_follower_and_a_bar_of_the_song(
    demo_clip: Path, tmp_path: Path
) -> None:
    assert_user_error(run("dance", demo_clip, "--hijack", "3", "-o", tmp_path / "x"),
                      "--hijack needs --follower reads")  # fmt: skip
    assert not (tmp_path / "x").exists()
    assert_user_error(run("dance", demo_clip, "--follower", "reads", "--hijack", "0"), "--hijack")
