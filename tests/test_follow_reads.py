"""A whole song danced by an improvising leader and a follower who reads him
(`pasdeux dance --follower reads`): the leader on the music's grid, her steps through the
motion stage, the step sheet and the viewer saying where she read him wrong."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from _browser import CHROMIUM, CHROMIUM_ARGS
from pasdeux.choreo import (
    CutIn,
    FollowedStep,
    Routine,
    follow_lead,
    improvise_song,
    lead_frames,
    misreadings,
)
from pasdeux.dances import find_style, successors
from pasdeux.dances.geometry import replay_figure
from pasdeux.errors import InputError
from pasdeux.export import OUTPUT_FILES
from pasdeux.follow import Follower
from pasdeux.motion import perform
from test_cli import run
from test_plan import music_for


def _song(dance: str, seconds: float = 40.0, seed: int = 4) -> Routine:
    style = find_style(dance)
    return improvise_song(music_for(style, seconds), style, seed=seed, level="gold")


def test_follower_package_loads_without_the_choreographer_or_the_motion_stage() -> None:
    # Transitively too: importing pasdeux.follow loads nothing that knows the routine.
    code = (
        "import sys, pasdeux.follow\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pasdeux.choreo', "
        "'pasdeux.motion', 'pasdeux._run', 'pasdeux.export', 'pasdeux.render'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_her_steps_come_from_the_frames_alone() -> None:
    # follow_lead gives her only his frames: a follower fed the same frames by hand decides
    # exactly the same steps, and a routine whose figure names are hidden changes nothing.
    style = find_style("Jive")
    routine = _song("Jive")
    read = follow_lead(routine, style, seed=1)
    follower = Follower(style, position=routine.figures[0].figure.start_position)
    by_hand = []
    for frame in lead_frames(routine, seed=1).frames:
        by_hand += follower.feel(frame)
    by_hand.sort(key=lambda s: s.time_s)
    assert [(s.time_s, s.figure, s.index, s.foot_xy_m) for s in by_hand] == [
        (s.time_s, s.read, s.index, s.foot_xy_m) for s in read
    ]
    hidden = replace(
        routine,
        figures=tuple(
            replace(p, figure=replace(p.figure, id=f"x{k}", name="?"), why="")
            for k, p in enumerate(routine.figures)
        ),
    )
    again = follow_lead(hidden, style, seed=1)
    assert [(s.time_s, s.read, s.foot_xy_m) for s in again] == [
        (s.time_s, s.read, s.foot_xy_m) for s in read
    ]
    assert all(s.read != s.led for s in again)  # no figure of hers is called "x3"


@pytest.mark.parametrize("dance", ["Jive", "Waltz"])
def test_the_leader_improvises_on_the_music_grid_by_the_grammar(dance: str) -> None:
    style = find_style(dance)
    music = music_for(style, 40.0)
    routine = improvise_song(music, style, seed=4, level="gold")
    assert routine.beats == music.beats
    figs = routine.figures
    for before, after in itertools.pairwise(figs):
        assert after.figure.id in {f.id for f in successors(style, before.figure)}
        assert after.start_beat == pytest.approx(before.start_beat + before.figure.length_beats)
    assert figs[0].start_beat == 0.0
    last_beat = len(music.beats) - 1 - music.first_downbeat_index
    end = figs[-1].start_beat + figs[-1].figure.leader[0].beat + figs[-1].figure.length_beats
    assert end <= last_beat
    assert end + max(f.length_beats for f in style.figures) > last_beat  # the song is filled
    again = improvise_song(music, style, seed=4, level="gold")
    assert [p.figure.id for p in again.figures] == [p.figure.id for p in figs]
    other = improvise_song(music, style, seed=5, level="gold")
    assert [p.figure.id for p in other.figures] != [p.figure.id for p in figs]


def test_the_improvising_leader_keeps_the_couple_on_a_small_floor() -> None:
    style = find_style("Quickstep")
    floor = (12.0, 10.0)
    routine = improvise_song(music_for(style, 60.0), style, seed=2, floor_m=floor)
    for placed in routine.figures:
        for rs in replay_figure(placed.figure, *placed.start_pose.dancers()):
            for x, y in (rs.foot_to, rs.body_after):
                assert abs(x) <= floor[0] / 2 and abs(y) <= floor[1] / 2, placed.figure.id


def test_misreadings_are_the_runs_of_her_wrong_steps() -> None:
    style = find_style("Jive")
    step = style.figures[0].follower[0]

    def at(t: float, led: str, read: str, moved: float = 0.0) -> FollowedStep:
        return FollowedStep(t, 0, led, read, led.upper(), read.upper(), 0, step, (0, 0), (0, 0),
                            0.0, moved, wrong=led != read)  # fmt: skip

    steps = [at(0, "a", "a"), at(1, "a", "b", 0.1), at(2, "a", "b", 0.2), at(3, "a", "a"),
             at(4, "c", "d")]  # fmt: skip
    found = misreadings(list(reversed(steps)))
    assert [(m.start_s, m.back_s, m.led_name, m.read_name, m.steps) for m in found] == [
        (1, 3, "A", "B", 2),
        (4, None, "C", "D", 1),
    ]
    assert found[0].recovery_m == 0.2
    assert misreadings([at(0, "a", "a")]) == ()


def test_perform_dances_her_own_steps_where_and_when_she_put_them() -> None:
    style = find_style("Cha Cha")
    routine = _song("Cha Cha", seconds=20.0)
    read = follow_lead(routine, style, seed=3)
    performance = perform(routine, fps=50.0, follower_steps=read)
    hers = [e for e in performance.events if e.role == "follower"]
    assert [e.time_s for e in hers] == [round(s.time_s, 4) for s in read]
    assert [e.foot for e in hers] == [s.step.foot for s in read]
    assert [e.step_index for e in hers] == [s.index for s in read]
    landed = np.array([(e.x_m, e.y_m) for e in hers])
    placed = np.array([s.foot_xy_m for s in read])
    # a foot arriving beside where his stands may be put a little aside, never far
    assert float(np.max(np.hypot(*(landed - placed).T))) < 0.12
    his = [e for e in performance.events if e.role == "leader"]
    planned = perform(routine, fps=50.0)
    as_planned = [e for e in planned.events if e.role == "leader"]
    # his steps are the routine's: the same times and feet (a foot put aside from hers
    # lands a little elsewhere)
    assert [(e.time_s, e.foot) for e in his] == [(e.time_s, e.foot) for e in as_planned]
    his_xy = np.array([(e.x_m, e.y_m) for e in his])
    planned_xy = np.array([(e.x_m, e.y_m) for e in as_planned])
    assert float(np.max(np.hypot(*(his_xy - planned_xy).T))) < 0.12
    # no teleport: her body never moves faster than a dancer can
    root = performance.dancer("follower").root_positions_m[:, :2]
    speed = np.hypot(*np.diff(root, axis=0).T) * performance.fps
    assert float(speed.max()) < 6.0


@pytest.mark.slow
def test_dance_follower_reads_writes_the_usual_folder(demo_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # seed 9: she reads him wrong on two steps of this clip (the viewer shows it)
    result = run("dance", demo_clip, "--follower", "reads", "--style", "jive", "--seed", "9",
                 "-o", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "the leader improvises" in result.stderr and "she reads him" in result.stderr
    for name in OUTPUT_FILES:
        assert (out / name).stat().st_size > 0
    routine = Routine.load(out / "routine.json")
    assert all(p.why.startswith("improvised") for p in routine.figures)
    sheet = (out / "stepsheet.md").read_text()
    assert "## The follower reads the lead" in sheet
    said = re.search(r"(\d+) of her (\d+) steps were the steps of the figure he led", sheet)
    assert said is not None
    page = (out / "index.html").read_text()
    embedded = re.search(r'id="pasdeux-data"[^>]*>(.*?)</script>', page, re.S)
    assert embedded is not None
    data = json.loads(embedded[1])
    assert "reading" in data
    hers = [s for fig in data["figures"] for s in fig["steps"]["follower"]]
    assert len(hers) == int(said[2])
    wrong = [s for s in hers if "(she reads " in s["text"]]
    assert len(wrong) == int(said[2]) - int(said[1]) > 0
    assert sum(m["steps"] for m in data["reading"]) == len(wrong)
    assert "the follower reads" in (out / "stepsheet.html").read_text()
    performance = json.loads((out / "performance.json").read_text())
    events = [e for e in performance["events"] if e["role"] == "follower"]
    assert len(events) == len(hers)
    _viewer_shows_her_reading(out / "index.html", wrong[0]["t_s"])


def _viewer_shows_her_reading(index: Path, wrong_s: float) -> None:
    """The page plays in chromium without an error, its title says the follower reads, and
    at her first step of another figure (``wrong_s``) her step list says which she read."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(index.as_uri())
            page.wait_for_function("window.pasdeuxState !== undefined")
            assert "the follower reads him" in page.title()
            page.evaluate(
                f"() => {{ document.getElementById('audio').currentTime = {wrong_s or 0}; }}"
            )
            page.wait_for_timeout(800)
            text = page.evaluate("() => document.body.innerText")
        finally:
            browser.close()
    assert errors == []
    assert "(she reads " in text


