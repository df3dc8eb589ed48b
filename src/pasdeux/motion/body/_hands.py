"""Where the hands go: each hold's hand targets (joined hands at a point both arms reach,
hands placed on the partner, free hands hanging clear of the partner), blended where the
hold changes, round the partner and past the partner's hands."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter1d, maximum_filter1d

from pasdeux.capsules import BONE_CAPSULES, capsule_radii_m, closest_on_segment, closest_parameters
from pasdeux.dances import HOLD_CONNECTIONS
from pasdeux.motion._params import MotionParams
from pasdeux.motion.body._contact import clear_of
from pasdeux.motion.body._reach import (
    arm_reach_m,
    joined_hands,
    level_point,
    meeting_point,
    off_shoulders,
)
from pasdeux.motion.rig import (
    DOWN,
    FORWARD,
    UP,
    Array,
    Body,
    Skeleton,
    apply,
    side_name,
)
from pasdeux.motion.steps import ROLES


def blended_targets(
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
    weights: dict[str, Array],
    params: MotionParams,
    fps: float,
) -> dict[tuple[str, str], Array]:
    """Where each wrist is aimed (per ``(role, side)``) with the holds blended by
    ``weights``: from the shoulder, on the shorter arc between the holds' ways and their
    lengths blended (a hand going to or from a raised hold drawn in: :func:`_drawn_in`);
    hands every blended hold joins at their one meeting point; a hand going on top of the
    partner's shoulder round its outside (:func:`_placed_from_outside`); hands between
    holds round the partner."""
    shoulders = {
        (role, side): bodies[role].positions[:, skeletons[role].index(f"{side_name(side)}Arm")]
        for role in ROLES
        for side in "lr"
    }
    way: dict[tuple[str, str], Array] = {}
    total = {key: np.zeros(sh.shape[0]) for key, sh in shoulders.items()}
    length = {key: np.zeros(sh.shape[0]) for key, sh in shoulders.items()}
    per_hold = {}
    for hold, weight in weights.items():
        hold_targets = per_hold[hold] = _hold_targets(hold, weight, bodies, skeletons, params, fps)
        for key, shoulder in shoulders.items():
            reach = hold_targets[key[0]][key[1]] - shoulder
            distance = np.linalg.norm(reach, axis=1)
            unit = reach / np.maximum(distance, 1e-9)[:, None]
            # Blending holds, the way from the shoulder to the hand turns on the shorter
            # arc from one hold's to the other's (a hand raised for a turn comes down in
            # front), and its length goes from one to the other: the hand never cuts
            # through the shoulder.
            total[key] += weight
            share = weight / np.maximum(total[key], 1e-9)
            way[key] = unit if key not in way else _slerp(way[key], unit, share)
            length[key] += weight * distance
    targets = {
        key: shoulders[key] + (_drawn_in(key, weights, params) * length[key])[:, None] * way[key]
        for key in shoulders
    }
    for key in targets:
        targets[key][:, 2] += _placed_height_lead(key, weights, per_hold, params.placed_height_lead)
        targets[key] += _placed_from_outside(
            key, weights, per_hold, bodies, skeletons, params.placed_approach_out_m
        )
    # Hands every blended hold joins meet at one point both arms reach; then hands between
    # holds go round the partner (joined ones together).
    joined = _joined_blend(per_hold, weights, shoulders, skeletons, params.hand_nearest_share)
    for key, (always, meet) in joined.items():
        targets[key] = np.where(always[:, None], meet, targets[key])
    targets = _blends_round_partners(targets, weights, bodies, skeletons)
    return _unjoined_hands_apart(targets, weights, shoulders, skeletons)


def _unjoined_hands_apart(
    targets: dict[tuple[str, str], Array],
    weights: dict[str, Array],
    shoulders: dict[tuple[str, str], Array],
    skeletons: dict[str, Skeleton],
) -> dict[tuple[str, str], Array]:
    """Two hands, one of each partner, that no hold blended there joins pass each other instead
    of going through (his right hand leaving her back as her left leaves his shoulder):
    where the hands (wrist to the end of the hand, :func:`_hand_tip`) are nearer than
    their capsules' radii, each moves half the way apart, level."""
    radii = capsule_radii_m()
    out = dict(targets)
    for his in "lr":
        key = ("leader", his)
        for her in "lr":
            mate = ("follower", her)
            apart = np.ones(shoulders[key].shape[0], dtype=bool)
            for hold, weight in weights.items():
                if held_part(hold, "leader", his) == f"{side_name(her)[0]} hand":
                    apart &= weight <= 1e-6
            if not apart.any():
                continue
            ends = []
            for k in (key, mate):
                length = skeletons[k[0]].length(BONE_CAPSULES[f"{k[1]}_hand"][1])
                ends.append((out[k], _hand_tip(out[k], shoulders[k], length)))
            s, t = closest_parameters(*ends[0], *ends[1])
            p = ends[0][0] + s[:, None] * (ends[0][1] - ends[0][0])
            q = ends[1][0] + t[:, None] * (ends[1][1] - ends[1][0])
            gap = p - q
            gap[:, 2] = 0.0
            dist = np.linalg.norm(gap, axis=1)
            need = radii[f"{his}_hand"] + radii[f"{her}_hand"] - dist
            move = np.where(apart & (need > 0), need / 2, 0.0)[:, None]
            way = gap / np.maximum(dist, 1e-9)[:, None]
            out[key] = out[key] + move * way
            out[mate] = out[mate] - move * way
    return out


