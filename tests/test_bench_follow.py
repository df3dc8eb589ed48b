"""The follow benchmark's metric functions, on known answers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from benchmods import load_bench
from pasdeux.choreo import lead_frames, lead_routine
from pasdeux.dances import find_style
from pasdeux.follow import FollowParams

bench = load_bench("follow")


def test_one_figure_under_two_names_counts_as_the_same() -> None:
    waltz = find_style("Waltz")
    assert bench.same_steps(waltz.figure("finish_lf"), waltz.figure("lf_closed_change"))
    assert not bench.same_steps(waltz.figure("natural_turn"), waltz.figure("natural_spin_turn"))


def test_figures_that_start_alike_are_not_unambiguous() -> None:
    bachata = find_style("Bachata")
    basic = bachata.figure("basic")
    # the Box starts as the Basic does: side, close; they part on the third step, beat 2
    assert not bench.distinguishable(bachata, basic, bachata.figure("box"))
    waltz = find_style("Waltz")
    assert bench.distinguishable(waltz, None, waltz.figure("reverse_turn"))


def test_figure_records_and_step_errors_of_a_clean_known_sequence() -> None:
    waltz = find_style("Waltz")
    ids = ["reverse_turn", "whisk", "chasse_from_pp", "natural_turn"]
    routine = lead_routine(waltz, [waltz.figure(i) for i in ids])
    motion = lead_frames(routine, fps=bench.FPS)
    times, believed, steps = bench.follow_frames(waltz, motion, routine, FollowParams())
    records = bench.figure_records(waltz, routine, motion, times, believed)
    assert [r["figure"] for r in records] == ids
    assert all(r["settled"] for r in records)
    assert records[0]["first_beat"] and records[0]["latency_beats"] == 0.0
    errors = bench.step_errors(waltz, routine, steps)
    assert max(errors["position_cm"]) < 1.0
    assert sum(errors["missed"]) == 0
    assert max(errors["timing_ms"]) <= 1000 / bench.FPS + 1.0


def test_first_beat_steps_are_hers_by_the_end_of_the_first_beat() -> None:
    waltz = find_style("Waltz")
    ids = ["reverse_turn", "whisk", "chasse_from_pp", "natural_turn"]
    routine = lead_routine(waltz, [waltz.figure(i) for i in ids])
    motion = lead_frames(routine, fps=bench.FPS)
    times, believed, steps = bench.follow_frames(waltz, motion, routine, FollowParams())
    records = bench.figure_records(waltz, routine, motion, times, believed, steps)
    assert all(r["first_beat_steps"] for r in records)
    # her steps of the Whisk called another figure with the same steps still count; steps
    # of another figure do not, nor do steps danced too late
    first = min(s.land_s for s in motion.steps if s.figure == 1)
    period = routine.beats[1] - routine.beats[0]
    whisk = waltz.figure("whisk")
    hers = sorted(steps, key=lambda s: s.time_s)
    assert bench.first_beat_steps_right(waltz, whisk, first, period, hers)
    assert not bench.first_beat_steps_right(
        waltz, waltz.figure("reverse_turn"), first, period, hers
    )
    late = [replace(s, time_s=s.time_s + 2 * period) if s.time_s >= first else s for s in hers]
    assert not bench.first_beat_steps_right(waltz, whisk, first, period, late)


def test_telling_beat_is_where_the_lead_first_differs() -> None:
    bachata = find_style("Bachata")
    basic = bachata.figure("basic")
    # the Box parts from the Basic on its third step (beat 2), whose lead begins in beat 2
    assert bench.telling_beat(bachata, basic, bachata.figure("box")) == 2
    assert not bench.distinguishable(bachata, basic, bachata.figure("box"))
    waltz = find_style("Waltz")
    assert bench.telling_beat(waltz, None, waltz.figure("reverse_turn")) == 1
    prep = waltz.figure("prep_step")
    spin, turn = waltz.figure("natural_spin_turn"), waltz.figure("natural_turn")
    # the Natural Spin Turn is the Natural Turn's first half and then its own pivot
    assert bench.telling_beat(waltz, prep, spin) == 3
    assert bench.telling_beat(waltz, prep, turn) == 4


def test_a_figure_is_told_only_by_what_was_led_before_she_is_judged() -> None:
    paso = find_style("Paso Doble")
    link, promenade = paso.figure("promenade_link"), paso.figure("promenade")
    # the Promenade is the Sixteen's first eight steps: only the Sixteen's ninth step (or
    # its absence) on beat 8 parts them, after the Promenade's last frame (the next
    # figure's lead, about 7.2 beats after his first step)
    assert bench.telling_beat(paso, link, promenade) == 8
    assert bench.telling_beat(paso, link, promenade, until_beats=7.2) is None
    # a telling beat inside the window is unchanged
    waltz = find_style("Waltz")
    prep, turn = waltz.figure("prep_step"), waltz.figure("natural_turn")
    assert bench.telling_beat(waltz, prep, turn, until_beats=5.2) == 4


def test_a_figure_is_judged_once_the_steps_that_tell_it_have_landed() -> None:
    bachata = find_style("Bachata")
    routine = lead_routine(bachata, [bachata.figure("basic"), bachata.figure("box")])
    motion = lead_frames(routine, fps=bench.FPS)
    box = bachata.figure("box")
    assert bench.telling_beat(bachata, bachata.figure("basic"), box) == 2
    # the Box's third step (beat 2, the one that tells it) lands 60 ms late, as a noisy
    # lead's may; she believes the Box from the frame she feels it
    third = next(s for s in motion.steps if s.figure == 1 and s.index == 2)
    late = replace(third, land_s=third.land_s + 0.06)
    motion = replace(motion, steps=tuple(late if s is third else s for s in motion.steps))
    times = [f.time_s for f in motion.frames]
    believed = ["box" if t >= late.land_s else "basic" for t in times]
    records = bench.figure_records(bachata, routine, motion, times, believed)
    assert records[1]["telling_beat"] == 2 and records[1]["by_telling_beat"]


def test_out_of_sync_spells_count_runs_of_more_than_one_step() -> None:
    spells = bench.out_of_sync_spells
    assert spells([0, 1, 2, 3, 4, 5], [True, False, False, True, False, True], 1.0) == [2.0]
    assert spells([0, 1, 2], [True, True, True], 0.5) == []
    # a spell to the end is measured to the last true step; in beats of 0.5 s
    assert spells([0.0, 0.5, 1.0, 1.5], [True, True, False, False], 0.5) == [1.0]


def test_figures_of_the_same_id_in_two_dances_are_told_apart() -> None:
    waltz, polka = find_style("Waltz"), find_style("Polka")
    w, p = waltz.figure("natural_turn"), polka.figure("natural_turn")
    assert bench._his_steps(w) != bench._his_steps(p)
    assert [h.beat for h in bench._his_steps(p)] == [s.beat for s in p.leader]


def test_a_step_a_little_shorter_is_in_sync_another_direction_is_not() -> None:
    step = ("L", "back", 0.4, 0.0, True, "closed", "closed")
    assert bench.same_step(step, ("L", "back", 0.35, 0.0, True, "closed", "outside_partner"))
    assert not bench.same_step(step, ("L", "forward", 0.4, 0.0, True, "closed", "closed"))
    assert not bench.same_step(step, ("R", "back", 0.4, 0.0, True, "closed", "closed"))
    assert not bench.same_step(step, ("L", "back", 0.4, 2.0, True, "closed", "closed"))


def test_an_unknown_dance_is_refused_with_the_dances_it_knows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        bench.main(["--dances", "Pasodobel", "--no-write"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "unknown dance 'Pasodobel'" in err and "Paso Doble" in err
