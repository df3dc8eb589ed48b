"""Tests of the listening stage on synthetic audio with known answers.

The songs are :func:`synth.drum_song` mixes made in numpy: kick, snare and hi-hat bursts, a
bass note and a chord on every downbeat (the chord changes each bar, C Am F G), chord stabs
on the backbeats and a crash every other bar.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import mir_eval
import numpy as np
import pytest
import soundfile as sf
from numpy.typing import NDArray

from _styles import bare_style
from pasdeux.errors import InputError
from pasdeux.music import (
    MusicMap,
    TempoMap,
    listen,
    load_audio,
    rank_dances,
)
from pasdeux.music.frontend._audio import sample_blocks
from pasdeux.music.frontend._features import features_of
from synth import SR, Part, Song, drum_loop, drum_song

# --------------------------------------------------------------------------- helpers


def _write(path: Path, samples: NDArray[np.float32], subtype: str = "PCM_16") -> Path:
    sf.write(str(path), samples, SR, subtype=subtype)
    return path


def _boundaries(m: MusicMap) -> list[float]:
    return [s.start for s in m.sections[1:]]


# --------------------------------------------------------------------------- shared songs


@pytest.fixture(scope="module")
def song_44() -> Song:
    return drum_loop(120, 4, 10)


@pytest.fixture(scope="module")
def map_44(song_44: Song) -> MusicMap:
    return listen(song_44.samples, SR)


@pytest.fixture(scope="module")
def switch_song() -> Song:
    return drum_song([Part(120, 4, 8), Part(120, 3, 8)])


@pytest.fixture(scope="module")
def map_switch(switch_song: Song) -> MusicMap:
    return listen(switch_song.samples, SR)


# --------------------------------------------------------------------------- beats and meter


def test_beats_meter_and_tempo_in_4_4(song_44: Song, map_44: MusicMap) -> None:
    f = mir_eval.beat.f_measure(song_44.beats, np.array(map_44.beats), f_measure_threshold=0.07)
    assert f >= 0.9
    assert map_44.meter == 4
    assert map_44.bpm == pytest.approx(120, rel=0.04)
    assert map_44.mpm == pytest.approx(map_44.bpm / 4)
    assert [s.meter for s in map_44.sections] == [4]
    # downbeats where the song has them
    found = np.array(map_44.downbeats)
    hits = [np.min(np.abs(found - t)) < 0.07 for t in song_44.downbeats]
    assert np.mean(hits) >= 0.9


def test_pickup_after_leading_silence(song_44: Song) -> None:
    start = 0.9  # the song starts just before its beat 3 (a two-beat pickup)
    x = np.concatenate([np.zeros(3 * SR, dtype=np.float32), song_44.samples[int(start * SR) :]])
    m = listen(x, SR)
    assert m.beats[0] > 2.9  # no beats in the silence
    assert m.beat_in_bar[:6] == (3, 4, 1, 2, 3, 4)
    assert m.downbeats[0] == pytest.approx(3.0 + 2.0 - start, abs=0.07)
    assert not [a for a in m.accents if a.kind == "break"]  # leading silence is no break


def test_waltz_is_found_in_3_4() -> None:
    song = drum_loop(90, 3, 10, seed=1)
    m = listen(song.samples, SR)
    f = mir_eval.beat.f_measure(song.beats, np.array(m.beats), f_measure_threshold=0.07)
    assert f >= 0.9
    assert m.meter == 3
    assert m.bpm == pytest.approx(90, rel=0.04)
    assert [s.meter for s in m.sections] == [3]


def test_meter_change_from_4_to_3_makes_two_sections(
    switch_song: Song, map_switch: MusicMap
) -> None:
    m = map_switch
    assert [s.meter for s in m.sections] == [4, 3]
    truth = float(switch_song.beats[8 * 4])
    assert abs(_boundaries(m)[0] - truth) < 2.0
    assert m.sections[0].start == 0.0
    assert m.sections[-1].end == pytest.approx(m.duration_s)
    for s in m.sections:
        assert s.bpm == pytest.approx(120, rel=0.04)
    # bars in each section have the section's meter
    for bar in m.bars[:-1]:
        section = next(s for s in m.sections if s.start - 1e-6 <= bar.start < s.end)
        assert bar.meter == section.meter


def test_tempo_jump_splits_a_section() -> None:
    song = drum_song([Part(100, 4, 8), Part(125, 4, 10)], seed=2)
    m = listen(song.samples, SR)
    assert [s.meter for s in m.sections] == [4, 4]
    assert m.sections[0].bpm == pytest.approx(100, rel=0.04)
    assert m.sections[1].bpm == pytest.approx(125, rel=0.04)
    assert abs(_boundaries(m)[0] - float(song.beats[32])) < 2.0


def test_fast_song_is_not_halved() -> None:
    song = drum_loop(204, 4, 16, seed=6)
    m = listen(song.samples, SR)
    assert m.bpm == pytest.approx(204, rel=0.04)
    assert m.meter == 4
    f = mir_eval.beat.f_measure(song.beats, np.array(m.beats), f_measure_threshold=0.07)
    assert f >= 0.9


DEMO = Path(__file__).resolve().parents[1] / "src" / "pasdeux" / "assets" / "demo_song.ogg"


@pytest.mark.skipif(not DEMO.exists(), reason="demo song not rendered")
def test_demo_song_turns_from_ballad_into_waltz() -> None:
    truth = json.loads(DEMO.with_suffix(".truth.json").read_text())
    m = listen(DEMO)
    assert [s.meter for s in m.sections] == [4, 3]
    assert abs(m.sections[1].start - truth["sections"][1]["start"]) < 2.0
    for got, want in zip(m.sections, truth["sections"]):
        assert got.bpm == pytest.approx(want["bpm"], rel=0.04)
    f = mir_eval.beat.f_measure(np.array(truth["beats"]), np.array(m.beats))
    assert f >= 0.9


def test_phrases_are_8_bars_restarting_at_sections(map_44: MusicMap, map_switch: MusicMap) -> None:
    assert next(p.n_bars for p in map_44.phrases) == 8
    assert sum(p.n_bars for p in map_44.phrases) == len(map_44.bars)
    starts = {p.start for p in map_switch.phrases}
    for boundary in _boundaries(map_switch):
        assert boundary in starts
    for p in map_switch.phrases:
        assert 1 <= p.n_bars <= 8
        assert map_switch.bars[p.first_bar].start == p.start


def test_tempo_curve_and_energy(map_44: MusicMap) -> None:
    assert len(map_44.tempo_curve) == len(map_44.beats)
    inner = [p.bpm for p in map_44.tempo_curve[2:-6]]
    assert np.allclose(inner, 120, rtol=0.04)
    assert map_44.energy.hop_s == pytest.approx(0.1)
    assert len(map_44.energy.values_db) == pytest.approx(map_44.duration_s / 0.1, abs=1)
    assert max(map_44.energy.values_db) == pytest.approx(0.0, abs=0.05)


def test_break_and_final_chord_are_accents() -> None:
    parts = [Part(120, 4, 6), Part(120, 4, 1, play=False), Part(120, 4, 5)]
    song = drum_song(parts, seed=3, final_chord_s=3.0)
    m = listen(song.samples, SR)
    breaks = [a for a in m.accents if a.kind == "break"]
    assert breaks, m.accents
    gap_start = float(song.beats[24])
    assert any(gap_start - 0.5 < a.time < gap_start + 1.0 and a.duration >= 0.5 for a in breaks)
    finals = [a for a in m.accents if a.kind == "final"]
    chord_at = float(song.beats[-1] + 0.5)
    assert len(finals) == 1
    assert finals[0].time == pytest.approx(chord_at, abs=0.1)
    for a in m.accents:
        assert 0.0 <= a.strength <= 1.0


def test_progress_messages() -> None:
    said: list[str] = []
    song = drum_loop(110, 4, 4, seed=4)
    listen(song.samples, SR, progress=said.append)
    assert said == [
        "decoding…",
        "finding beats…",
        "finding bars and meter…",
        "sections, phrases, accents…",
    ]


# --------------------------------------------------------------------------- no beat


def _speech_like(seconds: float, seed: int = 0) -> NDArray[np.float32]:
    """Irregular voiced 'syllables' (harmonic tones under a sine envelope) and pauses."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    out = np.zeros(n)
    pos = 0
    while pos < n:
        length = min(int(SR * rng.uniform(0.08, 0.3)), n - pos)
        t = np.arange(length) / SR
        f0 = rng.uniform(100, 220)
        voiced = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 12))
        out[pos : pos + length] = voiced * np.sin(np.pi * t * SR / length) * rng.uniform(0.2, 0.6)
        pos += length + int(SR * rng.uniform(0.02, 0.25))
    return np.asarray(0.3 * out, dtype=np.float32)


