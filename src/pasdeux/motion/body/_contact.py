"""Keep the partners' bodies apart: capsule overlaps resolved by turning knees and elbows.

After both dancers are posed, their bodies are the capsules of ``pasdeux.capsules`` (the
model ``pasdeux check`` measures with). Where a capsule of one partner overlaps one of the
other (except where the hold puts those parts in contact: joined hands, his hand on her
shoulder blade, her hand on his arm), the limbs that may move are turned out of the way:
a leg's knee about the line from its hip to its ankle, an arm's elbow about the line from
its shoulder to its wrist. Such a turn moves neither the hip nor the ankle (a planted foot
stays where it is, pointing where it pointed) nor the shoulder nor the wrist (joined hands
stay joined); only the middle joint swings round, as a dancer's knee turns out or an elbow
lifts round a partner.

Per frame the turns are found by a few steps of least-norm corrections (each overlapping
pair asks for the turns, on both partners, that open it to touching); the turns are then
spread over time (widened and smoothed, so a knee turns out before the contact and back
after it, never at a joint speed a body would not) and checked again; what is left is
solved again the same way; all this at ``contact_rate_hz`` (the turns are interpolated
between). A limb leading to a hand the hold places on the partner (his forearm to her
shoulder blade) may rest on what it touches but not go through it. What no knee or elbow
can resolve (torsos, hips, feet, straight legs, a free hand) is left as it is: it is not
hidden, ``pasdeux check`` counts it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import binary_dilation, gaussian_filter1d, maximum_filter1d
from scipy.spatial.transform import Rotation

from pasdeux.capsules import (
    BONE_CAPSULES,
    PART_CAPSULES,
    closest_on_segment,
    closest_parameters,
    segment_distances_m,
)
from pasdeux.dances import HOLD_CONNECTIONS
from pasdeux.motion._params import MotionParams
from pasdeux.motion.rig import Array, Skeleton, positions_from_rotations

__all__ = [
    "CHAINS",
    "ContactModel",
    "allowed_overlaps_m",
    "candidate_pairs",
    "clear_of",
    "contact_model",
    "find_turns",
    "keep_apart",
    "overlaps_m",
    "pair_slack_m",
    "solve_turns",
    "spread",
    "swivel_knees",
    "turn_chains",
    "turned",
]

CHAINS: dict[str, tuple[str, str, str]] = {
    "l_leg": ("LeftUpLeg", "LeftLeg", "LeftFoot"),
    "r_leg": ("RightUpLeg", "RightLeg", "RightFoot"),
    "l_arm": ("LeftArm", "LeftForeArm", "LeftHand"),
    "r_arm": ("RightArm", "RightForeArm", "RightHand"),
}
"""The limbs that may turn: (root, middle, end) joints; the middle one swings about the
line from the root to the end. The one table from this module to the rig's joint names
(the capsules come from ``pasdeux.capsules.BONE_CAPSULES``)."""

_NAMES = tuple(BONE_CAPSULES)
_LEGS = np.array([name.endswith(("_thigh", "_shin", "_foot")) for name in _NAMES])
"""Which capsules are a leg's (thigh, shin, foot)."""
_KNEES = tuple(c for c, name in enumerate(CHAINS) if name.endswith("_leg"))
"""The chains whose middle joint is a knee."""
_CHUNK = 1024
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class ContactModel:
    """The capsules and chains of one rig as joint indices, with the capsules' radii.

    ``ends`` (N, 2): each capsule's two joints (order of ``BONE_CAPSULES``); ``joints``
    (C, 3): each chain's root, middle and end joint (order of :data:`CHAINS`); ``chain``
    (N,): the chain whose turn moves each capsule (-1: none); ``mid_last`` (N,): whether
    the capsule's second end is that chain's middle joint; ``low_rad`` and ``high_rad``
    (C,): the range each chain may turn in (radians, right-handed about the line from its
    root to its end, which points away from the body: a right knee turned by a positive
    angle goes out to the right, a left one by a negative angle out to the left).
    """

    ends: IntArray
    joints: IntArray
    radii_m: Array
    chain: IntArray
    mid_last: BoolArray
    low_rad: Array
    high_rad: Array


