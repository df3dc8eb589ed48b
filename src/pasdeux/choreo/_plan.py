"""Place figures on the music, bar by bar, section by section.

The planner walks the song's bars in order. Within each section it uses the dance that
suits the section (or the one the user asked for) and its figures in the section's meter.
At every bar it picks, among the figures allowed to follow the previous one that fit in
what is left of the section, a figure whose length suits its place in the phrase:
highlights (turns) at the start of a phrase's second half, an ending on the last bars of
the song. Where the meter changes, the couple starts again with one of the dance's
start figures in the new meter. The random choices come from ``seed``, so a seed gives
one routine.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pasdeux.choreo._types import PlacedFigure, Routine
from pasdeux.dances import DanceStyle, Figure, find_style, load_library, successors
from pasdeux.dances._replay import DancerPose, couple_start, replay_figure
from pasdeux.errors import InputError
from pasdeux.music import Bar, MusicMap, Section, rank_dances

__all__ = ["LEVEL_ORDER", "check_options", "choreograph"]

LEVEL_ORDER = ("newcomer", "bronze", "silver", "gold")
_FLOOR_MARGIN_M = 0.8
_EPS = 1e-6
_KEEP_DANCE_SHARE = 0.8
_PHRASE_BARS = 8


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
        suits each section best.
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
    chosen = check_options(style=style, level=level, floor_m=floor_m)
    rng = np.random.default_rng(seed)
    tempo = music.tempo_map
    bars = music.bars
    couple_pose = couple_start((0.0, 0.0), 0.0, "closed")
    couple = _Couple(*couple_pose)
    placed: list[PlacedFigure] = []
    final_bar = _final_chord_bar(music)
    last_dance: DanceStyle | None = None
    for section_number, section in enumerate(music.sections):
        dance = _dance_for_section(section, chosen, last_dance)
        last_dance = dance or last_dance
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
            figure = _choose(
                fitting, (phrase_bar, phrase_len), bar.meter, previous, couple, floor_m, rng
            )
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
    *, style: str | DanceStyle | None, level: str, floor_m: tuple[float, float]
) -> DanceStyle | None:
    """Validate the user's choices before any work; returns the chosen dance (or None)."""
    if level not in LEVEL_ORDER:
        raise InputError(None, f"unknown level {level!r}; use one of {', '.join(LEVEL_ORDER)}")
    if min(floor_m) < 3.0:
        raise InputError(None, f"floor {floor_m[0]:g}x{floor_m[1]:g} m is too small (min 3x3 m)")
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


def _dance_for_section(
    section: Section, chosen: DanceStyle | None, previous: DanceStyle | None
) -> DanceStyle | None:
    """The dance for a section: the one asked for if it has figures in the section's meter;
    otherwise the dance that fits the section best, keeping the previous section's dance
    when it fits nearly as well (a couple does not change dance without need)."""
    if chosen is not None and chosen.figures_in_meter(_figure_meter(chosen, section.meter)):
        return chosen
    danceable = [s for s in load_library() if s.figures_in_meter(_figure_meter(s, section.meter))]
    if not danceable:
        return None
    ranked = rank_dances(section.meter, section.bpm, danceable)
    by_name = {s.name: s for s in danceable}
    best = ranked[0]
    if chosen is not None and chosen.name in by_name:
        return chosen
    if previous is not None and previous.name in by_name:
        kept = next(f for f in ranked if f.name == previous.name)
        if kept.score >= _KEEP_DANCE_SHARE * best.score:
            return previous
    if section.dance in by_name:
        # The listening stage chose it with the music's rhythm in mind: trust it.
        return by_name[section.dance]
    return by_name[best.name]


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
) -> Figure:
    bar_in_phrase, phrase_len = phrase_place
    weights = []
    for fig in fitting:
        w = 1.0
        if fig.highlight and not fig.ending:
            w = 3.0 if bar_in_phrase == phrase_len // 2 else 0.15
            if previous is not None and previous.highlight:
                w *= 0.1  # a highlight stands out between plainer figures
        if previous is not None and fig.id == previous.id:
            w *= 0.3  # variety: the same figure twice running is fine, thrice is rare
        bars = _bars_of(fig, bar_meter)
        if bar_in_phrase % 2 == 1 and bars % 2 == 0:
            w *= 0.1  # two-bar figures start on odd bars of the phrase (1, 3, 5, 7)
        if bar_in_phrase + bars > phrase_len:
            w *= 0.05  # a figure should not run across the start of the next phrase
        if not _stays_on_floor(fig, couple, floor_m):
            w *= 0.01
        weights.append(w)
    p = np.asarray(weights, dtype=float)
    index = int(rng.choice(len(fitting), p=p / p.sum()))
    return fitting[index]


def _stays_on_floor(figure: Figure, couple: _Couple, floor_m: tuple[float, float]) -> bool:
    leader, follower = couple.leader.copy(), couple.follower.copy()
    replay_figure(figure, leader, follower)
    half_w = floor_m[0] / 2 - _FLOOR_MARGIN_M
    half_d = floor_m[1] / 2 - _FLOOR_MARGIN_M
    return all(abs(p.body[0]) <= half_w and abs(p.body[1]) <= half_d for p in (leader, follower))


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
    )
    replay_figure(figure, couple.leader, couple.follower)
    return placed