@pytest.mark.parametrize("level", [1.0, 0.01])
@pytest.mark.parametrize("kind", ["silence", "white noise", "440 Hz tone", "speech-like"])
def test_no_danceable_beat(kind: str, level: float) -> None:
    """Refused at a normal level and 40 dB down (quiet audio is raised before the network)."""
    n = 12 * SR
    rng = np.random.default_rng(5)
    if kind == "silence":
        x = np.zeros(n, dtype=np.float32)
    elif kind == "white noise":
        x = (0.3 * rng.standard_normal(n)).astype(np.float32)
    elif kind == "440 Hz tone":
        x = (0.5 * np.sin(2 * np.pi * 440 * np.arange(n) / SR)).astype(np.float32)
    else:
        x = _speech_like(12.0)
    with pytest.raises(InputError, match="no danceable beat"):
        listen(level * x, SR)


def test_quiet_song_is_heard_as_loud() -> None:
    """The same song 20 and 50 dB down: the network hears it alike (the level is raised to
    a normal one first), and the beats and tempo are those of the song at full level."""
    song = drum_loop(120.0, 4, 8)
    down_20, down_50 = (
        features_of(sample_blocks(np.float32(g) * song.samples), SR).activations
        for g in (0.1, 0.00316)
    )
    assert np.max(np.abs(down_20 - down_50)) < 1e-3
    loud = listen(song.samples, SR)
    quiet = listen(np.float32(0.00316) * song.samples, SR)
    assert quiet.bpm == pytest.approx(loud.bpm, rel=0.01)
    assert len(quiet.beats) == len(loud.beats)
    assert np.max(np.abs(np.subtract(quiet.beats, loud.beats))) <= 0.02


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng (make test installs it)")
def test_real_speech_has_no_danceable_beat(tmp_path: Path) -> None:
    """Speech from a real synthesiser (espeak-ng): a clear error, not a made-up grid."""
    text = (
        "The music map is what every step stands on. If a beat is wrong, a foot lands wrong. "
        "Today's best trackers fail exactly where dancers need them. We know something they "
        "do not: the dances' own tempo ranges and meters. Give it a song, and it listens."
    )
    path = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "160", "-w", str(path), text], check=True)
    with pytest.raises(InputError, match="no danceable beat"):
        listen(path)


