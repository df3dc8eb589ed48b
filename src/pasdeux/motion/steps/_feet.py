"""Feet that do not stand on each other: a foot arriving beside a partner's standing foot
lands clear of it.

The figures place each foot where the step takes it, for each dancer on their own; in a
close hold four feet share a floor about 35 cm across, and a foot can land on (or toe to
toe with) a foot of the partner that is still standing there. A dancer's foot arriving
where the partner's foot stands lands beside it instead, as a dancer does.

On the floor each foot is a capsule from the ankle to the ball (the model ``pasdeux check``
measures with, seen from above). The feet's time on the floor is cut into stances (a foot
on the floor from one landing to its next lift, turning on its ball or not). Taken in the
order they begin, each stance is compared with the partner's stances that began before it
(a foot already standing there has the right of way; two feet landing in the same frame
share the way apart, the first placed going half the way that would also clear the other,
except in a Latin dance)
and moved, whole, the least way that clears them: by the overlap, away from the standing
foot, ``feet_gap_m`` beyond touching, at most ``feet_shift_max_m`` (of the places tried,
the one that overlaps least); where that leaves the feet clear, it is also moved off where
its lower shin, leaning to its hip, meets a partner's standing one (two standing legs
leaning across each other above feet that clear), and a foot coming down where it stood (a
hop) keeps the move it had. A stance moved whole keeps its foot planted (no slide); the
swing before it and after it carries the foot from one shift to the next. A foot in the air
passing a partner's foot is pushed round it (:func:`swing_pushes`), the push fading out
where it lifts and lands; there each ankle is also the end of its shin, whose capsule is
thicker than the foot's: a foot passing a partner's ankle keeps the shins apart too, and
each leg's lower shin, leaning from the ankle towards its hip, is kept clear of the
partner's (legs leaning across each other meet above ankles that pass clear). The push
bends the swing's path aside by what is left of the overlap each round, never faster than
``feet_push_speed_max_m_s`` (in size; as a vector, never so as to take a fast swing over
``feet_swing_speed_max_m_s``), and is 0 on the floor: lift-off, landing and their times are
the step's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter1d, maximum_filter1d

from pasdeux.capsules import closest_parameters
from pasdeux.dances.geometry import FOOT_OFFSET_M
from pasdeux.motion._params import MotionParams
from pasdeux.motion.rig import ANKLE_HEIGHT_SHARE, HIP_HEIGHT_SHARE, Array, smoothstep
from pasdeux.motion.steps._tracks import ROLES, TimedStep, Tracks

__all__ = ["Stance", "feet_shifts", "shifted_feet", "stances", "swing_pushes"]

_ON_FLOOR_M = 1e-6
_EPS = 1e-9


@dataclass(frozen=True)
class Stance:
    """A foot on the floor from frame ``start`` to frame ``stop`` (exclusive)."""

    role: str
    foot: str
    start: int
    stop: int


def stances(lift_m: Array, role: str, foot: str) -> list[Stance]:
    """The runs of frames where a foot (its height above the floor per frame) is down."""
    down = np.concatenate([[False], lift_m <= _ON_FLOOR_M, [False]])
    edges = np.flatnonzero(np.diff(down.astype(np.int8)))
    return [
        Stance(role, foot, int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)
    ]


def _segments(ankle_xy: Array, yaw: Array, ball_m: float) -> tuple[Array, Array]:
    """A foot seen from above: its ankle and its ball, (F, 3) each at height 0."""
    zero = np.zeros((ankle_xy.shape[0], 1))
    ball = ankle_xy + ball_m * np.column_stack([np.cos(yaw), np.sin(yaw)])
    return np.hstack([ankle_xy, zero]), np.hstack([ball, zero])


def _overlaps(
    own: tuple[Array, Array], other: tuple[Array, Array], reach_m: float
) -> tuple[Array, Array]:
    """Per frame, how far two segments (each two ends, (F, 3); a foot: its ankle and
    ball) seen from above are nearer than ``reach_m`` (negative: further) and the way, on
    the floor, that opens it (where they cross, away from the other segment's middle)."""
    s, t = closest_parameters(own[0], own[1], other[0], other[1])
    gap = (own[0] + s[:, None] * (own[1] - own[0]))[:, :2]
    gap -= (other[0] + t[:, None] * (other[1] - other[0]))[:, :2]
    dist = np.linalg.norm(gap, axis=1)
    crossed = ((own[0] + own[1]) - (other[0] + other[1]))[:, :2]
    apart = np.where((dist < _EPS)[:, None], crossed, gap)
    way = apart / np.maximum(np.linalg.norm(apart, axis=1), _EPS)[:, None]
    return reach_m - dist, way


def _overlaps_with_shins(
    own: tuple[Array, Array],
    other: tuple[Array, Array],
    params: MotionParams,
    shins: tuple[tuple[Array, Array], tuple[Array, Array]] | None = None,
) -> tuple[Array, Array]:
    """:func:`_overlaps` of two feet, each also with its shin's end: an ankle is kept the
    shin's radius from the other foot and from the other ankle (a foot passing beside a
    partner's ankle, where the feet alone would clear, still brushes through the
    partner's shin), each ``feet_gap_m`` beyond touching; and, given ``shins`` (each
    leg's lower shin, :func:`_lower_shins`), the two lower shins kept two shins' radii
    apart (legs leaning towards their hips cross above ankles that clear)."""
    radii = params.capsule_radii_m
    foot, shin, gap = radii["r_foot"], radii["r_shin"], params.feet_gap_m
    ankle, other_ankle = (own[0], own[0]), (other[0], other[0])
    candidates = [
        _overlaps(own, other, _reach_m(params)),
        _overlaps(ankle, other, foot + shin + gap),
        _overlaps(own, other_ankle, foot + shin + gap),
        _overlaps(ankle, other_ankle, 2 * shin + gap),
    ]
    if shins is not None:
        candidates.append(_overlaps(shins[0], shins[1], 2 * shin + gap))
    over = np.stack([c[0] for c in candidates])
    k = np.argmax(over, axis=0)
    cols = np.arange(over.shape[1])
    return over[k, cols], np.stack([c[1] for c in candidates])[k, cols]


def _worst_against(
    own: tuple[Array, Array],
    other: Tracks,
    other_xy: dict[str, Array],
    fixed: dict[str, NDArray[np.bool_]],
    part: slice,
    ball_m: float,
    params: MotionParams,
) -> tuple[float, Array]:
    """How far a foot (``own``, over the frames ``part``) overlaps the partner's feet
    where they already stand (``fixed``; their places ``other_xy``), at worst, and the way
    that opens it (0 and no way where it overlaps none)."""
    worst, way = 0.0, np.zeros(2)
    # Two feet whose ankles are further apart than both feet and the reach overlap
    # nowhere (the rest of a foot is within its length of its ankle).
    own_m = float(np.max(np.linalg.norm(own[1] - own[0], axis=1), initial=0.0))
    far_m = _reach_m(params) + own_m + ball_m + 1e-6
    for f in "LR":
        mask = fixed[f][part]
        if not mask.any():
            continue
        ankles = other_xy[f][part][mask]
        if np.min(np.sum((own[0][mask, :2] - ankles) ** 2, axis=1)) > far_m**2:
            continue
        theirs = _segments(ankles, other.foot_yaw[f][part][mask], ball_m)
        over, ways = _overlaps((own[0][mask], own[1][mask]), theirs, _reach_m(params))
        k = int(np.argmax(over))
        if over[k] > worst:
            worst, way = float(over[k]), ways[k]
    return worst, way


def _stance_shins(
    stance: Stance,
    ankles_xy: Array,
    tracks: dict[str, Tracks],
    other_xy: dict[str, Array],
    fixed: dict[str, NDArray[np.bool_]],
    params: MotionParams,
) -> tuple[float, Array]:
    """How far a standing foot's lower shin (its ankle per frame of ``stance``,
    ``ankles_xy``; :func:`_lower_shins`) comes nearer the partner's standing lower shins
    (``fixed``; their ankles ``other_xy``) than two shins' radii and ``feet_gap_m``, at
    worst, and the way that opens it (0 and no way where it overlaps none, or with
    ``feet_shin_check_m`` 0): two standing legs leaning to their hips cross above feet that
    clear."""
    worst, way = 0.0, np.zeros(2)
    if params.feet_shin_check_m <= 0:
        return worst, way
    part = slice(stance.start, stance.stop)
    reach = 2 * params.capsule_radii_m["r_shin"] + params.feet_gap_m
    # Two lower shins lean at most their length from their ankles.
    far_m = reach + 2 * params.feet_shin_check_m
    near = [
        f
        for f in "LR"
        if fixed[f][part].any()
        and np.min(np.sum((ankles_xy - other_xy[f][part])[fixed[f][part]] ** 2, axis=1)) <= far_m**2
    ]
    if not near:
        return worst, way
    heights = {"leader": params.leader_height_m, "follower": params.follower_height_m}
    other = ROLES[1 - ROLES.index(stance.role)]
    own = tracks[stance.role]
    shin = _lower_shins(own, ankles_xy, stance.foot, heights[stance.role], params, part)
    for f in near:
        mask = fixed[f][part]
        theirs = _lower_shins(tracks[other], other_xy[f][part], f, heights[other], params, part)
        over, ways = _overlaps(
            (shin[0][mask], shin[1][mask]), (theirs[0][mask], theirs[1][mask]), reach
        )
        k = int(np.argmax(over))
        if over[k] > worst:
            worst, way = float(over[k]), ways[k]
    return worst, way


def _crossing_against(
    stance: Stance,
    own_xy: Array,
    tracks: dict[str, Tracks],
    other_xy: dict[str, Array],
    fixed: dict[str, NDArray[np.bool_]],
    params: MotionParams,
) -> tuple[tuple[float, float], tuple[Array, Array]]:
    """How far a foot (its place per frame of ``stance``, ``own_xy``) must move sideways so
    that it is on the same side of each standing partner's foot beside it (within
    ``feet_cross_depth_m`` ahead or behind) as its hip is of the partner's hip on that
    side, and the way (0 and no way where no leg crosses; a crossing further than
    ``feet_shift_max_m`` to undo is left, as a figure's own crossing step). Two needs:
    while neither dancer has turned more than ``feet_cross_turn_max_deg`` since the
    landing (a dancer turning on the foot, a spot turn, takes her hips round it), and later
    while the couple turns together face to face (:func:`_turning_together`), each with
    its way.

    Legs whose feet stand on the other side of each other than their hips cross, and two
    crossed legs pass through each other wherever they are level."""
    part = slice(stance.start, stance.stop)
    other = ROLES[1 - ROLES.index(stance.role)]
    mine, theirs = tracks[stance.role], tracks[other]
    facing = mine.facing[part]
    ahead = np.column_stack([np.cos(facing), np.sin(facing)])
    gaps = {f: other_xy[f][part] - own_xy for f in "LR"}
    levels = {
        f: np.abs(np.sum(gap * ahead, axis=1)) < params.feet_cross_depth_m
        for f, gap in gaps.items()
    }
    need = np.zeros(2)
    way = [np.zeros(2), np.zeros(2)]
    # Only a partner's foot standing beside it (level with it) can be crossed.
    if not any(np.any(fixed[f][part] & level) for f, level in levels.items()):
        return (0.0, 0.0), (way[0], way[1])
    early, together = _turning_together(mine, theirs, part, params)
    right = np.column_stack([np.sin(facing), -np.cos(facing)])
    reach = _reach_m(params)
    hip = mine.body_xy[part] + _side(stance.foot) * FOOT_OFFSET_M * right
    for f in "LR":
        mask = fixed[f][part]
        if not mask.any():
            continue
        t_facing = theirs.facing[part]
        t_right = np.column_stack([np.sin(t_facing), -np.cos(t_facing)])
        t_hip = theirs.body_xy[part] + _side(f) * FOOT_OFFSET_M * t_right
        hips = np.sum((t_hip - hip) * right, axis=1)
        gap, level = gaps[f], levels[f]
        side = np.sign(hips)
        move = np.sum(gap * right, axis=1) - side * reach
        crossed = mask & level & (np.abs(hips) > params.feet_gap_m) & (move * side < 0)
        crossed &= np.abs(move) <= params.feet_shift_max_m
        for i, counted in enumerate((early, together)):
            here = np.where(crossed & counted, np.abs(move), -1.0)
            k = int(np.argmax(here))
            if here[k] > need[i]:
                need[i], way[i] = here[k], np.sign(move[k]) * right[k]
    return (float(need[0]), float(need[1])), (way[0], way[1])


def _turning_together(
    mine: Tracks, theirs: Tracks, part: slice, params: MotionParams
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per frame of ``part``, whether neither dancer has turned more than
    ``feet_cross_turn_max_deg`` since the landing at its start, and whether, turned
    further, the couple turns together: both have turned as far (within
    ``feet_cross_turn_max_deg`` of each other) and they stand face to face (within
    ``feet_cross_face_max_deg``). A couple turning round its centre in a closed hold keeps
    its legs on their sides; a dancer turning on her foot (a spot or underarm turn) takes
    her hips round it."""
    most = np.radians(params.feet_cross_turn_max_deg)
    mine_turn = mine.facing[part] - mine.facing[part.start]
    their_turn = theirs.facing[part] - theirs.facing[part.start]
    early = (np.abs(mine_turn) <= most) & (np.abs(their_turn) <= most)
    facing_each = np.remainder(mine.facing[part] - theirs.facing[part], 2 * np.pi) - np.pi
    together = (np.abs(mine_turn - their_turn) <= most) & (
        np.abs(facing_each) <= np.radians(params.feet_cross_face_max_deg)
    )
    return early, together & ~early


def _side(foot: str) -> float:
    """+1 for the right foot, -1 for the left."""
    return 1.0 if foot == "R" else -1.0


def _reach_m(params: MotionParams) -> float:
    """How near two feet may come: their capsules' radii and ``feet_gap_m``."""
    radii = params.capsule_radii_m
    return float(radii["l_foot"] + radii["r_foot"] + params.feet_gap_m)


def feet_shifts(
    tracks: dict[str, Tracks], balls_m: dict[str, float], params: MotionParams, fps: float
) -> dict[str, dict[str, Array]]:
    """How far each foot of each dancer is moved on the floor, per frame ((F, 2) per role
    and foot; see the module's description)."""
    n = tracks["leader"].facing.size
    work = {r: {f: tracks[r].feet[f][:, :2].copy() for f in "LR"} for r in ROLES}
    fixed = {r: {f: np.zeros(n, dtype=bool) for f in "LR"} for r in ROLES}
    shift = {r: {f: np.full((n, 2), np.nan) for f in "LR"} for r in ROLES}
    order = sorted(
        (s for r in ROLES for f in "LR" for s in stances(tracks[r].feet[f][:, 2], r, f)),
        key=lambda s: (s.start, ROLES.index(s.role)),
    )
    starts: dict[tuple[str, int], list[Stance]] = {}
    for st in order:
        starts.setdefault((st.role, st.start), []).append(st)
    last: dict[tuple[str, str], tuple[int, Array]] = {}
    for st in order:
        plan = tracks[st.role].feet[st.foot]
        before = last.get((st.role, st.foot))
        # A foot that leaves the floor and comes down where it stood (a hop) is moved as it
        # was, where that leaves it clear of the partner's feet.
        kept = None
        if before is not None and np.allclose(plan[st.start, :2], plan[before[0], :2], atol=1e-3):
            kept = before[1]
        delta = _stance_delta(st, tracks, work, fixed, balls_m, params, kept)
        latin = tracks[st.role].free_on_ball[st.start] >= 0.5
        together = None if kept is not None or latin else _landing_together(st, starts, fixed)
        if together is not None:
            # Two feet landing at once share the way apart: this one goes half the way
            # that also clears the partner's (placed after, it moves the rest); not in a
            # Latin dance (``free_on_ball``), where the follower's foot alone gives way.
            both = _stance_delta(st, tracks, work, together, balls_m, params)
            delta = 0.5 * (delta + both)
        work[st.role][st.foot][st.start : st.stop] += delta
        fixed[st.role][st.foot][st.start : st.stop] = True
        shift[st.role][st.foot][st.start : st.stop] = delta
        last[(st.role, st.foot)] = (st.stop - 1, delta)
    out = {r: {f: _through_swings(shift[r][f]) for f in "LR"} for r in ROLES}
    pushes = swing_pushes(tracks, out, balls_m, params, fps)
    return {r: {f: out[r][f] + pushes[r][f] for f in "LR"} for r in ROLES}


def _landing_together(
    st: Stance,
    starts: dict[tuple[str, int], list[Stance]],
    fixed: dict[str, dict[str, NDArray[np.bool_]]],
) -> dict[str, dict[str, NDArray[np.bool_]]] | None:
    """The feet placed so far (``fixed``) and the partner's feet landing in the same frame
    as stance ``st`` and placed after it (``starts``: the stances by role and first
    frame); None where the partner lands no foot then."""
    other = ROLES[1 - ROLES.index(st.role)]
    together = starts.get((other, st.start), [])
    if not together or ROLES.index(other) < ROLES.index(st.role):
        return None
    shown = {f: fixed[other][f].copy() for f in "LR"}
    for s in together:
        shown[s.foot][s.start : s.stop] = True
    return {r: (shown if r == other else fixed[r]) for r in ROLES}


def _stance_delta(
    st: Stance,
    tracks: dict[str, Tracks],
    work: dict[str, dict[str, Array]],
    fixed: dict[str, dict[str, NDArray[np.bool_]]],
    balls_m: dict[str, float],
    params: MotionParams,
    kept: Array | None = None,
) -> Array:
    """How far stance ``st`` is moved, whole (see the module's description): of the places
    tried, the one that overlaps the partner's feet already standing (``fixed``; their
    places so far ``work``) least; ``kept`` (the move of the stance before, for a foot
    coming down where it stood) as it is where it leaves the feet and the landing's
    crossing clear."""
    other = ROLES[1 - ROLES.index(st.role)]
    part = slice(st.start, st.stop)
    yaw = tracks[st.role].foot_yaw[st.foot][part]
    delta = np.zeros(2) if kept is None else kept
    best = ((np.inf, np.inf), delta)
    for _ in range(params.feet_rounds + 1):
        own = _segments(work[st.role][st.foot][part] + delta, yaw, balls_m[st.role])
        over, way = _worst_against(
            own, tracks[other], work[other], fixed[other], part, balls_m[other], params
        )
        across, side_ways = _crossing_against(
            st, work[st.role][st.foot][part] + delta, tracks, work[other], fixed[other], params
        )
        shins, shin_way = _stance_shins(
            st, own[0][:, :2], tracks, work[other], fixed[other], params
        )
        # A foot on a partner's or legs crossed from the landing first; legs crossed
        # later in a turn together, or standing shins leaning across each other, only
        # where that leaves those clear (it never outweighs them, nor leads the search
        # away from clearing them).
        key = (max(over, across[0]), max(across[1], shins))
        if key < best[0]:
            best = (key, delta)
        if across[0] > over:
            way = side_ways[0]
        worst = key[0]
        if worst <= 0.0 and kept is not None:
            break
        if worst <= 0.0:
            worst, way = key[1], side_ways[1] if across[1] >= shins else shin_way
        if worst <= 0.0:
            break
        delta = delta + way * worst
        norm = float(np.linalg.norm(delta))
        if norm > params.feet_shift_max_m:
            delta *= params.feet_shift_max_m / norm
    # The place tried that overlapped least (never worse than where the step put it).
    return np.asarray(best[1])


def swing_pushes(
    tracks: dict[str, Tracks],
    shifts: dict[str, dict[str, Array]],
    balls_m: dict[str, float],
    params: MotionParams,
    fps: float,
) -> dict[str, dict[str, Array]]:
    """How far each foot in the air is pushed aside ((F, 2) per role and foot, 0 on the
    floor) so that it passes a partner's foot instead of going through it: each frame a
    foot in the air overlapping a partner's foot, nearer a partner's ankle than the
    shin's end allows, or whose lower shin comes nearer the partner's than two shins' radii
    (:func:`_overlaps_with_shins`), is pushed away from it by the overlap (half of it each
    where both are in the air); the pushes are smoothed over ``feet_push_smoothing_s`` and
    fade out where the foot lifts and lands, in ``feet_push_rounds`` rounds, and their
    size changes at most ``feet_push_speed_max_m_s`` fast."""
    n = tracks["leader"].facing.size
    air = {r: {f: tracks[r].feet[f][:, 2] > _ON_FLOOR_M for f in "LR"} for r in ROLES}
    fade = {r: {f: _fade(air[r][f], params.feet_push_fade_s * fps) for f in "LR"} for r in ROLES}
    push = {r: {f: np.zeros((n, 2)) for f in "LR"} for r in ROLES}
    width = params.feet_push_smoothing_s * fps
    for _ in range(params.feet_push_rounds):
        asks = _push_asks(tracks, shifts, push, air, balls_m, params)
        for r in ROLES:
            for f in "LR":
                wide = maximum_filter1d(np.abs(asks[r][f]), max(1, round(width)), axis=0)
                ask = np.sign(asks[r][f]) * wide
                push[r][f] += (
                    gaussian_filter1d(ask, max(width / 2, _EPS), axis=0) * fade[r][f][:, None]
                )
    return {
        r: {
            f: _rate_limited(push[r][f], *_push_steps_m(tracks[r], shifts[r][f], f, params, fps))
            for f in "LR"
        }
        for r in ROLES
    }


def _push_asks(
    tracks: dict[str, Tracks],
    shifts: dict[str, dict[str, Array]],
    push: dict[str, dict[str, Array]],
    air: dict[str, dict[str, NDArray[np.bool_]]],
    balls_m: dict[str, float],
    params: MotionParams,
) -> dict[str, dict[str, Array]]:
    """One round of :func:`swing_pushes`: how far each foot in the air (``air``), shifted
    and pushed so far, asks to be pushed this round ((F, 2) per role and foot): away from
    each partner's foot it overlaps (:func:`_overlaps_with_shins`) by the overlap, half of
    it each where both are in the air."""
    n = tracks["leader"].facing.size
    heights = {"leader": params.leader_height_m, "follower": params.follower_height_m}
    asks = {r: {f: np.zeros((n, 2)) for f in "LR"} for r in ROLES}
    feet = {
        r: {
            f: _segments(
                tracks[r].feet[f][:, :2] + shifts[r][f] + push[r][f],
                tracks[r].foot_yaw[f],
                balls_m[r],
            )
            for f in "LR"
        }
        for r in ROLES
    }
    shins = {
        r: {f: _lower_shins(tracks[r], feet[r][f][0][:, :2], f, heights[r], params) for f in "LR"}
        for r in ROLES
    }
    for his in "LR":
        for her in "LR":
            a, b = air["leader"][his], air["follower"][her]
            # Only a foot in the air is pushed: the frames where neither is ask nothing.
            k = np.flatnonzero(a | b)
            over, way = _overlaps_with_shins(
                _frames(feet["leader"][his], k),
                _frames(feet["follower"][her], k),
                params,
                (_frames(shins["leader"][his], k), _frames(shins["follower"][her], k)),
            )
            over = np.clip(over, 0.0, None) * np.where(a[k] & b[k], 0.5, 1.0)
            asks["leader"][his][k] += (a[k] * over)[:, None] * way
            asks["follower"][her][k] -= (b[k] * over)[:, None] * way
    return asks


def _push_steps_m(
    track: Tracks, shift: Array, foot: str, params: MotionParams, fps: float
) -> tuple[Array, Array]:
    """How far a foot's push may grow or shrink each frame, and how far it may change as
    a vector (turning round as the foot passes a partner's): its size by
    ``feet_push_speed_max_m_s`` a second, both by no more than is left below
    ``feet_swing_speed_max_m_s`` of the swing's own speed (a fast swing is not made
    faster)."""
    xy = track.feet[foot][:, :2] + shift
    speed = (
        np.linalg.norm(np.gradient(xy, axis=0), axis=1) * fps if xy.shape[0] > 1 else np.zeros(1)
    )
    room = np.clip(params.feet_swing_speed_max_m_s - speed, 0.0, None)
    return np.minimum(room, params.feet_push_speed_max_m_s) / fps, room / fps


def _rate_limited(push: Array, step_m: float | Array, turn_m: float | Array | None = None) -> Array:
    """``push`` ((F, 2)) scaled down where its size grows or shrinks by more than
    ``step_m`` (per frame, or one for all) a frame: its size becomes the largest that is
    nowhere above the push's own and changes by at most ``step_m`` a frame (so it stays 0
    wherever the push is 0: on the floor); then, given ``turn_m``, scaled down further
    where it changes as a vector by more than that a frame (:func:`_turn_limited`)."""
    size = np.linalg.norm(push, axis=1)
    steps = np.broadcast_to(np.asarray(step_m, dtype=float), size.shape)
    limit = size.copy()
    for i in range(1, limit.size):
        limit[i] = min(limit[i], limit[i - 1] + steps[i])
    for i in range(limit.size - 2, -1, -1):
        limit[i] = min(limit[i], limit[i + 1] + steps[i])
    out = np.asarray(push * (limit / np.maximum(size, _EPS))[:, None])
    if turn_m is None:
        return out
    return _turn_limited(out, np.broadcast_to(np.asarray(turn_m, dtype=float), size.shape))


def _turn_limited(push: Array, steps: Array, rounds: int = 3) -> Array:
    """``push`` ((F, 2)) scaled down (never up, never turned) where it changes by more
    than ``steps`` (per frame) from one frame to the next as a vector, not only in size:
    a push turning round as the foot passes a partner's moves the foot as fast as one
    growing (in ``rounds`` passes forward and back, each frame made as large as is
    within its step of the frame before, then of the frame after)."""
    out = push.copy()
    active = np.flatnonzero(np.linalg.norm(push, axis=1) > 0.0)
    n = out.shape[0]
    for _ in range(rounds):
        for i in active:
            if i > 0:
                out[i] = _within_of(out[i], out[i - 1], float(steps[i]))
        for i in active[::-1]:
            if i < n - 1:
                out[i] = _within_of(out[i], out[i + 1], float(steps[i]))
    return out


def _within_of(push: Array, other: Array, step_m: float) -> Array:
    """``push`` scaled by the largest share (0-1) that puts it within ``step_m`` of
    ``other``; where no share does, the share that brings it nearest."""
    pp = float(push @ push)
    if pp <= 0.0:
        return push
    pq = float(push @ other)
    disc = pq * pq - pp * (float(other @ other) - step_m * step_m)
    if disc < 0.0:
        return push * min(max(pq / pp, 0.0), 1.0)
    low, high = (pq - math.sqrt(disc)) / pp, (pq + math.sqrt(disc)) / pp
    if high < 0.0:
        return push * 0.0
    return push * min(max(low, min(high, 1.0)), 1.0)


def _frames(segment: tuple[Array, Array], k: NDArray[np.intp]) -> tuple[Array, Array]:
    """The frames ``k`` of a segment's two ends."""
    return segment[0][k], segment[1][k]


def _lower_shins(
    track: Tracks,
    ankle_xy: Array,
    foot: str,
    height_m: float,
    params: MotionParams,
    part: slice = slice(None),
) -> tuple[Array, Array]:
    """A leg's lower shin per frame (of ``part``; (F, 3) ends): from its ankle (the foot's
    lift above the ankle's height, ``ANKLE_HEIGHT_SHARE`` of the height)
    ``feet_shin_check_m`` up, leaning towards its hip (the body point ``FOOT_OFFSET_M`` to
    that side, ``HIP_HEIGHT_SHARE`` of the height up) as a straight leg from the ankle to
    the hip would."""
    facing = track.facing[part]
    right = np.column_stack([np.sin(facing), -np.cos(facing)])
    hip = track.body_xy[part] + _side(foot) * FOOT_OFFSET_M * right
    ankle_z = track.feet[foot][part, 2] + ANKLE_HEIGHT_SHARE * height_m
    below_hip_m = np.maximum(HIP_HEIGHT_SHARE * height_m - ankle_z, _EPS)
    up = np.clip(params.feet_shin_check_m / below_hip_m, 0, 1)
    low = np.column_stack([ankle_xy, ankle_z])
    high = np.column_stack(
        [ankle_xy + (hip - ankle_xy) * up[:, None], ankle_z + params.feet_shin_check_m]
    )
    return low, high


def _fade(air: NDArray[np.bool_], frames: float) -> Array:
    """0 on the floor, rising to 1 over ``frames`` after a lift and falling back to 0 over
    as many before the landing."""
    idx = np.arange(air.size)
    down = np.flatnonzero(~air)
    if down.size == 0:
        return np.ones(air.size)
    last = down[np.clip(np.searchsorted(down, idx, side="right") - 1, 0, down.size - 1)]
    nxt = down[np.clip(np.searchsorted(down, idx, side="left"), 0, down.size - 1)]
    since = np.where(last <= idx, idx - last, frames)
    until = np.where(nxt >= idx, nxt - idx, frames)
    return np.where(air, smoothstep(np.minimum(since, until) / max(frames, 1.0)), 0.0)


def _through_swings(shift: Array) -> Array:
    """Per-frame shifts from the stances' (NaN in the air): a foot in the air goes from the
    shift of the stance it left to that of the stance it lands in, smoothly."""
    out = shift.copy()
    known = ~np.isnan(out[:, 0])
    if not known.any():
        return np.zeros_like(out)
    idx = np.flatnonzero(known)
    frames = np.arange(out.shape[0])
    before = idx[np.clip(np.searchsorted(idx, frames, side="right") - 1, 0, idx.size - 1)]
    after = idx[np.clip(np.searchsorted(idx, frames, side="left"), 0, idx.size - 1)]
    span = np.maximum(after - before, 1)
    u = smoothstep(np.clip((frames - before) / span, 0.0, 1.0))[:, None]
    blended = out[before] + (out[after] - out[before]) * u
    out[~known] = blended[~known]
    return out


def shifted_feet(
    tracks: Tracks, shifts: dict[str, Array], steps: list[TimedStep], times: Array
) -> Tracks:
    """``tracks`` with its feet moved by ``shifts`` (per foot, (F, 2)), and each of
    ``steps``' landings with them."""
    feet = {}
    for f, track in tracks.feet.items():
        moved = track.copy()
        moved[:, :2] += shifts[f]
        feet[f] = moved
    frames = np.clip(np.searchsorted(times, [s.t_land for s in steps]), 0, times.size - 1)
    moved_by = [shifts[s.replayed.step.foot][k] for s, k in zip(steps, frames, strict=True)]
    landings = tracks.landings_xy + np.array(moved_by).reshape(-1, 2)
    return replace(tracks, feet=feet, landings_xy=landings)