def contact_model(skeleton: Skeleton, params: MotionParams) -> ContactModel:
    """The :class:`ContactModel` of ``skeleton`` with the radii and turn limits of
    ``params``."""
    ix = skeleton.index
    ends = np.array([[ix(a), ix(b)] for a, b in BONE_CAPSULES.values()], dtype=np.intp)
    joints = np.array([[ix(j) for j in c] for c in CHAINS.values()], dtype=np.intp)
    chain = np.full(len(_NAMES), -1, dtype=np.intp)
    mid_last = np.zeros(len(_NAMES), dtype=bool)
    for i, (a, b) in enumerate(ends.tolist()):
        for c, (root, mid, end) in enumerate(joints.tolist()):
            if {a, b} in ({root, mid}, {mid, end}):
                chain[i], mid_last[i] = c, b == mid
    # A knee turns out (the hip's outward rotation, a dancer's turnout) further than in.
    out, inward = params.contact_knee_turn_out_max_deg, params.contact_knee_turn_max_deg
    elbow = params.contact_elbow_turn_max_deg
    ranges = {"l_leg": (-out, inward), "r_leg": (-inward, out)}
    low, high = zip(*(ranges.get(name, (-elbow, elbow)) for name in CHAINS), strict=True)
    return ContactModel(
        ends=ends,
        joints=joints,
        radii_m=np.array([params.capsule_radii_m[n] for n in _NAMES]),
        chain=chain,
        mid_last=mid_last,
        low_rad=np.radians(np.array(low)),
        high_rad=np.radians(np.array(high)),
    )


def allowed_overlaps_m(
    hold_weights: dict[str, Array], model: ContactModel, resting_m: float
) -> Array:
    """Per frame, how much each (leader capsule, follower capsule) pair may overlap,
    ``(F, N, N)`` metres (capsules in the order of ``BONE_CAPSULES``): 0, except where a
    hold that applies there (weight above 0) joins the two parts. Joined hands may overlap
    at will (``inf``: hands and forearms meet there), and so may a hand placed on the
    partner (on his arm, on her shoulder blade); the limb leading to that hand lies on
    what it touches, by at most ``resting_m`` (his forearm round her back, not through
    her)."""
    n = next(iter(hold_weights.values())).size if hold_weights else 0
    out = np.zeros((n, len(_NAMES), len(_NAMES)))
    for hold, weight in hold_weights.items():
        allow = _hold_allowance(hold, model, resting_m)
        out = np.maximum(out, np.where((weight > 1e-6)[:, None, None], allow[None], 0.0))
    return out


def _hold_allowance(hold: str, model: ContactModel, resting_m: float) -> Array:
    """The overlap ``hold`` allows each (leader capsule, follower capsule) pair (see
    :func:`allowed_overlaps_m`)."""
    index = {name: i for i, name in enumerate(_NAMES)}
    allow = np.zeros((len(_NAMES), len(_NAMES)))
    for leader_part, follower_part, _ in HOLD_CONNECTIONS.get(hold, ()):
        joined = leader_part.endswith(" hand") and follower_part.endswith(" hand")
        ours = [
            [index[c] for c in PART_CAPSULES.get(part, ())] for part in (leader_part, follower_part)
        ]
        # The hand itself (of a part named a hand, the capsule no chain moves).
        hands = [
            {c for c in caps if model.chain[c] < 0 and part.endswith(" hand")}
            for caps, part in zip(ours, (leader_part, follower_part), strict=True)
        ]
        for a in ours[0]:
            for b in ours[1]:
                free = joined or a in hands[0] or b in hands[1]
                allow[a, b] = np.inf if free else max(allow[a, b], resting_m)
    return allow


def turned(pos: Array, joints: IntArray, theta: Array) -> Array:
    """Joint positions ``pos`` (F, J, 3) with each chain's middle joint turned by
    ``theta`` (F, C) radians about its root-to-end line (right-handed)."""
    out = pos.copy()
    for c in range(joints.shape[0]):
        root, mid, end = pos[:, joints[c, 0]], pos[:, joints[c, 1]], pos[:, joints[c, 2]]
        u = end - root
        u /= np.maximum(_norm(u), 1e-9)[:, None]
        v = mid - root
        cos, sin = np.cos(theta[:, c])[:, None], np.sin(theta[:, c])[:, None]
        along = _dot(u, v)[:, None] * u
        out[:, joints[c, 1]] = root + along + cos * (v - along) + sin * np.cross(u, v)
    return out


def _norm(v: Array) -> Array:
    """Lengths of the vectors ``v`` (..., 3)."""
    return np.asarray(np.sqrt(np.einsum("...i,...i->...", v, v)))


def _dot(u: Array, v: Array) -> Array:
    """Dot products of the vectors ``u`` and ``v`` (..., 3)."""
    return np.asarray(np.einsum("...i,...i->...", u, v))


