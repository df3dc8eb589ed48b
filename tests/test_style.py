"""The dance asked for is danced, at its tempo: half or double time, bars re-counted in its
meter at the best phase, one warning line; ``auto`` picks the Waltz for a 3/4 at 29 MPM."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pasdeux._run import demo_song_path
from pasdeux.choreo import PlanParams, choreograph, count_music
from pasdeux.dances import load_library
from pasdeux.errors import InputError
from pasdeux.music import (
    CountParams,
    EnergyCurve,
    MusicMap,
    Section,
    count_for,
    listen,
    rank_dances,
    recount,
)
from synth import drum_loop


def grid_music(
    bpm: float, meter: int, bars: int, *, loud_from: int | None = None, loud_every: int = 0
) -> MusicMap:
    """A steady song heard in ``meter`` at ``bpm``; with ``loud_every``, every
    ``loud_every``-th beat from beat ``loud_from`` is 6 dB louder than the rest."""
    beat_s = 60.0 / bpm
    n = meter * bars + 1
    beats = tuple(round(0.5 + i * beat_s, 3) for i in range(n))
    duration = beats[-1] + 1.0
    hop = 0.02
    db = np.full(int(duration / hop) + 1, -12.0)
    if loud_every:
        for t in beats[loud_from::loud_every]:
            db[int(t / hop) : int(t / hop) + 3] = -6.0
    dance = rank_dances(meter, bpm, load_library())[0].name
    return MusicMap(
        source="song.wav",
        duration_s=duration,
        beats=beats,
        beat_in_bar=tuple(i % meter + 1 for i in range(n)),
        meter=meter,
        bpm=bpm,
        mpm=bpm / meter,
        tempo_curve=(),
        phrases=(),
        sections=(Section(0.0, duration, meter, bpm, dance),),
        accents=(),
        energy=EnergyCurve(hop, tuple(float(v) for v in db)),
        dances=(),
    )


def warnings_of(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("warning: ")]


def test_rumba_on_a_176_bpm_song_is_danced_in_half_time_with_one_warning() -> None:
    music = grid_music(176.0, 4, 32)
    lines: list[str] = []
    routine = choreograph(music, style="Rumba", seed=0, progress=lines.append)
    assert warnings_of(lines) == [
        "warning: Rumba asked on a song in 4/4 at 176 BPM: danced in half time at 88 BPM "
        "(22 bars a minute), 14% slower than Rumba's 25-27"
    ]
    danced = count_music(music, "Rumba").music
    assert danced.beats == music.beats[::2]  # every other beat, the downbeats kept
    assert set(danced.downbeats) <= set(music.downbeats)
    assert danced.bpm == pytest.approx(88.0, abs=0.2)
    assert [s.dance for s in danced.sections] == ["Rumba"]
    assert routine.beats == danced.beats
    assert {p.dance for p in routine.figures} == {"Rumba"}
    downbeats = {round(t, 3) for t in danced.downbeats}
    assert all(round(p.start_s, 3) in downbeats for p in routine.figures[:4])


def test_quickstep_on_a_100_bpm_song_is_danced_at_200() -> None:
    music = grid_music(100.0, 4, 24)
    lines: list[str] = []
    routine = choreograph(music, style="Quickstep", seed=0, progress=lines.append)
    assert warnings_of(lines) == [
        "warning: Quickstep asked on a song in 4/4 at 100 BPM: danced in double time at "
        "200 BPM (50 bars a minute)"
    ]
    counting = count_for(next(s for s in load_library() if s.name == "Quickstep"), 4, 100.0)
    assert (counting.tempo_factor, counting.meter, counting.bpm) == (2.0, 4, 200.0)
    danced = count_music(music, "Quickstep").music
    assert danced.beats[::2] == music.beats  # a beat half way between every two
    assert danced.bpm == pytest.approx(200.0, abs=0.5)
    assert routine.beats == danced.beats
    assert {p.dance for p in routine.figures} == {"Quickstep"}


def test_a_waltz_on_music_heard_in_four_is_recounted_in_three_on_the_loud_beats() -> None:
    # a waltz whose bars start on the third beat (every third beat louder), heard in 4/4
    music = grid_music(87.0, 4, 24, loud_from=2, loud_every=3)
    lines: list[str] = []
    routine = choreograph(music, style="Waltz", seed=0, progress=lines.append)
    (warning,) = warnings_of(lines)
    assert warning == (
        "warning: Waltz asked on a song in 4/4 at 87 BPM: re-counted in 3/4 (bars from "
        "1.9 s, on the beats the music is loudest) and danced at 87 BPM (29 bars a minute)"
    )
    danced = count_music(music, "Waltz").music
    assert danced.downbeats == music.beats[2::3]
    assert {b.meter for b in danced.bars[:-1]} == {3}  # the last may be a part bar
    assert {p.dance for p in routine.figures} == {"Waltz"}
    assert all(p.figure.meter == 3 for p in routine.figures)
    assert all(p.start_s in danced.downbeats for p in routine.figures)


def test_recounted_bars_make_phrases_of_the_length_the_count_params_say() -> None:
    music = grid_music(87.0, 4, 24, loud_from=2, loud_every=3)
    as_default = recount(music, meter=3)
    in_fours = recount(music, meter=3, params=CountParams(phrase_bars=4))
    assert [p.n_bars for p in as_default.phrases] == [8, 8, 8, 8]
    assert [p.n_bars for p in in_fours.phrases] == [4] * 8
    assert in_fours.beats == as_default.beats


def test_the_off_range_warning_is_said_beyond_the_plan_params_share() -> None:
    music = grid_music(90.0, 4, 16)  # a Rumba danced as heard, 11% slower than its range
    said: list[str] = []
    count_music(music, "Rumba", progress=said.append)
    assert said == [
        "warning: Rumba asked on a song in 4/4 at 90 BPM: danced at 90 BPM (22 bars a "
        "minute), 11% slower than Rumba's 25-27"
    ]
    said.clear()
    lenient = count_music(
        music, "Rumba", progress=said.append, params=PlanParams(warn_off_range_pct=15.0)
    )
    assert (said, lenient.warning) == ([], None)


def test_the_bar_phase_of_a_rendered_waltz_heard_in_four_is_found() -> None:
    """A rendered waltz (kick, bass and chord on 1), its first beat cut so that the count
    starts on a 2, read in 4: counted in 3, the bars start on the waltz's own downbeats."""
    song = drum_loop(87.0, 3, 16, lead_in_s=0.5)
    heard = listen(song.samples, song.sr)
    beats = heard.beats[1:]
    wrong = replace(
        heard,
        beats=beats,
        beat_in_bar=tuple(i % 4 + 1 for i in range(len(beats))),
        meter=4,
        sections=tuple(replace(s, meter=4) for s in heard.sections),
        phrases=(),
    )
    why: list[str] = []
    danced = recount(wrong, meter=3, explain=lambda _n, _t, reason: why.append(reason))
    truth = song.downbeats[1:]
    assert len(danced.downbeats) >= len(truth) - 1
    assert np.allclose(danced.downbeats[: len(truth) - 1], truth[: len(truth) - 1], atol=0.05)
    assert why == ["on the beats the music is loudest"]


