"""The arms: each hold's hand targets, blended where the hold changes, reached by IK."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter1d, uniform_filter1d
from scipy.signal import lfilter

from pasdeux.capsules import BONE_CAPSULES, capsule_radii_m, closest_parameters
from pasdeux.dances import HOLD_CONNECTIONS, HOLDS
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
    bone_world,
    rot_y,
    side_name,
    two_bone_ik,
)
from pasdeux.motion.steps import TimedStep

ROLES = ("leader", "follower")


def hold_weights(leader_steps: list[TimedStep], times: Array, blend_s: float) -> dict[str, Array]:
    """Per frame, how much each hold applies (they sum to 1; a change blends over
    ``blend_s``)."""
    current = np.full(times.size, HOLDS.index(leader_steps[0].replayed.step.hold))
    for s in leader_steps:
        current[times >= s.t_lift] = HOLDS.index(s.replayed.step.hold)
    fps = 1.0 / (times[1] - times[0]) if times.size > 1 else 60.0
    width = max(1, round(blend_s * fps))
    return {
        hold: uniform_filter1d((current == i).astype(float), width)
        for i, hold in enumerate(HOLDS)
        if np.any(current == i)
    }


def pose_arms(
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
    weights: dict[str, Array],
    carry: dict[tuple[str, str], Array],
    params: MotionParams,
    fps: float,
) -> None:
    """Pose both dancers' arms for the holds blended by ``weights``: a raised arm lifts
    its clavicle ``clavicle_raise_share`` of its raise, the hands follow the forearms
    (trailing them by ``hand_follow_s``), the fingers curled ``finger_curl_deg`` towards
    the palm, a free hand's way round the partner smoothed over ``free_hand_smoothing_s``
    (``params``).

    ``carry`` holds what the last block of frames posed passes on (updated here): per
    ``(role, side)`` the way the elbow bent at its last frame and whether it was catching
    up (where :func:`elbow_pole` swings round, the elbow turns a share set by
    ``elbow_follow_s`` of the way towards it each frame), per ``(role, side + " hand")``
    the hand's way and palm there, per ``(role, side + " target")`` where the wrist was
    aimed (a hand's target moves no faster than ``max_hand_speed_m_s``).
    """
    follow = 1.0 - math.exp(-1.0 / (fps * params.elbow_follow_s))
    hand_follow = 1.0 - math.exp(-1.0 / (fps * params.hand_follow_s))
    targets = _blended_targets(bodies, skeletons, weights, params, fps)
    for (role, side), target in targets.items():
        target, carry[role, side + " target"] = _speed_limited(
            target, carry.get((role, side + " target")), params.max_hand_speed_m_s / fps
        )
        _raise_clavicle(bodies[role], skeletons[role], side, target, params.clavicle_raise_share)
        rest = _elbow_rest((role, side), weights, bodies, skeletons)
        partner = bodies["follower" if role == "leader" else "leader"].positions[:, 0]
        state = _pose_arm(
            bodies[role],
            skeletons[role],
            side,
            target,
            carry.get((role, side)),
            follow,
            rest,
            partner,
        )
        if state is not None:
            carry[role, side] = state
        carry[role, side + " hand"] = _pose_hand(
            bodies[role],
            skeletons[role],
            side,
            (hand_follow, math.radians(params.finger_curl_deg)),
            carry.get((role, side + " hand")),
        )


def _blended_targets(
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
    weights: dict[str, Array],
    params: MotionParams,
    fps: float,
) -> dict[tuple[str, str], Array]:
    """Where each wrist is aimed (per ``(role, side)``) with the holds blended by
    ``weights``: from the shoulder, on the shorter arc between the holds' ways and their
    lengths blended; hands every blended hold joins at their one meeting point; hands
    between holds round the partner."""
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
        hold_targets = per_hold[hold] = _hold_targets(hold, bodies, skeletons, params, fps)
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
    targets = {key: shoulders[key] + length[key][:, None] * way[key] for key in shoulders}
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
                if _held(hold, "leader", his) == f"{side_name(her)[0]} hand":
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
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
    params: MotionParams,
    fps: float,
) -> dict[str, dict[str, Array]]:
    """:func:`hand_targets` with the tunables of ``params``."""
    return hand_targets(
        hold,
        bodies["leader"],
        bodies["follower"],
        skeletons,
        params.free_hand_smoothing_s * fps,
        reach_share=params.hand_reach_share,
        raised_clearance_m=params.raised_hand_clearance_m,
        nearest_share=params.hand_nearest_share,
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


def _speed_limited(target: Array, last: Array | None, step_m: float) -> tuple[Array, Array]:
    """``target`` (per frame) moving no more than ``step_m`` a frame from ``last`` (the
    last block's last frame; None: from its first): where it would (a hand swung round a
    spinning dancer as a hold changes), it follows as fast as that. Returns it and its
    last frame."""
    if target.shape[0] == 0:
        return target, np.zeros(3) if last is None else last
    step = np.linalg.norm(np.diff(target, axis=0), axis=1)
    first = 0.0 if last is None else float(np.linalg.norm(target[0] - last))
    if first <= step_m and np.all(step <= step_m):
        return target, target[-1].copy()
    out = target.copy()
    px, py, pz = (target[0] if last is None else last).tolist()
    for f, (tx, ty, tz) in enumerate(target.tolist()):
        dx, dy, dz = tx - px, ty - py, tz - pz
        d = math.sqrt(dx * dx + dy * dy + dz * dz)
        share = 1.0 if d <= step_m else step_m / d
        px, py, pz = px + share * dx, py + share * dy, pz + share * dz
        out[f] = (px, py, pz)
    return out, out[-1].copy()


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
    way). Not a hand that one of the holds places on the partner (it may rest there).
    Two hands every hold blended joins stay joined: they go to the middle of their two
    blended places (one point already where :func:`_joined_blend` put them there) and move
    together, by both their pushes (each is taken out of the other dancer's body)."""
    share = np.max(np.stack(list(weights.values())), axis=0)
    under_way = np.clip(2.0 * (1.0 - share), 0.0, 1.0)
    if not np.any(under_way > 0):
        return targets
    relations = {key: _hand_in_holds(key, weights) for key in targets}
    targets = dict(targets)
    for (role, side), (_, mates) in relations.items():
        for mate, always in mates.items():
            if role == "leader" and mate in targets:
                middle = (targets[role, side] + targets[mate]) / 2
                meet = (always & (under_way > 0))[:, None]
                for key in ((role, side), mate):
                    targets[key] = np.where(meet, middle, targets[key])
    push = {}
    for (role, side), target in targets.items():
        partner = bodies["follower" if role == "leader" else "leader"]
        away = target - partner.positions[:, 0]
        away[:, 2] = 0.0
        away /= np.maximum(np.linalg.norm(away, axis=1, keepdims=True), 1e-9)
        clear = _hand_clearance(skeletons[role], side)
        skel = skeletons["follower" if role == "leader" else "leader"]
        push[role, side] = _out_of_body(target, partner, skel, clear, away) - target
    out = {}
    for key, target in targets.items():
        on_partner, mates = relations[key]
        moved = push[key].copy()
        for mate, always in mates.items():
            if mate in push:
                moved += np.where(always[:, None], push[mate], 0.0)
        out[key] = target + np.where(on_partner, 0.0, under_way)[:, None] * moved
    return out


def _held(hold: str, role: str, side: str) -> str:
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
    """Per frame, whether a hold blended there (weight above 0) places ``hand`` (role,
    side) on the partner's body, and for each partner's hand whether every hold blended
    there joins the two."""
    role, side = hand
    partner = "follower" if role == "leader" else "leader"
    n = next(iter(weights.values())).size
    on_partner = np.zeros(n, dtype=bool)
    mates = {(partner, s): np.ones(n, dtype=bool) for s in "lr"}
    for hold, weight in weights.items():
        present = weight > 1e-6
        held = _held(hold, role, side)
        on_partner |= present & bool(held) & (not held.endswith(" hand"))
        for (_, s), always in mates.items():
            always &= ~present | (held == f"{side_name(s)[0]} hand")
    return on_partner, mates


def _follow_pole(
    field: Array, reach: Array, previous: Array | None, follow: float
) -> tuple[Array, Array | None]:
    """The elbow's pole frame by frame, and the state to carry to the next block.

    Where ``field`` (across the reach) turns slowly the pole is the field. Where it turns
    faster than a few degrees a frame (a reach passing where :func:`elbow_pole` swings
    round), the pole is the previous frame's kept across the new reach and turned
    ``follow`` of the way towards the field, until it is back on the field. ``previous``
    is the last block's state: its last pole and whether it was still catching up.
    """
    n = field.shape[0]
    if n == 0:
        return field, previous
    out = field.copy()
    catching_up = previous is not None and previous[3] > 0.5
    fast = np.zeros(n, dtype=bool)
    fast[1:] = np.sum(field[1:] * field[:-1], axis=1) < _SLOW_COS
    if previous is not None:
        fast[0] = catching_up or float(np.dot(previous[:3], field[0])) < _SLOW_COS
    unit = reach / np.maximum(np.linalg.norm(reach, axis=1, keepdims=True), 1e-9)
    starts = np.flatnonzero(fast)
    f = int(starts[0]) if starts.size else n
    while f < n:
        p = (out[f - 1] if f else np.asarray(previous)[:3]).tolist()
        f, catching_up = _catch_up(out, field, unit, fast, f, p, follow)
        later = starts[starts > f]
        f = int(later[0]) if later.size else n
    return out, np.append(out[-1], 1.0 if catching_up else 0.0)


_SLOW_COS = math.cos(math.radians(3.0))


def _catch_up(
    out: Array, field: Array, unit: Array, fast: Array, f: int, p: list[float], follow: float
) -> tuple[int, bool]:
    """Frames from ``f`` of :func:`_follow_pole` until the pole is back on the field:
    the last frame done and whether the block ended before that."""
    px, py, pz = p
    n = field.shape[0]
    for g in range(f, n):
        ux, uy, uz = unit[g].tolist()
        fx, fy, fz = field[g].tolist()
        d = px * ux + py * uy + pz * uz
        px, py, pz = px - d * ux, py - d * uy, pz - d * uz
        norm = math.sqrt(px * px + py * py + pz * pz)
        if norm > 1e-6:
            px, py, pz = px / norm, py / norm, pz / norm
            px, py, pz = px + follow * (fx - px), py + follow * (fy - py), pz + follow * (fz - pz)
            norm = math.sqrt(px * px + py * py + pz * pz)
        if norm <= 1e-6 or abs(px - fx) + abs(py - fy) + abs(pz - fz) < 1e-4:
            out[g] = field[g]  # back on the field
            if g + 1 == n or not fast[g + 1]:
                return g, False
            px, py, pz = fx, fy, fz
            continue
        px, py, pz = px / norm, py / norm, pz / norm
        out[g] = (px, py, pz)
    return n - 1, True


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


def _pose_arm(
    body: Body,
    skel: Skeleton,
    side: str,
    target: Array,
    previous: Array | None,
    follow: float,
    rest: tuple[Array, Array] | None = None,
    partner: Array | None = None,
) -> Array | None:
    """One arm reaching for ``target``: the elbow bends as :func:`elbow_pole` says, but
    not towards ``partner`` (the partner's pelvis, :func:`_pole_not_towards`), or, by the
    share ``rest[1]`` (per frame), towards the points ``rest[0]`` (an arm resting on the
    partner's, :func:`_elbow_rest`); both bones take their twist from the axis of that
    bend, so the elbow is a hinge."""
    ix = skel.index
    arm, forearm, hand = (side_name(side) + j for j in ("Arm", "ForeArm", "Hand"))
    chest_rot = body.world[:, ix("Spine2")]
    shoulder = body.positions[:, ix(arm)]
    upper, lower = skel.length(forearm), skel.length(hand)
    nearest = 0.3 * (upper + lower)
    # A target nearer the shoulder than the arm folds is reached for in a direction turned
    # forward and down (the nearer, the more): a target passing through the shoulder (a
    # partner's hand there) does not swing the arm round.
    reach = target - shoulder
    short = np.clip(nearest - np.linalg.norm(reach, axis=1), 0.0, None)
    reach = reach + 3.0 * short[:, None] * apply(chest_rot, np.array([0.0, 0.6, -0.8]))
    field = elbow_pole(chest_rot, reach, side)
    if partner is not None:
        near = _near_share(skel, side, shoulder, partner)
        field = _pole_not_towards(field, reach, partner - shoulder, near)
    if rest is not None:
        field = _pole_towards(field, reach, rest[0] - shoulder, rest[1])
    pole, state = _follow_pole(field, reach, previous, follow)
    elbow, wrist = two_bone_ik(
        shoulder,
        shoulder + reach,
        upper,
        lower,
        pole,
        reach_m=(nearest, upper + lower - 1e-4),
    )
    body.positions[:, ix(forearm)] = elbow
    body.positions[:, ix(hand)] = wrist
    # The rest pose is a T-pose, palms down: the arm out along the side's axis, the elbow
    # bending the forearm forward (so the elbow goes back).
    hinge = np.cross(wrist - shoulder, pole)
    rest_way, rest_hinge = _rest_arm(side)
    body.world[:, ix(arm)] = bone_world(elbow - shoulder, hinge, rest_way, rest_hinge)
    body.world[:, ix(forearm)] = bone_world(wrist - elbow, hinge, rest_way, rest_hinge)
    return state


def _pole_towards(field: Array, reach: Array, toward: Array, share: Array) -> Array:
    """The poles ``field`` turned by ``share`` (per frame, 0-1) towards ``toward`` (from
    the shoulder), both taken across ``reach``."""
    unit = reach / np.maximum(np.linalg.norm(reach, axis=1, keepdims=True), 1e-9)
    hint = toward - np.sum(toward * unit, axis=1, keepdims=True) * unit
    hint /= np.maximum(np.linalg.norm(hint, axis=1, keepdims=True), 1e-9)
    out = (1.0 - share)[:, None] * field + share[:, None] * hint
    size = np.linalg.norm(out, axis=1, keepdims=True)
    return np.asarray(np.where(size > 1e-6, out / np.maximum(size, 1e-9), field))


def _pole_not_towards(field: Array, reach: Array, toward: Array, share: Array) -> Array:
    """The poles ``field`` with ``share`` (per frame, 0-1) of their part pointing level
    towards ``toward`` (from the shoulder: the partner) taken away, across ``reach``: an
    elbow does not bend into the partner (it goes out to the side, up or down instead).
    The result is never further than a right angle from ``field``, so a blend with it
    turns the pole smoothly."""
    unit = reach / np.maximum(np.linalg.norm(reach, axis=1, keepdims=True), 1e-9)
    level = toward * np.array([1.0, 1.0, 0.0])
    across = level - np.sum(level * unit, axis=1, keepdims=True) * unit
    across /= np.maximum(np.linalg.norm(across, axis=1, keepdims=True), 1e-9)
    into = np.clip(np.sum(field * across, axis=1, keepdims=True), 0.0, None)
    # An arm hanging straight down bends nowhere in particular: the more it hangs, the less
    # its pole is moved (a free arm hanging through a spin keeps turning with the body
    # instead of twisting against it). A raised arm is moved in full.
    hanging = unit[:, 2:3] < 0.0
    level_share = np.where(hanging, np.linalg.norm(unit[:, :2], axis=1, keepdims=True), 1.0)
    out = field - share[:, None] * level_share * into * across
    size = np.linalg.norm(out, axis=1, keepdims=True)
    return np.asarray(np.where(size > 1e-6, out / np.maximum(size, 1e-9), field))


def _near_share(skel: Skeleton, side: str, shoulder: Array, partner: Array) -> Array:
    """How near the partner's body is for the arm (per frame, 0-1): 0 where the partner's
    axis (level from ``partner``, the pelvis) is beyond the arm's length and the two
    capsules' radii from the shoulder (no part of the arm reaches it), 1 where it is an
    upper arm nearer, in between in proportion."""
    radii = capsule_radii_m()
    upper = skel.length(f"{side_name(side)}ForeArm")
    limit = arm_reach_m(skel) + radii[f"{side}_upper_arm"] + radii["chest"]
    gap = np.linalg.norm((partner - shoulder)[:, :2], axis=1)
    return np.asarray(np.clip((limit - gap) / upper, 0.0, 1.0))


def _elbow_rest(
    hand: tuple[str, str],
    weights: dict[str, Array],
    bodies: dict[str, Body],
    skeletons: dict[str, Skeleton],
) -> tuple[Array, Array] | None:
    """Where the elbow of an arm whose hand a hold places on the partner's upper arm
    goes, and by how much (the weights of those holds): towards the partner's elbow, the
    forearm along the partner's arm (in closed hold her left arm rests on his right; the
    elbow bent the usual way would swing into his chest where she stands at his side, in
    promenade). None if no hold blended does so. The partner's arm must be posed."""
    role, side = hand
    partner = "follower" if role == "leader" else "leader"
    toward, share = None, None
    for hold, weight in weights.items():
        held = _held(hold, role, side)
        if held.endswith(" upper arm"):
            elbow = f"{side_name(held[0].lower())}ForeArm"
            toward = bodies[partner].positions[:, skeletons[partner].index(elbow)]
            share = weight if share is None else share + weight
    return None if toward is None or share is None else (toward, share)


def _raise_clavicle(body: Body, skel: Skeleton, side: str, target: Array, share: float) -> None:
    """Turn the clavicle up about the chest's forward axis by ``share`` of how far the
    way from the shoulder to ``target`` rises above the chest's horizontal (a hanging arm
    leaves it level), moving the shoulder joint with it."""
    ix = skel.index
    clavicle, arm = side_name(side) + "Shoulder", side_name(side) + "Arm"
    chest_rot = body.world[:, ix("Spine2")]
    reach = target - body.positions[:, ix(arm)]
    up = np.sum(reach * apply(chest_rot, UP), axis=1) / np.maximum(
        np.linalg.norm(reach, axis=1), 1e-9
    )
    angle = share * np.arcsin(np.clip(up, 0.0, 1.0))
    world = chest_rot @ rot_y(angle if side == "l" else -angle)
    body.world[:, ix(clavicle)] = world
    body.positions[:, ix(arm)] = body.positions[:, ix(clavicle)] + apply(world, skel.offset(arm))


def _rest_arm(side: str) -> tuple[Array, Array]:
    """The way an arm points in the rest pose (the T-pose: out along the body's left (-x)
    or right (+x) axis) and the axis its elbow bends about there (palms down: the
    forearm bends forward, the elbow goes back)."""
    way = np.array([-1.0 if side == "l" else 1.0, 0.0, 0.0])
    return way, np.cross(way, -FORWARD)


def _pose_hand(
    body: Body, skel: Skeleton, side: str, shares: tuple[float, float], last: Array | None
) -> Array:
    """The hand follows the forearm, trailing it (its way and palm turn ``shares[0]``
    of the way towards the forearm's each frame, from ``last``, the last block's); the
    finger curls ``shares[1]`` radians towards the palm (down in the T-pose: about the
    forward axis). Returns the hand's way and palm at the last frame."""
    ix = skel.index
    forearm, hand, finger = (side_name(side) + j for j in ("ForeArm", "Hand", "HandMiddle1"))
    n = body.world.shape[0]
    follow, curl_rad = shares
    rest_way, rest_hinge = _rest_arm(side)
    target = np.concatenate(
        [
            apply(body.world[:, ix(forearm)], rest_way),
            apply(body.world[:, ix(forearm)], rest_hinge),
        ],
        axis=1,
    )
    if n == 0:
        return np.zeros(6) if last is None else last
    start = target[0] if last is None else last
    trail, _ = lfilter(
        [follow], [1.0, follow - 1.0], target, axis=0, zi=(1.0 - follow) * start[None]
    )
    body.world[:, ix(hand)] = bone_world(trail[:, :3], trail[:, 3:], rest_way, rest_hinge)
    curl = rot_y(np.full(n, curl_rad if side == "r" else -curl_rad))
    body.world[:, ix(finger)] = body.world[:, ix(hand)] @ curl
    body.positions[:, ix(finger)] = body.positions[:, ix(hand)] + apply(
        body.world[:, ix(hand)], skel.offset(finger)
    )
    return np.asarray(trail[-1])


_REACH_0 = np.array([0.0, 1.0, 0.0])  # straight forward, in the chest's frame


def elbow_pole(chest_rot: Array, reach: Array, side: str) -> Array:
    """The way the elbow bends (world, across the arm) for arms reaching along ``reach``.

    Reaching straight forward the elbow points down and a little out; for any other reach
    that way is carried along the shortest rotation from forward to the reach (hanging
    arm: elbow back; raised arm: elbow forward). This is continuous for every reach but
    straight back (where no hold puts a hand), unlike one fixed pole, which flips the
    elbow round where a reach passes along or against it (a hand across the body, a hand
    circling over the head in a turn).
    """
    out = 1.0 if side == "r" else -1.0
    v0 = np.array([0.4 * out, 0.0, -1.0]) / np.hypot(0.4, 1.0)
    local = np.einsum("fji,fj->fi", chest_rot, reach)
    local /= np.maximum(np.linalg.norm(local, axis=1, keepdims=True), 1e-9)
    c = np.cross(_REACH_0, local)
    d = local @ _REACH_0
    cv = np.cross(c, v0)
    v = v0 + cv + np.cross(c, cv) / np.maximum(1.0 + d, 1e-3)[:, None]
    v -= np.sum(v * local, axis=1, keepdims=True) * local
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    return apply(chest_rot, v)


_PARTNER_BODY = ("hips", "belly", "chest", "head", "l_thigh", "r_thigh")
"""The partner's capsules a hand's target keeps clear of (the arms are the contact
pass's: it turns the elbows)."""


def _hand_tip(wrist: Array, shoulder: Array, length_m: float) -> Array:
    """Where a hand reaching from ``shoulder`` to ``wrist`` ends: ``length_m`` further on
    (the hand follows its forearm, which points about that way)."""
    way = wrist - shoulder
    unit = way / np.maximum(np.linalg.norm(way, axis=1, keepdims=True), 1e-9)
    return np.asarray(wrist + length_m * unit)


def _capsule_ends(body: Body, skel: Skeleton, capsule: str) -> tuple[Array, Array]:
    """The two ends of ``capsule`` (``pasdeux.capsules``) on ``body`` as posed so far: an
    end site (the head's top) is placed from its parent, the arms being posed before the
    end sites are."""
    ends = []
    for joint in BONE_CAPSULES[capsule]:
        j = skel.index(joint)
        if j in skel.end_sites:
            parent = skel.parents[j]
            offset = np.asarray(skel.offsets_m[j])
            ends.append(body.positions[:, parent] + apply(body.world[:, parent], offset))
        else:
            ends.append(body.positions[:, j])
    return ends[0], ends[1]


def _free_hands(hold: str) -> dict[str, str]:
    """The hands ``hold`` leaves free, per role (``"lr"``, ``"l"``, ...)."""
    return {role: "".join(s for s in "lr" if not _held(hold, role, s)) for role in ROLES}


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
        moved = meet.copy()
        for _ in range(4):
            for body, hand in (("leader", "follower"), ("follower", "leader")):
                clear = _hand_clearance(skeletons[hand], sides[hand])
                moved = _out_of_body(moved, bodies[body], skeletons[body], clear, away)
            for role, shoulder in shoulders.items():
                way = moved - shoulder
                far = np.linalg.norm(way, axis=1, keepdims=True)
                pulled = shoulder + way * (reach[role][:, None] / np.maximum(far, 1e-9))
                moved = np.where(far > reach[role][:, None], pulled, moved)
        out["leader"][sides["leader"]] = out["follower"][sides["follower"]] = moved


def _push_out(
    point: Array, ends: tuple[Array, Array], clear_m: float, level: bool, fallback: Array
) -> Array:
    """How far to move ``point`` (F, 3) to be ``clear_m`` from the segment ``ends``: away
    from the segment's nearest point (level if ``level``) by the depth; ``fallback``
    (level unit vectors) where the point is on the segment."""
    s, _ = closest_parameters(ends[0], ends[1], point, point)
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
    for capsule in _PARTNER_BODY:
        ends = _capsule_ends(body, skel, capsule)
        point = point + _push_out(point, ends, clear_m[capsule], capsule != "head", fallback)
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
) -> dict[str, dict[str, Array]]:
    """Where each hand goes in ``hold`` (world positions per frame); a free hand's way
    round the partner is smoothed over ``free_hand_smoothing_frames``.

    Joined hands meet at one point within ``reach_share`` of both arms' length and no
    nearer either shoulder than ``nearest_share`` of it (``_reach``): held low, on the
    line between the shoulders dropped as far as both reach; raised,
    ``raised_clearance_m`` over the top of her head, as near over it as both reach."""
    li, fi = skeletons["leader"].index, skeletons["follower"].index
    reach = {role: reach_share * arm_reach_m(skel) for role, skel in skeletons.items()}
    nearest = tuple(nearest_share * arm_reach_m(skeletons[role]) for role in ROLES)

    def p(body: Body, idx: Callable[[str], int], joint: str) -> Array:
        return body.positions[:, idx(joint)]

    def shoulder(side: str) -> str:
        return f"{side_name(side)}Arm"

    def axes(body: Body, idx: Callable[[str], int]) -> tuple[Array, Array]:
        rot = body.world[:, idx("Spine2")]
        return apply(rot, FORWARD), apply(rot, np.array([1.0, 0.0, 0.0]))

    l_fwd, l_right = axes(ldr, li)
    f_fwd, f_right = axes(flw, fi)
    hanging = {
        "leader": {s: p(ldr, li, shoulder(s)) + 0.5 * DOWN + 0.1 * l_fwd for s in "lr"},
        "follower": {s: p(flw, fi, shoulder(s)) + 0.46 * DOWN + 0.1 * f_fwd for s in "lr"},
    }
    for role, body_right in (("leader", l_right), ("follower", f_right)):
        hanging[role]["l"] = hanging[role]["l"] - 0.06 * body_right
        hanging[role]["r"] = hanging[role]["r"] + 0.06 * body_right
    _free_hands_off_partner(
        hanging,
        {"leader": ldr, "follower": flw},
        skeletons,
        _free_hands(hold),
        free_hand_smoothing_frames,
    )
    out = {role: dict(hands) for role, hands in hanging.items()}

    def join(leader_hand: str, follower_hand: str, drop_m: float) -> None:
        his, hers = p(ldr, li, shoulder(leader_hand)), p(flw, fi, shoulder(follower_hand))
        meet = meeting_point(his, hers, reach["leader"], reach["follower"], drop_m)
        meet = off_shoulders(meet, (his, hers), nearest)
        out["leader"][leader_hand] = out["follower"][follower_hand] = meet

    def raised(leader_hand: str, follower_hand: str) -> None:
        head = p(flw, fi, "Head")
        his, hers = p(ldr, li, shoulder(leader_hand)), p(flw, fi, shoulder(follower_hand))
        wanted = 0.7 * head + 0.3 * his
        # Over the top of her head (upright), a little towards him.
        top = head[:, 2] + skeletons["follower"].length("HeadTop_End")
        wanted[:, 2] = top + raised_clearance_m
        meet = level_point(his, hers, (reach["leader"], reach["follower"]), wanted)
        meet = off_shoulders(meet, (his, hers), nearest)
        out["leader"][leader_hand] = out["follower"][follower_hand] = meet

    if hold == "closed":
        his, hers = p(ldr, li, shoulder("l")), p(flw, fi, shoulder("r"))
        wanted = (his + hers) / 2 + 0.22 * (-l_right) + np.array([0.0, 0.0, 0.02])
        meet = level_point(his, hers, (reach["leader"], reach["follower"]), wanted)
        meet = off_shoulders(meet, (his, hers), nearest)
        out["leader"]["l"] = out["follower"]["r"] = meet
        # His right hand on her left shoulder blade, on the surface of her back at her
        # left side (his forearm comes round her, ``_contact`` keeps it outside her);
        # her left hand on top of his right shoulder, her arm resting on his.
        out["leader"]["r"] = p(flw, fi, "Spine2") + 0.06 * UP - 0.07 * f_fwd - 0.11 * f_right
        out["follower"]["l"] = p(ldr, li, shoulder("r")) + 0.08 * UP + 0.05 * l_right - 0.03 * l_fwd
    elif hold == "embrace":
        for s, sign in (("l", -1.0), ("r", 1.0)):
            out["leader"][s] = p(flw, fi, "Spine") - sign * 0.13 * f_right - 0.05 * f_fwd
            out["follower"][s] = p(ldr, li, shoulder("r" if s == "l" else "l")) + 0.03 * UP
    elif hold == "shadow":
        for s in "lr":
            out["leader"][s] = p(flw, fi, shoulder(s)) - 0.08 * f_fwd - 0.03 * UP
    elif hold == "left_to_right_raised":
        raised("l", "r")
    elif hold == "right_to_right_raised":
        raised("r", "r")
    else:
        pairs = {
            "left_to_right": (("l", "r"),),
            "right_to_right": (("r", "r"),),
            "right_to_left": (("r", "l"),),
            "left_to_left": (("l", "l"),),
            "double": (("l", "r"), ("r", "l")),
            "double_crossed": (("r", "r"), ("l", "l")),
        }
        for leader_hand, follower_hand in pairs.get(hold, ()):
            join(leader_hand, follower_hand, 0.35)
    _joined_hands_off_bodies(out, hold, {"leader": ldr, "follower": flw}, skeletons)
    return out
