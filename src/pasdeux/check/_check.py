"""Measure a written performance: what a dancer, an animator and the issue's targets ask."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pasdeux.check import measures as num
from pasdeux.check._params import CheckParams
from pasdeux.check._report import CheckReport, DancerCheck, FigureTurn
from pasdeux.check._rig import RIG, RigMap
from pasdeux.check._valid import validate
from pasdeux.choreo import Routine
from pasdeux.dances import HOLD_CONNECTIONS, Step
from pasdeux.dances.geometry import placement_turn_rad, replay_figure
from pasdeux.errors import InputError
from pasdeux.motion import DancerMotion, Performance, StepEvent

__all__ = ["check_output", "check_performance"]

Array = NDArray[np.float64]
ROLES = ("leader", "follower")


def check_output(
    folder: str | Path,
    *,
    params: CheckParams | None = None,
    rig: RigMap = RIG,
    progress: Callable[[str], None] | None = None,
) -> CheckReport:
    """Measure what ``pasdeux dance`` wrote into ``folder``.

    The motion is read from ``performance.json`` (:meth:`pasdeux.motion.Performance.load`:
    the project has no public BVH reader) and the routine (beats, figures, steps, holds)
    from ``routine.json`` (which holds the beats as danced: ``music.json`` is not needed);
    the Euler flips are counted on the rotation channels of ``leader.bvh`` and
    ``follower.bvh`` as written (the values an importer sees).

    ``progress`` is told what is measured once every file has been read (a folder that
    is not an output fails before any progress line).

    Raises
    ------
    InputError
        If ``folder`` is not a folder pasdeux wrote (one line naming it and what is wrong).
    """
    path = Path(folder)
    try:
        if not path.is_dir():
            raise InputError(path, "not a folder" if path.exists() else "no such folder")
        missing = [n for n in ("routine.json", "performance.json") if not (path / n).is_file()]
    except OSError as exc:  # a folder that may not be entered (is_file raises EACCES)
        raise InputError(path, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if missing:
        raise InputError(path, f"not a pasdeux output folder (no {', '.join(missing)})")
    routine = _load(Routine.load, path / "routine.json")
    performance = _load(Performance.load, path / "performance.json")
    validate(routine, performance, path, rig)
    channels: dict[str, Array] = {}
    for dancer in performance.dancers:
        bvh = path / f"{dancer.role}.bvh"
        if not bvh.is_file():
            raise InputError(path, f"not a whole pasdeux output folder (no {bvh.name})")
        channels[dancer.role] = num.read_rotation_channels(bvh)[1]
        if len(channels[dancer.role]) != performance.n_frames:
            raise InputError(
                bvh,
                f"holds {len(channels[dancer.role])} frames, performance.json "
                f"{performance.n_frames}: not the BVH file of this performance",
            )
    if progress:
        progress(f"measuring {performance.n_frames} frames of {len(performance.dancers)} dancers")
    return check_performance(
        routine, performance, bvh_channels=channels, params=params, rig=rig, folder=str(path)
    )


def _load(reader: Any, path: Path) -> Any:
    """``reader(path)``, every failure an :class:`InputError` naming ``path``."""
    try:
        return reader(path)
    except InputError as exc:
        if exc.path is not None:
            raise
        raise InputError(path, exc.problem) from None  # a field's error names the field only
    except RecursionError:
        raise InputError(path, "is not a file pasdeux wrote (nested too deeply)") from None
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise InputError(path, f"is not a file pasdeux wrote ({type(exc).__name__})") from None


def check_performance(
    routine: Routine,
    performance: Performance,
    *,
    bvh_channels: dict[str, Array] | None = None,
    params: CheckParams | None = None,
    rig: RigMap = RIG,
    folder: str = "",
) -> CheckReport:
    """Measure ``performance`` (danced from ``routine``); see :class:`CheckReport`.

    Parameters
    ----------
    routine, performance
        What ``pasdeux dance`` wrote (``routine.json``, ``performance.json``).
    bvh_channels
        Per role, the BVH rotation channels in degrees (frames, channels) as written, for
        the Euler flips (None: not counted).
    params
        Thresholds (``CheckParams()`` by default).
    rig
        Where the measured body parts are in the rig (:data:`RIG`).
    folder
        The folder, for the report.
    """
    p = params or CheckParams()
    positions = {d.role: d.joint_positions() for d in performance.dancers}
    holds = _hold_frames(routine, performance, p)
    dancers = tuple(
        _dancer_check(routine, performance, d, positions[d.role], bvh_channels, p, rig)
        for d in performance.dancers
    )
    joined = _joined_hands(performance, positions, holds, p, rig)
    frames, pairs, depth = _interpenetration(performance, positions, holds, p, rig)
    return CheckReport(
        folder=folder,
        fps=performance.fps,
        n_frames=performance.n_frames,
        duration_s=performance.duration_s,
        dancers=dancers,
        turns=_turns(routine, performance, rig),
        joined_frames=joined[0],
        joined_hand_mean_m=joined[1],
        joined_hand_p99_m=joined[2],
        joined_within_share=joined[3],
        interpenetration_frames=frames,
        interpenetration_pairs=pairs,
        interpenetration_depth_max_m=depth,
    )


def _step(routine: Routine, e: StepEvent) -> Step:
    figure = routine.figures[e.figure_index].figure
    return (figure.leader if e.role == "leader" else figure.follower)[e.step_index]


def _events(performance: Performance, role: str) -> list[StepEvent]:
    return sorted((e for e in performance.events if e.role == role), key=lambda e: e.time_s)


def _frame(t: float, fps: float, n: int) -> int:
    return min(max(round(t * fps), 0), n - 1)


def _frame_from(t: float, fps: float, n: int) -> int:
    """The first frame at or after time ``t`` (the first on which what happens at ``t`` is
    seen)."""
    return min(max(math.ceil(t * fps - 1e-6), 0), n - 1)


def _frame_until(t: float, fps: float, n: int) -> int:
    """The last frame at or before time ``t``."""
    return min(max(math.floor(t * fps + 1e-6), 0), n - 1)


def _dancer_check(
    routine: Routine,
    performance: Performance,
    dancer: DancerMotion,
    pos: Array,
    bvh_channels: dict[str, Array] | None,
    p: CheckParams,
    rig: RigMap,
) -> DancerCheck:
    fps, skel = performance.fps, dancer.skeleton
    heels = {f: pos[:, skel.index(j)] for f, j in rig.heels.items()}
    balls = {f: pos[:, skel.index(j)] for f, j in rig.balls.items()}
    events = _events(performance, dancer.role)
    supports = _supports(routine, events, fps, len(pos), p)
    slides = np.asarray(
        [num.support_slide_m(heels[f], balls[f], a, b) for f, a, b in supports], dtype=float
    )
    errors = _step_errors(routine, events, heels, balls, fps, p)
    # Joints only: an end site (fingertip, toe tip, head top) is a bone's tip, not a
    # joint, and the 19-joint rig this measure was first taken on had none.
    joints = skel.real_joints
    speed, at, frame = num.joint_speed_max(pos[:, list(joints)], fps)
    joint = joints[at]
    pelvis_share, pelvis_at = _pelvis_min(routine, events, dancer, pos, fps, p, rig)
    feet = sorted(heels)
    channels = None if bvh_channels is None else bvh_channels.get(dancer.role)
    contact = np.stack([balls[f][:, 2] < p.contact_height_m for f in feet])
    return DancerCheck(
        role=dancer.role,
        supports=len(slides),
        supports_sliding=int(np.sum(slides > p.support_slide_m)),
        support_slide_max_m=float(slides.max()) if slides.size else 0.0,
        support_slide_p99_m=float(np.percentile(slides, 99)) if slides.size else 0.0,
        skating_ratio=float(
            np.mean(
                [
                    num.skating_ratio(balls[f], fps, p.contact_height_m, p.skate_speed_m_s)
                    for f in feet
                ]
            )
        ),
        lodge_skating_ratio=num.lodge_skating_ratio(
            [heels[f] for f in feet],
            [balls[f] for f in feet],
            fps,
            heel_height_m=p.lodge_heel_height_m,
            ball_height_m=p.lodge_ball_height_m,
            speed_m_s=p.lodge_speed_m_s,
        ),
        edge_pfc=num.edge_pfc(
            pos[:, skel.index(rig.root)], [heels[f] for f in feet], [balls[f] for f in feet], fps
        ),
        contact_share=float(contact.mean()),
        steps_timed=len(errors),
        step_error_mean_ms=float(np.mean(np.abs(errors))) if errors.size else None,
        step_error_max_ms=float(np.max(np.abs(errors))) if errors.size else None,
        beat_align_score=num.beat_align_score(
            pos,
            fps,
            np.asarray(routine.beats),
            smoothing_s=p.bas_smoothing_s,
            sigma_s=p.bas_sigma_s,
        ),
        bone_drift_max_m=num.bone_drift_max_m(pos, skel.parents, skel.offsets_m),
        joint_speed_max_m_s=speed,
        joint_speed_max_joint=skel.joints[joint],
        joint_speed_max_at_s=frame / fps,
        euler_flip_frames=None
        if channels is None
        else num.euler_flip_frames(channels, p.euler_flip_deg),
        pelvis_min_share=pelvis_share,
        pelvis_min_at_s=pelvis_at,
        **_character(dancer, pos, heels, supports, p, rig),
    )


def _rest_height_m(dancer: DancerMotion, joint: str) -> float:
    """Height of ``joint`` above the floor in the rest pose (standing flat)."""
    skel = dancer.skeleton
    j, z = skel.index(joint), 0.0
    while j >= 0:
        z += skel.offsets_m[j][2]
        j = skel.parents[j]
    return z


def _character(
    dancer: DancerMotion,
    pos: Array,
    heels: dict[str, Array],
    supports: list[tuple[str, int, int]],
    p: CheckParams,
    rig: RigMap,
) -> dict[str, float]:
    """The dance's character: the largest rise of a standing heel (m; on the ball in a
    rise or a pivot) and the share of support frames with the heel up, the ranges of the
    pelvis' sideways tilt, the spine's twist (chest against pelvis) and the head's turn
    against the chest (degrees), and the head's largest turn either way."""
    skel = dancer.skeleton
    rest = {f: _rest_height_m(dancer, j) for f, j in rig.heels.items()}
    rises = [num.heel_rise_m(heels[f], rest[f], a, b) for f, a, b in supports]
    up = sum(num.heel_up_frames(heels[f], rest[f], p.heel_up_m, a, b) for f, a, b in supports)
    frames = sum(max(b - a, 0) for _, a, b in supports)
    world = {
        part: num.world_rotations(skel.parents, dancer.rotations, skel.index(joint))
        for part, joint in (("pelvis", rig.root), ("chest", rig.chest), ("head", rig.head))
    }
    forward = np.asarray(rig.forward_axis)
    head = num.yaw_between_deg(world["chest"], world["head"], forward)
    return {
        "heel_rise_max_m": max(rises, default=0.0),
        "heel_up_share": up / frames if frames else 0.0,
        "hip_tilt_range_deg": num.range_deg(
            num.tilt_deg(world["pelvis"], np.asarray(rig.right_axis))
        ),
        "spine_twist_range_deg": num.range_deg(
            num.yaw_between_deg(world["pelvis"], world["chest"], forward)
        ),
        "head_turn_range_deg": num.range_deg(head),
        "head_turn_max_deg": float(np.max(np.abs(head))) if head.size else 0.0,
    }