def candidate_pairs(
    lpos: Array, fpos: Array, model: ContactModel, allowed_m: Array, margin_m: float
) -> tuple[IntArray, IntArray, IntArray]:
    """The (frame, leader capsule, follower capsule) pairs that may come within
    ``margin_m`` of touching: not allowed to overlap at will (``allowed_m``), one of them
    moved by a chain, their bounding spheres (about each capsule's middle) nearer than
    that."""
    movable = (model.chain[:, None] >= 0) | (model.chain[None, :] >= 0)
    e0, e1 = model.ends[:, 0], model.ends[:, 1]
    none = np.zeros(0, dtype=np.intp)
    out: list[tuple[IntArray, IntArray, IntArray]] = [(none, none, none)]
    for start in range(0, lpos.shape[0], _CHUNK):
        part = slice(start, start + _CHUNK)
        spheres = []
        for pos in (lpos[part], fpos[part]):
            centre = (pos[:, e0] + pos[:, e1]) / 2
            half = _norm(pos[:, e1] - pos[:, e0]) / 2
            spheres.append((centre, half + model.radii_m))
        (cl, rl), (cf, rf) = spheres
        # Squared distances between the centres, |l|^2 + |f|^2 - 2 l.f.
        square = (
            np.einsum("fai,fai->fa", cl, cl)[:, :, None]
            + np.einsum("fbi,fbi->fb", cf, cf)[:, None, :]
            - 2.0 * np.matmul(cl, np.swapaxes(cf, 1, 2))
        )
        reach = rl[:, :, None] + rf[:, None, :] + margin_m
        near = (square < reach * reach) & movable & np.isfinite(allowed_m[part])
        f, a, b = np.nonzero(near)
        out.append((f + start, a, b))
    return tuple(np.concatenate([o[i] for o in out]) for i in range(3))  # type: ignore[return-value]


def overlaps_m(
    lpos: Array, fpos: Array, model: ContactModel, pairs: tuple[IntArray, IntArray, IntArray]
) -> Array:
    """How much each (frame, leader capsule, follower capsule) pair overlaps (metres;
    negative: apart)."""
    f, a, b = pairs
    ea, eb = model.ends[a], model.ends[b]
    p0, p1, q0, q1 = lpos[f, ea[:, 0]], lpos[f, ea[:, 1]], fpos[f, eb[:, 0]], fpos[f, eb[:, 1]]
    s, t = closest_parameters(p0, p1, q0, q1)
    gap = q0 + t[:, None] * (q1 - q0) - p0 - s[:, None] * (p1 - p0)
    return np.asarray(model.radii_m[a] + model.radii_m[b] - _norm(gap))


def _requests(
    model: ContactModel,
    lpos: Array,
    fpos: Array,
    pairs: tuple[IntArray, IntArray, IntArray],
    slack_m: Array,
) -> tuple[Array, Array, Array]:
    """For each candidate pair (frame, leader capsule, follower capsule): its overlap
    beyond ``slack_m``, and the turns it asks of the leader's and the follower's chain
    (the least that would open it by that, to first order; 0 where it does not overlap or
    no turn moves it)."""
    f, a, b = pairs
    ea, eb = model.ends[a], model.ends[b]
    p0, p1, q0, q1 = lpos[f, ea[:, 0]], lpos[f, ea[:, 1]], fpos[f, eb[:, 0]], fpos[f, eb[:, 1]]
    s, t = closest_parameters(p0, p1, q0, q1)
    gap = q0 + t[:, None] * (q1 - q0) - p0 - s[:, None] * (p1 - p0)
    dist = _norm(gap)
    overlap = model.radii_m[a] + model.radii_m[b] - slack_m - dist
    normal = gap / np.maximum(dist, 1e-9)[:, None]
    # Turning a chain by d theta moves its middle joint by cross(axis, middle - root)
    # d theta, and a point of a capsule ``w`` of the way from its fixed end to the middle
    # joint by w times that.
    jl = -np.where(model.mid_last[a], s, 1.0 - s) * _along(model, lpos, f, a, normal)
    jf = np.where(model.mid_last[b], t, 1.0 - t) * _along(model, fpos, f, b, normal)
    norm2 = jl * jl + jf * jf
    ok = (overlap > 0) & (norm2 > 1e-4) & (dist > 1e-6)
    share = np.where(ok, overlap / np.maximum(norm2, 1e-4), 0.0)
    return np.where(ok, overlap, 0.0), share * jl, share * jf