def _hold_targets(
    hold: str,
    weight: Array,
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
    params: MotionParams,
    fps: float,
) -> dict[str, dict[str, Array]]:
    """:func:`hand_targets` with the tunables of ``params``, worked out only on the frames
    where the hold's ``weight`` (per frame) is above 0 and those the free hands' smoothing
    reaches from them, twice (the follower's free hands keep clear of the leader's
    smoothed ones): the same targets there as over every frame, each frame's target
    depending on its own frame and the smoothing's; 0 on the others, where the blend
    takes none of it."""
    smoothing_frames = params.free_hand_smoothing_s * fps
    # Twice gaussian_filter1d's radius (truncate 4), and a frame more.
    radius = 2 * int(4.0 * smoothing_frames + 0.5) + 1
    used = maximum_filter1d((weight > 0).astype(np.uint8), 2 * radius + 1, mode="constant")
    if used.all():
        return _hand_targets_of(hold, bodies, skeletons, params, smoothing_frames)
    frames = np.flatnonzero(used)
    out = {role: {s: np.zeros((weight.size, 3)) for s in "lr"} for role in ROLES}
    if frames.size == 0:
        return out
    some = {
        role: Body(body.positions[frames], body.world[frames], body.facing[frames])
        for role, body in bodies.items()
    }
    for role, hands in _hand_targets_of(hold, some, skeletons, params, smoothing_frames).items():
        for side, target in hands.items():
            out[role][side][frames] = target
    return out


def _hand_targets_of(
    hold: str,
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
    params: MotionParams,
    smoothing_frames: float,
) -> dict[str, dict[str, Array]]:
    """:func:`hand_targets` with the tunables of ``params``."""
    return hand_targets(
        hold,
        bodies["leader"],
        bodies["follower"],
        skeletons,
        smoothing_frames,
        reach_share=params.hand_reach_share,
        raised_clearance_m=params.raised_hand_clearance_m,
        nearest_share=params.hand_nearest_share,
        low_forward_share=params.low_hands_forward_share,
    )


def _joined_blend(
    per_hold: dict[str, dict[str, dict[str, Array]]],
    weights: dict[str, Array],
    shoulders: dict[tuple[str, str], Array],
    skeletons: dict[str, Skeleton],
    nearest_share: float,
) -> dict[tuple[str, str], tuple[NDArray[np.bool_], Array]]:
    """Per hand (``(role, side)``), the frames where every hold blended joins it to the
    same hand of the partner, and the point they meet there: from one hold's meeting point
    straight to the next (both arms reach every point between two that both reach), kept
    ``nearest_share`` of an arm's length from both shoulders (passing in front of a
    shoulder, the arm does not fold onto it)."""
    pairs = {pair for hold in weights for pair in joined_hands(hold)}
    nearest = tuple(nearest_share * arm_reach_m(skeletons[role]) for role in ROLES)
    out: dict[tuple[str, str], tuple[NDArray[np.bool_], Array]] = {}
    for his_side, her_side in sorted(pairs):
        his_key, her_key = ("leader", his_side), ("follower", her_side)
        total = np.zeros(shoulders[his_key].shape[0])
        sure = np.zeros_like(total)
        meet = np.zeros_like(shoulders[his_key])
        for hold, weight in weights.items():
            total += weight
            if (his_side, her_side) in joined_hands(hold):
                sure += weight
                meet += weight[:, None] * per_hold[hold]["leader"][his_side]
        always = sure >= total - 1e-9
        meet = meet / np.maximum(total, 1e-9)[:, None]
        meet = off_shoulders(meet, (shoulders[his_key], shoulders[her_key]), nearest)
        for key in (his_key, her_key):
            if key in out:  # joined to another hand elsewhere (never in the same frame)
                mask, earlier = out[key]
                meet = np.where(always[:, None], meet, earlier)
                always = always | mask
            out[key] = (always, meet)
    return out