def test_samples_need_a_sample_rate() -> None:
    with pytest.raises(InputError, match="sample rate"):
        listen(np.zeros(10 * SR, dtype=np.float32))


# --------------------------------------------------------------------------- load_audio


def test_load_audio_reads_and_mixes_to_mono(tmp_path: Path) -> None:
    left = np.full(6 * 22050, 0.5, dtype=np.float32)
    right = np.zeros_like(left)
    path = tmp_path / "stereo.wav"
    sf.write(str(path), np.stack([left, right], axis=1), 22050, subtype="FLOAT")
    x, rate = load_audio(path)
    assert rate == 22050
    assert x.dtype == np.float32
    assert x.shape == (left.size,)
    assert np.allclose(x, 0.25)


def test_listen_reads_a_file(tmp_path: Path, song_44: Song, map_44: MusicMap) -> None:
    path = _write(tmp_path / "song.ogg", song_44.samples, subtype="VORBIS")
    m = listen(path)
    assert m.source == str(path)
    assert m.meter == 4
    assert m.bpm == pytest.approx(map_44.bpm, rel=0.02)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "no such file"),
        ("directory", "is a directory"),
        ("empty", "empty"),
        ("text.ogg", "not an audio file"),
        ("nan", "NaN"),
        ("short", "too short to find a beat"),
    ],
)
def test_load_audio_errors(tmp_path: Path, case: str, message: str) -> None:
    path = tmp_path / "song.wav"
    if case == "directory":
        path = tmp_path / "folder.wav"
        path.mkdir()
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "text.ogg":
        path = tmp_path / "notes.ogg"
        path.write_text("these are not the sounds you are looking for\n" * 50)
    elif case == "nan":
        x = np.zeros(6 * SR, dtype=np.float32)
        x[1000] = np.nan
        _write(path, x, subtype="FLOAT")
    elif case == "short":
        _write(path, np.zeros(2 * SR, dtype=np.float32))
    with pytest.raises(InputError, match=message) as info:
        load_audio(path)
    assert info.value.path == str(path)
    assert "\n" not in str(info.value)
    with pytest.raises(InputError, match=message):
        listen(path)


@pytest.mark.skipif(
    sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
    reason="root reads any file",
)
def test_load_audio_permission_denied(tmp_path: Path) -> None:
    path = _write(tmp_path / "locked.wav", np.zeros(6 * SR, dtype=np.float32))
    path.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied"):
            load_audio(path)
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
def test_m4a_is_decoded_with_ffmpeg(tmp_path: Path) -> None:
    import subprocess

    wav = _write(tmp_path / "tone.wav", np.full(6 * SR, 0.25, dtype=np.float32))
    m4a = tmp_path / "tone.m4a"
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(wav), "-c:a", "aac", str(m4a)]
    if subprocess.run(cmd, check=False).returncode != 0:
        pytest.skip("this ffmpeg cannot encode AAC")
    x, rate = load_audio(m4a)
    assert rate == 44100
    assert x.size / rate == pytest.approx(6.0, abs=0.1)
    bad = tmp_path / "bad.m4a"
    bad.write_text("not audio" * 40)
    with pytest.raises(InputError, match="not an audio file"):
        load_audio(bad)


