"""Each dancer's tracks over time: body point, facing, feet and the actions of the steps."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter1d

from pasdeux.choreo import Routine
from pasdeux.dances.geometry import BODY_HOLDS, DancerPose, ReplayedStep, replay_figure
from pasdeux.motion._kin import Array, smoothstep

ROLES = ("leader", "follower")
_LIFT_M = 0.06
_BLEND_S = 0.3


@dataclass(frozen=True)
class TimedStep:
    replayed: ReplayedStep
    figure_index: int
    beat: float
    t_land: float
    t_lift: float
    t_end: float


def timed_steps(routine: Routine) -> dict[str, list[TimedStep]]:
    tempo = routine.tempo_map
    out: dict[str, list[TimedStep]] = {role: [] for role in ROLES}
    for fig_index, placed in enumerate(routine.figures):
        for rs in replay_figure(placed.figure, *placed.start_pose.dancers()):
            beat = placed.start_beat + rs.step.beat
            t_land = tempo.second_from_beat(beat)
            t_end = tempo.second_from_beat(beat + rs.step.duration_beats)
            out[rs.role].append(TimedStep(rs, fig_index, beat, t_land, t_land, t_end))
    for role in ROLES:
        timed = out[role]
        for i, s in enumerate(timed):
            beat_s = 60.0 / float(tempo.bpm_at_seconds(np.array([s.t_land]))[0])
            previous_land = timed[i - 1].t_land if i else s.t_land - beat_s
            travel = min(s.t_land - previous_land, 0.6 * beat_s)
            timed[i] = TimedStep(
                s.replayed, s.figure_index, s.beat, s.t_land, s.t_land - travel, s.t_end
            )
    return out


@dataclass
class Tracks:
    body_xy: Array  # (F, 2)
    facing: Array  # (F,)
    feet: dict[str, Array]  # foot -> (F, 3) ankle-contact point on the floor, z = lift
    drop_m: Array  # (F,) pelvis lowering (dip, bob)
    rise_m: Array  # (F,)
    lean_rad: Array  # (F,) forward lean of the torso
    sway_rad: Array  # (F,) sideways tilt, positive to the right
    head_pitch_rad: Array  # (F,)


def slice_tracks(tr: Tracks, part: slice) -> Tracks:
    """The frames ``part`` of every track."""
    return Tracks(
        body_xy=tr.body_xy[part],
        facing=tr.facing[part],
        feet={foot: track[part] for foot, track in tr.feet.items()},
        drop_m=tr.drop_m[part],
        rise_m=tr.rise_m[part],
        lean_rad=tr.lean_rad[part],
        sway_rad=tr.sway_rad[part],
        head_pitch_rad=tr.head_pitch_rad[part],
    )


def dancer_tracks(steps: list[TimedStep], start: DancerPose, times: Array) -> Tracks:
    """One dancer's tracks: each step travels from where the track is (normally where the
    previous step landed) to where it lands, in the window before its landing."""
    n = times.size
    body = np.tile(start.body, (n, 1))
    facing = np.full(n, start.facing_rad)
    feet = {f: np.column_stack([np.tile(start.feet[f], (n, 1)), np.zeros(n)]) for f in "LR"}
    fps = 1.0 / (times[1] - times[0]) if n > 1 else 60.0
    at_body, at_facing = start.body.copy(), start.facing_rad
    at_feet = {f: start.feet[f].copy() for f in "LR"}
    targets = {k: np.zeros(n) for k in ("drop", "rise", "lean", "sway", "head")}
    bob = np.zeros(n)
    for s in steps:
        rs = s.replayed
        # The step's own turn (a full spin is a full turn), plus any difference between
        # where the track is and where the step begins (none within a plan).
        turn = -rs.step.turn_eighths * math.pi / 4
        turn += math.remainder(rs.facing_after - (at_facing + turn), 2 * math.pi)
        during = (times >= s.t_lift) & (times < s.t_land)
        after = times >= s.t_land
        phase = smoothstep((times[during] - s.t_lift) / max(s.t_land - s.t_lift, 1e-6))
        b1 = np.array(rs.body_after)
        body[during] = at_body + (b1 - at_body) * phase[:, None]
        body[after] = b1
        facing[during] = at_facing + turn * phase
        facing[after] = at_facing + turn
        foot = feet[rs.step.foot]
        f0, f1 = at_feet[rs.step.foot], np.array(rs.foot_to)
        foot[during, :2] = f0 + (f1 - f0) * phase[:, None]
        lift = min(_LIFT_M, 0.02 + 0.3 * float(np.linalg.norm(f1 - f0)))
        foot[during, 2] = lift * np.sin(np.pi * phase)
        foot[after, :2] = f1
        foot[after, 2] = 0.0
        at_body, at_facing, at_feet[rs.step.foot] = b1, at_facing + turn, f1
        if rs.step.weight and rs.step.direction not in ("replace", "in_place"):
            bob += 0.012 * np.exp(-0.5 * ((times - s.t_land) / 0.12) ** 2)
        window = (times >= s.t_land) & (times < s.t_end)
        action_targets(rs, window, targets)
    width = max(1, round(_BLEND_S * fps))
    smooth = {k: uniform_filter1d(uniform_filter1d(v, width), width) for k, v in targets.items()}
    return Tracks(
        body_xy=body,
        facing=facing,
        feet=feet,
        drop_m=smooth["drop"] + bob,
        rise_m=smooth["rise"],
        lean_rad=smooth["lean"],
        sway_rad=smooth["sway"],
        head_pitch_rad=smooth["head"],
    )


def follow_in_hold(
    tracks: dict[str, Tracks],
    follower_steps: list[TimedStep],
    start: dict[str, DancerPose],
    times: Array,
) -> None:
    """Move the follower's body with the leader's where the hold joins them (see the
    module's description): between two of her landings her offset from him goes from one
    landing's to the next, in his frame in a body hold, on the floor in a hand hold."""
    if not follower_steps:
        return
    lead, follow = tracks["leader"], tracks["follower"]
    lands = np.array([s.t_land for s in follower_steps])
    lifts = np.array([s.t_lift for s in follower_steps])
    frames = np.clip(np.searchsorted(times, lands), 0, times.size - 1)
    her = np.array([s.replayed.body_after for s in follower_steps])
    # Offsets at her landings (and at the start), on the floor and in his frame.
    world = np.vstack([start["follower"].body - start["leader"].body, her - lead.body_xy[frames]])
    his_facing = np.concatenate([[start["leader"].facing_rad], lead.facing[frames]])
    own = to_frame(world, his_facing)
    # For each frame: the step she travels into (k) and its phase.
    k = np.clip(np.searchsorted(lands, times, side="left"), 0, len(follower_steps) - 1)
    past = times >= lands[-1]
    span = np.maximum(lands[k] - lifts[k], 1e-6)
    phase = np.where(past, 1.0, smoothstep((times - lifts[k]) / span))
    a, b = k, k + 1  # rows of the offsets: 0 = the start, k + 1 = her step k
    in_frame = own[a] + (own[b] - own[a]) * phase[:, None]
    on_floor = round_him(world[a], world[b], phase)
    holds = np.array([s.replayed.step.hold for s in follower_steps])[k]
    body_mode = np.isin(holds, BODY_HOLDS)
    hand_mode = ~body_mode & (holds != "none")
    carried = lead.body_xy + from_frame(in_frame, lead.facing)
    follow.body_xy[body_mode] = carried[body_mode]
    follow.body_xy[hand_mode] = (lead.body_xy + on_floor)[hand_mode]


def round_him(start: Array, end: Array, phase: Array) -> Array:
    """Offsets from ``start`` to ``end`` at ``phase`` (0-1), her distance and direction from
    him interpolated apart: in a hand hold she goes round him, not through him (a straight
    line from his right to his left passes where he stands)."""
    r0, r1 = np.hypot(start[:, 0], start[:, 1]), np.hypot(end[:, 0], end[:, 1])
    a0 = np.arctan2(start[:, 1], start[:, 0])
    turn = np.remainder(np.arctan2(end[:, 1], end[:, 0]) - a0 + np.pi, 2 * np.pi) - np.pi
    r = r0 + (r1 - r0) * phase
    angle = a0 + turn * phase
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def to_frame(offset: Array, facing: Array) -> Array:
    """Floor offsets as (forward, right) in the frames of dancers facing ``facing``."""
    c, s = np.cos(facing), np.sin(facing)
    return np.column_stack(
        [offset[:, 0] * c + offset[:, 1] * s, offset[:, 0] * s - offset[:, 1] * c]
    )


def from_frame(local: Array, facing: Array) -> Array:
    """Inverse of :func:`to_frame`."""
    c, s = np.cos(facing), np.sin(facing)
    return np.column_stack([local[:, 0] * c + local[:, 1] * s, local[:, 0] * s - local[:, 1] * c])


def action_targets(rs: ReplayedStep, window: NDArray[np.bool_], targets: dict[str, Array]) -> None:
    action = rs.step.action
    if action == "rise":
        targets["rise"][window] = 0.035
    elif action == "lower":
        targets["drop"][window] = 0.03
    elif action == "sway_left":
        targets["sway"][window] = -0.07
    elif action == "sway_right":
        targets["sway"][window] = 0.07
    if rs.step.position == "dip" or action == "dip":
        if rs.role == "leader":
            targets["drop"][window] = 0.16
            targets["lean"][window] = 0.18
        else:
            targets["drop"][window] = 0.08
            targets["lean"][window] = -0.55
            targets["head"][window] = -0.35