def _blends_round_partners(
    targets: dict[tuple[str, str], Array],
    weights: dict[str, Array],
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
) -> dict[tuple[str, str], Array]:
    """Hands going from one hold's place to another's (``targets`` per (role, side),
    blended by ``weights``) go round the partner, not through: each is pushed out of the
    partner's body as a joined hand is (:func:`_out_of_body`, level away from the
    partner where on the axis), by as much as the blend is under way (fully from half
    way) times the share of the holds blended that do not place it on the partner (a
    hand going to rest on the partner comes round the partner's body and in; resting
    there, it is not pushed off).
    Two hands every hold blended joins stay joined: they go to the middle of their two
    blended places (one point already where :func:`_joined_blend` put them there) and move
    together, by both their pushes (each is taken out of the other dancer's body)."""
    under_way = _under_way(weights)
    if not np.any(under_way > 0):
        return targets
    relations = {key: _hand_in_holds(key, weights) for key in targets}
    targets = dict(targets)
    for (role, side), (_, mates) in relations.items():
        for mate, always in mates.items():
            if role == "leader" and mate in targets:
                middle = (targets[role, side] + targets[mate]) / 2
                meet = np.logical_and(always, under_way > 0)[:, None]
                for key in ((role, side), mate):
                    targets[key] = np.where(meet, middle, targets[key])
    # Pushed only where a change is under way (elsewhere it takes none of the push).
    busy = np.flatnonzero(under_way > 0)
    ends = {
        role: {c: _capsule_ends(bodies[role], skeletons[role], c, busy) for c in _PARTNER_BODY}
        for role in ROLES
    }
    push = {}
    for (role, side), target in targets.items():
        partner = "follower" if role == "leader" else "leader"
        point = target[busy]
        away = point - bodies[partner].positions[busy, 0]
        away[:, 2] = 0.0
        away /= np.maximum(np.linalg.norm(away, axis=1, keepdims=True), 1e-9)
        clear = _hand_clearance(skeletons[role], side)
        push[role, side] = np.zeros_like(target)
        push[role, side][busy] = _out_of_capsules(point, ends[partner], clear, away) - point
    out = {}
    for key, target in targets.items():
        placed, mates = relations[key]
        moved = push[key].copy()
        for mate, always in mates.items():
            if mate in push:
                moved += np.where(always[:, None], push[mate], 0.0)
        out[key] = target + (under_way * (1.0 - placed))[:, None] * moved
    return out


def _placed_share(hand: tuple[str, str], weights: dict[str, Array]) -> Array:
    """Per frame, the summed weight (0-1) of the holds blended there that place ``hand``
    (role, side) on the partner's body (not on a hand)."""
    role, side = hand
    placed = np.zeros(next(iter(weights.values())).shape[0])
    for hold, weight in weights.items():
        held = held_part(hold, role, side)
        if held and not held.endswith(" hand"):
            placed = placed + weight
    return np.asarray(np.clip(placed, 0.0, 1.0))


def _placed_height_lead(
    hand: tuple[str, str],
    weights: dict[str, Array],
    per_hold: dict[str, dict[str, dict[str, Array]]],
    lead: float,
) -> Array:
    """Per frame, how much higher (m) a hand (role, side) goes than its blended target
    where it goes to or from its place on the partner: its height is blended with the
    holds that place it there weighed ``lead`` times their share (at most all of it), the
    others the rest (``per_hold``: each hold's targets); 0 where no hold or every hold
    places it."""
    role, side = hand
    placed = _placed_share(hand, weights)
    led = np.minimum(1.0, lead * placed)
    gains = (
        led / np.maximum(placed, 1e-9) - 1.0,
        (1.0 - led) / np.maximum(1.0 - placed, 1e-9) - 1.0,
    )
    delta = np.zeros(placed.shape[0])
    for hold, weight in weights.items():
        held = held_part(hold, role, side)
        gain = gains[0] if held and not held.endswith(" hand") else gains[1]
        delta += gain * weight * per_hold[hold][role][side][:, 2]
    return np.asarray(np.where((placed > 1e-6) & (placed < 1.0 - 1e-6), delta, 0.0))


def _placed_from_outside(
    hand: tuple[str, str],
    weights: dict[str, Array],
    per_hold: dict[str, dict[str, dict[str, Array]]],
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
    out_m: float,
) -> Array:
    """Per frame, how far (m, world) a hand (role, side) going to its place on top of the
    partner's shoulder or upper arm (:data:`_ON_SHOULDER`) is moved out from the partner's
    body: level, away from the partner's chest axis through the place (his right
    shoulder's outside, for her left hand), ``out_m`` times ``sin(pi * share)`` of the
    holds placing it there, while that share grows (none at either end of the change, nor
    leaving): the hand comes to the shoulder round its outside, not through the chest and
    neck. (A hand going to a back or a waist comes round the body as it is pushed out of
    it: :func:`_blends_round_partners`.)"""
    role, side = hand
    placed = np.zeros(next(iter(weights.values())).shape[0])
    holds = [h for h in weights if held_part(h, role, side).endswith(_ON_SHOULDER)]
    for hold in holds:
        placed = placed + weights[hold]
    coming = np.gradient(placed) > 0 if placed.size > 1 else np.zeros(placed.size, dtype=bool)
    busy = np.flatnonzero((placed > 1e-6) & (placed < 1.0 - 1e-6) & coming)
    out = np.zeros((placed.size, 3))
    if busy.size == 0 or out_m <= 0.0:
        return out
    place = sum(weights[h][busy, None] * per_hold[h][role][side][busy] for h in holds)
    place = place / placed[busy, None]
    partner = "follower" if role == "leader" else "leader"
    ends = _capsule_ends(bodies[partner], skeletons[partner], "chest", busy)
    s = closest_on_segment(ends[0], ends[1], place)
    away = place - ends[0] - s[:, None] * (ends[1] - ends[0])
    away[:, 2] = 0.0
    away /= np.maximum(np.linalg.norm(away, axis=1, keepdims=True), 1e-9)
    out[busy] = (out_m * np.sin(np.pi * placed[busy]))[:, None] * away
    return out