def test_m4a_needs_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "song.m4a"
    path.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(100))
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(InputError, match="ffmpeg is needed"):
        load_audio(path)


# --------------------------------------------------------------------------- serialisation


def test_music_map_json_round_trip(map_switch: MusicMap) -> None:
    data = json.loads(map_switch.to_json())
    assert data["meter"] == map_switch.meter
    assert len(data["downbeats"]) == len(map_switch.downbeats)
    assert MusicMap.from_dict(data) == map_switch
    assert MusicMap.from_dict(map_switch.to_dict()) == map_switch


def test_tempo_map_round_trip_and_extrapolation() -> None:
    beats = [0.5, 1.0, 1.5, 2.1, 2.8, 3.4]
    tm = TempoMap.from_beats(beats, first_downbeat_index=1)
    x = np.linspace(-3.0, 8.0, 45)
    assert np.allclose(tm.beats_from_seconds(tm.seconds_from_beats(x)), x)
    s = np.linspace(-1.0, 6.0, 30)
    assert np.allclose(tm.seconds_from_beats(tm.beats_from_seconds(s)), s)
    assert tm.second_from_beat(0.0) == pytest.approx(1.0)
    assert tm.second_from_beat(-1.0) == pytest.approx(0.5)
    assert tm.second_from_beat(-2.0) == pytest.approx(0.0)  # first interval extended
    assert tm.second_from_beat(5.0) == pytest.approx(4.0)  # last interval (0.6 s) extended
    assert tm.bpm_at_seconds([0.7])[0] == pytest.approx(120.0)


def test_music_map_tempo_map_matches_beats(map_44: MusicMap) -> None:
    tm = map_44.tempo_map
    first = map_44.first_downbeat_index
    assert tm.second_from_beat(0.0) == pytest.approx(map_44.beats[first])
    assert tm.beat_from_second(map_44.beats[first + 4]) == pytest.approx(4.0)


# --------------------------------------------------------------------------- dance fit


STYLES = (
    bare_style("Waltz", (3, 84, 90)),
    bare_style("Viennese Waltz", (3, 174, 180)),
    bare_style("Slow Foxtrot", (4, 112, 120)),
    bare_style("Samba", (2, 100, 104)),
    bare_style("Slow Dance", (4, 60, 100), (3, 78, 102)),
)


def test_rank_dances_waltz_tempo() -> None:
    fits = rank_dances(3, 87.0, STYLES)
    assert len(fits) == len(STYLES)
    assert {f.name for f in fits[:2]} == {"Waltz", "Slow Dance"}
    assert fits[0].score == 1.0
    by_name = {f.name: f for f in fits}
    assert by_name["Slow Dance"].reason == (
        "87 BPM in 3/4 (29 MPM) is inside Slow Dance's 3/4 range 78-102 BPM"
    )
    assert by_name["Slow Foxtrot"].score == 0.0
    assert "3/4" in by_name["Slow Foxtrot"].reason
    assert by_name["Samba"].score == 0.0  # a 3 never suits a 2
    assert by_name["Viennese Waltz"].score > 0.5  # double time: 174 BPM
    assert by_name["Viennese Waltz"].reason.startswith("double time:")
    assert [f.score for f in fits] == sorted((f.score for f in fits), reverse=True)


def test_rank_dances_half_time_and_two_four() -> None:
    fits = {f.name: f for f in rank_dances(4, 232.0, STYLES)}
    assert fits["Slow Foxtrot"].reason.startswith("half time:")
    assert 0.5 < fits["Slow Foxtrot"].score < 1.0
    samba = {f.name: f for f in rank_dances(4, 102.0, STYLES)}["Samba"]
    # a song read in 4 suits a 2/4 range, beats counted the same, a little less than one
    # read in 2 (where the bass alternates beat by beat)
    assert 0.9 < samba.score < 1.0
    assert "inside Samba's 2/4 range" in samba.reason
    assert {f.name: f for f in rank_dances(2, 102.0, STYLES)}["Samba"].score == 1.0


def test_rank_dances_falls_off_smoothly() -> None:
    scores = [
        next(f.score for f in rank_dances(3, bpm, STYLES) if f.name == "Waltz")
        for bpm in (90.0, 93.0, 97.0, 105.0, 120.0)
    ]
    assert scores[0] == 1.0
    assert all(a > b for a, b in itertools.pairwise(scores))
    assert 0.6 < scores[1] < 1.0
    assert scores[-1] < 0.15  # a third faster than the range
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert rank_dances(4, 100.0, ()) == ()