def test_a_three_four_at_29_bars_a_minute_is_a_waltz_in_auto() -> None:
    music = grid_music(87.0, 3, 24)
    assert music.sections[0].dance == "Waltz"  # before the Slow Dance's wider 3/4 range
    lines: list[str] = []
    routine = choreograph(music, seed=0, progress=lines.append)
    assert {p.dance for p in routine.figures} == {"Waltz"}
    assert warnings_of(lines) == []
    assert count_music(music, None).music == replace(
        music, sections=(replace(music.sections[0], dance="Waltz"),)
    )


@pytest.mark.slow
def test_the_demo_song_s_three_four_section_is_a_waltz() -> None:
    """The demo's 3/4 at 87 BPM (29 bars a minute) was ranked a Viennese Waltz: read at
    double time, its staccato chords seemed sustained."""
    music = listen(demo_song_path())
    three = [s for s in music.sections if s.meter == 3]
    assert three and all(s.dance == "Waltz" for s in three)


def test_a_waltz_on_too_few_beats_is_refused_saying_why() -> None:
    music = grid_music(87.0, 4, 4)
    two = replace(music, beats=music.beats[:2], beat_in_bar=(1, 2), tempo_curve=(), phrases=())
    with pytest.raises(InputError) as err:
        choreograph(two, style="Waltz")
    assert str(err.value) == (
        "song.wav: cannot dance Waltz to it: its 2 beats make no whole bar of 3 beats"
    )


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pasdeux", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_cli_dances_rumba_in_half_time_on_a_176_bpm_track(tmp_path: Path) -> None:
    song = drum_loop(176.0, 4, 40)
    wav = tmp_path / "fast.wav"
    sf.write(wav, song.samples, song.sr)
    out = tmp_path / "out"
    result = run("dance", wav, "--style", "Rumba", "-q", "-o", out)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "warning: Rumba asked on a song in 4/4 at 176 BPM: danced in half time at 88 BPM "
        "(22 bars a minute)"
    )
    music = json.loads((out / "music.json").read_text())
    assert music["bpm"] == pytest.approx(88.2, abs=0.5)  # the music as danced
    assert {s["dance"] for s in music["sections"]} == {"Rumba"}
    routine = json.loads((out / "routine.json").read_text())
    assert {f["dance"] for f in routine["figures"]} == {"Rumba"}