_ON_SHOULDER = ("shoulder", "upper arm")
"""How the parts a hand may be placed on on top of the partner's shoulder end (a
``"shoulder blade"`` is on the back)."""


def _drawn_in(hand: tuple[str, str], weights: dict[str, Array], params: MotionParams) -> Array:
    """Per frame, the share of its blended length a hand (role, side) reaches out: where
    it goes to or from a raised hold that joins it, it is drawn in towards its shoulder
    by ``blend_draw_in_share``, most half way (the elbow bends as the arm swings up or
    down in front of the body, not through the partner's face); 1 elsewhere."""
    raised = sum(
        (w for hold, w in weights.items() if hold.endswith("_raised") and held_part(hold, *hand)),
        np.zeros(next(iter(weights.values())).shape[0]),
    )
    half_way = np.clip(2.0 * np.minimum(raised, 1.0 - raised), 0.0, 1.0)
    return np.asarray(1.0 - params.blend_draw_in_share * half_way)


def _under_way(weights: dict[str, Array]) -> Array:
    """How far a change of hold is under way per frame: 0 where one hold applies in
    full, 1 from half way (the largest weight 0.5 or less), in proportion between."""
    share = np.max(np.stack(list(weights.values())), axis=0)
    return np.asarray(np.clip(2.0 * (1.0 - share), 0.0, 1.0))


def held_part(hold: str, role: str, side: str) -> str:
    """The partner's part ``hold`` puts the ``side`` hand of ``role`` on (``"R hand"``,
    ``"L shoulder blade"``, ``"R upper arm"``, ...; ``""``: the hand is free)."""
    part = f"{side_name(side)[0]} hand"
    for leader_part, follower_part, _ in HOLD_CONNECTIONS.get(hold, ()):
        mine, theirs = (leader_part, follower_part)[:: 1 if role == "leader" else -1]
        if mine == part:
            return theirs
    return ""


def _hand_in_holds(
    hand: tuple[str, str], weights: dict[str, Array]
) -> tuple[Array, dict[tuple[str, str], Array]]:
    """Per frame, the share of the holds blended there that place ``hand`` (role, side)
    on the partner's body (:func:`_placed_share`), and for each partner's hand whether
    every hold blended there joins the two."""
    role, side = hand
    partner = "follower" if role == "leader" else "leader"
    n = next(iter(weights.values())).size
    mates = {(partner, s): np.ones(n, dtype=bool) for s in "lr"}
    for hold, weight in weights.items():
        present = weight > 1e-6
        held = held_part(hold, role, side)
        for (_, s), always in mates.items():
            always &= ~present | (held == f"{side_name(s)[0]} hand")
    return _placed_share(hand, weights), mates


def _slerp(a: Array, b: Array, share: Array) -> Array:
    """Unit vectors ``share`` (0-1) of the way from ``a`` to ``b`` on the shorter arc."""
    cos = np.clip(np.sum(a * b, axis=1), -1.0, 1.0)
    angle = np.arccos(cos)
    sin = np.sin(angle)
    small = sin < 1e-6
    safe = np.where(small, 1.0, sin)
    wa = np.where(small, 1.0 - share, np.sin((1.0 - share) * angle) / safe)
    wb = np.where(small, share, np.sin(share * angle) / safe)
    out = wa[:, None] * a + wb[:, None] * b
    return np.asarray(out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9))


_PARTNER_BODY = ("hips", "belly", "chest", "head", "l_thigh", "r_thigh")
"""The partner's capsules a hand's target keeps clear of (the arms are the contact
pass's: it turns the elbows)."""


_ALL = slice(None)
"""Every frame."""


def _hand_tip(wrist: Array, shoulder: Array, length_m: float) -> Array:
    """Where a hand reaching from ``shoulder`` to ``wrist`` ends: ``length_m`` further on
    (the hand follows its forearm, which points about that way)."""
    way = wrist - shoulder
    unit = way / np.maximum(np.linalg.norm(way, axis=1, keepdims=True), 1e-9)
    return np.asarray(wrist + length_m * unit)


