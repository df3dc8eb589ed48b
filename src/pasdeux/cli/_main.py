"""Argument parsing, progress lines and the error contract (exit 2 = your input)."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from pasdeux import __version__
from pasdeux._folder import shown
from pasdeux._limits import FLOOR_SIDE_RANGE_M, HEIGHT_RANGE_M, SEED_MAX
from pasdeux.cli._library import add_library_parser, run_library
from pasdeux.errors import InputError, PasdeuxError

if TYPE_CHECKING:
    from pasdeux.music import AudioLimits

__all__ = ["main"]


class _Progress:
    """Prints what is happening on stderr, with the time since the start.

    Warnings (messages starting ``warning:``) are shown even when quiet: at once among the
    progress lines; when quiet, at the end of a run that succeeds, or folded into the one
    error line of a run that fails (so that an error is always one line).
    """

    def __init__(self) -> None:
        self.quiet = False
        self.start = time.monotonic()
        self.held: list[str] = []

    def __call__(self, message: str) -> None:
        if message.startswith("warning:") and self.quiet:
            self.held.append(_one_line(message))
        elif not self.quiet:
            elapsed = time.monotonic() - self.start
            print(f"[{elapsed:5.1f}s] {_one_line(message)}", file=sys.stderr, flush=True)

    def print_held(self) -> None:
        """Print the warnings held back while quiet."""
        for line in self.held:
            print(line, file=sys.stderr, flush=True)
        self.held = []

    def folded(self) -> str:
        """The held warnings, to end an error line with (empty if there are none)."""
        return "".join(f" ({line})" for line in self.held)


def _one_line(message: str) -> str:
    """``message`` as one printable line: bytes that are not UTF-8 as U+FFFD, and line
    breaks and other control characters (from a file's name, say) escaped as ``\\n``."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown(message))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(None, f"{message} (see '{self.prog} --help')")


def _floor(text: str) -> tuple[float, float]:
    try:
        w, d = (float(v) for v in text.lower().split("x"))
    except ValueError:
        w = d = math.nan
    if not (math.isfinite(w) and math.isfinite(d)):
        raise argparse.ArgumentTypeError(f"floor must look like 10x8 (metres), got {text!r}")
    return w, d


def _heights(text: str) -> tuple[float, float]:
    """``--heights LEADER,FOLLOWER`` in metres, each within :data:`HEIGHT_RANGE_M`."""
    low, high = HEIGHT_RANGE_M
    try:
        leader, follower = (float(v) for v in text.split(","))
    except ValueError:
        leader = follower = math.nan
    if not all(math.isfinite(v) and low <= v <= high for v in (leader, follower)):
        raise argparse.ArgumentTypeError(
            f"must be two heights in metres like 1.80,1.68 (leader, follower), "
            f"each {low:g} to {high:g}, got {text!r}"
        )
    return leader, follower


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if not 0 <= seed <= SEED_MAX:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 0 to {SEED_MAX}, got {text!r}"
        )
    return seed


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that every cleanup on the way out runs."""


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While running, turn SIGTERM into :class:`_Terminated` (staging folders are removed
    by the ``except BaseException`` on the way out, as for Ctrl-C)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _minutes(text: str) -> float:
    try:
        minutes = float(text)
    except ValueError:
        minutes = float("nan")
    if not 0.0 < 60.0 * minutes < float("inf"):
        raise argparse.ArgumentTypeError(f"--max-minutes must be a positive number, got {text!r}")
    return minutes


def _audio_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-minutes",
        type=_minutes,
        default=60.0,
        metavar="M",
        help="refuse songs longer than M minutes (60)",
    )


def _audio_limits(args: argparse.Namespace) -> AudioLimits:
    from pasdeux.music import AudioLimits

    return AudioLimits(max_duration_s=60.0 * float(args.max_minutes))


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pasdeux", description="A music-driven partner-dance engine.")
    parser.add_argument("--version", action="version", version=f"pasdeux {__version__}")
    common = _Parser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    analyze = sub.add_parser(
        "analyze", parents=[common], help="beats, bars, meter, tempo, sections, dances"
    )
    analyze.add_argument("song", type=Path)
    analyze.add_argument("--json", action="store_true", help="one JSON object on stdout")
    _audio_options(analyze)

    _listen_parser(sub, common)

    dance = sub.add_parser(
        "dance", parents=[common], help="choreograph a song and write the outputs"
    )
    dance.add_argument("song", type=Path)
    _dance_options(dance, default_out="pasdeux-out")
    _audio_options(dance)

    demo = sub.add_parser("demo", parents=[common], help="dance the song that ships with pasdeux")
    _dance_options(demo, default_out="demo-out")
    _audio_options(demo)

    check = sub.add_parser(
        "check", parents=[common], help="measure the motion of a folder pasdeux dance wrote"
    )
    check.add_argument("folder", type=Path, metavar="DIR")
    check.add_argument("--json", action="store_true", help="one JSON object on stdout")

    _serve_parser(sub)
    add_library_parser(sub, common, _audio_options, _bounded_int)

    figures = sub.add_parser("figures", parents=[common], help="list the dance library")
    figures.add_argument("dance", nargs="?", help="one dance (name or alias)")
    figures.add_argument("--json", action="store_true", help="the whole library as JSON")
    figures.add_argument(
        "--svg", type=Path, metavar="DIR", help="write a footprint chart per figure into DIR"
    )
    return parser


def _listen_parser(sub: argparse._SubParsersAction[_Parser], common: _Parser) -> None:
    listen = sub.add_parser(
        "listen",
        parents=[common],
        help="beats, downbeats and tempo as the music plays (a file, or the microphone)",
    )
    listen.add_argument("song", type=Path, nargs="?", help="the file to play (or --mic)")
    listen.add_argument(
        "--live", action="store_true", help="decide each beat causally as it plays (the default)"
    )
    listen.add_argument(
        "--as-fast-as-possible",
        action="store_true",
        help="feed the file as fast as it decodes instead of in real time",
    )
    listen.add_argument(
        "--mic", action="store_true", help="listen to the default input device (sounddevice)"
    )
    listen.add_argument("--json", action="store_true", help="one JSON object a line per beat")
    _audio_options(listen)


def _bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low} to {high}, got {text!r}"
            )
        return value

    return parse


def _megabytes(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 < value < 1e7:
        raise argparse.ArgumentTypeError(f"must be a positive number of MB, got {text!r}")
    return max(1, round(value * 1e6))


def _video_fps(text: str) -> float:
    try:
        fps = float(text)
    except ValueError:
        fps = math.nan
    if not 1.0 <= fps <= 120.0:
        raise argparse.ArgumentTypeError(f"must be a number from 1 to 120, got {text!r}")
    return fps


def _serve_parser(sub: argparse._SubParsersAction[_Parser]) -> None:
    serve = sub.add_parser("serve", help="the local app: a page on 127.0.0.1 to dance songs")
    serve.add_argument(
        "--port", type=_bounded_int(0, 65535), default=8765, help="the port (8765; 0: any free)"
    )
    serve.add_argument(
        "--workdir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the jobs are kept (default: ~/.cache/pasdeux/serve)",
    )
    serve.add_argument(
        "--workers", type=_bounded_int(1, 64), default=2, help="jobs run at once (2)"
    )
    serve.add_argument(
        "--max-upload-mb",
        type=_megabytes,
        default=200_000_000,
        metavar="MB",
        help="the largest song accepted, in MB (200)",
    )
    _audio_options(serve)


def _dance_options(p: argparse.ArgumentParser, default_out: str) -> None:
    p.add_argument("--style", default="auto", help="a dance name, or auto (default)")
    p.add_argument("--level", default="newcomer", help="newcomer, bronze, silver or gold")
    low, high = FLOOR_SIDE_RANGE_M
    p.add_argument(
        "--floor",
        type=_floor,
        default=(10.0, 8.0),
        help=f"WxD in metres, each side {low:g} to {high:g} (default 10x8)",
    )
    low, high = HEIGHT_RANGE_M
    p.add_argument(
        "--heights",
        type=_heights,
        default=None,
        metavar="LEADER,FOLLOWER",
        help=f"the dancers' heights in metres, each {low:g} to {high:g} (default 1.80,1.68)",
    )
    p.add_argument(
        "--seed", type=_seed, default=0, help=f"a whole number from 0 to {SEED_MAX} (default 0)"
    )
    p.add_argument(
        "--follower",
        choices=("plan", "reads"),
        default="plan",
        help="plan: she dances her part of the planned routine (default); reads: the leader "
        "improvises and she keeps up by reading his motion",
    )
    p.add_argument(
        "--cut-in",
        type=_bounded_int(2, 1_000_000),
        default=None,
        metavar="BAR",
        help="with --follower reads: a second leader (the next seed) takes over at this bar",
    )
    p.add_argument(
        "--hijack",
        type=_bounded_int(1, 1_000_000),
        default=None,
        metavar="BAR",
        help="with --follower reads: the follower leads the phrase from this bar and the "
        "leader reads her",
    )
    p.add_argument(
        "--video",
        type=Path,
        default=None,
        metavar="FILE.mp4",
        help="also render the 3D view with the song to an MP4 (needs chromium, ffmpeg and "
        "pasdeux[video])",
    )
    p.add_argument(
        "--video-fps",
        type=_video_fps,
        default=25.0,
        metavar="N",
        help="frames a second of the --video (1 to 120, default 25)",
    )
    p.add_argument(
        "--video-draft",
        action="store_true",
        help="draw the --video as the page does live where WebGL renders in software (half "
        "resolution, soft blobs for shadows): several times quicker, rougher",
    )
    p.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path(default_out),
        help="output folder; an earlier one is replaced only if nothing in it was added or changed",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    progress = _Progress()
    try:
        with _terminate_as_interrupt():
            args = _parser().parse_args(argv)
            progress.quiet = getattr(args, "quiet", False)
            code = _dispatch(args, progress)
        progress.print_held()
        return code
    except InputError as exc:
        print(f"pasdeux: {_one_line(str(exc))}{progress.folded()}", file=sys.stderr)
        return 2
    except PasdeuxError as exc:
        print(f"pasdeux: internal error: {_one_line(str(exc))}", file=sys.stderr)
        return 1
    except _Terminated:
        print("pasdeux: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("pasdeux: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `pasdeux figures | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if os.environ.get("PASDEUX_DEBUG"):
            traceback.print_exc()
        print(
            f"pasdeux: internal error ({type(exc).__name__}: {_one_line(str(exc))}); "
            "set PASDEUX_DEBUG=1 for the traceback",
            file=sys.stderr,
        )
        return 1


def _dispatch(args: argparse.Namespace, progress: _Progress) -> int:
    if args.command == "analyze":
        return _analyze(args, progress)
    if args.command in ("dance", "demo"):
        return _dance(args, progress)
    if args.command == "figures":
        return _figures(args)
    if args.command == "listen":
        return _listen(args, progress)
    if args.command == "check":
        return _check(args, progress)
    if args.command == "serve":
        return _serve(args)
    if args.command == "library":
        return run_library(args, progress)
    raise InputError(None, f"unknown command {args.command!r}")


def _analyze(args: argparse.Namespace, progress: _Progress) -> int:
    from pasdeux.music import listen

    music = listen(args.song, progress=progress, limits=_audio_limits(args))
    if args.json:
        print(music.to_json())
        return 0
    print(f"{shown(args.song)}: {music.duration_s:.1f} s")
    print(f"  meter {music.meter}, {music.bpm:.1f} BPM, {music.mpm:.1f} MPM")
    print(f"  {len(music.beats)} beats, {len(music.bars)} bars, {len(music.phrases)} phrases")
    for s in music.sections:
        print(f"  section {s.start:6.1f}-{s.end:6.1f} s: {s.meter}/4 {s.bpm:5.1f} BPM -> {s.dance}")
    print("  dances: " + ", ".join(f"{d.name} {d.score:.2f}" for d in music.dances[:5]))
    if music.dances:
        print(f"  best: {music.dances[0].name} ({music.dances[0].reason})")
    return 0


def _listen(args: argparse.Namespace, progress: _Progress) -> int:
    from pasdeux.music.stream import file_blocks, listen_stream, microphone_blocks

    if (args.song is None) == (not args.mic):
        raise InputError(None, "listen needs a SONG or --mic (not both)")
    if args.mic and args.as_fast_as_possible:
        raise InputError(None, "--as-fast-as-possible plays a file; the microphone is live")
    if args.mic:
        rate, blocks = 44100, microphone_blocks()
        progress("listening to the default input (Ctrl-C stops)")
    else:
        real_time = not args.as_fast_as_possible
        rate, blocks = file_blocks(args.song, real_time=real_time, limits=_audio_limits(args))
        pace = "in real time" if real_time else "as fast as possible"
        progress(f"playing {shown(args.song)} {pace}")
    for event in listen_stream(blocks, rate):
        if args.json:
            print(json.dumps(event.to_dict()), flush=True)
            continue
        kind = "DOWNBEAT" if event.downbeat else "beat    "
        print(
            f"{event.time_s:8.2f} s  {kind} {event.count}/{event.meter}  {event.bpm:5.1f} BPM"
            f"  (decided at {event.decided_s:.2f} s)",
            flush=True,
        )
    return 0


def _dance(args: argparse.Namespace, progress: _Progress) -> int:
    from pasdeux._run import demo_song_path, run_dance

    song = demo_song_path() if args.command == "demo" else args.song
    video = None
    if args.video_draft and args.video is None:
        raise InputError(None, "--video-draft needs --video FILE.mp4")
    if args.video is not None:
        from pasdeux.render import VideoParams, check_video

        video = VideoParams(fps=args.video_fps, high_quality=not args.video_draft)
        check_video(args.video, video, song=song)  # before any analysis: a mistake costs no minutes
    result = run_dance(
        song,
        args.out,
        style=None if args.style == "auto" else args.style,
        level=args.level,
        floor_m=args.floor,
        seed=args.seed,
        heights_m=args.heights,
        progress=progress,
        limits=_audio_limits(args),
        follower=args.follower,
        cut_in_bar=args.cut_in,
        hijack_bar=args.hijack,
    )
    dances = list(dict.fromkeys(p.dance for p in result.routine.figures))
    meters = [s.meter for s in result.music.sections]
    meter_runs = [m for i, m in enumerate(meters) if i == 0 or m != meters[i - 1]]
    print(
        f"{len(result.routine.figures)} figures of {', '.join(dances)} on "
        f"{len(result.music.bars)} bars ({result.music.duration_s:.0f} s, "
        f"{' then '.join(f'{m}/4' for m in meter_runs)})"
    )
    print(f"open {shown(result.index_html)}")
    if video is not None:
        from pasdeux.render import write_video

        written = write_video(
            result.index_html,
            song,
            args.video,
            duration_s=result.music.duration_s,
            params=video,
            progress=progress,
        )
        print(f"video {shown(written)}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from pasdeux.serve import ServeParams, run_server

    params = ServeParams(
        max_upload_bytes=args.max_upload_mb,
        workers=args.workers,
        max_song_s=60.0 * float(args.max_minutes),
    )

    def announce(line: str) -> None:
        print(_one_line(line), flush=True)

    run_server(port=args.port, workdir=args.workdir, params=params, announce=announce)
    print("pasdeux serve: stopped", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace, progress: _Progress) -> int:
    from pasdeux.check import check_output, report_table

    report = check_output(args.folder, progress=progress)
    if args.json:
        print(report.to_json())
        return 0
    print(
        f"{shown(args.folder)}: {report.duration_s:.1f} s, {report.n_frames} frames "
        f"at {report.fps:g} fps"
    )
    print(report_table(report))
    return 0


def _figures(args: argparse.Namespace) -> int:
    from pasdeux._serial import to_jsonable
    from pasdeux.dances import HOLD_CONNECTIONS, find_style, load_library

    styles = (find_style(args.dance),) if args.dance else load_library()
    if args.svg is not None:
        from pasdeux.render import check_footprint_folder, write_footprint_charts

        check_footprint_folder(styles, args.svg)  # every style's files, before writing any
        for style in styles:
            written = write_footprint_charts(style, args.svg)
            print(f"{style.name}: {len(written) - 1} charts, open {shown(written[-1])}")
        return 0
    if args.json:
        holds = {
            hold: [{"leader": ldr, "follower": flw, "height": h} for ldr, flw, h in joins]
            for hold, joins in HOLD_CONNECTIONS.items()
        }
        library = {"schema": 1, "holds": holds, "dances": [to_jsonable(s) for s in styles]}
        print(json.dumps(library, indent=1))
        return 0
    for style in styles:
        meters = ", ".join(
            f"{t.meter}/4 {t.bpm_min:g}-{t.bpm_max:g} BPM ({t.mpm_min:g}-{t.mpm_max:g} MPM)"
            for t in style.tempos
        )
        travel = "progressive" if style.progressive else "spot"
        print(f"{style.name} ({style.kind}, {travel}; {meters}; {', '.join(style.levels)})")
        print(f"  counted: {style.counting}")
        for fig in style.figures:
            flags = " ".join(
                f for f, on in (("ending", fig.ending), ("highlight", fig.highlight)) if on
            )
            length = f"{fig.meter}/4 {fig.bars:g} bar(s)"
            print(f"  {fig.id:24s} {fig.name:28s} {length} {fig.counts:14s} {flags}")
    return 0