def _beat_s(routine: Routine, t: float) -> float:
    return 60.0 / float(routine.tempo_map.bpm_at_seconds(np.array([t]))[0])


def _supports(
    routine: Routine, events: list[StepEvent], fps: float, n: int, p: CheckParams
) -> list[tuple[str, int, int]]:
    """Every support as (foot, first frame, stop frame): a foot landing with weight,
    planted until the role's next event (another foot's), or until it lifts for its own
    next step; over the frames from the first at or after its landing to the last at or
    before its end (a frame between two events shows neither as happened yet)."""
    out = []
    for i, e in enumerate(events):
        if not e.weight:
            continue
        end = (n - 1) / fps
        if i + 1 < len(events):
            nxt = events[i + 1]
            end = nxt.time_s
            if nxt.foot == e.foot:
                lead = p.lift_lead_beats * _beat_s(routine, nxt.time_s)
                end = nxt.time_s - min(nxt.time_s - e.time_s, lead)
        start = _frame_from(e.time_s + p.support_settle_s, fps, n)
        stop = _frame_until(end, fps, n) + 1
        out.append((e.foot, start, stop))
    return out


def _step_errors(
    routine: Routine,
    events: list[StepEvent],
    heels: dict[str, Array],
    balls: dict[str, Array],
    fps: float,
    p: CheckParams,
) -> Array:
    """Per event whose foot moves before it lands: its arrival (of the frames near the
    landing from which it stays put, heel or ball on the floor and moving less than
    ``contact_speed_m_s`` to the next frame, after a frame where neither did, the one
    nearest the beat) minus the frame nearest its beat, in milliseconds.

    The speed is the one *to* the next frame: a foot reaching its mark at frame f is
    still from f on (the speed *into* f, its last bit of travel, made every landing one
    frame late). Either frame is a sample of a landing between two frames, so the beat
    is taken at its nearest frame too.
    """

    def moving(point: Array, height_m: float) -> NDArray[np.bool_]:
        speed = np.append(num.horizontal_speed_m_s(point, fps)[1:], 0.0)
        return np.asarray((point[:, 2] >= height_m) | (speed > p.contact_speed_m_s))

    feet_moving = {
        f: moving(heels[f], p.heel_contact_height_m) & moving(balls[f], p.contact_height_m)
        for f in balls
    }
    tempo = routine.tempo_map
    n = len(next(iter(balls.values())))
    out = []
    for i, e in enumerate(events):
        beat_t = tempo.second_from_beat(e.beat)
        prev_t = events[i - 1].time_s if i else -np.inf
        next_t = events[i + 1].time_s if i + 1 < len(events) else np.inf
        lo = _frame(max(prev_t, beat_t - p.landing_search_s), fps, n) + (1 if i else 0)
        hi = _frame(min(next_t, beat_t + p.landing_search_s), fps, n)
        beat_frame = round(beat_t * fps)
        arrived = num.landing_frame(feet_moving[e.foot], lo, hi + 1, beat_frame)
        if arrived is not None:
            out.append((arrived - beat_frame) / fps * 1000.0)
    return np.asarray(out, dtype=float)


