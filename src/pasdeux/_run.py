"""The whole flow for one song: listen, choreograph, perform, write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pasdeux._folder import shown
from pasdeux.choreo import Routine, check_options, choreograph, count_music
from pasdeux.errors import InputError
from pasdeux.export import check_output_folder, write_outputs
from pasdeux.motion import MotionParams, Performance, perform
from pasdeux.music import AudioLimits, MusicMap, listen

__all__ = ["DanceResult", "demo_song_path", "run_dance"]


@dataclass(frozen=True)
class DanceResult:
    """What ``pasdeux dance`` made, and where it wrote it."""

    index_html: Path
    music: MusicMap
    routine: Routine
    performance: Performance


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
) -> DanceResult:
    """Listen to ``song``, choreograph it, perform it and write ``out_dir``.

    The options and the output folder are checked first (``InputError`` before any
    analysis); a song name with bytes that are not UTF-8 is shown with U+FFFD in titles.
    The music written (``music.json``) and returned is the music as danced: counted in
    the dance's meter and tempo octave (:func:`pasdeux.choreo.count_music`).
    ``heights_m`` are the leader's and the follower's heights (by default
    ``pasdeux.motion.DANCER_HEIGHTS_M``).
    """
    say = progress or (lambda _msg: None)
    # Every option and the output folder before any analysis: a mistake costs no minutes.
    check_options(style=style, level=level, floor_m=floor_m, seed=seed)
    params = _motion_params(heights_m)
    check_output_folder(out_dir)
    music = listen(Path(song), progress=say, limits=limits)
    say("choreographing")
    routine = choreograph(music, style=style, level=level, floor_m=floor_m, seed=seed, progress=say)
    # The music as danced (half or double time, re-counted bars), which the routine's beats
    # and bars are: music.json, the viewer and the step sheet show it (`pasdeux listen`
    # shows the music as heard). Counting is deterministic: the planner counted the same.
    heard, music = music, count_music(music, style, level=level).music
    say("performing")
    performance = perform(routine, duration_s=music.duration_s, progress=say, params=params)
    title = (
        f"{shown(Path(song).stem)} — {' / '.join(dict.fromkeys(p.dance for p in routine.figures))}"
    )
    index = write_outputs(
        out_dir, song, music, routine, performance, title=title, progress=say, heard=heard
    )
    return DanceResult(index, music, routine, performance)


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
