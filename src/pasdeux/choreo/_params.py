"""The planner's tunables: one frozen, keyword-only dataclass, ``PlanParams``."""

from __future__ import annotations

from dataclasses import dataclass, field

from pasdeux.music import CountParams

__all__ = ["PlanParams"]


@dataclass(frozen=True, kw_only=True)
class PlanParams:
    """Everything the planner weighs and limits, with units in the names.

    Costs are in the search's own units (a figure that crosses a phrase start costs
    ``cost_phrase_cross``); lower is better. The defaults are what ``pasdeux dance`` uses.
    """

    #: No foot or body point of either partner comes closer to a wall than this (m).
    floor_margin_m: float = 0.3
    #: Within this distance of the wall ahead (less the margin) a progressive couple may turn
    #: the corner (m).
    corner_zone_m: float = 3.0
    #: A leader this close to an alignment (eighths of a turn) is on it.
    alignment_slack_eighths: float = 0.15
    #: Spot and slot dances keep the couple's centre within this radius of their spot (m).
    spot_radius_m: float = 1.0
    #: Where a progressive dance starts: this far from the left and the audience's walls,
    #: at most (m); on a small floor a quarter of the way in, but a metre inside the margin.
    start_from_walls_m: tuple[float, float] = (2.0, 2.5)
    #: Where along its first line a progressive couple may start, from that place (m,
    #: forward along the line of dance): the search picks the one whose figures then meet
    #: the first corner in step with the phrases (a couple walks on where it likes).
    start_shifts_m: tuple[float, ...] = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0)
    #: A section keeps the previous section's dance when it scores this share of the best.
    keep_dance_share: float = 0.8
    #: A danced tempo further than this outside the dance's range is worth a warning (%).
    warn_off_range_pct: float = 8.0
    #: How the music is counted for a dance (:class:`pasdeux.music.CountParams`).
    counting: CountParams = field(default_factory=CountParams)
    #: Phrase length (bars) where the music map has no phrases.
    phrase_bars: int = 8
    #: Quieter than the loudest bar of a phrase by less than this, no bar is its peak (dB).
    peak_spread_db: float = 1.0
    #: Partial routines kept per beat position, and on a retry when all of them die. Tuned
    #: on the tuning half of `bench/choreo.py` (Slow Foxtrot phrase alignment 95% at 10,
    #: 98.5% at 20; planning at most 0.4 s for a four-minute song at 20).
    beam_width: int = 20
    beam_retry_width: int = 60
    #: No figure but the basic more than ``max_run`` times running; the basic ``basic_max_run``.
    max_run: int = 2
    basic_max_run: int = 4
    #: No figure makes up more than this share of a section's figures.
    max_figure_share: float = 0.35
    #: A figure that crosses a phrase start. Tuned on the tuning half of `bench/choreo.py`
    #: (Slow Foxtrot, whose 6- and 10-beat figures shift the bar: 20 put 85% of phrase
    #: starts on figure starts, 40 90%, 80 92%), reported on the held-out half.
    cost_phrase_cross: float = 80.0
    cost_off_downbeat: float = 2.0
    cost_repeat: float = 1.5
    #: Times the share of the stretch's figures so far that are this one.
    cost_share_so_far: float = 6.0
    cost_over_share: float = 25.0
    cost_over_run: float = 40.0
    #: An ending (a closing pose) danced before the routine's last figure; an ending that
    #: is a highlight (a lunge, a dip, with its recovery) costs 0.3 of it.
    cost_ending_before_the_end: float = 10.0
    cost_highlight_on_peak: float = -4.0
    cost_highlight_off_peak: float = 1.0
    cost_highlight_after_highlight: float = 1.5
    #: Reward (negative cost) per metre travelled along the line of dance.
    cost_per_lod_m: float = -1.5
    #: Cost per square metre of the spot couple's distance from its spot's centre.
    cost_per_spot_m2: float = 2.0
    #: Cost per beat held still at the end of a section (the ending's pose on the last chord).
    cost_hold_per_beat: float = 2.0
    #: Cost per beat the couple holds still over an odd bar (shorter than the stretch's
    #: bars, as where the count restarts at a section) so that the next figure starts on
    #: the next whole bar.
    cost_wait_per_beat: float = 2.0
    #: The song's last figure, an ending, may end up to this many beats before the music
    #: (or less than a bar, where a bar is longer), its pose held on the final chord.
    final_hold_max_beats: float = 4.0
    #: The seed's say: a uniform random cost up to this much per figure.
    seed_noise: float = 1.0
    #: The improvising leader (:func:`pasdeux.choreo.lead_frames`): his body begins each
    #: step this long before the stepping foot leaves the floor (the lead, s), and the foot
    #: is in the air for this share of the time between his steps.
    lead_body_s: float = 0.12
    swing_share: float = 0.6
    #: His lead through the joined hands (m): from the lead of each step his hands move
    #: this far from where the hold puts them towards where her body is to travel over her
    #: steps with it (the connection's pull or push), back when the step lands.
    lead_pull_m: float = 0.04
    #: ... none when she travels less than this (m) ...
    lead_pull_min_m: float = 0.05
    #: ... and a turn of hers of at least ``lead_twist_min_deg`` over those steps is led by
    #: the raised hand beginning its circle, this far to his left for her turn to the right
    #: and to his right for her turn to the left (see
    #: :func:`pasdeux.dances.geometry.hand_leads`).
    lead_twist_m: float = 0.04
    lead_twist_min_deg: float = 60.0
    #: Where his improvising starts: beats heard before his first figure.
    lead_in_beats: float = 2.0