def _pelvis_min(
    routine: Routine,
    events: list[StepEvent],
    dancer: DancerMotion,
    pos: Array,
    fps: float,
    p: CheckParams,
    rig: RigMap,
) -> tuple[float, float]:
    """The lowest pelvis outside a declared dip, as a share of its standing height (the
    rest pose's), and when. A dip runs from the role's step before it to its next step
    that is neither a dip nor a held pose."""
    n = len(pos)
    free = np.ones(n, dtype=bool)
    held = (*p.dip_actions, "hold")
    for i, e in enumerate(events):
        if _step(routine, e).action not in p.dip_actions:
            continue
        start = events[i - 1].time_s if i else 0.0
        later = [x for x in events[i + 1 :] if _step(routine, x).action not in held]
        end = later[0].time_s if later else (n - 1) / fps
        free[_frame(start, fps, n) : _frame(end, fps, n) + 1] = False
    root = dancer.skeleton.index(rig.root)
    standing = float(dancer.skeleton.offsets_m[root][2])
    if not free.any() or standing <= 0:
        return 1.0, 0.0
    z = np.where(free, pos[:, root, 2], np.inf)
    f = int(np.argmin(z))
    return float(z[f] / standing), f / fps


def _turns(routine: Routine, performance: Performance, rig: RigMap) -> tuple[FigureTurn, ...]:
    """Each dancer's performed turn over each figure, against the figure's declared turn
    for that role.

    The turn runs from where the figure begins to the dancer's last landing of it: from
    the dancer's last landing of the previous figure, plus any turn the plan makes between
    the two figures (the facing the figure starts in, ``PlacedFigure.start_pose``, against
    the one the previous figure ends in, both from ``routine.json``: a couple placed
    afresh where a stretch of the song begins is not the figure's turn); for the first
    figure, from the facing the routine starts in (its first step may begin before the
    first frame).
    """
    n, fps = performance.n_frames, performance.fps
    out = []
    for dancer in performance.dancers:
        skel = dancer.skeleton
        world = num.world_rotations(skel.parents, dancer.rotations, skel.index(rig.facing))
        facing = num.facing_unwrapped_rad(world, np.asarray(rig.forward_axis))
        ends: dict[int, float] = {}
        for e in _events(performance, dancer.role):
            ends[e.figure_index] = max(ends.get(e.figure_index, 0.0), e.time_s)
        starts = _planned_facings(routine, dancer.role)
        previous = 0
        for i, placed in enumerate(routine.figures):
            if i not in ends:
                continue
            last = _frame(ends[i], fps, n)
            if i == 0:
                begin = facing[0] + math.remainder(starts[0][0] - facing[0], 2 * math.pi)
            else:
                begin = facing[previous] + placement_turn_rad(starts[i - 1][1], starts[i][0])
            performed = -float(np.degrees(facing[last] - begin))  # clockwise
            steps = placed.figure.leader if dancer.role == "leader" else placed.figure.follower
            declared = 45.0 * sum(s.turn_eighths for s in steps)
            out.append(
                FigureTurn(dancer.role, i, placed.dance, placed.figure.id, declared, performed)
            )
            previous = last
    return tuple(out)