@pytest.mark.slow
def test_cli_refuses_a_waltz_on_a_song_without_a_beat(tmp_path: Path) -> None:
    wav = tmp_path / "hum.wav"
    t = np.arange(10 * 44100) / 44100
    sf.write(wav, (0.3 * np.sin(2 * np.pi * 220.0 * t)).astype(np.float32), 44100)
    result = run("dance", wav, "--style", "Waltz", "-q", "-o", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "no danceable beat" in lines[0] and str(wav) in lines[0]
    assert not (tmp_path / "out").exists()


def test_sections_at_different_tempos_are_counted_each_at_its_own_octave() -> None:
    """A song that slows from 176 to 104 BPM, as a Rumba: the first section in half time,
    the second as heard; the change stays on a downbeat and starts a phrase."""
    fast, slow = grid_music(176.0, 4, 16), grid_music(104.0, 4, 16)
    change = fast.beats[-1]
    beats = fast.beats[:-1] + tuple(round(change + t - slow.beats[0], 3) for t in slow.beats)
    end = beats[-1] + 1.0
    music = replace(
        fast,
        duration_s=end,
        beats=beats,
        beat_in_bar=tuple(i % 4 + 1 for i in range(len(beats))),
        sections=(Section(0.0, change, 4, 176.0, "Jive"), Section(change, end, 4, 104.0, "Rumba")),
        energy=EnergyCurve(0.1, tuple(-12.0 for _ in range(int(end / 0.1) + 1))),
    )
    lines: list[str] = []
    routine = choreograph(music, style="Rumba", seed=0, progress=lines.append)
    assert warnings_of(lines) == [
        "warning: Rumba asked on this song: section 1 (4/4 at 176 BPM) danced in half time "
        "at 88 BPM (22 bars a minute), 14% slower than Rumba's 25-27"
    ]
    danced = count_music(music, "Rumba").music
    assert danced.beats == fast.beats[:-1:2] + beats[64:]
    assert [(s.start, s.bpm, s.dance) for s in danced.sections] == [
        (0.0, 88.0, "Rumba"),
        (change, 104.0, "Rumba"),
    ]
    assert change in danced.downbeats
    assert change in {p.start for p in danced.phrases}
    assert {b.meter for b in danced.bars} == {4}
    assert {p.dance for p in routine.figures} == {"Rumba"}


def test_a_dance_without_figures_at_the_level_asked_is_danced_at_its_lowest() -> None:
    """A dance with no newcomer figures (the Viennese Waltz had none) asked at newcomer, the
    default, was refused ("no figure fits"); it is danced with its lowest figures, and the
    one warning line says so. The dance here is the Viennese Waltz with every figure made
    bronze."""
    library_vw = next(s for s in load_library() if s.name == "Viennese Waltz")
    bronze_vw = replace(
        library_vw, figures=tuple(replace(f, level="bronze") for f in library_vw.figures)
    )
    music = grid_music(177.0, 3, 32)
    lines: list[str] = []
    routine = choreograph(music, style=bronze_vw, seed=0, progress=lines.append)
    assert warnings_of(lines) == [
        "warning: Viennese Waltz has no newcomer figures: danced with its bronze ones"
    ]
    assert routine.level == "bronze"
    assert {p.dance for p in routine.figures} == {"Viennese Waltz"}
