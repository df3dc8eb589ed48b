"""The dance fit's rhythm patterns: the data file, its validation, and matches on synthetic
grooves of known pattern (a tumbao under a clave in either order, an oom-pah-pah, a samba's
surdo on 2, a shuffle with a backbeat)."""

from __future__ import annotations

import numpy as np
import pytest

from pasdeux.dances import load_library
from pasdeux.errors import SchemaError
from pasdeux.music import rank_dances
from pasdeux.music.fit import (
    RhythmProfile,
    load_patterns,
    parse_patterns,
    pattern_match,
    rhythm_profile,
)
from pasdeux.music.fit._patterns import PATTERNS_FILE, pattern_factor
from pasdeux.music.frontend._envelopes import band_envelopes
from test_fit import (
    CLAVE_32,
    SWUNG,
    TUMBAO,
    VW_AT_HALF_TEMPO,
    WALTZ,
    Stroke,
    eighths,
    groove,
    profile_of,
)

#: The 2-3 son clave: the 3-2's bars swapped.
CLAVE_23 = [(1.0, "clave", 1.0), (2.0, "clave", 1.0)]


def two_bar_profile(first: list[Stroke], second: list[Stroke], bpm: float) -> RhythmProfile:
    """The profile of a two-bar groove in 4/4 (``first`` then ``second``, repeated)."""
    strokes = [*first, *((pos + 4.0, inst, amp) for pos, inst, amp in second)]
    samples, beats, _ = groove(strokes, 8, bpm, bars=8)
    positions = np.tile(np.arange(1, 5, dtype=np.int64), beats.size // 4 + 1)[: beats.size]
    profile = rhythm_profile(band_envelopes(samples), beats, positions, 4)
    assert profile is not None
    return profile


def test_every_dance_has_a_pattern_and_every_pattern_a_dance() -> None:
    patterns = load_patterns()
    library = {style.id: style for style in load_library()}
    assert set(patterns) == set(library)
    for dance, own in patterns.items():
        meters = {rng.meter for rng in library[dance].tempos}
        assert {p.meter for p in own} <= meters, dance
        assert meters <= {p.meter for p in own}, dance  # every meter danced has a pattern


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('low = "X.....|X....."', 'low = "X.....|X...."'), "11 steps"),
        (('low = "X.....|X....."', 'low = "X.....|X...o."'), "unknown step character"),
        (("steps = 2", "steps = 5"), "'steps' must be 2, 3 or 4"),
        (('dance = "waltz"', 'dance = "waltz"\ntempo = 3'), "unknown key(s) tempo"),
        (('low_says = "bass on 1"', "low_says = 1"), "'low_says' must be a string"),
    ],
)
def test_a_bad_pattern_is_refused_naming_the_file_and_the_entry(
    change: tuple[str, str], message: str
) -> None:
    text = PATTERNS_FILE.read_text(encoding="utf-8").replace(*change, 1)
    with pytest.raises(SchemaError) as err:
        parse_patterns(text, "patterns.toml")
    said = str(err.value)
    assert said.startswith("patterns.toml: pattern 1 (waltz 'oom-pah-pah')"), said
    assert message in said
    assert "\n" not in said


def test_a_file_without_patterns_is_refused() -> None:
    with pytest.raises(SchemaError, match="expected only"):
        parse_patterns("title = 'x'\n", "p.toml")
    with pytest.raises(SchemaError, match="not valid TOML"):
        parse_patterns("[[patterns]\n", "p.toml")


def test_the_tumbao_under_a_clave_is_a_salsa_and_names_its_bass() -> None:
    profile = profile_of(TUMBAO + CLAVE_32, bpm=180.0)
    match = pattern_match(profile, 1.0, 4, load_patterns()["salsa"])
    assert match is not None
    assert match.per_band[0] is not None and match.per_band[0] > 0.6  # the tumbao bass
    assert "tumbao bass on the & of 2 and 4" in match.words()
    other = pattern_match(profile, 1.0, 4, load_patterns()["east_coast_swing"])
    assert other is not None and other.similarity < match.similarity - 0.2
    ranked = rank_dances(4, 180.0, load_library(), profile)
    assert ranked[0].name == "Salsa", ranked[:3]
    assert "tumbao bass on the & of 2 and 4" in ranked[0].reason


def test_a_two_bar_clave_is_matched_in_both_orders() -> None:
    """A 3-2 and a 2-3 son clave over the tumbao: the same pattern, a bar apart."""
    salsa = load_patterns()["salsa"]
    sims = []
    for first, second in ((CLAVE_32, CLAVE_23), (CLAVE_23, CLAVE_32)):
        profile = two_bar_profile(TUMBAO + first, TUMBAO + second, 180.0)
        match = pattern_match(profile, 1.0, 4, salsa)
        assert match is not None and not match.shifted
        sims.append(match.similarity)
    assert sims[0] > 0.5
    assert abs(sims[0] - sims[1]) < 0.05, sims


def test_an_oom_pah_pah_matches_the_waltz_not_a_held_chord() -> None:
    profile = profile_of(WALTZ, meter=3, bpm=87.0)
    waltz = pattern_match(profile, 1.0, 3, load_patterns()["waltz"])
    slow = pattern_match(profile, 1.0, 3, load_patterns()["slow_dance"])
    assert waltz is not None and slow is not None
    assert waltz.similarity > slow.similarity + 0.05
    ranked = rank_dances(3, 87.0, load_library(), profile)
    assert ranked[0].name == "Waltz"
    assert "pattern: oom-pah-pah" in ranked[0].reason


