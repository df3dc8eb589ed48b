"""The listen stage's tunables: ``ListenParams``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pasdeux._limits import check_within
from pasdeux.music.fit._params import FitParams

__all__ = ["ListenParams"]


@dataclass(frozen=True, kw_only=True)
class ListenParams:
    """How the beat, the bars and the structure are decided
    (``listen(..., params=ListenParams(...))``; the defaults when None). Each was chosen on
    a tuning half (the comments in ``pasdeux/music/grid`` say how); change one only with
    ``bench/music.py`` on both halves.

    Attributes
    ----------
    min_beats
        Fewest beats a danceable song has (and fewest kept beats, times the step, to count
        it at half or a third of the tracked tempo).
    peak_height, peak_share
        The beat activation's peaks that count for the danceable-beat check: at least
        ``peak_height`` high and ``peak_share`` of the mean activation at the beats.
    on_grid_frames
        A peak within this many frames (at 100 a second) of a beat is on the grid.
    min_on_grid, min_support
        A danceable beat: at least ``min_on_grid`` of the peaks (weighted by height) on
        the grid, and a peak on at least ``min_support`` of the beats.
    double_off_share, double_min_contrast, double_min_on_grid
        A half-time track passes on its doubled grid: the activation half way between the
        beats at least ``double_off_share`` of that at them, and on the doubled grid a
        contrast (activation at the beats less half way) of ``double_min_contrast`` and
        ``double_min_on_grid`` of the peaks on it.
    min_clarity, clarity_lag_frames
        Or a soft solo line: the beat activation's normalised autocorrelation at the beat
        period (or twice it, within ``clarity_lag_frames`` frames) at least ``min_clarity``.
    octave_gain
        Log-likelihood ratio of a beat level per unit of log of its audio evidence.
    double_neutral
        Onsets half way between the beats over those on them (middle and high bands) at
        which counting double time is neutral.
    network_half
        The beat activation half way between the beats over this share of that on them
        adds evidence for double time.
    sub_neutral
        The beats left out over the kept ones at which counting half (or a third) of the
        tracked tempo is neutral.
    compound_neutral
        Counting two thirds of the tracked tempo (a 6/8 tracked at every second eighth):
        the ratio, neutral at this value, of how weak the eighths between the tracked beats
        are against them over how weak the eighths off a grouping in threes are against it.
    min_counted_bpm, max_counted_bpm
        No beat level outside this tempo range (BPM).
    meter_two_prior
        Prior per bar of a two-beat bar against one of three or four (1: even).
    compound_three_prior
        Prior per bar of a three-beat bar in compound time (each beat divided in three):
        6/8 and 12/8 are counted in 2 and 4, 9/8 (the slip jig) is rare.
    meter_switch_prob
        Probability of a meter change at a bar line.
    downbeat_pseudo, downbeat_prior
        A weak beat's downbeat probability is pulled towards ``downbeat_prior`` as if
        ``downbeat_pseudo`` more activation said so.
    harmony_gain, harmony_z_clip
        Log-odds of a downbeat per robust z-score of harmonic change, and the z-scores' clip.
    harmony_width_beats
        Beats on either side of a beat whose chroma are compared for its harmonic change
        (1: the chord of the beat before against this one's, sharp in any meter; two
        beats a side would smear a 3/4 bar line over the next beat).
    pair_harmony_width_beats
        Beats on either side compared when deciding which beat of a 2/4 pair starts the
        bar (2: an oom-pah's root and fifth differ beat by beat, the chord by the pair).
    harmony_clear_contrast
        The harmonic change counts in full when it is this much higher (z-scores) on the
        bar lines than elsewhere, at the best meter and phase; less clear, in proportion
        (a melody alone changes the chroma on every note).
    harmony_clarity_beats
        The clarity is judged over blocks of this many beats (a medley song by song).
    period_gain
        Log evidence per beat per unit of rhythm self-similarity at a meter's lag.
    pattern_points
        Points of a beat at which the rhythm pattern is sampled.
    repetition_gain, repetition_window_beats, repetition_max_lag_beats, repetition_min_pairs
        The tune's repetition (a phrase lasts 2, 4, 8 or 16 bars): log evidence against
        bars of 3, once per song, per unit by which the chroma of
        ``repetition_window_beats`` beats recurs better at the best lag of bars of 2 or 4
        than at the best lag of bars of 3; lags up to ``repetition_max_lag_beats`` beats,
        each compared over at least ``repetition_min_pairs`` windows.
    ternary_ratio
        A compound beat (6/8): the onsets at a third and two thirds of the beat both exceed
        that half way by this factor.
    ternary_pitch_ratio
        Or the pitch changes do (the rise of the normalised chroma): a legato fife or
        fiddle 6/8, whose notes slur into each other without onsets, changes pitch on the
        thirds of the beat.
    alternation_gain, alternation_neutral
        2/4: log-likelihood ratio per unit of bass alternation, and the alternation at
        which the audio is neutral.
    two_four_prior_weight
        Weight of the tempo prior's 2-against-4 log odds.
    min_two_four_bars
        Fewest 4/4 bars in a stretch to decide 2/4 on.
    two_four_network_weight, root_vote
        Which beat starts a 2/4 bar: the weight of the network's log-odds, and of one bass
        root, against one z-score of harmonic change.
    flat_accent_max, half_bar_harmony_t
        A stretch read in 4/4 is two bars of 2 when the downbeat network accents beat 1
        over beats 2 and 4 by less than ``flat_accent_max`` (log-odds) and the harmony
        changes on beat 1 more than on beat 3 by a Welch's t below ``half_bar_harmony_t``
        (of the pair change): nothing tells the third beat from the first.
    min_section_bars
        Fewest bars in a section (shorter runs merge into a neighbour; a tempo or texture
        change splits a section only this far from its edges).
    phrase_bars
        Bars in a phrase.
    phrase_evidence, phrase_contrast
        The texture changes at phrase starts count as clear (the phrases are placed by
        them) when their mean is at least ``phrase_evidence`` and ``phrase_contrast``
        times that at other bars.
    music_level_db
        Energy (dB below the loudest 0.1 s) from which the music sounds (silences, the
        final chord).
    hit_ratio, hit_above_local, hit_local_percentile, hit_context_beats, hit_bar_lags
        Hits: onsets ``hit_ratio`` times stronger than the same place in the bars
        ``hit_bar_lags`` away, and ``hit_above_local`` times the
        ``hit_local_percentile``-th percentile of the onsets of the ``hit_context_beats``
        beats around.
    stop_onset_share, stop_beat_share, stop_context_beats, stop_bar_lags
        Stops: beats without an onset above ``stop_onset_share`` of the
        ``stop_context_beats`` beats before them and of the same beat ``stop_bar_lags``
        bars away (a rest the groove repeats is no stop), and with the beat activation
        below ``stop_beat_share`` of theirs.
    lead_hit_share
        The onset before a stop is its hit unless weaker than this share of the beats'
        before it.
    final_within_s, final_min_hold_s, final_max_beat_act
        The final chord: within this many seconds of the end, held at least this long (or
        a beat), and the beat activation below this after it.
    band_floor_db
        Band levels this far below the song's loudest band count as silent (the texture).
    texture_half_bars
        Bars compared on either side of a downbeat for a texture change.
    texture_change_db, texture_change_contrast
        A section change: a texture novelty (twice the RMS band-level shift in dB) of at
        least ``texture_change_db``, and a contrast (the novelty's share of the distance
        across it) of at least ``texture_change_contrast`` (0.5: the bars across it twice
        as far apart as the bars on one side).
    intro_max_bars, intro_rise_db
        An intro lasts at most ``intro_max_bars`` (and half the song), and the music after
        it is at least ``intro_rise_db`` louder.
    tempo_change_ratio
        A tempo change a dancer notices (1.08: 8 %); ``tempo_change_log`` is its log.
    ramp_bars
        A gradual tempo change (a ramp) changes the tempo by ``tempo_change_ratio`` within
        this many bars or fewer.
    tempo_jitter_floor
        Bar-to-bar tempo jitter (log units) assumed at least this.
    tempo_run_penalty
        Penalty per tempo run, in jitter variances times log(bars).
    closing_ritardando_bars
        A ramp this short at the very end is a closing ritardando (no run of its own).
    tempo_sure_se
        Standard errors for a slope (or a difference of slopes) to count.
    section_group_bars
        Sections tend to last whole groups of this many bars (a tie in the fit of a tempo
        edge goes to such a group).
    prior_shoulder_ratio
        The dance tempo prior falls off outside a dance's range as a Gaussian in log tempo
        of this standard deviation's ratio (1.05: about 5 %).
    prior_floor_centre_bpm, prior_floor_spread, prior_floor_height
        The prior's floor (so that music for no listed dance keeps a fair chance): a
        log-normal over tempo centred here, of this spread in log tempo, this high
        against one dance's bump.
    prior_floor_meter_shares
        The floor's share for bars of 2, 3 and 4 beats.
    prior_min_bpm, prior_max_bpm
        No beat is slower or faster than this: outside, the prior is zero.
    fit
        The dance fit's tunables (:class:`pasdeux.music.FitParams`).
    """

    min_beats: int = 8
    peak_height: float = 0.1
    peak_share: float = 0.5
    on_grid_frames: int = 5
    min_on_grid: float = 0.55
    min_support: float = 0.37
    double_off_share: float = 0.6
    double_min_contrast: float = 0.25
    double_min_on_grid: float = 0.85
    min_clarity: float = 0.21
    clarity_lag_frames: int = 2
    octave_gain: float = 10.0
    double_neutral: float = 0.92
    network_half: float = 0.5
    sub_neutral: float = 0.45
    compound_neutral: float = 1.0
    min_counted_bpm: float = 40.0
    max_counted_bpm: float = 240.0
    meter_two_prior: float = 0.5
    compound_three_prior: float = 0.2
    meter_switch_prob: float = 1e-4
    downbeat_pseudo: float = 0.05
    downbeat_prior: float = 0.3
    harmony_gain: float = 0.8
    harmony_z_clip: tuple[float, float] = (-2.0, 4.0)
    harmony_width_beats: int = 1
    pair_harmony_width_beats: int = 2
    harmony_clear_contrast: float = 1.0
    harmony_clarity_beats: int = 48
    period_gain: float = 8.0
    pattern_points: int = 6
    repetition_gain: float = 4.0
    repetition_window_beats: int = 4
    repetition_max_lag_beats: int = 48
    repetition_min_pairs: int = 8
    ternary_ratio: float = 1.4
    ternary_pitch_ratio: float = 1.9
    alternation_gain: float = 12.0
    alternation_neutral: float = 0.33
    two_four_prior_weight: float = 0.3
    min_two_four_bars: int = 4
    two_four_network_weight: float = 0.3
    root_vote: float = 1.0
    flat_accent_max: float = 0.45
    half_bar_harmony_t: float = 2.0
    min_section_bars: int = 4
    phrase_bars: int = 8
    phrase_evidence: float = 6.0
    phrase_contrast: float = 3.0
    music_level_db: float = -20.0
    hit_ratio: float = 1.5
    hit_local_percentile: float = 90.0
    hit_above_local: float = 1.2
    hit_context_beats: int = 8
    hit_bar_lags: tuple[int, ...] = (-4, -3, -2, -1, 1, 2, 3, 4)
    stop_onset_share: float = 0.15
    stop_beat_share: float = 0.5
    stop_context_beats: int = 8
    stop_bar_lags: tuple[int, ...] = (-8, -4, 4, 8)
    lead_hit_share: float = 0.75
    final_within_s: float = 20.0
    final_min_hold_s: float = 0.75
    final_max_beat_act: float = 0.15
    band_floor_db: float = -50.0
    texture_half_bars: int = 4
    texture_change_db: float = 10.0
    texture_change_contrast: float = 0.5
    intro_max_bars: int = 16
    intro_rise_db: float = 3.0
    tempo_change_ratio: float = 1.08
    ramp_bars: int = 32
    tempo_jitter_floor: float = 0.005
    tempo_run_penalty: float = 6.0
    closing_ritardando_bars: int = 4
    tempo_sure_se: float = 3.0
    section_group_bars: int = 4
    prior_shoulder_ratio: float = 1.05
    prior_floor_centre_bpm: float = 115.0
    prior_floor_spread: float = 0.45
    prior_floor_height: float = 0.25
    prior_floor_meter_shares: tuple[float, float, float] = (0.15, 0.25, 0.6)
    prior_min_bpm: float = 40.0
    prior_max_bpm: float = 240.0
    fit: FitParams = field(default_factory=FitParams)

    @property
    def tempo_change_log(self) -> float:
        """The log of ``tempo_change_ratio``."""
        return math.log(self.tempo_change_ratio)

    def __post_init__(self) -> None:
        if self.min_beats < 2:
            raise ValueError(f"min_beats must be at least 2, not {self.min_beats}")
        if not 0 < self.meter_switch_prob < 1 or not self.meter_two_prior > 0:
            raise ValueError("meter_switch_prob must be in (0, 1) and meter_two_prior > 0")
        if not self.compound_three_prior > 0:
            raise ValueError("compound_three_prior must be positive")
        if self.pattern_points < 1:
            raise ValueError(f"pattern_points must be at least 1, not {self.pattern_points}")
        for name in (
            "harmony_width_beats",
            "pair_harmony_width_beats",
            "harmony_clarity_beats",
            "repetition_window_beats",
            "repetition_min_pairs",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if not self.harmony_clear_contrast > 0:
            raise ValueError(
                f"harmony_clear_contrast must be positive, not {self.harmony_clear_contrast}"
            )
        # Divided by or taken the log of: a ratio of 0 (or less) has no meaning.
        positive = ("compound_neutral", "double_neutral", "sub_neutral", "network_half",
                    "prior_floor_centre_bpm", "prior_floor_spread", "prior_min_bpm",
                    "min_counted_bpm")  # fmt: skip
        check_within(self, positive, 0.0, low_open=True)
        ratios = (
            "prior_shoulder_ratio",
            "tempo_change_ratio",
            "ternary_ratio",
            "ternary_pitch_ratio",
        )
        check_within(self, ratios, 1.0, low_open=True)
        check_within(self, ("downbeat_prior",), 0.0, 1.0, low_open=True, high_open=True)
        for low, high in (
            ("prior_min_bpm", "prior_max_bpm"),
            ("min_counted_bpm", "max_counted_bpm"),
        ):
            if not getattr(self, low) < getattr(self, high):
                raise ValueError(f"{low} must be below {high}")
