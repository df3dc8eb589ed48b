"""The music benchmark's halves, title truths, degraded copies and score grids."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from benchmods import load_bench

bm: Any = load_bench("music")
rec: Any = load_bench("recordings")
oth: Any = load_bench("others")


def test_plain_pieces_split_by_their_number_so_both_halves_hold_every_style() -> None:
    assert bm.split_of("plain_waltz_1", "plain") == "tuning"
    assert bm.split_of("plain_waltz_2", "plain") == "held-out"
    # a score whose name ends in _1 is not a plain piece: it goes by its checksum
    assert bm.split_of("other_haydn_op1_1_1", "others") == oth.split_of("haydn_op1_1_1")


def test_both_halves_of_the_others_scores_are_populated() -> None:
    halves = [oth.split_of(s.name) for s in oth.SCORES]
    assert len(oth.SCORES) >= 20
    assert 0.3 < halves.count("tuning") / len(halves) < 0.7


def test_titles_name_their_dance_and_its_meter() -> None:
    waltz = rec.title_truth(Path("Kevin_MacLeod_-_Frost_Waltz.ogg"))
    assert waltz is not None and (waltz["style"], waltz["meter"]) == ("Waltz", 3)
    samba = rec.title_truth(Path("Kevin_MacLeod_-_Samba_Isobel.ogg"))
    assert samba is not None and (samba["style"], samba["meter"]) == ("Samba", 2)
    vw = rec.title_truth(Path("x_-_Blue_Viennese_Waltz.flac"))
    assert vw is not None and vw["style"] == "Viennese Waltz"
    assert rec.title_truth(Path("Kevin_MacLeod_-_Vibe_Ace.ogg")) is None
    assert rec.title_truth(Path("Dance_of_the_Sugar_Plum_Fairy.ogg")) is None


def test_a_dance_judged_by_title_counts_top1_top3_and_meter() -> None:
    title = rec.title_truth(Path("No_Frills_Salsa.ogg"))
    res = {"ok": True, "meter": 4, "bpm": 180.0, "dances": ["Cha Cha", "Salsa", "Rumba"]}
    got = bm._title_scores(title, res)
    assert got == {"meter_ok": True, "tempo_in_range": True, "top1": False, "top3": True}
    assert bm._title_scores(title, {"ok": False})["top3"] is None


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_degraded_copies_have_their_rate_channels_and_noise(tmp_path: Path) -> None:
    sr = 44100
    t = np.arange(3 * sr) / sr
    tone = 0.3 * np.sin(2 * np.pi * 440.0 * t)
    src = tmp_path / "tone.wav"
    sf.write(str(src), np.stack([tone, tone], axis=1), sr)
    files = rec.degrade(src, tmp_path / "out")
    assert set(files) == set(rec.VARIANTS)
    assert sf.info(str(files["11k"])).samplerate == 11025
    assert sf.info(str(files["8k"])).samplerate == 8000
    assert sf.info(str(files["8k"])).channels == 1
    noisy, _ = sf.read(str(files["noise_10db"]))
    snr = 10 * np.log10(np.mean(tone**2) / np.mean((noisy - tone) ** 2))
    assert abs(snr - rec.NOISE_SNR_DB) < 0.5


def test_a_pickup_bar_is_counted_back_from_the_first_full_bar() -> None:
    pytest.importorskip("music21")
    score = next(s for s in oth.SCORES if s.name == "bach_bwv66_6")
    notes = oth.read_score(score)
    assert notes["meter"] == 4 and notes["bar_ql"] == 4.0
    assert notes["origin_ql"] == -3.0  # a one-beat pick-up
    _midi, truth = oth.compose(score, notes)
    beat_s = 60.0 / score.bpm
    assert truth["downbeats"][0] == pytest.approx(beat_s)
    assert np.allclose(np.diff(truth["beats"]), beat_s)
    assert np.allclose(np.diff(truth["downbeats"]), 4 * beat_s)


@pytest.mark.parametrize("name", ["bach_bwv269", "girl_left_behind", "haydn_op1_1_1"])
def test_the_truth_bars_are_the_scores_full_bars(name: str) -> None:
    # pick-ups (at the start and after a repeat sign), repeats left unexpanded in both the
    # performance and the truth: each full bar of the score starts on a truth downbeat,
    # and each truth downbeat of the first round starts a full bar or a bar split by a
    # repeat sign (whose two parts make one bar)
    pytest.importorskip("music21")
    from music21 import corpus as m21corpus
    from music21 import stream

    score = next(s for s in oth.SCORES if s.name == name)
    notes = oth.read_score(score)
    _midi, truth = oth.compose(score, notes)
    ql_s = 60.0 / score.bpm / notes["beat_ql"]
    down_ql = np.asarray(truth["downbeats"]) / ql_s
    parsed = m21corpus.parse(score.source, number=score.number) if score.number else None
    parsed = parsed if parsed is not None else m21corpus.parse(score.source)
    if isinstance(parsed, stream.Opus):
        parsed = parsed.scores[0]
    measures = list(parsed.parts[0].getElementsByClass(stream.Measure))
    starts = {round(float(m.offset), 6) for m in measures if m.paddingLeft == 0}
    full = [float(m.offset) for m in measures if m.duration.quarterLength == notes["bar_ql"]]
    for offset in full:
        if offset < truth["duration_ql"]:
            assert np.min(np.abs(down_ql - offset)) < 1e-6
    first_round = down_ql[down_ql < notes["end_ql"] - 1e-6]
    assert all(round(float(d), 6) in starts for d in first_round)
