"""The live stream's tunables: ``StreamParams``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StreamParams"]


@dataclass(frozen=True, kw_only=True)
class StreamParams:
    """How the live stream decides beats, downbeats and tempo
    (``BeatStream(rate, params=StreamParams(...))``). Chosen on the tuning half of
    ``bench/stream.py``; change one only with that benchmark on both halves.

    Attributes
    ----------
    min_bpm, max_bpm
        The tempo range of the beat tracker (beats per minute).
    networks
        How many of madmom's eight unidirectional beat LSTMs (``BEATS_LSTM``) are averaged
        (1 to 8; fewer is quicker).
    onset_weight
        The tracker's observation mixes the network's beat activation with the spectral
        flux (scaled by its running peak) with this weight: the network remembers the
        old tempo for a few beats after an abrupt change, the flux does not.
    onset_halflife_s
        Half-life of the running peak of the flux (seconds).
    onset_floor_halflife_s
        Half-life of the running mean of the flux that is taken off it before it is
        scaled, so that only its peaks count as onsets (seconds).
    peak_power
        The onset peaks (scaled to [0, 1]) are raised to this power: the strongest, on
        the beats, stand out from the weaker ones between them.
    observation_lambda
        A beat occupies the first ``1 / observation_lambda`` of its period in the state
        space (madmom's ``observation_lambda``).
    tempo_lambda
        Smooth tempo changes at a beat: probability ``exp(-tempo_lambda * |ratio - 1|)``
        (madmom's ``transition_lambda``).
    tempo_jump_prob
        Probability, at each beat, that the tempo jumps to any other tempo in the range:
        what lets the tracker re-lock after an abrupt change within a beat or two.
    jump_octave_decay
        A jump's target tempo is weighted by ``exp(-jump_octave_decay * |log2 ratio|)``:
        a jump by an octave is rarer than by a quarter.
    jump_ratio_max
        The incumbent's jumps go to tempos less than this factor faster or slower (the
        challenger's anywhere): a tempo halved or doubled is another reading of the same
        beat, which the incumbent does not take up of its own accord.
    challenger_jump_prob
        ``tempo_jump_prob`` of the challenger, the hypothesis that follows the onsets
        and takes over when it explains the music clearly better.
    challenger_onset_weight
        The challenger's observation mixes the network's activation with the onset
        peaks with this weight.
    lost_ratio
        The incumbent's beat is missed when both the network's activation and the onset
        peaks at it are below this share of their running means at heard beats.
    confirm_ratio
        After a missed beat, the challenger takes over at its next beat that differs
        from the incumbent's if the network or the onset peaks at that beat reach this
        share of their running means, and so do the ``confirm_beats`` beats before it
        on its grid (the last onsets agree on its period), and they are heard on
        average ``switch_margin`` times as well as the incumbent's beats over that span.
    confirm_beats, switch_margin
        See ``confirm_ratio``.
    typical_halflife_beats
        Half-life of those running means (beats).
    differ_share
        The challenger's beat differs from the incumbent's when its period differs by
        more than this share of the incumbent's, or it falls more than this share of a
        period off the incumbent's beats.
    switch_ratio_max
        The challenger never takes over at a period more than this factor from the
        incumbent's: a halved or doubled tempo is another reading of the same beat.
    octave_pairs, octave_ratio, octave_window_beats, octave_held_beats
        Within ``octave_window_beats`` beats of a change of the incumbent's tempo (its
        own jump or a take-over) from a tempo it had held for ``octave_held_beats``
        beats in a row (not while it settles at the start), when over the last
        ``octave_pairs`` pairs of its beats every other one's network activation is
        below the one before or after it, and on average below ``octave_ratio`` of
        them, it has taken a slower tempo's off-beats for beats: it goes on at half the
        tempo on the strong ones (0 never).
    octave_low_ratio, octave_low_jump_min
        ... and when the change made the tempo ``octave_low_jump_min`` times as fast or
        more (a slow-down by a quarter read at double time is 1.5 times as fast; a
        speed-up by a quarter 1.25), every other beat clearly weaker in the low band
        (kick and bass: ``octave_ratio`` in it) is enough: after a polka or a ska slows
        down the network hears the off-beats' chords and snare nearly as well as the
        beats, but they carry no bass (0 never).
    tap_ratio_max, tap_change_min, tap_confirm_ratio, tap_middle_ratio, tap_slack_s
        The tapper, a listener tapping along. An onset peak that reaches
        ``tap_confirm_ratio`` of the onsets' running mean at heard beats, two new periods
        after one of the incumbent's beats (the anchor, as loud), with an onset of
        ``tap_middle_ratio`` of that mean half way (within ``tap_slack_s``), re-seats the
        incumbent at once on the new period (from ``1 / tap_ratio_max`` to
        ``tap_ratio_max`` times the old one, and at least ``tap_change_min`` of it away)
        and is reported: the period comes from the last three onsets, not from a tempo
        walk (``tap_confirm_ratio`` 0: never).
    tap_gap_min_periods
        ... it listens only to onsets at least this many of the incumbent's periods after
        its last beat: an onset nearer is that beat's own attack or an eighth after it,
        not a new beat.
    tap_old_ratio, tap_net_ratio, tap_held_beats
        ... when the incumbent had held its tempo ``tap_held_beats`` beats, its beats
        between the anchor and the new beat are heard more weakly by the onsets than
        both new beats, and the first of them weakly: its onset below ``tap_old_ratio``
        of their running mean and the network below ``tap_net_ratio`` of its own. At
        the tapped grid's next beat, when the old grid's beat just before it is heard
        better than it (a syncopation, not a change), the incumbent goes back to the old
        grid and reports that beat late.
    tap_phase_margin
        ... and when the onsets half a new period off the tapped grid (between the
        anchor and the new beat) are heard ``tap_phase_margin`` times as well as the
        grid's two new beats, the anchor was an off-beat of the new tempo (an old beat
        heard after the change): the tapped beat is taken half a period earlier.
    tap_own_beats
        For this many of the incumbent's beats after it jumped tempo of its own accord
        (by ``tap_change_min`` or more, from a tempo held ``tap_held_beats`` beats), the
        tapper still listens, to the old period; when it taps a beat the incumbent has
        reported itself, the incumbent is re-seated on the tapped period (its own jump
        often lands on a period its belief happens to favour, not the music's) and,
        like after a halving, keeps off tempos ``octave_low_jump_min`` times as fast for
        ``octave_window_beats`` beats (0: never).
    decision_delay_s
        How long after a beat the tracker decides it (seconds): the beat's activation
        peak has been heard by then. Each event carries both times.
    meters
        Beats per bar the bar tracker considers.
    bar_jump_prob
        Probability, at each beat, that the bar position jumps (a meter change or a
        missed bar line).
    meter_window_beats, meter_gain
        Each meter's evidence at a beat: the correlation of the last
        ``meter_window_beats`` beats' low-band accents with themselves a bar of that
        meter later (bars repeat their accents whatever their phase), less the meters'
        mean, times ``meter_gain`` (log-odds; 0: none). Unlike the downbeat cues it needs
        no phase and no running statistics from before a meter change, so it turns
        within a bar or two of one.
    accent_gain
        Log-odds of a downbeat per z-score of the low band's (kick, bass) onset at the beat.
    change_gain
        Log-odds of a downbeat per z-score of the harmonic change at the beat.
    change_beats
        The harmonic change at a beat compares the chroma of this many beats before it
        with as many after it (so it is known that many beats later).
    stats_halflife_beats
        Half-life of the running mean and spread that the z-scores are taken against.
    z_clip
        Largest z-score magnitude used.
    low_band_hz
        Upper edge of the low band (kick and bass), in Hz.
    """

    min_bpm: float = 55.0
    max_bpm: float = 215.0
    networks: int = 8
    onset_weight: float = 0.1
    onset_halflife_s: float = 4.0
    onset_floor_halflife_s: float = 0.1
    peak_power: float = 2.0
    observation_lambda: int = 16
    tempo_lambda: float = 100.0
    tempo_jump_prob: float = 0.01
    jump_octave_decay: float = 4.0
    jump_ratio_max: float = 1.6
    challenger_jump_prob: float = 0.2
    challenger_onset_weight: float = 0.9
    lost_ratio: float = 0.3
    confirm_ratio: float = 0.2
    confirm_beats: int = 2
    switch_margin: float = 1.0
    typical_halflife_beats: float = 8.0
    differ_share: float = 0.3
    switch_ratio_max: float = 1.6
    octave_pairs: int = 2
    octave_ratio: float = 0.3
    octave_window_beats: int = 16
    octave_held_beats: int = 8
    octave_low_ratio: float = 0.3
    octave_low_jump_min: float = 1.35
    tap_ratio_max: float = 1.45
    tap_change_min: float = 0.1
    tap_confirm_ratio: float = 0.65
    tap_middle_ratio: float = 0.25
    tap_slack_s: float = 0.02
    tap_gap_min_periods: float = 0.3
    tap_old_ratio: float = 0.5
    tap_net_ratio: float = 0.6
    tap_held_beats: int = 8
    tap_phase_margin: float = 1.25
    tap_own_beats: int = 2
    decision_delay_s: float = 0.03
    meters: tuple[int, ...] = (3, 4)
    bar_jump_prob: float = 0.02
    meter_window_beats: int = 8
    meter_gain: float = 1.0
    accent_gain: float = 0.5
    change_gain: float = 1.0
    change_beats: int = 3
    stats_halflife_beats: float = 16.0
    z_clip: float = 3.0
    low_band_hz: float = 200.0

    def __post_init__(self) -> None:
        if not 20.0 <= self.min_bpm < self.max_bpm <= 400.0:
            raise ValueError(f"bad tempo range {self.min_bpm}-{self.max_bpm} BPM")
        if not 1 <= self.networks <= 8:
            raise ValueError(f"networks must be 1 to 8, got {self.networks}")
        if self.observation_lambda < 2:
            raise ValueError("observation_lambda must be at least 2")
        jumps = (self.tempo_jump_prob, self.challenger_jump_prob, self.bar_jump_prob)
        if not all(0.0 <= j < 1.0 for j in jumps):
            raise ValueError("jump probabilities must lie in [0, 1)")
        if self.jump_octave_decay < 0:
            raise ValueError("jump_octave_decay must be >= 0")
        if not 0.0 <= self.decision_delay_s <= 0.25:
            raise ValueError("decision_delay_s must lie in [0, 0.25] s")
        if not self.meters or any(m < 2 for m in self.meters):
            raise ValueError(f"meters must be at least 2 beats, got {self.meters}")
        if not 0.0 <= self.onset_weight <= 1.0 or self.onset_halflife_s <= 0:
            raise ValueError("onset_weight must lie in [0, 1], onset_halflife_s be > 0")
        weights = (
            self.challenger_onset_weight,
            self.lost_ratio,
            self.confirm_ratio,
            self.differ_share,
        )
        if not all(0.0 <= w <= 1.0 for w in weights):
            raise ValueError("onset weights, ratios and shares must lie in [0, 1]")
        if self.peak_power <= 0 or self.onset_floor_halflife_s <= 0:
            raise ValueError("peak_power and onset_floor_halflife_s must be > 0")
        if not 0 <= self.confirm_beats <= 3:
            raise ValueError(f"confirm_beats must be 0 to 3, got {self.confirm_beats}")
        if self.switch_margin <= 0:
            raise ValueError("switch_margin must be > 0")
        if self.switch_ratio_max <= 1.0 or self.jump_ratio_max <= 1.0:
            raise ValueError("switch_ratio_max and jump_ratio_max must be > 1")
        if not 1 <= self.octave_pairs <= 8 or not 0.0 <= self.octave_ratio < 1.0:
            raise ValueError("octave_pairs must be 1 to 8, octave_ratio lie in [0, 1)")
        if not 0.0 <= self.octave_low_ratio < 1.0 or self.octave_low_jump_min < 1.0:
            raise ValueError("octave_low_ratio must lie in [0, 1), octave_low_jump_min be >= 1")
        if self.octave_window_beats < 2 * self.octave_pairs or self.octave_held_beats < 0:
            raise ValueError("octave_window_beats must hold octave_pairs pairs, held be >= 0")
        if self.tap_ratio_max <= 1.0 or not 0.0 <= self.tap_change_min < 1.0:
            raise ValueError("tap_ratio_max must be > 1, tap_change_min lie in [0, 1)")
        if not 0.0 <= self.tap_middle_ratio <= 1.0 or self.tap_confirm_ratio < 0:
            raise ValueError("tap_middle_ratio must lie in [0, 1], tap_confirm_ratio be >= 0")
        if not 0.0 <= self.tap_slack_s <= 0.1:
            raise ValueError("tap_slack_s must lie in [0, 0.1] s")
        if not 0.0 <= self.tap_gap_min_periods < 1.0:
            raise ValueError("tap_gap_min_periods must lie in [0, 1) periods")
        if self.tap_old_ratio < 0 or self.tap_net_ratio < 0 or self.tap_held_beats < 0:
            raise ValueError("tap_old_ratio, tap_net_ratio, tap_held_beats must be >= 0")
        if self.tap_phase_margin < 1.0:
            raise ValueError("tap_phase_margin must be >= 1")
        if not 0 <= self.tap_own_beats <= 8:
            raise ValueError(f"tap_own_beats must be 0 to 8, got {self.tap_own_beats}")
        if self.typical_halflife_beats <= 0:
            raise ValueError("typical_halflife_beats must be > 0")
        if not 2 * max(self.meters) <= self.meter_window_beats <= 32 or self.meter_gain < 0:
            raise ValueError(
                "meter_window_beats must hold two bars of the longest meter (at most 32), "
                "meter_gain be >= 0"
            )
        if not 1 <= self.change_beats <= 4:
            raise ValueError(f"change_beats must be 1 to 4, got {self.change_beats}")
        if self.stats_halflife_beats <= 0 or self.z_clip <= 0 or self.low_band_hz <= 30:
            raise ValueError("stats_halflife_beats, z_clip must be > 0, low_band_hz > 30")
