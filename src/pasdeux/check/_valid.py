"""Refuse a routine and a performance that ``pasdeux dance`` could not have written together."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from pasdeux.check._rig import RigMap
from pasdeux.choreo import Routine
from pasdeux.errors import InputError
from pasdeux.motion import DancerMotion, Performance

__all__ = ["validate"]

ROLES = ("leader", "follower")


def validate(routine: Routine, performance: Performance, folder: Path, rig: RigMap) -> None:
    """Raise :class:`InputError` naming ``routine.json`` or ``performance.json`` (in
    ``folder``) if what they hold cannot be measured: beats out of order, a frame rate
    that is not a positive number, dancers other than one leader and one follower, a
    skeleton that is not a tree holding the rig's joints, arrays of another frame count
    or not finite, a step event naming a figure or step the routine lacks or (it, or its
    beat) outside the performance's time."""
    beats = np.asarray(routine.beats, dtype=float)
    if len(beats) < 2 or not np.isfinite(beats).all() or not (np.diff(beats) > 0).all():
        raise InputError(folder / "routine.json", "beat times are not finite and increasing")
    if not 0 <= routine.first_downbeat_index < len(beats):
        raise InputError(folder / "routine.json", "first_downbeat_index is not a beat")
    where = folder / "performance.json"
    if not (math.isfinite(performance.fps) and performance.fps > 0):
        raise InputError(where, f"frame rate {performance.fps!r} is not a positive number")
    if sorted(d.role for d in performance.dancers) != sorted(ROLES):
        raise InputError(where, "does not hold one leader and one follower")
    for dancer in performance.dancers:
        problem = _dancer_problem(dancer, performance.n_frames, rig)
        if problem:
            raise InputError(where, f"the {dancer.role}'s {problem}")
    tempo = routine.tempo_map
    end_s = performance.duration_s + 1.0 / performance.fps
    for i, e in enumerate(performance.events):
        figures = routine.figures
        ok = 0 <= e.figure_index < len(figures) and e.foot in rig.heels
        if ok:
            steps = figures[e.figure_index].figure
            ok = 0 <= e.step_index < len(steps.leader if e.role == "leader" else steps.follower)
        if not ok or e.role not in ROLES:
            raise InputError(where, f"step event {i} is not one of routine.json's steps")
        if not all(0.0 <= t <= end_s for t in (e.time_s, tempo.second_from_beat(e.beat))):
            raise InputError(where, f"step event {i} is not within the performance")


def _dancer_problem(dancer: DancerMotion, n_frames: int, rig: RigMap) -> str:
    """What makes one dancer's motion unmeasurable ("" if nothing)."""
    skel = dancer.skeleton
    n = len(skel.joints)
    tree = len(skel.parents) == len(skel.offsets_m) == n > 0 and skel.parents[0] == -1
    if not tree or any(not 0 <= p < i for i, p in enumerate(skel.parents) if i):
        return "skeleton is not a tree of joints"
    wanted = {rig.root, rig.facing, *rig.heels.values(), *rig.balls.values()}
    wanted |= {*rig.hands.values(), *(j for ends in rig.capsules.values() for j in ends)}
    if not wanted <= set(skel.joints):
        return f"skeleton lacks joint(s) {sorted(wanted - set(skel.joints))}"
    if len(dancer.root_positions_m) != n_frames or n_frames < 1:
        return f"motion holds {len(dancer.root_positions_m)} frames, not n_frames {n_frames}"
    arrays = (np.asarray(skel.offsets_m, dtype=float), dancer.root_positions_m, dancer.rotations)
    if not all(np.isfinite(a).all() for a in arrays):
        return "motion holds numbers that are not finite"
    return ""