def _capsule_ends(
    body: Body, skel: Skeleton, capsule: str, frames: NDArray[np.intp] | slice = _ALL
) -> tuple[Array, Array]:
    """The two ends of ``capsule`` (``pasdeux.capsules``) on ``body`` as posed so far, at
    ``frames`` (all by default): an end site (the head's top) is placed from its parent,
    the arms being posed before the end sites are."""
    ends = []
    for joint in BONE_CAPSULES[capsule]:
        j = skel.index(joint)
        if j in skel.end_sites:
            parent = skel.parents[j]
            offset = np.asarray(skel.offsets_m[j])
            world = body.world[frames, parent]
            ends.append(body.positions[frames, parent] + apply(world, offset))
        else:
            ends.append(body.positions[frames, j])
    return ends[0], ends[1]


def _free_hands(hold: str) -> dict[str, str]:
    """The hands ``hold`` leaves free, per role (``"lr"``, ``"l"``, ...)."""
    return {role: "".join(s for s in "lr" if not held_part(hold, role, s)) for role in ROLES}


def _free_hands_off_partner(
    hanging: dict[str, dict[str, Array]],
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
    free: dict[str, str],
    smoothing_frames: float,
) -> None:
    """A hand hanging free goes round the partner's body, not into it: moved level the way
    from where it hangs towards its own shoulder (on past it if need be) until it is clear
    of each of the partner's capsules of :data:`_PARTNER_BODY` (``pasdeux.capsules``)
    pointing any way (:func:`_hand_clearance`: the hand trails its forearm, whose way the
    target does not tell) and, for the follower's, until the whole hand (the wrist and
    its end beyond it) is clear of the leader's free hands (``free``: the hands the hold
    leaves free, per role) as they were moved; the move is smoothed over
    ``smoothing_frames`` (a hand sweeping past the partner in a spin is not jerked
    aside)."""
    radii = capsule_radii_m()
    tips: list[tuple[tuple[Array, Array], float]] = []
    for role, partner in (("leader", "follower"), ("follower", "leader")):
        for side in free[role]:
            hand = hanging[role][side]
            own = bodies[role].positions[:, skeletons[role].index(f"{side_name(side)}Arm")]
            cap = f"{side}_hand"
            length = skeletons[role].length(BONE_CAPSULES[cap][1])
            clear = _hand_clearance(skeletons[role], side)
            obstacles = [
                (_capsule_ends(bodies[partner], skeletons[partner], c), clear[c])
                for c in _PARTNER_BODY
            ] + [(ends, his + radii[cap]) for ends, his in tips if role == "follower"]
            moved, way = hand, own - hand
            for ends, distance in obstacles:
                tip = _hand_tip(moved, own, length)
                # Every move is level along one way (from where the hand hangs towards
                # its shoulder, on past it if need be): the larger of the two clears both
                # the wrist and the hand's end.
                by_wrist = clear_of(moved, ends, distance, moved + way) - moved
                by_tip = clear_of(tip, ends, distance, tip + way) - tip
                deeper = np.sum(by_tip**2, axis=1) > np.sum(by_wrist**2, axis=1)
                moved = moved + np.where(deeper[:, None], by_tip, by_wrist)
            if smoothing_frames > 0 and hand.shape[0] > 1:
                moved = hand + gaussian_filter1d(moved - hand, smoothing_frames, axis=0)
            hanging[role][side] = moved
            if role == "leader":
                tips.append(((moved, _hand_tip(moved, own, length)), radii[cap]))


def _joined_hands_off_bodies(
    out: dict[str, dict[str, Array]],
    hold: str,
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
) -> None:
    """Hands ``hold`` joins meet outside both bodies: the meeting point (each pair of
    joined hands in ``out``, changed in place) is pushed out of every capsule of
    :data:`_PARTNER_BODY` of either dancer until the other dancer's hand, pointing any
    way, is clear of it (:func:`_hand_clearance`). Out of a torso or a thigh the push is
    level, away from the capsule's axis (where the point is on the axis: away from the
    middle of the two dancers, towards the two shoulders holding the hands); out of a
    head, away from it (up, over a head). Both hands move together (they stay joined).
    Pushing alternates with pulling the point back within reach of both shoulders (no
    further than the arm, or than the hold put it): where the two cannot both hold, the
    hands stay joined."""
    pelvis_mid = (bodies["leader"].positions[:, 0] + bodies["follower"].positions[:, 0]) / 2
    ends = {
        role: {c: _capsule_ends(bodies[role], skeletons[role], c) for c in _PARTNER_BODY}
        for role in ROLES
    }
    for leader_part, follower_part, _ in HOLD_CONNECTIONS.get(hold, ()):
        if not (leader_part.endswith(" hand") and follower_part.endswith(" hand")):
            continue
        sides = {"leader": leader_part[0].lower(), "follower": follower_part[0].lower()}
        shoulders = {
            role: bodies[role].positions[:, skeletons[role].index(f"{side_name(side)}Arm")]
            for role, side in sides.items()
        }
        meet = out["leader"][sides["leader"]]
        away = (shoulders["leader"] + shoulders["follower"]) / 2 - pelvis_mid
        away[:, 2] = 0.0
        away /= np.maximum(np.linalg.norm(away, axis=1, keepdims=True), 1e-9)
        # No further from either shoulder than the arm reaches, or than the hold put it.
        reach = {
            role: np.maximum(
                arm_reach_m(skeletons[role]), np.linalg.norm(meet - shoulders[role], axis=1)
            )
            for role, side in sides.items()
        }
        clear = {hand: _hand_clearance(skeletons[hand], side) for hand, side in sides.items()}
        moved = _pushed_and_pulled(meet, ends, clear, (shoulders, reach), away)
        out["leader"][sides["leader"]] = out["follower"][sides["follower"]] = moved


