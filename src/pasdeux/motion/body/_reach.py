"""Joined hands: where they meet, a point both arms reach, and the bodies kept within it.

A joined pair of hands is one point that both wrists reach: the leader's arm and the
follower's, each no longer than its length (shoulder to wrist) from its shoulder.

- Held low (one or two hands joined at the waist, :func:`meeting_point`): on the line
  between the two shoulders, at each arm's share of their summed reach, dropped below that
  line as far as the hold wants and both arms still reach: the further apart the
  shoulders, the higher the hands, both arms straightening together.
- Raised over her head for an underarm turn, or at her eye level in the closed hold
  (:func:`level_point`): at the wanted height, as near the wanted place as both arms reach
  there; where no point at that height is within both arms, the highest point both reach.
- Never nearer either shoulder than a share of the arm (:func:`off_shoulders`): an arm
  reaching nearer folds onto its shoulder.
- Where the shoulders are further apart than the arms reach, no point serves: the bodies
  are brought in instead (:func:`reach_shifts`), each dancer half the way, before the
  pelvis is planned over the feet (so no foot slides and no leg overreaches).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d

from pasdeux.dances import HOLD_CONNECTIONS
from pasdeux.dances.geometry import BODY_HOLDS
from pasdeux.motion._params import MotionParams
from pasdeux.motion.rig import DOWN, UP, Array, Skeleton, side_name

_EPS = 1e-9


def arm_reach_m(skel: Skeleton) -> float:
    """How far a wrist reaches from its shoulder: the upper arm and the forearm straight."""
    return skel.length("LeftForeArm") + skel.length("LeftHand")


def meeting_point(
    shoulder_a: Array,
    shoulder_b: Array,
    reach_a: float,
    reach_b: float,
    drop_m: float,
    way: Array | None = None,
) -> Array:
    """Where two hands joined low meet (per frame): on the line from shoulder ``a`` to
    shoulder ``b`` at ``reach_a / (reach_a + reach_b)`` of the way, dropped along ``way``
    (per frame unit vectors; straight down when None) by ``drop_m`` or as far as both arms
    still reach, whichever is less.

    The point is exactly within both arms wherever the shoulders are at most
    ``reach_a + reach_b`` apart (further, it is where both arms point, straight, with the
    gap between them shared alike).
    """
    line = shoulder_b - shoulder_a
    d = np.linalg.norm(line, axis=1)
    u = line / np.maximum(d, _EPS)[:, None]
    drop_way = np.broadcast_to(DOWN, line.shape) if way is None else way
    down = np.sum(u * drop_way, axis=1)  # the line's slope: positive where b is lower
    total = reach_a + reach_b
    # From a, the point is t * d along the line and h along the way: within reach_a while
    # h**2 + 2 h t d down + (t d)**2 <= reach_a**2; from b likewise, the line reversed.
    lowest = []
    for along, slope, reach in (
        (reach_a / total * d, down, reach_a),
        (reach_b / total * d, -down, reach_b),
    ):
        room = along**2 * (slope**2 - 1.0) + reach**2
        lowest.append(-along * slope + np.sqrt(np.clip(room, 0.0, None)))
    drop = np.clip(np.minimum(drop_m, np.minimum(*lowest)), 0.0, None)
    return np.asarray(shoulder_a + (reach_a / total * d)[:, None] * u + drop[:, None] * drop_way)


def off_shoulders(
    point: Array, shoulders: tuple[Array, Array], nearest_m: tuple[float, ...]
) -> Array:
    """``point`` (per frame) moved straight away from each of ``shoulders`` to
    ``nearest_m`` from it where it is nearer (an arm reaching nearer its shoulder folds
    onto it)."""
    out = point.copy()
    for shoulder, nearest in zip(shoulders, nearest_m, strict=True):
        way = out - shoulder
        d = np.linalg.norm(way, axis=1)
        near = d < nearest
        out[near] = shoulder[near] + (nearest / np.maximum(d[near], _EPS))[:, None] * way[near]
    return out


def highest_common_point(
    centre_a: Array, centre_b: Array, radius_a: float, radius_b: float
) -> Array:
    """The highest point (per frame) within both balls; where they do not meet, the point
    on the line between the centres at ``radius_a / (radius_a + radius_b)`` of the way."""
    line = centre_b - centre_a
    d = np.linalg.norm(line, axis=1)
    u = line / np.maximum(d, _EPS)[:, None]
    top_a = centre_a + radius_a * UP
    top_b = centre_b + radius_b * UP
    x = (d**2 + radius_a**2 - radius_b**2) / (2.0 * np.maximum(d, _EPS))
    r = np.sqrt(np.clip(radius_a**2 - x**2, 0.0, None))
    upward = UP[None, :] - (u @ UP)[:, None] * u
    upward /= np.maximum(np.linalg.norm(upward, axis=1, keepdims=True), _EPS)
    rim = centre_a + x[:, None] * u + r[:, None] * upward
    meet = (d <= radius_a + radius_b) & (d >= abs(radius_a - radius_b))
    candidates = [
        (top_a, np.linalg.norm(top_a - centre_b, axis=1) <= radius_b + 1e-7),
        (top_b, np.linalg.norm(top_b - centre_a, axis=1) <= radius_a + 1e-7),
        (rim, meet),
    ]
    fallback = centre_a + (radius_a / (radius_a + radius_b)) * line
    return _best(candidates, fallback, lambda p: -p[:, 2])


def level_point(
    shoulder_a: Array, shoulder_b: Array, reaches: tuple[float, float], wanted: Array
) -> Array:
    """Where two hands joined at a height meet (per frame: raised over her head, at her
    eye level in the closed hold): at the height of ``wanted``, the point nearest it (on
    the level) within both arms (``reaches``, from ``shoulder_a`` and ``shoulder_b``);
    where none at that height is, the highest point both reach
    (:func:`highest_common_point`)."""
    reach_a, reach_b = reaches
    height = wanted[:, 2]
    level_a = np.sqrt(np.clip(reach_a**2 - (height - shoulder_a[:, 2]) ** 2, 0.0, None))
    level_b = np.sqrt(np.clip(reach_b**2 - (height - shoulder_b[:, 2]) ** 2, 0.0, None))
    a, b, p = shoulder_a[:, :2], shoulder_b[:, :2], wanted[:, :2]
    inside_a = height - shoulder_a[:, 2] <= reach_a
    inside_b = height - shoulder_b[:, 2] <= reach_b
    xy, found = _into_discs(p, (a, level_a), (b, level_b))
    found &= inside_a & inside_b
    out = highest_common_point(shoulder_a, shoulder_b, reach_a, reach_b)
    out[found, :2] = xy[found]
    out[found, 2] = height[found]
    return out


def _into_discs(
    p: Array, disc_a: tuple[Array, Array], disc_b: tuple[Array, Array]
) -> tuple[Array, np.ndarray]:
    """The point nearest ``p`` within both discs (centres and radii per frame, on the
    floor plane), and where the discs meet at all."""
    a, ra = disc_a
    b, rb = disc_b

    def onto(c: Array, r: Array) -> Array:
        v = p - c
        n = np.linalg.norm(v, axis=1)
        return np.asarray(c + (np.minimum(n, r) / np.maximum(n, _EPS))[:, None] * v)

    def within(q: Array, c: Array, r: Array) -> np.ndarray:
        return np.asarray(np.linalg.norm(q - c, axis=1) <= r + 1e-7)

    on_a, on_b = onto(a, ra), onto(b, rb)
    line = b - a
    d = np.linalg.norm(line, axis=1)
    u = line / np.maximum(d, _EPS)[:, None]
    v = np.column_stack([-u[:, 1], u[:, 0]])
    x = (d**2 + ra**2 - rb**2) / (2.0 * np.maximum(d, _EPS))
    h = np.sqrt(np.clip(ra**2 - x**2, 0.0, None))
    meet = (d <= ra + rb) & (d >= np.abs(ra - rb))
    mid = a + x[:, None] * u
    candidates = [
        (p, within(p, a, ra) & within(p, b, rb)),
        (on_a, within(on_a, b, rb)),
        (on_b, within(on_b, a, ra)),
        (mid + h[:, None] * v, meet),
        (mid - h[:, None] * v, meet),
    ]
    found = np.zeros(p.shape[0], dtype=bool)
    for _, ok in candidates:
        found |= ok
    return _best(candidates, p, lambda q: np.linalg.norm(q - p, axis=1)), found


def _best(
    candidates: list[tuple[Array, np.ndarray]], fallback: Array, cost: Callable[[Array], Array]
) -> Array:
    """Per frame, the valid candidate of least ``cost`` (``fallback`` where none is)."""
    out = fallback.copy()
    best = np.full(out.shape[0], np.inf)
    for q, ok in candidates:
        c = np.where(ok, cost(q), np.inf)
        better = c < best
        out[better] = q[better]
        best[better] = c[better]
    return out


def joined_hands(hold: str) -> tuple[tuple[str, str], ...]:
    """The sides (``"l"``, ``"r"``) of the leader's and the follower's hands that ``hold``
    joins to each other (``pasdeux.dances.HOLD_CONNECTIONS``)."""
    return tuple(
        (lp[0].lower(), fp[0].lower())
        for lp, fp, _ in HOLD_CONNECTIONS.get(hold, ())
        if lp.endswith(" hand") and fp.endswith(" hand")
    )


def reach_shifts(
    xy: dict[str, Array],
    facing: dict[str, Array],
    skeletons: dict[str, Skeleton],
    weights: dict[str, Array],
    params: MotionParams,
    fps: float,
) -> dict[str, Array]:
    """How far (per frame, on the floor) to move each dancer's pelvis from ``xy`` (facing
    ``facing``) so that the shoulders of the hands each hold joins (blended by
    ``weights``, per hold and frame) are within the hold's reach (:func:`hold_span_m`):
    both towards each other, half the shortfall each, along the line between them.

    The shortfall is taken over a window of ``blend_s`` (its largest within the window,
    averaged: never less than at any frame of it), so a follower spinning under the
    raised hands (her shoulder circling her) is held in, not pulled in and out each turn.
    """
    n = xy["leader"].shape[0]
    gap = xy["leader"] - xy["follower"]
    dist = np.linalg.norm(gap, axis=1)
    towards = gap / np.maximum(dist, _EPS)[:, None]  # from her to him
    need = np.zeros(n)
    for hold, weight in weights.items():
        if hold in BODY_HOLDS:
            continue  # the bodies hold each other, and the hands
        for his_side, her_side in joined_hands(hold):
            his = _shoulder_xy(xy["leader"], facing["leader"], skeletons["leader"], his_side)
            hers = _shoulder_xy(xy["follower"], facing["follower"], skeletons["follower"], her_side)
            apart = his - hers
            span = np.linalg.norm(apart, axis=1)
            # Moving the bodies along ``towards`` closes the shoulders' gap by the cosine.
            cos = np.sum(apart * towards, axis=1) / np.maximum(span, _EPS)
            short = np.clip(span - hold_span_m(hold, skeletons, params), 0.0, None)
            need = np.maximum(need, weight * short / np.maximum(cos, 0.5))
    width = max(1, round(params.blend_s * fps))
    need = uniform_filter1d(maximum_filter1d(need, width, mode="nearest"), width, mode="nearest")
    # Never more than half way to each other (the shoulders' sideways offsets aside, a
    # hand hold's shoulders are no further apart than the bodies).
    need = np.minimum(need, 0.5 * dist)
    half = 0.5 * need[:, None] * towards
    return {"leader": -half, "follower": half}


def hold_span_m(hold: str, skeletons: dict[str, Skeleton], params: MotionParams) -> float:
    """The furthest apart on the floor (m) the shoulders of the hands ``hold`` joins are
    kept: ``hold_reach_share`` of the two arms' reach (``params``); raised over her head
    (:attr:`MotionParams.raised_hand_clearance_m` over it), of what each arm reaches
    on the level at that height; upright shoulders at their standing heights."""
    ldr, flw = skeletons["leader"], skeletons["follower"]
    reach_l = params.hold_reach_share * arm_reach_m(ldr)
    reach_f = params.hold_reach_share * arm_reach_m(flw)
    z_l, z_f = _rest_height_m(ldr, "LeftArm"), _rest_height_m(flw, "LeftArm")
    if hold.endswith("_raised"):
        top = _rest_height_m(flw, "HeadTop_End") + params.raised_hand_clearance_m
        return math.sqrt(max(reach_l**2 - (top - z_l) ** 2, 0.0)) + math.sqrt(
            max(reach_f**2 - (top - z_f) ** 2, 0.0)
        )
    return math.sqrt(max((reach_l + reach_f) ** 2 - (z_l - z_f) ** 2, 0.0))


def _rest_position_m(skel: Skeleton, joint: str) -> Array:
    """Where ``joint`` is in the rest pose (standing at the origin, facing +y)."""
    out = np.zeros(3)
    j = skel.index(joint)
    while j >= 0:
        out += np.asarray(skel.offsets_m[j])
        j = skel.parents[j]
    return out


def _rest_height_m(skel: Skeleton, joint: str) -> float:
    return float(_rest_position_m(skel, joint)[2])


def _shoulder_xy(xy: Array, facing: Array, skel: Skeleton, side: str) -> Array:
    """The floor position of the ``side`` shoulder of a dancer upright at ``xy`` facing
    ``facing`` (radians, 0 along +x; the rig's right is +x at rest, facing +y)."""
    right_m, ahead_m, _ = _rest_position_m(skel, f"{side_name(side)}Arm")
    right = np.column_stack([np.sin(facing), -np.cos(facing)])
    ahead = np.column_stack([np.cos(facing), np.sin(facing)])
    return np.asarray(xy + right_m * right + ahead_m * ahead)