def _planned_facings(routine: Routine, role: str) -> list[tuple[float, float]]:
    """Per figure, the facing of ``role`` where the plan starts it and where the figure,
    replayed from there, ends it (radians)."""
    out = []
    for placed in routine.figures:
        leader, follower = placed.start_pose.dancers()
        pose = leader if role == "leader" else follower
        start = pose.facing_rad
        replay_figure(placed.figure, leader, follower)
        out.append((start, pose.facing_rad))
    return out


def _hold_frames(
    routine: Routine, performance: Performance, p: CheckParams
) -> dict[str, tuple[NDArray[np.bool_], NDArray[np.bool_]]]:
    """Per hold: (frames where it surely applies, frames where it may apply).

    The leader's step's hold applies from his previous landing, changing at some time
    before the step lands; a frame is sure when every hold within
    ``hold_blend_margin_s`` of it, and the one before, is the same.
    """
    events = _events(performance, "leader")
    n, fps = performance.n_frames, performance.fps
    if not events:
        return {}
    names = [_step(routine, e).hold for e in events]
    times = np.array([e.time_s for e in events])
    t = np.arange(n) / fps
    margin = p.hold_blend_margin_s
    k_lo = np.clip(np.searchsorted(times, t - margin) - 1, 0, len(times) - 1)
    k_hi = np.clip(np.searchsorted(times, t + margin), 0, len(times) - 1)
    out: dict[str, tuple[NDArray[np.bool_], NDArray[np.bool_]]] = {}
    for hold in dict.fromkeys(names):
        is_hold = np.array([h == hold for h in names])
        count = np.concatenate([[0], np.cumsum(is_hold)])
        inside = count[k_hi + 1] - count[k_lo]
        out[hold] = (inside == k_hi - k_lo + 1, inside > 0)
    return out


