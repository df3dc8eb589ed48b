"""The observation model: how likely each state makes what she feels of the leader.

Two kinds of evidence. When one of his feet lands (a step), the whole step: which foot, his
body's travel since his previous step in his frame, his turn, the beats since his previous
step and his joined hands. Before it lands, the lead: which foot left the floor, the
direction his body has begun to move, the way he has begun to turn, and his hands; these
let her choose the next step before his foot arrives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pasdeux.follow._model import Grammar
from pasdeux.follow._params import FollowParams

__all__ = ["Felt", "gap_likelihood", "lead_loglik", "pull_loglik", "step_loglik"]


@dataclass(frozen=True)
class Felt:
    """What she felt of one step of his, or of its lead so far.

    ``foot`` is 0 (L) or 1 (R), ``None`` when no foot has left the floor yet; ``move_m``
    his body's travel since his last step (forward, right in his frame then); ``turn_rad``
    his turn since then; ``hands_m`` (2, 3) his L and R hands in his frame now, where
    ``joined`` (2,) says they hold hers; ``foot_at_m`` where the stepping foot landed from
    his body (at a landing) and ``foot_move_m`` its travel so far from where it stood,
    both in his frame at his last step (``None``: no foot has left the floor).
    """

    foot: int | None
    move_m: NDArray[np.float64]
    turn_rad: float
    hands_m: NDArray[np.float64]
    joined: NDArray[np.bool_]
    foot_at_m: NDArray[np.float64] | None = None
    foot_move_m: NDArray[np.float64] | None = None


def _hands_loglik(g: Grammar, p: FollowParams, felt: Felt) -> NDArray[np.float64]:
    """Log-likelihood of his joined hands under each state's hold."""
    out = np.zeros(g.size)
    for h in range(2):
        same = g.joined[:, h] == felt.joined[h]
        out += np.where(same, math.log1p(-p.hand_slip), math.log(p.hand_slip))
        if felt.joined[h]:
            # a hand far from where the hold puts it is as unlikely as a hand joined wrongly
            d2 = np.sum((g.hands_m[:, h] - felt.hands_m[h]) ** 2, axis=1)
            far = np.minimum(d2 / (2 * p.hand_sigma_m**2), -math.log(p.hand_slip))
            out -= np.where(g.joined[:, h], far, 0.0)
    return out


def pull_loglik(g: Grammar, p: FollowParams, felt: Felt) -> NDArray[np.float64]:
    """Log-likelihood of the lead through the joined hands under each state: his hands
    moved from where the hold puts them by the state's lead (``Grammar.hand_lead_m``: the
    pull towards where her body is to travel, the twist of her turn); a state joining none
    of the hands he joins reads nothing here."""
    both = g.joined & felt.joined[None, :]
    count = both.sum(axis=1)
    if p.pull_sigma_m <= 0 or not count.any():
        return np.zeros(g.size)
    off = (felt.hands_m[None, :, :2] - g.hands_m[:, :, :2]) * both[:, :, None]
    mean = off.sum(axis=1) / np.maximum(count, 1)[:, None]
    # hands far from where the state's hold puts them are not its lead but another hold,
    # which the hands' own term already counts (as a hand joined wrongly): no more than that
    miss = np.sum((mean - g.hand_lead_m) ** 2, axis=1) / (2 * p.pull_sigma_m**2)
    out: NDArray[np.float64] = -np.minimum(miss, -math.log(p.hand_slip))
    return np.where(count > 0, out, 0.0)


def _foot_loglik(g: Grammar, p: FollowParams, foot: int | None) -> NDArray[np.float64]:
    if foot is None:
        return np.zeros(g.size)
    return np.where(g.foot == foot, math.log1p(-p.foot_slip), math.log(p.foot_slip))


def step_loglik(g: Grammar, p: FollowParams, felt: Felt) -> NDArray[np.float64]:
    """Log-likelihood of a whole step of his under each state (before the timing)."""
    move = np.sum((g.move_m - felt.move_m) ** 2, axis=1) / (2 * p.step_sigma_m**2)
    turn_err = (g.turn_rad - felt.turn_rad + math.pi) % (2 * math.pi) - math.pi
    turn = turn_err**2 / (2 * math.radians(p.turn_sigma_deg) ** 2)
    out: NDArray[np.float64] = _foot_loglik(g, p, felt.foot) + _hands_loglik(g, p, felt)
    out -= move + turn
    out += pull_loglik(g, p, felt)
    if felt.foot_at_m is not None and p.foot_sigma_m > 0:
        out -= np.sum((g.foot_at_m - felt.foot_at_m) ** 2, axis=1) / (2 * p.foot_sigma_m**2)
    return out


def lead_loglik(g: Grammar, p: FollowParams, felt: Felt) -> NDArray[np.float64]:
    """Log-likelihood of the lead so far (the step not landed yet) under each state."""
    out = _foot_loglik(g, p, felt.foot) + _hands_loglik(g, p, felt)
    moved = float(np.hypot(*felt.move_m))
    if moved >= p.lead_min_m:
        size = np.hypot(g.move_m[:, 0], g.move_m[:, 1])
        cos = (g.move_m @ felt.move_m) / np.maximum(size * moved, 1e-9)
        # a step that hardly travels explains a body that has begun to move poorly
        out += np.where(size > p.lead_min_m, p.lead_kappa * (cos - 1.0), -p.lead_kappa)
    out += _direction_loglik(g.foot_move_m, felt.foot_move_m, p)
    out += pull_loglik(g, p, felt)
    turned = felt.turn_rad
    if abs(turned) >= math.radians(p.turn_sigma_deg):
        against = np.sign(g.turn_rad) != np.sign(turned)
        out += np.where(against, -p.lead_kappa, 0.0)
    return out


def _direction_loglik(
    templates: NDArray[np.float64], felt: NDArray[np.float64] | None, p: FollowParams
) -> NDArray[np.float64]:
    """Log-likelihood of the direction of a travel begun (``felt``, his frame) under each
    state's travel (``templates``, S x 2): von Mises on the angle between them, a travel
    of less than ``lead_min_m`` telling nothing, a template that hardly travels explaining
    a travel poorly."""
    if felt is None or p.foot_lead_kappa <= 0:
        return np.zeros(len(templates))
    moved = float(np.hypot(*felt))
    if moved < p.lead_min_m:
        return np.zeros(len(templates))
    size = np.hypot(templates[:, 0], templates[:, 1])
    cos = (templates @ felt) / np.maximum(size * moved, 1e-9)
    kappa = p.foot_lead_kappa
    out: NDArray[np.float64] = np.where(size > p.lead_min_m, kappa * (cos - 1.0), -kappa)
    return out


def gap_likelihood(g: Grammar, p: FollowParams, gap_beats: float) -> NDArray[np.float64]:
    """(S, S) likelihood of ``gap_beats`` between his steps along each transition (a
    transition of unknown timing counts as a step two spreads off)."""
    z = (g.gap_beats - gap_beats) / p.gap_sigma_beats
    return np.exp(-0.5 * np.nan_to_num(z, nan=2.0) ** 2)
