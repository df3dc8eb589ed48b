"""Gather what the viewer draws from the pipeline's typed values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pasdeux.choreo import HIJACK_WHY, FollowedStep, PlacedFigure, Routine, misreadings
from pasdeux.dances import DanceStyle, Step, describe_step, find_style
from pasdeux.errors import InputError
from pasdeux.motion import Performance
from pasdeux.music import MusicMap, TempoMap
from pasdeux.render._footprints import footprint_svg

__all__ = ["ROLE_COLOURS", "viewer_payload"]

ROLE_COLOURS = {"leader": "#2b6cb0", "follower": "#c53030"}


def viewer_payload(
    music: MusicMap,
    routine: Routine,
    performance: Performance,
    audio_name: str,
    title: str,
    *,
    heard: MusicMap | None = None,
    reading: Sequence[FollowedStep] | None = None,
) -> dict[str, Any]:
    """The payload of ``index.html``: joint positions per frame and the music's grid.

    The positions are float32 arrays of shape (n_frames, n_joints, 3), the only large
    values; :func:`pasdeux.render.write_viewer` packs them as it writes the page.

    Parameters
    ----------
    music
        The music as danced (its beats and bars are the dance's counts).
    routine, performance
        The figures placed on it and the dancers' motion.
    audio_name, title
        The song's file name next to the page, and the page's title.
    heard
        The music as heard, when the dance counts it otherwise (half or double time,
        other bars): the page shows the music's count beside the dance's (``heard``).
    reading
        The follower's own steps when she read the leader (:func:`pasdeux.choreo.follow_lead`):
        each figure shows her steps danced while he led it (a step of another figure says
        which she read), and ``reading`` lists where she read him wrong.
    """
    skeleton = performance.dancers[0].skeleton
    dancers = [
        {
            "role": dancer.role,
            "color": ROLE_COLOURS.get(dancer.role, "#555555"),
            "positions": dancer.joint_positions(dtype=np.float32),
        }
        for dancer in performance.dancers
    ]
    payload: dict[str, Any] = {
        "schema": 2,
        "title": title,
        "audio": audio_name,
        "fps": performance.fps,
        "n_frames": performance.n_frames,
        "joints": list(skeleton.joints),
        "parents": list(skeleton.parents),
        "dancers": dancers,
        **_grid(music),
        "phrases": [
            {"start_s": p.start, "end_s": p.end, "first_bar": p.first_bar, "n_bars": p.n_bars}
            for p in music.phrases
        ],
        "figures": _placed_figures(routine),
        "charts": _charts(routine),
        "sections": [
            {"start_s": s.start, "end_s": s.end, "meter": s.meter, "dance": s.dance}
            for s in music.sections
        ],
        "floor": {"width_m": routine.floor_m[0], "depth_m": routine.floor_m[1]},
    }
    if reading is not None:
        _read_steps(payload["figures"], reading)
        payload["reading"] = [
            {
                "start_s": m.start_s,
                "back_s": m.back_s,
                "led": m.led_name,
                "read": m.read_name,
                "steps": m.steps,
                "recovery_m": round(m.recovery_m, 3),
            }
            for m in misreadings(reading)
        ]
    if heard is not None and _grid(heard) != _grid(music):
        payload["heard"] = _grid(heard)
    return payload


def _grid(music: MusicMap) -> dict[str, list[float] | list[int]]:
    """The beats (s), each beat's count in its bar and its bar's number (from 1)."""
    bar_numbers = np.cumsum(np.asarray(music.beat_in_bar) == 1)
    return {
        "beats": list(music.beats),
        "beat_in_bar": list(music.beat_in_bar),
        "bar_of_beat": [int(b) for b in bar_numbers],
    }


def _chart_key(placed: PlacedFigure) -> str:
    return f"{placed.dance}/{placed.figure.id}"


def _placed_figures(routine: Routine) -> list[dict[str, Any]]:
    """Each placed figure with its chart's key, who leads it (``leads``: the follower in
    a hijack) and both roles' steps: when each lands (s), its count, foot and what it is
    in words."""
    tempo = routine.tempo_map
    return [
        {
            "start_s": p.start_s,
            "end_s": p.end_s,
            "name": p.figure.name,
            "dance": p.dance,
            "counts": p.figure.counts,
            "chart": _chart_key(p),
            "leads": "follower" if p.why == HIJACK_WHY else "leader",
            "steps": {
                "leader": _steps(tempo, p.start_beat, p.figure.leader),
                "follower": _steps(tempo, p.start_beat, p.figure.follower),
            },
        }
        for p in routine.figures
    ]


def _read_steps(figures: list[dict[str, Any]], reading: Sequence[FollowedStep]) -> None:
    """Each figure's follower steps replaced (in place) by those she danced while he led it,
    a step of another figure saying which she read; where she led (a hijack), the figure's
    leader steps are those he danced reading her."""
    his = {s.figure_index for s in reading if s.role == "leader"}
    for k, entry in enumerate(figures):
        entry["steps"]["follower"] = []
        if k in his:
            entry["steps"]["leader"] = []
    for step in sorted(reading, key=lambda s: s.time_s):
        text = describe_step(step.step)
        if step.wrong:
            text += f" ({'he' if step.role == 'leader' else 'she'} reads {step.read_name})"
        figures[step.figure_index]["steps"][step.role].append(
            {
                "t_s": round(step.time_s, 4),
                "count": step.step.count,
                "foot": step.step.foot,
                "text": text,
            }
        )


def _steps(tempo: TempoMap, start_beat: float, steps: Sequence[Step]) -> list[dict[str, Any]]:
    return [
        {
            "t_s": round(tempo.second_from_beat(start_beat + s.beat), 4),
            "count": s.count,
            "foot": s.foot,
            "text": describe_step(s),
        }
        for s in steps
    ]


def _charts(routine: Routine) -> dict[str, str]:
    """The footprint chart (SVG) of each figure the routine dances, once each."""
    styles: dict[str, DanceStyle | None] = {}
    charts: dict[str, str] = {}
    for p in routine.figures:
        key = _chart_key(p)
        if key in charts:
            continue
        if p.dance not in styles:
            try:
                styles[p.dance] = find_style(p.dance)
            except InputError:
                styles[p.dance] = None  # a dance not in the library: no charts
        style = styles[p.dance]
        if style is not None:
            charts[key] = footprint_svg(style, p.figure)
    return charts