def _hand_pairs(hold: str) -> list[tuple[str, str]]:
    return [
        (lp, fp)
        for lp, fp, _ in HOLD_CONNECTIONS.get(hold, ())
        if lp.endswith(" hand") and fp.endswith(" hand")
    ]


def _joined_hands(
    performance: Performance,
    positions: dict[str, Array],
    holds: dict[str, tuple[NDArray[np.bool_], NDArray[np.bool_]]],
    p: CheckParams,
    rig: RigMap,
) -> tuple[int, float | None, float | None, float | None]:
    """Frames with joined hands, the hands' distance (mean, p99) and the share of joined
    hand-frames within ``joined_within_m``."""
    skels = {d.role: d.skeleton for d in performance.dancers}
    joined = np.zeros(performance.n_frames, dtype=bool)
    distances = []
    for hold, (sure, _) in holds.items():
        for lp, fp in _hand_pairs(hold):
            lj = skels["leader"].index(rig.hands[lp[0]])
            fj = skels["follower"].index(rig.hands[fp[0]])
            gap = positions["leader"][sure, lj] - positions["follower"][sure, fj]
            distances.append(np.linalg.norm(gap, axis=1))
            joined |= sure
    if not distances or not joined.any():
        return 0, None, None, None
    d = np.concatenate(distances)
    return (
        int(joined.sum()),
        float(d.mean()),
        float(np.percentile(d, 99)),
        float(np.mean(d <= p.joined_within_m)),
    )