def _along(model: ContactModel, pos: Array, f: IntArray, caps: IntArray, normal: Array) -> Array:
    """How fast the middle joint of the chain moving each capsule goes along ``normal``
    per radian of turn (0 for a capsule no chain moves)."""
    c = model.chain[caps]
    j = model.joints[np.maximum(c, 0)]
    root, mid, end = pos[f, j[:, 0]], pos[f, j[:, 1]], pos[f, j[:, 2]]
    axis = end - root
    axis /= np.maximum(_norm(axis), 1e-9)[:, None]
    speed = _dot(np.cross(axis, mid - root), normal)
    return np.where(c >= 0, speed, 0.0)


def solve_turns(
    positions: tuple[Array, Array],
    model: ContactModel,
    pairs: tuple[IntArray, IntArray, IntArray],
    slack_m: Array,
    theta: Array,
    params: MotionParams,
) -> Array:
    """Turns ``(F, 2, C)`` (leader, follower; radians) from ``theta`` that open the
    candidate ``pairs`` (frame, leader capsule, follower capsule) to touching (to
    overlapping by ``slack_m`` each).

    Each step every pair still overlapping asks for the least turns of the chains that
    move its two capsules (:func:`_requests`); a chain takes its pairs' requests weighted
    by their overlaps, at most ``contact_step_deg`` a step and within its range in all.
    """
    theta = theta.copy()
    frames, a, b = pairs
    if frames.size == 0:
        return theta
    n_chains = model.joints.shape[0]
    step_max = np.radians(params.contact_step_deg)
    before: Array | None = None
    for _ in range(params.contact_iterations):
        used, slot = np.unique(frames, return_inverse=True)
        lpos = turned(positions[0][used], model.joints, theta[used, 0])
        fpos = turned(positions[1][used], model.joints, theta[used, 1])
        weight, ask_l, ask_f = _requests(model, lpos, fpos, (slot, a, b), slack_m)
        for side, ask, caps in ((0, ask_l, a), (1, ask_f, b)):
            c = model.chain[caps]
            moved = c >= 0
            key = slot[moved] * n_chains + c[moved]
            size = used.size * n_chains
            total = np.bincount(key, weight[moved], minlength=size)
            want = np.bincount(key, weight[moved] * ask[moved], minlength=size)
            step = np.clip(want / np.maximum(total, 1e-12), -step_max, step_max)
            theta[used, side] += step.reshape(used.size, n_chains)
        theta[used] = np.clip(theta[used], model.low_rad, model.high_rad)
        # Frames with nothing left to open, or where the turns no longer open it (feet,
        # torsos, chains at their limits), are done.
        left = np.bincount(slot, weight, minlength=used.size)
        live = (left > 0) & (left < before[used] - 5e-4) if before is not None else left > 0
        before = np.zeros(theta.shape[0])
        before[used] = left
        live = live[slot]
        if not np.any(live):
            break
        frames, a, b, slack_m = frames[live], a[live], b[live], slack_m[live]
    return theta


def spread(delta: Array, width: int) -> Array:
    """Turns ``delta`` (F, ...) spread over time: each frame takes the largest turn (each
    way) within ``width`` frames, smoothed over about half that (a knee turns out before
    the contact and back after it)."""
    if width <= 1:
        return delta
    up = maximum_filter1d(np.maximum(delta, 0.0), width, axis=0, mode="nearest")
    down = maximum_filter1d(np.maximum(-delta, 0.0), width, axis=0, mode="nearest")
    return np.asarray(gaussian_filter1d(up - down, width / 4.0, axis=0, mode="nearest"))


def find_turns(
    positions: tuple[Array, Array],
    model: ContactModel,
    allowed_m: Array,
    params: MotionParams,
    fps: float,
) -> Array:
    """The turns ``(F, 2, C)`` that keep the partners apart: ``contact_rounds`` rounds of
    finding the overlapping pairs a chain moves (and those within ``contact_search_m`` of
    it, which a turn may close), solving them frame by frame (:func:`solve_turns`) and
    spreading the change over time (:func:`spread`)."""
    n_chains = model.joints.shape[0]
    n = positions[0].shape[0]
    theta = np.zeros((n, 2, n_chains))
    width = max(1, round(params.contact_spread_s * fps))
    todo = np.arange(n)
    for _ in range(params.contact_rounds):
        pairs, slack = _overlapping(positions, model, allowed_m[todo], theta, todo, params)
        if pairs[0].size == 0:
            break
        solved = solve_turns(positions, model, pairs, slack, theta, params)
        change = spread(solved - theta, width)
        theta = np.clip(theta + change, model.low_rad, model.high_rad)
        # Only frames whose turns changed can overlap anew.
        todo = np.flatnonzero(np.any(np.abs(change) > 1e-6, axis=(1, 2)))
        if todo.size == 0:
            break
    return swivel_knees(positions, model, pair_slack_m(allowed_m, params), theta, params, fps)


