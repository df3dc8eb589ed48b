"""Where the partners' bodies interpenetrate: per dance and song, which bone pairs overlap,
in which figures and at which phase of each dancer's step.

A diagnostic beside ``bench/motion.py`` (same songs, halves and pipeline): each song x dance
x seed is choreographed and performed, and every frame where a leader's capsule overlaps a
follower's by more than ``pasdeux check``'s contact (``CheckParams.capsule_contact_m``;
capsules from :mod:`pasdeux.capsules`) is listed with the two bones. Pairs a hold may put
in contact are left out as the check leaves them out (the leader's step's hold, within
``hold_blend_margin_s`` of a change of hold). The total per run is the check's
interpenetration frames.

Consecutive frames of the same pair make an episode; each is printed with its time, the
leader's and the follower's figure and step (the step each dancer is on its way to, its
foot, and how far from the previous landing to that step's the frame is: 0 just landed,
1 landing), which of the four feet are in the air, and the deepest overlap. Totals per
pair and per figure come first.

Usage::

    .venv/bin/python bench/overlaps.py --dances "Viennese Waltz,Quickstep" [--songs a,b]
                                       [--seeds 0] [--half tuning] [--top 20] --corpus DIR
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

import choreo
import corpus

Array = NDArray[np.float64]
ROLES = ("leader", "follower")
AIR_M = 0.01
"""A foot whose ball is this much above its lowest height is in the air."""


@dataclass(frozen=True)
class Episode:
    """Consecutive frames ``start`` to ``stop`` (exclusive) where one pair overlaps."""

    pair: str
    start: int
    stop: int
    depth_m: float


def episodes(hits: NDArray[np.bool_], depth_m: Array, names: list[str]) -> list[Episode]:
    """The runs of frames of each (leader capsule, follower capsule) pair that overlaps:
    ``hits`` and ``depth_m`` are (F, N, N) (depth: overlap beyond contact), ``names`` the
    capsules; in the order they start (then by pair)."""
    out = []
    for i, j in zip(*np.nonzero(hits.any(axis=0)), strict=True):
        run = np.concatenate([[False], hits[:, i, j], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(run))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            deepest = float(depth_m[a:b, i, j].max())
            out.append(Episode(f"{names[i]}/{names[j]}", int(a), int(b), deepest))
    return sorted(out, key=lambda e: (e.start, e.pair))


def step_phase(times_s: Array, t: float) -> tuple[int, float]:
    """The step (index into the landing ``times_s``, increasing) a dancer is on its way
    to at ``t`` and how far (0-1) from the previous landing to it ``t`` is (-1 and 1.0
    past the last landing; the first step counts from 0 s)."""
    k = int(np.searchsorted(times_s, t, side="left"))
    if k >= times_s.size:
        return -1, 1.0
    before = times_s[k - 1] if k else 0.0
    span = max(float(times_s[k] - before), 1e-9)
    return k, float(np.clip((t - before) / span, 0.0, 1.0))


def _maybe_holds(routine: Any, performance: Any, margin_s: float) -> dict[str, NDArray[np.bool_]]:
    """Per hold, the frames where it may apply (the leader's steps' holds within
    ``margin_s``), as ``pasdeux check`` reads them."""
    events = [e for e in performance.events if e.role == "leader"]
    if not events:
        return {}
    steps = [routine.figures[e.figure_index].figure.leader[e.step_index] for e in events]
    names = [s.hold for s in steps]
    times = np.array([e.time_s for e in events])
    t = np.arange(performance.n_frames) / performance.fps
    lo = np.clip(np.searchsorted(times, t - margin_s) - 1, 0, len(times) - 1)
    hi = np.clip(np.searchsorted(times, t + margin_s), 0, len(times) - 1)
    out = {}
    for hold in dict.fromkeys(names):
        count = np.concatenate([[0], np.cumsum([h == hold for h in names])])
        out[hold] = (count[hi + 1] - count[lo]) > 0
    return out


def overlap_frames(
    routine: Any, performance: Any, positions: dict[str, Array]
) -> tuple[NDArray[np.bool_], Array, list[str]]:
    """Per frame and (leader capsule, follower capsule): whether it interpenetrates as
    ``pasdeux check`` counts it, and by how much beyond contact; the capsules' names."""
    from pasdeux.capsules import BONE_CAPSULES, capsule_overlaps_m, hold_contact_pairs
    from pasdeux.check import CheckParams

    p = CheckParams()
    names = list(BONE_CAPSULES)
    radii = np.array([p.capsule_radii_m[c] for c in names])
    pos, ends = {}, {}
    for d in performance.dancers:
        pos[d.role] = positions[d.role]
        ends[d.role] = tuple([d.skeleton.index(BONE_CAPSULES[c][k]) for c in names] for k in (0, 1))
    lp, fp = pos["leader"], pos["follower"]
    (la, lb), (fa, fb) = ends["leader"], ends["follower"]
    overlap = np.concatenate(
        [
            capsule_overlaps_m(
                (lp[k][:, la], lp[k][:, lb]), radii, (fp[k][:, fa], fp[k][:, fb]), radii
            )
            for k in np.array_split(np.arange(lp.shape[0]), max(1, lp.shape[0] // 1024))
        ]
    )
    root = [d.skeleton.index("Hips") for d in performance.dancers]
    apart = np.linalg.norm(lp[:, root[0], :2] - fp[:, root[1], :2], axis=1)
    hits = (overlap > p.capsule_contact_m) & (apart < p.capsule_reach_m)[:, None, None]
    index = {c: i for i, c in enumerate(names)}
    for hold, maybe in _maybe_holds(routine, performance, p.hold_blend_margin_s).items():
        for a, b in hold_contact_pairs(hold):
            hits[:, index[a], index[b]] &= ~maybe
    return hits, overlap - p.capsule_contact_m, names


def describe(routine: Any, performance: Any, positions: dict[str, Array], episode: Episode) -> str:
    """One line: the episode's time, pair, depth, and per dancer its figure, step, foot,
    phase and feet in the air, at its first frame."""
    frame = episode.start
    t = frame / performance.fps
    parts = [f"{t:7.2f}s {episode.stop - episode.start:3d}f {episode.pair:<22s}"]
    parts.append(f"{100 * episode.depth_m:4.1f}cm")
    for d in performance.dancers:
        events = [e for e in performance.events if e.role == d.role]
        k, phase = step_phase(np.array([e.time_s for e in events]), t)
        if k < 0:
            parts.append(f"{d.role[0].upper()}: after the last step")
            continue
        e = events[k]
        fig = routine.figures[e.figure_index].figure.name
        pos = positions[d.role]
        air = "".join(
            f for f, j in (("L", "LeftToeBase"), ("R", "RightToeBase")) if _in_air(pos, d, j, frame)
        )
        parts.append(
            f"{d.role[0].upper()}: {fig[:24]:<24s} #{e.step_index} {e.foot} "
            f"p={phase:.2f} air={air or '-'}"
        )
    return " | ".join(parts)


def _in_air(pos: Array, dancer: Any, joint: str, frame: int) -> bool:
    """Whether the ball ``joint`` is more than ``AIR_M`` above its lowest height (a foot
    on its ball, heel raised, is on the floor)."""
    z = pos[:, dancer.skeleton.index(joint), 2]
    return bool(z[frame] - z.min() > AIR_M)


def leg_state(capsule: str, positions: Array, dancer: Any, frame: int) -> str:
    """``"air"`` or ``"floor"`` for a capsule of a leg (its foot's ball in the air or on
    the floor at ``frame``), ``"body"`` for any other capsule."""
    if not capsule.endswith(("_thigh", "_shin", "_foot")):
        return "body"
    ball = ("Left" if capsule.startswith("l_") else "Right") + "ToeBase"
    return "air" if _in_air(positions, dancer, ball, frame) else "floor"


def report(
    routine: Any, performance: Any, top: int, states: Counter[str] | None = None
) -> tuple[int, list[str]]:
    """The interpenetration frames of one run and the lines describing them; ``states``
    counts the episodes' frames by the two bones' legs' states (:func:`leg_state`, his
    then hers, at each episode's middle frame)."""
    positions = {d.role: d.joint_positions() for d in performance.dancers}
    hits, depth, names = overlap_frames(routine, performance, positions)
    frames = int(hits.any(axis=(1, 2)).sum())
    eps = episodes(hits, depth, names)
    pairs: Counter[str] = Counter()
    figures: Counter[str] = Counter()
    for e in eps:
        pairs[e.pair] += e.stop - e.start
        fig = _figure_at(routine, performance, e.start)
        figures[fig] += e.stop - e.start
        if states is not None:
            mid = (e.start + e.stop) // 2
            his, her = e.pair.split("/")
            dancers = {d.role: d for d in performance.dancers}
            key = "/".join(
                leg_state(c, positions[r], dancers[r], mid)
                for c, r in ((his, "leader"), (her, "follower"))
            )
            states[key] += e.stop - e.start
    lines = ["  pairs: " + ", ".join(f"{p} {n}" for p, n in pairs.most_common(8))]
    lines.append(
        "  figures (leader's): " + ", ".join(f"{f} {n}" for f, n in figures.most_common(8))
    )
    worst = sorted(eps, key=lambda e: -(e.stop - e.start) * max(e.depth_m, 1e-3))[:top]
    lines += [
        "  " + describe(routine, performance, positions, e)
        for e in sorted(worst, key=lambda e: e.start)
    ]
    return frames, lines


def _figure_at(routine: Any, performance: Any, frame: int) -> str:
    """The leader's figure at ``frame`` (the one his next step belongs to)."""
    events = [e for e in performance.events if e.role == "leader"]
    k, _ = step_phase(np.array([e.time_s for e in events]), frame / performance.fps)
    return routine.figures[events[k].figure_index].figure.name if k >= 0 else "-"


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dances", required=True, help="comma-separated dances")
    parser.add_argument("--songs", default=None, help="comma-separated song names (default: quick)")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds")
    parser.add_argument("--half", default=None, help="only this half (tuning or held-out)")
    parser.add_argument("--top", type=int, default=15, help="episodes listed per run")
    parser.add_argument("--level", default="newcomer", help="figure level")
    parser.add_argument("--corpus", type=Path, default=corpus.DEFAULT_OUT, help="corpus folder")
    parser.add_argument("--shared", type=Path, default=choreo.SHARED_MUSIC, help="recordings")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns 0."""
    args = _args(argv)
    from pasdeux.choreo import choreograph
    from pasdeux.dances import find_style
    from pasdeux.motion import perform

    styles = [find_style(name.strip()) for name in args.dances.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    songs = choreo.pick_songs(args.songs is None, args.corpus, args.shared)
    if args.songs:
        wanted = set(args.songs.split(","))
        songs = [s for s in choreo.pick_songs(False, args.corpus, args.shared) if s.name in wanted]
    if args.half:
        songs = [s for s in songs if s.half == args.half]
    totals: Counter[str] = Counter()
    states: Counter[str] = Counter()
    for song in songs:
        choreo.analyse(song)
        if song.music is None:
            continue
        for style in styles:
            for seed in seeds:
                routine = choreograph(song.music, style=style, level=args.level, seed=seed)
                performance = perform(routine, duration_s=song.music.duration_s)
                frames, lines = report(routine, performance, args.top, states)
                totals[f"{style.name} ({song.half})"] += frames
                print(f"{style.name} / {song.name} ({song.half}) seed {seed}: {frames} frames")
                print("\n".join(lines), flush=True)
        song.music = None
    print("totals: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    print("pair frames by his/her leg: " + ", ".join(f"{k} {v}" for k, v in states.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