def _interpenetration(
    performance: Performance,
    positions: dict[str, Array],
    holds: dict[str, tuple[NDArray[np.bool_], NDArray[np.bool_]]],
    p: CheckParams,
    rig: RigMap,
    chunk: int = 1024,
) -> tuple[int, tuple[tuple[str, int], ...], float]:
    """Frames where a capsule of the leader intersects one of the follower, except where a
    hold that may apply puts those two parts in contact; the most frequent pairs; and the
    deepest such overlap beyond contact (metres, 0 with none)."""
    names = list(rig.capsules)
    radii = np.array([p.capsule_radii_m[c] for c in names])
    ends = {}
    for d in performance.dancers:
        a = [d.skeleton.index(rig.capsules[c][0]) for c in names]
        b = [d.skeleton.index(rig.capsules[c][1]) for c in names]
        ends[d.role] = (a, b)
    root = {d.role: d.skeleton.index(rig.root) for d in performance.dancers}
    reach = np.linalg.norm(
        positions["leader"][:, root["leader"], :2] - positions["follower"][:, root["follower"], :2],
        axis=1,
    )
    allowed = _allowed_pairs(names, rig)
    n = performance.n_frames
    hit = np.zeros(n, dtype=bool)
    counts: Counter[str] = Counter()
    deepest = 0.0
    for start in range(0, n, chunk):
        part = np.arange(start, min(start + chunk, n))
        part = part[reach[part] < p.capsule_reach_m]
        if part.size == 0:
            continue
        la, lb = ends["leader"]
        fa, fb = ends["follower"]
        lpos, fpos = positions["leader"][part], positions["follower"][part]
        overlap = num.capsule_overlaps_m(
            (lpos[:, la], lpos[:, lb]), radii, (fpos[:, fa], fpos[:, fb]), radii
        )
        pen = overlap > p.capsule_contact_m
        for hold, (_, maybe) in holds.items():
            if hold in allowed:
                pen &= ~(maybe[part, None, None] & allowed[hold][None])
        frames_hit = pen.any(axis=(1, 2))
        if pen.any():
            deepest = max(deepest, float(overlap[pen].max()) - p.capsule_contact_m)
        hit[part[frames_hit]] = True
        for i, j in zip(*np.nonzero(pen.sum(axis=0)), strict=True):
            counts[f"leader {names[i]} / follower {names[j]}"] += int(pen[:, i, j].sum())
    return int(hit.sum()), tuple(counts.most_common(5)), deepest


def _allowed_pairs(names: list[str], rig: RigMap) -> dict[str, NDArray[np.bool_]]:
    """Per hold, the (leader capsule, follower capsule) pairs it puts in contact."""
    index = {c: i for i, c in enumerate(names)}
    out = {}
    for hold, joins in HOLD_CONNECTIONS.items():
        mask = np.zeros((len(names), len(names)), dtype=bool)
        for lp, fp, _ in joins:
            for a in rig.parts.get(lp, ()):
                for b in rig.parts.get(fp, ()):
                    mask[index[a], index[b]] = True
        out[hold] = mask
    return out
