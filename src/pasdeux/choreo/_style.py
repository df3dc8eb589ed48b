"""The dance of each section, and the music counted as that dance counts it.

A dance the user asks for is always danced: where the song's beat is at the wrong octave
for it, it counts in half or double time, and where the song was heard in another meter
(a Waltz on music heard in 4/4), the beats are counted again in its bars
(:func:`pasdeux.music.count_for`, :func:`pasdeux.music.recount`); one warning line says
what was done. With ``auto`` each section gets the dance that suits its tempo and meter
(the listening stage's pick, or the previous section's dance when it suits nearly as
well), counted at the octave nearest that dance's tempo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from pasdeux.choreo._params import PlanParams
from pasdeux.dances import LEVELS, DanceStyle, find_style, load_library
from pasdeux.errors import InputError
from pasdeux.music import (
    Counting,
    CountParams,
    MusicMap,
    Section,
    count_for,
    rank_dances,
    recount,
)

__all__ = ["DancedMusic", "count_music"]


@dataclass(frozen=True)
class DancedMusic:
    """The music as danced: counted for each section's dance.

    Attributes
    ----------
    music
        The song counted as danced (each section's ``dance`` is the one danced in it).
    dances
        The dance of each section of ``music`` (None where no dance has figures).
    countings
        How each section was counted (as heard, half or double time, another meter).
    warning
        The one line (without ``"warning: "``) saying what was done to dance the style
        asked for, or None when it is danced as heard, within its tempo range.
    level
        The figure level to dance at: the one asked for, or the lowest the dance asked for
        has when it has none at or below that.
    """

    music: MusicMap
    dances: tuple[DanceStyle | None, ...]
    countings: tuple[Counting | None, ...]
    warning: str | None
    level: str | None = None


def count_music(
    music: MusicMap,
    style: str | DanceStyle | None,
    *,
    level: str | None = None,
    progress: Callable[[str], None] | None = None,
    params: PlanParams | None = None,
) -> DancedMusic:
    """Choose each section's dance and count the music as it is danced.

    Parameters
    ----------
    music
        The song as heard.
    style
        The dance asked for (or its name), or None/``"auto"``.
    level
        The highest figure level asked for (:data:`pasdeux.dances.LEVELS`), or None for
        any. ``auto`` picks only dances with figures up to it; a dance asked for that has
        none is danced with its lowest level (said in the warning).
    progress
        Given the warning (``"warning: …"``) when the style asked for is danced otherwise
        than the song was heard, and a line for each section ``auto`` counts in half or
        double time.
    params
        The planner's tunables (the defaults when None): with ``auto`` a section keeps the
        previous section's dance when it scores at least ``keep_dance_share`` of the best
        dance's score; a tempo more than ``warn_off_range_pct`` outside the dance's range
        is warned of; ``counting`` is how the music is counted.

    Returns
    -------
    DancedMusic

    Raises
    ------
    InputError
        The style asked for cannot be danced to the song at all: too few beats to make one
        of its bars in any section.
    """
    params = params or PlanParams()
    chosen = (
        style
        if isinstance(style, DanceStyle)
        else None
        if style in (None, "auto")
        else find_style(str(style))
    )
    dances = (
        tuple(chosen for _ in music.sections)
        if chosen is not None
        else _auto_dances(music, level, params.keep_dance_share)
    )
    countings = tuple(
        None
        if d is None
        else count_for(d, s.meter, s.bpm, keep_meter=chosen is None, params=params.counting)
        for d, s in zip(dances, music.sections, strict=True)
    )
    counted, phases = _recount(music, chosen, countings, params.counting)
    counted = replace(
        counted,
        sections=tuple(
            replace(s, dance=d.name) if d is not None else s
            for s, d in zip(counted.sections, dances, strict=True)
        ),
    )
    say = progress or (lambda _m: None)
    if chosen is None:
        for n, (c, d) in enumerate(zip(countings, dances)):
            if c is not None and d is not None and c.changed:
                say(f"section {n + 1}: {d.name} {_how(d.name, [c], None, params)}")
        return DancedMusic(counted, dances, countings, None, level)
    _check_bars(counted, chosen)
    danced_level, level_note = _level_for(chosen, counted, level)
    notes = [_warning(chosen, music.sections, countings, phases, params), level_note]
    warning = "; ".join(n for n in notes if n) or None
    if warning:
        say(f"warning: {warning}")
    return DancedMusic(counted, dances, countings, warning, danced_level)


def _recount(
    music: MusicMap,
    chosen: DanceStyle | None,
    countings: Sequence[Counting | None],
    params: CountParams,
) -> tuple[MusicMap, dict[int, tuple[float, str]]]:
    """The music counted so, and where each re-counted section's bars start and why."""
    phases: dict[int, tuple[float, str]] = {}
    try:
        counted = recount(
            music,
            meter=[c.meter if c else s.meter for c, s in zip(countings, music.sections)],
            tempo_factor=[c.tempo_factor if c else 1.0 for c in countings],
            explain=lambda n, t, why: phases.__setitem__(n, (t, why)),
            params=params,
        )
    except InputError as exc:
        if chosen is None:
            raise
        raise InputError(music.source, f"cannot dance {chosen.name} to it: {exc.problem}") from exc
    return counted, phases


def _level_for(
    dance: DanceStyle, music: MusicMap, level: str | None
) -> tuple[str | None, str | None]:
    """The level to dance ``dance`` at, and a note when it is above the one asked for (the
    dance has no figures at or below it in the music's meters)."""
    if level is None or level not in LEVELS:
        return level, None
    meters = {s.meter for s in music.sections}
    if any(_has_figures(dance, m, level) for m in meters):
        return level, None
    lowest = next((lv for lv in LEVELS if any(_has_figures(dance, m, lv) for m in meters)), None)
    if lowest is None:
        return level, None
    return lowest, f"{dance.name} has no {level} figures: danced with its {lowest} ones"


def _check_bars(music: MusicMap, dance: DanceStyle) -> None:
    """Refuse a song on which not one bar of the dance can be counted."""
    bars = music.bars
    whole = [b for b in bars if any(b.meter == s.meter for s in music.sections)]
    if not whole:
        raise InputError(
            music.source,
            f"cannot dance {dance.name} to it: its {len(music.beats)} beats make no whole "
            f"bar of {'/'.join(str(m) for m in dance.meters)} beats",
        )


def _auto_dances(
    music: MusicMap, level: str | None, keep_share: float
) -> tuple[DanceStyle | None, ...]:
    """Each section's dance: the listening stage's pick (ranked with the section's rhythm)
    if it has figures in the section's meter, else the best on tempo and meter; the
    previous section's dance instead when it scores nearly as well."""
    out: list[DanceStyle | None] = []
    previous: DanceStyle | None = None
    for section in music.sections:
        dance = _auto_dance(section, previous, level, keep_share)
        out.append(dance)
        previous = dance or previous
    return tuple(out)


def _auto_dance(
    section: Section, previous: DanceStyle | None, level: str | None, keep_share: float
) -> DanceStyle | None:
    danceable = [s for s in load_library() if _has_figures(s, section.meter, level)]
    if not danceable:
        return None
    ranked = {f.name: f.score for f in rank_dances(section.meter, section.bpm, danceable)}
    by_name = {s.name: s for s in danceable}
    best = max(ranked.values())
    if (
        previous is not None
        and previous.name in by_name
        and ranked[previous.name] >= keep_share * best
    ):
        return previous
    if section.dance in by_name:
        # The listening stage chose it with the music's rhythm in mind: trust it.
        return by_name[section.dance]
    return by_name[max(ranked, key=lambda name: ranked[name])]


def _has_figures(dance: DanceStyle, meter: int, level: str | None = None) -> bool:
    """Whether the dance has figures (up to ``level``) for bars of ``meter`` (2/4 and 4/4
    stand for each other: two bars of 2 make one of 4)."""
    top = LEVELS.index(level) if level in LEVELS else len(LEVELS)
    return any(
        LEVELS.index(f.level) <= top
        for m in {2: (2, 4), 4: (4, 2)}.get(meter, (meter,))
        for f in dance.figures_in_meter(m)
    )


def _span(values: Sequence[float], fmt: str = "{:.0f}") -> str:
    """``"100-111"`` for a spread of values, ``"87"`` for one."""
    low, high = fmt.format(min(values)), fmt.format(max(values))
    return low if low == high else f"{low}-{high}"


def _how(
    name: str, cs: Sequence[Counting], phase: tuple[float, str] | None, params: PlanParams
) -> str:
    """How sections counted alike are danced, e.g. ``"danced in half time at 88 BPM (22
    bars a minute), 14% slower than Rumba's 25-27"`` or ``"re-counted in 3/4 (bars from
    1.6 s, on the beats the music is loudest) and danced at 76 BPM (25 bars a minute)"``."""
    c = cs[0]
    text = "danced"
    if c.recounted:
        where = f" (bars from {phase[0]:.1f} s, {phase[1]})" if phase else ""
        text = f"re-counted in {c.meter}/4{where} and danced"
    if c.tempo_factor != 1.0:
        text += " in half time" if c.tempo_factor < 1.0 else " in double time"
    bpm, mpm = _span([x.bpm for x in cs]), _span([x.mpm for x in cs])
    text += f" at {bpm} BPM ({mpm} bars a minute)"
    offs = [x.off_range_pct for x in cs if abs(x.off_range_pct) > params.warn_off_range_pct]
    if offs and c.tempo is not None:
        word = "slower" if offs[0] < 0 else "faster"
        pct = _span([abs(v) for v in offs])
        text += f", {pct}% {word} than {name}'s {c.tempo.mpm_min:.0f}-{c.tempo.mpm_max:.0f}"
    return text


def _warning(
    dance: DanceStyle,
    sections: Sequence[Section],
    countings: Sequence[Counting | None],
    phases: dict[int, tuple[float, str]],
    params: PlanParams,
) -> str | None:
    """One line saying how the asked-for dance counts the song, or None when it is danced
    as heard and within its tempo range. Sections counted alike are told together."""
    groups: dict[tuple[float, int, int], list[int]] = {}
    for n, c in enumerate(countings):
        if c is not None:
            groups.setdefault((c.tempo_factor, c.meter, c.heard_meter), []).append(n)
    clauses = []
    for members in groups.values():
        cs = [c for n in members if (c := countings[n]) is not None]
        off = [abs(c.off_range_pct) > params.warn_off_range_pct for c in cs]
        notable = [c for c, o in zip(cs, off, strict=True) if c.changed or o]
        if not notable:
            continue
        phase = phases.get(members[0]) if len(members) == 1 else None
        heard = f"{cs[0].heard_meter}/4 at {_span([c.heard_bpm for c in cs])} BPM"
        clauses.append((members, heard, _how(dance.name, cs, phase, params)))
    if not clauses:
        return None
    if len(clauses) == 1 and len(clauses[0][0]) == len(sections):
        _, heard, how = clauses[0]
        return f"{dance.name} asked on a song in {heard}: {how}"
    parts = []
    for members, heard, how in clauses:
        which = (
            f"section {members[0] + 1}"
            if len(members) == 1
            else "sections " + ", ".join(str(n + 1) for n in members)
        )
        parts.append(f"{which} ({heard}) {how}")
    return f"{dance.name} asked on this song: " + "; ".join(parts)
