"""Load the dance library from its TOML data files and check every figure."""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from pasdeux._serial import from_jsonable
from pasdeux.dances._model import ACTIONS, ALIGNMENT_EIGHTHS, DanceStyle, Figure, Step
from pasdeux.dances.geometry import (
    HOLD_DISTANCE_M,
    MAX_CORRECTION_M,
    POSITIONS_GEOMETRY,
    ReplayedStep,
    couple_start,
    forward_vector,
    relative_geometry,
    replay_figure,
)
from pasdeux.errors import InputError, SchemaError

__all__ = [
    "DANCE_FILE_SCHEMA",
    "RHYTHM_FEATURES",
    "check_style",
    "find_style",
    "load_library",
    "load_style",
]

DANCE_FILE_SCHEMA = 1
#: The rhythm features a dance's ``rhythm`` table may name (measured by
#: ``pasdeux.music.fit``); each key is a feature, or a feature + ``_min`` / ``_max``.
RHYTHM_FEATURES = (
    "swing",
    "syncopation",
    "evenness",
    "downbeat",
    "backbeat",
    "accent4",
    "and4",
    "afterbeat",
    "density16",
    "staccato",
)
_EPS = 1e-6
_GEOMETRY_SLACK_M = 0.05
_MIN_AHEAD_M = 0.05


def load_style(path: str | Path) -> DanceStyle:
    """Read one dance data file and validate it.

    Raises
    ------
    InputError
        The file is missing, is not TOML, or a figure in it is wrong; the message names the
        file, the figure, the role and the step.
    """
    p = Path(path)
    try:
        with p.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except IsADirectoryError:
        raise InputError(p, "is a directory, expected a dance data file (.toml)") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(p, f"is not valid TOML ({exc})") from None
    return style_from_data(data, str(p))


def style_from_data(data: dict[str, Any], source: str) -> DanceStyle:
    """Build and validate a ``DanceStyle`` from parsed data; ``source`` names it in errors."""
    if data.get("schema") != DANCE_FILE_SCHEMA:
        found = data.get("schema")
        raise SchemaError(source, f"schema must be {DANCE_FILE_SCHEMA}, found {found!r}")
    body = {k: v for k, v in data.items() if k != "schema"}
    try:
        style = from_jsonable(DanceStyle, body, "dance")
    except SchemaError as exc:
        raise SchemaError(source, _readable_path(str(exc), body)) from None
    problems = list(check_style(style))
    if problems:
        raise SchemaError(source, problems[0])
    return style


def _readable_path(message: str, body: dict[str, Any]) -> str:
    """Rewrite ``dance.figures[3].leader[1]`` as ``figure 'box' leader step 2``."""
    figures = body.get("figures")

    def figure_name(match: re.Match[str]) -> str:
        i = int(match.group(1))
        fig = figures[i] if isinstance(figures, list) and i < len(figures) else None
        name = fig.get("id") if isinstance(fig, dict) else None
        text = f"figure {name!r}" if name else f"figure {i + 1}"
        if match.group(2):
            text += f" {match.group(2)} step {int(match.group(3)) + 1}"
        return text

    message = re.sub(
        r"dance\.figures\[(\d+)\](?:\.(leader|follower)\[(\d+)\])?", figure_name, message
    )
    return message.replace(": .", ": ").replace("dance.", "")


def check_style(style: DanceStyle) -> Iterable[str]:
    """Yield one message per mistake found in ``style`` (empty when it is sound)."""
    ids = [f.id for f in style.figures]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        yield f"figure id {dup!r} is used twice"
    known = set(ids)
    meters = set(style.meters)
    for start in style.start_figures:
        if start not in known:
            yield f"start_figures names unknown figure {start!r}"
    for tempo in style.tempos:
        if not 0 < tempo.bpm_min <= tempo.bpm_max:
            yield f"tempo range for meter {tempo.meter} is empty or negative"
    rhythm_keys = {f + s for f in RHYTHM_FEATURES for s in ("", "_min", "_max")}
    for key, value in style.rhythm.items():
        if key not in rhythm_keys:
            yield (
                f"rhythm names unknown feature {key!r} (known: {', '.join(RHYTHM_FEATURES)}, "
                "each optionally with _min or _max)"
            )
        elif not 0.0 <= value <= 1.0:
            yield f"rhythm {key} = {value} is outside 0-1"
    for fig in style.figures:
        if fig.meter not in meters:
            yield f"figure {fig.id!r}: meter {fig.meter} has no tempo range in this dance"
        for target in fig.follows:
            if target != "*" and target not in known:
                yield f"figure {fig.id!r}: follows names unknown figure {target!r}"
        for role, steps in (("leader", fig.leader), ("follower", fig.follower)):
            yield from _check_role(fig, role, steps)
        yield from _check_geometry(fig)
    by_id = {f.id: f for f in style.figures}
    for fig in style.figures:
        for nxt in successors(style, fig):
            if nxt.start_position != fig.end_position:
                yield (
                    f"figure {fig.id!r} ends in {fig.end_position} but may be followed by "
                    f"{nxt.id!r}, which starts in {nxt.start_position}"
                )
            if "any" not in (fig.end_alignment, nxt.start_alignment) and not _alignment_joins(
                fig.end_alignment, nxt.start_alignment
            ):
                yield (
                    f"figure {fig.id!r} ends facing {fig.end_alignment} but may be followed by "
                    f"{nxt.id!r}, which starts facing {nxt.start_alignment}"
                )
            for role in ("leader", "follower"):
                end_foot = _last_weight_foot(getattr(fig, role))
                start_foot = _first_weight_foot(getattr(nxt, role))
                if end_foot is not None and end_foot == start_foot:
                    yield (
                        f"figure {fig.id!r} -> {nxt.id!r}: the {role} would step twice "
                        f"on the {end_foot} foot"
                    )
    if style.start_figures:
        reachable = _reachable(style, [by_id[s] for s in style.start_figures if s in by_id])
        for fig in style.figures:
            if fig.id not in reachable:
                yield f"figure {fig.id!r} cannot be reached from the start figures"
            elif not successors(style, fig):
                yield f"figure {fig.id!r} is a dead end: no figure may follow it"


