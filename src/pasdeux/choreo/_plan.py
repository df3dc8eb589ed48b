"""Place figures on the music, bar by bar, section by section.

The planner walks the song's bars in order. Within each section it uses the dance that
suits the section (or the one the user asked for) and its figures in the section's meter.
At every bar it picks, among the figures allowed to follow the previous one that fit in
what is left of the section, a figure whose length suits its place in the phrase:
highlights (turns) at the start of a phrase's second half, an ending on the last bars of
the song. Where the meter changes, the couple starts again with one of the dance's
start figures in the new meter. The random choices come from ``seed``, so a seed gives
one routine.

A progressive dance starts by the audience's side and travels the line of dance
counter-clockwise round the floor: figures that start on the couple's alignment to the
line are preferred, near the wall ahead a figure may start round the corner (the line
turns a quarter left, so that DC becomes DW), and a figure after which no chain of
:data:`_LOOK_AHEAD` more figures keeps the couple on the floor and on the line is
avoided. How far this gets depends on the library: a dance whose follow rules offer no
figure round a corner (the Waltz's Natural Turn is always followed by the RF Closed Change
and the Reverse Turn) still runs into the wall.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pasdeux._limits import FLOOR_SIDE_RANGE_M, SEED_MAX
from pasdeux.choreo._style import count_music
from pasdeux.choreo._types import PlacedFigure, Routine
from pasdeux.dances import (
    ALIGNMENT_EIGHTHS,
    DanceStyle,
    Figure,
    Position,
    find_style,
    successors,
)
from pasdeux.dances.geometry import CouplePose, DancerPose, couple_start, replay_figure
from pasdeux.errors import InputError
from pasdeux.music import Bar, MusicMap

__all__ = ["FLOOR_SIDE_RANGE_M", "LEVEL_ORDER", "SEED_MAX", "check_options", "choreograph"]

LEVEL_ORDER = ("newcomer", "bronze", "silver", "gold")
_FLOOR_MARGIN_M = 0.8
_EPS = 1e-6
_PHRASE_BARS = 8
#: Where a progressive dance starts: this far from the left and the audience's walls (m).
_START_FROM_WALLS_M = (2.5, 1.6)
#: Weight of a figure whose start alignment matches the couple's line of dance, and of one
#: that does not; of a figure after which no chain of figures keeps on the floor and on
#: the line of dance for :data:`_LOOK_AHEAD` figures more.
_ALIGNED_WEIGHT = 3.0
_MISALIGNED_WEIGHT = 0.2
_DEAD_END_WEIGHT = 0.02
_LOOK_AHEAD = 3
#: Near the wall ahead (m) a figure may start round the corner, on the next line of dance.
_CORNER_ZONE_M = 3.5


@dataclass
class _Couple:
    leader: DancerPose
    follower: DancerPose

    @property
    def centre(self) -> tuple[float, float]:
        c = (self.leader.body + self.follower.body) / 2
        return float(c[0]), float(c[1])


def choreograph(
    music: MusicMap,
    *,
    style: str | DanceStyle | None = None,
    level: str = "newcomer",
    floor_m: tuple[float, float] = (10.0, 8.0),
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Routine:
    """Choose and place figures on ``music``'s bars.

    Parameters
    ----------
    music
        The song's music map.
    style
        A dance (or its name in the library), or ``None``/``"auto"`` for the dance that
        suits each section best. The music is counted as the dance counts it (half or
        double time, the dance's meter: see :func:`count_music`); ``progress`` gets one
        ``"warning: …"`` line when that differs from the music as heard.
    level
        Highest figure level to use (newcomer, bronze, silver, gold).
    floor_m
        Floor width and depth in metres.
    seed
        Seed for the choices among equally good figures.

    Returns
    -------
    Routine
        The placed figures, in time order.
    """
    chosen = check_options(style=style, level=level, floor_m=floor_m, seed=seed)
    danced = count_music(music, chosen, level=level, progress=progress)
    music, level = danced.music, danced.level or level
    rng = np.random.default_rng(seed)
    tempo = music.tempo_map
    bars = music.bars
    couple = _Couple(*couple_start((0.0, 0.0), 0.0, "closed"))
    first_dance = danced.dances[0] if danced.dances else None
    if first_dance is not None and first_dance.progressive:
        couple = _Couple(*_progressive_start(first_dance, floor_m))
    lod = _line_of_dance_rad(couple.centre, floor_m)
    placed: list[PlacedFigure] = []
    final_bar = _final_chord_bar(music)
    for section_number, section in enumerate(music.sections):
        dance = danced.dances[section_number]
        section_bars = [b for b in bars if section.start - 1e-3 <= b.start < section.end - 1e-3]
        section_bars = [b for b in section_bars if b.meter == section.meter]
        is_last_section = section_number == len(music.sections) - 1
        if is_last_section and final_bar is not None and final_bar.start <= section.end + 0.5:
            section_bars.append(Bar(final_bar.index, final_bar.start, final_bar.end, section.meter))
        if not section_bars or dance is None:
            continue
        if progress:
            progress(
                f"section {section_number + 1}: {dance.name} in {section.meter}/4 "
                f"from {section.start:.1f} s, {len(section_bars)} bars"
            )
        figures = [
            f
            for f in dance.figures_in_meter(_figure_meter(dance, section.meter))
            if LEVEL_ORDER.index(f.level) <= LEVEL_ORDER.index(level)
        ]
        starts = [round(tempo.beat_from_second(b.start)) for b in section_bars]
        end_beat = starts[-1] + section.meter
        figure_meter = _figure_meter(dance, section.meter)
        if figure_meter != section.meter:
            # 2/4 bars danced as 4/4 bars (or the reverse): regroup the beat grid.
            starts = list(range(starts[0], end_beat, figure_meter))
            if figure_meter > section.meter:
                section_bars = section_bars[:: figure_meter // section.meter]
            else:
                section_bars = [
                    b for b in section_bars for _ in range(section.meter // figure_meter)
                ]
            end_beat = starts[0] + len(starts) * figure_meter
        endings = sorted((f for f in figures if f.ending), key=lambda f: f.length_beats)
        reserved = 0.0
        if is_last_section and endings and endings[0].length_beats < end_beat - starts[0]:
            reserved = endings[0].length_beats
        fill_until = end_beat - reserved
        previous: Figure | None = None
        follow_ons = _follow_ons(dance, figures) if dance.progressive else None
        cursor = float(starts[0])
        while cursor < end_beat - _EPS:
            at_end = cursor >= fill_until - _EPS
            room = (end_beat if at_end else fill_until) - cursor
            candidates = _candidates(dance, figures, previous)
            fits = [f for f in candidates if f.length_beats <= room + _EPS]
            if at_end:
                fitting = [f for f in fits if f.ending] or fits
            else:
                fitting = [f for f in fits if not f.ending]
            bar = section_bars[max(0, bisect.bisect_right(starts, cursor + _EPS) - 1)]
            if not fitting and not at_end:
                # Close to the end nothing but an ending fits: dance it now and hold its
                # pose to the end rather than stand and wait.
                fitting = [
                    f
                    for f in endings
                    if f.length_beats <= end_beat - cursor + _EPS
                    and f.start_position == (previous.end_position if previous else "closed")
                    and end_beat - cursor <= f.length_beats + reserved + _EPS
                ]
                at_end = bool(fitting)
            if not fitting:
                # Nothing fits what is left: hold until the next bar (or the ending) and
                # start again there with a start figure.
                nxt = next((b for b in starts if b > cursor + _EPS), end_beat)
                cursor = float(nxt if at_end else min(nxt, fill_until))
                previous = None
                continue
            # bars count from the section's first (section_bars may hold a bar twice)
            phrase_bar, phrase_len = _bar_in_phrase(music, bar, bar.index - section_bars[0].index)
            if previous is None:
                lod = _line_of_dance_rad(couple.centre, floor_m)
            figure = _choose(
                fitting,
                (phrase_bar, phrase_len),
                bar.meter,
                previous,
                couple,
                floor_m,
                rng,
                follow_ons=follow_ons,
                lod=lod,
            )
            if dance.progressive:
                lod = _line_after_start(figure, _lines(couple, lod, floor_m), lod)
            why = "ending on the final bar" if at_end and figure.ending else _why(figure)
            placed.append(_place(dance, figure, cursor, bar, music, couple, why))
            previous = figure
            cursor += figure.length_beats
    if not placed:
        raise InputError(music.source, "no figure fits this song's bars and meter")
    return Routine(
        source=music.source,
        level=level,
        seed=seed,
        floor_m=(float(floor_m[0]), float(floor_m[1])),
        beats=music.beats,
        first_downbeat_index=music.first_downbeat_index,
        figures=tuple(placed),
    )


def check_options(
    *,
    style: str | DanceStyle | None,
    level: str,
    floor_m: tuple[float, float],
    seed: int = 0,
) -> DanceStyle | None:
    """Validate the user's choices before any work; returns the chosen dance (or None).

    Raises
    ------
    InputError
        For an unknown level or dance, a floor side outside :data:`FLOOR_SIDE_RANGE_M`
        (or not a finite number) or a seed outside 0 to :data:`SEED_MAX`.
    """
    if level not in LEVEL_ORDER:
        raise InputError(None, f"unknown level {level!r}; use one of {', '.join(LEVEL_ORDER)}")
    low, high = FLOOR_SIDE_RANGE_M
    if not all(math.isfinite(v) and low <= v <= high for v in floor_m):
        size = "too small" if min(floor_m) < low else "too large or not a number"
        raise InputError(
            None,
            f"floor {floor_m[0]:g}x{floor_m[1]:g} m is {size}: "
            f"each side must be {low:g} to {high:g} m",
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise InputError(None, f"--seed {seed!r}: must be a whole number from 0 to {SEED_MAX}")
    if isinstance(style, DanceStyle):
        return style
    return None if style in (None, "auto") else find_style(str(style))


def _why(figure: Figure) -> str:
    """A short reason for a figure's place, printed on the step sheet."""
    return "highlight" if figure.highlight else "basic"


def _final_chord_bar(music: MusicMap) -> Bar | None:
    """The bar that starts on the last downbeat when the song ends on a held chord there.

    Such a bar has no following downbeat, so it is not among ``music.bars``; an ending
    (a dip, a pose) belongs on it.
    """
    bars = music.bars
    if not bars or not music.downbeats:
        return None
    last = music.downbeats[-1]
    if last <= bars[-1].start + 1e-3 or music.duration_s - last < 1.0:
        return None
    return Bar(bars[-1].index + 1, last, music.duration_s, bars[-1].meter)


def _figure_meter(dance: DanceStyle, meter: int) -> int:
    """The meter of the dance's figures to use in bars of ``meter``: the same one, or 2/4
    and 4/4 for each other (two bars of 2/4 make a bar of 4/4)."""
    if dance.figures_in_meter(meter):
        return meter
    for other in {2: (4,), 4: (2,)}.get(meter, ()):
        if dance.figures_in_meter(other):
            return other
    return meter


def _bars_of(figure: Figure, bar_meter: int) -> int:
    """How many of the music's bars (of ``bar_meter`` beats) the figure spans: a 2/4 figure
    danced in 4/4 music spans half as many bars as it has bars of its own."""
    return max(1, math.ceil(figure.length_beats / bar_meter - 1e-9))


def _candidates(dance: DanceStyle, figures: list[Figure], previous: Figure | None) -> list[Figure]:
    allowed = {f.id for f in figures}
    if previous is None:
        starts = [f for f in figures if f.id in dance.start_figures]
        return starts or figures
    return [f for f in successors(dance, previous) if f.id in allowed]


def _bar_in_phrase(music: MusicMap, bar: Bar, bar_in_section: int) -> tuple[int, int]:
    """Which bar of its phrase ``bar`` is (0 = the phrase's first bar), and the phrase's
    length in bars (8 where the music has no phrases)."""
    for phrase in music.phrases:
        if phrase.first_bar <= bar.index < phrase.first_bar + phrase.n_bars:
            return bar.index - phrase.first_bar, phrase.n_bars
    return bar_in_section % _PHRASE_BARS, _PHRASE_BARS


def _choose(
    fitting: list[Figure],
    phrase_place: tuple[int, int],
    bar_meter: int,
    previous: Figure | None,
    couple: _Couple,
    floor_m: tuple[float, float],
    rng: np.random.Generator,
    *,
    follow_ons: Callable[[Figure], list[Figure]] | None = None,
    lod: float = 0.0,
) -> Figure:
    """Pick one of ``fitting``, weighted by its place in the phrase and, for a progressive
    dance (``follow_ons`` given), by how well it travels the line of dance round the floor."""
    bar_in_phrase, phrase_len = phrase_place
    lines = _lines(couple, lod, floor_m)
    weights = []
    for fig in fitting:
        w = 1.0
        end = _after(fig, couple)
        if follow_ons is not None:
            if fig.start_alignment != "any":
                matches = ALIGNMENT_EIGHTHS[fig.start_alignment] in lines
                w *= _ALIGNED_WEIGHT if matches else _MISALIGNED_WEIGHT
            after = _line_after_start(fig, lines, lod)
            if not _travels_on(fig, end, after, floor_m, follow_ons, _LOOK_AHEAD):
                w *= _DEAD_END_WEIGHT
        if fig.highlight and not fig.ending:
            w *= 3.0 if bar_in_phrase == phrase_len // 2 else 0.15
            if previous is not None and previous.highlight:
                w *= 0.1  # a highlight stands out between plainer figures
        if previous is not None and fig.id == previous.id:
            w *= 0.3  # variety: the same figure twice running is fine, thrice is rare
        bars = _bars_of(fig, bar_meter)
        if bar_in_phrase % 2 == 1 and bars % 2 == 0:
            w *= 0.1  # two-bar figures start on odd bars of the phrase (1, 3, 5, 7)
        if bar_in_phrase + bars > phrase_len:
            w *= 0.05  # a figure should not run across the start of the next phrase
        if not _on_floor(end, floor_m):
            w *= 0.01
        weights.append(w)
    p = np.asarray(weights, dtype=float)
    index = int(rng.choice(len(fitting), p=p / p.sum()))
    return fitting[index]


def _after(figure: Figure, couple: _Couple) -> _Couple:
    """The couple where ``figure`` danced from ``couple`` leaves them."""
    leader, follower = couple.leader.copy(), couple.follower.copy()
    replay_figure(figure, leader, follower)
    return _Couple(leader, follower)


def _on_floor(couple: _Couple, floor_m: tuple[float, float]) -> bool:
    half_w = floor_m[0] / 2 - _FLOOR_MARGIN_M
    half_d = floor_m[1] / 2 - _FLOOR_MARGIN_M
    return all(
        abs(p.body[0]) <= half_w and abs(p.body[1]) <= half_d
        for p in (couple.leader, couple.follower)
    )


def _travels_on(
    figure: Figure,
    end: _Couple,
    lod: float,
    floor_m: tuple[float, float],
    follow_ons: Callable[[Figure], list[Figure]],
    depth: int,
) -> bool:
    """Whether ``figure``, which left the couple at ``end`` on the line of dance ``lod``,
    kept them on the floor and ``depth`` more figures can follow it, each starting on the
    couple's alignment to the line of dance (or on any)."""
    if not _on_floor(end, floor_m):
        return False
    if depth == 0:
        return True
    lines = _lines(end, lod, floor_m)
    for nxt in follow_ons(figure):
        if nxt.start_alignment == "any" or ALIGNMENT_EIGHTHS[nxt.start_alignment] in lines:
            after = _line_after_start(nxt, lines, lod)
            if _travels_on(nxt, _after(nxt, end), after, floor_m, follow_ons, depth - 1):
                return True
    return False


def _lines(couple: _Couple, lod: float, floor_m: tuple[float, float]) -> dict[int, float]:
    """The alignments (clockwise eighths) a figure may start on from here, each with the
    line of dance it then travels: the couple's own on ``lod``; near the wall ahead also
    the one after turning the corner (the line turns a quarter left: DC becomes DW)."""
    eighths = round((lod - couple.leader.facing_rad) / (math.pi / 4)) % 8
    lines = {eighths: lod}
    if _to_wall_ahead_m(couple.centre, lod, floor_m) < _CORNER_ZONE_M:
        lines.setdefault((eighths + 2) % 8, _wrap(lod + math.pi / 2))
    return lines


def _line_after_start(figure: Figure, lines: dict[int, float], lod: float) -> float:
    """The line of dance once ``figure`` starts (``lines``: :func:`_lines` where it starts):
    turned if it starts round the corner."""
    if figure.start_alignment == "any":
        return lod
    return lines.get(ALIGNMENT_EIGHTHS[figure.start_alignment], lod)


def _to_wall_ahead_m(
    centre_xy: tuple[float, float], lod: float, floor_m: tuple[float, float]
) -> float:
    """Distance from the couple to the wall the line of dance runs towards."""
    dx, dy = math.cos(lod), math.sin(lod)
    half_w, half_d = floor_m[0] / 2, floor_m[1] / 2
    x, y = centre_xy
    if abs(dx) > abs(dy):
        return half_w - x if dx > 0 else x + half_w
    return half_d - y if dy > 0 else y + half_d


def _wrap(angle: float) -> float:
    return math.atan2(math.sin(angle), math.cos(angle))


def _follow_ons(dance: DanceStyle, figures: list[Figure]) -> Callable[[Figure], list[Figure]]:
    """The figures of ``figures`` that may follow a figure (not the endings)."""
    cache: dict[str, list[Figure]] = {}

    def follow_ons(figure: Figure) -> list[Figure]:
        if figure.id not in cache:
            cache[figure.id] = [f for f in _candidates(dance, figures, figure) if not f.ending]
        return cache[figure.id]

    return follow_ons


def _line_of_dance_rad(centre_xy: tuple[float, float], floor_m: tuple[float, float]) -> float:
    """The line of dance where the couple stands: counter-clockwise round the floor, along
    the nearest wall (the 45-degree lines from the corners split the floor into four)."""
    half_w, half_d = floor_m[0] / 2, floor_m[1] / 2
    x, y = centre_xy
    to_wall = {  # the line of dance along each wall -> the distance to that wall
        0.0: y + half_d,  # along the audience's side, to the right (+x)
        math.pi / 2: half_w - x,  # along the right-hand side, away from the audience
        math.pi: half_d - y,
        -math.pi / 2: x + half_w,
    }
    return min(to_wall, key=lambda heading: to_wall[heading])


def _progressive_start(
    dance: DanceStyle, floor_m: tuple[float, float]
) -> tuple[DancerPose, DancerPose]:
    """Where a progressive dance begins: by the audience's side, towards its left corner,
    on the alignment most of the dance's start figures begin on (the line of dance there
    runs to +x)."""
    starts = [f for f in dance.figures if f.id in dance.start_figures]
    aligned = [ALIGNMENT_EIGHTHS[f.start_alignment] for f in starts if f.start_alignment != "any"]
    eighths = max(set(aligned), key=aligned.count) if aligned else 0
    position: Position = next((f.start_position for f in starts), "closed")
    centre = (
        -floor_m[0] / 2 + _START_FROM_WALLS_M[0],
        -floor_m[1] / 2 + _START_FROM_WALLS_M[1],
    )
    return couple_start(centre, -eighths * math.pi / 4, position)


def _place(
    dance: DanceStyle,
    figure: Figure,
    start_beat: float,
    bar: Bar,
    music: MusicMap,
    couple: _Couple,
    why: str,
) -> PlacedFigure:
    tempo = music.tempo_map
    end_beat = start_beat + figure.leader[0].beat + figure.length_beats
    placed = PlacedFigure(
        dance=dance.name,
        figure=figure,
        start_beat=start_beat,
        start_s=round(tempo.second_from_beat(start_beat), 4),
        end_s=round(tempo.second_from_beat(end_beat), 4),
        bar=bar.index + 1,
        centre_xy_m=(round(couple.centre[0], 4), round(couple.centre[1], 4)),
        leader_facing_rad=round(couple.leader.facing_rad, 6),
        why=why,
        start_pose=CouplePose.from_dancers(couple.leader, couple.follower),
    )
    replay_figure(figure, couple.leader, couple.follower)
    return placed