def _overlapping(
    positions: tuple[Array, Array],
    model: ContactModel,
    allowed_m: Array,
    theta: Array,
    todo: IntArray,
    params: MotionParams,
) -> tuple[tuple[IntArray, IntArray, IntArray], Array]:
    """Of the frames ``todo`` (their turns ``theta``), those where some pair overlaps: the
    pairs there that overlap or come within ``contact_search_m`` of touching, as (frame,
    leader capsule, follower capsule), and how much each may overlap."""
    lpos = turned(positions[0][todo], model.joints, theta[todo, 0])
    fpos = turned(positions[1][todo], model.joints, theta[todo, 1])
    f, a, b = candidate_pairs(lpos, fpos, model, allowed_m, params.contact_search_m)
    # A pair the hold lets rest on each other may sink in by what it allows; any other
    # is opened to ``contact_clearance_m`` apart (two legs to ``contact_leg_clearance_m``).
    slack = _slack_m(allowed_m[f, a, b], _LEGS[a] & _LEGS[b], params)
    overlap = overlaps_m(lpos, fpos, model, (f, a, b)) - slack
    hit = np.zeros(todo.size, dtype=bool)
    hit[f[overlap > 0]] = True
    close = (overlap > -params.contact_search_m) & hit[f]
    return (todo[f[close]], a[close], b[close]), slack[close]


def clear_of(points: Array, ends: tuple[Array, Array], distance_m: float, toward: Array) -> Array:
    """``points`` (F, 3) moved level towards ``toward`` (F, 3; a free hand towards its own
    shoulder) until they are ``distance_m`` from the segments ``ends`` (each (F, 3)), where
    they are nearer; points further away are left where they are. The way they move does
    not depend on which side of the segment they are, so they never jump across it.
    Three rounds; a point a round leaves where it was is done (the next would too)."""
    way = toward - points
    way[:, 2] = 0.0
    way /= np.maximum(_norm(way), 1e-9)[:, None]
    out = points.copy()
    live = np.arange(points.shape[0])
    for _ in range(3):
        point, e0, e1 = out[live], ends[0][live], ends[1][live]
        s = closest_on_segment(e0, e1, point)
        gap = _norm(point - e0 - s[:, None] * (e1 - e0))
        push = np.clip(distance_m - gap, 0.0, None)
        out[live] = point + push[:, None] * way[live]
        live = live[push > 0]
        if live.size == 0:
            break
    return out


def turn_chains(
    skeleton: Skeleton,
    rotations: NDArray[np.float32],
    positions: Array,
    theta: Array,
    model: ContactModel,
) -> None:
    """Turn each chain's middle joint by ``theta`` (F, C) in the local rotations
    ``rotations`` (F, J, 4), in place: the root joint's rotation turns about the
    root-to-end line (``positions``, before the turn), the end joint's is turned back so
    that it keeps its world rotation (a planted foot keeps pointing where it did)."""
    for c, (root, mid, end) in enumerate(model.joints.tolist()):
        angle = theta[:, c]
        frames = np.flatnonzero(np.abs(angle) > 1e-9)
        if frames.size == 0:
            continue
        axis = positions[frames, end] - positions[frames, root]
        axis /= np.maximum(np.linalg.norm(axis, axis=1, keepdims=True), 1e-9)
        parent = world_rotation(skeleton, rotations[frames], skeleton.parents[root])
        local_root = Rotation.from_quat(rotations[frames, root])
        local_mid = Rotation.from_quat(rotations[frames, mid])
        middle = parent * local_root * local_mid
        spin = angle[frames, None] * parent.inv().apply(axis)
        new_root = Rotation.from_rotvec(spin) * local_root
        back = -angle[frames, None] * middle.inv().apply(axis)
        new_end = Rotation.from_rotvec(back) * Rotation.from_quat(rotations[frames, end])
        rotations[frames, root] = new_root.as_quat()
        rotations[frames, end] = new_end.as_quat()
        for j in (root, end):
            rotations[:, j] = _continuous(rotations[:, j])


def world_rotation(skeleton: Skeleton, rotations: NDArray[np.float32], joint: int) -> Rotation:
    """World rotation of ``joint`` from the local rotations (F, J, 4) (also the hands' pass)."""
    chain = []
    while joint >= 0:
        chain.append(joint)
        joint = skeleton.parents[joint]
    world = Rotation.from_quat(rotations[:, chain[-1]])
    for j in reversed(chain[:-1]):
        world = world * Rotation.from_quat(rotations[:, j])
    return world