def test_follower_option_is_checked_before_any_analysis(tmp_path: Path) -> None:
    result = run("dance", tmp_path / "missing.wav", "--follower", "guesses")
    assert result.returncode == 2
    assert "--follower" in result.stderr and "Traceback" not in result.stderr


# --- cut in --------------------------------------------------------------------------------
def test_a_second_leader_cuts_in_at_a_bar_and_she_keeps_dancing() -> None:
    style = find_style("Jive")
    music = music_for(style, 40.0)
    alone = improvise_song(music, style, seed=4)
    cut = improvise_song(music, style, seed=4, cut_in=CutIn(bar=6, seed=11))
    at = next(i for i, p in enumerate(cut.figures) if "second leader" in p.why)
    assert cut.figures[at].start_s >= music.bars[5].start - 1e-3
    assert cut.figures[at - 1].start_s < music.bars[5].start
    assert all("second leader" in p.why for p in cut.figures[at:])
    # until he cuts in, the first leader's figures; then another's, by the grammar
    ids = [p.figure.id for p in cut.figures]
    assert ids[:at] == [p.figure.id for p in alone.figures[:at]]
    assert ids[at:] != [p.figure.id for p in alone.figures[at : len(ids)]]
    for before, after in itertools.pairwise(cut.figures):
        assert after.figure.id in {f.id for f in successors(style, before.figure)}
    # she cannot know he will cut in: her steps until then are the same; and she keeps
    # dancing through it without a gap longer than the longest elsewhere
    read_alone = follow_lead(alone, style)
    read_cut = follow_lead(cut, style)
    when = cut.figures[at].start_s
    assert [(s.time_s, s.read, s.foot_xy_m) for s in read_cut if s.time_s < when] == [
        (s.time_s, s.read, s.foot_xy_m) for s in read_alone if s.time_s < when
    ]
    times = [s.time_s for s in read_cut]
    gaps = np.diff(times)
    across = [g for t, g in zip(times, gaps, strict=False) if when - 2.0 <= t <= when + 2.0]
    assert max(across) <= max(np.diff([s.time_s for s in read_alone]))
    assert times[-1] >= cut.figures[-1].start_s


def test_cut_in_outside_the_song_or_without_a_reading_follower_is_refused(
    demo_clip: Path, tmp_path: Path
) -> None:
    style = find_style("Jive")
    music = music_for(style, 20.0)
    with pytest.raises(InputError, match="--cut-in 400: the song has bars 1 to"):
        improvise_song(music, style, seed=0, cut_in=CutIn(bar=400, seed=1))
    result = run("dance", demo_clip, "--cut-in", "4", "-o", tmp_path / "x")
    assert result.returncode == 2 and "--cut-in needs --follower reads" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()
    result = run("dance", demo_clip, "--follower", "reads", "--cut-in", "1")
    assert result.returncode == 2 and "--cut-in" in result.stderr


@pytest.mark.slow
def test_dance_with_a_cut_in_says_who_leads(demo_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("dance", demo_clip, "--follower", "reads", "--style", "rumba", "--cut-in", "5",
                 "--seed", "2", "-o", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    routine = Routine.load(out / "routine.json")
    second = [p for p in routine.figures if "second leader" in p.why]
    assert second and second[0].bar >= 5 and second[-1] is routine.figures[-1]
    assert "cut in at bar 5, seed 3" in (out / "stepsheet.md").read_text()