def _alignment_joins(end: str, start: str) -> bool:
    """The next figure starts where this one ends, or on the same line after a corner."""
    end_e, start_e = ALIGNMENT_EIGHTHS[end], ALIGNMENT_EIGHTHS[start]
    # At a corner the line of dance turns 1/4 to the left: what was DC becomes DW.
    return start_e in (end_e, (end_e + 2) % 8)


def _check_geometry(fig: Figure) -> Iterable[str]:
    """Replay both roles and check how much the hold has to correct the steps; then, the
    steps alone (without the hold's corrections), the partners' distance per hold, the
    end position and the end alignment: a figure keeps the hold by itself from the ideal
    start of its position."""
    facing = 0.0
    if fig.start_alignment != "any":
        facing = -ALIGNMENT_EIGHTHS[fig.start_alignment] * math.pi / 4
    leader, follower = couple_start((0.0, 0.0), facing, fig.start_position)
    bodies = {"leader": leader.body.copy(), "follower": follower.body.copy()}
    leader_facing = leader.facing_rad
    replayed = replay_figure(fig, leader, follower, keep_hold=False)
    by_beat: dict[float, list[ReplayedStep]] = {}
    for rs in replayed:
        by_beat.setdefault(rs.step.beat, []).append(rs)
    for beat, group in by_beat.items():
        for rs in group:
            bodies[rs.role] = np.array(rs.body_after)
            if rs.role == "leader":
                leader_facing = rs.facing_after
        lead = next((rs for rs in group if rs.role == "leader"), group[0])
        low, high = HOLD_DISTANCE_M[lead.step.hold]
        distance = float(np.linalg.norm(bodies["leader"] - bodies["follower"]))
        if not low - _GEOMETRY_SLACK_M <= distance <= high + _GEOMETRY_SLACK_M:
            yield (
                f"figure {fig.id!r} {lead.role} step {lead.index + 1} (beat {beat:g}): "
                f"the partners end up {distance:.2f} m apart, outside {low}-{high} m "
                f"for {lead.step.hold} hold"
            )
        elif lead.step.hold in ("closed", "embrace"):
            to_follower = bodies["follower"] - bodies["leader"]
            ahead = float(np.dot(to_follower, forward_vector(leader_facing)))
            if ahead < _MIN_AHEAD_M:
                yield (
                    f"figure {fig.id!r} {lead.role} step {lead.index + 1} (beat {beat:g}): "
                    f"the follower is no longer in front of the leader in {lead.step.hold} "
                    "hold (they would pass through each other)"
                )
    geometry = POSITIONS_GEOMETRY[fig.end_position]
    distance, relative = relative_geometry(leader, follower)
    low, high = geometry.distance_m
    if not low - _GEOMETRY_SLACK_M <= distance <= high + _GEOMETRY_SLACK_M:
        yield (
            f"figure {fig.id!r}: the replay ends with the partners {distance:.2f} m apart, "
            f"but {fig.end_position} position needs {low}-{high} m"
        )
    off = abs(math.remainder(relative - geometry.facing_rad, 2 * math.pi))
    if off > geometry.facing_tolerance_rad + 1e-6:
        yield (
            f"figure {fig.id!r}: the replay ends with the follower turned "
            f"{math.degrees(relative):.0f} deg from the leader's facing, which is not "
            f"{fig.end_position} position ({math.degrees(geometry.facing_rad):.0f} deg)"
        )
    if "any" not in (fig.start_alignment, fig.end_alignment):
        net = sum(s.turn_eighths for s in fig.leader)
        reached = (ALIGNMENT_EIGHTHS[fig.start_alignment] + net) % 8
        if abs(reached - ALIGNMENT_EIGHTHS[fig.end_alignment]) > 1e-6:
            names = {v: k for k, v in ALIGNMENT_EIGHTHS.items()}
            got = names.get(round(reached) % 8, f"{reached:g} eighths")
            yield (
                f"figure {fig.id!r}: the leader's turns ({net:g} eighths) take him from "
                f"{fig.start_alignment} to {got}, not to the declared {fig.end_alignment}"
            )
    kept = couple_start((0.0, 0.0), facing, fig.start_position)
    for rs in replay_figure(fig, *kept):
        pulled = math.hypot(*rs.correction_xy_m)
        if pulled > MAX_CORRECTION_M:
            yield (
                f"figure {fig.id!r} {rs.role} step {rs.index + 1} (beat {rs.step.beat:g}): "
                f"the hold has to move the {rs.role} {pulled:.2f} m (more than "
                f"{MAX_CORRECTION_M} m): the roles' steps do not dance together"
            )