def _pushed_and_pulled(
    meet: Array,
    ends: dict[str, dict[str, tuple[Array, Array]]],
    clear: dict[str, dict[str, float]],
    within: tuple[dict[str, Array], dict[str, Array]],
    away: Array,
) -> Array:
    """Joined hands' meeting point ``meet`` (F, 3) pushed out of each dancer's capsules
    (``ends`` per role and capsule) to the other's hand's clearance (``clear`` per role of
    the hand, :func:`_out_of_body`), then pulled back within reach of both shoulders
    (``within``: the shoulders and the reaches per role), four rounds; a frame a round
    leaves where it was is done (the next would too)."""
    shoulders, reach = within
    moved = meet.copy()
    live = np.arange(meet.shape[0])
    for _ in range(4):
        point = moved[live]
        for body, hand in (("leader", "follower"), ("follower", "leader")):
            capsules = {c: (e[0][live], e[1][live]) for c, e in ends[body].items()}
            point = _out_of_capsules(point, capsules, clear[hand], away[live])
        for role, shoulder in shoulders.items():
            way = point - shoulder[live]
            far = np.linalg.norm(way, axis=1, keepdims=True)
            limit = reach[role][live][:, None]
            pulled = shoulder[live] + way * (limit / np.maximum(far, 1e-9))
            point = np.where(far > limit, pulled, point)
        changed = np.any(point != moved[live], axis=1)
        moved[live] = point
        live = live[changed]
        if live.size == 0:
            break
    return moved


def _push_out(
    point: Array, ends: tuple[Array, Array], clear_m: float, level: bool, fallback: Array
) -> Array:
    """How far to move ``point`` (F, 3) to be ``clear_m`` from the segment ``ends``: away
    from the segment's nearest point (level if ``level``) by the depth; ``fallback``
    (level unit vectors) where the point is on the segment."""
    s = closest_on_segment(ends[0], ends[1], point)
    off = point - ends[0] - s[:, None] * (ends[1] - ends[0])
    depth = np.clip(clear_m - np.linalg.norm(off, axis=1), 0.0, None)
    if level:
        off[:, 2] = 0.0
    size = np.linalg.norm(off, axis=1, keepdims=True)
    way = np.where(size > 1e-3, off / np.maximum(size, 1e-9), fallback)
    return np.asarray(depth[:, None] * way)


def _out_of_body(
    point: Array, body: Body, skel: Skeleton, clear_m: dict[str, float], fallback: Array
) -> Array:
    """``point`` (F, 3) moved out of each capsule of :data:`_PARTNER_BODY` of ``body`` to
    ``clear_m`` (per capsule) from its axis (see :func:`_push_out`: level out of a torso
    or a thigh, away from a head)."""
    ends = {capsule: _capsule_ends(body, skel, capsule) for capsule in _PARTNER_BODY}
    return _out_of_capsules(point, ends, clear_m, fallback)


def _out_of_capsules(
    point: Array, ends: dict[str, tuple[Array, Array]], clear_m: dict[str, float], fallback: Array
) -> Array:
    """:func:`_out_of_body` with the capsules' ends (per capsule of :data:`_PARTNER_BODY`)
    given."""
    for capsule in _PARTNER_BODY:
        push = _push_out(point, ends[capsule], clear_m[capsule], capsule != "head", fallback)
        point = point + push
    return point


def _hand_clearance(skel: Skeleton, side: str) -> dict[str, float]:
    """How far a wrist stays from the axis of each capsule of :data:`_PARTNER_BODY`: the
    capsule's radius, the hand's, and the hand's length (it may point any way)."""
    radii = capsule_radii_m()
    cap = f"{side}_hand"
    length = skel.length(BONE_CAPSULES[cap][1])
    return {c: radii[c] + radii[cap] + length for c in _PARTNER_BODY}


