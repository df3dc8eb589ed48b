"""Each dancer's tracks over time: body point, facing, feet and the actions of the steps."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import PchipInterpolator
from scipy.ndimage import uniform_filter1d

from pasdeux.choreo import FollowedStep, Routine
from pasdeux.dances import find_style
from pasdeux.dances.geometry import (
    BODY_HOLDS,
    DancerPose,
    ReplayedStep,
    placement_turn_rad,
    replay_figure,
)
from pasdeux.errors import InputError
from pasdeux.motion._params import MotionParams
from pasdeux.motion.rig import Array, smoothstep

ROLES = ("leader", "follower")
OTHER_FOOT = {"L": "R", "R": "L"}


@dataclass(frozen=True)
class TimedStep:
    replayed: ReplayedStep
    figure_index: int
    beat: float
    t_land: float
    t_lift: float
    t_end: float
    t_turn: float  # the body starts the step's turn (at or before the lift, but not before
    # the figure before has ended: after a hop, a figure's first step turns in the air)
    standard: bool = False  # a step of a Standard (ballroom) dance
    springy: bool = False  # a step of a dance whose pulse is springy (Jive, swing)
    latin: bool = False  # a step of a Latin dance (the free foot rests on its ball)
    t_placed: float | None = None  # the body's turn into a couple placed afresh ends (at
    # the landing when None; a figure's first step only)


def timed_steps(
    routine: Routine,
    params: MotionParams,
    follower: Sequence[FollowedStep] | None = None,
    leader: Sequence[FollowedStep] | None = None,
) -> dict[str, list[TimedStep]]:
    """Every step of both dancers with its times: it lifts at most ``travel_beats`` and at
    most ``travel_share`` of the time since the dancer's previous landing before it lands,
    earlier if the foot could not otherwise get there at ``max_foot_speed_m_s`` or the
    body turn at ``max_turn_rad_s`` (though not before it landed itself, nor before the
    other foot, bearing the weight, has landed: no hop off a standing foot; the body then
    starts its turn before the foot lifts, over the standing foot). A step marked ``hop``
    is in the air ``hop_air_share`` of the time since its foot last landed; the foot free
    through it may leave as soon as the hopping foot had the weight (both feet are off
    the floor in the hop).

    The follower's steps are her part of the routine's figures, or ``follower`` when given
    (the steps she decided on herself, reading the leader: :func:`own_steps`). The
    leader's are his part of the routine's figures but for the figures ``leader``'s steps
    belong to (the steps he decided on reading her, where she led), which take their
    place."""
    tempo = routine.tempo_map
    out: dict[str, list[TimedStep]] = {role: [] for role in ROLES}
    kinds = {name: _traits(name) for name in {p.dance for p in routine.figures}}
    for fig_index, placed in enumerate(routine.figures):
        replayed = replay_figure(placed.figure, *placed.start_pose.dancers())
        beats = [placed.start_beat + rs.step.beat for rs in replayed]
        lands = tempo.seconds_from_beats(beats).tolist()
        ends = tempo.seconds_from_beats(
            [beat + rs.step.duration_beats for beat, rs in zip(beats, replayed, strict=True)]
        ).tolist()
        for rs, beat, t_land, t_end in zip(replayed, beats, lands, ends, strict=True):
            out[rs.role].append(
                TimedStep(rs, fig_index, beat, t_land, t_land, t_end, t_land, *kinds[placed.dance])
            )
    if follower is not None:
        out["follower"] = own_steps(routine, follower)
    if leader:
        out["leader"] = own_steps(routine, leader, role="leader", around=out["leader"])
    bpms = {
        role: tempo.bpm_at_seconds(np.array([s.t_land for s in out[role]])).tolist()
        for role in ROLES
    }
    for role in ROLES:
        _time_lifts(out[role], bpms[role], params)
    return out


def _time_lifts(timed: list[TimedStep], bpms: list[float], params: MotionParams) -> None:
    """Set the lift (and turn start) of each of one dancer's ``timed`` steps, in place
    (``bpms``: the tempo at each landing); see :func:`timed_steps`."""
    landed = {"L": -math.inf, "R": -math.inf}
    for i, s in enumerate(timed):
        beat_s = 60.0 / bpms[i]
        previous_land = timed[i - 1].t_land if i else s.t_land - beat_s
        if i > 1 and timed[i - 1].replayed.step.action == "hop":
            # the foot free through a hop may leave once the hopping foot has the weight
            previous_land = timed[i - 2].t_land
        travel = min(params.travel_share * (s.t_land - previous_land), params.travel_beats * beat_s)
        rs = s.replayed
        distance_m = swept_length_m(
            np.array(rs.foot_from), np.array(rs.foot_to), -rs.step.turn_eighths * math.pi / 4
        )
        turn_rad = abs(rs.step.turn_eighths) * math.pi / 4
        needed = max(distance_m / params.max_foot_speed_m_s, turn_rad / params.max_turn_rad_s)
        own = s.t_land - landed[rs.step.foot]
        travel = max(travel, min(needed, params.travel_share * own))
        t_turn = s.t_land - travel
        previous = timed[i - 1].replayed.step if i else None
        if previous is not None and previous.weight and previous.foot != rs.step.foot:
            travel = min(travel, s.t_land - previous_land)
        if rs.step.action == "hop":
            # a hop springs off the foot it lands on: in the air for a share of its time
            travel = params.hop_air_share * own
            t_turn = min(t_turn, s.t_land - travel)
        t_placed = None
        if i and timed[i - 1].figure_index != s.figure_index:
            # A figure's turn begins once the figure before has ended (at its last
            # landing), even where its first foot left during that figure's last hop: the
            # turn of a couple placed afresh, too, is the new figure's.
            t_turn = max(t_turn, timed[i - 1].t_land)
            t_placed = _placed_until(timed, i, t_turn, params.placement_turn_rad_s)
        landed[rs.step.foot] = s.t_land
        timed[i] = replace(s, t_lift=s.t_land - travel, t_turn=t_turn, t_placed=t_placed)


def _placed_until(timed: list[TimedStep], i: int, t_turn: float, rad_s: float) -> float | None:
    """When the body's turn into a couple placed afresh at figure ``timed[i]`` (the first
    step of its figure; the turn starting at ``t_turn``) ends: at the landing when it is
    done by then at ``rad_s`` on average, else later, but never after the dancer's next
    landing in the figure (none: at the landing). None when there is no such turn."""
    s = timed[i]
    turn = placement_turn_rad(timed[i - 1].replayed.facing_after, s.replayed.facing_before)
    if not turn:
        return None
    nxt = timed[i + 1] if i + 1 < len(timed) else None
    latest = nxt.t_land if nxt is not None and nxt.figure_index == s.figure_index else s.t_land
    return max(s.t_land, min(t_turn + abs(turn) / rad_s, latest))


def own_steps(
    routine: Routine,
    follower: Sequence[FollowedStep],
    *,
    role: str = "follower",
    around: Sequence[TimedStep] = (),
) -> list[TimedStep]:
    """A dancer's own steps (in time order) as timed steps: each travels from where the
    dancer's previous step left that foot and the body (the routine's start pose before
    the first) to where the dancer put it; the times are the dancer's, the beats read from
    the song's. ``around``: the dancer's steps of the routine's other figures (those of
    the figures the own steps belong to are left out), kept as they are, in time order
    with the own steps."""
    tempo = routine.tempo_map
    start = getattr(routine.figures[0].start_pose, role)
    feet = {"L": start.left_foot_xy_m, "R": start.right_foot_xy_m}
    body, facing = start.body_xy_m, start.facing_rad
    kinds = {name: _traits(name) for name in {p.dance for p in routine.figures}}
    covered = {s.figure_index for s in follower}
    kept: list[tuple[float, TimedStep | FollowedStep]] = [
        (s.t_land, s) for s in around if s.figure_index not in covered
    ]
    kept += [(s.time_s, s) for s in follower]
    out = []
    for _, own in sorted(kept, key=lambda pair: pair[0]):
        if isinstance(own, TimedStep):
            out.append(own)
            done = own.replayed
            feet[done.step.foot], body, facing = done.foot_to, done.body_after, done.facing_after
            continue
        rs = ReplayedStep(
            role=role,
            index=own.index,
            step=own.step,
            foot_from=feet[own.step.foot],
            foot_to=own.foot_xy_m,
            body_before=body,
            body_after=own.body_xy_m,
            facing_before=facing,
            facing_after=own.facing_rad,
        )
        beat = tempo.beat_from_second(own.time_s)
        t_end = tempo.second_from_beat(beat + own.step.duration_beats)
        times = (own.time_s, own.time_s, t_end, own.time_s)
        dance = routine.figures[own.figure_index].dance
        out.append(TimedStep(rs, own.figure_index, beat, *times, *kinds[dance]))
        feet[own.step.foot], body, facing = own.foot_xy_m, own.body_xy_m, own.facing_rad
    return out


def _traits(dance: str) -> tuple[bool, bool, bool]:
    """Whether ``dance`` is a Standard (ballroom) dance of the library, whether its pulse
    is springy, and whether it is a Latin dance (all False when it is unknown)."""
    try:
        style = find_style(dance)
    except InputError:
        return False, False, False
    return style.kind == "standard", style.pulse == "springy", style.kind == "latin"


@dataclass
class Tracks:
    body_xy: Array  # (F, 2) the body point from the replay (feet together under it)
    facing: Array  # (F,) unwrapped
    feet: dict[str, Array]  # foot -> (F, 3) ankle-contact point on the floor, z = lift
    foot_yaw: dict[str, Array]  # foot -> (F,) the way the foot points (unwrapped)
    heel_up: dict[str, Array]  # foot -> (F,) 0-1, the heel raised off the floor (a pivot)
    weight_r: Array  # (F,) share of the weight on the right foot (0-1)
    dip: Array  # (F,) 1 within a step declared a dip or lunge, blended
    drop_m: Array  # (F,) pelvis lowering (dip, bob)
    rise_m: Array  # (F,)
    bounce_m: Array  # (F,) knees flexed below wherever the pelvis is (the Samba bounce)
    hop_m: Array  # (F,) the body lifted off the floor by a hop (both feet in the air)
    lean_rad: Array  # (F,) forward lean of the torso
    sway_rad: Array  # (F,) sideways tilt, positive to the right
    head_pitch_rad: Array  # (F,)
    hip: Array  # (F,) 0-1, Cuban hip action (the pelvis tilts and turns over the standing leg)
    contra_rad: Array  # (F,) the chest turned against the hips, counter-clockwise positive
    head_turn_rad: Array  # (F,) the head turned from the chest, counter-clockwise positive
    head_tilt_rad: Array  # (F,) the head tilted sideways, to its left positive
    free_on_ball: Array  # (F,) 0-1, a free foot may rest on its ball whichever way it is (Latin)
    pelvis_m: Array  # (F, 3) the pelvis, planned from all the above (``plan_pelvis``)
    heel_release_rad: dict[str, Array]  # foot -> (F,) a trailing heel raised (``plan_pelvis``)
    landings_xy: Array  # (steps, 2) where each step's foot lands, in the steps' order


def slice_tracks(tr: Tracks, part: slice) -> Tracks:
    """The frames ``part`` of every track."""
    return Tracks(
        body_xy=tr.body_xy[part],
        facing=tr.facing[part],
        feet={foot: track[part] for foot, track in tr.feet.items()},
        foot_yaw={foot: track[part] for foot, track in tr.foot_yaw.items()},
        heel_up={foot: track[part] for foot, track in tr.heel_up.items()},
        weight_r=tr.weight_r[part],
        dip=tr.dip[part],
        drop_m=tr.drop_m[part],
        rise_m=tr.rise_m[part],
        bounce_m=tr.bounce_m[part],
        hop_m=tr.hop_m[part],
        lean_rad=tr.lean_rad[part],
        sway_rad=tr.sway_rad[part],
        head_pitch_rad=tr.head_pitch_rad[part],
        hip=tr.hip[part],
        contra_rad=tr.contra_rad[part],
        head_turn_rad=tr.head_turn_rad[part],
        head_tilt_rad=tr.head_tilt_rad[part],
        free_on_ball=tr.free_on_ball[part],
        pelvis_m=tr.pelvis_m[part],
        heel_release_rad={foot: track[part] for foot, track in tr.heel_release_rad.items()},
        landings_xy=tr.landings_xy,
    )


def dancer_tracks(
    steps: list[TimedStep], start: DancerPose, times: Array, params: MotionParams, ball_m: float
) -> Tracks:
    """One dancer's tracks: each step travels from where the track is (normally where the
    previous step landed) to where it lands, in the window before its landing; the body
    point moves on a smooth path through its places at the landings.

    The facing turns by each step's declared turn (unwrapped: a spin of a whole turn is a
    whole turn) while the foot travels; the standing foot turns with the body on its ball,
    ``ball_m`` in front of the ankle (the ball stays where it is, the heel goes round).
    """
    n = times.size
    fps = 1.0 / (times[1] - times[0]) if n > 1 else 60.0
    feet = _FeetTracks(start, times, ball_m, params)
    keys = ("drop", "lean", "sway", "head", "dip", "hip", "spin", "contra", "turn", "tilt", "latin")
    targets = {k: np.zeros(n) for k in keys}
    bob, bounce = np.zeros(n), np.zeros(n)
    weight_r = np.full(n, {"L": 0.0, "R": 1.0}.get(start.support or "", 0.5))
    for s in steps:
        rs = s.replayed
        feet.step(s)
        if rs.step.weight:
            _transfer_weight(weight_r, times, s.t_land, rs.step.foot, params.weight_transfer_s)
        if rs.step.weight and rs.step.direction not in ("replace", "in_place"):
            _add_bob(bob, times, s.t_land, params.landing_bob_m)
        if rs.step.action == "bounce":
            _bounce(bounce, times, s, params.bounce_m)
        elif s.springy and rs.step.weight:
            _spring(bounce, times, s, params.spring_m)
        window = _between(times, s.t_land, s.t_end)
        if s.latin:
            targets["latin"][_between(times, s.t_lift, s.t_end)] = 1.0
        action_targets(rs, window, targets)
        character_targets(s, times, targets, params)
    width = max(1, round(params.blend_s * fps))
    smooth = {k: uniform_filter1d(uniform_filter1d(v, width), width) for k, v in targets.items()}
    return Tracks(
        body_xy=_body_path(steps, start, times, params.max_body_speed_m_s),
        facing=feet.facing,
        feet=feet.feet,
        foot_yaw=feet.yaw,
        heel_up=feet.heel_up,
        weight_r=weight_r,
        dip=np.clip(smooth["dip"], 0.0, 1.0),
        drop_m=smooth["drop"] + bob,
        rise_m=params.rise_m * rise_level(steps, times),
        bounce_m=bounce,
        hop_m=feet.hop,
        lean_rad=smooth["lean"],
        sway_rad=smooth["sway"],
        head_pitch_rad=smooth["head"],
        hip=np.clip(smooth["hip"], 0.0, 1.0) * (1.0 - np.clip(smooth["spin"], 0.0, 1.0)),
        contra_rad=smooth["contra"],
        head_turn_rad=smooth["turn"],
        head_tilt_rad=smooth["tilt"],
        free_on_ball=np.clip(smooth["latin"], 0.0, 1.0),
        pelvis_m=np.zeros((n, 3)),
        heel_release_rad={foot: np.zeros(n) for foot in "LR"},
        landings_xy=np.array(feet.landings, dtype=float).reshape(-1, 2),
    )


def _between(times: Array, start_s: float, end_s: float) -> slice:
    """The frames of ``times`` (increasing) from ``start_s`` up to, not including,
    ``end_s``."""
    a, b = np.searchsorted(times, [start_s, end_s])
    return slice(int(a), int(max(a, b)))


def _add_bob(bob: Array, times: Array, t_land: float, depth_m: float) -> None:
    """Add a landing's bob to ``bob``: ``depth_m`` at ``t_land``, a bell 0.12 s wide
    (computed within 5 s of the landing: further, it is 0 to the last bit)."""
    part = _between(times, t_land - 5.0, t_land + 5.0)
    bob[part] += depth_m * np.exp(-0.5 * ((times[part] - t_land) / 0.12) ** 2)


def _bounce(drop: Array, times: Array, s: TimedStep, depth_m: float) -> None:
    """Add the bounce of step ``s`` to ``drop``: over the step the knees flex ``depth_m``
    on each beat and straighten between (the Samba bounce, once a beat), smoothly."""
    a, b = np.searchsorted(times, [s.t_land, s.t_end])
    beat_s = (s.t_end - s.t_land) / max(s.replayed.step.duration_beats, 1e-6)
    on_beat = s.t_land - (s.beat % 1.0) * beat_s
    phase = 2.0 * np.pi * (times[a:b] - on_beat) / max(beat_s, 1e-6)
    drop[a:b] = np.maximum(drop[a:b], depth_m * 0.5 * (1.0 + np.cos(phase)))


def _spring(drop: Array, times: Array, s: TimedStep, depth_m: float) -> None:
    """Add the spring of step ``s`` to ``drop``: the knees give ``depth_m`` as its weight
    arrives (deepest a third of the way through the step) and straighten again by its end,
    smoothly (the Jive's and the swing's bounce)."""
    a, b = np.searchsorted(times, [s.t_land, s.t_end])
    u = (times[a:b] - s.t_land) / max(s.t_end - s.t_land, 1e-6)
    # u ** p is a half at u = 1/3: the sine's peak comes a third of the way through.
    give = np.sin(np.pi * u ** (math.log(0.5) / math.log(1.0 / 3.0)))
    drop[a:b] = np.maximum(drop[a:b], depth_m * give * give)


_RISE_GOES_ON = ("", "rise", "lower", "sway_left", "sway_right", "pivot")
"""Actions through which a rise is held (the next step of a rise-and-fall bar)."""


def rise_level(steps: list[TimedStep], times: Array) -> Array:
    """How far the dancer is risen (0-1) at ``times``: a rise commences at the middle of a
    step marked ``rise`` ("rise at the end of 1") and is up at its end; it is held through
    the following steps of the figure (sway, pivot, a plain step) and lowered over the second
    half of a step marked ``lower`` ("lower at the end of 3"), or of the last step before
    one that does not go on with it."""
    level = np.zeros(times.size)
    up: tuple[float, float] | None = None
    for i, s in enumerate(steps):
        action = s.replayed.step.action
        half = 0.5 * (s.t_land + s.t_end)
        nxt = steps[i + 1] if i + 1 < len(steps) else None
        ends = (
            action == "lower"
            or nxt is None
            or nxt.figure_index != s.figure_index
            or nxt.replayed.step.action not in _RISE_GOES_ON
        )
        if up is None and action == "rise":
            up = (s.t_land, half) if ends else (half, s.t_end)
        if up is not None and ends:
            down = (half, s.t_end) if up[1] <= half else (up[1], s.t_end)
            # 0 before the rise and once lowered: worked out between.
            part = _between(times, up[0], max(down[1], down[0] + 1e-6) + 1e-9)
            rising = smoothstep((times[part] - up[0]) / max(up[1] - up[0], 1e-6))
            lowering = smoothstep((times[part] - down[0]) / max(down[1] - down[0], 1e-6))
            level[part] = np.maximum(level[part], rising * (1.0 - lowering))
            up = None
    return level


def character_targets(
    s: TimedStep, times: Array, targets: dict[str, Array], params: MotionParams
) -> None:
    """Set the targets of the dance's character over step ``s``: the Cuban hip action of a
    step marked ``hip`` (from when its weight starts to arrive to its end; none over a
    step turning a quarter or more, a spin or turn danced with the hips level), the chest
    turned into a turning step of a Standard dance (contra-body movement, while the body
    turns; a Latin spin turns the body as one) and, in the closed hold of a Standard
    dance, the head (hers turned and tilted to her left, his a little to his left, over
    her right shoulder); the fall of a step marked ``lower`` (the knees give at its end
    and into the next landing)."""
    rs = s.replayed
    start = min(s.t_lift, s.t_turn)
    whole = _between(times, start, s.t_end)
    if abs(rs.step.turn_eighths) >= 2:
        targets["spin"][whole] = 1.0
    elif rs.step.action == "hip":
        arriving = s.t_land - 0.75 * params.weight_transfer_s
        targets["hip"][_between(times, arriving, s.t_end)] = 1.0
    if rs.step.action == "lower":
        span = s.t_end - s.t_land
        fall = _between(times, s.t_end - 0.25 * span, s.t_end + 0.5 * span)
        targets["drop"][fall] = np.maximum(targets["drop"][fall], params.fall_m)
    if rs.step.turn_eighths and s.standard:
        turning = _between(times, start, s.t_land)
        targets["contra"][turning] = -math.copysign(
            math.radians(params.contra_body_deg), rs.step.turn_eighths
        )
    if s.standard and rs.step.hold == "closed" and rs.step.position != "dip":
        if rs.role == "follower":
            targets["turn"][whole] = math.radians(params.head_turn_deg)
            targets["tilt"][whole] = math.radians(params.head_tilt_deg)
        else:
            targets["turn"][whole] = math.radians(params.leader_head_turn_deg)


class _FeetTracks:
    """The facing, both feet and the way they point, built step by step."""

    def __init__(
        self, start: DancerPose, times: Array, ball_m: float, params: MotionParams
    ) -> None:
        n = times.size
        self.times, self.ball_m, self.lift_m = times, ball_m, params.swing_lift_m
        self.ease_in_power = params.swing_ease_in_power
        self.place_s = params.swing_place_s
        self.even_s = params.swing_even_s
        self.peak_m_s = params.swing_peak_speed_m_s
        self.peak_shares = _peak_shares(max(params.swing_ease_in_power, 1.0))
        self.promenade_turn_rad = math.radians(params.promenade_foot_turn_deg)
        self.facing = np.full(n, start.facing_rad)
        self.feet = {
            f: np.column_stack([np.tile(start.feet[f], (n, 1)), np.zeros(n)]) for f in "LR"
        }
        self.at_facing = start.facing_rad
        self.at_feet = {f: start.feet[f].copy() for f in "LR"}
        placed = {f: start.feet_facing_rad.get(f, start.facing_rad) for f in "LR"}
        self.at_yaw = {
            f: start.facing_rad + math.remainder(placed[f] - start.facing_rad, 2 * math.pi)
            for f in "LR"
        }
        self.yaw = {f: np.full(n, self.at_yaw[f]) for f in "LR"}
        self.heel_up = {f: np.zeros(n) for f in "LR"}
        self.kick_m = {"kick": params.kick_height_m, "flick": params.flick_height_m}
        self.hop_m, self.hop_free_m = params.hop_height_m, params.hop_free_lift_m
        self.hop = np.zeros(n)  # the body lifted by a hop
        self.at_z = {"L": 0.0, "R": 0.0}  # how high each foot is (up after a kick)
        self.landed = {"L": 0, "R": 0}  # frame from which each foot is on the floor
        self.landings: list[Array] = []  # where each step's foot lands

    def step(self, s: TimedStep) -> None:
        """Add step ``s``: the facing turns, the foot travels, the standing foot pivots."""
        rs = s.replayed
        # The step's own turn (a full spin is a full turn), plus any difference between
        # where the track is and where the step begins (none within a plan).
        turn = -rs.step.turn_eighths * math.pi / 4
        placed = placement_turn_rad(self.at_facing + turn, rs.facing_after)
        turn += placed
        a, b, c = np.searchsorted(self.times, [s.t_lift, s.t_land, s.t_turn])
        u = np.clip((self.times[a:b] - s.t_lift) / max(s.t_land - s.t_lift, 1e-6), 0.0, 1.0)
        phase = smoothstep(u)
        span = max(s.t_land - s.t_turn, 1e-6)
        turning = smoothstep((self.times[c:b] - s.t_turn) / span)
        facing0 = self.at_facing
        self._turn_body(s, (int(c), int(b)), (turn, placed), turning)
        moving, standing = rs.step.foot, OTHER_FOOT[rs.step.foot]
        if turn and c < a:
            # The body turns before the foot lifts: the foot swivels with it on its ball
            # until then (rather than catching up the whole turn in the air).
            share = float(turning[a - c - 1])
            if share > 0:
                swivel = (c, max(c, self.landed[moving]), a)
                self._pivot(moving, turn * share, swivel, turning[: a - c] / share)
        f0 = self.at_feet[moving]
        f1, stays = self._landing(rs, f0, turn)
        self.landings.append(f1)
        # A foot only a moment in the air (the quick 'a' of a chassé) goes straight: its
        # chord is short, and round the turn it would go faster still.
        sweep = turn if s.t_land - s.t_lift >= self.even_s else 0.0
        place = self._placing(s, u, swept_length_m(f0, f1, sweep))
        self.feet[moving][a:b, :2] = swept_path(f0, f1, sweep, place)
        self._lift(rs, (int(a), int(b)), (f0, f1, 0.0 if stays else None), (u, phase, place))
        toe = self._point(rs, (int(a), int(b), int(c)), (facing0, turn), (turning, phase))
        if turn:
            self._pivot(standing, turn, (c, max(c, self.landed[standing]), b), turning)
        self.at_facing = facing0 + turn
        self.at_feet[moving], self.at_yaw[moving] = f1, facing0 + turn + toe
        self.landed[moving] = int(b)

    def _turn_body(
        self, s: TimedStep, frames: tuple[int, int], turns: tuple[float, float], turning: Array
    ) -> None:
        """Turn the facing by step ``s``'s turn (``turns``: all of it and the part that
        turns into a couple placed afresh) from its frames ``frames`` (the turn's start,
        the landing; ``turning``: its phase, 0-1, over them). Turns add up: a step turning
        before the previous one landed (a quick step of a long way, a quick swivel) turns
        on top of the previous turn's end, without a jump. The turn into a couple placed
        afresh may go on after the landing, until ``s.t_placed``."""
        c, b = frames
        turn, placed = turns
        t_placed = s.t_placed if s.t_placed is not None else s.t_land
        late = placed if t_placed > s.t_land else 0.0
        self.facing[c:b] += (turn - late) * turning
        self.facing[b:] += turn - late
        if late:
            e = int(np.searchsorted(self.times, t_placed))
            into = (self.times[c:e] - s.t_turn) / max(t_placed - s.t_turn, 1e-6)
            self.facing[c:e] += late * smoothstep(into)
            self.facing[e:] += late

    def _placing(self, s: TimedStep, u: Array, path_m: float) -> Array:
        """How far (0-1) the foot of step ``s``, travelling ``path_m``, has travelled at
        ``u`` (0-1) of its time in the air (see :meth:`_place_power`)."""
        return smoothstep(u ** self._place_power(s.t_land - s.t_lift, path_m))

    def _landing(self, rs: ReplayedStep, f0: Array, turn: float) -> tuple[Array, bool]:
        """Where the foot of step ``rs`` (now at ``f0``; the step turning by ``turn``)
        lands, and whether it stays where it is: a weight change on a foot that stays (a
        replace without a swivel) leaves it where it stands, on the floor, where a pivot on
        its ball moved it off the plan's mark (at most the ball's distance either side);
        further off (the couple placed afresh) it steps there."""
        f1 = np.array(rs.foot_to)
        stays = (
            math.dist(rs.foot_from, rs.foot_to) < 1e-3
            and not turn
            and float(np.linalg.norm(f1 - f0)) <= 2 * self.ball_m
            and self.at_z[rs.step.foot] == 0.0
        )
        return (f0.copy(), True) if stays else (f1, False)

    def _lift(
        self,
        rs: ReplayedStep,
        frames: tuple[int, int],
        ends: tuple[Array, Array, float | None],
        phases: tuple[Array, Array, Array],
    ) -> None:
        """The height of the foot of step ``rs`` over its frames in the air (``frames``:
        lift-off and landing; ``ends``: where it starts and lands and its lift, None for
        the swing's own; ``phases``: its time in the air, the smooth phase and how far it
        has travelled, each 0-1) and after: a hop springs off the floor with the body; a
        kick or flick is up in the air on its beat (and stays up until the foot's next step
        takes it on); every other step is on the floor."""
        a, b = frames
        f0, f1, lift = ends
        u, phase, place = phases
        moving = rs.step.foot
        foot = self.feet[moving]
        if lift is None:
            lift = min(self.lift_m, 0.02 + 0.3 * float(np.linalg.norm(f1 - f0)))
        if rs.step.action == "hop":
            # the weight-bearing foot springs off the floor with the body and comes down on
            # the beat, faster than it rose (a flight whose peak is past its middle)
            lift, place = self.hop_m, u * u
            self.hop[a:b] = np.maximum(self.hop[a:b], lift * np.sin(np.pi * place))
            self._free_foot_up(OTHER_FOOT[moving], a, b, phase)
        # The foot leaves from where it is as it lifts (up after a kick, or the free foot
        # lifted by a hop).
        z0 = float(foot[a, 2]) if a < foot.shape[0] else self.at_z[moving]
        z1 = 0.0 if rs.step.weight else self.kick_m.get(rs.step.action, 0.0)
        foot[a:b, 2] = z0 + (z1 - z0) * place + lift * np.sin(np.pi * place)
        foot[b:, :2] = f1
        foot[b:, 2] = z1
        self.at_z[moving] = z1

    def _point(
        self,
        rs: ReplayedStep,
        frames: tuple[int, int, int],
        facing: tuple[float, float],
        phases: tuple[Array, Array],
    ) -> float:
        """The way the foot of step ``rs`` points over its frames in the air and after
        (``frames``: lift-off, landing, the body's turn's start; ``facing``: the body's
        before the step and its turn; ``phases``: of the body's turn and of the swing),
        from the way it points on the floor (the body may have begun to turn over the
        other foot before it lifts) to the body's (turned out along a promenade); returns
        how far it lands turned from the body (:meth:`_toe_turn_rad`)."""
        a, b, c = frames
        facing0, turn = facing
        turning, phase = phases
        moving = rs.step.foot
        yaw = self.yaw[moving]
        # the body's turn over the frames in the air (it may begin after the lift)
        body = facing0 + turn * (turning[a - c :] if a >= c else np.pad(turning, (c - a, 0)))
        toe = self._toe_turn_rad(rs)
        start = body[0] if body.size else facing0
        yaw[a:b] = body + (self.at_yaw[moving] - start) * (1.0 - phase) + toe * phase
        yaw[b:] = facing0 + turn + toe
        return toe

    def _place_power(self, swing_s: float, path_m: float) -> float:
        """The power of the time in :func:`smoothstep` ``(u ** power)`` with which a foot
        ``swing_s`` in the air travels its ``path_m``. The foot leaves gently and is placed
        decisively (no creeping onto its mark): a slow step leaves more gently still
        rather than slowing down longer; a foot only a moment in the air (a quick 'a' of a
        chassé) moves evenly, its speed peaking least (1.5 times its average rather than
        1.83). A foot that would peak faster than ``swing_peak_speed_m_s`` (a long step in
        a fast tempo) is placed only as decisively as keeps it under that, down to
        evenly."""
        even = min(1.0, swing_s / self.even_s)
        power = max(1.0 + (self.ease_in_power - 1.0) * even, swing_s / self.place_s)
        mean_m_s = path_m / max(swing_s, 1e-9)
        powers, peaks = self.peak_shares
        if power > 1.0 and mean_m_s * np.interp(power, powers, peaks) > self.peak_m_s:
            within = powers[(peaks * mean_m_s <= self.peak_m_s) & (powers <= power)]
            power = float(within.max()) if within.size else 1.0
        return power

    def _free_foot_up(self, foot: str, a: int, b: int, phase: Array) -> None:
        """The free ``foot`` leaves the floor with a hop over frames ``a:b`` (``phase`` of
        the hop, 0-1) and stays up until its next step takes it on."""
        z0 = self.at_z[foot]
        up = max(z0, self.hop_free_m)
        track = self.feet[foot]
        track[a:b, 2] = np.maximum(track[a:b, 2], z0 + (up - z0) * phase)
        track[b:, 2] = up
        self.at_z[foot] = up

    def _toe_turn_rad(self, rs: ReplayedStep) -> float:
        """How far the foot of step ``rs`` lands turned from the body's facing
        (counter-clockwise positive): in promenade towards the partner's facing, which is a
        quarter turn to the leader's left (in counter promenade to his right). A step
        turning more than an eighth (a spin) lands pointing where the body turns."""
        sides = {"promenade": 1.0, "counter_promenade": -1.0}
        side = sides.get(rs.step.position, 0.0) if abs(rs.step.turn_eighths) <= 1 else 0.0
        return side * (1.0 if rs.role == "leader" else -1.0) * self.promenade_turn_rad

    def _pivot(self, foot: str, turn: float, frames: tuple[int, int, int], phase: Array) -> None:
        """The other ``foot`` turns by ``turn`` with the body over frames ``a:b`` (``phase``
        of the body's turn; ``frames`` = a, on, b): in the air until it lands (frame
        ``on``), then on the floor on its ball (the ball stays, the heel raised goes
        round)."""
        a, on, b = frames
        y0 = self.at_yaw[foot]
        first = min(on, self.times.size - 1)
        before = float(self.yaw[foot][first])
        self.yaw[foot][a:b] += turn * phase
        self.yaw[foot][b:] += turn
        # The ball where the foot stands before this turn moves it, or where it lands
        # (pointing as it has turned in the air, where the turn began before it landed):
        # it stays there while the heel goes round.
        landed = float(self.yaw[foot][first]) if on > a else before
        ball = self.feet[foot][first, :2] + self.ball_m * np.array(
            [math.cos(landed), math.sin(landed)]
        )
        yaw = np.append(self.yaw[foot][on:b], y0 + turn)
        ankle = ball - self.ball_m * np.column_stack([np.cos(yaw), np.sin(yaw)])
        self.feet[foot][on:b, :2] = ankle[:-1]
        self.feet[foot][b:, :2] = ankle[-1]
        # On the ball the heel is off the floor: raised as soon as the foot starts to
        # turn, lowered as it finishes (so the heel never turns on the floor).
        share = (yaw[:-1] - before) / turn
        bump = smoothstep(np.minimum(share, 1.0 - share) / 0.05)
        self.heel_up[foot][on:b] = np.maximum(self.heel_up[foot][on:b], bump)
        self.at_yaw[foot], self.at_feet[foot] = y0 + turn, ankle[-1]


def _peak_shares(top_power: float, n: int = 41) -> tuple[Array, Array]:
    """Powers from 1 to ``top_power`` and, for each, the fastest speed of
    ``smoothstep(u ** power)`` over ``u`` from 0 to 1 as a share of its mean (1.5 for
    power 1)."""
    powers = np.linspace(1.0, top_power, n)
    u = np.linspace(0.0, 1.0, 2001)
    curves = smoothstep(u[None, :] ** powers[:, None])
    peaks = np.max(np.diff(curves, axis=1), axis=1) * (u.size - 1)
    return powers, peaks


def swept_path(start: Array, end: Array, turn_rad: float, phase: Array) -> Array:
    """Where a foot going from ``start`` to ``end`` (on the floor) while its dancer turns
    by ``turn_rad`` is at each ``phase`` (0-1): round the one centre about which that turn
    takes ``start`` to ``end``, so a foot stepping round a turning couple sweeps round it
    rather than cut the chord through the partner's legs. A turn under
    ``_SWEEP_MIN_RAD`` or over half a turn (a spin: the foot stays about where it is) goes
    straight."""
    centre = _sweep_centre(start, end, turn_rad)
    if centre is None:
        return np.asarray(start + (end - start) * phase[:, None])
    angle = turn_rad * phase
    offset = start - centre
    ca, sa = np.cos(angle), np.sin(angle)
    return np.column_stack(
        [
            centre[0] + ca * offset[0] - sa * offset[1],
            centre[1] + sa * offset[0] + ca * offset[1],
        ]
    )


_SWEEP_MIN_RAD = math.radians(10.0)


def swept_length_m(start: Array, end: Array, turn_rad: float) -> float:
    """How far a foot goes on :func:`swept_path` from ``start`` to ``end``."""
    centre = _sweep_centre(start, end, turn_rad)
    if centre is None:
        return float(np.linalg.norm(end - start))
    return abs(turn_rad) * float(np.linalg.norm(start - centre))


def _sweep_centre(start: Array, end: Array, turn_rad: float) -> Array | None:
    """The centre about which turning by ``turn_rad`` takes ``start`` to ``end`` (None for
    a turn under ``_SWEEP_MIN_RAD`` or over half a turn: the foot goes straight)."""
    if not _SWEEP_MIN_RAD <= abs(turn_rad) <= math.pi:
        return None
    c, s = math.cos(turn_rad), math.sin(turn_rad)
    rot = np.array([[c, -s], [s, c]])
    return np.asarray(np.linalg.solve(np.eye(2) - rot, end - rot @ start))


def _transfer_weight(
    weight_r: Array, times: Array, t_land: float, foot: str, span_s: float
) -> None:
    """The weight goes onto ``foot`` over ``span_s``, ending a quarter of it after ``t_land``."""
    a, b = np.searchsorted(times, [t_land - 0.75 * span_s, t_land + 0.25 * span_s])
    target = 1.0 if foot == "R" else 0.0
    begin = weight_r[min(a, weight_r.size - 1)]
    ramp = smoothstep((times[a:b] - (t_land - 0.75 * span_s)) / span_s)
    weight_r[a:b] = begin + (target - begin) * ramp
    weight_r[b:] = target


def _body_path(
    steps: list[TimedStep], start: DancerPose, times: Array, max_speed_m_s: float
) -> Array:
    """The body point through its place at each landing, on a smooth monotone path (it
    keeps moving from one landing to the next, stopping only where a place repeats); before
    a step after a long pause it waits until the foot lifts."""
    keys_t, keys_xy = [float(times[0]) - 1.0], [start.body]
    for s in steps:
        if s.t_lift > keys_t[-1] + 1e-6 and s.t_lift - keys_t[-1] > 2 * (s.t_land - s.t_lift):
            keys_t.append(s.t_lift)
            keys_xy.append(keys_xy[-1])
        if s.t_land <= keys_t[-1] + 1e-6:
            keys_xy[-1] = np.array(s.replayed.body_after)
            continue
        keys_t.append(s.t_land)
        keys_xy.append(np.array(s.replayed.body_after))
    if len(keys_t) < 2:
        return np.tile(start.body, (times.size, 1))
    t, xy = np.array(keys_t), np.array(keys_xy)
    # Where a body would have to move faster than max_body_speed_m_s to be at its next
    # place in time, it leaves its place before earlier (a long quick step is prepared).
    for i in range(len(t) - 1, 0, -1):
        need = float(np.linalg.norm(xy[i] - xy[i - 1])) / max_speed_m_s
        if t[i] - t[i - 1] < need:
            t[i - 1] = max(t[i] - need, t[i - 2] + 1e-3 if i >= 2 else t[i] - need)
    path = PchipInterpolator(t, xy, axis=0, extrapolate=False)
    out = path(np.clip(times, t[0], t[-1]))
    return np.asarray(out, dtype=float)


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


def action_targets(
    rs: ReplayedStep, window: NDArray[np.bool_] | slice, targets: dict[str, Array]
) -> None:
    """Set the targets (sway, and the drop, lean, head and dip of a dip) of the step's action
    in ``window`` (the rise and fall: :func:`rise_level`, :func:`character_targets`)."""
    action = rs.step.action
    if action in ("dip", "lunge") or rs.step.position == "dip":
        targets["dip"][window] = 1.0
    if action == "sway_left":
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
