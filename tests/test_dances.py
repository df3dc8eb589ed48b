"""The dance library: the bundled data files load, the figures are sound, and broken files
are refused with a message that names the file and the figure or step at fault."""

from __future__ import annotations

import copy
import json
import math
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pasdeux.dances
from pasdeux.dances import (
    ALIGNMENT_EIGHTHS,
    LEVELS,
    DanceStyle,
    Figure,
    Step,
    check_style,
    find_style,
    load_library,
    load_style,
    style_from_data,
    successors,
)
from pasdeux.dances.geometry import DancerPose, couple_start, replay_figure
from pasdeux.errors import InputError, SchemaError

SLOW_DANCE_FILE = Path(pasdeux.dances.__file__).parent / "data" / "slow_dance.toml"


# --------------------------------------------------------------------------- helpers


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML here")


def _toml_table(header: str, table: dict[str, Any]) -> list[str]:
    """One TOML table: its header line (none when empty), then ``key = value`` lines."""
    body = [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return [header, *body, ""] if header else [*body, ""]


ROLES = ("leader", "follower")


def _to_toml(data: dict[str, Any]) -> str:
    """Write a dance data dict as TOML (just enough TOML for the dance file layout)."""
    lines = _toml_table("", {k: v for k, v in data.items() if k not in ("tempos", "figures")})
    for tempo in data.get("tempos", []):
        lines += _toml_table("[[tempos]]", tempo)
    for fig in data.get("figures", []):
        lines += _toml_table("[[figures]]", {k: v for k, v in fig.items() if k not in ROLES})
        for role in ROLES:
            for step in fig.get(role, []):
                lines += _toml_table(f"[[figures.{role}]]", step)
    return "\n".join(lines)


def _step(beat: float, dur: float, foot: str, direction: str, size: float) -> dict[str, Any]:
    return {
        "beat": beat,
        "duration_beats": dur,
        "count": "S",
        "foot": foot,
        "direction": direction,
        "size_m": size,
    }


def _mini() -> dict[str, Any]:
    """A small valid dance: ``walk`` (any figure may follow) and ``turn`` (-> walk)."""
    walk: dict[str, Any] = {
        "id": "walk",
        "name": "Walk",
        "meter": 4,
        "length_beats": 4.0,
        "counts": "S S",
        "level": "newcomer",
        "description": "Two slow walks.",
        "start_position": "closed",
        "end_position": "closed",
        "follows": ["*"],
        "leader": [_step(0.0, 2.0, "L", "forward", 0.3), _step(2.0, 2.0, "R", "forward", 0.3)],
        "follower": [_step(0.0, 2.0, "R", "back", 0.3), _step(2.0, 2.0, "L", "back", 0.3)],
    }
    turn = copy.deepcopy(walk)
    turn.update(id="turn", name="Turn", follows=["walk"])
    turn["leader"][1]["direction"] = "close"
    turn["leader"][1]["size_m"] = 0.0
    turn["follower"][1]["direction"] = "close"
    turn["follower"][1]["size_m"] = 0.0
    return {
        "schema": 1,
        "id": "mini",
        "name": "Mini",
        "kind": "social",
        "progressive": False,
        "counting": "S = 2 beats",
        "character": "test dance",
        "sources": ["tests"],
        "start_figures": ["walk"],
        "tempos": [{"meter": 4, "bpm_min": 60.0, "bpm_max": 100.0}],
        "figures": [walk, turn],
    }


def _write(tmp_path: Path, text: str, name: str = "mini.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _all_figures() -> list[tuple[DanceStyle, Figure]]:
    return [(style, fig) for style in load_library() for fig in style.figures]


def _slow_dance() -> DanceStyle:
    return find_style("slow dance")


# --------------------------------------------------------------------------- the library


def test_bundled_library_loads_and_is_sound() -> None:
    library = load_library()
    assert library, "no dance data files are bundled"
    assert "slow_dance" in {s.id for s in library}
    for style in library:
        assert list(check_style(style)) == [], style.id


def test_mini_dance_is_valid(tmp_path: Path) -> None:
    style = load_style(_write(tmp_path, _to_toml(_mini())))
    assert [f.id for f in style.figures] == ["walk", "turn"]


def test_slow_dance_has_figures_in_both_meters() -> None:
    style = _slow_dance()
    assert style.name == "Slow Dance"
    assert style.kind == "social"
    assert not style.progressive
    assert style.meters == (3, 4)
    for meter, at_least in ((4, 5), (3, 3)):
        figures = style.figures_in_meter(meter)
        assert len(figures) >= at_least, meter
        assert all(f.leader and f.follower for f in figures)
        assert any("underarm" in f.id and f.highlight for f in figures), meter
        assert any(f.ending for f in figures), meter
        assert {f.id for f in figures} & set(style.start_figures), meter


def test_slow_dance_tempo_ranges() -> None:
    tempos = {t.meter: t for t in _slow_dance().tempos}
    assert 55 <= tempos[4].bpm_min <= 65 and 95 <= tempos[4].bpm_max <= 105
    assert 75 <= tempos[3].bpm_min <= 84 and 90 <= tempos[3].bpm_max <= 105


def test_every_figure_has_both_roles_with_the_same_timing() -> None:
    problems = []
    for style, fig in _all_figures():
        where = f"{style.id}/{fig.id}"
        spans = []
        for steps in (fig.leader, fig.follower):
            spans.append(steps[-1].beat + steps[-1].duration_beats - steps[0].beat)
        if any(abs(span - fig.length_beats) > 1e-9 for span in spans):
            problems.append(f"{where}: roles last {spans}, figure {fig.length_beats}")
        leader = [(s.beat, s.duration_beats) for s in fig.leader]
        follower = [(s.beat, s.duration_beats) for s in fig.follower]
        if leader != follower:
            problems.append(f"{where}: follower timing {follower} != leader {leader}")
    assert problems == []


def _steps(fig: Figure, role: str) -> tuple[Step, ...]:
    return fig.leader if role == "leader" else fig.follower


def _pairs(fig: Figure) -> list[tuple[Step, Step]]:
    return list(zip(fig.leader, fig.follower, strict=True))


def test_slow_dance_partners_agree_step_by_step() -> None:
    for fig in _slow_dance().figures:
        for n, (lead, follow) in enumerate(_pairs(fig), start=1):
            where = f"{fig.id} step {n}"
            assert lead.foot != follow.foot, where
            assert lead.hold == follow.hold, where
            assert lead.position == follow.position, where
            assert lead.weight == follow.weight, where
            if lead.hold in ("closed", "embrace"):
                # the couple turns about its centre: both must turn the same amount
                assert lead.turn_eighths == follow.turn_eighths, where


def test_slow_dance_step_sizes_are_realistic() -> None:
    for fig in _slow_dance().figures:
        for role in ROLES:
            for n, step in enumerate(_steps(fig, role), start=1):
                where = f"{fig.id} {role} step {n}"
                if step.direction in ("close", "replace", "in_place"):
                    assert step.size_m == 0.0, where
                elif step.direction in ("forward", "back"):
                    assert 0.1 <= step.size_m <= 0.45, where
                else:
                    assert 0.1 <= step.size_m <= 0.35, where


def test_slow_dance_turns() -> None:
    style = _slow_dance()

    def total(fig_id: str, role: str) -> float:
        return sum(s.turn_eighths for s in _steps(style.figure(fig_id), role))

    assert total("rotating_box", "leader") == total("rotating_box", "follower") == -2
    assert total("left_turning_box", "leader") == -4
    for fig_id in ("underarm_turn", "waltz_underarm_turn"):
        assert total(fig_id, "leader") == 0
        assert total(fig_id, "follower") == 8  # once round to her right
        raised = [s.hold for s in style.figure(fig_id).leader]
        assert "left_to_right_raised" in raised and raised[-1] == "closed"


def test_slow_dance_dips_end_in_the_pose_and_can_recover() -> None:
    style = _slow_dance()
    for dip_id, meter in (("dip", 4), ("waltz_dip", 3)):
        dip = style.figure(dip_id)
        assert dip.ending and dip.highlight and dip.meter == meter
        assert dip.end_position == "dip"
        assert dip.leader[-1].position == dip.follower[-1].position == "dip"
        (recover,) = pasdeux.dances.successors(style, dip)
        assert recover.start_position == "dip" and recover.end_position == "closed"
        assert pasdeux.dances.successors(style, recover)


# --------------------------------------------------------------------------- broken files

Breaker = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Breaker:
    """A breaker setting ``data[...]`` at a dotted path such as ``figures.1.follows``."""

    def breaker(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return breaker


def _align(data: dict[str, Any], walk: str, turn: str) -> None:
    """Give ``walk`` and ``turn`` fixed alignments."""
    data["figures"][0].update(start_alignment=walk, end_alignment=walk)
    data["figures"][1].update(start_alignment=turn, end_alignment=turn)


def _declare_open(figure: dict[str, Any]) -> None:
    """Declare open facing position on every step of a figure danced in closed position."""
    for role in ("leader", "follower"):
        for step in figure[role]:
            step["position"] = "open_facing"
    figure["end_position"] = "open_facing"


BROKEN: list[tuple[str, Breaker, str]] = [
    ("wrong schema", _set("schema", 2), r"schema must be 1, found 2"),
    (
        "unknown direction",
        _set("figures.1.leader.1.direction", "sideways"),
        r"figure 'turn' leader step 2\.direction: 'sideways' is not one of",
    ),
    (
        "follows a missing figure",
        _set("figures.1.follows", ["nowhere"]),
        r"figure 'turn': follows names unknown figure 'nowhere'",
    ),
    (
        "same foot takes weight twice",
        _set("figures.0.leader.1.foot", "L"),
        r"figure 'walk' leader step 2: L foot takes weight twice in a row",
    ),
    (
        "steps do not fill the figure",
        _set("figures.0.follower.1.duration_beats", 1.0),
        r"figure 'walk' follower: steps fill 3\.0 beats but the figure is 4\.0 beats long",
    ),
    (
        "gap between steps",
        _set("figures.1.leader.0.duration_beats", 1.0),
        r"figure 'turn' leader step 1: lands on beat 0\.0 and lasts 1\.0, "
        r"but the next step lands on beat 2\.0",
    ),
    (
        "wrong end position",
        _set("figures.0.end_position", "promenade"),
        r"figure 'walk' leader: last step is in closed but the figure declares "
        r"end_position promenade",
    ),
    (
        "unreachable figure",
        _set("figures.0.follows", ["walk"]),
        r"figure 'turn' cannot be reached from the start figures",
    ),
    (
        "dead end",
        _set("figures.1.follows", []),
        r"figure 'turn' is a dead end: no figure may follow it",
    ),
    (
        "follower steps the wrong way: partners collide",
        _set("figures.0.follower.0.direction", "forward"),
        r"figure 'walk' leader step 1 \(beat 0\): the follower is no longer in front of the "
        r"leader in closed hold \(they would pass through each other\)",
    ),
    (
        "follower wanders out of arm's reach",
        _set("figures.1.follower.0.size_m", 1.2),
        r"figure 'turn' leader step 1 \(beat 0\): the partners end up 1\.\d\d m apart",
    ),
    (
        "unknown action",
        _set("figures.0.leader.0.action", "moonwalk"),
        r"figure 'walk' leader step 1: unknown action 'moonwalk'",
    ),
    (
        "replay does not end in the declared alignment",
        lambda d: d["figures"][0].update(start_alignment="DW", end_alignment="DC"),
        r"figure 'walk': the leader's turns \(0 eighths\) take him from DW to DW, "
        r"not to the declared DC",
    ),
    (
        "a follow link joins mismatched alignments",
        lambda d: _align(d, "DW", "DC"),
        r"figure 'walk' ends facing DW but may be followed by 'turn', which starts facing DC",
    ),
    (
        "replay ends in another position than declared",
        lambda d: _declare_open(d["figures"][0]),
        r"figure 'walk': the replay ends with the partners 0\.\d\d m apart, but "
        r"open_facing position needs 0\.5-1\.5 m",
    ),
    (
        "a hop on the other foot than the one with the weight",
        _set("figures.0.leader.1.action", "hop"),
        r"figure 'walk' leader step 2: a hop lands on the foot that bore the weight before it "
        r"\(L\), with weight",
    ),
    (
        "a hop as a figure's first step",
        _set("figures.0.leader.0.action", "hop"),
        r"figure 'walk' leader step 1: a hop lands on the foot that bore the weight before it "
        r"\(none in this figure\)",
    ),
    (
        "bad position name",
        _set("figures.0.follower.0.position", "tango_hold"),
        r"figure 'walk' follower step 1\.position: 'tango_hold' is not one of",
    ),
]


@pytest.mark.parametrize(
    ("breaker", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_file_is_refused_naming_file_and_place(
    tmp_path: Path, breaker: Breaker, message: str
) -> None:
    data = _mini()
    breaker(data)
    path = _write(tmp_path, _to_toml(data))
    with pytest.raises(SchemaError, match=re.escape(str(path)) + ": .*" + message):
        load_style(path)


@pytest.mark.parametrize(
    ("breaker", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_data_is_refused_by_style_from_data(breaker: Breaker, message: str) -> None:
    data = _mini()
    breaker(data)
    with pytest.raises(SchemaError, match=r"^mini-source: .*" + message):
        style_from_data(data, "mini-source")


def test_real_file_with_wrong_schema_is_refused(tmp_path: Path) -> None:
    text = SLOW_DANCE_FILE.read_text(encoding="utf-8")
    assert "\nschema = 1\n" in text
    path = _write(tmp_path, text.replace("\nschema = 1\n", "\nschema = 7\n", 1), "slow.toml")
    with pytest.raises(SchemaError, match=re.escape(f"{path}: schema must be 1, found 7")):
        load_style(path)


def test_real_file_with_a_broken_figure_names_it(tmp_path: Path) -> None:
    text = SLOW_DANCE_FILE.read_text(encoding="utf-8")
    old = 'follows = ["dip_recover"]'
    assert text.count(old) == 1
    path = _write(tmp_path, text.replace(old, 'follows = ["dip_recovery"]'), "slow.toml")
    with pytest.raises(
        SchemaError, match=re.escape(f"{path}: figure 'dip': follows names unknown figure")
    ):
        load_style(path)


def test_real_file_with_a_toml_syntax_error_is_refused(tmp_path: Path) -> None:
    text = SLOW_DANCE_FILE.read_text(encoding="utf-8")
    path = _write(tmp_path, text.replace('id = "box_step"', 'id = "box_step', 1), "slow.toml")
    with pytest.raises(InputError, match=re.escape(f"{path}: is not valid TOML")):
        load_style(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "no_such_dance.toml"
    with pytest.raises(InputError, match=re.escape(f"{path}: no such file")):
        load_style(path)


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=re.escape(f"{tmp_path}: is a directory")):
        load_style(tmp_path)


# --------------------------------------------------------------------------- find_style


@pytest.mark.parametrize(
    "name", ["slow dance", "Slow-Dance", "SLOW_DANCE", "  Slow Dance ", "first dance"]
)
def test_find_style_by_name_id_or_alias(name: str) -> None:
    assert find_style(name).id == "slow_dance"


def test_find_style_unknown_lists_known_names() -> None:
    with pytest.raises(InputError, match=r"unknown dance 'moonwalk'; known dances: .*Slow Dance"):
        find_style("moonwalk")


def test_every_hold_says_which_hands_join() -> None:
    assert set(pasdeux.dances.HOLD_CONNECTIONS) == set(pasdeux.dances.HOLDS)
    for hold, joins in pasdeux.dances.HOLD_CONNECTIONS.items():
        assert (hold == "none") == (joins == ())


MIN_FIGURES = {
    "Waltz": 8, "Slow Foxtrot": 8, "Rumba": 8, "Cha Cha": 8, "East Coast Swing": 8,
    "Salsa": 8, "Slow Dance": 8, "Viennese Waltz": 12, "Tango": 10, "Quickstep": 12,
    "Samba": 5, "Jive": 5, "Bachata": 5, "Merengue": 5, "Paso Doble": 8, "Polka": 8,
}  # fmt: skip
# International Standard syllabi have no turn of the follower under the leader's arm.
NO_UNDERARM_TURN = {"Waltz", "Slow Foxtrot", "Viennese Waltz", "Tango", "Quickstep"}


@pytest.mark.parametrize("name", sorted(MIN_FIGURES))
def test_each_dance_has_its_figures_an_ending_and_a_turn_under_the_arm(name: str) -> None:
    style = find_style(name)
    assert len(style.figures) >= MIN_FIGURES[name]
    assert any(f.ending for f in style.figures), f"{name} has no ending"
    raised = {"left_to_right_raised", "right_to_right_raised"}
    turns_under_arm = [
        f for f in style.figures if any(s.hold in raised and s.turn_eighths for s in f.follower)
    ]
    assert bool(turns_under_arm) == (name not in NO_UNDERARM_TURN), name
    assert style.tempos and style.counting and style.character and style.sources


# --------------------------------------------------------------------------- Standard floorcraft

STANDARD = ("Waltz", "Viennese Waltz", "Slow Foxtrot", "Tango", "Quickstep")


def _at_level(style: DanceStyle, level: str) -> list[Figure]:
    """The figures a routine at ``level`` may use (that level and the ones below)."""
    return [f for f in style.figures if LEVELS.index(f.level) <= LEVELS.index(level)]


def _reachable_at(style: DanceStyle, level: str) -> list[Figure]:
    """The figures at ``level`` that a routine started on a start figure can reach."""
    allowed = {f.id: f for f in _at_level(style, level)}
    todo = [allowed[s] for s in style.start_figures if s in allowed]
    seen = {f.id: f for f in todo}
    while todo:
        for nxt in successors(style, todo.pop()):
            if nxt.id in allowed and nxt.id not in seen:
                seen[nxt.id] = nxt
                todo.append(nxt)
    return list(seen.values())


def _turns_the_corner(before: Figure, after: Figure) -> bool:
    """``after`` starts on the next line of dance: the line turns 1/4 left at a corner, so
    the alignment ``before`` ends on (DC, say) is two eighths further on the new line (DW)."""
    if "any" in (before.end_alignment, after.start_alignment):
        return False
    end = ALIGNMENT_EIGHTHS[before.end_alignment]
    return ALIGNMENT_EIGHTHS[after.start_alignment] == (end + 2) % 8


@pytest.mark.parametrize("name", STANDARD)
def test_standard_dances_can_turn_a_corner_at_newcomer_level(name: str) -> None:
    """A figure reachable at the default level may be followed, by the follow rules, by one
    that starts on the next line of dance (the old library had none in four dances: the
    Waltz's Natural Turn led only to the RF Closed Change, the Tango never turned)."""
    style = find_style(name)
    figures = _reachable_at(style, "newcomer")
    ids = {f.id for f in figures}
    corners = [
        (a.id, b.id)
        for a in figures
        for b in successors(style, a)
        if b.id in ids and _turns_the_corner(a, b)
    ]
    assert corners, f"{name}: no corner chain at newcomer level"
    # every join onto the next line says so in its follow condition, for the planner's
    # reader and the step sheet
    unmarked = [
        (a.id, b.id)
        for a in style.figures
        for b in successors(style, a)
        if _turns_the_corner(a, b) and "at a corner" not in a.follow_conditions.get(b.id, "")
    ]
    assert not unmarked, f"{name}: corner joins without 'at a corner': {unmarked}"


@pytest.mark.parametrize("level", ["newcomer", "bronze", "gold"])
@pytest.mark.parametrize("name", [s.name for s in load_library()])
def test_every_figure_reaches_an_ending_within_two_figures(name: str, level: str) -> None:
    """From any figure of a level, an ending of that level is at most two figures away, so
    the planner can close the routine on the final bars (the old Standard library's only
    endings were gold; newcomer Salsa, Bachata, Merengue and Swing had none; the Samba's
    Travelling Bota Fogos and the Rumba's and Cha Cha's New York to right side position
    were three figures or more from one)."""
    style = find_style(name)
    allowed = {f.id for f in _at_level(style, level)}

    def nexts(fig: Figure) -> list[Figure]:
        return [f for f in successors(style, fig) if f.id in allowed]

    far = [
        fig.id
        for fig in _at_level(style, level)
        if not fig.ending
        and not any(n.ending or any(m.ending for m in nexts(n)) for n in nexts(fig))
    ]
    assert not far, f"{name} at {level}: no ending within two figures of {far}"


@pytest.mark.parametrize("name", STANDARD)
def test_a_recovery_is_never_an_ending_and_the_line_it_recovers_from_is(name: str) -> None:
    """The lunge (or check) is held to the end; the recovery that follows it only leads on."""
    style = find_style(name)
    recoveries = [f for f in style.figures if "recovery" in f.id]
    for recovery in recoveries:
        assert not recovery.ending, recovery.id
        lines = [f for f in style.figures if recovery.id in f.follows]
        assert lines and all(f.ending for f in lines), recovery.id


@pytest.mark.parametrize("name", STANDARD)
def test_standard_dances_have_enough_newcomer_figures(name: str) -> None:
    """Enough distinct figures at the default level that no figure but the basic need come
    more than twice running or make up more than a third of a routine (the old library had
    none in the Viennese Waltz, five in the Tango and the Quickstep)."""
    style = find_style(name)
    figures = [f for f in _reachable_at(style, "newcomer") if not f.ending]
    assert len(figures) >= 8, (name, [f.id for f in figures])
    assert any(f.ending for f in _reachable_at(style, "newcomer")), name


def test_viennese_waltz_turns_and_changes_are_newcomer_figures() -> None:
    """The first figures any school teaches (the old library made them bronze, so the
    default level found no Viennese Waltz figure at all)."""
    style = find_style("Viennese Waltz")
    for figure_id in ("natural_turn", "reverse_turn", "rf_forward_change", "lf_forward_change"):
        assert style.figure(figure_id).level == "newcomer", figure_id


_EDGE_M = 0.3  # every body point stays this far inside the floor
_CORNER_ZONE_M = 3.5  # this close to the wall ahead a figure may start on the next line
_SEARCH_BUDGET = 6000  # figures replayed at most


def _next_lines(
    leader: DancerPose, follower: DancerPose, lod_rad: float, floor_m: tuple[float, float]
) -> dict[int, float]:
    """Alignment (eighths) a figure may start on -> the line of dance it then travels: the
    couple's own alignment on this line, and near the wall ahead the same facing taken on
    the next line (a quarter to the left)."""
    eighths = round((lod_rad - leader.facing_rad) / (math.pi / 4)) % 8
    lines = {eighths: lod_rad}
    ahead = (math.cos(lod_rad), math.sin(lod_rad))
    centre = (leader.body + follower.body) / 2
    half = (floor_m[0] / 2, floor_m[1] / 2)
    to_wall = sum(abs(a) * h for a, h in zip(ahead, half, strict=True)) - float(
        centre[0] * ahead[0] + centre[1] * ahead[1]
    )
    if to_wall < _CORNER_ZONE_M:
        lines.setdefault((eighths + 2) % 8, lod_rad + math.pi / 2)
    return lines


def _danced(
    figure: Figure, pose: tuple[DancerPose, DancerPose], floor_m: tuple[float, float]
) -> tuple[DancerPose, DancerPose] | None:
    """The couple after ``figure``, or None when a step leaves the floor."""
    lead, follow = pose[0].copy(), pose[1].copy()
    half_w, half_d = floor_m[0] / 2 - _EDGE_M, floor_m[1] / 2 - _EDGE_M
    for step in replay_figure(figure, lead, follow):
        if abs(step.body_after[0]) > half_w or abs(step.body_after[1]) > half_d:
            return None
    return lead, follow


def _lap_of_the_floor(
    style: DanceStyle, level: str, floor_m: tuple[float, float], seed: int = 0
) -> list[str] | None:
    """Search (depth first, in a seeded random order) for figures, each allowed to follow
    the one before and started on the couple's line of dance (or round the corner), that
    take the couple once round the floor counter-clockwise without a step off it. The
    couple starts by the audience's side, towards its left corner, the line of dance +x."""
    figures = {f.id: f for f in _at_level(style, level) if not f.ending}
    rng = random.Random(seed)
    budget = [_SEARCH_BUDGET]

    def extend(
        path: list[Figure], pose: tuple[DancerPose, DancerPose], lod: float, swept: float
    ) -> list[Figure] | None:
        if swept >= 2 * math.pi:
            return path
        lines = _next_lines(*pose, lod, floor_m)
        options = [
            f
            for f in successors(style, path[-1])
            if f.id in figures
            and (f.start_alignment == "any" or ALIGNMENT_EIGHTHS[f.start_alignment] in lines)
        ]
        rng.shuffle(options)
        for fig in options:
            budget[0] -= 1
            if budget[0] < 0:
                return None
            after = _danced(fig, pose, floor_m)
            if after is None:
                continue
            before_xy = (pose[0].body + pose[1].body) / 2
            after_xy = (after[0].body + after[1].body) / 2
            turn = math.atan2(after_xy[1], after_xy[0]) - math.atan2(before_xy[1], before_xy[0])
            turn = (turn + math.pi) % (2 * math.pi) - math.pi
            new_lod = lines.get(ALIGNMENT_EIGHTHS.get(fig.start_alignment, -1), lod)
            found = extend([*path, fig], after, new_lod, swept + turn)
            if found is not None:
                return found
        return None

    start_xy = (
        -floor_m[0] / 2 + min(2.5, floor_m[0] / 4),
        -floor_m[1] / 2 + min(2.0, floor_m[1] * 0.3),
    )
    starts = [figures[s] for s in style.start_figures if s in figures]
    rng.shuffle(starts)
    for first in starts:
        facing = -ALIGNMENT_EIGHTHS.get(first.start_alignment, 0) * math.pi / 4
        pose = _danced(first, couple_start(start_xy, facing, first.start_position), floor_m)
        if pose is not None:
            found = extend([first], pose, 0.0, 0.0)
            if found is not None:
                return [f.id for f in found]
    return None


# The Slow Foxtrot's figures travel 1-1.8 m each: it goes round 8 x 5 and 7 x 6 m floors but
# not 6 x 5 m (a teacher would not dance the International Foxtrot there either).
_LAPS = [(name, (10.0, 8.0)) for name in (*STANDARD, "Polka")] + [
    (name, (6.0, 5.0)) for name in (*STANDARD, "Polka") if name != "Slow Foxtrot"
]


@pytest.mark.parametrize(
    ("name", "floor_m"), _LAPS, ids=[f"{n}-{w:g}x{d:g}" for n, (w, d) in _LAPS]
)
def test_standard_dances_can_go_round_the_floor(name: str, floor_m: tuple[float, float]) -> None:
    """The library lets a couple dance once round the floor at the default level: along
    each side on the line of dance, round each corner, no step off the floor (on the old
    library the Waltz, Foxtrot and Tango ran into the wall and the Viennese Waltz had no
    figure at this level)."""
    style = find_style(name)
    lap = _lap_of_the_floor(style, "newcomer", floor_m)
    assert lap is not None, f"{name}: no way once round a {floor_m} m floor"


# ------------------------------------------------------- routines a teacher would write

LATIN_AND_SOCIAL = (
    "Samba", "Paso Doble", "Salsa", "Rumba", "Cha Cha", "Jive", "East Coast Swing", "Bachata",
    "Merengue", "Slow Dance",
)  # fmt: skip
SPOT_DANCES = LATIN_AND_SOCIAL[2:]
# The Polka is a social dance that travels like the Standard ones (progressive, figures
# on the line of dance); it is held to the Latin and social dances' variety rules.
VARIED = (*LATIN_AND_SOCIAL, "Polka")


def _next(style: DanceStyle, figure: Figure, allowed: set[str]) -> list[Figure]:
    return [g for g in pasdeux.dances.successors(style, figure) if g.id in allowed]


def _travel_along_lod_m(figure: Figure) -> float:
    """How far the couple's centre moves along the line of dance (+x when facing LOD)."""
    facing = -pasdeux.dances.ALIGNMENT_EIGHTHS[figure.start_alignment] * math.pi / 4
    leader, follower = couple_start((0.0, 0.0), facing, figure.start_position)
    before = float(leader.body[0] + follower.body[0]) / 2
    replay_figure(figure, leader, follower)
    return float(leader.body[0] + follower.body[0]) / 2 - before


@pytest.mark.parametrize("name", ["Samba", "Paso Doble", "Polka"])
def test_progressive_latin_dance_can_turn_a_corner_at_newcomer_level(name: str) -> None:
    """At a corner the line of dance turns a quarter left, so a figure that ends on
    alignment a may be followed by one that starts on a + 2 eighths (DC, then DW of the
    new line). At newcomer level Samba and Paso Doble need such a pair between figures
    that travel along the line (0.3 m or more), so that a routine runs round the floor:
    the Samba Walks curving round a corner, the Paso's Chasses to Right then the Sur Place
    turned to the new line. (Before, neither had one: the Samba stayed on the spot.)"""
    style = find_style(name)
    allowed = {f.id for f in _at_level(style, "newcomer")}
    aligned = [f for f in _at_level(style, "newcomer") if f.start_alignment != "any"]
    travelling = {f.id for f in aligned if _travel_along_lod_m(f) >= 0.3}
    assert len(travelling) >= 3, (name, travelling)
    eighths = pasdeux.dances.ALIGNMENT_EIGHTHS

    def same_line(first: Figure, then: Figure) -> bool:
        return "any" not in (first.end_alignment, then.start_alignment) and (
            eighths[first.end_alignment] == eighths[then.start_alignment]
        )

    corners = [
        (f.id, g.id)
        for f in aligned
        for g in _next(style, f, allowed)
        if g.start_alignment != "any" and f.end_alignment != "any"
        and eighths[g.start_alignment] == (eighths[f.end_alignment] + 2) % 8
        and (f.id in travelling or any(
            f in _next(style, t, allowed) and same_line(t, f)
            for t in aligned if t.id in travelling))
        and (g.id in travelling or any(
            h.id in travelling and same_line(g, h) for h in _next(style, g, allowed)))
    ]  # fmt: skip
    assert corners, f"{name} has no newcomer figures that carry the line of dance round a corner"


def _centre_moved_m(figures: list[Figure]) -> float:
    leader, follower = couple_start((0.0, 0.0), 0.0, figures[0].start_position)
    start = (leader.body + follower.body) / 2
    for figure in figures:
        replay_figure(figure, leader, follower)
    end = (leader.body + follower.body) / 2
    return math.hypot(float(end[0] - start[0]), float(end[1] - start[1]))


@pytest.mark.parametrize("name", SPOT_DANCES)
def test_spot_dance_figures_travel_little_and_can_come_back(name: str) -> None:
    """Spot and slot dances stay in a spot about 2 m across: no figure up to bronze moves
    the couple's centre more than 1.2 m, and after one that moves it more than 0.5 m the
    library offers one or two figures that bring it back within 0.4 m of where it began
    (the planner can then keep the couple on its spot). Before, the Cha Cha's Three Cha
    Cha Chas Back went 1.06 m with no way back, the Slow Dance's Promenade Walk 1.12 m
    with the best return 0.71 m away."""
    style = find_style(name)
    figures = _at_level(style, "bronze")
    allowed = {f.id for f in figures}
    for fig in figures:
        moved = _centre_moved_m([fig])
        assert moved <= 1.2, (name, fig.id, moved)
        if moved <= 0.5:
            continue
        returns = [_centre_moved_m([fig, g]) for g in _next(style, fig, allowed)]
        returns += [
            _centre_moved_m([fig, g, h])
            for g in _next(style, fig, allowed)
            for h in _next(style, g, allowed)
        ]
        assert min(returns) <= 0.4, (name, fig.id, moved, min(returns))


@pytest.mark.parametrize("level", ["newcomer", "bronze"])
@pytest.mark.parametrize("name", VARIED)
def test_enough_figures_for_a_varied_routine(name: str, level: str) -> None:
    """Six figures besides the endings, and two ways on from each figure besides itself
    and the endings. Why: a routine in which no figure but the basic comes more than
    twice running and none makes more than a third needs at least three figures in
    turn wherever the couple is, and a figure with a single way on forces that one
    (Salsa's Back Basic could only be followed by itself or the Right Turn, hence 27 Back
    Basics in 48 figures). Six leaves room for the positions and alignments a figure must
    start in. A figure whose `follows` names only its second half (a hammerlock and its
    exit, a dip and its recovery) counts as one figure with its second half."""
    style = find_style(name)
    figures = _at_level(style, level)
    allowed = {f.id for f in figures}
    plain = [f for f in figures if not f.ending]
    assert len(plain) >= 6, (name, level, [f.id for f in plain])
    for fig in plain:
        if len(fig.follows) == 1 and fig.follows[0] != "*":
            continue
        ways_on = {g.id for g in _next(style, fig, allowed) if not g.ending and g.id != fig.id}
        assert len(ways_on) >= 2, (name, level, fig.id, sorted(ways_on))


def _follower_seen_from_leader(figure: Figure, replayed: bool) -> tuple[float, float]:
    leader, follower = couple_start((0.0, 0.0), 0.0, figure.start_position)
    if replayed:
        replay_figure(figure, leader, follower)
    dx, dy = (follower.body - leader.body).tolist()
    facing = leader.facing_rad
    forward = dx * math.cos(facing) + dy * math.sin(facing)
    right = dx * math.sin(facing) - dy * math.cos(facing)
    return forward, right


@pytest.mark.parametrize("name", VARIED)
def test_a_figure_that_keeps_its_position_keeps_the_partners_where_it_found_them(
    name: str,
) -> None:
    """A figure that starts and ends in the same position (closed to closed, open to open)
    leaves the follower within 0.15 m of where she stood, seen from the leader; otherwise
    each repeat moves the partners further apart (the Salsa's Back Basic added 0.25 m
    each time, 27 of them left the partners metres apart; the Jive's Change of Places
    left to right ended 0.65 m out of open position). 0.15 m: a chain of such figures
    then stays inside the hold's range (0.2-0.6 m in closed hold)."""
    style = find_style(name)
    for figure in style.figures:
        if figure.start_position != figure.end_position:
            continue
        before = _follower_seen_from_leader(figure, replayed=False)
        after = _follower_seen_from_leader(figure, replayed=True)
        moved = math.hypot(after[0] - before[0], after[1] - before[1])
        assert moved <= 0.15, (name, figure.id, round(moved, 2))


# ------------------------------------------------------------------------------------- Polka


def test_polka_bars_are_hop_step_close_step_in_two_four() -> None:
    """Every bar of a polka step is a triple step on 1 & 2 (step-close-step) and a hop
    on the 'a' before the next 1 on the foot that stepped on 2, the feet alternating bar by bar; the
    figures are two or four bars and start with the leader's LF (the follower's RF)."""
    style = find_style("Polka")
    assert style.meters == (2,) and style.progressive and style.pulse == "springy"
    (tempo,) = style.tempos
    assert tempo.mpm_min <= 60.0 <= tempo.mpm_max  # about 60 bars a minute
    hops = 0
    for fig in style.figures:
        assert fig.length_beats in (4.0, 8.0), fig.id
        for role, first in (("leader", "L"), ("follower", "R")):
            steps = getattr(fig, role)
            assert next(s.foot for s in steps if s.weight) == first, (fig.id, role)
            for i, step in enumerate(steps):
                if step.action != "hop":
                    continue
                hops += 1
                before = steps[i - 1]
                assert step.beat % 2 == 1.75 and step.count == "a", (fig.id, role, i)
                assert step.weight and step.foot == before.foot and before.weight
                assert step.direction == "in_place"
                triple = steps[i - 3 : i]  # step-close-step (step-side-close turning left)
                assert [s.count for s in triple] == ["1", "&", "2"], (fig.id, role, i)
                assert all(s.weight for s in triple) and triple[0].beat == step.beat - 1.75
    assert hops >= 2 * 2 * len(style.figures) - 2  # all but the finish's last bar hop


@pytest.mark.parametrize(("figure_id", "turn"), [("natural_turn", 8), ("reverse_turn", -8)])
def test_polka_turns_rotate_a_full_turn_travelling_along_the_line_of_dance(
    figure_id: str, turn: int
) -> None:
    """The Polka Turns to Right and Left: a full turn in two bars for both partners, the
    couple's centre travelling along the line of dance and hardly to the side, the
    partners in closed hold after every step."""
    fig = find_style("Polka").figure(figure_id)
    assert sum(s.turn_eighths for s in fig.leader) == turn
    assert sum(s.turn_eighths for s in fig.follower) == turn
    leader, follower = couple_start((0.0, 0.0), 0.0, "closed")
    start = (leader.body + follower.body) / 2
    for rs in replay_figure(fig, leader, follower):
        assert rs.step.hold == "closed"
    moved = (leader.body + follower.body) / 2 - start
    assert 0.9 <= float(moved[0]) <= 1.5, moved  # about 0.3 m a step along LOD
    assert abs(float(moved[1])) <= 0.2, moved