def _continuous(quats: NDArray[np.float32]) -> NDArray[np.float32]:
    """Quaternions (F, 4) each the one of ``q`` and ``-q`` nearer the frame before's."""
    if quats.shape[0] < 2:
        return quats
    flips = np.ones(quats.shape[0], dtype=np.float32)
    flips[1:] = np.where(np.sum(quats[1:] * quats[:-1], axis=1) < 0, -1.0, 1.0)
    return np.asarray(quats * np.cumprod(flips)[:, None], dtype=np.float32)


def keep_apart(
    skeletons: dict[str, Skeleton],
    roots: dict[str, Array],
    rotations: dict[str, NDArray[np.float32]],
    hold_weights: dict[str, Array],
    params: MotionParams,
    fps: float,
    posed: dict[str, Array] | None = None,
) -> None:
    """Resolve the partners' capsule overlaps in ``rotations`` (per role, (F, J, 4)
    local quaternions; changed in place) by turning knees and elbows (module docstring).
    Frames where the pelvises are further apart than ``contact_reach_m`` are skipped.
    ``posed``: the joint positions of those rotations, per role, if already known."""
    if params.contact_rounds == 0:
        return
    positions = tuple(
        posed[role]
        if posed is not None
        else positions_from_rotations(skeletons[role], roots[role], rotations[role])
        for role in ("leader", "follower")
    )
    models = {role: contact_model(skeletons[role], params) for role in skeletons}
    model = models["leader"]
    apart = np.linalg.norm(positions[0][:, 0, :2] - positions[1][:, 0, :2], axis=1)
    # Solved at ``contact_rate_hz`` (the turns are spread over ``contact_spread_s``
    # anyway), interpolated between.
    every = max(1, round(fps / params.contact_rate_hz))
    n = positions[0].shape[0]
    sel = np.unique(np.append(np.arange(0, n, every), n - 1))
    weights = {hold: w[sel] for hold, w in hold_weights.items()}
    allowed = allowed_overlaps_m(weights, model, params.contact_resting_m)
    allowed[apart[sel] > params.contact_reach_m] = np.inf
    sub = find_turns((positions[0][sel], positions[1][sel]), model, allowed, params, fps / every)
    theta = np.empty((n, *sub.shape[1:]))
    for side in range(2):
        for c in range(sub.shape[2]):
            theta[:, side, c] = np.interp(np.arange(n), sel, sub[:, side, c])
    for side, role in enumerate(("leader", "follower")):
        turn_chains(skeletons[role], rotations[role], positions[side], theta[:, side], models[role])


def pair_slack_m(allowed_m: Array, params: MotionParams) -> Array:
    """How much each (frame, leader capsule, follower capsule) pair may overlap: what the
    hold allows where it allows some (``inf``: at will), else minus the clearance aimed
    for (``contact_leg_clearance_m`` between two legs, ``contact_clearance_m`` else)."""
    return _slack_m(allowed_m, (_LEGS[:, None] & _LEGS[None, :])[None], params)


def _slack_m(allowed_m: Array, legs: BoolArray, params: MotionParams) -> Array:
    """:func:`pair_slack_m` of pairs whose hold allows ``allowed_m`` and which are two legs
    where ``legs`` (broadcast against it)."""
    clearance = np.where(legs, params.contact_leg_clearance_m, params.contact_clearance_m)
    return np.asarray(np.where(allowed_m > 0, allowed_m, -clearance))


def swivel_knees(
    positions: tuple[Array, Array],
    model: ContactModel,
    slack_m: Array,
    theta: Array,
    params: MotionParams,
    fps: float,
) -> Array:
    """The knees' turns ``(F, 2, C)`` from ``theta`` (the solver's) searched where a leg
    still meets the partner (module docstring); ``positions`` are both dancers' joints
    before any turn, ``slack_m`` (F, N, N) what each pair may overlap
    (:func:`pair_slack_m`), ``fps`` the solved frames' rate."""
    theta = theta.copy()
    if params.contact_swivel_sweeps == 0 or theta.shape[0] == 0:
        return theta
    width = max(1, round(2 * params.contact_swivel_lead_s * fps) + 1)
    rate = np.radians(params.contact_swivel_rate_deg_s) / fps
    for _ in range(params.contact_swivel_sweeps):
        for side in (0, 1):
            for c in _KNEES:
                meeting = _leg_meeting(positions, model, slack_m, theta, (side, c))
                frames = np.flatnonzero(binary_dilation(meeting, np.ones(width)))
                if frames.size == 0:
                    continue
                # Each frame tries the turn the solver found and every step of the range.
                grid = _grid(model, c, params)
                tried = np.column_stack([theta[frames, side, c], np.tile(grid, (frames.size, 1))])
                cost = _costs(positions, model, slack_m, theta, (frames, side, c), tried, params)
                start = 0
                for run in np.split(frames, np.flatnonzero(np.diff(frames) > 1) + 1):
                    part = slice(start, start + run.size)
                    start += run.size
                    ends = _ends(theta[:, side, c], run)
                    theta[run, side, c] = _cheapest_path(
                        cost[part], tried[part], ends, (rate, params)
                    )
    return theta