def hand_targets(
    hold: str,
    ldr: Body,
    flw: Body,
    skeletons: dict[str, Skeleton],
    free_hand_smoothing_frames: float = 0.0,
    *,
    reach_share: float = 1.0,
    raised_clearance_m: float = 0.07,
    nearest_share: float = 0.3,
    low_forward_share: float = 0.0,
) -> dict[str, dict[str, Array]]:
    """Where each hand goes in ``hold`` (world positions per frame); a free hand's way
    round the partner is smoothed over ``free_hand_smoothing_frames``.

    Joined hands meet at one point within ``reach_share`` of both arms' length and no
    nearer either shoulder than ``nearest_share`` of it (``_reach``): held low, on the
    line between the shoulders dropped as far as both reach, down and forward by
    ``low_forward_share`` of the way across that line both partners face (the lesser of
    their two facings that way; none where they face each other or either is side on); raised,
    ``raised_clearance_m`` over the top of her head, as near over it as both reach."""
    couple = _couple(ldr, flw, skeletons)
    arms = [arm_reach_m(skeletons[role]) for role in ROLES]
    limits = _Limits(
        reach=(reach_share * arms[0], reach_share * arms[1]),
        nearest=(nearest_share * arms[0], nearest_share * arms[1]),
    )
    hanging = _hanging_hands(couple)
    _free_hands_off_partner(
        hanging, couple.bodies, skeletons, _free_hands(hold), free_hand_smoothing_frames
    )
    out = {role: dict(hands) for role, hands in hanging.items()}
    if hold == "closed":
        _closed_hands(out, couple, limits)
    elif hold == "embrace":
        _embrace_hands(out, couple)
    elif hold == "shadow":
        _shadow_hands(out, couple)
    elif hold in _RAISED_HOLDS:
        _raised_hands(out, couple, _RAISED_HOLDS[hold], limits, raised_clearance_m)
    else:
        for sides in _LOW_HOLDS.get(hold, ()):
            _low_hands(out, couple, sides, limits, low_forward_share)
    _joined_hands_off_bodies(out, hold, couple.bodies, skeletons)
    return out


_LOW_HOLDS: dict[str, tuple[tuple[str, str], ...]] = {
    "left_to_right": (("l", "r"),),
    "right_to_right": (("r", "r"),),
    "right_to_left": (("r", "l"),),
    "left_to_left": (("l", "l"),),
    "double": (("l", "r"), ("r", "l")),
    "double_crossed": (("r", "r"), ("l", "l")),
}
"""The holds that join hands held low: (his hand, her hand) of each pair they join."""

_RAISED_HOLDS: dict[str, tuple[str, str]] = {
    "left_to_right_raised": ("l", "r"),
    "right_to_right_raised": ("r", "r"),
}
"""The holds that join one pair of hands over her head: (his hand, her hand)."""


@dataclass(frozen=True)
class _Couple:
    """Both dancers as :func:`hand_targets` reads them: bodies and skeletons per role, and
    per role the chest's forward and right axes (world, per frame)."""

    bodies: dict[str, Body]
    skeletons: dict[str, Skeleton]
    forward: dict[str, Array]
    right: dict[str, Array]

    def at(self, role: str, joint: str) -> Array:
        """Where ``joint`` of ``role`` is, per frame."""
        return self.bodies[role].positions[:, self.skeletons[role].index(joint)]

    def shoulder(self, role: str, side: str) -> Array:
        """Where the shoulder joint of the ``side`` arm of ``role`` is, per frame."""
        return self.at(role, f"{side_name(side)}Arm")


@dataclass(frozen=True)
class _Limits:
    """How far from each shoulder joined hands may meet, per role in :data:`ROLES`
    order: at most ``reach``, at least ``nearest`` (m)."""

    reach: tuple[float, float]
    nearest: tuple[float, float]


def _couple(ldr: Body, flw: Body, skeletons: dict[str, Skeleton]) -> _Couple:
    """The :class:`_Couple` of the leader's body ``ldr`` and the follower's ``flw``."""
    bodies = {"leader": ldr, "follower": flw}
    forward, right = {}, {}
    for role, body in bodies.items():
        rot = body.world[:, skeletons[role].index("Spine2")]
        forward[role], right[role] = apply(rot, FORWARD), apply(rot, np.array([1.0, 0.0, 0.0]))
    return _Couple(bodies, skeletons, forward, right)


def _hanging_hands(couple: _Couple) -> dict[str, dict[str, Array]]:
    """Where each hand hangs free (per role and side): below its shoulder (50 cm his,
    46 cm hers), 10 cm in front and 6 cm out to its side."""
    drop_m = {"leader": 0.5, "follower": 0.46}
    hanging = {
        role: {
            s: couple.shoulder(role, s) + drop_m[role] * DOWN + 0.1 * couple.forward[role]
            for s in "lr"
        }
        for role in ROLES
    }
    for role in ROLES:
        hanging[role]["l"] = hanging[role]["l"] - 0.06 * couple.right[role]
        hanging[role]["r"] = hanging[role]["r"] + 0.06 * couple.right[role]
    return hanging


