"""The whole flow for one song: listen, choreograph, perform, write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pasdeux._folder import shown
from pasdeux.choreo import (
    SEED_MAX,
    CutIn,
    FollowedStep,
    Hijack,
    Routine,
    check_options,
    choreograph,
    count_music,
    follow_lead,
    improvise_song,
    read_her,
)
from pasdeux.dances import DanceStyle
from pasdeux.errors import InputError
from pasdeux.export import check_output_folder, write_outputs
from pasdeux.motion import MotionParams, Performance, perform
from pasdeux.music import AudioLimits, MusicMap, listen

__all__ = ["FOLLOWERS", "DanceResult", "Follower", "demo_song_path", "run_dance"]

Follower = Literal["plan", "reads"]
"""How the follower dances: her part of the planned routine (``plan``), or what she reads
of a leader who improvises (``reads``)."""
FOLLOWERS: tuple[Follower, ...] = ("plan", "reads")


@dataclass(frozen=True)
class DanceResult:
    """What ``pasdeux dance`` made, and where it wrote it."""

    index_html: Path
    music: MusicMap
    routine: Routine
    performance: Performance
    reading: tuple[FollowedStep, ...] | None = None


def demo_song_path() -> Path:
    """The demo song that ships with pasdeux (composed by scripts/make_demo_song.py)."""
    return Path(str(resources.files("pasdeux") / "assets" / "demo_song.ogg"))


def run_dance(
    song: str | Path,
    out_dir: str | Path,
    *,
    style: str | None = None,
    level: str = "newcomer",
    floor_m: tuple[float, float] = (10.0, 8.0),
    seed: int = 0,
    heights_m: tuple[float, float] | None = None,
    progress: Callable[[str], None] | None = None,
    limits: AudioLimits | None = None,
    follower: Follower = "plan",
    cut_in_bar: int | None = None,
    hijack_bar: int | None = None,
) -> DanceResult:
    """Listen to ``song``, choreograph it, perform it and write ``out_dir``.

    The options and the output folder are checked first (``InputError`` before any
    analysis); a song name with bytes that are not UTF-8 is shown with U+FFFD in titles.
    The music written (``music.json``) and returned is the music as danced: counted in
    the dance's meter and tempo octave (:func:`pasdeux.choreo.count_music`).
    ``heights_m`` are the leader's and the follower's heights (by default
    ``pasdeux.motion.DANCER_HEIGHTS_M``). With ``follower="reads"`` the leader improvises
    one dance over the whole song (``style``, or with auto the dance of the song's first
    danced section) and the follower dances what she reads of him
    (:func:`pasdeux.choreo.follow_lead`); ``cut_in_bar``: a second leader (the next seed)
    takes over at that bar, and she keeps reading; ``hijack_bar``: the follower leads the
    phrase from that bar (her own seed, the next but one) and the leader reads her
    (:func:`pasdeux.choreo.read_her`): his steps there join hers in ``reading``.
    """
    say = progress or (lambda _msg: None)
    # Every option and the output folder before any analysis: a mistake costs no minutes.
    check_options(style=style, level=level, floor_m=floor_m, seed=seed)
    if cut_in_bar is not None and follower != "reads":
        raise InputError(None, "--cut-in needs --follower reads (a leader who improvises)")
    if hijack_bar is not None and follower != "reads":
        raise InputError(None, "--hijack needs --follower reads (a leader who improvises)")
    cut_in = None if cut_in_bar is None else CutIn(cut_in_bar, (seed + 1) % (SEED_MAX + 1))
    hijack = None if hijack_bar is None else Hijack(hijack_bar, (seed + 2) % (SEED_MAX + 1))
    params = _motion_params(heights_m)
    check_output_folder(out_dir)
    music = listen(Path(song), progress=say, limits=limits)
    say("choreographing")
    heard = music
    reading: tuple[FollowedStep, ...] | None = None
    if follower == "reads":
        music, routine, reading = _improvised(
            music, style, level, (floor_m, seed, cut_in, hijack), say
        )
    else:
        routine = choreograph(
            music, style=style, level=level, floor_m=floor_m, seed=seed, progress=say
        )
        # The music as danced (half or double time, re-counted bars), which the routine's
        # beats and bars are: music.json, the viewer and the step sheet show it (`pasdeux
        # listen` shows the music as heard). Counting is deterministic: the planner counted
        # the same.
        music = count_music(music, style, level=level).music
    say("performing")
    performance = perform(
        routine,
        duration_s=music.duration_s,
        progress=say,
        params=params,
        follower_steps=None if reading is None else [s for s in reading if s.role == "follower"],
        leader_steps=None if reading is None else [s for s in reading if s.role == "leader"],
    )
    title = (
        f"{shown(Path(song).stem)} — {' / '.join(dict.fromkeys(p.dance for p in routine.figures))}"
        + (" (the leader improvises, the follower reads him)" if reading is not None else "")
    )
    index = write_outputs(
        out_dir,
        song,
        music,
        routine,
        performance,
        title=title,
        progress=say,
        heard=heard,
        reading=reading,
    )
    return DanceResult(index, music, routine, performance, reading)


def _improvised(
    music: MusicMap,
    style: str | None,
    level: str,
    where: tuple[tuple[float, float], int, CutIn | None, Hijack | None],
    say: Callable[[str], None],
) -> tuple[MusicMap, Routine, tuple[FollowedStep, ...]]:
    """The music as danced, the leader's improvised routine and the follower's steps as
    she read him (one dance over the whole song); ``where`` is the floor, the seed and
    the cut-in and the hijack."""
    floor_m, seed, cut_in, hijack = where
    counted = count_music(music, style, level=level, progress=say)
    dance: DanceStyle | None = next((d for d in counted.dances if d is not None), None)
    if dance is None:
        raise InputError(None, "no dance of the library suits this song")
    if style is None and any(d is not None and d.name != dance.name for d in counted.dances):
        counted = count_music(music, dance, level=level, progress=say)
    danced = counted.music
    routine = improvise_song(
        danced,
        dance,
        seed=seed,
        level=counted.level or level,
        floor_m=floor_m,
        cut_in=cut_in,
        hijack=hijack,
    )
    say(f"the leader improvises {len(routine.figures)} figures of {dance.name}; she reads him")
    reading = follow_lead(routine, dance, seed=seed)
    wrong = sum(s.wrong for s in reading)
    say(f"the follower read {len(reading) - wrong} of her {len(reading)} steps right")
    his = read_her(routine, dance, seed=seed)
    if his:
        right = sum(not s.wrong for s in his)
        say(f"she led a phrase: the leader read {right} of his {len(his)} steps right")
    return danced, routine, tuple(sorted([*reading, *his], key=lambda s: s.time_s))


def _motion_params(heights_m: tuple[float, float] | None) -> MotionParams:
    """The motion stage's tunables with the dancers' heights (``InputError`` if out of
    range)."""
    if heights_m is None:
        return MotionParams()
    leader, follower = heights_m
    try:
        return MotionParams(leader_height_m=leader, follower_height_m=follower)
    except ValueError as exc:
        raise InputError(None, f"--heights {leader:g},{follower:g}: {exc}") from None
