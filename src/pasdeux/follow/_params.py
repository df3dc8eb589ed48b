"""The follower's tunables: one frozen, keyword-only dataclass, ``FollowParams``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["FollowParams", "Reader"]

Reader = Literal["grammar", "nearest", "basic"]
"""How she reads the lead: the figure grammar (the forward algorithm), the nearest step
template alone (no grammar: a baseline), or always the basic (a baseline)."""


@dataclass(frozen=True, kw_only=True)
class FollowParams:
    """Everything the follower weighs and limits, units in the names.

    The observation model's spreads are what the leader's motion may differ from the
    library's step (noise, his own style); the defaults are tuned on the tuning half of the
    seeds of ``bench/follow.py``.
    """

    #: How she reads the lead (see :data:`Reader`).
    reader: Reader = "grammar"
    #: The leader's body travel over a step, each component (m).
    step_sigma_m: float = 0.07
    #: His turn over a step (deg).
    turn_sigma_deg: float = 15.0
    #: The time from his previous step to this one (beats).
    gap_sigma_beats: float = 0.2
    #: Where his stepping foot lands from his body, each component (m); 0: not read. Tuned
    #: on the tuning half of ``bench/follow.py`` among 0.05 and 0.1 (with ``lead_kappa``).
    foot_sigma_m: float = 0.05
    #: His lead through the joined hands: before each of his steps his hands move about
    #: ``lead_pull_m`` from where the hold puts them towards where her body is to travel
    #: over her steps with it (none when she travels less than ``pull_min_m``), read with
    #: a spread of ``pull_sigma_m`` (m; 0: not read).
    lead_pull_m: float = 0.04
    pull_min_m: float = 0.05
    pull_sigma_m: float = 0.03
    #: ... and a turn of hers of at least ``twist_min_deg`` over those steps begins the
    #: raised hand's circle, ``lead_twist_m`` to his left for her turn to the right, to his
    #: right for her turn to the left (:func:`pasdeux.dances.geometry.hand_leads`).
    lead_twist_m: float = 0.04
    twist_min_deg: float = 60.0
    #: A joined hand where the hold puts it (m).
    hand_sigma_m: float = 0.12
    #: The chance he steps with the other foot than the figure says, or a hand is
    #: joined that the hold does not join (or the reverse).
    foot_slip: float = 0.02
    hand_slip: float = 0.05
    #: His body this far (m) from where the last step left it reads as the lead of the next.
    lead_min_m: float = 0.03
    #: Concentration of the lead's direction (von Mises kappa on the angle between his body's
    #: motion so far and the step's direction). Tuned on the tuning half of
    #: ``bench/follow.py`` among 1, 2 and 4 (best mean share recognised by the figure's
    #: telling beat).
    lead_kappa: float = 2.0
    #: Concentration of the direction his stepping foot has begun to travel in (von Mises
    #: kappa, tuned with ``lead_kappa`` and equal to it); 0: not read.
    foot_lead_kappa: float = 2.0
    #: The chance, at each of his steps, that he leaves the figure for the start of another
    #: (a change mid-figure), and that a figure is followed by one the grammar does not list.
    switch_prob: float = 0.01
    off_grammar_prob: float = 0.02
    #: The steps he may take next with at least this probability (her belief before the
    #: step) are read against his steps replayed from where the couple stood when their
    #: figure began (her pose and his), the others against the replay from the ideal start
    #: of the figure's position; 1 or more: always the ideal start.
    replay_min_prob: float = 1e-3
    #: On each step she moves at most this far (m) and turns at most this much (deg) towards
    #: where the hold wants her (after a wrong guess: back into hold without a jump).
    recovery_max_m: float = 0.2
    recovery_max_deg: float = 45.0
    #: Beats taken for the beat period before beats are heard, and beats averaged.
    default_bpm: float = 120.0
    beats_averaged: int = 4
