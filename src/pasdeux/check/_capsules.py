"""Capsule distances between two bodies, vectorised over frames."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["penetrating_pairs", "segment_distances_m"]

Array = NDArray[np.float64]


def segment_distances_m(p0: Array, p1: Array, q0: Array, q1: Array) -> Array:
    """Shortest distance between segments ``p0-p1`` and ``q0-q1`` (each (..., 3)).

    A segment whose ends coincide is a point. The closest points are found by the usual
    clamped parametric solution (Ericson, *Real-Time Collision Detection*, 5.1.9).
    """
    d1, d2, r = p1 - p0, q1 - q0, p0 - q0
    a = np.sum(d1 * d1, axis=-1)
    e = np.sum(d2 * d2, axis=-1)
    f = np.sum(d2 * r, axis=-1)
    c = np.sum(d1 * r, axis=-1)
    b = np.sum(d1 * d2, axis=-1)
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
    closest_p = p0 + s[..., None] * d1
    closest_q = q0 + t_clamped[..., None] * d2
    return np.asarray(np.linalg.norm(closest_p - closest_q, axis=-1))


def penetrating_pairs(
    a_ends: tuple[Array, Array],
    a_radii_m: Array,
    b_ends: tuple[Array, Array],
    b_radii_m: Array,
    contact_m: float = 0.0,
) -> NDArray[np.bool_]:
    """Which capsule pairs overlap by more than ``contact_m``: ``(F, Na, Nb)`` booleans.

    ``a_ends`` are the two ends of each of body a's capsules, each ``(F, Na, 3)``;
    ``b_ends`` the same for body b; radii per capsule (metres).
    """
    p0, p1 = (x[:, :, None, :] for x in a_ends)
    q0, q1 = (x[:, None, :, :] for x in b_ends)
    dist = segment_distances_m(p0, p1, q0, q1)
    reach = a_radii_m[None, :, None] + b_radii_m[None, None, :] - contact_m
    return np.asarray(dist < reach)
