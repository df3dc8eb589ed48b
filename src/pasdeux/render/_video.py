"""The 3D view as a video with the song: Debian chromium draws each frame, ffmpeg encodes.

The viewer page written by :func:`write_viewer` is opened from ``file://`` in headless
chromium (through Playwright); for every frame its hook ``window.pasdeuxViewer.drawAt(t)``
draws time ``t`` and the 3D view's canvas is captured as a JPEG and piped into ffmpeg,
which encodes H.264 and muxes the song as AAC. The MP4 is written beside its target under
a hidden name and renamed into place when complete: a failure leaves no partial file.

Playwright is the optional extra ``pasdeux[video]``: only this module needs it.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pasdeux._folder import output_error, probe_writable
from pasdeux.errors import InputError, PasdeuxError

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["VideoParams", "check_video", "write_video"]


@dataclass(frozen=True, kw_only=True)
class VideoParams:
    """How the video is made (``write_video(..., params=VideoParams(...))``).

    Attributes
    ----------
    fps
        Frames a second of the video.
    viewport_px
        The browser window's width and height; the 3D view's canvas takes its size from
        the page's layout in it (about 780 x 624 in the default window).
    high_quality
        Draw as a GPU would (shadow maps, full resolution) even where WebGL renders in
        software, as here: slower, but the video is not watched live. ``False`` (the
        command line's ``--video-draft``) draws as the live page does there: half
        resolution, soft blobs for shadows, several times quicker.
    jpeg_quality
        Quality of each captured frame (0-100) on its way to ffmpeg.
    crf
        The H.264 encoder's constant rate factor (lower: larger, sharper).
    preset
        The H.264 encoder's speed preset.
    audio_bitrate_kbps
        The AAC audio's bit rate.
    progress_every_s
        Seconds between two progress lines (frames done / total, the pace and the time
        left); the last frame is always reported.
    chromium
        The chromium to drive (Debian's).
    ffmpeg
        The ffmpeg to encode with (Debian's).
    """

    fps: float = 25.0
    viewport_px: tuple[int, int] = (1400, 1000)
    high_quality: bool = True
    jpeg_quality: int = 92
    crf: int = 20
    preset: str = "veryfast"
    audio_bitrate_kbps: int = 160
    progress_every_s: float = 5.0
    chromium: Path = Path("/usr/bin/chromium")
    ffmpeg: Path = Path("/usr/bin/ffmpeg")

    def __post_init__(self) -> None:
        if not (math.isfinite(self.fps) and 1.0 <= self.fps <= 120.0):
            raise ValueError(f"fps must be from 1 to 120, got {self.fps!r}")
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f"jpeg_quality must be from 1 to 100, got {self.jpeg_quality!r}")


_CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",
)


def check_video(
    target: str | Path, params: VideoParams | None = None, *, song: str | Path | None = None
) -> Path:
    """Check, before any work, that a video can be made and written at ``target``.

    ``target`` may name an existing file, which is replaced, but not ``song``.

    Returns
    -------
    Path
        ``target``, absolute.

    Raises
    ------
    InputError
        If ``target`` is a folder or the song or cannot be written (really tried), or
        chromium, ffmpeg or the playwright package is missing.
    """
    p = params or VideoParams()
    out = Path(target).absolute()
    if out.is_dir():
        raise InputError(out, "is a folder; --video wants the name of an .mp4 file")
    if song is not None and out.exists() and out.samefile(song):
        raise InputError(out, "is the song; --video wants the name of a new .mp4 file")
    try:
        probe_writable(out)
    except OSError as exc:  # a place where nothing can be made (inside /proc, say)
        raise InputError(out, f"cannot write here: {exc.strerror or exc}") from None
    for tool in (p.chromium, p.ffmpeg):
        if not os.access(tool, os.X_OK):
            raise InputError(
                tool,
                "not found (--video needs Debian's chromium and ffmpeg: apt-get install "
                "chromium ffmpeg)",
            )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise InputError(
            None, "--video needs the playwright package: pip install 'pasdeux[video]'"
        ) from None
    return out


def write_video(
    index_html: str | Path,
    song: str | Path,
    target: str | Path,
    *,
    duration_s: float,
    params: VideoParams | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Render the viewer page ``index_html`` to an MP4 at ``target`` with ``song``'s audio.

    Frames are drawn at ``k / fps`` for ``k`` from 0 while under ``duration_s``. The file
    appears complete or not at all (written under a hidden name, then renamed).

    Raises
    ------
    InputError
        As :func:`check_video`, or if the file system refuses the write.
    PasdeuxError
        If chromium or ffmpeg fails (ffmpeg's last line of error in the message).

    Returns
    -------
    Path
        The video written (``target``, absolute).
    """
    p = params or VideoParams()
    out = check_video(target, p, song=song)
    say = progress or (lambda _msg: None)
    n_frames = max(1, math.ceil(duration_s * p.fps - 1e-9))
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.part")  # ffmpeg creates it
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _ffmpeg(p, song, tmp, n_frames) as sink, _viewer_page(index_html, p) as page:
            _render_frames(page, sink, n_frames, p, say)
        os.replace(tmp, out)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and (mistake := output_error(out, exc)) is not None:
            raise mistake from None
        raise
    return out


@contextlib.contextmanager
def _viewer_page(index_html: str | Path, p: VideoParams) -> Iterator[Page]:
    """The viewer page open in headless chromium, its first frame drawn."""
    from playwright.sync_api import Error, sync_playwright

    url = Path(index_html).resolve().as_uri() + ("?quality=high" if p.high_quality else "")
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=str(p.chromium), args=_CHROMIUM_ARGS)
        except Error as exc:
            raise PasdeuxError(f"chromium did not start: {_first_line(str(exc))}") from None
        try:
            width, height = p.viewport_px
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url)
            page.wait_for_function("window.pasdeuxViewer !== undefined", timeout=60_000)
            page.add_style_tag(content=".canvas-box{border-radius:0}")  # square frames
            yield page
        finally:
            browser.close()


# Draw time t, and say where the 3D view is in the window (scrolled into it if need be).
_DRAW_JS = """t => {
    window.pasdeuxViewer.drawAt(t);
    const c = document.getElementById("view3d");
    c.scrollIntoView({ block: "nearest" });
    const r = c.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
}"""


def _render_frames(
    page: Page, sink: IO[bytes], n_frames: int, p: VideoParams, say: Callable[[str], None]
) -> None:
    """Draw and capture each frame into ``sink``, reporting frames done / total.

    The 3D view's place is taken anew with each frame (its size once): the page's layout
    may still move it after the first frame (the panels beside it filling in).
    """
    box = page.evaluate(_DRAW_JS, 0.0)
    size = {k: float(box[k]) for k in ("width", "height")}
    say(f"video: {n_frames} frames at {p.fps:g} fps")
    start = last = time.monotonic()
    for k in range(n_frames):
        box = page.evaluate(_DRAW_JS, k / p.fps)
        clip: Any = {"x": float(box["x"]), "y": float(box["y"]), **size}
        sink.write(page.screenshot(type="jpeg", quality=p.jpeg_quality, clip=clip))
        now = time.monotonic()
        if now - last >= p.progress_every_s or k + 1 == n_frames:
            last = now
            pace = (k + 1) / max(now - start, 1e-6)
            left_s = (n_frames - k - 1) / pace
            say(f"video: {k + 1}/{n_frames} frames ({pace:.1f} frames/s, {left_s:.0f} s left)")


@contextlib.contextmanager
def _ffmpeg(p: VideoParams, song: str | Path, tmp: Path, n_frames: int) -> Iterator[IO[bytes]]:
    """ffmpeg reading JPEG frames on its standard input, writing the MP4 ``tmp``."""
    command = [
        str(p.ffmpeg), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "image2pipe", "-c:v", "mjpeg", "-framerate", f"{p.fps:g}", "-i", "pipe:0",
        "-i", str(song),
        "-map", "0:v:0", "-map", "1:a:0",
        "-t", f"{n_frames / p.fps:.6f}",
        "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",
        "-c:v", "libx264", "-preset", p.preset, "-crf", str(p.crf), "-pix_fmt", "yuv420p",
        "-r", f"{p.fps:g}",
        "-c:a", "aac", "-b:a", f"{p.audio_bitrate_kbps}k",
        "-movflags", "+faststart", "-f", "mp4", str(tmp),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
        assert proc.stdin is not None
        try:
            yield proc.stdin
            proc.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg stopped: its error is reported below
        except BaseException:
            proc.kill()
            raise
        finally:
            code = proc.wait()
        errors.seek(0)
        message = errors.read().decode("utf-8", "replace")
    if code != 0:
        raise PasdeuxError(f"ffmpeg failed ({code}): {_first_line(message, last=True)}")


def _first_line(text: str, *, last: bool = False) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()] or ["(no message)"]
    return lines[-1] if last else lines[0]