def _closed_hands(out: dict[str, dict[str, Array]], couple: _Couple, limits: _Limits) -> None:
    """The hands of the closed hold (in ``out``, in place): his left and her right joined
    at a point both reach, out to his left of the middle of their shoulders; his right
    hand on her left shoulder blade, on the surface of her back at her left side (his
    forearm comes round her, ``_contact`` keeps it outside her); her left hand on top of
    his right shoulder, her arm resting on his."""
    his, hers = couple.shoulder("leader", "l"), couple.shoulder("follower", "r")
    wanted = (his + hers) / 2 + 0.22 * (-couple.right["leader"]) + np.array([0.0, 0.0, 0.02])
    meet = level_point(his, hers, limits.reach, wanted)
    meet = off_shoulders(meet, (his, hers), limits.nearest)
    out["leader"]["l"] = out["follower"]["r"] = meet
    f_fwd, f_right = couple.forward["follower"], couple.right["follower"]
    l_fwd, l_right = couple.forward["leader"], couple.right["leader"]
    out["leader"]["r"] = couple.at("follower", "Spine2") + 0.06 * UP - 0.07 * f_fwd - 0.11 * f_right
    out["follower"]["l"] = (
        couple.shoulder("leader", "r") + 0.08 * UP + 0.05 * l_right - 0.03 * l_fwd
    )


def _embrace_hands(out: dict[str, dict[str, Array]], couple: _Couple) -> None:
    """The hands of the embrace (in ``out``, in place): his on her waist, either side of
    her spine, hers on top of his shoulders."""
    f_fwd, f_right = couple.forward["follower"], couple.right["follower"]
    for s, sign in (("l", -1.0), ("r", 1.0)):
        out["leader"][s] = couple.at("follower", "Spine") - sign * 0.13 * f_right - 0.05 * f_fwd
        out["follower"][s] = couple.shoulder("leader", "r" if s == "l" else "l") + 0.03 * UP


def _shadow_hands(out: dict[str, dict[str, Array]], couple: _Couple) -> None:
    """The hands of the shadow hold (in ``out``, in place): his on her shoulders, from
    behind."""
    for s in "lr":
        out["leader"][s] = (
            couple.shoulder("follower", s) - 0.08 * couple.forward["follower"] - 0.03 * UP
        )


def _raised_hands(
    out: dict[str, dict[str, Array]],
    couple: _Couple,
    sides: tuple[str, str],
    limits: _Limits,
    clearance_m: float,
) -> None:
    """His ``sides[0]`` hand and her ``sides[1]`` joined over her head (in ``out``, in
    place): ``clearance_m`` over its top (upright), a little towards him, as near there
    as both reach."""
    head = couple.at("follower", "Head")
    his, hers = couple.shoulder("leader", sides[0]), couple.shoulder("follower", sides[1])
    wanted = 0.7 * head + 0.3 * his
    top = head[:, 2] + couple.skeletons["follower"].length("HeadTop_End")
    wanted[:, 2] = top + clearance_m
    meet = level_point(his, hers, limits.reach, wanted)
    meet = off_shoulders(meet, (his, hers), limits.nearest)
    out["leader"][sides[0]] = out["follower"][sides[1]] = meet


def _low_hands(
    out: dict[str, dict[str, Array]],
    couple: _Couple,
    sides: tuple[str, str],
    limits: _Limits,
    forward_share: float,
) -> None:
    """His ``sides[0]`` hand and her ``sides[1]`` joined low (in ``out``, in place): 35 cm
    below the line between the shoulders (as far as both reach) and forward by
    ``forward_share`` where both partners face the way across that line (side by side: in
    front of them, the forearms reaching forward and the upper arms hanging by each body;
    facing each other, side on, or one in front of the other: straight down)."""
    l_fwd, f_fwd = couple.forward["leader"], couple.forward["follower"]
    shared = l_fwd + f_fwd
    his, hers = couple.shoulder("leader", sides[0]), couple.shoulder("follower", sides[1])
    line = hers - his
    line[:, 2] = 0.0
    line /= np.maximum(np.linalg.norm(line, axis=1, keepdims=True), 1e-9)
    # Level and across the line between the shoulders, on the side they face; by as
    # much as the one facing less that way does (0 where either faces side on).
    across = np.cross(UP, line)
    across *= np.where(np.sum(shared * across, axis=1) < 0, -1.0, 1.0)[:, None]
    share = np.minimum(np.sum(l_fwd * across, axis=1), np.sum(f_fwd * across, axis=1))
    way = DOWN + forward_share * np.clip(share, 0.0, None)[:, None] * across
    way /= np.linalg.norm(way, axis=1, keepdims=True)
    meet = meeting_point(his, hers, limits.reach[0], limits.reach[1], 0.35, way)
    meet = off_shoulders(meet, (his, hers), limits.nearest)
    out["leader"][sides[0]] = out["follower"][sides[1]] = meet