def _grid(model: ContactModel, c: int, params: MotionParams) -> Array:
    """The turns tried for chain ``c``: its range in steps of about ``contact_swivel_step_deg``."""
    low, high = float(model.low_rad[c]), float(model.high_rad[c])
    n = max(2, int(np.ceil((high - low) / np.radians(params.contact_swivel_step_deg))) + 1)
    return np.linspace(low, high, n)


def _ends(values: Array, run: IntArray) -> tuple[float, float]:
    """The turn just before and just after ``run`` (its own first and last at the ends)."""
    start, stop = int(run[0]), int(run[-1])
    before = values[start - 1] if start > 0 else values[start]
    after = values[stop + 1] if stop + 1 < values.size else values[stop]
    return float(before), float(after)


def _leg_meeting(
    positions: tuple[Array, Array],
    model: ContactModel,
    slack_m: Array,
    theta: Array,
    which: tuple[int, int],
) -> Array:
    """Per frame, whether a capsule that the knee of chain ``c`` of dancer ``side``
    (``which``) moves (thigh or shin) overlaps one of the partner's (beyond what the hold
    allows; both turned by ``theta``)."""
    side, c = which
    own = turned(positions[side], model.joints[c : c + 1], theta[:, side, c : c + 1])
    other = turned(positions[1 - side], model.joints, theta[:, 1 - side])
    q0, q1 = other[:, model.ends[:, 0]], other[:, model.ends[:, 1]]
    out = np.zeros(theta.shape[0], dtype=bool)
    for a in np.flatnonzero(model.chain == c).tolist():
        p0, p1 = own[:, model.ends[a, 0]], own[:, model.ends[a, 1]]
        over = _overlap(model.radii_m[a] + model.radii_m, (p0[:, None], p1[:, None]), (q0, q1))
        slack = slack_m[:, a, :] if side == 0 else slack_m[:, :, a]
        out |= np.any(over > np.maximum(slack, 0.0), axis=1)
    return out


def _overlap(radii_m: Array, ends: tuple[Array, Array], others: tuple[Array, Array]) -> Array:
    """How much the capsules of ends ``ends`` overlap those of ends ``others`` (each
    (..., 3), broadcast against each other) whose radii add up to ``radii_m`` (metres)."""
    return np.asarray(radii_m - segment_distances_m(ends[0], ends[1], others[0], others[1]))


