"""Bodies as capsules: which bones a body is made of for contact, how thick they are, and
how far apart two of them are.

A capsule is a segment between two joints with a radius (a joint named twice is a
sphere). Two capsules interpenetrate when the distance between their segments is less
than the sum of their radii. The motion stage (which keeps the partners' bodies apart) and
``pasdeux check`` (which counts where they are not) use this one model:
:data:`BONE_CAPSULES` names the rig's joints at the ends of each capsule (the one table
to change for another rig), :func:`capsule_radii_m` their thickness.

The distances are vectorised over any leading axes (frames, pairs of capsules).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from pasdeux.dances import HOLD_CONNECTIONS

__all__ = [
    "BONE_CAPSULES",
    "PART_CAPSULES",
    "capsule_overlaps_m",
    "capsule_radii_m",
    "closest_on_segment",
    "closest_parameters",
    "hold_contact_pairs",
    "penetrating_pairs",
    "segment_distances_m",
]

Array = NDArray[np.float64]

BONE_CAPSULES: dict[str, tuple[str, str]] = {
    "hips": ("LeftUpLeg", "RightUpLeg"),
    "belly": ("Hips", "Spine"),
    "chest": ("Spine", "Neck"),
    "head": ("Head", "HeadTop_End"),
    "l_upper_arm": ("LeftArm", "LeftForeArm"),
    "l_forearm": ("LeftForeArm", "LeftHand"),
    "l_hand": ("LeftHand", "LeftHandMiddle1"),
    "r_upper_arm": ("RightArm", "RightForeArm"),
    "r_forearm": ("RightForeArm", "RightHand"),
    "r_hand": ("RightHand", "RightHandMiddle1"),
    "l_thigh": ("LeftUpLeg", "LeftLeg"),
    "l_shin": ("LeftLeg", "LeftFoot"),
    "l_foot": ("LeftFoot", "LeftToeBase"),
    "r_thigh": ("RightUpLeg", "RightLeg"),
    "r_shin": ("RightLeg", "RightFoot"),
    "r_foot": ("RightFoot", "RightToeBase"),
}
"""Capsule name -> (joint at one end, joint at the other), in the rig of
``pasdeux.motion`` (``JOINTS``)."""


_TORSO = ("hips", "belly", "chest")

PART_CAPSULES: dict[str, tuple[str, ...]] = {
    "L hand": ("l_forearm", "l_hand"),
    "R hand": ("r_forearm", "r_hand"),
    "L shoulder blade": _TORSO,
    "R shoulder blade": _TORSO,
    "L waist": _TORSO,
    "R waist": _TORSO,
    "L shoulder": ("chest", "l_upper_arm"),
    "R shoulder": ("chest", "r_upper_arm"),
    "L upper arm": ("l_upper_arm",),
    "R upper arm": ("r_upper_arm",),
    "L forearm": ("l_forearm",),
    "R forearm": ("r_forearm",),
}
"""The body parts named in ``pasdeux.dances.HOLD_CONNECTIONS`` (``"R hand"``, ``"L
shoulder blade"``, ...) -> the capsules that touch the partner there."""


def hold_contact_pairs(hold: str) -> frozenset[tuple[str, str]]:
    """The (leader capsule, follower capsule) pairs that ``hold`` puts in contact (a hand
    on a shoulder blade, joined hands): touching there is the hold, not interpenetration.
    """
    return frozenset(
        (a, b)
        for leader_part, follower_part, _ in HOLD_CONNECTIONS.get(hold, ())
        for a in PART_CAPSULES.get(leader_part, ())
        for b in PART_CAPSULES.get(follower_part, ())
    )


def capsule_radii_m() -> dict[str, float]:
    """The radius of each capsule of :data:`BONE_CAPSULES` (metres, an adult's limbs)."""
    return {
        "hips": 0.09,
        "belly": 0.09,
        "chest": 0.09,
        "head": 0.08,
        "l_upper_arm": 0.04,
        "r_upper_arm": 0.04,
        "l_forearm": 0.03,
        "r_forearm": 0.03,
        "l_hand": 0.04,
        "r_hand": 0.04,
        "l_thigh": 0.06,
        "r_thigh": 0.06,
        "l_shin": 0.045,
        "r_shin": 0.045,
        "l_foot": 0.035,
        "r_foot": 0.035,
    }


def closest_parameters(p0: Array, p1: Array, q0: Array, q1: Array) -> tuple[Array, Array]:
    """Where the closest points of segments ``p0-p1`` and ``q0-q1`` (each (..., 3)) are:
    ``(s, t)``, each 0-1 along its segment (``p0 + s (p1 - p0)``, ``q0 + t (q1 - q0)``).

    A segment whose ends coincide is a point. The usual clamped parametric solution
    (Ericson, *Real-Time Collision Detection*, 5.1.9).
    """
    d1, d2, r = p1 - p0, q1 - q0, p0 - q0
    d1, d2, r = np.broadcast_arrays(d1, d2, r)
    a = np.einsum("...i,...i->...", d1, d1)
    e = np.einsum("...i,...i->...", d2, d2)
    f = np.einsum("...i,...i->...", d2, r)
    c = np.einsum("...i,...i->...", d1, r)
    b = np.einsum("...i,...i->...", d1, d2)
    eps = 1e-12
    denom = a * e - b * b
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(denom > eps, np.clip((b * f - c * e) / denom, 0.0, 1.0), 0.0)
        s = np.where(a > eps, s, 0.0)
        t = np.where(e > eps, (b * s + f) / e, 0.0)
        # t outside [0, 1]: clamp it and recompute s for the clamped t.
        t_clamped = np.clip(t, 0.0, 1.0)
        s_again = np.where(a > eps, np.clip((b * t_clamped - c) / a, 0.0, 1.0), 0.0)
    s = np.where((t != t_clamped) | (e <= eps), s_again, s)
    return np.asarray(s), np.asarray(t_clamped)


def closest_on_segment(p0: Array, p1: Array, point: Array) -> Array:
    """Where the point of segment ``p0-p1`` nearest ``point`` (each (..., 3)) is, 0-1
    along it: :func:`closest_parameters` of the segment and the point as a segment whose
    ends coincide (the same values, with fewer steps)."""
    d1 = p1 - p0
    a = np.einsum("...i,...i->...", d1, d1)
    c = np.einsum("...i,...i->...", d1, p0 - point)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(a > 1e-12, np.clip(-c / a, 0.0, 1.0), 0.0)
    return np.asarray(s)


def segment_distances_m(p0: Array, p1: Array, q0: Array, q1: Array) -> Array:
    """Shortest distance between segments ``p0-p1`` and ``q0-q1`` (each (..., 3)).

    A segment whose ends coincide is a point (see :func:`closest_parameters`).
    """
    s, t = closest_parameters(p0, p1, q0, q1)
    closest_p = p0 + s[..., None] * (p1 - p0)
    closest_q = q0 + t[..., None] * (q1 - q0)
    return np.asarray(np.linalg.norm(closest_p - closest_q, axis=-1))


def capsule_overlaps_m(
    a_ends: tuple[Array, Array],
    a_radii_m: Array,
    b_ends: tuple[Array, Array],
    b_radii_m: Array,
) -> Array:
    """How much each pair of capsules overlaps, ``(F, Na, Nb)`` metres (negative: the gap
    between them).

    ``a_ends`` are the two ends of each of body a's capsules, each ``(F, Na, 3)``;
    ``b_ends`` the same for body b; radii per capsule (metres).
    """
    p0, p1 = (x[:, :, None, :] for x in a_ends)
    q0, q1 = (x[:, None, :, :] for x in b_ends)
    dist = segment_distances_m(p0, p1, q0, q1)
    return np.asarray(a_radii_m[None, :, None] + b_radii_m[None, None, :] - dist)


def penetrating_pairs(
    a_ends: tuple[Array, Array],
    a_radii_m: Array,
    b_ends: tuple[Array, Array],
    b_radii_m: Array,
    contact_m: float = 0.0,
) -> NDArray[np.bool_]:
    """Which capsule pairs overlap by more than ``contact_m``: ``(F, Na, Nb)`` booleans
    (see :func:`capsule_overlaps_m`)."""
    return np.asarray(capsule_overlaps_m(a_ends, a_radii_m, b_ends, b_radii_m) > contact_m)
