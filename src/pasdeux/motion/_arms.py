"""The arms: each hold's hand targets, blended where the hold changes, reached by IK."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.ndimage import uniform_filter1d

from pasdeux.dances import HOLDS
from pasdeux.motion._kin import DOWN, FORWARD, UP, Array, Body, apply, bone_world, two_bone_ik
from pasdeux.motion._skeleton import Skeleton
from pasdeux.motion._tracks import TimedStep

ROLES = ("leader", "follower")
_BLEND_S = 0.3


def hold_weights(leader_steps: list[TimedStep], times: Array) -> dict[str, Array]:
    """Per frame, how much each hold applies (they sum to 1)."""
    current = np.full(times.size, HOLDS.index(leader_steps[0].replayed.step.hold))
    for s in leader_steps:
        current[times >= s.t_lift] = HOLDS.index(s.replayed.step.hold)
    fps = 1.0 / (times[1] - times[0]) if times.size > 1 else 60.0
    width = max(1, round(_BLEND_S * fps))
    return {
        hold: uniform_filter1d((current == i).astype(float), width)
        for i, hold in enumerate(HOLDS)
        if np.any(current == i)
    }


def pose_arms(
    bodies: dict[str, Body], skeletons: dict[str, Skeleton], weights: dict[str, Array]
) -> None:
    ldr, flw = bodies["leader"], bodies["follower"]
    targets = {
        role: {side: np.zeros_like(bodies[role].positions[:, 0]) for side in "lr"} for role in ROLES
    }
    for hold, weight in weights.items():
        hold_targets = hand_targets(hold, ldr, flw, skeletons)
        for role in ROLES:
            for side in "lr":
                targets[role][side] += weight[:, None] * hold_targets[role][side]
    for role in ROLES:
        body, skel = bodies[role], skeletons[role]
        ix = skel.index
        chest_rot = body.world[:, ix("chest")]
        forward = apply(chest_rot, FORWARD)
        for side in "lr":
            rest_outward = np.array([1.0 if side == "r" else -1.0, 0.0, 0.0])
            outward = apply(chest_rot, rest_outward)
            # The elbow bends towards the pole, down, out and back. Both bones take their
            # twist from the axis of that bend (shoulder to wrist across the pole), so the
            # elbow is a hinge and no twist flips where the forearm points along the pole.
            pole = -UP + 0.6 * outward - 0.4 * forward
            rest_pole = -UP + 0.6 * rest_outward - 0.4 * FORWARD
            shoulder = body.positions[:, ix(f"{side}_shoulder")]
            upper, lower = skel.length(f"{side}_elbow"), skel.length(f"{side}_wrist")
            elbow, wrist = two_bone_ik(shoulder, targets[role][side], upper, lower, pole)
            body.positions[:, ix(f"{side}_elbow")] = elbow
            body.positions[:, ix(f"{side}_wrist")] = wrist
            hinge = np.cross(wrist - shoulder, pole)
            rest_hinge = np.cross(DOWN, rest_pole)
            body.world[:, ix(f"{side}_shoulder")] = bone_world(
                elbow - shoulder, hinge, DOWN, rest_hinge
            )
            body.world[:, ix(f"{side}_elbow")] = bone_world(wrist - elbow, hinge, DOWN, rest_hinge)
            body.world[:, ix(f"{side}_wrist")] = body.world[:, ix(f"{side}_elbow")]


def hand_targets(
    hold: str, ldr: Body, flw: Body, skeletons: dict[str, Skeleton]
) -> dict[str, dict[str, Array]]:
    """Where each hand goes in ``hold`` (world positions per frame)."""
    li, fi = skeletons["leader"].index, skeletons["follower"].index

    def p(body: Body, idx: Callable[[str], int], joint: str) -> Array:
        return body.positions[:, idx(joint)]

    def axes(body: Body, idx: Callable[[str], int]) -> tuple[Array, Array]:
        rot = body.world[:, idx("chest")]
        return apply(rot, FORWARD), apply(rot, np.array([1.0, 0.0, 0.0]))

    l_fwd, l_right = axes(ldr, li)
    f_fwd, f_right = axes(flw, fi)
    hanging = {
        "leader": {s: p(ldr, li, f"{s}_shoulder") + 0.5 * DOWN + 0.1 * l_fwd for s in "lr"},
        "follower": {s: p(flw, fi, f"{s}_shoulder") + 0.46 * DOWN + 0.1 * f_fwd for s in "lr"},
    }
    for role, body_right in (("leader", l_right), ("follower", f_right)):
        hanging[role]["l"] = hanging[role]["l"] - 0.06 * body_right
        hanging[role]["r"] = hanging[role]["r"] + 0.06 * body_right
    out = {role: dict(hands) for role, hands in hanging.items()}

    def join(leader_hand: str, follower_hand: str, drop_m: float) -> None:
        meet = (p(ldr, li, f"{leader_hand}_shoulder") + p(flw, fi, f"{follower_hand}_shoulder")) / 2
        meet = meet - np.array([0.0, 0.0, drop_m])
        out["leader"][leader_hand] = out["follower"][follower_hand] = meet

    def raised(leader_hand: str, follower_hand: str) -> None:
        head = p(flw, fi, "head")
        meet = 0.7 * head + 0.3 * p(ldr, li, f"{leader_hand}_shoulder")
        meet[:, 2] = head[:, 2] + 0.22
        out["leader"][leader_hand] = out["follower"][follower_hand] = meet

    if hold == "closed":
        joined = (p(ldr, li, "l_shoulder") + p(flw, fi, "r_shoulder")) / 2
        meet = joined + 0.22 * (-l_right) + np.array([0.0, 0.0, 0.02])
        out["leader"]["l"] = out["follower"]["r"] = meet
        out["leader"]["r"] = p(flw, fi, "chest") - 0.1 * f_fwd - 0.08 * f_right
        out["follower"]["l"] = p(ldr, li, "r_shoulder") + 0.02 * l_fwd - 0.05 * UP
    elif hold == "embrace":
        for s, sign in (("l", -1.0), ("r", 1.0)):
            out["leader"][s] = p(flw, fi, "spine") - sign * 0.13 * f_right - 0.05 * f_fwd
            out["follower"][s] = p(ldr, li, f"{'r' if s == 'l' else 'l'}_shoulder") + 0.03 * UP
    elif hold == "shadow":
        for s in "lr":
            out["leader"][s] = p(flw, fi, f"{s}_shoulder") - 0.08 * f_fwd - 0.03 * UP
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
    return out