def _costs(
    positions: tuple[Array, Array],
    model: ContactModel,
    slack_m: Array,
    theta: Array,
    which: tuple[IntArray, int, int],
    tried: Array,
    params: MotionParams,
) -> Array:
    """The cost ``(len(frames), K)`` of each turn ``tried`` (per frame, K of them) of chain
    ``c`` of the dancer ``side`` (``which``: frames, side, chain; the other chains as
    ``theta`` has them): how much the capsules it moves overlap the partner's beyond what
    each pair may (plus the overlap itself, counted again, where the pair may not overlap
    at all); a metre more where the turn would bend the knee backwards (but for the
    solver's own turn, the first tried). Only the partner's capsules the bone could reach,
    turned any way, are measured."""
    frames, side, c = which
    own = positions[side][frames]
    other = turned(positions[1 - side][frames], model.joints, theta[frames, 1 - side])
    root, mid, end = (own[:, model.joints[c, k]] for k in range(3))
    u = end - root
    u /= np.maximum(np.linalg.norm(u, axis=1), 1e-9)[:, None]
    v = mid - root
    along = np.einsum("fi,fi->f", u, v)[:, None] * u
    cos, sin = np.cos(tried)[:, :, None], np.sin(tried)[:, :, None]
    knee = (root + along)[:, None] + cos * (v - along)[:, None] + sin * np.cross(u, v)[:, None]
    most = params.contact_knee_side_max_deg
    cost = np.where(_bent_back(own, model, (root, knee, end), most), 1.0, 0.0)
    cost[:, 0] = 0.0  # the solver's own turn
    q0, q1 = other[:, model.ends[:, 0]], other[:, model.ends[:, 1]]
    # Turned any way, the bones stay within the knee's distance from the line from hip to
    # ankle: only the partner's capsules near that (their bounding spheres) are measured.
    centre = (q0 + q1) / 2
    size = np.linalg.norm(q1 - q0, axis=2) / 2 + model.radii_m
    s, _ = closest_parameters(root[:, None], end[:, None], centre, centre)
    axis_near = root[:, None] + s[..., None] * (end - root)[:, None]
    apart = np.linalg.norm(centre - axis_near, axis=2)
    bend = np.linalg.norm(v - along, axis=1)
    for a in np.flatnonzero(model.chain == c).tolist():
        fixed = root if model.mid_last[a] else end
        slack = slack_m[frames, a, :] if side == 0 else slack_m[frames, :, a]
        reach = (bend + model.radii_m[a])[:, None] + size - np.minimum(slack, 0)
        f, b = np.nonzero(np.isfinite(slack) & (apart < reach))
        radii = model.radii_m[a] + model.radii_m[b]
        over = _overlap(
            radii[:, None], (fixed[f, None], knee[f]), (q0[f, b][:, None], q1[f, b][:, None])
        )
        may = slack[f, b][:, None]
        excess = np.clip(over - may, 0.0, None) + np.where(may <= 0, np.clip(over, 0.0, None), 0.0)
        np.add.at(cost, f, excess)
    return cost


def _bent_back(
    own: Array, model: ContactModel, leg: tuple[Array, Array, Array], most_deg: float
) -> Array:
    """Whether each knee ``leg[1]`` (F, K, 3) between its hip ``leg[0]`` and ankle
    ``leg[2]`` (F, 3), bent by more than a degree, points further than ``most_deg`` from
    the front of the pelvis of the joints ``own`` (F, J, 3) (its right the way from the
    left hip to the right one): the knee's hinge axis (thigh x shin) points to its left
    when the knee points forward."""
    hips = [own[:, model.joints[k, 0]] for k in _KNEES]  # left, right
    right = hips[1] - hips[0]
    right /= np.maximum(np.linalg.norm(right, axis=1), 1e-9)[:, None]
    root, knee, end = leg
    thigh, shin = knee - root[:, None], end[:, None] - knee
    hinge = np.cross(thigh, shin)
    size = np.linalg.norm(hinge, axis=2)
    bent = size > np.sin(np.radians(1.0)) * np.linalg.norm(thigh, axis=2) * np.linalg.norm(
        shin, axis=2
    )
    leftward = -np.einsum("fki,fi->fk", hinge, right)
    return np.asarray(bent & (leftward < np.cos(np.radians(most_deg)) * size))


def _cheapest_path(
    cost: Array,
    tried: Array,
    ends: tuple[float, float],
    limits: tuple[float, MotionParams],
) -> Array:
    """The turns over a run of frames (one per frame of those ``tried``, (L, K); the
    first the solver's) that minimise ``cost`` (L, K) plus ``contact_swivel_cost_m_rad``
    per radian away from the solver's and per radian of change, turning at most ``rate``
    a frame (beyond it: a metre's cost), from the turn ``ends[0]`` before the run to
    ``ends[1]`` after it (Viterbi)."""
    rate, params = limits
    per_rad = params.contact_swivel_cost_m_rad

    def move(a: Array, b: Array) -> Array:
        step = np.abs(a[..., :, None] - b[..., None, :])
        return np.asarray(per_rad * step + np.where(step > rate + 1e-9, 1.0, 0.0))

    stay = cost + per_rad * np.abs(tried - tried[:, :1])
    total = move(np.array([ends[0]]), tried[0])[0] + stay[0]
    back = np.zeros(cost.shape, dtype=np.intp)
    for f in range(1, cost.shape[0]):
        options = total[:, None] + move(tried[f - 1], tried[f])
        back[f] = np.argmin(options, axis=0)
        total = options[back[f], np.arange(tried.shape[1])] + stay[f]
    path = np.empty(cost.shape[0], dtype=np.intp)
    path[-1] = np.argmin(total + move(tried[-1], np.array([ends[1]]))[:, 0])
    for f in range(cost.shape[0] - 1, 0, -1):
        path[f - 1] = back[f, path[f]]
    return np.asarray(tried[np.arange(cost.shape[0]), path])
