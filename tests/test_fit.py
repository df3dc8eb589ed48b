"""The dance fit's rhythmic character: features read off synthetic grooves of known character
(swung or straight eighths, a tumbao, a march, a backbeat, the cha-cha-cha, a shaker), the
ranking with and without them, and the rhythm tables of the dance library."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

import pasdeux.dances
from pasdeux.dances import RHYTHM_FEATURES, DanceStyle, load_library, load_style
from pasdeux.errors import SchemaError
from pasdeux.music import FitParams, ListenParams, rank_dances
from pasdeux.music.fit._rank import tempo_score
from pasdeux.music.fit._rhythm import (
    FEATURE_WORDS,
    SCALE,
    RhythmProfile,
    describe,
    rhythm_features,
    rhythm_fit,
    rhythm_profile,
)
from pasdeux.music.frontend._envelopes import band_envelopes

NEUTRAL_FIT = FitParams().neutral_fit

SR = 44100
DATA = Path(pasdeux.dances.__file__).parent / "data"

#: One stroke: (position in beats from the bar's start, instrument, loudness).
Stroke = tuple[float, str, float]


# --------------------------------------------------------------------------- synthetic grooves


def _envelope(decay_s: float) -> NDArray[np.float64]:
    """A 3 ms attack, then an exponential decay over 8 time constants to silence."""
    t = np.arange(int(8 * decay_s * SR)) / SR
    env = np.exp(-t / decay_s) * np.minimum(1.0, t / 0.003)
    env[-64:] *= np.linspace(1.0, 0.0, 64)
    return np.asarray(env, dtype=float)


def _tone(freq: float, decay_s: float) -> NDArray[np.float64]:
    env = _envelope(decay_s)
    t = np.arange(env.size) / SR
    return np.asarray(np.sin(2 * np.pi * freq * t) * env, dtype=float)


def _noise(decay_s: float, seed: int) -> NDArray[np.float64]:
    env = _envelope(decay_s)
    white = np.random.default_rng(seed).standard_normal(env.size)
    bright = np.diff(white, prepend=0.0)  # tilt towards the top of the spectrum
    return np.asarray(bright * env, dtype=float)


def _instruments() -> dict[str, NDArray[np.float64]]:
    return {
        "bass": _tone(70.0, 0.1),  # kick / bass: low band
        "chord": _tone(660.0, 0.3) + _tone(880.0, 0.3),  # mid band, sustained
        "stab": _tone(660.0, 0.02) + _tone(880.0, 0.02),  # mid band, clipped
        "snare": _tone(900.0, 0.04) + 0.5 * _noise(0.04, 1),  # mid and high
        "hat": 0.6 * _noise(0.015, 2),  # high band
        "clave": _tone(2500.0, 0.02),  # mid band, short
    }


def groove(
    bar: Iterable[Stroke], meter: int, bpm: float, bars: int = 16
) -> tuple[NDArray[np.float32], NDArray[np.float64], NDArray[np.int64]]:
    """Render ``bars`` bars of one repeated bar of strokes; also return the beat grid."""
    sounds = _instruments()
    beat_s = 60.0 / bpm
    strokes = list(bar)
    n = int((bars * meter + 2) * beat_s * SR)
    out = np.zeros(n)
    rng = np.random.default_rng(7)
    for b in range(bars):
        for pos, inst, amp in strokes:
            jitter = rng.normal(0.0, 0.004)  # a few ms of human timing
            start = round(((b * meter + pos) * beat_s + jitter + 0.05) * SR)
            sound = sounds[inst]
            end = min(n, start + sound.size)
            out[start:end] += amp * sound[: end - start]
    out /= np.max(np.abs(out)) * 1.1
    beats = np.asarray(0.05 + np.arange(bars * meter + 1) * beat_s, dtype=np.float64)
    positions = np.tile(np.arange(1, meter + 1, dtype=np.int64), bars + 1)[: beats.size]
    return out.astype(np.float32), beats, positions


def features_of(
    bar: Iterable[Stroke], meter: int = 4, bpm: float = 120.0, ratio: float = 1.0
) -> dict[str, float]:
    samples, beats, positions = groove(bar, meter, bpm)
    profile = rhythm_profile(band_envelopes(samples), beats, positions, meter)
    assert profile is not None
    return rhythm_features(profile, ratio, meter)


def profile_of(bar: Iterable[Stroke], meter: int = 4, bpm: float = 120.0) -> RhythmProfile:
    samples, beats, positions = groove(bar, meter, bpm)
    profile = rhythm_profile(band_envelopes(samples), beats, positions, meter)
    assert profile is not None
    return profile


def on_beats(inst: str, meter: int = 4, amp: float = 1.0) -> list[Stroke]:
    return [(float(b), inst, amp) for b in range(meter)]


def eighths(inst: str, offbeat: float = 0.5, amp: float = 0.6) -> list[Stroke]:
    """A stroke on every beat and on its off-beat, placed at ``offbeat`` of the beat."""
    return [(b + x, inst, amp) for b in range(4) for x in (0.0, offbeat)]


SWUNG = eighths("hat", 2 / 3) + on_beats("bass") + [(1.0, "snare", 1.0), (3.0, "snare", 1.0)]
STRAIGHT = eighths("hat", 0.5) + on_beats("bass") + [(1.0, "snare", 1.0), (3.0, "snare", 1.0)]
#: The son tumbao: bass on the "&" of 2 and on 4 (nothing on 1), clave 3-2 on top.
TUMBAO = [(1.5, "bass", 1.0), (3.0, "bass", 1.0), *eighths("hat", 0.5, 0.3)]
CLAVE_32 = [(0.0, "clave", 1.0), (1.5, "clave", 1.0), (3.0, "clave", 1.0)]
WALKING = on_beats("bass") + eighths("hat", 0.5, 0.3)
MARCH = on_beats("bass") + on_beats("snare") + on_beats("chord", amp=0.5)
WALTZ = [(0.0, "bass", 1.0), (0.0, "chord", 0.5), (1.0, "chord", 0.5), (2.0, "chord", 0.5)]
#: The polka's oom-pah in 2/4: bass on both beats, accordion chords and the snare on the "&"s.
OOM_PAH = [
    (0.0, "bass", 1.0),
    (1.0, "bass", 0.9),
    (0.5, "chord", 0.8),
    (1.5, "chord", 0.8),
    (0.5, "snare", 0.6),
    (1.5, "snare", 0.6),
]
#: A 2/4 march: bass and snare on both beats, chords on the beats.
MARCH_24 = [(0.0, "bass", 1.0), (1.0, "bass", 0.9), *on_beats("snare", 2), *on_beats("chord", 2)]


# --------------------------------------------------------------------------- the features


def test_swung_eighths_read_as_swing_and_straight_ones_do_not() -> None:
    assert features_of(SWUNG)["swing"] > 0.7
    assert features_of(STRAIGHT)["swing"] < 0.3


def test_a_shuffle_is_swing_at_a_fast_tempo_too() -> None:
    assert features_of(SWUNG, bpm=172.0)["swing"] > 0.6


def test_tumbao_and_clave_read_as_syncopation_a_walking_bass_does_not() -> None:
    assert features_of(TUMBAO + CLAVE_32)["syncopation"] > 0.2
    assert features_of(TUMBAO)["syncopation"] > 0.2
    assert features_of(WALKING)["syncopation"] < 0.05
    assert features_of(STRAIGHT)["syncopation"] < 0.05


def test_a_march_is_even_a_waltz_marks_its_downbeat() -> None:
    march = features_of(MARCH)
    assert march["evenness"] > 0.85
    assert abs(march["downbeat"] - 0.5) < 0.05
    waltz = features_of(WALTZ, meter=3, bpm=87.0)
    assert waltz["downbeat"] > 0.6
    assert waltz["evenness"] < march["evenness"]
    assert "backbeat" not in waltz and "accent4" not in waltz  # no even beats in 3


def test_the_oom_pah_s_off_beat_chords_read_as_afterbeat_a_march_does_not() -> None:
    oom_pah = features_of(OOM_PAH, meter=2)
    march = features_of(MARCH_24, meter=2)
    assert oom_pah["afterbeat"] > 0.7
    assert march["afterbeat"] < 0.2
    assert features_of(STRAIGHT)["afterbeat"] < 0.5  # hats on the "&"s, snare on the beats


def test_backbeat_on_2_and_4() -> None:
    assert features_of(STRAIGHT)["backbeat"] > 0.6
    assert abs(features_of(MARCH)["backbeat"] - 0.5) < 0.05


def test_accent_on_4_and_the_cha_cha_cha() -> None:
    tap = [*on_beats("bass"), (3.0, "snare", 1.0)]
    assert features_of(tap)["accent4"] > 0.65
    assert abs(features_of(MARCH)["accent4"] - 0.5) < 0.05
    cha = on_beats("bass") + on_beats("clave") + [(3.5, "clave", 1.0), (3.5, "hat", 1.0)]
    assert features_of(cha)["and4"] > 0.7
    assert features_of(STRAIGHT)["and4"] < 0.6


def test_sixteenth_note_shaker_reads_as_density() -> None:
    shaker = [(b / 4, "hat", 0.6) for b in range(16)] + on_beats("bass")
    assert features_of(shaker)["density16"] > 0.6
    assert features_of(STRAIGHT)["density16"] < 0.2


def test_clipped_chords_are_more_staccato_than_sustained_ones() -> None:
    stabs = features_of(on_beats("stab"))["staccato"]
    sustained = features_of(on_beats("chord") + [(b + 0.5, "chord", 0.8) for b in range(4)])
    assert stabs > sustained["staccato"] + 0.2
    assert stabs > 0.4


def test_features_are_read_at_the_dance_s_beat() -> None:
    """A swung groove tracked at half its tempo (two of its beats per tracked beat) is still
    swung when read at double time, and a straight one still straight."""
    swung_slow = [(pos / 2, inst, amp) for pos, inst, amp in SWUNG]  # 4 beats in 2 tracked
    swung_slow += [(2 + p, inst, amp) for p, inst, amp in swung_slow]
    assert features_of(swung_slow, bpm=86.0, ratio=2.0)["swing"] > 0.6
    assert features_of(swung_slow, bpm=86.0, ratio=1.0)["swing"] < 0.5
    # half time: the dance's beat spans two tracked beats
    assert set(features_of(STRAIGHT, ratio=0.5)) >= {"swing", "evenness", "staccato"}
    waltz = profile_of(WALTZ, meter=3, bpm=87.0)
    assert rhythm_features(waltz, 1.0, 4) == {}  # two bars of 3 hold no whole bar of 4
    assert rhythm_features(waltz, 0.5, 3) != {}  # two bars of 3 at half time: one bar


def test_every_feature_is_in_0_1_and_named() -> None:
    for bar in (SWUNG, STRAIGHT, TUMBAO + CLAVE_32, MARCH):
        feats = features_of(bar)
        assert set(feats) <= set(RHYTHM_FEATURES)
        assert all(0.0 <= v <= 1.0 for v in feats.values())
    assert set(SCALE) == set(RHYTHM_FEATURES) == set(FEATURE_WORDS)


def test_too_few_bars_give_no_profile() -> None:
    samples, beats, positions = groove(STRAIGHT, 4, 120.0, bars=3)
    assert rhythm_profile(band_envelopes(samples), beats, positions, 4) is None
    assert rhythm_profile(band_envelopes(samples), beats, positions, 3) is None


# --------------------------------------------------------------------------- the fit


def test_rhythm_fit_rewards_a_heard_trait_and_punishes_a_missing_one() -> None:
    heard, matches = rhythm_fit({"swing": 0.9}, {"swing_min": 0.5})
    assert heard > NEUTRAL_FIT
    assert describe(matches) == "swung eighths"
    missing, matches = rhythm_fit({"swing": 0.1}, {"swing_min": 0.5})
    assert missing < NEUTRAL_FIT
    assert describe(matches) == "but straight eighths"
    kept, _ = rhythm_fit({"swing": 0.1}, {"swing_max": 0.5})
    broken, matches = rhythm_fit({"swing": 0.9}, {"swing_max": 0.5})
    assert kept == pytest.approx(NEUTRAL_FIT, abs=0.01)  # keeping a bound is no evidence
    assert broken < kept
    assert describe(matches) == "but swung eighths"
    assert rhythm_fit({}, {"swing_min": 0.5})[0] == NEUTRAL_FIT  # not measured
    few, _ = rhythm_fit({"swing": 0.9}, {"swing_min": 0.5}, cycles=2)
    assert NEUTRAL_FIT < few < heard  # few bars: weaker evidence


def _style(name: str, meter: int, low: float, high: float, **rhythm: float) -> DanceStyle:
    base = load_library()[0]
    tempo = replace(base.tempos[0], meter=meter, bpm_min=low, bpm_max=high)
    return replace(base, id=name.lower(), name=name, tempos=(tempo,), rhythm=dict(rhythm))


def test_rank_dances_without_features_is_tempo_and_meter_only() -> None:
    library = load_library()
    profile = profile_of(SWUNG, bpm=172.0)
    plain = rank_dances(4, 172.0, library)
    again = rank_dances(4, 172.0, library, None)
    assert plain == again
    assert all("rhythm:" not in f.reason for f in plain)
    with_rhythm = rank_dances(4, 172.0, library, profile)
    assert {f.name for f in with_rhythm} == {f.name for f in plain}
    assert all(0.0 <= f.score <= 1.0 for f in with_rhythm)


def test_rhythm_breaks_a_tempo_tie() -> None:
    styles = (
        _style("Swingy", 4, 160, 180, swing_min=0.5, backbeat_min=0.55),
        _style("Latin", 4, 160, 180, syncopation_min=0.15, swing_max=0.5),
    )
    swung = rank_dances(4, 172.0, styles, profile_of(SWUNG, bpm=172.0))
    assert [f.name for f in swung] == ["Swingy", "Latin"]
    assert "swung eighths" in swung[0].reason
    assert "but swung eighths" in swung[1].reason
    latin = rank_dances(4, 172.0, styles, profile_of(TUMBAO + CLAVE_32, bpm=172.0))
    assert latin[0].name == "Latin"
    assert "syncopated" in latin[0].reason
    assert rank_dances(4, 172.0, styles)[0].score == rank_dances(4, 172.0, styles)[1].score


def test_library_ranks_a_jive_and_a_cha_cha_groove() -> None:
    library = load_library()
    jive = rank_dances(4, 172.0, library, profile_of(SWUNG, bpm=172.0))
    assert jive[0].name == "Jive"
    assert "swung eighths" in jive[0].reason
    cha = [  # bass on 1 and 3, cowbell on the beats, the guiro's 4 & 1, conga on 4, piano
        (0.0, "bass", 1.0),
        (2.0, "bass", 1.0),
        *on_beats("clave", amp=0.4),
        (3.0, "hat", 1.0),
        (3.5, "hat", 1.0),
        (0.0, "hat", 1.0),
        (3.0, "snare", 1.0),
        (0.0, "chord", 0.6),
        (2.0, "chord", 0.6),
    ]
    cha_fits = rank_dances(4, 124.0, library, profile_of(cha, bpm=124.0))
    assert cha_fits[0].name == "Cha Cha"
    assert "cha-cha-cha" in cha_fits[0].reason


# --------------------------------------------------------------------------- the data files


def test_every_dance_file_has_valid_rhythm_keys() -> None:
    known = {f + s for f in RHYTHM_FEATURES for s in ("", "_min", "_max")}
    for style in load_library():
        assert style.rhythm, f"{style.name} has no rhythm table"
        assert set(style.rhythm) <= known, style.name
        assert all(0.0 <= v <= 1.0 for v in style.rhythm.values()), style.name


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("rhythm = { swagger_min = 0.5 }", "unknown feature 'swagger_min'"),
        ("rhythm = { swing_min = 1.5 }", "outside 0-1"),
    ],
)
def test_a_bad_rhythm_key_is_refused_naming_the_file(
    tmp_path: Path, line: str, message: str
) -> None:
    text = (DATA / "slow_dance.toml").read_text()
    lines = [ln for ln in text.splitlines() if not ln.startswith("rhythm =")]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("start_figures"))
    lines.insert(at + 1, line)
    path = tmp_path / "broken.toml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SchemaError) as err:
        load_style(path)
    assert "broken.toml" in str(err.value)
    assert message in str(err.value)


# --------------------------------------------------------------------------- sections


def test_each_section_is_ranked_on_its_own_rhythm() -> None:
    """Two sections at one tempo and meter, split by a texture change: a swing band, then
    a salsa band. Read on their own grooves they get different dances; read on tempo and
    meter alone they cannot differ."""
    from pasdeux.music._types import EnergyCurve
    from pasdeux.music.structure import find_sections

    bpm, bars = 172.0, 32
    beat_s = 60.0 / bpm
    beats = np.arange(bars * 4 + 1, dtype=np.float64) * beat_s
    meters = np.full(beats.size, 4, dtype=np.int64)
    bar_starts = list(range(0, bars * 4, 4))
    split_s = float(beats[bar_starts[16]])
    energy = EnergyCurve(hop_s=0.1, values_db=(-6.0,) * int(beats[-1] / 0.1 + 2))
    swing_profile = profile_of(SWUNG, bpm=bpm)
    salsa_profile = profile_of(TUMBAO + CLAVE_32, bpm=bpm)
    asked: list[tuple[int, float, float]] = []

    def rhythm_of(meter: int, start: float, end: float) -> RhythmProfile | None:
        asked.append((meter, start, end))
        return swing_profile if end <= split_s + 1e-6 else salsa_profile

    library = load_library()
    args = (beats, meters, bar_starts, float(beats[-1]), energy, library, [16])
    first, second = find_sections(*args, rhythm_of, params=ListenParams())
    assert asked == [(4, 0.0, split_s), (4, split_s, float(beats[-1]))]
    assert first.dance == "Jive"
    assert second.dance == "Salsa"
    plain = find_sections(*args, params=ListenParams())
    assert plain[0].dance == plain[1].dance


def test_an_oom_pah_pah_at_87_bpm_is_a_waltz_not_a_viennese_waltz_at_double_time() -> None:
    """How the sound dies is the sound's, not the count's: read at a double-time beat (half
    as long) the chords seemed more sustained, and an oom-pah-pah at 87 BPM ranked as a
    Viennese Waltz at 174."""
    profile = profile_of(WALTZ, meter=3, bpm=87.0)
    assert rhythm_features(profile, 2.0, 3)["staccato"] == rhythm_features(profile)["staccato"]
    ranked = rank_dances(3, 87.0, load_library(), profile)
    assert ranked[0].name == "Waltz", ranked[:3]


#: A Viennese Waltz's oom-pah-pah heard at half its tempo, in 3: a tracked bar of three holds
#: two of its bars, the second starting on the "&" of tracked beat 2 (tracked beat 2.5).
VW_AT_HALF_TEMPO = [
    (0.0, "bass", 1.0),
    (1.5, "bass", 1.0),
    *[(x, "chord", 0.5) for x in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5)],
]


def test_at_double_time_in_three_every_dance_bar_must_show_its_downbeat() -> None:
    """Counted at double time, a bar of three is a tracked beat and a half: every other
    dance bar starts on a tracked off-beat. The downbeat is read in those bars too, so an
    oom-pah-pah whose off-beats are silent has no downbeat at double time (averaged over
    all the dance's bars, the tracked downbeat used to lend it one), while a Viennese
    Waltz heard at half tempo, its second bar's bass on tracked beat 2.5, keeps it."""
    waltz = profile_of(WALTZ, meter=3, bpm=98.0)
    assert rhythm_features(waltz)["downbeat"] > 0.65
    assert rhythm_features(waltz, 2.0, 3)["downbeat"] < 0.1
    vw = profile_of(VW_AT_HALF_TEMPO, meter=3, bpm=90.0)
    assert rhythm_features(vw, 2.0, 3)["downbeat"] > 0.65


@pytest.mark.parametrize("bpm", [95.0, 98.0, 101.0])
def test_a_waltz_just_above_its_range_is_not_a_viennese_waltz_at_double_time(bpm: float) -> None:
    """At 95-101 BPM in 3 the tempo is as far above the Waltz's 84-90 as twice it is above
    the Viennese Waltz's 174-180: the rhythm decides, and an oom-pah-pah, whose tracked
    off-beats (the double-time bars' downbeats) are silent, is a Waltz."""
    ranked = rank_dances(3, bpm, load_library(), profile_of(WALTZ, meter=3, bpm=bpm))
    names = [f.name for f in ranked]
    assert names.index("Waltz") < names.index("Viennese Waltz"), ranked[:3]
    vw = next(f for f in ranked if f.name == "Viennese Waltz")
    assert "no accent on 1" in vw.reason  # each dance bar's 1, as for the Waltz


@pytest.mark.parametrize("bpm", [87.0, 90.0, 93.0])
def test_a_viennese_waltz_heard_at_half_tempo_is_still_a_viennese_waltz(bpm: float) -> None:
    """A Viennese Waltz at 174-186 BPM tracked at half tempo reads 3/4 at 87-93, inside or
    near the Waltz's range; its second bar's bass on the tracked off-beat shows the double
    time, so the Viennese Waltz stays first."""
    profile = profile_of(VW_AT_HALF_TEMPO, meter=3, bpm=bpm)
    ranked = rank_dances(3, bpm, load_library(), profile)
    assert ranked[0].name == "Viennese Waltz", ranked[:3]
    assert "a marked downbeat" in ranked[0].reason


@pytest.mark.parametrize("bpm", [118.0, 122.0, 126.0])
def test_an_oom_pah_in_two_four_is_a_polka_a_march_at_the_same_tempo_is_not(bpm: float) -> None:
    """Polka and Paso Doble share 2/4 at about 60 bars a minute: the oom-pah's off-beat
    chords and snare name the Polka; a march struck on the beats does not."""
    library = load_library()
    polka = rank_dances(2, bpm, library, profile_of(OOM_PAH, meter=2, bpm=bpm))
    assert polka[0].name == "Polka", polka[:3]
    assert "oom-pah" in polka[0].reason
    march = rank_dances(2, bpm, library, profile_of(MARCH_24, meter=2, bpm=bpm))
    assert march[0].name != "Polka", march[:3]
    assert [f.name for f in march].index("Polka") > 2


def test_fit_params_are_passed_in_and_change_the_ranking() -> None:
    waltz_range = rank_dances(3, 87.0, load_library())
    # a tempo just outside every 3/4 range but the Slow Dance's and the Viennese Waltz's
    default = {f.name: f.score for f in rank_dances(3, 94.0, load_library())}
    wide = {
        f.name: f.score
        for f in rank_dances(3, 94.0, load_library(), params=FitParams(tempo_width_ratio=1.3))
    }
    assert waltz_range[0].score == 1.0
    assert wide["Waltz"] > default["Waltz"]
    assert ListenParams().fit == FitParams()


def test_the_tempo_score_is_graded_outside_the_range() -> None:
    """1 inside; a little outside still most of the score (a dance is danced 10-15 % either
    side of its typical tempos); far outside little; the same either side in log tempo."""
    width = FitParams().tempo_width_ratio
    inside = tempo_score(100.0, 95.0, 105.0, width)
    near = tempo_score(105.0 * 1.05, 95.0, 105.0, width)
    nine = tempo_score(105.0 * 1.09, 95.0, 105.0, width)
    far = tempo_score(105.0 * 1.25, 95.0, 105.0, width)
    assert inside == 1.0
    assert 1.0 > near > 0.9 > nine > 0.75 > 0.3 > far > 0.0
    assert tempo_score(95.0 / 1.09, 95.0, 105.0, width) == pytest.approx(nine)


def test_a_wrong_meter_rules_a_dance_out_far_more_than_its_tempo() -> None:
    """An oom-pah-pah in 3/4 at the Cha Cha's very tempo: no dance in 4 scores at all,
    while a dance in 3/4, far off its tempo, still does."""
    ranked = rank_dances(3, 124.0, load_library(), profile_of(WALTZ, meter=3, bpm=124.0))
    scores = {f.name: f.score for f in ranked}
    assert scores["Cha Cha"] == 0.0 and scores["Tango"] == 0.0
    assert ranked[0].score > 0.0 and ranked[0].name in ("Waltz", "Viennese Waltz", "Slow Dance")