def test_the_surdo_on_2_is_a_samba() -> None:
    bar = [(0.0, "bass", 0.5), (1.0, "bass", 1.0)]
    bar += [(s / 4, "hat", 1.0 if s % 4 == 3 else 0.4) for s in range(8)]
    profile = profile_of(bar, meter=2, bpm=100.0)
    ranked = rank_dances(2, 100.0, load_library(), profile)
    assert ranked[0].name == "Samba", ranked[:3]
    assert "surdo on 2" in ranked[0].reason


def test_a_shuffle_with_a_backbeat_names_a_swing_pattern() -> None:
    profile = profile_of(SWUNG, bpm=172.0)
    ranked = rank_dances(4, 172.0, load_library(), profile)
    assert ranked[0].name == "Jive"
    assert "pattern: shuffle and backbeat" in ranked[0].reason
    assert "backbeat on 2 and 4" in ranked[0].reason


def test_the_pattern_is_read_at_the_dance_s_beat() -> None:
    """Straight eighths tracked as the beat at 240 read as a 2/4 at half time (120)."""
    profile = profile_of([*eighths("hat", 0.5), (0.0, "bass", 1.0)], bpm=240.0)
    assert pattern_match(profile, 0.5, 2, load_patterns()["polka"]) is not None
    assert pattern_match(profile, 1.0, 3, load_patterns()["waltz"]) is None  # 8 beats hold no 3s


def test_at_double_time_in_three_the_pattern_must_be_heard_in_every_dance_bar() -> None:
    """Counted at double time, a tracked bar of three holds two dance bars, the second
    starting on the tracked "&" of 2. An oom-pah-pah has its bass and chords in the first
    only: the weaker bar's share of the match counts, so it matches little (its two bars
    correlated together gave 0.65); a Viennese Waltz heard at half tempo has its pattern
    in both bars and still matches well."""
    vw = load_patterns()["viennese_waltz"]
    waltz = pattern_match(profile_of(WALTZ, meter=3, bpm=98.0), 2.0, 3, vw)
    assert waltz is not None and waltz.similarity < 0.3
    half = pattern_match(profile_of(VW_AT_HALF_TEMPO, meter=3, bpm=90.0), 2.0, 3, vw)
    assert half is not None and half.similarity > 0.85
    assert half.words().startswith("oom-pah-pah (bass on 1")


def test_the_factor_is_one_for_a_perfect_match_and_falls_with_the_similarity() -> None:
    assert pattern_factor(1.0) == 1.0
    assert pattern_factor(0.5) > pattern_factor(0.2) > pattern_factor(-0.5) > 0.0
    assert pattern_factor(None) == pattern_factor(0.35)


@pytest.mark.parametrize("bpm", [140.0, 150.0])
def test_a_clave_and_tumbao_just_below_the_salsa_range_is_still_a_salsa(bpm: float) -> None:
    """140-150 BPM is 6-12 % below Salsa's 160-220 and inside the Bachata's or the East
    Coast Swing's range: the clave and the tumbao name the dance, the tempo only grades it."""
    profile = profile_of(TUMBAO + CLAVE_32, bpm=bpm)
    ranked = rank_dances(4, bpm, load_library(), profile)
    assert ranked[0].name == "Salsa", ranked[:3]
    assert "slower than Salsa's 4/4 range" in ranked[0].reason
    assert ranked[0].score > 2.0 * ranked[1].score


def test_a_tumbao_heard_a_beat_off_is_matched_at_no_cost() -> None:
    """The tumbao's strong 4 taken for the 1: the bar as tracked starts on the old 4."""
    heard = [((pos + 1.0) % 4.0, inst, amp) for pos, inst, amp in TUMBAO + CLAVE_32]
    on_one = pattern_match(
        profile_of(TUMBAO + CLAVE_32, bpm=180.0), 1.0, 4, load_patterns()["salsa"]
    )
    off = pattern_match(profile_of(heard, bpm=180.0), 1.0, 4, load_patterns()["salsa"])
    assert on_one is not None and off is not None
    assert off.shifted and not on_one.shifted
    assert off.similarity == pytest.approx(on_one.similarity, abs=0.1)
    ranked = rank_dances(4, 180.0, load_library(), profile_of(heard, bpm=180.0))
    assert ranked[0].name == "Salsa", ranked[:3]


def test_a_pattern_s_pulls_downbeat_must_be_a_boolean() -> None:
    text = PATTERNS_FILE.read_text(encoding="utf-8").replace(
        "pulls_downbeat = true", 'pulls_downbeat = "yes"', 1
    )
    with pytest.raises(SchemaError, match="pulls_downbeat"):
        parse_patterns(text, "p.toml")


@pytest.mark.parametrize("bpm", [96.0, 100.0])
def test_an_oom_pah_pah_a_little_fast_for_the_waltz_is_a_waltz_not_a_slow_dance(
    bpm: float,
) -> None:
    """96-100 BPM in 3/4 is 7-11 % above the Waltz's 84-90 and inside the Slow Dance's 3/4
    range: the oom-pah-pah still names the Waltz."""
    ranked = rank_dances(3, bpm, load_library(), profile_of(WALTZ, meter=3, bpm=bpm))
    assert ranked[0].name == "Waltz", ranked[:3]
    names = [f.name for f in ranked]
    assert names.index("Slow Dance") > 0