def successors(style: DanceStyle, fig: Figure) -> tuple[Figure, ...]:
    """The figures that may follow ``fig``, resolving the ``"*"`` wildcard."""
    if "*" in fig.follows:
        return tuple(
            f
            for f in style.figures
            if f.meter == fig.meter
            and f.start_position == fig.end_position
            and _first_weight_foot(f.leader) != _last_weight_foot(fig.leader)
        )
    return tuple(style.figure(i) for i in fig.follows if i in {f.id for f in style.figures})


def _reachable(style: DanceStyle, starts: list[Figure]) -> set[str]:
    seen = {f.id for f in starts}
    todo = list(starts)
    while todo:
        for nxt in successors(style, todo.pop()):
            if nxt.id not in seen:
                seen.add(nxt.id)
                todo.append(nxt)
    return seen


def _first_weight_foot(steps: tuple[Step, ...]) -> str | None:
    return next((s.foot for s in steps if s.weight), None)


def _last_weight_foot(steps: tuple[Step, ...]) -> str | None:
    return next((s.foot for s in reversed(steps) if s.weight), None)


def _check_role(fig: Figure, role: str, steps: tuple[Step, ...]) -> Iterable[str]:
    where = f"figure {fig.id!r} {role}"
    if not steps:
        yield f"{where}: has no steps"
        return
    offset = steps[0].beat
    if not 0 <= offset < fig.meter:
        yield f"{where} step 1: first step lands on beat {offset}, outside the first bar"
    previous_weight_foot: str | None = None
    for n, step in enumerate(steps, start=1):
        if step.duration_beats <= 0:
            yield f"{where} step {n}: duration_beats must be positive"
        if step.size_m < 0 or step.size_m > 1.2:
            yield f"{where} step {n}: size_m {step.size_m} is outside 0-1.2 m"
        if step.action not in ACTIONS:
            yield f"{where} step {n}: unknown action {step.action!r} (known: {ACTIONS[1:]})"
        if step.direction in ("close", "replace", "in_place") and step.size_m > 0:
            yield f"{where} step {n}: a {step.direction} step cannot have size_m > 0"
        if n < len(steps) and abs(step.beat + step.duration_beats - steps[n].beat) > _EPS:
            yield (
                f"{where} step {n}: lands on beat {step.beat} and lasts "
                f"{step.duration_beats}, but the next step lands on beat {steps[n].beat}"
            )
        if step.action == "hop" and not (step.weight and step.foot == previous_weight_foot):
            yield (
                f"{where} step {n}: a hop lands on the foot that bore the weight before it "
                f"({previous_weight_foot or 'none in this figure'}), with weight"
            )
        elif step.weight:
            if step.foot == previous_weight_foot and step.action != "hop":
                yield f"{where} step {n}: {step.foot} foot takes weight twice in a row"
            previous_weight_foot = step.foot
    end = steps[-1].beat + steps[-1].duration_beats
    if abs(end - offset - fig.length_beats) > _EPS:
        yield (
            f"{where}: steps fill {end - offset} beats but the figure is "
            f"{fig.length_beats} beats long"
        )
    if steps[-1].position != fig.end_position:
        yield (
            f"{where}: last step is in {steps[-1].position} but the figure declares "
            f"end_position {fig.end_position}"
        )


def _bundled_files() -> list[Path]:
    folder = resources.files("pasdeux.dances") / "data"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".toml"))


@functools.cache
def load_library() -> tuple[DanceStyle, ...]:
    """All dances shipped with pasdeux, validated, in file-name order."""
    return tuple(load_style(p) for p in _bundled_files())


def find_style(name: str) -> DanceStyle:
    """The dance called ``name`` (its name, id or an alias, case-insensitive).

    Raises
    ------
    InputError
        When no dance has that name; the message lists the known names.
    """
    wanted = name.strip().lower().replace("-", " ").replace("_", " ")
    library = load_library()
    for style in library:
        names = {style.name, style.id, *style.aliases}
        if wanted in {n.lower().replace("-", " ").replace("_", " ") for n in names}:
            return style
    known = ", ".join(s.name for s in library)
    raise InputError(None, f"unknown dance {name!r}; known dances: {known}")
