"""Joined hands: where they meet, a point both arms reach.

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
- Where the shoulders are further apart than the arms reach, no point serves: both arms
  point straight at each other.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pasdeux.dances import HOLD_CONNECTIONS
from pasdeux.motion._kin import DOWN, UP, Array
from pasdeux.motion._skeleton import Skeleton

_EPS = 1e-9


def arm_reach_m(skel: Skeleton) -> float:
    """How far a wrist reaches from its shoulder: the upper arm and the forearm straight."""
    return skel.length("LeftForeArm") + skel.length("LeftHand")


def meeting_point(
    shoulder_a: Array, shoulder_b: Array, reach_a: float, reach_b: float, drop_m: float
) -> Array:
    """Where two hands joined low meet (per frame): on the line from shoulder ``a`` to
    shoulder ``b`` at ``reach_a / (reach_a + reach_b)`` of the way, dropped straight down
    by ``drop_m`` or as far as both arms still reach, whichever is less.

    The point is exactly within both arms wherever the shoulders are at most
    ``reach_a + reach_b`` apart (further, it is where both arms point, straight, with the
    gap between them shared alike).
    """
    line = shoulder_b - shoulder_a
    d = np.linalg.norm(line, axis=1)
    u = line / np.maximum(d, _EPS)[:, None]
    down = u @ DOWN  # the line's slope: positive where b is lower
    total = reach_a + reach_b
    # From a, the point is t * d along the line and h down: within reach_a while
    # h**2 + 2 h t d down + (t d)**2 <= reach_a**2; from b likewise, the line reversed.
    lowest = []
    for along, slope, reach in (
        (reach_a / total * d, down, reach_a),
        (reach_b / total * d, -down, reach_b),
    ):
        room = along**2 * (slope**2 - 1.0) + reach**2
        lowest.append(-along * slope + np.sqrt(np.clip(room, 0.0, None)))
    drop = np.clip(np.minimum(drop_m, np.minimum(*lowest)), 0.0, None)
    return np.asarray(shoulder_a + (reach_a / total * d)[:, None] * u + drop[:, None] * DOWN)


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
